"""The bundled seeds clean to their hand-checked gold files, byte for byte."""

from __future__ import annotations

from pathlib import Path

import ftfy
import ftfy.bad_codecs  # registers the sloppy-windows-1252 codec
import pytest

import cleantext

SEEDS = Path(__file__).resolve().parent.parent / "corpora" / "seeds"
INPUTS = sorted((SEEDS / "input").glob("*.txt"))


def _read(path: Path) -> str:
    return path.read_bytes().decode("utf-8")


def test_there_are_five_seeds() -> None:
    assert len(INPUTS) == 5


@pytest.mark.parametrize("path", INPUTS, ids=lambda p: p.stem)
def test_seed_matches_gold(path: Path) -> None:
    assert cleantext.clean(_read(path)) == _read(SEEDS / "gold" / path.name)


@pytest.mark.parametrize("path", INPUTS, ids=lambda p: p.stem)
def test_mojibaked_seed_cleans_to_the_same_gold(path: Path) -> None:
    # Windows-1252 as browsers and ftfy read it: the five undefined bytes become C1 controls.
    mojibake = _read(path).encode("utf-8").decode("sloppy-windows-1252")
    assert mojibake != _read(path)
    assert cleantext.clean(mojibake) == _read(SEEDS / "gold" / path.name)


@pytest.mark.parametrize("path", INPUTS, ids=lambda p: p.stem)
def test_gold_is_a_fixed_point(path: Path) -> None:
    gold = _read(SEEDS / "gold" / path.name)
    assert cleantext.clean(gold) == gold


def test_every_residue_line_of_the_seeds_is_gone() -> None:
    gold = "\n".join(_read(SEEDS / "gold" / p.name) for p in INPUTS)
    for residue in [
        "Leah Millis", "(Photo/TRT)", "Source: TRT", "date 2023-06-19", "See also",
        "Leave a Reply", "Your email address", "contributed to this report",
        "Associated Press writer", "Blinkens’", "Bidens’", ". .", "” .", "Ukraine.and",
        "submarines.with",
    ]:  # fmt: skip
        assert residue not in gold, residue


def test_no_content_sentence_is_lost() -> None:
    # Every line of the input that is not residue survives (after its repairs).
    for path in INPUTS:
        report = cleantext.explain(_read(path))
        removed = {e.before.strip() for e in report.removed_lines}
        for line in removed:
            assert len(line) < 250 or line.endswith(("/AP .", "(Photo/TRT)")), line
        kept = [ln for ln in _read(path).splitlines() if ln.strip() and ln.strip() not in removed]
        assert len(kept) == len([ln for ln in report.text.splitlines() if ln.strip()])


def test_ftfy_does_not_run_on_seeds_without_mojibake(monkeypatch: pytest.MonkeyPatch) -> None:
    # The precheck keeps ftfy off clean news text (curly quotes and all).
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("ftfy was called")

    monkeypatch.setattr(ftfy, "fix_and_explain", refuse)
    monkeypatch.setattr(ftfy, "fix_text", refuse)
    for path in INPUTS:
        gold = _read(SEEDS / "gold" / path.name)
        assert cleantext.clean(gold) == gold
