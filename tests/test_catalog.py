"""The residue catalog: every rule's examples and negatives, rule-file loading and errors,
user extension through the API, whole-token and quote handling, and linear time."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import regex

import cleantext
from cleantext import CatalogError, default_pipeline
from cleantext.catalog import (
    CATEGORIES,
    MATCH_TIMEOUT,
    Catalog,
    builtin_catalog,
    first_word,
    load_catalog,
    load_rules,
)
from cleantext.catalog.check import check_rules
from cleantext.filters import StripResidue

CATALOG = builtin_catalog()
RULES = CATALOG.rules


def test_catalog_is_broad() -> None:
    assert len(RULES) >= 90
    assert {r.category for r in RULES} == set(CATEGORIES)
    assert {"en", "es", "fr", "de", "*"} <= set(CATALOG.languages)
    worded = {"navigation", "comment_form", "promo", "consent", "attribution"}
    for language in ("es", "fr", "de"):
        assert worded <= {r.category for r in RULES if r.language == language}, language


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_examples_and_negatives(rule) -> None:
    # Examples are removed as whole lines by StripResidue, in the rule's own context;
    # negatives stay in that same context.
    assert check_rules([rule], CATALOG) == []


def test_rules_without_context_have_examples() -> None:
    for rule in RULES:
        if rule.position in ("any", "above-credit"):
            assert rule.examples, rule.id
            assert rule.description, rule.id


def test_every_rule_id_names_its_language_and_category() -> None:
    for rule in RULES:
        prefix, category, _ = rule.id.split(".", 2)
        assert category == rule.category, rule.id
        assert prefix in {"common", rule.language, "en"}, rule.id


@pytest.mark.parametrize(
    "line",
    ["Chapter 3", "Chapter", "Rapport", "Japan", "Capped", "Shapes", "APPLE", "Grapefruit"],
)
def test_agency_names_match_whole_tokens_only(line: str) -> None:
    assert CATALOG.match(line) is None


def _swap_quotes(line: str) -> str:
    table = {"'": "’", "’": "'", '"': "“", "“": '"', "”": '"'}
    return "".join(table.get(ch, ch) for ch in line)


def test_curly_and_straight_quotes_match_alike() -> None:
    swapped = 0
    for rule in RULES:
        for example in rule.examples:
            other = _swap_quotes(example)
            if other == example:
                continue
            swapped += 1
            twin = type(rule)(**{**_fields(rule), "examples": (other,), "negatives": ()})
            assert check_rules([twin], CATALOG) == [], (rule.id, other)
    assert swapped >= 5


def _fields(rule) -> dict:
    return {name: getattr(rule, name) for name in rule.__dataclass_fields__}


def test_first_word_dispatch_key() -> None:
    assert first_word("“Read more: X”") == "read"
    assert first_word("[1/3] A view") == "0"
    assert first_word("© 2024 AP") == "©"
    assert first_word("") == ""


def test_starts_hints_cover_every_example() -> None:
    for rule in RULES:
        if rule.starts:
            for example in rule.examples:
                assert first_word(example) in rule.starts, (rule.id, example)


def test_seeds_lose_nothing_but_residue() -> None:
    seeds = Path(__file__).resolve().parent.parent / "corpora" / "seeds" / "gold"
    for path in sorted(seeds.glob("*.txt")):
        gold = path.read_text(encoding="utf-8")
        assert StripResidue()(gold) == gold, path.name


# ---------------------------------------------------------------- user rule files


GOOD = """
language = "en"
disable = ["en.navigation.see-also"]

[[rule]]
id = "user.advertising.shop-now"
category = "advertising"
description = "Shop-now buttons"
pattern = '''shop\\s+now(?:\\s+at\\s+{{NAME}})?'''
examples = ["Shop now", "Shop now at Acme"]
negatives = ["Shop now or regret it later, the ad said."]
"""


def test_user_rule_acts_through_the_api(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(GOOD, encoding="utf-8")
    text = "He left.\n\nShop now at Acme\n\nSee also: Other news\n\nShe stayed."
    assert cleantext.clean(text) == "He left.\n\nShop now at Acme\n\nShe stayed."
    pipeline = default_pipeline(catalog=[path])
    assert cleantext.clean(text, pipeline=pipeline) == (
        "He left.\n\nSee also: Other news\n\nShe stayed."
    )
    report = cleantext.explain(text, pipeline=pipeline)
    assert next(e.rule for e in report.edits if e.is_removal) == "user.advertising.shop-now"
    rules, disabled = load_rules(path)
    assert check_rules(rules, load_catalog([path])) == []
    assert disabled == ("en.navigation.see-also",)
    # A pipeline built from the catalog object acts the same and pickles.
    import pickle

    again = pickle.loads(pickle.dumps(default_pipeline().with_catalog(load_catalog([path]))))
    assert again(text) == pipeline(text)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("[[rule]]\nid = 'u.x'\ncategory = 'nonsense'\npattern = 'x'\n", "unknown category"),
        ("[[rule]]\nid = 'u.x'\ncategory = 'tags'\npattern = '(unclosed'\n", "bad pattern"),
        ("[[rule]]\nid = 'u.x'\ncategory = 'tags'\npattern = 'x'\ncolour = 1\n", "unknown keys"),
        ("[[rule]]\nid = 'u.x'\ncategory = 'tags'\n", "'pattern' must be"),
        ("[[rule]]\nid = 'u.x'\ncategory = 'tags'\npattern = '{{NOPE}}'\n", "unknown fragment"),
        ("[[rule]]\nid = 'u.x'\ncategory = 'tags'\npattern = 'x'\nposition = 'middle'\n",
         "position"),
        ("[[rule]]\nid = 'u.x'\ncategory = 'tags'\npattern = 'x'\nmax_length = -3\n",
         "max_length"),
        ("[[rule]]\nid = 'u.x'\ncategory = 'tags'\npattern = 'x'\nstarts = ['Two words']\n",
         "starts"),
    ],
)  # fmt: skip
def test_malformed_rule_names_file_rule_and_reason(tmp_path: Path, body: str, reason: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(CatalogError) as info:
        load_catalog([path])
    message = str(info.value)
    assert str(path) in message and reason in message
    if "id = 'u.x'" in body:
        assert "u.x" in message


def test_not_toml_and_unknown_disable_fail_clearly(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("[[rule]\nid=", encoding="utf-8")
    with pytest.raises(CatalogError, match="not valid TOML"):
        load_catalog([broken])
    ghost = tmp_path / "ghost.toml"
    ghost.write_text('disable = ["en.no.such-rule"]\n', encoding="utf-8")
    with pytest.raises(CatalogError, match=r"ghost\.toml.*en\.no\.such-rule"):
        load_catalog([ghost])
    with pytest.raises(CatalogError, match="cannot read"):
        load_catalog([tmp_path / "missing.toml"])


def test_duplicate_rule_id_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "dup.toml"
    path.write_text(
        "[[rule]]\nid = 'en.navigation.see-also'\ncategory = 'navigation'\npattern = 'x'\n",
        encoding="utf-8",
    )
    with pytest.raises(CatalogError, match="already used"):
        load_catalog([path])


def test_restricting_languages_keeps_neutral_rules() -> None:
    german = StripResidue(languages=("de",))
    assert {r.language for r in german.catalog.rules} == {"de", "*"}
    text = "Er ging.\n\nMehr zum Thema\n\nLeave a Reply\n\nEr kam."
    assert german(text) == "Er ging.\n\nLeave a Reply\n\nEr kam."
    assert StripResidue(languages=("en",))(text) == "Er ging.\n\nMehr zum Thema\n\nEr kam."
    assert StripResidue()(text) == "Er ging.\n\nEr kam."


def test_catalog_pickles_and_compares_by_rules() -> None:
    import pickle

    copy = pickle.loads(pickle.dumps(CATALOG))
    assert copy == CATALOG and copy.digest == CATALOG.digest
    assert copy.match("Advertisement") == CATALOG.match("Advertisement")
    assert isinstance(CATALOG.restricted(["fr"]), Catalog)


# ---------------------------------------------------------------- linear time


def _adversarial(rule) -> list[str]:
    size = 100_000
    seeds = [*rule.examples[:3], "Aa", "A ", "a", ". ", "/", "A/", "| ", "(A", "0 ", "#a ", "—A "]
    lines = []
    for seed in seeds:
        lines.append((seed * (size // max(1, len(seed)) + 1))[:size])
    for example in rule.examples[:2]:
        lines.append(example[:-1] + example[-1] * size)  # a valid start, then a long tail
        lines.append(example + " " + "Aa " * (size // 3))
        lines.append(example.replace(" ", " " * (size // max(1, example.count(" ") + 1))))
    return lines


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_every_rule_is_linear_on_100k_character_lines(rule) -> None:
    pattern = rule.compiled()
    for line in _adversarial(rule):
        start = time.perf_counter()
        try:
            pattern.fullmatch(line, timeout=MATCH_TIMEOUT)
        except TimeoutError:  # pragma: no cover - the failure this test exists for
            pytest.fail(f"{rule.id} timed out on a {len(line)}-character line")
        assert time.perf_counter() - start < 0.5, (rule.id, line[:40])


def test_catalog_never_raises_and_skips_long_lines() -> None:
    line = "Photo: " + "A/" * 50_000
    assert CATALOG.match(line) is None
    start = time.perf_counter()
    StripResidue()(("Advertisement\n" + line + "\n") * 3)
    assert time.perf_counter() - start < 1.0


def test_timeout_guard_keeps_the_line() -> None:
    # A pathological user pattern times out and the line is simply kept.
    rule = type(RULES[0])(
        id="user.tags.slow", category="tags", pattern="(?:a|a)*+b|(a+)+c", max_length=200_000
    )
    catalog = Catalog((rule,))
    assert regex.compile(rule.pattern)  # compiles
    assert catalog.match("a" * 40) is None


def test_every_builtin_pattern_and_tail_compiles() -> None:
    # Built-in rules compile lazily (when a line first needs them), so loading the catalog
    # does not prove them valid: this does.
    for rule in RULES:
        assert rule.compiled() is not None
        assert (rule.compiled_tail() is None) == (not rule.tail)


def test_prepare_compiles_every_rule_and_the_rule_set_up_front(monkeypatch) -> None:
    from cleantext import catalog as catalog_module

    monkeypatch.setattr(catalog_module, "_COMPILED", {})
    cat = catalog_module.Catalog(builtin_catalog().rules)  # its own, not the shared one
    assert cat._prefilter is catalog_module._UNBUILT
    cat.prepare()
    compiled = catalog_module._COMPILED
    assert all((r.pattern, r.case_sensitive) in compiled for r in cat.rules)
    assert all((r.tail, r.case_sensitive) in compiled for r in cat.rules if r.tail)
    assert cat._prefilter is not catalog_module._UNBUILT
    before = dict(compiled)
    assert cat.match("Leave a Reply").id == "en.comment_form.wordpress"
    assert compiled == before  # matching found everything built


def test_a_pipeline_prepares_the_catalog_of_its_residue_filter() -> None:
    from cleantext import Pipeline
    from cleantext import catalog as catalog_module

    cat = catalog_module.Catalog(builtin_catalog().rules)  # its own, not the shared one
    pipeline = Pipeline(StripResidue(catalog=cat))
    assert pipeline.prepare() is pipeline
    assert cat._prefilter is not catalog_module._UNBUILT
