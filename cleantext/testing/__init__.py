"""Hypothesis strategies and assertions for testing text cleaning, yours and cleantext's.

Needs Hypothesis: ``pip install "cleantext-corpus[testing]"``.

>>> from hypothesis import given
>>> import cleantext
>>> from cleantext.testing import dirty_documents
>>> @given(dirty_documents())
... def test_default_pipeline(doc):
...     assert cleantext.clean(doc.dirty) == doc.clean
>>> test_default_pipeline()
"""

from __future__ import annotations

try:
    import hypothesis  # noqa: F401
except ImportError as exc:  # pragma: no cover - exercised in a subprocess by the tests
    raise ImportError(
        "cleantext.testing needs Hypothesis; install it with: "
        'pip install "cleantext-corpus[testing]"'
    ) from exc

from cleantext.testing.assertions import (
    assert_idempotent,
    assert_never_raises,
    assert_only_residue_removed,
)
from cleantext.testing.strategies import (
    Defect,
    DirtyDocument,
    articles,
    broken_possessives,
    dirty_documents,
    hostile_text,
    mojibake,
    residue_lines,
)

__all__ = [
    "Defect",
    "DirtyDocument",
    "articles",
    "assert_idempotent",
    "assert_never_raises",
    "assert_only_residue_removed",
    "broken_possessives",
    "dirty_documents",
    "hostile_text",
    "mojibake",
    "residue_lines",
]
