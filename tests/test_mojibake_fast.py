"""The exact fast path of fix-mojibake: same output and same explanations as ftfy, without ftfy.

Three kinds of evidence:

- the facts the exactness argument in ``cleantext/filters/_mojibake_fast.py`` rests on, checked
  on every code point and on every byte string ftfy's byte patterns can match;
- properties on text built so that the fast path runs (mojibake of random text through several
  codecs, doubled, partial, mixed with clean lines, with no-break spaces and C1 controls): the
  output equals ftfy's, explanations equal those ftfy's plans give, and on the common case ftfy
  is never called (so these tests fail if the fast path is removed);
- a generated benchmark corpus at 100% mojibake, cleaned with and without the fast path.
"""

from __future__ import annotations

import codecs
import contextlib
import itertools
import re
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from re import _constants as sre_constants
from re import _parser as sre_parser

import ftfy
import ftfy.bad_codecs  # registers the sloppy codecs
import pytest
from ftfy.badness import BADNESS_RE, MOJIBAKE_CATEGORIES, is_bad
from ftfy.chardata import (
    ALTERED_UTF8_RE,
    CHARMAP_ENCODINGS,
    ENCODING_REGEXES,
    LOSSY_UTF8_RE,
    possible_encoding,
)
from hypothesis import example, given
from hypothesis import strategies as st

import cleantext.filters.encoding as encoding
from cleantext.filters import FixMojibake
from cleantext.filters import _mojibake_fast as fast
from cleantext.filters.encoding import FTFY_ENCODING_ONLY, normalize_newlines

ROOT = Path(__file__).resolve().parent.parent
SLOPPY = "sloppy-windows-1252"


def all_chars() -> Iterator[str]:
    return (chr(i) for i in range(sys.maxunicode + 1) if not 0xD800 <= i <= 0xDFFF)


def ftfy_reference(text: str) -> str:
    return ftfy.fix_text(normalize_newlines(text), FTFY_ENCODING_ONLY)


@contextlib.contextmanager
def counting_ftfy_calls() -> Iterator[Counter[str]]:
    """Count calls of the ftfy entry points FixMojibake falls back to."""
    calls: Counter[str] = Counter()
    originals = {name: getattr(ftfy, name) for name in ("fix_and_explain", "fix_text")}

    def counted(name: str):
        def call(*args, **kwargs):
            calls[name] += 1
            return originals[name](*args, **kwargs)

        return call

    try:
        for name in originals:
            setattr(ftfy, name, counted(name))
        yield calls
    finally:
        for name, original in originals.items():
            setattr(ftfy, name, original)


@contextlib.contextmanager
def fast_path(enabled: bool, block: int | None = None) -> Iterator[None]:
    saved = fast.ENABLED, encoding.BLOCK_CHARS
    fast.ENABLED = enabled
    encoding.BLOCK_CHARS = block or saved[1]
    try:
        yield
    finally:
        fast.ENABLED, encoding.BLOCK_CHARS = saved


# --- The facts the exactness argument uses -------------------------------------------------


def test_fast_path_runs_on_the_installed_ftfy():
    assert fast.ENABLED, (
        f"ftfy {ftfy.__version__} is not in VERIFIED_FTFY: read its fix_text, fix_and_explain and "
        "_fix_encoding_one_step_and_explain again against the argument in _mojibake_fast.py, then "
        "add the version"
    )


def test_configuration_is_the_one_the_argument_assumes():
    config = FTFY_ENCODING_ONLY
    assert config.fix_encoding and config.fix_c1_controls
    assert config.restore_byte_a0 and config.replace_lossy_sequences
    assert config.decode_inconsistent_utf8
    assert config.unescape_html is False and config.normalization is None
    off = ("fix_latin_ligatures", "fix_character_width", "uncurl_quotes", "fix_line_breaks")
    off += ("fix_surrogates", "remove_terminal_escapes", "remove_control_chars")
    assert not any(getattr(config, name) for name in off)
    # Without explanations fix_and_explain calls fix_encoding with ftfy's defaults: the same.
    default = ftfy.TextFixerConfig()
    subs = ("restore_byte_a0", "replace_lossy_sequences", "decode_inconsistent_utf8")
    assert all(getattr(default, name) for name in (*subs, "fix_c1_controls"))
    assert config.max_decode_length == default.max_decode_length == fast._MAX_SEGMENT
    assert CHARMAP_ENCODINGS[:2] == ["latin-1", SLOPPY]


def test_possible_encoding_tests_each_character_on_its_own():
    for name in ("ascii", "latin-1", SLOPPY):
        pattern = ENCODING_REGEXES[name].pattern
        assert pattern.startswith("^[") and pattern.endswith("]*$")
        assert "]" not in pattern[2:-3] and "\\" not in pattern


def test_latin_1_is_possible_exactly_where_it_encodes():
    for char in all_chars():
        assert possible_encoding(char, "latin-1") == (char <= "\xff")


def test_sloppy_1252_encodes_only_characters_ftfy_deems_possible():
    for char in all_chars():
        try:
            data = char.encode(SLOPPY)
        except UnicodeEncodeError:
            continue
        if data != b"\x1a":
            assert possible_encoding(char, SLOPPY), repr(char)
            assert data.decode(SLOPPY) == char
        if char <= "\xff":
            assert data == char.encode("latin-1"), repr(char)


def _language(items: list) -> set[bytes]:
    """Every byte string a parsed pattern without anchors, lookaround or loops matches."""
    strings = {b""}
    for op, av in items:
        if op is sre_constants.LITERAL:
            options = {bytes([av])}
        elif op is sre_constants.IN:
            options = set()
            for kind, value in av:
                if kind is sre_constants.LITERAL:
                    options.add(bytes([value]))
                elif kind is sre_constants.RANGE:
                    options.update(bytes([b]) for b in range(value[0], value[1] + 1))
                else:
                    raise AssertionError(f"unexpected set item {kind}")
        elif op is sre_constants.BRANCH:
            options = set().union(*(_language(list(alt)) for alt in av[1]))
        elif op is sre_constants.SUBPATTERN and not av[1] and not av[2]:
            options = _language(list(av[3]))
        else:
            raise AssertionError(f"unexpected pattern element {op}: read the pattern again")
        strings = {s + o for s in strings for o in options}
    return strings


@pytest.mark.parametrize("pattern", [ALTERED_UTF8_RE, LOSSY_UTF8_RE], ids=["altered", "lossy"])
def test_byte_patterns_never_match_valid_utf8_without_1a_or_ed(pattern: re.Pattern[bytes]):
    strings = _language(list(sre_parser.parse(pattern.pattern, pattern.flags)))
    assert 100 < len(strings) < 1_000_000
    for s in strings:
        if b"\x1a" in s or b"\xed" in s:
            continue
        assert not 0x80 <= s[0] <= 0xBF  # starts where a character starts
        with pytest.raises(UnicodeDecodeError):  # so no valid UTF-8 has it anywhere
            codecs.getincrementaldecoder("utf-8")().decode(s, final=False)


def _nodes(items: list) -> Iterator[tuple[object, object]]:
    """Every (op, argument) of a parsed pattern, nested ones included."""
    for op, av in items:
        yield op, av
        if op is sre_constants.BRANCH:
            for alternative in av[1]:
                yield from _nodes(list(alternative))
        elif op is sre_constants.SUBPATTERN:
            yield from _nodes(list(av[3]))
        elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
            yield from _nodes(list(av[2]))


def test_badness_matches_are_short_and_see_nothing_outside_themselves():
    # What _bad_near_hits rests on: a match of BADNESS_RE is at most BADNESS_WIDTH characters
    # long, and whether it matches depends on those characters alone (and "^" on position 0).
    parsed = sre_parser.parse(BADNESS_RE.pattern, BADNESS_RE.flags)
    assert parsed.getwidth()[1] <= fast.BADNESS_WIDTH
    plain = {sre_constants.LITERAL, sre_constants.NOT_LITERAL, sre_constants.IN}
    plain |= {sre_constants.ANY, sre_constants.BRANCH, sre_constants.SUBPATTERN}
    plain |= {sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT}
    for op, av in _nodes(list(parsed)):
        if op is sre_constants.AT:
            assert av is sre_constants.AT_BEGINNING, f"anchor {av}: read the pattern again"
        else:
            assert op in plain, f"pattern element {op}: read the pattern again"


@given(st.from_regex(BADNESS_RE, fullmatch=True))
def test_every_bad_sequence_holds_a_gate_hit(sequence: str):
    assert fast.MOJIBAKE_GATE.search(sequence) is not None


# Every character of ftfy's badness classes (their ranges expanded), and ASCII neighbours.
_badness_class = re.compile("[" + "".join(MOJIBAKE_CATEGORIES.values()) + "]")
_badness_chars = [c for c in map(chr, range(0x80, 0x10000)) if _badness_class.match(c)]
_badness_chars += list("aZé ñ.,\n")


@given(
    st.one_of(
        st.text(st.sampled_from(_badness_chars), max_size=40),
        st.lists(
            st.one_of(st.from_regex(BADNESS_RE, fullmatch=True), st.sampled_from(["Núñez ", "a"])),
            max_size=30,
        ).map("".join),
    )
)
@example("He said a Ã it")  # the match starts two characters before the hit
@example("ok ГўВЂВ.a")
@example("ú\x80")  # the hit takes both characters; the match starts one after it
def test_badness_near_the_gate_hits_is_ftfys_badness(text: str):
    # Bad sequences in any context, and clean lines with many hits (past _MAX_LOCAL_HITS).
    assert fast._bad_near_hits(text) == is_bad(text)
    assert fast._is_bad(text) == (not text.isascii() and is_bad(text))


def test_a_clean_line_the_gate_flags_is_judged_without_a_scan(monkeypatch: pytest.MonkeyPatch):
    def scan(text: str) -> bool:
        raise AssertionError("is_bad scanned the line")

    monkeypatch.setattr(fast, "is_bad", scan)
    line = "Jorge Núñez met Antonín Dvořák in São Paulo, said “Olá” and left.\n"
    assert fast.MOJIBAKE_GATE.search(line) is not None
    assert fast._is_bad(line) is False
    assert FixMojibake()(line) == line
    assert fast._is_bad("Blinkenâ€™s visit") is True


# --- Properties ----------------------------------------------------------------------------

latin_letters = "éèêëàâäçîïôöùûüÿñßøåæœÉÀÇÖÜÑÅÆŒčćšžłőűđğışăţ"
typographic = "’‘“”–—…•€™°±×÷«»¡¿\xa0©®§¶"
other_scripts = "Привет мир Γειά σου 你好 こんにちは مرحبا שלום 안녕 한국 힘 🎉👍🏽"
ascii_words = st.sampled_from("the of and Blinken visit said Monday 2024 U.S. ( ) , . ! ?".split())
original_char = st.one_of(
    st.sampled_from(list(latin_letters + typographic + other_scripts)),
    st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]),
)
original_line = st.lists(
    st.one_of(ascii_words, st.text(original_char, min_size=1, max_size=3), st.just(" ")),
    max_size=14,
).map("".join)


def mojibake(text: str, codec: str, times: int = 1) -> str:
    for _ in range(times):
        text = text.encode("utf-8").decode(codec)
    return text


def eligible(line: str) -> bool:
    """Lines whose mojibake the fast path must repair without ftfy (see the module docstring)."""
    return (
        not is_bad(line)
        and not is_bad(line + "\n")
        and not re.search("[\x80-\x9f\x1a\ud000-\ud7ff]", line)
    )


@st.composite
def common_case(draw: st.DrawFn) -> tuple[str, bool]:
    """Mojibake of whole lines (Windows-1252 or Latin-1, once or twice), some lines left clean.

    Returns the text and whether every original line is `eligible`.
    """
    lines = draw(st.lists(original_line, min_size=1, max_size=8))
    out = []
    for line in lines:
        codec = draw(st.sampled_from([SLOPPY, SLOPPY, "latin-1", None]))
        out.append(
            line if codec is None else mojibake(line, codec, draw(st.sampled_from([1, 1, 2])))
        )
    newline = draw(st.sampled_from(["\n", "\n", "\r\n"]))
    return newline.join(out), all(map(eligible, lines))


def _damage(draw: st.DrawFn, line: str) -> str:
    kind = draw(st.integers(0, 6))
    if kind == 0:  # only part of the line mojibaked
        i, j = sorted(draw(st.lists(st.integers(0, len(line)), min_size=2, max_size=2)))
        return line[:i] + mojibake(line[i:j], SLOPPY) + line[j:]
    if kind == 1:  # no-break spaces turned into spaces, as some scrapers do
        return mojibake(line, SLOPPY).replace("\xa0", " ")
    if kind == 2:  # a stray C1 control or replacement character
        at = draw(st.integers(0, len(line)))
        extra = draw(st.sampled_from(["\x81", "\x85", "\x9d", "\x92", "\ufffd", "\x1a"]))
        return mojibake(line[:at], SLOPPY) + extra + mojibake(line[at:], SLOPPY)
    if kind == 3:
        return mojibake(line, SLOPPY, 3)
    return mojibake(line, ("sloppy-windows-1251", "macroman", "cp437")[kind - 4])


@st.composite
def hard_case(draw: st.DrawFn) -> str:
    """Everything else: partial and triple mojibake, other codecs, C1 controls, lost A0 bytes."""
    lines = draw(st.lists(original_line, min_size=1, max_size=6))
    return "\n".join(_damage(draw, line) if draw(st.booleans()) else line for line in lines)


def _check_against_ftfy(text: str) -> int:
    """Assert the fast path gives ftfy's output and explanations; return ftfy's call count."""
    expected = ftfy_reference(text)
    with fast_path(False):
        explained_by_ftfy = FixMojibake().explain(text)
    with counting_ftfy_calls() as calls:
        assert FixMojibake()(text) == expected
        explained = FixMojibake().explain(text)
    assert explained == explained_by_ftfy
    assert explained[0] == expected
    with fast_path(True, block=40):  # many small blocks: cuts fall between lines
        assert FixMojibake()(text) == expected
    return calls.total()


def test_fast_path_equals_ftfy_and_skips_it_on_the_common_case():
    seen: Counter[str] = Counter()

    @given(case=common_case())
    def common(case: tuple[str, bool]) -> None:
        text, all_eligible = case
        ftfy_calls = _check_against_ftfy(text)
        if all_eligible:
            assert ftfy_calls == 0, "the fast path left an ordinary mojibake line to ftfy"
            seen["without ftfy"] += not text.isascii()
        seen["examples"] += 1

    common()
    # The no-ftfy assertion above must have been exercised, not skipped by chance.
    assert seen["without ftfy"] >= seen["examples"] // 4


@given(text=hard_case())
def test_fast_path_equals_ftfy_on_damage_it_must_leave_to_ftfy(text: str) -> None:
    _check_against_ftfy(text)


@pytest.mark.parametrize(
    ("original", "rule"),
    [
        ("Blinken’s “visit” — in Bogotá…", "ftfy:encode:sloppy-windows-1252+decode:utf-8"),
        ("Café au lait, naïve façade", "ftfy:encode:latin-1+decode:utf-8"),
        ("a\xa0b © 2024", "ftfy:encode:latin-1+decode:utf-8"),
        ("Переговоры 🎉", "ftfy:encode:sloppy-windows-1252+decode:utf-8"),
    ],
)
def test_ordinary_mojibake_is_repaired_without_ftfy_with_ftfy_rules(original: str, rule: str):
    once = mojibake(original, SLOPPY)
    twice = mojibake(original, SLOPPY, 2)
    document = f"{once}\nplain line\n{once}\r\n{original}\n\n{once}"
    with counting_ftfy_calls() as calls:
        assert FixMojibake()(once) == original
        assert FixMojibake()(twice) == original
        assert FixMojibake()(document) == normalize_newlines(document.replace(once, original))
        text, edits = FixMojibake().explain(once)
        _, twice_edits = FixMojibake().explain(twice)
    assert calls.total() == 0
    assert text == original
    assert [e.rule for e in edits] == [rule]
    assert twice_edits[0].rule == "ftfy:encode:sloppy-windows-1252+decode:utf-8+" + rule[5:]


def test_a_line_that_is_bad_only_with_its_line_break():
    # "ÄŒ" (Č read as Windows-1252) is mojibake to ftfy only when a line break follows it.
    text = mojibake("Karel Č\nKarel Č", SLOPPY, 2)
    assert ftfy_reference(text) == "Karel Č\nKarel ÄŒ"
    with counting_ftfy_calls() as calls:
        assert FixMojibake()(text) == "Karel Č\nKarel ÄŒ"
    assert calls.total() == 0


def test_a_mojibaked_document_is_repaired_as_one_block(monkeypatch: pytest.MonkeyPatch):
    original = "Blinken’s visit\n\nTalks in Bogotá — “fine”, said Núñez.\nplain ASCII line\n"
    blocks: Counter[str] = Counter()
    repair_block = fast.repair_block

    def counted(block, fix_segment):
        blocks["blocks"] += 1
        return repair_block(block, fix_segment)

    def no_single_lines(segment: str) -> str:
        raise AssertionError(f"left to the line-by-line path: {segment!r}")

    monkeypatch.setattr(fast, "repair_block", counted)
    monkeypatch.setattr(encoding, "_fix_segment", no_single_lines)
    assert FixMojibake()(mojibake(original, SLOPPY)) == original
    assert blocks["blocks"] == 1


def test_long_documents_and_lines_longer_than_ftfy_segments():
    line = mojibake("Blinken’s visit to Bogotá — día 1. ", SLOPPY)
    document = "\n".join(line * (1 + i % 7) for i in range(4000))  # several blocks
    huge = "x" * 999_990 + line * 3  # a line ftfy cuts at max_decode_length
    for text in (document, f"{line}\n{huge}\n{line}"):
        assert FixMojibake()(text) == ftfy_reference(text)


def test_a_long_text_mixing_mojibake_and_clean_text_is_repaired_in_blocks(monkeypatch):
    # Mojibake stops in the middle of a block: the lines before that still go as one block,
    # and the clean lines around are never handed to ftfy.
    clean = "“Blinken’s visit” — in Bogotá, said Núñez.\n" * 30
    document = "".join(
        mojibake(clean, SLOPPY) if i % 3 == 0 else clean.replace("Blinken", f"Blinken{i}")
        for i in range(60)
    )
    blocks: Counter[str] = Counter()
    repair_block = fast.repair_block

    def counted(block, fix_segment):
        repaired = repair_block(block, fix_segment)
        blocks["lines"] += 0 if repaired is None else block.count("\n")
        return repaired

    expected = ftfy_reference(document)
    monkeypatch.setattr(fast, "repair_block", counted)
    with counting_ftfy_calls() as calls:
        assert FixMojibake()(document) == expected
    assert calls.total() == 0
    assert blocks["lines"] >= 20 * 30  # every mojibaked line went in a block


# --- A benchmark corpus at 100% mojibake ---------------------------------------------------


def test_a_fully_mojibaked_benchmark_corpus_is_cleaned_as_ftfy_cleans_it():
    from benchmarks.corpus import CorpusParams
    from benchmarks.material import load_material
    from benchmarks.speed import sample

    docs = sample(CorpusParams(seed=5, mojibake_rate=1.0), 400_000, load_material(ROOT))
    assert len(docs) > 40
    with counting_ftfy_calls() as calls:
        fast_out = [FixMojibake()(doc) for doc in docs]
        fast_explained = [FixMojibake().explain(doc) for doc in docs[:20]]
    with fast_path(False):
        slow_out = [FixMojibake()(doc) for doc in docs]
        slow_explained = [FixMojibake().explain(doc) for doc in docs[:20]]
    assert fast_out == slow_out
    assert fast_out == [ftfy_reference(doc) for doc in docs]
    assert fast_explained == slow_explained
    mojibaked_lines = sum(not line.isascii() for doc in docs for line in doc.split("\n"))
    assert calls.total() < 0.01 * mojibaked_lines


def test_corpus_sample_matches_line_by_line_reference():
    # The same documents cut into single lines: each line alone also matches ftfy.
    from benchmarks.corpus import CorpusParams
    from benchmarks.material import load_material
    from benchmarks.speed import sample

    docs = sample(CorpusParams(seed=11, mojibake_rate=1.0), 100_000, load_material(ROOT))
    lines = list(itertools.chain.from_iterable(doc.split("\n") for doc in docs))
    assert [FixMojibake()(line) for line in lines] == [ftfy_reference(line) for line in lines]


@given(text=st.one_of(hard_case(), common_case().map(lambda case: case[0] + "\n\nplain\n")))
def test_explain_visits_only_the_flagged_lines_and_records_what_a_walk_over_all_does(text: str):
    # Without "\r" explain visits only the lines the gate flags; walking every segment (the
    # path a text with "\r" takes) must record the same edits.
    text = text.replace("\r", "")
    fix = FixMojibake()
    flagged: list = []
    every: list = []
    assert fix._explain_flagged_lines(text, flagged) == fix._explain_every_segment(text, every)
    assert flagged == every
    assert fix.explain(text) == (fix._explain_flagged_lines(text, []), flagged)
