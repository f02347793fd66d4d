"""Quality floors on the labelled line sets (corpora/labelled): a change may raise them, never
silently lower them."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from benchmarks.quality import LABELLED, evaluate, format_table, load_rows, main
from cleantext.catalog import CATEGORIES

RECALL_FLOOR = 0.95  # per category, on residue.txt
HELDOUT_RECALL_FLOOR = 0.95  # overall, on heldout_residue.txt


@pytest.fixture(scope="module")
def result() -> dict:
    return evaluate()


def test_labelled_sets_are_large_and_broad() -> None:
    residue = load_rows(LABELLED / "residue.txt")
    content = load_rows(LABELLED / "content.txt")
    assert sum(len(r.lines) for r in residue) >= 400
    assert sum(len(r.lines) for r in content) >= 400
    assert {r.label for r in residue} == set(CATEGORIES)
    languages = Counter(r.language for r in residue)
    assert set(languages) == {"en", "es", "fr", "de"} and min(languages.values()) >= 40
    kinds = {r.label for r in content}
    assert {"narrative", "dateline", "subheading", "quote"} <= kinds
    # No line is labelled both ways.
    both = {x for r in residue for x in r.lines} & {x for r in content for x in r.lines}
    assert not both, both


def test_every_category_keeps_its_recall_floor(result: dict) -> None:
    for name, figures in result["categories"].items():
        assert figures["recall"] >= RECALL_FLOOR, (name, figures)


def test_no_content_line_is_removed(result: dict) -> None:
    assert result["false_removals"] == []
    assert all(c["precision"] in (None, 1.0) for c in result["categories"].values())


def test_heldout_set_recall_and_precision() -> None:
    heldout = evaluate(prefix="heldout_")
    assert heldout["recall"] >= HELDOUT_RECALL_FLOOR
    assert heldout["false_removals"] == []


def test_report_command_writes_json_and_prints_the_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "quality.json"
    assert main(["-o", str(out)]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert set(data["categories"]) == set(CATEGORIES)
    assert data["heldout"]["content_lines"] >= 50
    printed = capsys.readouterr().out
    assert format_table(data) in printed
    assert "| comment_form |" in printed and "held-out set" in printed
