"""One benchmark run from start to finish: corpus, in-process speed, peers, mojibake sweep, long
document, CLI with ``--jobs 1..N``, memory on two corpus sizes; then the targets are checked.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks import speed
from benchmarks.cli_bench import CliRun, cli_features, run_command
from benchmarks.corpus import MB, CorpusParams, long_document, write_corpus
from benchmarks.material import load_material, repo_root
from benchmarks.measure import Measurement, load_average, machine, versions
from benchmarks.pair import halves, tree_halves

__all__ = ["PARTS", "RunConfig", "ensure_corpus", "run"]

PARTS = ("speed", "peers", "sweep", "long", "cli")
#: By input kind: two independent ``--jobs 1`` processes at once, each on half the input, the
#: most two processes get from this machine (see ``benchmarks/pair.py``).
PAIRS = {
    kind: f"experiment: two cleantext clean --jobs 1 at once, each on half the {kind}"
    for kind in ("directory tree", "JSONL")
}
PAIR_WHY = "the machine's ceiling for --jobs 2: two processes that share nothing (benchmarks.pair)"


@dataclass(frozen=True)
class RunConfig:
    """What one run measures and where it writes."""

    params: CorpusParams = field(default_factory=CorpusParams)
    sample: int = 32 * MB  # in-process measurements use this prefix of the corpus
    sweep_sample: int = 8 * MB
    #: Bytes of other documents each in-process pipeline cleans before it is timed (a new
    #: process runs slower on its first few MB: RE2 builds its automaton as new text comes);
    #: the paired rows time them as the cold start.
    steady: int = 16 * MB
    long_doc: int = 50 * MB
    repeats: int = 3
    cli_repeats: int = 3
    max_jobs: int = field(default_factory=lambda: os.cpu_count() or 1)
    data: Path = field(default_factory=lambda: repo_root() / "benchmarks" / "data")
    repo: Path = field(default_factory=repo_root)
    parts: tuple[str, ...] = PARTS
    what_if_no_fsync: bool = False  # also run the CLI with os.fsync disabled (an experiment)


def ensure_corpus(params: CorpusParams, data: Path, log: Callable[[str], None]) -> Path:
    """The corpus for ``params`` under ``data``, generated unless an identical one is there."""
    name = f"corpus-{params.size // 1000}k-seed{params.seed}-moji{params.mojibake_rate:g}"
    folder = data / name
    manifest = folder / "manifest.json"
    if manifest.is_file():
        try:
            if json.loads(manifest.read_text("utf-8"))["params"] == params.as_dict():
                log(f"corpus: reusing {folder}")
                return folder
        except (ValueError, KeyError):
            pass
    log(f"corpus: generating {params.size / MB:g} MB into {folder}")
    start = time.perf_counter()
    write_corpus(params, folder, layout="both")
    log(f"corpus: done in {time.perf_counter() - start:.1f} s")
    return folder


def _cli_measurement(name: str, runs: list[CliRun], nbytes: int, docs: int, **extra: object):
    """One CLI row from its runs (in round order): times, peak memory, CPU."""
    peaks = [r.peak_rss_mb for r in runs]
    trees = [r.tree_rss_mb for r in runs if r.tree_rss_mb is not None]
    extra = {
        **extra,
        "peak_rss_mb": max(peaks),
        "peak_rss_mb_runs": peaks,
        # Where a run's wall time went: CPU in user space, in the kernel (file system work),
        # and the cores kept busy; each the median over the runs, as for the time.
        "user_seconds": statistics.median(r.user_seconds for r in runs),
        "kernel_seconds": statistics.median(r.kernel_seconds for r in runs),
        "busy_cores": statistics.median(r.busy_cores for r in runs),
    }
    if trees:
        extra["tree_rss_mb"] = max(trees)
    return Measurement(name, tuple(r.seconds for r in runs), nbytes, docs, "cli", extra)


@dataclass
class _CliVariant:
    name: str
    command: list[str]
    extra: dict
    no_fsync: bool = False
    runs: list[CliRun] = field(default_factory=list)
    failed: bool = False


def _cli_part(
    config: RunConfig,
    log: Callable[[str], None],
    found: list[Measurement],
    skipped: list[dict],
    checkpoint: Callable[[], None],
) -> None:
    """Append the CLI measurements to ``found``; a failing command is recorded in ``skipped``
    (with the end of its error output) and the run goes on.

    The commands on one input are run in rounds, each round running every command once
    (``--jobs 1``, ``--jobs 2``, ...), so that a slow spell of the machine falls on all of
    them alike, not on all the runs of one; the scaling target pairs the runs of a round.
    """
    features = cli_features(config.repo)
    large = ensure_corpus(config.params, config.data, log)
    small = ensure_corpus(config.params.with_(size=config.params.size // 4), config.data, log)
    out = config.data / "cli-out"
    if out.exists():
        shutil.rmtree(out)  # an interrupted run's outputs
    # Each run writes into a folder of its own, and all of them are deleted when the CLI part
    # is done. Deleting a run's tens of thousands of files just before the next run made ext4
    # check each inode the next run allocated against the recently deleted ones (perf: about
    # a fifth of the CPU of a tree run in recently_deleted): a cost of the harness, not of the
    # command, and one that fell unevenly on the rounds. Without room for them all, one
    # folder is emptied before each run, as before.
    manifests = [json.loads((c / "manifest.json").read_text("utf-8")) for c in (large, small)]
    room = 10 * config.cli_repeats * sum(int(m["bytes"]) for m in manifests)
    fresh = shutil.disk_usage(config.data).free > 2 * room
    if not fresh:
        log("cli: too little free disk to keep every run's output: one folder, emptied per run")
    runs = itertools.count()
    jobs_list = list(range(1, config.max_jobs + 1)) if features.jobs else [1]
    if not features.jobs:
        skipped.append({"name": "CLI --jobs > 1", "reason": "this CLI has no --jobs option"})
    if not features.jsonl:
        skipped.append({"name": "CLI on JSONL", "reason": "this CLI's --help mentions no JSONL"})

    def in_rounds(variants: list[_CliVariant], label: str, sizes: tuple[int, int]) -> None:
        for round_ in range(config.cli_repeats):
            for v in variants:
                if v.failed:
                    continue
                log(f"cli: {v.name}, {label} corpus, round {round_ + 1}/{config.cli_repeats}")
                target = out / f"run-{next(runs):03d}" if fresh else out
                command = [str(target) if part == str(out) else part for part in v.command]
                try:
                    v.runs.append(
                        run_command(command, config.repo, clear=target, no_fsync=v.no_fsync)
                    )
                except RuntimeError as exc:
                    v.failed = True
                    skipped.append(
                        {"name": f"{v.name} ({label} corpus)", "reason": str(exc)[-600:]}
                    )
        for v in variants:
            if v.runs and not v.failed:
                found.append(_cli_measurement(v.name, v.runs, *sizes, corpus=label, **v.extra))
        checkpoint()

    clean = [sys.executable, "-m", "cleantext", "clean"]
    for corpus, label in ((large, "large"), (small, "small")):
        manifest = json.loads((corpus / "manifest.json").read_text("utf-8"))
        sizes = (int(manifest["bytes"]), int(manifest["documents"]))
        src = corpus / "docs"
        floor = [sys.executable, "-m", "benchmarks.floor", str(src), str(out)]
        tree = [_CliVariant("floor: read + write only (python -m benchmarks.floor)", floor,
                            {"jobs": 1})]  # fmt: skip
        for jobs in jobs_list:
            flags = [*features.quiet_flags, *(["--jobs", str(jobs)] if features.jobs else [])]
            command = [*clean, str(src), "-o", str(out), *flags]
            extra = {"jobs": jobs, "input": "directory"}
            tree.append(_CliVariant(f"cleantext clean (directory tree) --jobs {jobs}", command,
                                    extra))  # fmt: skip
            if config.what_if_no_fsync and label == "large":
                tree.append(_CliVariant(
                    f"experiment: cleantext clean (directory tree) --jobs {jobs}, no fsync",
                    command,
                    {**extra, "experiment": "os.fsync made a no-op (benchmarks/whatif_nofsync)"},
                    no_fsync=True,
                ))  # fmt: skip
        split = tree_halves(src) if label == "large" and 2 in jobs_list else None
        if split is not None:
            tree.append(_pair_variant("directory tree", out, split, features.quiet_flags))
        in_rounds(tree, label, sizes)
        if features.jsonl:
            jsonl = []
            for jobs in jobs_list:
                flags = [*features.quiet_flags, *(["--jobs", str(jobs)] if features.jobs else [])]
                command = [*clean, str(corpus / "corpus.jsonl"), "-o", str(out), *flags]
                jsonl.append(_CliVariant(f"cleantext clean (JSONL) --jobs {jobs}", command,
                                         {"jobs": jobs, "input": "jsonl"}))  # fmt: skip
            if label == "large" and 2 in jobs_list:
                first, second = halves(corpus / "corpus.jsonl")
                jsonl.append(_pair_variant("JSONL", out, ([first], [second]), features.quiet_flags))
            in_rounds(jsonl, label, sizes)
    shutil.rmtree(out, ignore_errors=True)


def _pair_variant(
    kind: str, out: Path, split: tuple[list[Path], list[Path]], flags: list[str]
) -> _CliVariant:
    """The machine's ceiling for two processes on this input, run in the same rounds as the
    command's own ``--jobs 1`` and ``--jobs 2`` (``benchmarks.pair``)."""
    halves_ = [os.pathsep.join(map(str, half)) for half in split]
    command = [sys.executable, "-m", "benchmarks.pair", str(out), *halves_, *flags]
    extra = {"jobs": 2, "input": "jsonl" if kind == "JSONL" else "directory",
             "experiment": PAIR_WHY}  # fmt: skip
    return _CliVariant(PAIRS[kind], command, extra)


def _find(found: list[Measurement], name: str, **extra: object) -> Measurement | None:
    for m in found:
        if m.name == name and all(m.extra.get(k) == v for k, v in extra.items()):
            return m
    return None


def _target(
    name: str, value: float | None, goal: float, *, below: bool = False, unit: str = ""
) -> dict:
    met = None if value is None else (value < goal if below else value >= goal)
    return {
        "name": name,
        "value": value,
        "goal": goal,
        "unit": unit,
        "comparison": "<" if below else ">=",
        "met": met,
    }


def _speed_ratio(found: list[Measurement], name: str, base: str) -> float | None:
    """MB/s of ``name`` over MB/s of ``base``. When both were timed in turn on the same pieces
    (see :func:`speed.paired_speed`), the median of the pieces' ratios; else, when both were
    timed in the same rounds, the median of the rounds' ratios; else of the medians."""
    paired, paired_base = _find(found, speed.PAIRED + name), _find(found, speed.PAIRED + base)
    if paired and paired_base:
        mine, theirs = paired.extra.get("piece_seconds"), paired_base.extra.get("piece_seconds")
        if isinstance(mine, list) and isinstance(theirs, list) and len(mine) == len(theirs):
            return statistics.median(u / t for t, u in zip(mine, theirs, strict=True) if t > 0)
        if len(paired.seconds) == len(paired_base.seconds):
            return statistics.median(
                (paired.nbytes / t) / (paired_base.nbytes / u)
                for t, u in zip(paired.seconds, paired_base.seconds, strict=True)
            )
    one, other = _find(found, name), _find(found, base)
    return one.mb_s / other.mb_s if one and other else None


def _jobs_ratio(j1: Measurement | None, j2: Measurement | None) -> float | None:
    """How many times faster ``j2`` ran than ``j1``: the median of the ratios of the runs of
    one round, when both ran in the same rounds; else the ratio of the medians."""
    if j1 is None or j2 is None:
        return None
    if len(j1.seconds) == len(j2.seconds) > 1:
        return statistics.median(
            a / b for a, b in zip(j1.seconds, j2.seconds, strict=True) if b > 0
        )
    return j2.mb_s / j1.mb_s


#: The two ways of calling the pipeline that the ratio targets compare with ftfy (label, name),
#: and ftfy's two configurations (label, name, goal).
_PIPELINES = (
    ("pipeline", speed.PIPELINE),
    (speed.PIPELINE_MANY.removeprefix("cleantext default "), speed.PIPELINE_MANY),
)
_FTFY = (
    ("defaults", "ftfy.fix_text (defaults)", 8.0),
    ("encoding-only", "ftfy.fix_text (encoding only)", 4.0),
)


def targets(found: list[Measurement]) -> list[dict]:
    """The issue's done-when figures, measured; ``met`` is None when not measured. Ratios come
    from the paired rounds when the run has them."""
    clean = _find(found, speed.ALREADY_CLEAN)
    # The pipeline called once per document, then 64 documents per call (apply_many), against
    # ftfy with its defaults and with its encoding fixes only.
    out = [
        _target(
            f"{label} vs ftfy.fix_text {ftfy_label} (10% mojibake)",
            _speed_ratio(found, name, ftfy_name),
            goal,
            unit="x",
        )
        for label, name in _PIPELINES
        for ftfy_label, ftfy_name, goal in _FTFY
    ]
    out += [
        _target(
            "pipeline on documents needing no repair",
            clean.mb_s if clean else None,
            40.0,
            unit="MB/s",
        ),
    ]
    out.append(
        _target(
            "one long document vs small documents, per byte",
            _speed_ratio(found, speed.LONG, speed.PIPELINE),
            1.0,
            unit="x",
        )
    )
    # The issue names no input kind: both are reported, the tree of files (per-file kernel work
    # that two processes share less well) first.
    for kind in ("directory tree", "JSONL"):
        j1 = _find(found, f"cleantext clean ({kind}) --jobs 1", corpus="large")
        j2 = _find(found, f"cleantext clean ({kind}) --jobs 2", corpus="large")
        out.append(_target(f"CLI --jobs 2 vs --jobs 1, {kind}", _jobs_ratio(j1, j2), 1.8, unit="x"))
    cli = [m for m in found if m.group == "cli" and m.name.startswith("cleantext clean")]
    # (experiment rows start with "experiment:" and are left out of the targets)
    if cli:
        peak = max(float(m.extra["peak_rss_mb"]) for m in cli)  # type: ignore[arg-type]
        out.append(
            _target("CLI peak RSS (largest process, any run)", peak, 300.0, below=True, unit="MB")
        )
        growth = []
        for m in cli:
            if m.extra.get("corpus") != "large":
                continue
            other = _find(found, m.name, corpus="small")
            if other is not None:
                growth.append(float(m.extra["peak_rss_mb"]) / float(other.extra["peak_rss_mb"]))  # type: ignore[arg-type]
        out.append(
            _target(
                "CLI peak RSS, large / small corpus (flat: < 1.25)",
                max(growth) if growth else None,
                1.25,
                below=True,
                unit="x",
            )
        )
    return out


def references(found: list[Measurement]) -> list[dict]:
    """Figures that explain the scaling targets, not targets themselves: for each input kind,
    how much faster than ``--jobs 1`` two independent processes ran (the machine's ceiling),
    and how much of that ``--jobs 2`` reached; each from the runs of the same rounds."""
    figures = []
    for kind, pair_name in PAIRS.items():
        j1 = _find(found, f"cleantext clean ({kind}) --jobs 1", corpus="large")
        j2 = _find(found, f"cleantext clean ({kind}) --jobs 2", corpus="large")
        pair = _find(found, pair_name, corpus="large")
        figures += [
            (f"two independent --jobs 1 processes vs --jobs 1, {kind} (the machine's ceiling "
             "for --jobs 2)", _jobs_ratio(j1, pair)),
            (f"--jobs 2 vs two independent --jobs 1 processes, {kind} (the share of the "
             "ceiling reached)", _jobs_ratio(pair, j2)),
        ]  # fmt: skip
    # What a new process gets on its first documents (the targets take the steady state): over
    # the whole stretch, not the median of its pieces, which would fall halfway through it.
    for label, name in _PIPELINES:
        for ftfy_label, ftfy_name, _ in _FTFY:
            mine = _find(found, speed.PAIRED + speed.COLD_START + name)
            theirs = _find(found, speed.PAIRED + speed.COLD_START + ftfy_name)
            figures.append(
                (
                    f"cold start (the first documents a new process cleans): {label} vs "
                    f"ftfy.fix_text {ftfy_label}",
                    mine.mb_s / theirs.mb_s if mine and theirs else None,
                )
            )
    return [{"name": name, "value": value, "unit": "x"} for name, value in figures if value]


def run(
    config: RunConfig,
    log: Callable[[str], None] = print,
    checkpoint: Callable[[dict], None] | None = None,
) -> dict:
    """Run the parts of the benchmark ``config`` selects; return the results as JSON data.

    ``checkpoint`` receives the results so far after each part (and each CLI measurement), so
    an interrupted run keeps what it measured.
    """
    started = dt.datetime.now(dt.UTC)
    load_before = load_average()
    material = load_material()  # the corpus material always comes from this checkout
    found: list[Measurement] = []
    skipped: list[dict] = []
    params = config.params
    docs: speed.Rounds | None = None
    gate_share = None

    def results() -> dict:
        return _results(config, started, load_before, material.sources, gate_share, found,
                        skipped)  # fmt: skip

    def save() -> None:
        if checkpoint is not None:
            checkpoint(results())

    if {"speed", "peers"} & set(config.parts):
        log(
            f"sample: generating {config.repeats} rounds of {config.sample / MB:g} MB of the "
            "corpus in memory (each round on documents the others do not hold)"
        )
        docs = speed.sample_rounds(params, config.sample, material, config.repeats, config.steady)
        from cleantext.filters.encoding import may_contain_mojibake

        gate_share = sum(map(may_contain_mojibake, docs.first)) / max(docs.docs, 1)
    if "speed" in config.parts:
        log("speed: floor, filters, pipeline, explain, already-clean documents")
        found += speed.pipeline_speed(docs)
        save()
    if "peers" in config.parts:
        log("peers: ftfy (defaults, encoding only), clean-text")
        measured, missing = speed.peer_speed(docs)
        found += measured
        skipped += missing
        save()
    if "sweep" in config.parts:
        log(f"sweep: mojibake 0%, 10%, 100% on {config.sweep_sample / MB:g} MB")
        found += speed.sweep_speed(
            params, config.sweep_sample, material, config.repeats, steady=config.steady
        )
        save()
    long_doc = None
    if "long" in config.parts:
        log(f"long: one {config.long_doc / MB:g} MB document")
        long_doc = long_document(config.long_doc, params, material=material)
        steady = (
            docs.steady
            if docs is not None
            else speed.sample_rounds(params, 0, material, 0, config.steady).steady
        )
        found.append(
            speed.long_document_speed(
                params, config.long_doc, material, config.repeats, long_doc, steady
            )
        )
        save()
    if {"speed", "peers"} <= set(config.parts):
        log("paired: the targets' figures again, timed in turn within each round")
        found += speed.paired_speed(docs, long_doc)
        save()
    del docs, long_doc
    if "cli" in config.parts:
        _cli_part(config, log, found, skipped, save)
    return results()


def _git(repo: Path) -> dict[str, object] | None:
    """The commit of the measured checkout, and whether it had uncommitted changes."""
    import subprocess

    try:
        git = ["git", "-C", str(repo)]
        run = {"capture_output": True, "text": True, "check": True}
        head = subprocess.run([*git, "rev-parse", "HEAD"], **run).stdout.strip()
        dirty = subprocess.run([*git, "status", "--porcelain", "--", "cleantext"], **run).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    return {"commit": head, "cleantext_modified": bool(dirty)}


def _results(
    config: RunConfig,
    started: dt.datetime,
    load_before: list[float] | None,
    sources: tuple[str, ...],
    gate_share: float | None,
    found: list[Measurement],
    skipped: list[dict],
) -> dict:
    params = config.params
    return {
        "schema": 1,
        "started": started.isoformat(timespec="seconds"),
        "finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": ["python", "-m", "benchmarks", *sys.argv[1:]],
        "machine": machine(),
        "git": _git(config.repo),
        "load_average": {
            "before": load_before,
            "after": load_average(),
            "note": "other work on the machine at the same time slows every figure",
        },
        "versions": versions(),
        "corpus": {
            "params": params.as_dict(),
            "material": list(sources),
            "in_process_sample_bytes": config.sample,
            "share_sent_to_ftfy_by_precheck": gate_share,
            "sweep_sample_bytes": config.sweep_sample,
            "steady_state_after_bytes": config.steady,
            "long_document_bytes": config.long_doc,
            "cli_corpora_bytes": {"large": params.size, "small": params.size // 4},
        },
        "repeats": {"in_process": config.repeats, "cli": config.cli_repeats},
        "measurements": [m.as_dict() for m in found],
        "skipped": list(skipped),
        "targets": targets(found),
        "references": references(found),
        "summary_note": "MB = 10^6 bytes of UTF-8; every figure is the median of the repeats",
    }
