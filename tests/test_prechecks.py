"""Every cheap precheck that lets a filter skip a text is a superset of what it guards: when
the precheck finds nothing, the full scan would have found nothing either."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from cleantext.filters.punctuation import _CANDIDATE, SentenceSpacing, _may_have_candidates

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
@example("word.ǅ")  # a title-case letter
@example("word.ª")  # a letter in Latin-1
@example("µ.a")  # a lower-case letter in Latin-1 before the period
@example(".a")  # nothing before the period
def test_the_sentence_spacing_precheck_never_misses_a_candidate(text: str) -> None:
    if not _may_have_candidates(text):
        assert _CANDIDATE.search(text) is None
        assert SentenceSpacing()(text) == text


def test_the_sentence_spacing_precheck_skips_ordinary_prose() -> None:
    prose = "He said so. “It ended,” she said.” Then—at 3.5—they left… "
    assert not _may_have_candidates(prose * 3 + "The U.S. and the U.K. met.")
    assert _may_have_candidates("its war against Ukraine.and US allegations")
