"""cleantext: turn scraped text into clean text, and say what was changed.

>>> import cleantext
>>> cleantext.clean("Blinken met Xi.\\n\\nLeave a Reply\\n")
'Blinken met Xi.\\n'
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from cleantext import filters
from cleantext.catalog import Catalog, Rule, builtin_catalog, load_catalog
from cleantext.errors import CatalogError, CleantextError, ConfigError, UnknownFilterError
from cleantext.filter import Edit, Filter
from cleantext.pipeline import Pipeline, default_pipeline
from cleantext.registry import available_filters, make_filter
from cleantext.report import Report

__version__ = "0.1.0"

__all__ = [
    "Catalog",
    "CatalogError",
    "CleantextError",
    "ConfigError",
    "Edit",
    "Filter",
    "Pipeline",
    "Report",
    "Rule",
    "UnknownFilterError",
    "__version__",
    "available_filters",
    "builtin_catalog",
    "clean",
    "clean_many",
    "default_pipeline",
    "explain",
    "filters",
    "load_catalog",
    "make_filter",
]


@lru_cache(maxsize=1)
def _default() -> Pipeline:
    return default_pipeline()


def clean(text: str, *, pipeline: Pipeline | None = None) -> str:
    """Return ``text`` cleaned by ``pipeline`` (the default pipeline when None).

    >>> clean("Xi said it was “very good.” .\\n\\nSource: TRT")
    'Xi said it was “very good.”'
    """
    return (pipeline or _default())(text)


def clean_many(texts: Iterable[str], *, pipeline: Pipeline | None = None) -> list[str]:
    """Return each text cleaned by ``pipeline`` (the default pipeline when None), in order:
    ``[clean(t) for t in texts]``, about 1.2x faster (see :meth:`Pipeline.apply_many`; give it
    batches of tens to hundreds of documents).

    >>> clean_many(["Done. .", "Leave a Reply\\n\\nHe left."])
    ['Done.', 'He left.']
    """
    return (pipeline or _default()).apply_many(texts)


def explain(text: str, *, pipeline: Pipeline | None = None) -> Report:
    """Clean ``text`` and return a :class:`Report` of every edit, by filter, rule and category.

    >>> report = explain("Xi met Blinken.\\n\\nSource: TRT")
    >>> report.text, report.metadata
    ('Xi met Blinken.', {'source': ['TRT']})
    """
    return (pipeline or _default()).explain(text)
