"""Whitespace policy: line endings, trailing spaces, blank-line runs, odd spaces, document edges."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

from cleantext.filter import Edit, FilterBase

__all__ = ["NormalizeWhitespace"]

_ODD = (
    "\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
)
_HORIZONTAL = " \t" + _ODD
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
    """What :func:`_normalize` returns, by whole-text replacements (C speed) instead of a loop
    over lines, for callers that want no record of the edits."""
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
    if text.endswith((" ", "\t")):
        text = text.rstrip(" \t")
    if "\n\n\n" in text:
        text = _BLANK_RUN.sub("\n\n", text)
    ends_with_break = text.endswith("\n")
    if ends_with_break and not text.endswith("\n\n") and not text.startswith("\n"):
        return text  # what the lines below make of it, without two copies of a long text
    text = text.strip("\n")
    if not text:
        return ""
    return text + "\n" if ends_with_break else text


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


def _normalize(text: str, edits: list[Edit] | None, name: str) -> str:
    """The full pass: one split on line breaks, then each line and each gap between lines."""
    parts = _LINE_BREAK.split(text)  # line, break, line, break, ..., line
    offsets = [0] * len(parts)
    for k in range(1, len(parts)):
        offsets[k] = offsets[k - 1] + len(parts[k - 1])
    content = [k for k in range(0, len(parts), 2) if parts[k].strip(_HORIZONTAL)]
    if not content:
        if edits is not None:
            edits.append(Edit(name, "blank-text", "whitespace", 0, len(text), text, ""))
        return ""
    out: list[str] = []
    has_odd = _has_odd_space(text)

    def gap(start: int, end: int, new: str, rule: str) -> None:
        out.append(new)
        if edits is not None and text[start:end] != new:
            edits.append(Edit(name, rule, "whitespace", start, end, text[start:end], new))

    first = content[0]
    gap(0, offsets[first], "", "leading-blank-lines")
    for n, k in enumerate(content):
        line = parts[k].rstrip(_HORIZONTAL)
        if has_odd and _ODD_SPACE.search(line):
            if edits is not None:
                for m in _ODD_SPACE.finditer(line):
                    start = offsets[k] + m.start()
                    edits.append(
                        Edit(
                            name,
                            "odd-space",
                            "whitespace",
                            start,
                            start + 1,
                            m.group(),
                            " ",
                        )
                    )
            line = _ODD_SPACE.sub(" ", line)
        out.append(line)
        end_of_line = offsets[k] + len(line)
        if n + 1 < len(content):
            following = content[n + 1]
            gap(
                end_of_line,
                offsets[following],
                "\n" if following == k + 2 else "\n\n",
                "line-end",
            )
        else:
            ends_with_break = k + 1 < len(parts)
            gap(end_of_line, len(text), "\n" if ends_with_break else "", "trailing-blank-lines")
    return "".join(out)
