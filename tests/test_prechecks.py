"""Every cheap precheck that lets a filter skip a text is a superset of what it guards: when
the precheck finds nothing, the full scan would have found nothing either."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from cleantext.filters.punctuation import (
    _CANDIDATE,
    _candidate_dots,
)

# Around a period: letters of every case and script, marks, digits, quotes, dashes, spaces.
_AROUND_PERIOD = st.text(
    st.one_of(
        st.sampled_from(".. ”’“»«—–…\xa0"),
        st.characters(categories=("Ll", "Lu", "Lt", "Lm", "Lo", "Mn", "Nd", "No", "Po", "Zs")),
    ),
    max_size=12,
)


@given(_AROUND_PERIOD)
@example("Ukraine.and")
@example("a.b.c")  # candidates back to back
@example("µ.ª")
@example("word.ǅ")  # a title-case letter
@example("word.ª")  # a letter in Latin-1
@example(".a")  # nothing before the period
def test_sentence_spacing_finds_the_period_of_every_candidate(text: str) -> None:
    assert _candidate_dots(text) == [m.start() + 1 for m in _CANDIDATE.finditer(text)]


def test_sentence_spacing_skips_ordinary_prose_without_a_candidate() -> None:
    prose = "He said so. “It ended,” she said.” Then—at 3.5—they left… "
    assert _candidate_dots(prose * 3 + "The U.S. and the U.K. met.") == []
    assert _candidate_dots("its war against Ukraine.and US allegations") == [23]


def test_every_character_hygiene_acts_on_fails_the_printable_precheck() -> None:
    from cleantext.filters.encoding import _NEEDS_HYGIENE, _may_need_hygiene

    acted_on = [chr(c) for c in range(0x110000) if _NEEDS_HYGIENE.match(chr(c))]
    assert len(acted_on) > 2048  # the surrogates and more
    for char in acted_on:
        assert not char.isprintable(), repr(char)
        assert _may_need_hygiene(f"line\n\t{char}\xa0end")
    assert not _may_need_hygiene("Blinken’s “visit”\n\tin Bogotá\xa0— fine\n")


@given(st.text(st.sampled_from(list(" \t\xa0.!?…”’\"')a1\n")), max_size=20))
def test_the_stray_period_precheck_finds_every_spaced_period(text: str) -> None:
    from cleantext.filters.punctuation import _SPACED_PERIOD, _STRAY_PERIOD

    spaced = any(f"{space}." in text for space in " \t\xa0")
    assert (_SPACED_PERIOD.search(text) is not None) == spaced
    if not spaced:
        assert _STRAY_PERIOD.search(text) is None


@given(st.text(st.sampled_from(list(" \t\xa0.!?…”’\"')]»\\a1\n\u2028")), max_size=40))
@example("He left. .\n. .")  # a line break before the end mark: the look-behind sees it
@example("x” .\n» .")
@example("He left.’”) \t\xa0. .")  # the match starts before a run of closers and spaces
@example("He said “no” . Then .) .")  # a quote, then an end mark in the same run
@example("He left.\\ .")  # a backslash closes nothing
def test_stray_period_is_tried_only_before_spaced_periods_and_finds_every_match(
    text: str,
) -> None:
    from cleantext.filters.punctuation import _STRAY_PERIOD, _stray_matches

    expected = [(m.span(), m.groups()) for m in _STRAY_PERIOD.finditer(text)]
    assert [(m.span(), m.groups()) for m in _stray_matches(text)] == expected
