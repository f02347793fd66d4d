"""The RE2 prefilter of the residue catalog: widened patterns, and verdicts unchanged by it."""

from __future__ import annotations

from pathlib import Path

import pytest
import regex
from hypothesis import given
from hypothesis import strategies as st

from cleantext.catalog import (
    LINE_MARGIN,
    MAY_MATCH,
    SCANNED_POSITIONS,
    TO_REPAIR,
    Catalog,
    Rule,
    builtin_catalog,
    prefilter,
)
from cleantext.catalog.prefilter import RuleSet, widened
from cleantext.filters.residue import StripResidue, _forms
from cleantext.testing import dirty_documents

SEEDS = Path(__file__).resolve().parent.parent / "corpora" / "seeds" / "input"
ANYWHERE = tuple(r for r in builtin_catalog().rules if r.position == "any")


def may_match(rule_set: RuleSet, text: str) -> bool:
    return bool(rule_set.matching(text))


@pytest.fixture(scope="module")
def rule_sets() -> dict[str, RuleSet]:
    return {r.id: RuleSet([(r.pattern, r.case_sensitive)]) for r in ANYWHERE}


def without_prefilter(monkeypatch: pytest.MonkeyPatch) -> Catalog:
    """A fresh copy of the built-in catalog that never builds the RE2 set."""
    monkeypatch.setattr(prefilter, "_re2", None)
    catalog = Catalog(builtin_catalog().rules)
    assert catalog.first_match("Leave a Reply") is not None  # builds (without) the prefilter
    monkeypatch.undo()
    assert catalog._prefilter is None
    return catalog


@pytest.mark.parametrize(
    ("pattern", "accepted", "refused"),
    [
        # look-arounds and \b are dropped: the widened pattern accepts what the rule turns down
        (r"(?!X$)\w++", ["X", "Xing"], ["a b"]),
        (r"ab\b", ["ab"], ["abc"]),
        # possessive and atomic become ordinary: the widened pattern backtracks
        (r"a*+a", ["aaa"], ["b"]),
        (r"(?>ab|a)b", ["ab", "abb"], ["b"]),
        # \s covers Unicode spaces, as in the regex module; \p{Lu} any letter above ASCII
        (r"a\s++b", ["a\u00a0b", "a\u3000b", "a \u2009 b"], ["ab", "a-b"]),
        (r"(?-i:\p{Lu})x", ["Éx", "Ωx", "Ax"], ["ax", "1x"]),
        # a long bounded repeat becomes unbounded; a short one stays as it is
        (r"x{10,12}", ["x" * 11, "x" * 40], ["xxx"]),
        (r"x{2,3}", ["xx", "xxx"], ["x", "xxxx"]),
        # a negated class that excludes a property excludes less, never more
        (r"[^\p{L}]+", ["12", "é"], []),
    ],
)
def test_widened_patterns_accept_at_least_what_the_rule_matches(
    pattern: str, accepted: list[str], refused: list[str]
) -> None:
    rule_set = RuleSet([(pattern, True)])
    assert rule_set.complete
    for text in accepted:
        assert may_match(rule_set, text), (pattern, text)
    for text in refused:
        assert not may_match(rule_set, text), (pattern, text)


@pytest.mark.parametrize("pattern", [r"(\w+) \1", r"(?P<w>a)(?P=w)", r"(?i)late flag", r"\Gx"])
def test_what_cannot_be_widened_is_refused(pattern: str) -> None:
    with pytest.raises(ValueError):
        widened(pattern)
    assert not RuleSet([(pattern, False), ("fine", False)]).complete


def test_every_built_in_rule_widens_so_the_set_is_used() -> None:
    assert RuleSet([(r.pattern, r.case_sensitive) for r in ANYWHERE]).complete
    catalog = Catalog(builtin_catalog().rules)
    catalog.first_match("Leave a Reply")
    assert catalog._prefilter is not None


def test_every_example_passes_the_set_in_every_case(rule_sets: dict[str, RuleSet]) -> None:
    checked = 0
    for rule in ANYWHERE:
        compiled = rule.compiled()
        for example in rule.examples + rule.negatives:
            variants = {example, example.upper(), example.lower(), example.swapcase()}
            variants |= {example.replace(" ", "\u00a0"), example.replace(" ", " \u2009")}
            for text in variants:
                if compiled.fullmatch(text):
                    checked += 1
                    assert may_match(rule_sets[rule.id], text), (rule.id, text)
    assert checked > 300


def test_a_document_search_finds_every_example_with_margin_around_it() -> None:
    # Searching a whole document, the set sees lines as they are, with their margin; a rule's
    # own "$" ("Impressum" alone, or followed by "|") must allow the margin after it, or the
    # search missed "Impressum " and only the second cleaning removed it (Hypothesis).
    catalog = Catalog(builtin_catalog().rules)
    missed = []
    for rule in catalog.rules:
        if rule.position not in SCANNED_POSITIONS:
            continue  # the set holds no rule that only acts next to another line
        for example in rule.examples:
            for doc in (f"He left.\n{example} \nShe came.", f"He left.\n \u3000{example}\u00a0\t"):
                if catalog.first_suspect_line(doc) is None:
                    missed.append((rule.id, doc))
    assert missed == []
    doc = "Impressum \nBlinken Meets Okafor in Beijing\n\nHe met her on Monday.\n"
    assert StripResidue()(doc) == "Blinken Meets Okafor in Beijing\n\nHe met her on Monday.\n"


_ALPHABET = st.sampled_from(
    [
        *"aAeEsSxX ./|,:()-—–’'•©0123",
        "\u00a0",
        "\u2009",
        "\u3000",
        "é",
        "É",
        "ß",
        "ſ",
        "K",
        "İ",
        "ı",
        "Ω",
        "ω",
        "\u0301",
        "ᵃ",
    ]
)


@given(data=st.data())
def test_the_set_never_turns_down_a_line_a_rule_matches(
    rule_sets: dict[str, RuleSet], data: st.DataObject
) -> None:
    rule = data.draw(st.sampled_from(ANYWHERE))
    base = data.draw(st.sampled_from(rule.examples or ("x",)))
    # Mutate an example of the rule: replace, insert or delete characters here and there.
    chars = list(base)
    for _ in range(data.draw(st.integers(0, 4))):
        at = data.draw(st.integers(0, len(chars)))
        op = data.draw(st.sampled_from(("insert", "replace", "delete")))
        if op == "insert":
            chars.insert(at, data.draw(_ALPHABET))
        elif chars and at < len(chars):
            if op == "replace":
                chars[at] = data.draw(_ALPHABET)
            else:
                del chars[at]
    text = "".join(chars)
    if rule.compiled().fullmatch(text):
        assert may_match(rule_sets[rule.id], text), (rule.id, text)


def _verdicts(strip: StripResidue, text: str) -> list[str | None]:
    return [r and r.id for r in strip.classify(text)]


@given(doc=dirty_documents())
def test_verdicts_are_the_same_with_and_without_the_set(doc, monkeypatch_module) -> None:
    fast, plain = monkeypatch_module
    # dirty text goes line by line; clean text mostly takes the one-pass path
    assert _verdicts(fast, doc.dirty) == _verdicts(plain, doc.dirty)
    assert _verdicts(fast, doc.clean) == _verdicts(plain, doc.clean)


def test_verdicts_on_the_seeds_are_the_same_with_and_without_the_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    plain = StripResidue(catalog=without_prefilter(monkeypatch))
    fast = StripResidue(catalog=Catalog(builtin_catalog().rules))
    removed = 0
    for path in sorted(SEEDS.iterdir()):
        text = path.read_text(encoding="utf-8")
        expected = _verdicts(plain, text)
        assert _verdicts(fast, text) == expected, path.name
        removed += sum(1 for v in expected if v)
    assert removed > 10


def test_a_rule_the_set_cannot_hold_still_matches() -> None:
    echo = Rule("user.navigation.echo", "navigation", r"(\w+) \1", source="user.toml")
    catalog = builtin_catalog().extended([echo])
    assert catalog.first_match("again again") is echo
    assert catalog._prefilter is None  # the set would have turned the line down
    assert regex.fullmatch(r"(\w+) \1", "again again")


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as mp:
        yield (
            StripResidue(catalog=Catalog(builtin_catalog().rules)),
            StripResidue(catalog=without_prefilter(mp)),
        )


def test_a_line_with_a_lone_surrogate_is_let_through() -> None:
    rule_set = RuleSet([("x", True)])
    assert not may_match(rule_set, "y")
    assert may_match(rule_set, "\udcff")


def test_a_set_that_turns_down_a_rule_example_is_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(RuleSet, "matching", lambda self, text: [])  # as if RE2 failed
    catalog = Catalog(builtin_catalog().rules)
    assert catalog.first_match("Leave a Reply") is not None
    assert catalog._prefilter is None


def test_the_scan_names_what_may_match_and_what_needs_repair() -> None:
    catalog = builtin_catalog()
    assert catalog.scan("He left.\n\nHe came back.") == frozenset()
    assert catalog.scan("He left.\n\nLeave a Reply\n") == {"any"}
    assert catalog.scan("published: 2023-06-19T08:30:00Z\n\nHe left.") == {"top"}
    assert catalog.scan("He left .") == {"repair"}
    assert catalog.scan("He\u2009left.") == {"repair"}


def test_an_edge_line_of_a_quiet_document_is_still_removed() -> None:
    # nothing in it matches a rule that acts anywhere: only the edge rules are tried
    text = "Blinken met Xi in Beijing.\n\nHe left on Monday.\n\nReuters\n"
    assert builtin_catalog().scan(text) == {"edge"}
    assert StripResidue()(text) == "Blinken met Xi in Beijing.\n\nHe left on Monday.\n"
    kept = text.replace("Reuters", "Reuters said so.")
    assert StripResidue()(kept) == kept


def test_a_set_too_large_to_compile_is_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(prefilter, "_MAX_MEM", 1 << 16)  # far too little for the rules
    assert not RuleSet([(r.pattern, r.case_sensitive) for r in ANYWHERE]).complete
    catalog = Catalog(builtin_catalog().rules)
    assert catalog.first_match("Leave a Reply") is not None
    assert catalog.scan("Leave a Reply") is None
    assert StripResidue(catalog=catalog)("He left.\n\nLeave a Reply\n") == "He left.\n"


def test_the_line_test_says_what_a_line_may_need(monkeypatch: pytest.MonkeyPatch) -> None:
    plain = without_prefilter(monkeypatch)  # tries every rule of the line's bucket
    catalog = builtin_catalog()
    test = catalog.line_test()
    assert test is not None
    wordpress = catalog["en.comment_form.wordpress"]
    assert test("Leave a Reply") == (MAY_MATCH, (wordpress,), {"any"})
    assert test("He left .") == test("He\u2009left.") == (TO_REPAIR, (), {"repair"})
    assert test("Leave a\u2009Reply") == (MAY_MATCH | TO_REPAIR, (wordpress,), {"any", "repair"})
    assert test("Reuters") == (0, (), {"edge"})
    assert test("He left.") == (0, (), frozenset())
    flagged = {0: 0, MAY_MATCH: 0}
    for path in sorted(SEEDS.iterdir()):
        for line in path.read_text(encoding="utf-8").split("\n"):
            line = line.strip(LINE_MARGIN)
            needs, rules, kinds = test(line) if line else (TO_REPAIR, (), {"repair"})
            if needs & TO_REPAIR:
                continue
            assert _forms(line) == (line,), line
            flagged[needs] += 1
            # the rules named are the only ones that can match: every matching rule is there
            matching = list(plain.matches(line, contextual=False))
            assert set(matching) <= set(rules), line
            assert bool(rules) == bool(needs) == ("any" in kinds), line
            assert kinds == catalog.scan(line), line
            assert catalog.first_match(line, among=rules) == (matching[0] if matching else None)
    assert flagged[0] > 50 and flagged[MAY_MATCH] > 5


@pytest.fixture
def fits_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Rule, str]]:
    """Every (rule, line) that Catalog.fits is asked about, in order, while the test runs."""
    calls: list[tuple[Rule, str]] = []
    fits = Catalog.fits

    def spy(self: Catalog, rule: Rule, line: str) -> bool:
        calls.append((rule, line))
        return fits(self, rule, line)

    monkeypatch.setattr(Catalog, "fits", spy)
    return calls


def _positions(calls: list[tuple[Rule, str]]) -> set[str]:
    return {rule.position for rule, _ in calls}


def test_edge_rules_the_scan_rules_out_are_not_tried(fits_calls: list[tuple[Rule, str]]) -> None:
    text = "Leave a Reply\n\nBlinken met Xi in Beijing.\n\nHe left on Monday.\n"
    assert builtin_catalog().scan(text) == {"any"}
    assert StripResidue()(text) == "Blinken met Xi in Beijing.\n\nHe left on Monday.\n"
    assert not {"top", "bottom", "edge"} & _positions(fits_calls)


def test_an_edge_line_that_matches_only_as_repaired_is_still_removed() -> None:
    # "Reuters. ." matches the wire rule only once the stray " ." is gone: the raw scan of
    # the document cannot see it, the scan of the line's repaired form does
    text = "Leave a Reply\n\nBlinken met Xi in Beijing.\n\nHe left on Monday.\n\nReuters. .\n"
    assert "edge" not in builtin_catalog().scan(text)
    assert StripResidue()(text) == "Blinken met Xi in Beijing.\n\nHe left on Monday.\n"


def test_a_document_with_a_lone_surrogate_is_still_cleaned() -> None:
    text = "Leave a Reply\n\udcff x\nHe left."
    assert StripResidue()(text) == "\udcff x\nHe left."
    needs, rules, _ = builtin_catalog().line_test()("\udcff x")
    assert needs == MAY_MATCH | TO_REPAIR and len(rules) == len(ANYWHERE)


def test_rules_next_to_residue_are_tried_only_when_the_scan_finds_them(
    fits_calls: list[tuple[Rule, str]],
) -> None:
    text = "Blinken met Xi.\n\nLeave a Reply\n\nTwitter\n\nHe left on Monday.\n"
    quiet = text.replace("Twitter", "Later")
    assert "near-residue" not in builtin_catalog().scan(quiet)
    assert StripResidue()(quiet) == "Blinken met Xi.\n\nLater\n\nHe left on Monday.\n"
    assert "near-residue" not in _positions(fits_calls)
    assert "near-residue" in builtin_catalog().scan(text)
    assert StripResidue()(text) == "Blinken met Xi.\n\nHe left on Monday.\n"
    assert "near-residue" in _positions(fits_calls)


def test_a_contextual_rule_is_not_tried_on_a_line_longer_than_its_limit(
    fits_calls: list[tuple[Rule, str]],
) -> None:
    long_line = "He left the talks in Beijing on Monday, and said little to the press. " * 3
    text = f"Leave a Reply\n\nTwitter\n\n{long_line}\n\nHe came back.\n\nTwitter\n\nMore text here."
    StripResidue()(text)
    assert fits_calls and all(len(line) <= rule.max_length for rule, line in fits_calls)


def test_the_first_suspect_line_is_found_piece_by_piece(monkeypatch: pytest.MonkeyPatch) -> None:
    catalog = builtin_catalog()
    prose = "He left the talks in Beijing on Monday.\n"  # 40 characters
    assert catalog.first_suspect_line(prose * 500) is None
    assert catalog.first_suspect_line("") is None
    assert catalog.first_suspect_line("Leave a Reply\n" + prose * 500) == 0
    # pieces of 1, 2, 4, 8 Ki characters and more, each cut after a whole line: the fifth
    # starts after 1 + 2 + 4 + 8 Ki characters and the end of the line there
    assert catalog.first_suspect_line(prose * 500 + "He left .") == 15 * 1024 // len(prose) + 2
    scanned: list[int] = []
    may_match = RuleSet.may_match

    def spy(self: RuleSet, text: str) -> bool:
        scanned.append(len(text))
        return may_match(self, text)

    monkeypatch.setattr(RuleSet, "may_match", spy)
    # residue in the first piece: the rest of a long document is not scanned as a whole
    assert catalog.first_suspect_line(prose * 10 + "Advertisement\n" + prose * 5000) == 0
    assert scanned == [len(prose) * 25 + len("Advertisement\n") + len(prose) * 1]
    scanned.clear()
    # no residue: every character is scanned once, in pieces of whole lines
    assert catalog.first_suspect_line(prose * 1000) is None
    assert sum(scanned) == len(prose) * 1000 and all(n % len(prose) == 0 for n in scanned)
    # the index is the first line of the first piece where something may match
    text = prose * 1000 + "Advertisement\n"
    k = catalog.first_suspect_line(text)
    assert k is not None and 0 < k <= 1000
    assert not any(catalog.scan(line) for line in text.split("\n")[:k])


def test_a_text_no_rule_can_match_is_not_split_into_lines() -> None:
    from cleantext.filters.residue import _scan_lines

    catalog = builtin_catalog()
    prose = "He left the talks in Beijing on Monday.\n\n" * 40 + "He came back."
    scan = _scan_lines(catalog, prose)
    assert scan.lines == [] and scan.verdicts == [None] * (prose.count("\n") + 1)
    assert StripResidue().classify(prose) == [None] * len(prose.split("\n"))
    assert StripResidue()(prose) == prose
    assert StripResidue().explain(prose) == (prose, [])
    dirty = prose + "\n\nAdvertisement"
    assert _scan_lines(catalog, dirty).lines == dirty.split("\n")


def _recorded_line_tests(catalog: Catalog) -> tuple[list[str], list[bytes]]:
    """The lines ``catalog``'s line tests are asked about from now on, in order: those given
    as text (:meth:`Catalog.line_test`), and those given encoded (``encoded_line_test``)."""
    as_text: list[str] = []
    encoded: list[bytes] = []
    test, test_encoded = catalog.line_test(), catalog.encoded_line_test()
    assert test is not None and test_encoded is not None
    built = catalog._prefilter
    object.__setattr__(
        catalog,
        "_prefilter",
        (
            *built[:2],
            lambda line: as_text.append(line) or test(line),
            lambda line: encoded.append(line) or test_encoded(line),
        ),
    )
    return as_text, encoded


def test_lines_before_the_first_suspect_piece_are_not_tested(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    catalog = Catalog(builtin_catalog().rules)
    as_text, encoded = _recorded_line_tests(catalog)
    prose = "He left the talks in Beijing on Monday."
    text = "\n\n".join([prose] * 100 + ["Advertisement", prose])
    assert StripResidue(catalog=catalog)(text) == "\n\n".join([prose] * 101)
    tested = as_text + [line.decode() for line in encoded]
    assert 0 < len(tested) < 60 and "Advertisement" in tested


def test_each_line_is_tested_as_it_stands_in_the_encoded_text() -> None:
    # The document is encoded once; each line goes to the set with its margin (which the set's
    # patterns allow around a rule's), not stripped and encoded on its own.
    catalog = Catalog(builtin_catalog().rules)
    as_text, encoded = _recorded_line_tests(catalog)
    text = "He left.\n\n\xa0 Leave a Reply\t\n\nHe came back."
    assert StripResidue(catalog=catalog)(text) == "He left.\n\nHe came back."
    assert encoded == [b"He left.", "\xa0 Leave a Reply\t".encode(), b"He came back."]
    assert as_text == []  # no line was encoded on its own
    # The verdicts are those of the stripped lines
    plain = "He left.\n\nLeave a Reply\n\nHe came back."
    assert StripResidue().classify(text) == StripResidue().classify(plain)


def test_each_form_of_a_line_to_repair_is_tested_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # A line with an odd space or a stray " ." is tested by the set as it is, then as
    # repaired, and no more: the kinds of its repaired form serve the contextual stage too.
    catalog = Catalog(builtin_catalog().rules)
    as_text, encoded = _recorded_line_tests(catalog)
    scanned: list[str] = []
    may_match = RuleSet.may_match
    matching = RuleSet.matching
    monkeypatch.setattr(RuleSet, "may_match", lambda s, t: scanned.append(t) or may_match(s, t))
    monkeypatch.setattr(RuleSet, "matching", lambda s, t: scanned.append(t) or matching(s, t))
    # (the document is encoded once, then searched and cut into lines as bytes)
    text = "He left\xa0the talks in Beijing. .\n\nLeave\xa0a Reply"
    assert StripResidue(catalog=catalog)(text) == "He left\xa0the talks in Beijing. ."
    # as they stand in the text, then repaired
    assert encoded == ["He left\xa0the talks in Beijing. .".encode(), "Leave\xa0a Reply".encode()]
    assert sorted(as_text) == ["He left the talks in Beijing.", "Leave a Reply"]
    assert scanned == [text.encode()]  # the one search for the first suspect piece, none per form
