"""Results as files: JSON (everything), a Markdown table, and a PNG chart (needs matplotlib)."""

from __future__ import annotations

import json
import os
from pathlib import Path

__all__ = ["markdown", "write_chart", "write_partial", "write_results"]

_BASELINE = "ftfy.fix_text (defaults)"
_BASELINE_ENC = "ftfy.fix_text (encoding only)"


def _fmt(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "n/a"
    return f"{value:,.{digits}f}"


def _by(results: dict, group: str) -> list[dict]:
    return [m for m in results["measurements"] if m["group"] == group]


def _ratio(row: dict, base: dict | None) -> str:
    if base is None or not base["mb_per_s"]:
        return "n/a"
    return f"{row['mb_per_s'] / base['mb_per_s']:.1f}x"


def markdown(results: dict) -> str:
    """The results as Markdown tables: speed with ratios to ftfy, sweep, CLI, targets.

    >>> empty = {"measurements": [], "skipped": [], "targets": [], "corpus": {"params": {}}}
    >>> markdown(empty).split("\\n")[0]
    '### Speed, one process (same documents for every row)'
    """
    rows = results["measurements"]
    lines: list[str] = []
    main = [m for m in rows if m["group"] in {"floor", "filter", "pipeline", "peer", "scaling"}]
    base = next((m for m in rows if m["name"] == _BASELINE and m["group"] == "peer"), None)
    base_enc = next((m for m in rows if m["name"] == _BASELINE_ENC and m["group"] == "peer"), None)
    lines += [
        "### Speed, one process (same documents for every row)",
        "",
        "| what | MB/s | docs/s | vs ftfy defaults | vs ftfy encoding-only | spread |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for m in main:
        lines.append(
            f"| {m['name']} | {_fmt(m['mb_per_s'])} | {_fmt(m['docs_per_s'], 0)} | "
            f"{_ratio(m, base)} | {_ratio(m, base_enc)} | {m['spread']:.0%} |"
        )
    steady = results["corpus"].get("steady_state_after_bytes")
    if main and steady:
        cold = any(m["name"].startswith("paired: cold start: ") for m in rows)
        lines += [
            "",
            f"Each cleantext row runs on a pipeline that first cleaned {steady / 1e6:g} MB of "
            "other documents: a process in its steady state."
            + (' The paired rows named "cold start" time those first documents.' if cold else ""),
        ]
    sweep = _by(results, "sweep")
    if sweep:
        rates = sorted({m["mojibake_rate"] for m in sweep})
        names = list(dict.fromkeys(m["name"] for m in sweep))
        lines += [
            "",
            "### Mojibake sweep (MB/s; share of documents mojibaked)",
            "",
            "| what | " + " | ".join(f"{r:.0%}" for r in rates) + " |",
            "| --- |" + " ---: |" * len(rates),
        ]
        for name in names:
            cells = []
            for rate in rates:
                hit = [m for m in sweep if m["name"] == name and m["mojibake_rate"] == rate]
                cells.append(_fmt(hit[0]["mb_per_s"]) if hit else "n/a")
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
    paired = _by(results, "paired")
    if paired:
        rounds = max(len(m["seconds"]) for m in paired)
        lines += [
            "",
            "### Paired rounds (the targets' figures, timed in turn within each round; MB/s)",
            "",
            "| what | " + " | ".join(f"round {r + 1}" for r in range(rounds)) + " |",
            "| --- |" + " ---: |" * rounds,
        ]
        for m in paired:
            cells = [_fmt(m["bytes"] / 1e6 / t) if t > 0 else "n/a" for t in m["seconds"]]
            lines.append(f"| {m['name']} | " + " | ".join(cells) + " |")
    cli = _by(results, "cli")
    if cli:
        lines += [
            "",
            "### Command line, end to end (fresh process, wall time)",
            "",
            "| what | corpus | MB/s | docs/s | peak RSS, largest process (MB) |"
            " peak RSS, all processes (MB) | CPU s, user | CPU s, kernel | busy cores | spread |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        sizes = results["corpus"].get("cli_corpora_bytes", {})
        for m in cli:
            label = m.get("corpus", "")
            size = sizes.get(label)
            corpus = f"{label} ({size / 1e6:g} MB)" if size else label
            lines.append(
                f"| {m['name']} | {corpus} | {_fmt(m['mb_per_s'])} | {_fmt(m['docs_per_s'], 0)} | "
                f"{_fmt(m.get('peak_rss_mb'), 0)} | {_fmt(m.get('tree_rss_mb'), 0)} | "
                f"{_fmt(m.get('user_seconds'))} | {_fmt(m.get('kernel_seconds'))} | "
                f"{_fmt(m.get('busy_cores'), 2)} | {m['spread']:.0%} |"
            )
    if results["targets"]:
        lines += [
            "",
            "### Targets",
            "",
            "| target | measured | goal | met |",
            "| --- | ---: | ---: | :---: |",
        ]
        for t in results["targets"]:
            met = {True: "yes", False: "**no**", None: "not measured"}[t["met"]]
            lines.append(
                f"| {t['name']} | {_fmt(t['value'], 2)} {t['unit']} | "
                f"{t['comparison']} {t['goal']:g} {t['unit']} | {met} |"
            )
    if results.get("references"):
        lines += ["", "### For reference (not targets)", "", "| figure | measured |",
                  "| --- | ---: |"]  # fmt: skip
        for r in results["references"]:
            lines.append(f"| {r['name']} | {_fmt(r['value'], 2)} {r['unit']} |")
    if results["skipped"]:
        lines += [
            "",
            "Skipped: " + "; ".join(f"{s['name']} ({s['reason']})" for s in results["skipped"]),
        ]
    machine = results.get("machine", {})
    load = results.get("load_average", {})
    params = results["corpus"].get("params", {})
    lines += [
        "",
        f"Machine: {machine.get('cpu', '?')}, {machine.get('cores', '?')} cores, "
        f"Python {machine.get('python', '?')}; load average before / after: "
        f"{load.get('before')} / {load.get('after')}. "
        f"Corpus: seed {params.get('seed')}, {params.get('mojibake_rate', 0):.0%} mojibake, "
        f"residue density {params.get('residue_density')}, median document "
        f"{params.get('doc_kb_median')} kB. MB = 10^6 bytes of UTF-8; medians of "
        f"{results.get('repeats', {}).get('in_process', '?')} runs (CLI: "
        f"{results.get('repeats', {}).get('cli', '?')}).",
    ]
    return "\n".join(lines) + "\n"


def write_chart(results: dict, path: Path) -> bool:
    """Draw throughput bars (log scale) and the mojibake sweep; False when matplotlib is missing."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    rows = [
        m
        for m in results["measurements"]
        if m["group"] in {"floor", "pipeline", "peer", "filter", "scaling"}
    ]
    cli = [m for m in results["measurements"] if m["group"] == "cli" and m.get("corpus") == "large"]
    sweep = _by(results, "sweep")
    panels = 1 + bool(sweep) + bool(cli)
    fig, axes = plt.subplots(
        panels,
        1,
        figsize=(10, 3 + 0.35 * len(rows) + 3 * (panels - 1)),
        gridspec_kw={"height_ratios": [max(len(rows), 1) * 0.35 + 1] + [3] * (panels - 1)},
    )
    axes = [axes] if panels == 1 else list(axes)
    colours = {
        "floor": "#999999",
        "filter": "#8fb3d9",
        "pipeline": "#1f5fa6",
        "peer": "#d98c3f",
        "scaling": "#5fa65f",
    }
    ax = axes[0]
    ax.barh(
        [m["name"] for m in rows],
        [m["mb_per_s"] for m in rows],
        color=[colours[m["group"]] for m in rows],
    )
    ax.set_xscale("log")
    ax.invert_yaxis()
    ax.set_xlabel("MB/s, one process (log scale)")
    ax.set_title("cleantext and peers on the same documents")
    for y, m in enumerate(rows):
        ax.text(m["mb_per_s"], y, f" {m['mb_per_s']:.1f}", va="center", fontsize=8)
    index = 1
    if sweep:
        ax = axes[index]
        index += 1
        for name in dict.fromkeys(m["name"] for m in sweep):
            pts = sorted((m["mojibake_rate"], m["mb_per_s"]) for m in sweep if m["name"] == name)
            ax.plot([p[0] * 100 for p in pts], [p[1] for p in pts], marker="o", label=name)
        ax.set_yscale("log")
        ax.set_xlabel("documents mojibaked (%)")
        ax.set_ylabel("MB/s")
        ax.legend(fontsize=8)
    if cli:
        ax = axes[index]
        ax.barh([m["name"] for m in cli], [m["mb_per_s"] for m in cli], color="#1f5fa6")
        ax.invert_yaxis()
        ax.set_xlabel("MB/s, command line end to end (large corpus)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def write_results(results: dict, folder: Path, name: str) -> list[Path]:
    """Write ``name.json``, ``name.md`` and (with matplotlib) ``name.png`` into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for suffix, content in (
        (".json", json.dumps(results, indent=2) + "\n"),
        (".md", markdown(results)),
    ):
        path = folder / f"{name}{suffix}"
        tmp = path.with_suffix(suffix + ".tmp")
        tmp.write_text(content, encoding="utf-8")
        os.replace(tmp, path)
        written.append(path)
    png = folder / f"{name}.png"
    if write_chart(results, png):
        written.append(png)
    (folder / f"{name}.partial.json").unlink(missing_ok=True)
    return written


def write_partial(results: dict, folder: Path, name: str) -> Path:
    """Write the results so far to ``name.partial.json`` (replaced at the end of the run)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.partial.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path
