"""Long documents take the same path per byte as short ones, and get the same result.

unicode-hygiene repairs a long text block by block (so one defect does not send 50 MB through
the slow path); repair-possessives gathers its evidence with one scan of the text whatever the
number of candidate names. Both must give exactly what the plain definition gives.
"""

from __future__ import annotations

import re

import pytest
import regex
from hypothesis import example, given, settings
from hypothesis import strategies as st

import cleantext
from cleantext import pipeline
from cleantext.filter import line_pieces
from cleantext.filters import encoding, possessives
from cleantext.filters.encoding import FixMojibake, UnicodeHygiene
from cleantext.filters.possessives import _CANDIDATE, RepairPossessives, _candidates, _evidence
from cleantext.registry import DEFAULT_ORDER, make_filter
from cleantext.testing.strategies import dirty_documents

# Characters that hygiene acts on, around line breaks: combining marks (NFC), controls,
# invisibles, vertical space, surrogate halves.
_PIECES = st.sampled_from(
    ["\n", "e", "\u0301", "\u0327", "A", "\x00", "\u200b", "\x0b", "\ud83d", "\ude00", "é", " "]
)


@given(st.lists(_PIECES, max_size=60).map("".join), st.integers(1, 8))
def test_hygiene_in_blocks_equals_hygiene_in_one_piece(text: str, block: int) -> None:
    whole = UnicodeHygiene()._repair(text, None)
    original = encoding.BLOCK_CHARS
    encoding.BLOCK_CHARS = block
    try:
        assert UnicodeHygiene().apply(text) == whole
    finally:
        encoding.BLOCK_CHARS = original


def test_hygiene_blocks_really_split_long_text() -> None:
    blocks = list(line_pieces("ab\ncd\nef", 1))
    assert blocks == ["ab\n", "cd\n", "ef"]
    assert list(line_pieces("x" * 10, 3)) == ["x" * 10]  # no line break: one block


_TOKEN = regex.compile(r"[\p{L}\p{N}]+")


def _plain_evidence(text: str, names: list[str]) -> tuple[set[str], set[str]]:
    # The definition, token by token: a token equal to a name is its singular; a token equal
    # to a name plus "s", not itself a name and not followed by an apostrophe, its plural.
    singular, plural = set(), set()
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token in names:
            singular.add(token)
        elif token.endswith("s") and token[:-1] in names:
            if text[match.end() : match.end() + 1] not in ("’", "'"):
                plural.add(token[:-1])
    return singular, plural


_WORDS = st.sampled_from(
    ["Blinken", "Blinkens", "Blinkenss", "Smith", "Smiths", "Ábel", "Ábels", "the", "x2", "_"]
)
_GLUE = st.sampled_from([" ", "’ ", "' ", "’s ", ". ", "-", "", "\n"])


@pytest.mark.parametrize("few", [0, 4], ids=["names-at-once", "name-by-name"])
@given(parts=st.lists(st.tuples(_WORDS, _GLUE), max_size=30))
def test_possessive_evidence_matches_its_definition(few: int, parts) -> None:
    text = "".join(w + g for w, g in parts)
    names = ["Blinken", "Blinkens", "Smith", "Ábel"]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(possessives, "FEW_NAMES", few)
        assert _evidence(text, names) == _plain_evidence(text, names)


@given(
    parts=st.lists(st.tuples(_WORDS, _GLUE), max_size=30),
    stretch=st.integers(1, 16),
    long_path=st.booleans(),
)
def test_repairable_names_match_their_definition(parts, stretch: int, long_path: bool) -> None:
    # On a long text the evidence is gathered by RE2 in stretches of bytes that double from
    # FIRST_STRETCH: short ones here, so that names, tokens and UTF-8 characters straddle them.
    text = "".join(w + g for w, g in parts)
    names = ["Blinken", "Blinkens", "Smith", "Ábel"]
    singular, plural = _plain_evidence(text, names)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(possessives, "LONG_TEXT", 0 if long_path else 1 << 40)
        patch.setattr(possessives, "FIRST_STRETCH", stretch)
        assert possessives._repairable(text, names) == singular - plural


def test_the_long_path_reads_utf8_and_falls_back_without_re2(monkeypatch) -> None:
    text = "Ábel said. Ábels’ view. Smiths’ home; the Smiths." * 3
    monkeypatch.setattr(possessives, "FIRST_STRETCH", 8)
    assert possessives._repairable_long(text, ["Ábel", "Smith"]) == {"Ábel"}
    assert possessives._repairable_long(text + "\ud800", ["Ábel"]) is None  # lone surrogate
    monkeypatch.setattr(possessives.literals, "_re2", None)
    possessives.literals.utf8_search.cache_clear()
    try:
        assert possessives._repairable_long(text, ["Ábel"]) is None
    finally:
        possessives.literals.utf8_search.cache_clear()
    monkeypatch.setattr(possessives, "LONG_TEXT", 0)
    assert possessives._repairable(text, ["Ábel", "Smith"]) == {"Ábel"}  # the stdlib search


def test_possessives_on_a_document_with_hundreds_of_names() -> None:
    names = [f"Name{chr(97 + i % 26)}{chr(97 + i // 26 % 26)}ov" for i in range(400)]
    body = " ".join(f"{n} spoke. {n}s’ remarks followed." for n in names)
    fixed = RepairPossessives()(body)
    assert fixed.count("’s remarks") == 400


@given(st.lists(st.tuples(_WORDS, _GLUE), max_size=30))
def test_possessive_candidates_are_every_match_of_the_pattern(parts) -> None:
    text = "".join(w + g for w, g in parts)
    expected = [(m.span(), m.groups()) for m in _CANDIDATE.finditer(text)]
    assert [(m.span(), m.groups()) for m in _candidates(text)] == expected


def test_possessive_candidates_need_a_boundary_before_and_after() -> None:
    text = "xBlinkens’ Blinkens’x ’Blinkens’ Blinkens’, Éclairs’ end"
    assert [m.group(1) for m in _candidates(text)] == ["Blinken", "Éclair"]


# Line-local filters: the pipeline runs them piece by piece on a long text (one copy of each
# piece instead of several copies of a 50 MB text), which must not change a single character.
_LINE_PIECES = st.sampled_from(
    ["\n", "\r\n", "\r", "BogotÃ¡", "â€™", "Ã", "\xa0", "e\u0301", "\u200b", "\x0b", "\ud83d",
     "\ude00", "Blinken’s", " .", ".", "Leave a Reply", "x"]
)  # fmt: skip


@pytest.mark.parametrize("name", [n for n in DEFAULT_ORDER if make_filter(n).line_local])
@given(text=st.lists(_LINE_PIECES, max_size=40).map("".join))
@example(text="x\n. .")  # stray-period is not line-local: ". ." after a line break stays
def test_a_line_local_filter_changes_each_line_on_its_own(name: str, text: str) -> None:
    f = make_filter(name)
    lines = re.split("(?<=\n)", text)
    assert f.apply(text) == "".join(f.apply(line) for line in lines)


def test_the_line_local_filters_are_the_encoding_ones() -> None:
    local = {n for n in DEFAULT_ORDER if make_filter(n).line_local}
    assert local == {"fix-mojibake", "unicode-hygiene"}


def test_pieces_are_whole_lines_that_join_back(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "PIECE_CHARS", 3)
    assert list(pipeline._pieces("ab\ncdef\ngh\ni")) == ["ab\ncdef\n", "gh\ni"]
    assert list(pipeline._pieces("abcdef")) == ["abcdef"]
    assert list(pipeline._pieces("")) == []


@settings(max_examples=60, deadline=None)
@given(doc=dirty_documents(max_paragraphs=8), piece=st.integers(1, 200))
def test_a_long_text_cleans_the_same_in_pieces(doc, piece: int) -> None:
    whole = cleantext.clean(doc.dirty)
    calls = []
    fix = FixMojibake()

    class CountingFix(FixMojibake):
        def apply(self, text: str) -> str:
            calls.append(text)
            return fix.apply(text)

    p = cleantext.default_pipeline().replace(CountingFix())
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pipeline, "LONG_TEXT", 0)
        patch.setattr(pipeline, "PIECE_CHARS", piece)
        assert p(doc.dirty) == whole
        pieces = list(pipeline._pieces(doc.dirty))
    # Really in pieces: fix-mojibake saw the text first, in order, one piece at a time.
    assert calls[: len(pieces)] == pieces
