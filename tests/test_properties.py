"""Properties every filter and the default pipeline hold, on any str.

The ``ci`` Hypothesis profile (CI=true) runs 1,000 examples per property.
"""

from __future__ import annotations

import re

import ftfy
import ftfy.bad_codecs  # registers the sloppy-windows-125x codecs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import cleantext
from cleantext.filters.encoding import (
    FTFY_ENCODING_ONLY,
    FixMojibake,
    mojibake_left,
    normalize_newlines,
)

FILTER_NAMES = list(cleantext.default_pipeline().names)
PIPELINE = cleantext.default_pipeline()

# Any code point, lone surrogates included, plus the characters that matter to these filters.
any_char = st.characters(codec=None, categories=None)
tricky = st.sampled_from(
    list("\n\r\t .’'”“\u00a0\u2028\u2029\u200b\ufeff\u202e\x85\x0cÃÂâ€™œžŸÐ¡Ñ\u0301sS")
)
hostile_text = st.text(st.one_of(any_char, tricky), max_size=300)
RESIDUE = [
    "Leave a Reply", "Source: TRT", "See also\u00a0Other story", "Leah Millis | AFP | Getty Images",
    " date 2023-06-19 ", "Associated Press writer Emily Wang contributed.", "Photo: AFP",
]  # fmt: skip
words = st.text("abcdefghijklmnopqrstuvwxyzABCDEFGHIJ", min_size=1, max_size=9)
sentence = st.lists(words, min_size=4, max_size=14).map(lambda ws: " ".join(ws).capitalize() + ".")
paragraph = st.lists(sentence, min_size=1, max_size=4).map(" ".join)
article_like = st.lists(st.one_of(paragraph, st.sampled_from(RESIDUE)), max_size=8).map("\n\n".join)
any_text = st.one_of(hostile_text, article_like)


def _mojibake(text: str, encoding: str) -> str:
    try:
        return text.encode("utf-8").decode(encoding)
    except UnicodeDecodeError:
        return text


mojibaked = st.builds(
    _mojibake,
    st.text(st.one_of(st.characters(codec="utf-8"), tricky), max_size=120),
    st.sampled_from(["sloppy-windows-1252", "latin-1", "sloppy-windows-1251", "macroman", "cp437"]),
)


@pytest.mark.parametrize("name", FILTER_NAMES)
@given(text=any_text)
def test_filter_never_raises_and_is_idempotent(name: str, text: str) -> None:
    f = cleantext.make_filter(name)
    once = f.apply(text)
    assert isinstance(once, str)
    assert f.apply(once) == once


@pytest.mark.parametrize("name", FILTER_NAMES)
@given(text=any_text)
def test_filter_explain_agrees_with_apply(name: str, text: str) -> None:
    f = cleantext.make_filter(name)
    out, edits = f.explain(text)
    assert out == f.apply(text)
    assert (out != text) <= bool(edits)
    for edit in edits:
        assert 0 <= edit.start <= edit.end <= len(text)


@given(text=any_text)
def test_pipeline_is_idempotent_and_explain_matches_clean(text: str) -> None:
    once = cleantext.clean(text)
    assert cleantext.clean(once) == once
    assert cleantext.explain(text).text == once


@given(text=st.one_of(mojibaked, hostile_text))
def test_fix_mojibake_equals_ftfy_on_every_string(text: str) -> None:
    expected = ftfy.fix_text(normalize_newlines(text), FTFY_ENCODING_ONLY)
    assert FixMojibake()(text) == expected
    assert FixMojibake().explain(text)[0] == expected


@given(text=st.lists(paragraph, min_size=1, max_size=6).map("\n\n".join))
def test_text_without_residue_is_unchanged_but_for_whitespace(text: str) -> None:
    whitespace_only = cleantext.make_filter("normalize-whitespace")
    assert cleantext.clean(text) == whitespace_only(text)


@given(text=article_like)
def test_residue_lines_are_removed_and_prose_kept(text: str) -> None:
    out = cleantext.clean(text)
    for block in text.split("\n\n"):
        if block in RESIDUE:
            assert block.strip() not in out.split("\n")
        elif block:
            assert block in out


# Characters from every class in ftfy's badness pattern, plus ASCII neighbours.
_badness_alphabet = st.sampled_from(
    list("ÂÃÎÐØÙŒœ€œŠš¢£Ÿž\xa0\xad®©°·»¡«¿΄΅‘‚“„•‹˝”›™–—´ВГРСβΒΓΞΟā¦¤¨¬¯¸ƒˆˇ˘˛˜†‡‰⌐◊�ªº")
    + list("│┌┐┘├┤┬┼═╬▀▄█▌▐░▒▓²³¹±¼½¾×µ÷⁄∂∆∏∑√∞∩∫≈≠≡≤≥№¶§àáâãäåæçèéêëìíîïðñ")
    + list("aZ .,?!\n\x85\x9d")
)


@given(text=st.text(_badness_alphabet, max_size=12))
def test_precheck_never_skips_text_ftfy_would_judge_bad(text: str) -> None:
    from ftfy.badness import is_bad

    from cleantext.filters.encoding import may_contain_mojibake

    assert may_contain_mojibake(text) or not is_bad(text)


@given(text=st.one_of(mojibaked, hostile_text, any_text))
def test_fix_mojibake_leaves_each_line_of_its_output_as_it_is(text: str) -> None:
    # What the pipeline's last check relies on: after the later filters, only the lines they
    # changed can need fix-mojibake again.
    repaired = FixMojibake()(text)
    for line in re.split("(?<=\n)", repaired):
        assert FixMojibake()(line) == line
    later = PIPELINE.without("fix-mojibake")(repaired)
    assert mojibake_left(later, repaired) == (FixMojibake()(later) != later)


@given(
    source=st.one_of(mojibaked, hostile_text, any_text),
    lines=st.lists(
        st.one_of(st.text(_badness_alphabet, max_size=12), mojibaked, st.just("Núñez ")),
        max_size=6,
    ),
    data=st.data(),
)
def test_mojibake_left_tries_only_the_lines_a_repaired_text_lacks(
    source: str, lines: list[str], data: st.DataObject
) -> None:
    # Any text against any output of fix-mojibake: its lines mixed with new ones, in any order.
    repaired = FixMojibake()(source)
    mixed = data.draw(st.permutations(repaired.split("\n") + lines))
    text = "\n".join(mixed) + data.draw(st.sampled_from(["", "\n"]))
    assert mojibake_left(text, repaired) == (FixMojibake()(text) != text)


@pytest.mark.parametrize(
    ("text", "source"),
    [
        ("Karel ÄŒ\nHe left.", "Karel ÄŒ"),  # bad only with its line break: tried again
        ("He said.\nÃ y", "1Ã y"),  # a line that is only part of a repaired line
        ("Ã y\nHe said.", "1Ã y\n"),
        ("Señor Núñez\nHe left.", "Señor Núñez\n"),  # flagged, and left as it was
    ],
)
def test_mojibake_left_compares_whole_lines_with_their_line_breaks(text: str, source: str):
    repaired = FixMojibake()(source)
    assert repaired == source
    assert mojibake_left(text, repaired) == (FixMojibake()(text) != text)


# --- Many texts at once ------------------------------------------------------------------

from cleantext.filters import StripResidue  # noqa: E402
from cleantext.testing import dirty_documents  # noqa: E402

many_texts = st.lists(
    st.one_of(any_text, mojibaked, dirty_documents(max_paragraphs=4).map(lambda d: d.dirty)),
    max_size=6,
)


@given(texts=many_texts)
def test_classifying_many_texts_gives_each_text_its_own_verdicts(texts: list[str]) -> None:
    strip = StripResidue()
    assert strip.classify_many(texts) == [strip.classify(text) for text in texts]


@given(texts=many_texts)
def test_the_pipeline_on_many_texts_gives_what_it_gives_each_text(texts: list[str]) -> None:
    assert PIPELINE.apply_many(texts) == [PIPELINE(text) for text in texts]
    assert PIPELINE.explain_many(texts) == [PIPELINE.explain(text) for text in texts]


def test_many_texts_with_a_long_one_and_one_needing_a_second_pass(monkeypatch) -> None:
    from cleantext import pipeline as pipeline_module

    # Unicode hygiene removes the zero-width space after fix-mojibake ran, which leaves "Ã©"
    # (mojibake of "é"): a second pass repairs it, on that text alone.
    second_pass = "CafÃ\u200b© au lait"
    assert PIPELINE(second_pass) == "Café au lait"
    monkeypatch.setattr(pipeline_module, "LONG_TEXT", 40)
    long = "He left.\n\nLeave a Reply\n\n" + "Blinken met Xi. " * 4
    texts = [long, second_pass, "Advertisement\nHe left.", long]
    assert PIPELINE.apply_many(texts) == [PIPELINE(text) for text in texts]
    assert PIPELINE.explain_many(texts) == [PIPELINE.explain(text) for text in texts]


def test_a_filter_that_overrides_apply_is_run_text_by_text_on_many() -> None:
    class Shout(cleantext.filter.FilterBase):
        name = "shout"

        def _run(self, text, edits):
            return text

        def apply(self, text):
            return text.upper()

    pipeline = cleantext.Pipeline(Shout())
    assert pipeline.apply_many(["a", "b"]) == ["A", "B"]
