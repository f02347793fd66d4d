"""Hypothesis's entry point: registers cleantext's strategies for ``st.from_type``.

``pyproject.toml`` names :func:`_hypothesis_setup_hook` under the ``hypothesis`` entry-point
group; Hypothesis calls it when it is imported, in any environment where cleantext-corpus is
installed. Registration is lazy: nothing is built until a test asks for the type.
"""

from __future__ import annotations

from hypothesis import strategies as st

__all__ = ["_hypothesis_setup_hook"]


def _dirty_documents_for(_: type) -> st.SearchStrategy:
    from cleantext.testing.strategies import dirty_documents

    return dirty_documents()


def _hypothesis_setup_hook() -> None:
    """Make ``st.from_type(DirtyDocument)`` draw from :func:`dirty_documents`.

    >>> from hypothesis import given, strategies as st
    >>> import cleantext
    >>> from cleantext.testing import DirtyDocument
    >>> _hypothesis_setup_hook()
    >>> @given(st.from_type(DirtyDocument))
    ... def test(doc):
    ...     assert cleantext.clean(doc.dirty) == doc.clean
    >>> test()
    """
    from cleantext.testing.strategies import DirtyDocument

    st.register_type_strategy(DirtyDocument, _dirty_documents_for)
