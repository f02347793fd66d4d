"""Cached strategy objects for the draws made inside composite strategies.

Building a fresh ``st.sampled_from(...)`` or ``st.integers(...)`` on every draw makes Hypothesis
validate it every time, which was most of the generation cost; these are built once.
"""

from __future__ import annotations

from collections.abc import Hashable
from functools import cache

from hypothesis import strategies as st

__all__ = ["BOOLEANS", "ints", "pick"]

BOOLEANS = st.booleans()


@cache
def pick(values: tuple[Hashable, ...]) -> st.SearchStrategy:
    """``st.sampled_from(values)``, built once per tuple."""
    return st.sampled_from(values)


@cache
def ints(low: int, high: int) -> st.SearchStrategy[int]:
    """``st.integers(low, high)``, built once per range."""
    return st.integers(low, high)
