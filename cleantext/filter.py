"""The filter protocol and the record of what a filter changed.

A filter turns a ``str`` into a ``str``. Every filter also *explains* itself: it can return the
list of :class:`Edit` records that say which rule changed what, where and why. Both paths run the
same code (:meth:`FilterBase._run` with or without a list to record into), so they cannot drift
apart, and recording costs nothing when nobody asks for it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import regex

__all__ = ["Edit", "Filter", "FilterBase", "substitute"]


@dataclass(frozen=True, slots=True)
class Edit:
    """One change made by one filter.

    ``start`` and ``end`` index the text *as that filter received it* (the output of the filter
    before it in the pipeline); ``before`` is ``text[start:end]`` and ``after`` is what replaced
    it (``""`` for a removal). ``metadata`` holds what a removed line told about the document
    (``("date", "2023-06-19")``, ``("source", "TRT")``, ...).
    """

    filter: str
    rule: str
    category: str
    start: int
    end: int
    before: str
    after: str
    metadata: tuple[tuple[str, str], ...] = ()

    @property
    def is_removal(self) -> bool:
        """True when the edit deleted text without putting anything in its place."""
        return self.after == "" and self.before != ""


@runtime_checkable
class Filter(Protocol):
    """What the pipeline needs from a filter: a stable name, ``apply`` and ``explain``."""

    @property
    def name(self) -> str: ...

    def apply(self, text: str) -> str: ...

    def explain(self, text: str) -> tuple[str, list[Edit]]: ...


class FilterBase:
    """Shared plumbing: subclasses implement ``_run(text, edits)`` and get the rest.

    ``edits`` is ``None`` on the fast path; when it is a list, ``_run`` appends an :class:`Edit`
    for every change it makes.
    """

    name: str = "filter"
    #: True when the filter changes each line (with its line break) on its own: its output on
    #: a text is the concatenation of its outputs on the text's lines. The pipeline then runs
    #: it piece by piece on a long text (see :data:`cleantext.pipeline.LONG_TEXT`).
    line_local: bool = False

    def _run(self, text: str, edits: list[Edit] | None) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def prepare(self) -> None:
        """Build now what the filter would build on its first text (compiled patterns);
        nothing for most filters. Output is unchanged."""

    def apply(self, text: str) -> str:
        """Return the cleaned text."""
        return self._run(text, None)

    def explain(self, text: str) -> tuple[str, list[Edit]]:
        """Return the cleaned text and the edits that produced it, in text order."""
        edits: list[Edit] = []
        out = self._run(text, edits)
        return out, edits

    def __call__(self, text: str) -> str:
        return self._run(text, None)

    def _run_many(self, texts: Sequence[str], edits: Sequence[list[Edit]] | None) -> list[str]:
        """``_run`` of each text (``edits``: one list per text, or None); a filter that gains
        from seeing many texts at once overrides it, with the same results."""
        return list(map(self._run, texts, [None] * len(texts) if edits is None else edits))


def substitute(
    pattern: re.Pattern[str] | regex.Pattern[str],
    replacement: str | Callable[[Any], str],
    text: str,
    edits: list[Edit] | None,
    *,
    filter_name: str,
    rule: str,
    category: str,
    matches: Iterable[Any] | None = None,
) -> str:
    """``pattern.sub(replacement, text)``, recording one :class:`Edit` per changed match.

    ``matches``, when given, are the matches to replace (in order, not overlapping), found by a
    caller that knows where to look; ``pattern`` is then not searched.

    >>> import regex
    >>> edits = []
    >>> substitute(regex.compile(r" +$"), "", "a  ", edits, filter_name="f", rule="r", category="c")
    'a'
    >>> edits[0].start, edits[0].before
    (1, '  ')
    """
    if edits is None and matches is None:
        return pattern.sub(replacement, text)
    out: list[str] = []
    last = 0
    for match in pattern.finditer(text) if matches is None else matches:
        new = replacement(match) if callable(replacement) else match.expand(replacement)
        if new == match.group():
            continue
        out.append(text[last : match.start()])
        out.append(new)
        if edits is not None:
            edits.append(
                Edit(filter_name, rule, category, match.start(), match.end(), match.group(), new)
            )
        last = match.end()
    if last == 0 and not out:
        return text
    out.append(text[last:])
    return "".join(out)


def line_pieces(text: str, size: int, breaks: re.Pattern[str] | None = None) -> Iterator[str]:
    """``text`` cut into pieces of whole lines, each of at least ``size`` characters and
    ending in a line break, but the last. ``breaks``: cut only just after a match of this
    pattern (of one or more characters, ending in a line break), the first one that begins
    ``size`` characters or more into the piece.

    >>> list(line_pieces("ab\\ncd\\nef", 1)), list(line_pieces("x" * 10, 3))
    (['ab\\n', 'cd\\n', 'ef'], ['xxxxxxxxxx'])
    >>> list(line_pieces("ab\\n\\ncd\\nef", 1, re.compile("\\n\\n")))
    ['ab\\n\\n', 'cd\\nef']
    """
    size = max(size, 0)  # each piece then ends after its start
    start, n = 0, len(text)
    while start < n:
        if breaks is None:
            cut = text.find("\n", start + size)
            end = n if cut < 0 else cut + 1
        else:
            found = breaks.search(text, start + size)
            end = n if found is None else found.end()
            if end <= start:
                raise ValueError(f"the pattern of breaks matched nothing: {breaks.pattern!r}")
        yield text[start:end]
        start = end
