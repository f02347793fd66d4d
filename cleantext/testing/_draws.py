"""Cached strategy objects for the draws made inside composite strategies.

Building a fresh ``st.sampled_from(...)`` or ``st.integers(...)`` on every draw makes Hypothesis
validate it every time, which was most of the generation cost; these are built once.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from functools import cache
from typing import TypeVar

from hypothesis import strategies as st

T = TypeVar("T")

__all__ = ["BOOLEANS", "SEED", "Digits", "ints", "pick"]

BOOLEANS = st.booleans()
#: The integer a :class:`Digits` reads its choices from.
SEED = st.integers(0, 2**64 - 1)


@cache
def pick(values: tuple[Hashable, ...]) -> st.SearchStrategy:
    """``st.sampled_from(values)``, built once per tuple."""
    return st.sampled_from(values)


@cache
def ints(low: int, high: int) -> st.SearchStrategy[int]:
    """``st.integers(low, high)``, built once per range."""
    return st.integers(low, high)


class Digits:
    """Several choices read from one drawn integer as mixed-radix digits: one Hypothesis draw
    instead of one per choice (generation speed), and the integer shrinks towards 0, which
    picks the first value of every choice (readable failing examples).

    >>> d = Digits(7)
    >>> d.pick(("a", "b")), d.int(10, 12), d.pick(("x", "y"))
    ('b', 10, 'y')
    """

    __slots__ = ("rest",)

    def __init__(self, number: int) -> None:
        self.rest = number

    def pick(self, values: Sequence[T]) -> T:
        self.rest, index = divmod(self.rest, len(values))
        return values[index]

    def int(self, low: int, high: int) -> int:
        self.rest, offset = divmod(self.rest, high - low + 1)
        return low + offset
