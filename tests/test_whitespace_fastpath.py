"""The whitespace fast paths: the prechecks skip work only where the full pass would change
nothing, the quiet pass equals the recording one, and the recording pass, which visits only the
gaps that change, records what a plain walk over every line and every gap would."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from cleantext.filter import Edit, line_pieces
from cleantext.filters import whitespace
from cleantext.filters.whitespace import (
    _already_clean,
    _normalize,
    _normalize_quietly,
    _strip_line_ends,
)

NAME = "normalize-whitespace"

_SPACEY = st.text(
    st.sampled_from(list("ab.“\n\t\r \xa0\u2028\u2029\u3000\u1680\u202f\u2009\u205f\x85\x0b")),
    max_size=40,
)


@given(st.one_of(_SPACEY, st.text(max_size=80)))
def test_fast_path_only_skips_text_the_full_pass_leaves_alone(text: str) -> None:
    if _already_clean(text):
        assert _normalize(text, [], NAME) == text


def test_fast_path_is_taken_on_clean_text_and_not_on_damage() -> None:
    assert _already_clean("Title\n\nBlinken met Xi “on Monday”.\n\nHe left.\n")
    for damaged in ("a \nb", "a\n\n\nb", "a\xa0b “x”", "a\r\nb", "\nx", "x\n\n", "x ", " \nx"):
        assert not _already_clean(damaged), repr(damaged)
        assert _normalize(damaged, [], NAME) != damaged


@given(st.one_of(_SPACEY, st.text(max_size=80)))
def test_the_quiet_full_pass_equals_the_recording_one(text: str) -> None:
    assert _normalize_quietly(text) == _normalize(text, [], NAME)


# Texts of words and the runs of spaces and line breaks between them, so that a text cut into
# tiny pieces has many cuts, next to every kind of run.
_WORD = st.sampled_from(["a", "b.", "é", "\x0b", "\x85", "\x1c", "\ud800"])
_RUN = st.sampled_from(
    ["\n", "\n\n", "\n\n\n", "\r\n", "\r", " \n", "\n \n", "\xa0\n", "\t", " ", "  ",
     "\u2028", "\u2029", "\u3000", "\n\u3000", "\xa0", "\n\t\n\n", "\r\n\r\n\r\n"]
)  # fmt: skip
_WORDS_AND_RUNS = st.lists(st.tuples(_RUN, _WORD, _RUN), max_size=12).map(
    lambda parts: "".join(run + word + after for run, word, after in parts)
)


@given(st.one_of(_WORDS_AND_RUNS, _SPACEY, st.text(max_size=80)), st.integers(0, 12))
@example("a\n\nb \n\n\nc\nd", 1)  # cuts after "a\n\n", "b \n\n\n" and "c\n"
@example("\n\n a\nb\n\n", 1)  # blank lines at both edges, in the first and last pieces
@example("\n\n\n \na\n", 1)  # a first piece of nothing but blank lines
def test_a_long_text_is_normalized_in_pieces_as_in_one(text: str, size: int) -> None:
    # A long text is cut into pieces just before a character that is neither a space nor a
    # line break (whitespace._BREAK_BEFORE_TEXT): tiny pieces here, so that cuts fall next to
    # every kind of run, edge and odd space.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(whitespace, "LONG_TEXT", -1)
        patch.setattr(whitespace, "PIECE_CHARS", size)
        assert _normalize_quietly(text) == _normalize(text, [], NAME)


def test_a_long_text_is_cut_only_where_a_line_of_text_follows() -> None:
    def pieces(text: str, size: int) -> list[str]:
        return list(line_pieces(text, size, whitespace._BREAK_BEFORE_TEXT))

    text = "ab\n\ncd \n\n\nef\ngh\n \nij\r\nkl\n\u2028mn"
    assert pieces(text, 1) == ["ab\n\n", "cd \n\n\n", "ef\n", "gh\n \n", "ij\r\n", "kl\n\u2028mn"]
    assert pieces("x" * 10, 3) == ["x" * 10]  # no line break: one piece
    assert pieces("", 3) == []


def test_pieces_end_after_their_start_whatever_the_size() -> None:
    assert list(line_pieces("a\nb\nc", -5)) == ["a\n", "b\n", "c"]
    assert list(line_pieces("a\nb\nc", -5, whitespace._BREAK_BEFORE_TEXT)) == ["a\n", "b\n", "c"]
    with pytest.raises(ValueError, match="matched nothing"):
        list(line_pieces("a\nb", 0, re.compile("x*")))


@given(st.one_of(_SPACEY, st.text(" \t\nab", max_size=40)))
def test_line_ends_are_stripped_as_line_by_line(text: str) -> None:
    lines = text.split("\n")
    expected = "\n".join([line.rstrip(" \t") for line in lines[:-1]] + lines[-1:])
    assert _strip_line_ends(text) == expected


_ODD = (
    "\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
)
_H = " \t" + _ODD


def _every_line(text: str) -> tuple[str, list[Edit]]:
    """The policy written as plainly as possible: split into lines and line breaks, then walk
    every line of text and every gap between two of them (the oracle of the tests below)."""
    parts = re.split("(\r\n|[\n\r\u2028\u2029])", text)
    starts = [0]
    for part in parts:
        starts.append(starts[-1] + len(part))
    lines = [k for k in range(0, len(parts), 2) if parts[k].strip(_H)]
    if not lines:
        return "", [Edit(NAME, "blank-text", "whitespace", 0, len(text), text, "")]
    edits: list[Edit] = []
    out: list[str] = []

    def put(start: int, end: int, new: str, rule: str) -> None:
        out.append(new)
        if text[start:end] != new:
            edits.append(Edit(NAME, rule, "whitespace", start, end, text[start:end], new))

    put(0, starts[lines[0]], "", "leading-blank-lines")
    for n, k in enumerate(lines):
        line = parts[k].rstrip(_H)
        for i, c in enumerate(line):
            if c in _ODD:
                put(starts[k] + i, starts[k] + i + 1, " ", "odd-space")
            else:
                out.append(c)
        end = starts[k] + len(line)
        if n + 1 < len(lines):
            put(end, starts[lines[n + 1]], "\n" if lines[n + 1] == k + 2 else "\n\n", "line-end")
        else:
            put(end, len(text), "\n" if k + 1 < len(parts) else "", "trailing-blank-lines")
    return "".join(out), edits


@given(st.one_of(_SPACEY, st.text(max_size=80)))
@example("x\n\ry")  # the first break of the gap is not where the search stops
@example("x\n\u2028\u3000\ny\u3000 ")
def test_the_recording_pass_finds_every_change_a_walk_over_all_lines_finds(text: str) -> None:
    edits: list[Edit] = []
    out = _normalize(text, edits, NAME)
    assert (out, edits) == _every_line(text)


def test_the_recording_pass_on_a_text_with_a_change_of_every_kind() -> None:
    text = "\n \nTitle \r\n\n\n  Body\xa0text\u2028x\n \nEnd\t\n\n"
    edits: list[Edit] = []
    out = _normalize(text, edits, NAME)
    assert out == "Title\n\n  Body text\nx\n\nEnd\n"
    assert [(e.rule, e.before, e.after) for e in edits] == [
        ("leading-blank-lines", "\n \n", ""),
        ("line-end", " \r\n\n\n", "\n\n"),
        ("odd-space", "\xa0", " "),
        ("line-end", "\u2028", "\n"),
        ("line-end", "\n \n", "\n\n"),
        ("trailing-blank-lines", "\t\n\n", "\n"),
    ]
    assert (out, edits) == _every_line(text)
