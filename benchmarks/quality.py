"""Residue quality on the labelled line sets: per-category recall, precision, false removals.

Run ``python -m benchmarks.quality`` from the repository root: it prints a table and writes
``benchmarks/results/quality.json``. Every labelled row (``corpora/labelled/residue.txt`` and
``content.txt``) is placed inside a short article of its own language, at the position the row
names (top, middle or bottom), and the residue filter classifies the whole document, so rules
that depend on context (position, a credit line below a caption) are measured in context.

>>> from benchmarks.quality import load_rows
>>> rows = load_rows(LABELLED / "residue.txt")
>>> rows[0].label, rows[0].language
('photo_credit', 'en')
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cleantext.filters import StripResidue

__all__ = ["LABELLED", "Row", "evaluate", "format_table", "load_rows", "main"]

ROOT = Path(__file__).resolve().parent.parent
LABELLED = ROOT / "corpora" / "labelled"
RESULTS = ROOT / "benchmarks" / "results" / "quality.json"
POSITIONS = ("mid", "top", "bottom")

# Article paragraphs that frame each labelled row, one set per language.
FRAME = {
    "en": (
        "The two governments agreed on Monday to resume regular talks between their militaries, "
        "a step that officials on both sides described as modest but necessary.",
        "The meeting lasted more than three hours and ended without a joint statement, according "
        "to people briefed on the discussions.",
        "Analysts said the outcome would be tested in the coming weeks, when trade restrictions "
        "announced last year are due to be reviewed.",
        "Officials said a second round of talks could take place before the end of the year.",
    ),
    "es": (
        "Los dos gobiernos acordaron el lunes reanudar las conversaciones entre sus ejércitos, un "
        "paso que los funcionarios de ambas partes calificaron de modesto pero necesario.",
        "La reunión duró más de tres horas y terminó sin una declaración conjunta, según "
        "personas informadas sobre las conversaciones.",
        "Los analistas dijeron que el resultado se pondrá a prueba en las próximas semanas.",
        "Una segunda ronda de conversaciones podría celebrarse antes de fin de año.",
    ),
    "fr": (
        "Les deux gouvernements ont convenu lundi de reprendre les discussions entre leurs armées, "
        "une étape jugée modeste mais nécessaire par les responsables des deux camps.",
        "La réunion a duré plus de trois heures et s'est achevée sans déclaration commune, selon "
        "des personnes informées des discussions.",
        "Les analystes estiment que le résultat sera mis à l'épreuve dans les prochaines semaines.",
        "Un second cycle de discussions pourrait avoir lieu avant la fin de l'année.",
    ),
    "de": (
        "Die beiden Regierungen vereinbarten am Montag, die Gespräche zwischen ihren Streitkräften "
        "wieder aufzunehmen, ein Schritt, den Vertreter beider Seiten als bescheiden bezeichneten.",
        "Das Treffen dauerte mehr als drei Stunden und endete ohne gemeinsame Erklärung, wie "
        "Teilnehmer berichteten.",
        "Analysten sagten, das Ergebnis werde sich in den kommenden Wochen bewähren müssen.",
        "Eine zweite Gesprächsrunde könnte noch vor Jahresende stattfinden.",
    ),
}


@dataclass(frozen=True)
class Row:
    """One labelled row: its label (category or kind), language, position and lines."""

    label: str
    language: str
    where: str
    lines: tuple[str, ...]
    source_line: int


def load_rows(path: Path) -> list[Row]:
    """Parse a labelled file: ``## label lang [where]`` headers, then one row per line.

    >>> [r.lines for r in load_rows(LABELLED / "residue.txt") if "\\\\n" in r.lines[0]]
    []
    """
    rows: list[Row] = []
    label = language = ""
    where = "mid"
    for number, raw in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
        line = raw.rstrip("\r")
        if line.startswith("## "):
            parts = line[3:].split()
            if len(parts) not in (2, 3) or (len(parts) == 3 and parts[2] not in POSITIONS):
                raise ValueError(f"{path}:{number}: bad header {line!r}")
            label, language = parts[0], parts[1]
            where = parts[2] if len(parts) == 3 else "mid"
            if language not in FRAME:
                raise ValueError(f"{path}:{number}: no frame for language {language!r}")
            continue
        if not line.strip() or line.startswith("#"):
            continue
        if not label:
            raise ValueError(f"{path}:{number}: row before any '## label lang' header")
        lines = tuple(part.strip() for part in line.split("\\n"))
        rows.append(Row(label, language, where, lines, number))
    return rows


def _document(row: Row) -> tuple[str, list[int]]:
    """The row inside an article of its language; returns the text and the rows' line indexes."""
    frame = FRAME[row.language]
    if row.where == "top":
        blocks = [*row.lines, *frame]
        first = 0
    elif row.where == "bottom":
        blocks = [*frame, *row.lines]
        first = len(frame)
    else:
        blocks = [*frame[:2], *row.lines, *frame[2:]]
        first = 2
    # Paragraphs are separated by one blank line, as scraped text usually is.
    indexes = [2 * (first + k) for k in range(len(row.lines))]
    return "\n\n".join(blocks), indexes


def evaluate(strip: StripResidue | None = None, *, prefix: str = "") -> dict:
    """Classify every labelled row in context; return the figures the report prints.
    ``prefix="heldout_"`` reads the held-out files instead.

    >>> evaluate()["residue_lines"] >= 400
    True
    """
    strip = strip or StripResidue()
    residue = load_rows(LABELLED / f"{prefix}residue.txt")
    content = load_rows(LABELLED / f"{prefix}content.txt")
    lines_of: Counter[str] = Counter()
    removed_of: Counter[str] = Counter()
    by_rule_category: Counter[str] = Counter()
    true_by_rule_category: Counter[str] = Counter()
    lang_lines: Counter[str] = Counter()
    lang_removed: Counter[str] = Counter()
    missed: list[dict] = []
    false_removals: list[dict] = []
    for row in residue:
        text, indexes = _document(row)
        verdicts = strip.classify(text)
        for index, line in zip(indexes, row.lines, strict=True):
            rule = verdicts[index]
            lines_of[row.label] += 1
            lang_lines[row.language] += 1
            if rule is None:
                missed.append({"category": row.label, "language": row.language, "line": line})
                continue
            removed_of[row.label] += 1
            lang_removed[row.language] += 1
            by_rule_category[rule.category] += 1
            true_by_rule_category[rule.category] += 1
    kinds: Counter[str] = Counter()
    for row in content:
        text, indexes = _document(row)
        verdicts = strip.classify(text)
        for index, line in zip(indexes, row.lines, strict=True):
            kinds[row.label] += 1
            rule = verdicts[index]
            if rule is not None:
                by_rule_category[rule.category] += 1
                false_removals.append({"rule": rule.id, "kind": row.label, "line": line})
    categories = {}
    false_by_category: defaultdict[str, int] = defaultdict(int)
    for item in false_removals:
        false_by_category[item["rule"].split(".")[1]] += 1
    for category in sorted(set(lines_of) | set(by_rule_category)):
        n, hit = lines_of[category], removed_of[category]
        flagged = by_rule_category[category]
        categories[category] = {
            "lines": n,
            "removed": hit,
            "recall": round(hit / n, 4) if n else None,
            "precision": round(true_by_rule_category[category] / flagged, 4) if flagged else None,
            "false_removals": false_by_category[category],
        }
    languages = {
        lang: {
            "lines": lang_lines[lang],
            "removed": lang_removed[lang],
            "recall": round(lang_removed[lang] / lang_lines[lang], 4),
        }
        for lang in sorted(lang_lines)
    }
    total = sum(lines_of.values())
    return {
        "rules": len(strip.catalog.rules),
        "residue_lines": total,
        "content_lines": sum(kinds.values()),
        "recall": round(sum(removed_of.values()) / total, 4) if total else None,
        "false_removal_count": len(false_removals),
        "categories": categories,
        "languages": languages,
        "content_kinds": dict(sorted(kinds.items())),
        "missed": missed,
        "false_removals": false_removals,
    }


def format_table(result: dict) -> str:
    """The per-category table as Markdown (what ``main`` prints and the README shows)."""
    out = [
        "| category | residue lines | removed | recall | precision | false removals |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]

    def fmt(value: float | None) -> str:
        return "–" if value is None else f"{value:.3f}"

    for name, c in result["categories"].items():
        out.append(
            f"| {name} | {c['lines']} | {c['removed']} | {fmt(c['recall'])} | "
            f"{fmt(c['precision'])} | {c['false_removals']} |"
        )
    out.append(
        f"| **all** | {result['residue_lines']} | "
        f"{sum(c['removed'] for c in result['categories'].values())} | {fmt(result['recall'])} | "
        f"| {result['false_removal_count']} of {result['content_lines']} content lines |"
    )
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the quality table and write it as JSON; exit 1 if a floor is missed."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.quality", description=__doc__)
    parser.add_argument("-o", "--output", type=Path, default=RESULTS, help="JSON file to write")
    parser.add_argument("-v", "--verbose", action="store_true", help="list missed lines too")
    args = parser.parse_args(argv)
    result = evaluate()
    heldout = evaluate(prefix="heldout_")
    result["heldout"] = {
        k: heldout[k]
        for k in ("residue_lines", "content_lines", "recall", "false_removal_count", "missed")
    }
    result["heldout"]["false_removals"] = heldout["false_removals"]
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", "utf-8")
    print(format_table(result))
    langs = ", ".join(f"{k} {v['recall']:.3f}" for k, v in result["languages"].items())
    print(f"\nrecall by language: {langs}")
    for item in result["false_removals"]:
        print(f"FALSE REMOVAL [{item['rule']}] {item['line']}")
    if args.verbose:
        for item in result["missed"]:
            print(f"missed [{item['category']}/{item['language']}] {item['line']}")
    h = result["heldout"]
    print(
        f"held-out set (written after the rules): recall {h['recall']:.3f} on "
        f"{h['residue_lines']} residue lines; {h['false_removal_count']} of "
        f"{h['content_lines']} content lines removed"
    )
    for item in h["false_removals"]:
        print(f"HELD-OUT FALSE REMOVAL [{item['rule']}] {item['line']}")
    if args.verbose:
        for item in h["missed"]:
            print(f"held-out missed [{item['category']}/{item['language']}] {item['line']}")
    print(f"\nwrote {args.output}")
    low = [k for k, c in result["categories"].items() if c["recall"] is not None
           and c["recall"] < 0.95]  # fmt: skip
    return 1 if low or result["false_removal_count"] else 0


if __name__ == "__main__":
    sys.exit(main())
