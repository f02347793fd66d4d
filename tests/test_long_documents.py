"""Long documents take the same path per byte as short ones, and get the same result.

unicode-hygiene repairs a long text block by block (so one defect does not send 50 MB through
the slow path); repair-possessives gathers its evidence with one scan of the text whatever the
number of candidate names. Both must give exactly what the plain definition gives.
"""

from __future__ import annotations

import regex
from hypothesis import given
from hypothesis import strategies as st

from cleantext.filters import encoding
from cleantext.filters.encoding import UnicodeHygiene
from cleantext.filters.possessives import _CANDIDATE, RepairPossessives, _candidates, _evidence

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
    blocks = encoding._blocks("ab\ncd\nef", 1)
    assert blocks == ["ab\n", "cd\n", "ef"]
    assert encoding._blocks("x" * 10, 3) == ["x" * 10]  # no line break: one block


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


@given(st.lists(st.tuples(_WORDS, _GLUE), max_size=30))
def test_possessive_evidence_matches_its_definition(parts) -> None:
    text = "".join(w + g for w, g in parts)
    names = ["Blinken", "Blinkens", "Smith", "Ábel"]
    assert _evidence(text, names) == _plain_evidence(text, names)


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
