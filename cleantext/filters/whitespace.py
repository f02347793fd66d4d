"""Whitespace policy: line endings, trailing spaces, blank-line runs, odd spaces, document edges."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

from cleantext.filter import Edit, FilterBase, line_pieces

__all__ = ["NormalizeWhitespace"]

_ODD = (
    "\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
)
_HORIZONTAL = " \t" + _ODD
_BREAKS = "\r\n\u2028\u2029"
_SPACE_OR_BREAK = _HORIZONTAL + _BREAKS
_ODD_SPACE = re.compile(f"[{_ODD}]")
_LINE_BREAK = re.compile("(\r\n|[\n\r\u2028\u2029])")


# A line break after a space or a tab, or three line breaks in a row. Written to start with the
# literal line break, so the stdlib engine skips from one line break to the next at C speed.
_SPACE_OR_BLANKS_AT_BREAK = re.compile(r"\n(?:(?<=[ \t]\n)|\n\n)")


def _has_odd_space(text: str) -> bool:
    # One C-level search per character is several times faster than a character-class scan.
    return not text.isascii() and any(space in text for space in _ODD)


def _already_clean(text: str) -> bool:
    """Cheap checks (C speed) that prove there is nothing to do."""
    if not text:
        return True
    if (
        "\r" in text
        or "\u2028" in text
        or "\u2029" in text
        or text[-1] in _HORIZONTAL
        or text.endswith("\n\n")
        or _SPACE_OR_BLANKS_AT_BREAK.search(text) is not None
    ):
        return False
    head = text.lstrip(_HORIZONTAL)
    if not head or head[0] == "\n":
        return False
    return not _has_odd_space(text)


@dataclass(frozen=True, slots=True)
class NormalizeWhitespace(FilterBase):
    """Normalize whitespace without touching paragraph structure.

    Line breaks become ``\\n``; trailing spaces go; a run of blank lines becomes one blank line;
    non-breaking and other odd spaces become plain spaces; blank lines at the start and end are
    dropped, and a text that ended with a line break keeps exactly one. Indentation stays.

    >>> NormalizeWhitespace()("\\n\\nTitle  \\r\\n\\r\\n\\r\\nBody\\u00a0text\\n\\n")
    'Title\\n\\nBody text\\n'
    """

    name: ClassVar[str] = "normalize-whitespace"

    def _run(self, text: str, edits: list[Edit] | None) -> str:
        if _already_clean(text):
            return text
        if edits is None:
            return _normalize_quietly(text)
        return _normalize(text, edits, self.name)


_BLANK_RUN = re.compile(r"\n\n\n+")


def _normalize_quietly(text: str) -> str:
    """What :func:`_normalize` returns, by whole-text replacements (C speed) instead of a
    search for each gap that changes, for callers that want no record of the edits. A long
    text goes in pieces (:func:`_normalize_in_pieces`)."""
    if len(text) > LONG_TEXT:
        return _normalize_in_pieces(line_pieces(text, PIECE_CHARS, _BREAK_BEFORE_TEXT))
    return _normalize_edges(_normalize_runs(text))


def _normalize_runs(text: str) -> str:
    """The changes of :func:`_normalize_quietly` that each stay inside one run of spaces and
    line breaks, and leave a run of just one or two ``\\n`` as it is: all but those at the
    edges of the text."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\u2028" in text or "\u2029" in text:
        text = text.replace("\u2028", "\n").replace("\u2029", "\n")
    if not text.isascii():
        for space in _ODD:
            if space in text:
                text = text.replace(space, " ")
    # Odd spaces are plain now, so the horizontal space at line ends is spaces and tabs; a
    # line of nothing else becomes empty, and a run of empty lines one blank line.
    text = _strip_line_ends(text)
    if "\n\n\n" in text:
        text = _BLANK_RUN.sub("\n\n", text)
    return text


def _normalize_edges(text: str) -> str:
    """The rest of :func:`_normalize_quietly` after :func:`_normalize_runs`: no blank lines
    at either end, and one line break at the end if the text ended with one."""
    if text.endswith((" ", "\t")):
        text = text.rstrip(" \t")
    ends_with_break = text.endswith("\n")
    if ends_with_break and not text.endswith("\n\n") and not text.startswith("\n"):
        return text  # what the lines below make of it, without two copies of a long text
    text = text.strip("\n")
    if not text:
        return ""
    return text + "\n" if ends_with_break else text


#: A text over this many characters goes through :func:`_normalize_quietly` in pieces of about
#: ``PIECE_CHARS`` (the same values as :mod:`cleantext.pipeline`'s): each whole-text copy of a
#: long text is fresh memory, and on a 50 MB text its page faults cost more than the work
#: (this filter: 5.1 against 7.7-8.2 ms/MB).
LONG_TEXT = 1 << 20
PIECE_CHARS = 1 << 16

# A "\n" followed by a character that is neither a space nor a line break: a cut just after
# it ends every run of spaces and line breaks before it. Starting with the literal "\n" lets
# the stdlib engine skip from line break to line break.
_BREAK_BEFORE_TEXT = re.compile(f"\n(?=[^{re.escape(_SPACE_OR_BREAK)}])")


def _normalize_in_pieces(pieces: Iterable[str]) -> str:
    """:func:`_normalize_quietly` of ``"".join(pieces)``, each piece but the last ending in a
    ``\\n`` that the next piece follows with a character that is neither a space nor a line
    break (a cut just after :data:`_BREAK_BEFORE_TEXT`; see :func:`~cleantext.filter.line_pieces`).
    Every run of spaces and line breaks then lies inside one piece, and normalizes there as it
    does in the whole text, which follows it with that same kind of character. So the runs of
    each piece are normalized on their own, then the edges: the blank lines at the start (the
    first piece may hold nothing else) and the end of the text, which lies in the last piece
    (it begins with a character that no change touches, unless it is the only piece).

    >>> _normalize_in_pieces(["\\n \\nab \\n\\n", "cd\\n\\n\\n\\nef\\n", "gh\\xa0\\n\\n"])
    'ab\\n\\ncd\\n\\nef\\ngh\\n'
    """
    out = [_normalize_runs(piece) for piece in pieces]
    if not out:
        return ""
    out[0] = out[0].lstrip("\n")
    out[-1] = _normalize_edges(out[-1])
    return "".join(out)


_TRAILING_AT_BREAK = re.compile(r"\n(?<=[ \t]\n)")


def _strip_line_ends(text: str) -> str:
    """``"\\n".join(line.rstrip(" \\t") for line in text.split("\\n"))`` but the last line,
    touching only the lines that end in a space or a tab.

    >>> _strip_line_ends("a \\nb\\n\\t \\nc ")
    'a\\nb\\n\\nc '
    """
    out = []
    last = 0
    for match in _TRAILING_AT_BREAK.finditer(text):
        end = match.start()
        start = max(last, text.rfind("\n", last, end) + 1)
        out.append(text[last:start])
        out.append(text[start:end].rstrip(" \t"))
        last = end
    if not out:
        return text
    out.append(text[last:])
    return "".join(out)


_BREAK = "[" + _BREAKS + "]"
# Where a gap between two lines of text may change: a line break after horizontal space, or
# one followed by a blank line that holds space or by a second blank line; in a text that
# holds other line breaks than "\n", each of those too. A plain paragraph break ("\n\n"
# between two lines) is not a hit. The first pattern starts with a literal "\n", which the
# stdlib engine finds at C speed (5x faster than starting with a class of line breaks).
_AFTER_NEWLINE = (
    rf"(?:(?<=[{_HORIZONTAL}]\n)|[{_HORIZONTAL}]+{_BREAK}|{_BREAK}[{_HORIZONTAL}]*{_BREAK})"
)
_CHANGED_GAP = re.compile(rf"\n{_AFTER_NEWLINE}")
_CHANGED_GAP_ANY_BREAK = re.compile(rf"\r|\u2028|\u2029|\n{_AFTER_NEWLINE}")
_SPACE_RUN = re.compile(f"[{_SPACE_OR_BREAK}]*")


def _gap_end(text: str, start: int) -> int:
    """The end of the gap that begins at ``start``: just after the last line break of the run
    of spaces and line breaks there (the spaces after it indent the next line); ``start`` when
    the run holds no line break."""
    run_end = _SPACE_RUN.match(text, start).end()  # type: ignore[union-attr]
    return max(text.rfind(c, start, run_end) for c in _BREAKS) + 1 or start


def _normalize(text: str, edits: list[Edit], name: str) -> str:
    """The normalized text, recording an :class:`Edit` per change: the gaps between lines
    (trailing space, extra blank lines, other line breaks), the blank lines at either end, and
    each odd space inside a line. Only the gaps that change are visited: a text with a few
    changes costs a few searches, not a loop over its lines."""
    end = len(text.rstrip(_SPACE_OR_BREAK))  # the end of the last line of text
    if not end:
        edits.append(Edit(name, "blank-text", "whitespace", 0, len(text), text, ""))
        return ""
    changes: list[tuple[int, int, str, str]] = []  # start, end, replacement, rule
    lead = _gap_end(text, 0)
    if lead:
        changes.append((0, lead, "", "leading-blank-lines"))
    pos = lead
    other_breaks = "\r" in text or "\u2028" in text or "\u2029" in text
    changed_gap = _CHANGED_GAP_ANY_BREAK if other_breaks else _CHANGED_GAP
    while (hit := changed_gap.search(text, pos, end)) is not None:
        # The gap runs from the end of a line of text (its trailing space included) to the
        # start of the next one; the hit may be any of its line breaks.
        start = hit.start()
        while start > pos and text[start - 1] in _SPACE_OR_BREAK:
            start -= 1
        pos = _gap_end(text, hit.start())
        gap = text[start:pos]
        new = "\n" if len(_LINE_BREAK.findall(gap)) == 1 else "\n\n"
        if gap != new:
            changes.append((start, pos, new, "line-end"))
    if end < len(text):
        tail = text[end:]
        new = "\n" if any(c in tail for c in _BREAKS) else ""
        if tail != new:
            changes.append((end, len(text), new, "trailing-blank-lines"))
    if _has_odd_space(text):
        # Odd spaces inside a changed gap went with it; the others become plain spaces.
        spans = [(s, e) for s, e, _, _ in changes]
        k = 0
        odd = []
        for m in _ODD_SPACE.finditer(text, 0, end):
            at = m.start()
            while k < len(spans) and spans[k][1] <= at:
                k += 1
            if k == len(spans) or at < spans[k][0]:
                odd.append((at, at + 1, " ", "odd-space"))
        changes = sorted(changes + odd)
    out: list[str] = []
    last = 0
    for start, stop, new, rule in changes:
        out.append(text[last:start])
        out.append(new)
        edits.append(Edit(name, rule, "whitespace", start, stop, text[start:stop], new))
        last = stop
    out.append(text[last:])
    return "".join(out)
