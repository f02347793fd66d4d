"""Clean a text column with Ray Data's ``map_batches``: the cleantext pipeline pickles, so Ray
ships it to its workers like any other argument.

Run it on the bundled seed articles (Ray starts a local instance on this machine and stops it):

    pip install "cleantext-corpus[ray]"
    python examples/ray_example.py corpora/seeds/input > cleaned.jsonl

It prints one JSON object per file, ``{"name": ..., "text": ...}``, in file-name order. On a
Ray cluster, call ``ray.init(address="auto")`` (or set ``RAY_ADDRESS``) instead of starting a
local instance; every Ray worker needs ``cleantext-corpus`` installed.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import cleantext
from cleantext import Pipeline

if TYPE_CHECKING:
    import pandas
    import ray.data


def clean_batch(
    batch: pandas.DataFrame, *, column: str = "text", pipeline: Pipeline | None = None
) -> pandas.DataFrame:
    """Return ``batch`` with its ``column`` cleaned by ``pipeline``; other columns are kept.

    A module-level function (not a lambda), so it pickles to Ray workers.

    >>> import pandas as pd
    >>> clean_batch(pd.DataFrame({"id": [7], "text": ["Done. ."]}))["text"].tolist()
    ['Done.']
    """
    out = batch.copy()
    out[column] = cleantext.clean_many(list(batch[column]), pipeline=pipeline)
    return out


def clean_dataset(
    dataset: ray.data.Dataset, *, column: str = "text", pipeline: Pipeline | None = None
) -> ray.data.Dataset:
    """Return a lazy Ray dataset with ``column`` cleaned, batch by batch, on the Ray workers.

    >>> import ray.data  # doctest: +SKIP
    >>> ds = ray.data.from_items([{"text": "Done. ."}])  # doctest: +SKIP
    >>> clean_dataset(ds).take_all()  # doctest: +SKIP
    [{'text': 'Done.'}]
    """
    return dataset.map_batches(
        clean_batch,
        batch_format="pandas",
        fn_kwargs={"column": column, "pipeline": pipeline or cleantext.default_pipeline()},
    )


def main(argv: list[str] | None = None) -> int:
    """Clean every ``*.txt`` under a directory on a local Ray instance; print JSON lines."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--num-cpus", type=int, default=2)
    args = parser.parse_args(argv)

    import ray
    import ray.data

    files = sorted(args.directory.rglob("*.txt"))
    if not files:
        parser.error(f"no .txt files under {args.directory}")
    rows = [
        {"name": str(p.relative_to(args.directory)), "text": p.read_text(encoding="utf-8")}
        for p in files
    ]
    ray.init(num_cpus=args.num_cpus, include_dashboard=False, log_to_driver=False)
    try:
        ray.data.DataContext.get_current().enable_progress_bars = False
        cleaned = clean_dataset(ray.data.from_items(rows, override_num_blocks=2)).take_all()
    finally:
        ray.shutdown()
    for row in sorted(cleaned, key=lambda r: r["name"]):
        sys.stdout.write(json.dumps({"name": row["name"], "text": row["text"]}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
