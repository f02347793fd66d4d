"""Seeded language detection and the keep-languages filter."""

from __future__ import annotations

import pickle
import subprocess
import sys
from pathlib import Path

import pytest

import cleantext
from cleantext import ConfigError, Pipeline
from cleantext.language import KeepLanguages, detect, strip_residue_for
from cleantext.registry import DEFAULT_ORDER, available_filters, make_filter

ROOT = Path(__file__).resolve().parent.parent

TEXTS = {
    "en": "The government approved the budget for next year on Wednesday, officials said, "
    "after weeks of talks with the opposition about spending on schools and hospitals.",
    "de": "Die Bundesregierung hat am Mittwoch den Haushalt für das kommende Jahr beschlossen, "
    "nachdem wochenlang mit der Opposition über Ausgaben für Schulen verhandelt wurde.",
    "fr": "Le gouvernement a adopté mercredi le budget de l'année prochaine, après des semaines "
    "de discussions avec l'opposition sur les dépenses consacrées aux écoles.",
    "es": "El Gobierno aprobó el miércoles el presupuesto del próximo año, tras semanas de "
    "negociaciones con la oposición sobre el gasto en escuelas y hospitales.",
}


@pytest.mark.parametrize("language", sorted(TEXTS))
def test_detect_names_the_language(language: str) -> None:
    assert detect(TEXTS[language]) == language


def test_detect_is_deterministic_and_reads_a_sample() -> None:
    mixed = "Das ist ein kurzer Satz. " * 3 + "This is an English sentence about trade. " * 200
    assert {detect(mixed) for _ in range(5)} == {"en"}
    assert detect("OK, 3:2") == "unknown"
    assert detect("") == "unknown"


def test_first_calls_from_many_threads_agree() -> None:
    # A fresh process, so the profiles are not loaded yet when eight threads start at once.
    code = (
        "import concurrent.futures as f, sys\n"
        "from cleantext.language import detect\n"
        f"texts = {list(TEXTS.values())!r} * 4\n"
        "with f.ThreadPoolExecutor(8) as ex: got = list(ex.map(detect, texts))\n"
        "print(','.join(got))\n"
    )
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    ).stdout.strip()
    assert out.split(",") == list(TEXTS) * 4


def test_keep_languages_drops_other_languages() -> None:
    keep = KeepLanguages(languages=("en", "fr"))
    assert keep(TEXTS["en"]) == TEXTS["en"]
    assert keep(TEXTS["fr"]) == TEXTS["fr"]
    assert keep(TEXTS["de"]) == ""
    text, edits = keep.explain(TEXTS["de"])
    assert text == "" and edits[0].category == "language"
    assert edits[0].metadata == (("language", "de"),) and edits[0].before == TEXTS["de"]


def test_keep_languages_flags_without_changing_text() -> None:
    flag = KeepLanguages(languages=("en",), action="flag")
    assert flag(TEXTS["es"]) == TEXTS["es"]
    report = Pipeline(flag).explain(TEXTS["es"])
    assert report.text == TEXTS["es"]
    assert [(e.rule, e.metadata) for e in report.edits] == [
        ("other-language", (("language", "es"),))
    ]
    assert Pipeline(flag).explain(TEXTS["en"]).edits == ()


def test_short_documents_are_kept_unless_asked() -> None:
    assert KeepLanguages(languages=("de",))("Hi there") == "Hi there"
    assert KeepLanguages(languages=("de",), keep_unknown=False)("Hi there") == ""


def test_registered_by_name_opt_in_and_picklable() -> None:
    assert "keep-languages" in available_filters()
    assert "keep-languages" not in DEFAULT_ORDER
    pipeline = Pipeline.from_names(
        ["keep-languages", "strip-residue"], {"keep-languages": {"languages": ["de"]}}
    )
    assert pipeline(TEXTS["en"]) == ""
    again = pickle.loads(pickle.dumps(pipeline))
    assert again(TEXTS["de"]) == TEXTS["de"]
    assert cleantext.clean(TEXTS["en"], pipeline=again) == ""


@pytest.mark.parametrize(
    "options",
    [{"action": "delete"}, {"languages": []}, {"languages": [""]}, {"sample": 3}],
)
def test_bad_options_fail_clearly(options: dict) -> None:
    with pytest.raises(ConfigError, match="keep-languages"):
        make_filter("keep-languages", **options)


def test_residue_rules_restricted_to_the_detected_language() -> None:
    german = TEXTS["de"] + "\n\nMehr zum Thema\n\nLeave a Reply\n\n" + TEXTS["de"]
    strip = strip_residue_for(german)
    assert strip.languages == ("de",)
    assert "Leave a Reply" in strip(german) and "Mehr zum Thema" not in strip(german)
    assert strip_residue_for("??").languages is None
