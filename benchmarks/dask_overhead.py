"""Local versus Dask throughput on the same corpus: what the Dask engine costs on one machine.

Three runs of the same job (plan, then every shard through ``run_shard``), each into its own
destination, and their outputs compared byte for byte:

- ``local``: the process-pool engine with ``--jobs`` workers;
- ``dask, running cluster``: a Dask cluster of ``--jobs`` single-threaded worker processes that
  is already up (what ``--engine dask --scheduler ADDRESS`` costs);
- ``dask, new local cluster``: the same, but starting and stopping the cluster inside the run
  (what ``--engine dask`` without ``--scheduler`` costs).

Run it from the repository root::

    python benchmarks/dask_overhead.py --mb 20 --jobs 2
    python benchmarks/dask_overhead.py --corpus path/to/corpus --json dask.json

Without ``--corpus`` it writes a seeded corpus of unique documents (a JSONL file and a tree of
text files, shuffled and varied paragraphs of the bundled seed articles) to a temporary folder.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(REPO))

from cleantext import default_pipeline  # noqa: E402
from cleantext.engines.local import run_local  # noqa: E402
from cleantext.job import JobConfig, ShardResult, plan_shards, prepare_destination  # noqa: E402

__all__ = ["Measurement", "measure", "write_corpus"]

SEEDS = REPO / "corpora" / "seeds" / "input"
_WORD = re.compile(r"\b[a-z]{4,}\b")


def write_corpus(root: Path, *, megabytes: float, seed: int = 0) -> list[str]:
    """Write about ``megabytes`` of unique documents below ``root``; return the source paths.

    Nine tenths go to ``news.jsonl`` (records ``{"id", "text"}``), the rest to ``tree/`` as one
    ``.txt`` file per document. Each document is eight paragraphs of the seed articles in random
    order, with one lowercase word in every long line swapped for a numbered token, so neither
    documents nor long lines repeat; short residue lines stay as scrapers leave them.

    >>> import tempfile
    >>> sources = write_corpus(Path(tempfile.mkdtemp()), megabytes=0.05)
    >>> [Path(s).name for s in sources]
    ['news.jsonl', 'tree']
    """
    rng = random.Random(seed)
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    paragraphs = [p for text in texts for p in text.split("\n\n") if p.strip()]

    def vary(line: str, n: int) -> str:
        words = list(_WORD.finditer(line)) if len(line) > 80 else []
        if not words:
            return line
        m = rng.choice(words)
        return f"{line[: m.start()]}w{n}x{rng.randrange(10**6)}{line[m.end() :]}"

    def documents() -> Iterator[str]:
        n = 0
        while True:
            chosen = rng.sample(paragraphs, 8)
            yield "\n\n".join("\n".join(vary(ln, n) for ln in p.split("\n")) for p in chosen)
            n += 1

    root.mkdir(parents=True, exist_ok=True)
    budget = int(megabytes * 1e6)
    docs = documents()
    written = 0
    with open(root / "news.jsonl", "w", encoding="utf-8") as fh:
        n = 0
        while written < budget * 0.9:
            line = json.dumps({"id": n, "text": next(docs)}, ensure_ascii=False) + "\n"
            fh.write(line)
            written += len(line.encode())
            n += 1
    tree = root / "tree"
    n = 0
    while written < budget:
        folder = tree / f"part-{n % 4}"
        folder.mkdir(parents=True, exist_ok=True)
        written += (folder / f"doc-{n:05d}.txt").write_bytes(next(docs).encode())
        n += 1
    return [str(root / "news.jsonl"), str(tree)]


@dataclass(frozen=True)
class Measurement:
    """One engine's runs over the corpus: median seconds and throughput, and an output digest."""

    engine: str
    seconds: float
    runs: tuple[float, ...]
    megabytes: float
    mb_per_s: float
    shards: int
    digest: str


def _digest(root: Path) -> str:
    """A digest of every output file below ``root`` (names and bytes), markers excluded."""
    h = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if path.is_file() and ".cleantext" not in rel.parts:
            h.update(str(rel).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()[:16]


Engine = Callable[[list, JobConfig], Iterator[ShardResult]]


def _time(
    name: str, engine: Engine, sources: list[str], work: Path, repeat: int, shard_bytes: int
) -> Measurement:
    runs, digest, shards, size = [], "", 0, 0
    for k in range(repeat):
        out = work / f"{name.replace(' ', '-').replace(',', '')}-{k}"
        config = JobConfig(pipeline=default_pipeline(), destination=str(out),
                           shard_bytes=shard_bytes, jsonl_shard_bytes=shard_bytes)  # fmt: skip
        started = time.perf_counter()
        planned = plan_shards(sources, config)
        prepare_destination(config, sources)
        results = list(engine(planned, config))
        runs.append(time.perf_counter() - started)
        assert not any(r.resumed for r in results), "a fresh destination resumed nothing"
        digest, shards, size = _digest(out), len(planned), sum(r.bytes_in for r in results)
    seconds = statistics.median(runs)
    mb = size / 1e6
    return Measurement(name, round(seconds, 3), tuple(round(r, 3) for r in runs), round(mb, 2),
                       round(mb / seconds, 3), shards, digest)  # fmt: skip


def measure(
    sources: list[str], work: Path, *, jobs: int, repeat: int = 1, shard_bytes: int = 1 << 20
) -> list[Measurement]:
    """Run the job with the local engine and with Dask (running and new cluster); return the
    measurements. Raises ``AssertionError`` if the engines' outputs differ.
    """
    import distributed

    from cleantext.engines.dask import run_dask

    def timed(name: str, engine: Engine) -> Measurement:
        return _time(name, engine, sources, work, repeat, shard_bytes)

    results = [timed("local", lambda s, c: run_local(s, c, jobs=jobs))]
    with distributed.LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster:  # fmt: skip
        address = cluster.scheduler_address
        joined = timed("dask, running cluster", lambda s, c: run_dask(s, c, scheduler=address))
    results.append(joined)
    results.append(timed("dask, new local cluster", lambda s, c: run_dask(s, c, jobs=jobs)))
    digests = {m.engine: m.digest for m in results}
    assert len(set(digests.values())) == 1, f"the engines wrote different outputs: {digests}"
    return results


def format_table(results: list[Measurement]) -> str:
    """A Markdown table, with each engine's time relative to the local engine."""
    base = results[0].seconds
    rows = ["| engine | shards | MB | seconds (median) | MB/s | vs local |",
            "| --- | ---: | ---: | ---: | ---: | ---: |"]  # fmt: skip
    for m in results:
        rows.append(f"| {m.engine} | {m.shards} | {m.megabytes} | {m.seconds} | {m.mb_per_s} "
                    f"| {(m.seconds / base - 1) * 100:+.0f}% |")  # fmt: skip
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, measure, print a Markdown table (and write JSON with ``--json``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, nargs="*", help="sources (default: generate)")
    parser.add_argument("--mb", type=float, default=20.0, help="generated corpus size (MB)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--shard-mb", type=float, default=1.0, help="shard size (MB)")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--json", type=Path, help="write the measurements here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="dask-overhead-") as tmp:
        work = Path(tmp)
        sources = ([str(p) for p in args.corpus] if args.corpus
                   else write_corpus(work / "corpus", megabytes=args.mb))  # fmt: skip
        results = measure(sources, work, jobs=args.jobs, repeat=args.repeat,
                          shard_bytes=max(1, int(args.shard_mb * 1e6)))  # fmt: skip
    print(format_table(results))
    print(f"\noutputs identical across engines (digest {results[0].digest}); jobs={args.jobs}, "
          f"shard size {args.shard_mb} MB, cpu count {os.cpu_count()}")  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps([asdict(m) for m in results], indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
