"""``python -m benchmarks``: generate corpora, run the benchmarks, render results, profile.

Examples::

    python -m benchmarks corpus benchmarks/data/c64 --size 64MB --mojibake-rate 0.1
    python -m benchmarks run --size 64MB --sample 16MB --name latest
    python -m benchmarks run --size 2MB --sample 1MB --steady 1MB --only speed,peers --out /tmp/r
    python -m benchmarks report benchmarks/results/latest.json
    python -m benchmarks profile --sample 8MB
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from benchmarks.corpus import CorpusParams, parse_size
from benchmarks.material import repo_root

__all__ = ["main"]


def _size(text: str) -> int:
    try:
        return parse_size(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _rate(text: str) -> float:
    value = float(text.rstrip("%")) / (100 if text.endswith("%") else 1)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{text}: a rate is between 0 and 1 (or 0% and 100%)")
    return value


def _add_corpus_options(parser: argparse.ArgumentParser, default_size: str) -> None:
    g = parser.add_argument_group("corpus")
    g.add_argument(
        "--size",
        type=_size,
        default=_size(default_size),
        help=f"total corpus size, e.g. 64MB, 1GB (default {default_size})",
    )
    g.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    g.add_argument(
        "--mojibake-rate",
        type=_rate,
        default=0.10,
        help="share of documents mojibaked, 0-1 or 0%%-100%% (default 0.1)",
    )
    g.add_argument(
        "--residue-density",
        type=_rate,
        default=0.15,
        help="chance of a residue line after each paragraph (default 0.15)",
    )
    g.add_argument(
        "--damage-rate",
        type=_rate,
        default=0.10,
        help="chance of a repairable defect in each paragraph (default 0.1)",
    )
    g.add_argument(
        "--doc-kb",
        type=float,
        default=4.0,
        help="median document length in kB, log-normal (default 4)",
    )
    g.add_argument(
        "--doc-sigma",
        type=float,
        default=0.7,
        help="spread of document lengths, sigma of the log (default 0.7)",
    )
    g.add_argument(
        "--accented-names",
        type=_rate,
        default=0.05,
        help="share of drawn names with non-ASCII letters, e.g. Dvořák (default 0.05)",
    )


def _params(args: argparse.Namespace) -> CorpusParams:
    return CorpusParams(
        size=args.size,
        seed=args.seed,
        mojibake_rate=args.mojibake_rate,
        residue_density=args.residue_density,
        damage_rate=args.damage_rate,
        doc_kb_median=args.doc_kb,
        doc_kb_sigma=args.doc_sigma,
        accented_names=args.accented_names,
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)

    corpus = sub.add_parser("corpus", help="generate a corpus (directory tree and/or JSONL)")
    corpus.add_argument("out", type=Path, help="output directory")
    corpus.add_argument(
        "--layout",
        choices=("dir", "jsonl", "both"),
        default="both",
        help="docs/ tree, corpus.jsonl, or both (default both)",
    )
    _add_corpus_options(corpus, "256MB")

    from benchmarks.suite import PARTS

    run = sub.add_parser("run", help="run the benchmarks and write JSON, Markdown and PNG")
    _add_corpus_options(run, "256MB")
    g = run.add_argument_group("run")
    g.add_argument(
        "--sample",
        type=_size,
        default=_size("32MB"),
        help="corpus prefix used for in-process speed and peers (default 32MB)",
    )
    g.add_argument(
        "--sweep-sample",
        type=_size,
        default=_size("8MB"),
        help="corpus prefix used for the mojibake sweep (default 8MB)",
    )
    g.add_argument(
        "--steady",
        type=_size,
        default=_size("16MB"),
        help="documents each in-process pipeline cleans before it is timed, so that its rows "
        "measure a process in its steady state; the paired rows also time them as the cold "
        "start (default 16MB; 0 for none)",
    )
    g.add_argument(
        "--long-doc",
        type=_size,
        default=_size("50MB"),
        help="size of the single long document (default 50MB)",
    )
    g.add_argument("--repeats", type=int, default=3, help="in-process repeats (default 3)")
    g.add_argument("--cli-repeats", type=int, default=3, help="CLI repeats (default 3)")
    g.add_argument(
        "--max-jobs",
        type=int,
        default=None,
        help="CLI runs with --jobs 1..N (default: the number of cores)",
    )
    g.add_argument(
        "--only",
        default=",".join(PARTS),
        help=f"comma-separated parts to run, of {','.join(PARTS)} (default all)",
    )
    g.add_argument(
        "--data",
        type=Path,
        default=repo_root() / "benchmarks" / "data",
        help="where generated corpora and CLI outputs go (default benchmarks/data)",
    )
    g.add_argument(
        "--out",
        type=Path,
        default=repo_root() / "benchmarks" / "results",
        help="results folder (default benchmarks/results)",
    )
    g.add_argument(
        "--what-if-no-fsync",
        action="store_true",
        help="also time the CLI with os.fsync disabled, labelled as an experiment",
    )
    g.add_argument("--name", default="latest", help="results file name stem (default latest)")
    g.add_argument(
        "--repo",
        type=Path,
        default=repo_root(),
        help="the cleantext checkout whose CLI is run (default this one)",
    )

    report = sub.add_parser("report", help="render Markdown and PNG again from a results JSON")
    report.add_argument("results", type=Path)

    profile = sub.add_parser("profile", help="cProfile the default pipeline on a corpus sample")
    _add_corpus_options(profile, "8MB")
    profile.add_argument(
        "--sample", type=_size, default=None, help="bytes to profile (default: --size)"
    )
    profile.add_argument("--top", type=int, default=25, help="rows to print (default 25)")
    return parser


def _profile(args: argparse.Namespace) -> int:
    import cProfile
    import pstats

    import cleantext
    from benchmarks.material import load_material
    from benchmarks.speed import sample

    params = _params(args)
    docs = sample(params, args.sample or params.size, load_material())
    pipeline = cleantext.default_pipeline()
    for doc in docs[:20]:
        pipeline(doc)
    profiler = cProfile.Profile()
    profiler.enable()
    for doc in docs:
        pipeline(doc)
    profiler.disable()
    stats = pstats.Stats(profiler)
    total = stats.total_tt  # type: ignore[attr-defined]
    print(
        f"{len(docs)} documents, {sum(len(d.encode()) for d in docs) / 1e6:.1f} MB, "
        f"{total:.2f} s under the profiler\n"
    )
    print(f"{'own %':>6} {'cum %':>6} {'calls':>9}  function")
    rows = sorted(stats.stats.items(), key=lambda kv: kv[1][2], reverse=True)  # type: ignore[attr-defined]
    for (file, line, func), (_cc, calls, own, cum, _callers) in rows[: args.top]:
        where = f"{Path(file).name}:{line}({func})" if line else func
        print(f"{own / total:6.1%} {cum / total:6.1%} {calls:9d}  {where}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark command line; return the exit code."""
    args = _parser().parse_args(argv)
    if args.command == "corpus":
        from benchmarks.corpus import write_corpus

        manifest = write_corpus(_params(args), args.out, layout=args.layout)
        print(json.dumps(manifest, indent=2))
        return 0
    if args.command == "report":
        from benchmarks.report import write_results

        results = json.loads(args.results.read_text(encoding="utf-8"))
        for path in write_results(results, args.results.parent, args.results.stem):
            print(path)
        return 0
    if args.command == "profile":
        return _profile(args)
    from benchmarks.report import write_results
    from benchmarks.suite import PARTS, RunConfig, run

    parts = tuple(p.strip() for p in args.only.split(",") if p.strip())
    unknown = sorted(set(parts) - set(PARTS))
    if unknown:
        print(f"unknown parts {unknown}; choose from {', '.join(PARTS)}", file=sys.stderr)
        return 2
    if args.repeats < 1 or args.cli_repeats < 1:
        print("--repeats and --cli-repeats must be at least 1", file=sys.stderr)
        return 2
    config = RunConfig(
        params=_params(args),
        sample=args.sample,
        sweep_sample=args.sweep_sample,
        steady=args.steady,
        long_doc=args.long_doc,
        repeats=args.repeats,
        cli_repeats=args.cli_repeats,
        data=args.data,
        repo=args.repo.resolve(),
        parts=parts,
        what_if_no_fsync=args.what_if_no_fsync,
        **({"max_jobs": args.max_jobs} if args.max_jobs else {}),
    )
    from benchmarks.report import write_partial

    results = run(
        config,
        log=lambda msg: print(msg, file=sys.stderr, flush=True),
        checkpoint=lambda partial: write_partial(partial, args.out, args.name),
    )
    for path in write_results(results, args.out, args.name):
        print(path)
    for target in results["targets"]:
        status = {True: "met", False: "MISSED", None: "not measured"}[target["met"]]
        value = "n/a" if target["value"] is None else f"{target['value']:.2f}"
        print(f"{status:>12}  {target['name']}: {value} {target['unit']}")
    return 0
