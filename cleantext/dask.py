"""Clean texts that already live in Dask collections: a ``dask.bag`` or a ``dask.dataframe``.

These helpers are for programs that already use Dask. They only build lazy collections; nothing
runs until you call ``.compute()`` (or write the result), on whatever scheduler is active, a
``distributed.Client`` included. The pipeline is shipped to the workers once, as one object in
the graph; every worker must have the same version of ``cleantext-corpus`` installed.

To clean files or JSONL corpora on a cluster, use the command instead:
``cleantext clean SRC -o DST --engine dask --scheduler tcp://host:8786``.

>>> import dask.bag as db
>>> from cleantext.dask import clean_bag
>>> clean_bag(db.from_sequence(["Xi met Blinken. .", "Leave a Reply"])).compute()
['Xi met Blinken.', '']
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

try:
    import dask
    import dask.bag
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError('cleantext.dask needs Dask: pip install "cleantext-corpus[dask]"') from exc

from cleantext.errors import ConfigError
from cleantext.pipeline import BATCH_SIZE, Pipeline

if TYPE_CHECKING:
    import dask.dataframe
    import pandas

__all__ = ["clean_bag", "clean_dataframe"]


def _clean_texts(texts: list[object], pipeline: Pipeline | None) -> list[str]:
    """``texts`` cleaned, in order, ``BATCH_SIZE`` per call of :meth:`Pipeline.apply_many` (the
    same outputs as one call each, faster); a text that is not a ``str`` is a TypeError."""
    for text in texts:
        if not isinstance(text, str):
            raise TypeError(f"cleantext expects str texts; got {type(text).__name__}: {text!r:.60}")
    import cleantext  # the default pipeline is built once per worker process, in cleantext

    out: list[str] = []
    for start in range(0, len(texts), BATCH_SIZE):
        out += cleantext.clean_many(texts[start : start + BATCH_SIZE], pipeline=pipeline)  # type: ignore[arg-type]
    return out


def _clean_partition(texts: Any, pipeline: Pipeline | None) -> list[str]:
    return _clean_texts(list(texts), pipeline)


def _ship(pipeline: Pipeline | None) -> Any:
    """Put the pipeline in the graph once (one key), rather than once per partition."""
    if pipeline is None:
        return None
    if not isinstance(pipeline, Pipeline):
        raise TypeError(f"pipeline must be a cleantext.Pipeline, not {type(pipeline).__name__}")
    return dask.delayed(pipeline, pure=True)


def clean_bag(bag: dask.bag.Bag, *, pipeline: Pipeline | None = None) -> dask.bag.Bag:
    """Return a lazy bag of the texts in ``bag`` cleaned by ``pipeline`` (default pipeline if None).

    Order and partitioning are kept: element *i* of the result is element *i* of ``bag``,
    cleaned. An element that is not a ``str`` makes ``compute()`` raise ``TypeError``.

    >>> import dask.bag as db
    >>> from cleantext import Pipeline
    >>> from cleantext.filters import StrayPeriod
    >>> texts = db.from_sequence(["Done. .", "Fine."], npartitions=2)
    >>> clean_bag(texts, pipeline=Pipeline(StrayPeriod())).compute()
    ['Done.', 'Fine.']
    """
    if not isinstance(bag, dask.bag.Bag):
        raise TypeError(f"clean_bag expects a dask.bag.Bag, not {type(bag).__name__}")
    return bag.map_partitions(_clean_partition, _ship(pipeline))


def _clean_frame(
    frame: pandas.DataFrame, column: str, pipeline: Pipeline | None
) -> pandas.DataFrame:
    import pandas as pd

    values = frame[column]
    cleaned = list(values)
    present = [i for i, text in enumerate(cleaned) if not _is_missing(text)]
    texts = _clean_texts([cleaned[i] for i in present], pipeline)
    for i, text in zip(present, texts, strict=True):
        cleaned[i] = text
    out = frame.copy()
    out[column] = pd.Series(cleaned, index=frame.index, dtype=values.dtype, name=column)
    return out


def _is_missing(value: object) -> bool:
    import pandas as pd

    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def clean_dataframe(
    df: dask.dataframe.DataFrame, column: str, *, pipeline: Pipeline | None = None
) -> dask.dataframe.DataFrame:
    """Return a lazy copy of ``df`` whose text ``column`` is cleaned; other columns are kept.

    The index, column order, dtypes and partitions stay as they were. Missing values (None,
    NaN, ``pd.NA``) stay missing; any other value that is not a ``str`` makes ``compute()``
    raise ``TypeError``. A ``column`` that ``df`` lacks raises ``ConfigError`` at once.

    >>> import pandas as pd, dask.dataframe as dd
    >>> frame = pd.DataFrame({"id": [1, 2], "text": ["Xi met Blinken. .", "Source: TRT"]})
    >>> out = clean_dataframe(dd.from_pandas(frame, npartitions=1), "text").compute()
    >>> out["id"].tolist(), out["text"].tolist()
    ([1, 2], ['Xi met Blinken.', ''])
    """
    import dask.dataframe as dd

    if not isinstance(df, dd.DataFrame):
        raise TypeError(
            f"clean_dataframe expects a dask.dataframe.DataFrame, not {type(df).__name__}"
        )
    if column not in df.columns:
        raise ConfigError(f"no column {column!r} to clean; the columns are {list(df.columns)}")
    dtype = df[column].dtype
    if not _is_string_dtype(dtype):
        raise TypeError(f"column {column!r} holds {dtype}, not text")
    return df.map_partitions(_clean_frame, column, _ship(pipeline), meta=df._meta)


def _is_string_dtype(dtype: Any) -> bool:
    import numpy as np
    import pandas as pd

    return dtype == np.dtype(object) or bool(pd.api.types.is_string_dtype(dtype))
