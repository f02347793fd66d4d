"""Searches for any of many literal strings, in the standard library's engine.

The stdlib ``re`` engine tries an alternation's branches one by one at every position; written
as a prefix tree ("co(?:mment|py)"), each position tries each first character once. Used for
the residue catalog's ``contains`` hints and for the candidate names of possessive repair.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

__all__ = ["any_of", "chars_between", "prefix_tree", "utf8_search"]

try:  # pragma: no cover - depends on the environment
    import re2 as _re2
except ImportError:  # pragma: no cover - depends on the environment
    _re2 = None


def prefix_tree(words: list[str]) -> str:
    """A pattern that matches exactly the given literal strings, as a prefix tree.

    >>> prefix_tree(["co", "comment", "copy"])
    'co(?:mment|py)?'
    """
    if words == [""]:
        return ""
    optional = "" in words
    groups: dict[str, list[str]] = {}
    for word in words:
        if word:
            groups.setdefault(word[0], []).append(word[1:])
    branches = [re.escape(first) + prefix_tree(rest) for first, rest in groups.items()]
    if len(branches) == 1 and not optional:
        return branches[0]
    return "(?:" + "|".join(branches) + ")" + ("?" if optional else "")


@functools.lru_cache(maxsize=4096)
def any_of(words: tuple[str, ...]) -> re.Pattern[str] | None:
    """One compiled search for any of ``words`` (None for no words), cached.

    >>> any_of(("copy", "comment", "co")).search("a comment").group()
    'comment'
    """
    return re.compile(prefix_tree(sorted(set(words)))) if words else None


Span = tuple[int, int]


@functools.lru_cache(maxsize=64)
def utf8_search(words: tuple[str, ...]) -> Callable[[bytes, int, int], Span | None] | None:
    """A search for any of ``words`` in UTF-8 bytes, by RE2 (an automaton: its speed does not
    depend on the number of words, where the stdlib engine slows with each first letter):
    ``search(data, start, end)`` gives the byte span of the leftmost match in
    ``data[start:end]``, or None. None without google-re2.

    >>> search, data = utf8_search(("Ann", "Ábel")), "x Ábel Ann".encode()
    >>> search(data, 0, len(data)), search(data, 7, len(data)), search(data, 0, 4)
    ((2, 7), (8, 11), None)
    """
    if _re2 is None or not words:
        return None
    options = _re2.Options()
    options.max_mem = 8 << 20
    match = _re2.compile("|".join(_re2.escape(w) for w in words), options)._regexp.Match
    unanchored = _re2._Anchor.UNANCHORED

    def search(data: bytes, start: int, end: int) -> Span | None:
        span = match(unanchored, data, start, end)[0]
        return None if span[0] < 0 else span

    return search


def chars_between(data: bytes, start: int, end: int) -> int:
    """How many characters the UTF-8 bytes ``data[start:end]`` hold (both on character starts).
    One C-level decode: several times faster than RE2's own count.

    >>> chars_between("aéb".encode(), 0, 3)
    2
    """
    return len(data[start:end].decode("utf-8"))
