"""Searches for any of many literal strings, in the standard library's engine.

The stdlib ``re`` engine tries an alternation's branches one by one at every position; written
as a prefix tree ("co(?:mment|py)"), each position tries each first character once. Used for
the residue catalog's ``contains`` hints and for the candidate names of possessive repair.
"""

from __future__ import annotations

import functools
import re

__all__ = ["any_of", "prefix_tree"]


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
