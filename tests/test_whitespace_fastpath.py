"""The whitespace fast path may skip work only where the full pass would change nothing."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from cleantext.filters.whitespace import (
    _already_clean,
    _normalize,
    _normalize_quietly,
    _strip_line_ends,
)

_SPACEY = st.text(
    st.sampled_from(list("ab.“\n\t\r \xa0\u2028\u2029\u3000\u1680\u202f\u2009\u205f\x85\x0b")),
    max_size=40,
)


@given(st.one_of(_SPACEY, st.text(max_size=80)))
def test_fast_path_only_skips_text_the_full_pass_leaves_alone(text: str) -> None:
    if _already_clean(text):
        assert _normalize(text, None, "normalize-whitespace") == text


def test_fast_path_is_taken_on_clean_text_and_not_on_damage() -> None:
    assert _already_clean("Title\n\nBlinken met Xi “on Monday”.\n\nHe left.\n")
    for damaged in ("a \nb", "a\n\n\nb", "a\xa0b “x”", "a\r\nb", "\nx", "x\n\n", "x ", " \nx"):
        assert not _already_clean(damaged), repr(damaged)
        assert _normalize(damaged, None, "normalize-whitespace") != damaged


@given(st.one_of(_SPACEY, st.text(max_size=80)))
def test_the_quiet_full_pass_equals_the_recording_one(text: str) -> None:
    assert _normalize_quietly(text) == _normalize(text, None, "normalize-whitespace")


@given(st.one_of(_SPACEY, st.text(" \t\nab", max_size=40)))
def test_line_ends_are_stripped_as_line_by_line(text: str) -> None:
    lines = text.split("\n")
    expected = "\n".join([line.rstrip(" \t") for line in lines[:-1]] + lines[-1:])
    assert _strip_line_ends(text) == expected
