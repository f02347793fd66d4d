"""The public API: clean, explain, Pipeline, registry, errors, pickling, determinism."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

import cleantext
from cleantext import ConfigError, Pipeline, UnknownFilterError, default_pipeline
from cleantext.filters import NormalizeWhitespace, StrayPeriod, StripResidue

ROOT = Path(__file__).resolve().parent.parent
SEED = (ROOT / "corpora/seeds/input/002_872f9c0a431594a8.txt").read_text(encoding="utf-8")


def test_public_names_are_exported() -> None:
    for name in cleantext.__all__:
        assert hasattr(cleantext, name), name


def test_clean_many_gives_each_text_what_clean_gives_it() -> None:
    texts = [SEED, "", "Done. .", SEED.replace("\n", "\r\n")]
    assert cleantext.clean_many(texts) == [cleantext.clean(t) for t in texts]
    light = Pipeline(StrayPeriod())
    assert cleantext.clean_many(iter(["A. .", "Source: TRT"]), pipeline=light) == [
        "A.",
        "Source: TRT",
    ]


def test_explain_names_filter_rule_category_and_span() -> None:
    report = cleantext.explain(SEED)
    assert report.text == cleantext.clean(SEED)
    header = next(e for e in report.edits if e.category == "metadata")
    assert header.filter == "strip-residue" and header.rule.startswith("en.metadata.")
    assert header.before.strip() == "date 2023-06-19" and header.after == ""
    assert SEED[header.start : header.end] == header.before
    possessives = {(e.before, e.after) for e in report.edits if e.rule == "name-possessive"}
    assert possessives == {("Blinkens’", "Blinken’s"), ("Bidens’", "Biden’s")}
    assert report.metadata["date"] == ["2023-06-19"]
    assert report.metadata["byline"] == ["Associated Press writer Emily Wang"]
    assert {e.category for e in report.removed_lines} == {"metadata", "attribution"}


def test_every_edit_span_indexes_its_filters_input() -> None:
    pipeline = default_pipeline()
    text = SEED
    for f in pipeline:
        out, edits = f.explain(text)
        for edit in edits:
            assert text[edit.start : edit.end] == edit.before, (f.name, edit)
        text = out


def test_pipeline_pickles_and_works_after() -> None:
    pipeline = default_pipeline()
    clone = pickle.loads(pickle.dumps(pipeline))
    assert clone.names == pipeline.names
    assert clone(SEED) == pipeline(SEED)
    assert clone.fingerprint() == pipeline.fingerprint()


def test_pipeline_from_names_and_editing() -> None:
    p = Pipeline.from_names(["stray-period", "normalize-whitespace"])
    assert p("Done. .  \n\n\n") == "Done.\n"
    assert p.without("stray-period").names == ("normalize-whitespace",)
    assert default_pipeline().only("normalize-whitespace", "fix-mojibake").names == (
        "fix-mojibake",
        "normalize-whitespace",
    )
    added = Pipeline(NormalizeWhitespace()).with_filter(
        StrayPeriod(), before="normalize-whitespace"
    )
    assert added.names == ("stray-period", "normalize-whitespace")


def test_unknown_filter_lists_the_valid_names() -> None:
    with pytest.raises(UnknownFilterError) as info:
        Pipeline.from_names(["fix-mojibake", "no-such-filter"])
    assert "no-such-filter" in str(info.value) and "normalize-whitespace" in str(info.value)
    assert isinstance(info.value, KeyError)


def test_bad_options_are_config_errors() -> None:
    with pytest.raises(ConfigError):
        Pipeline.from_names(["stray-period"], {"stray-period": {"nonsense": 1}})
    with pytest.raises(ConfigError):
        Pipeline.from_names(["stray-period"], {"normalize-whitespace": {}})
    with pytest.raises(ConfigError):
        Pipeline(StrayPeriod(), StrayPeriod())


def test_fingerprint_changes_with_configuration() -> None:
    base = default_pipeline()
    assert base.fingerprint() == default_pipeline().fingerprint()
    assert base.without("repair-possessives").fingerprint() != base.fingerprint()
    smaller = StripResidue(catalog=cleantext.Catalog(cleantext.builtin_catalog().rules[:3]))
    assert base.replace(smaller).fingerprint() != base.fingerprint()


def test_clean_accepts_a_custom_pipeline() -> None:
    light = Pipeline(NormalizeWhitespace())
    assert cleantext.clean("Source: TRT  \n\n\n", pipeline=light) == "Source: TRT\n"


def test_output_is_the_same_in_other_processes() -> None:
    # Rule order and set iteration must not depend on the interpreter's hash seed.
    expected = cleantext.clean(SEED)
    code = (
        "import sys, cleantext; sys.stdout.buffer.write(cleantext.clean(sys.stdin.read()).encode())"
    )
    for seed in ("1", "2", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}
        done = subprocess.run(
            [sys.executable, "-c", code], input=SEED.encode(), env=env, capture_output=True,
            check=True,
        )  # fmt: skip
        assert done.stdout.decode() == expected


def test_stdin_to_stdout_through_the_command() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "cleantext", "clean", "-"], input=SEED.encode(), env=env,
        capture_output=True, check=True,
    )  # fmt: skip
    assert done.stdout.decode() == cleantext.clean(SEED)
