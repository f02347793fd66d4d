"""Data-driven filter cases: tests/cases/<filter-name>.json.

Each case has a label, the original text, the expected fixed text and ``expect``: "pass", or
"fail" for a known failure, which runs as a strict xfail (it must keep failing until fixed, and
then the case file must be updated). Cases whose fixed text equals the original are negatives.
"""

from __future__ import annotations

import json
from pathlib import Path

import ftfy
import pytest

import cleantext
from cleantext.filters.encoding import FTFY_ENCODING_ONLY, normalize_newlines

CASES = Path(__file__).parent / "cases"


def _load(*, known_failures_fail: bool = True) -> list:
    params = []
    for path in sorted(CASES.glob("*.json")):
        for case in json.loads(path.read_text(encoding="utf-8")):
            marks = []
            if case["expect"] == "fail" and known_failures_fail:
                marks.append(pytest.mark.xfail(strict=True, reason=case.get("comment", "known")))
            params.append(
                pytest.param(path.stem, case, marks=marks, id=f"{path.stem}:{case['label']}")
            )
    return params


@pytest.mark.parametrize(("filter_name", "case"), _load())
def test_case(filter_name: str, case: dict) -> None:
    f = cleantext.make_filter(filter_name)
    assert f.apply(case["original"]) == case["fixed"]


@pytest.mark.parametrize(("filter_name", "case"), _load(known_failures_fail=False))
def test_case_explain_agrees(filter_name: str, case: dict) -> None:
    f = cleantext.make_filter(filter_name)
    text, edits = f.explain(case["original"])
    assert text == f.apply(case["original"])
    assert bool(edits) == (text != case["original"])


def test_every_case_file_names_a_registered_filter() -> None:
    names = set(cleantext.available_filters())
    assert {p.stem for p in CASES.glob("*.json")} <= names


def test_case_files_have_negatives() -> None:
    for path in CASES.glob("*.json"):
        cases = json.loads(path.read_text(encoding="utf-8"))
        assert any(c["original"] == c["fixed"] for c in cases), path.name


@pytest.mark.parametrize(
    "case",
    json.loads((CASES / "fix-mojibake.json").read_text(encoding="utf-8")),
    ids=lambda c: c["label"],
)
def test_mojibake_cases_equal_ftfy(case: dict) -> None:
    expected = ftfy.fix_text(normalize_newlines(case["original"]), FTFY_ENCODING_ONLY)
    assert cleantext.filters.FixMojibake()(case["original"]) == expected
