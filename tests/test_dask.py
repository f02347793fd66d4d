"""Dask support, tested against a real cluster: a `dask scheduler` and `dask worker` processes
started here on 127.0.0.1, each on its own free port, and stopped again (only those processes).
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("distributed", reason='Dask is an extra: pip install "cleantext-corpus[dask]"')

import dask
import dask.bag as db
import numpy as np  # installed with the dask extra
from distributed import Client, get_task_stream

import cleantext
from cleantext import ConfigError, Pipeline
from cleantext.filters import NormalizeWhitespace, StrayPeriod
from cleantext.io import is_temp_file

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "corpora" / "seeds" / "input"
STARTUP_TIMEOUT = 60.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LocalDaskCluster:
    """Processes this test module started: one scheduler and its workers."""

    address: str
    scheduler: subprocess.Popen[bytes]
    workers: list[subprocess.Popen[bytes]]
    logs: Path

    @property
    def processes(self) -> list[subprocess.Popen[bytes]]:
        return [*self.workers, self.scheduler]

    def log_tail(self, lines: int = 20) -> str:
        parts = []
        for log in sorted(self.logs.glob("*.log")):
            tail = log.read_text(errors="replace").splitlines()[-lines:]
            parts.append(f"--- {log.name}\n" + "\n".join(tail))
        return "\n".join(parts)


def _stop(processes: list[subprocess.Popen[bytes]], timeout: float = 10.0) -> None:
    """Terminate exactly these processes, in order, then kill any still alive after ``timeout``.

    Workers are listed before the scheduler: a worker whose scheduler vanishes while it closes
    can hang, so each process is waited for before the next one is signalled.
    """
    for proc in processes:
        if proc.poll() is None:
            proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


@contextmanager
def dask_cluster(
    workdir: Path, *, nworkers: int = 2, preload: Path | None = None
) -> Iterator[LocalDaskCluster]:
    """Start `dask scheduler` and ``nworkers`` `dask worker` processes on 127.0.0.1; stop them.

    Workers run without a nanny, so each worker is exactly one process that we started (and a
    test can kill it), with one thread each, and import cleantext from this checkout.
    ``preload`` is a Python file each worker runs at start (``dask worker --preload``).
    """
    logs = workdir / "dask-logs"
    logs.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    address = f"tcp://127.0.0.1:{_free_port()}"
    started: list[subprocess.Popen[bytes]] = []

    def spawn(args: list[str], log: str) -> subprocess.Popen[bytes]:
        with open(logs / log, "wb") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", "dask", *args],
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                cwd=workdir,
                env=env,
            )
        started.append(proc)
        return proc

    # Without a dashboard, Dask still serves HTTP (health, metrics), by default on 0.0.0.0 and,
    # for the scheduler, on the fixed port 8787: keep it on loopback, on a free port.
    no_dashboard = ["--no-dashboard", "--dashboard-address", "127.0.0.1:0"]
    try:
        port = address.rsplit(":", 1)[1]
        scheduler = spawn(
            ["scheduler", "--host", "127.0.0.1", "--port", port, *no_dashboard],
            "scheduler.log",
        )
        worker_args = "--host 127.0.0.1 --no-nanny --nworkers 1 --nthreads 1"
        if preload is not None:
            worker_args += f" --preload {preload}"
        workers = []
        for i in range(nworkers):
            args = [
                *worker_args.split(),
                *no_dashboard,
                "--local-directory",
                str(workdir / f"worker-{i}"),
            ]
            workers.append(spawn(["worker", address, *args], f"worker-{i}.log"))
        cluster = LocalDaskCluster(address, scheduler, workers, logs)
        try:
            with Client(address, timeout=STARTUP_TIMEOUT) as client:
                client.wait_for_workers(nworkers, timeout=STARTUP_TIMEOUT)
        except Exception as exc:
            raise RuntimeError(f"Dask cluster did not start:\n{cluster.log_tail()}") from exc
        yield cluster
    finally:
        _stop(started[1:] + started[:1])  # workers first, then the scheduler


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalDaskCluster]:
    with dask_cluster(tmp_path_factory.mktemp("dask")) as running:
        yield running


@pytest.fixture
def client(cluster: LocalDaskCluster) -> Iterator[Client]:
    with Client(cluster.address, timeout=STARTUP_TIMEOUT) as connected:
        yield connected


def _seed_texts() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]


# --- the cluster helper itself ------------------------------------------------------------


def test_cluster_helper_stops_exactly_the_processes_it_started(tmp_path: Path) -> None:
    with dask_cluster(tmp_path, nworkers=1) as running:
        pids = [p.pid for p in running.processes]
        assert all(p.poll() is None for p in running.processes)
        with Client(running.address) as c:
            assert list(c.run(os.getpid).values()) == [running.workers[0].pid]
    assert all(p.returncode is not None for p in running.processes)
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


# --- clean_bag ----------------------------------------------------------------------------


def test_clean_bag_runs_on_the_workers_and_matches_clean(client: Client) -> None:
    from cleantext.dask import clean_bag

    texts = _seed_texts() * 4 + ["Xi met Blinken. .", "", "Leave a Reply\n"]
    with get_task_stream(client) as stream:
        result = clean_bag(db.from_sequence(texts, npartitions=6)).compute()
    assert result == [cleantext.clean(t) for t in texts]
    assert result != texts  # the seeds do hold residue: cleaning changed something
    workers = {task["worker"] for task in stream.data}
    assert workers <= set(client.scheduler_info()["workers"]) and workers


def test_clean_bag_uses_the_given_pipeline(client: Client) -> None:
    from cleantext.dask import clean_bag

    light = Pipeline(StrayPeriod(), NormalizeWhitespace())
    texts = ["Done. .  \n\n\n", "Leave a Reply\n\nSource: TRT"]
    result = clean_bag(db.from_sequence(texts, npartitions=2), pipeline=light).compute()
    assert result == ["Done.\n", "Leave a Reply\n\nSource: TRT"]
    assert result != [cleantext.clean(t) for t in texts]


def test_clean_bag_rejects_what_is_not_text(client: Client) -> None:
    from cleantext.dask import clean_bag

    with pytest.raises(TypeError, match="expects str texts; got int"):
        clean_bag(db.from_sequence(["fine", 42], npartitions=1)).compute()
    with pytest.raises(TypeError, match=r"expects a dask\.bag\.Bag"):
        clean_bag(["not", "a", "bag"])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"must be a cleantext\.Pipeline"):
        clean_bag(db.from_sequence(["x"]), pipeline="default")  # type: ignore[arg-type]


def test_a_partition_is_cleaned_64_texts_per_call(batch_sizes) -> None:
    # In the worker's own function, without a cluster: texts go to apply_many 64 at a time,
    # and come back in order, equal to one call each.
    from cleantext import dask as ctdask

    sizes = batch_sizes("apply_many")
    texts = [f"Doc {i} said so. .\n\nLeave a Reply" for i in range(150)]
    assert ctdask._clean_partition(iter(texts), None) == [cleantext.clean(t) for t in texts]
    assert sizes == [64, 64, 22]


# --- clean_dataframe ----------------------------------------------------------------------


def test_clean_dataframe_cleans_one_column_and_keeps_the_rest(client: Client) -> None:
    pd = pytest.importorskip("pandas")
    dd = pytest.importorskip("dask.dataframe")
    from cleantext.dask import clean_dataframe

    texts = [*_seed_texts(), "Xi met Blinken. .", None, "Source: TRT"]
    frame = pd.DataFrame(
        {
            "url": [f"https://example.com/{i}" for i in range(len(texts))],
            "text": texts,
            "words": range(len(texts)),
        },
        index=pd.Index([f"doc{i}" for i in range(len(texts))], name="doc"),
    )
    ddf = dd.from_pandas(frame, npartitions=3)
    out = clean_dataframe(ddf, "text").compute()

    assert list(out.columns) == ["url", "text", "words"]
    assert out.index.tolist() == frame.index.tolist()
    assert out.dtypes.tolist() == ddf.dtypes.tolist()
    assert out["url"].tolist() == frame["url"].tolist()
    assert out["words"].tolist() == frame["words"].tolist()
    expected = [None if t is None else cleantext.clean(t) for t in texts]
    got = [None if pd.isna(t) else t for t in out["text"].tolist()]
    assert got == expected


def test_clean_dataframe_honours_the_pipeline_and_checks_its_input(client: Client) -> None:
    pd = pytest.importorskip("pandas")
    dd = pytest.importorskip("dask.dataframe")
    from cleantext.dask import clean_dataframe

    ddf = dd.from_pandas(pd.DataFrame({"n": [1, 2], "body": ["A. .", "Source: TRT"]}), 1)
    light = Pipeline(StrayPeriod())
    out = clean_dataframe(ddf, "body", pipeline=light).compute()
    assert out["body"].tolist() == ["A.", "Source: TRT"]

    with pytest.raises(ConfigError, match=r"no column 'text'.*\['n', 'body'\]"):
        clean_dataframe(ddf, "text")
    with pytest.raises(TypeError, match="column 'n' holds int64, not text"):
        clean_dataframe(ddf, "n")
    with dask.config.set({"dataframe.convert-string": False}):  # keep the object column
        mixed = dd.from_pandas(pd.DataFrame({"body": pd.Series(["ok", 3], dtype=object)}), 1)
        assert mixed.dtypes["body"] == np.dtype(object)
        with pytest.raises(TypeError, match="expects str texts; got int"):
            clean_dataframe(mixed, "body").compute()


def test_pipeline_survives_the_trip_to_a_worker(client: Client) -> None:
    """The pipeline object is pickled to a worker process and back, unchanged."""
    pipeline = cleantext.default_pipeline().without("repair-possessives")
    future = client.submit(Pipeline.fingerprint, pipeline)
    assert future.result() == pipeline.fingerprint()
    assert client.submit(os.getpid).result() != os.getpid()


# --- the command with --engine dask -------------------------------------------------------


def _make_corpus(root: Path, *, jsonl_docs: int, tree_docs: int, seed: int = 7) -> list[str]:
    """Write a tree of text files and a JSONL file of unique documents; return the sources.

    Documents are shuffled paragraphs of the seed articles (residue included) plus a numbered
    line, so each is unique. Bad inputs are included too: invalid UTF-8 in the tree, an
    unparsable record in the JSONL file. Both engines must reject them the same way.
    """
    rng = random.Random(seed)
    paragraphs = [p for text in _seed_texts() for p in text.split("\n\n") if p.strip()]

    def document(n: int) -> str:
        return "\n\n".join(rng.sample(paragraphs, 8)) + f"\n\nDocument {n}.\n"

    tree = root / "tree"
    for i, text in enumerate(_seed_texts()):
        (tree / "seeds").mkdir(parents=True, exist_ok=True)
        (tree / "seeds" / f"seed-{i}.txt").write_text(text, encoding="utf-8")
    for n in range(tree_docs):
        folder = tree / f"part-{n % 3}" / f"sub-{n % 2}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"doc-{n:04d}.txt").write_text(document(n), encoding="utf-8")
    (tree / "broken.txt").write_bytes(b"Valid start, then \xff\xfe bad bytes.\n")
    (tree / "notes.md").write_text("not a .txt file: left alone\n", encoding="utf-8")

    lines = [json.dumps({"id": n, "text": document(n), "lang": "en"}) for n in range(jsonl_docs)]
    lines.insert(len(lines) // 2, '{"id": "broken", "text": ')  # an unparsable record
    corpus = root / "news.jsonl"
    corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return [str(tree), str(corpus)]


def _cli(*args: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "cleantext", "clean", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
    )


def _files(root: Path) -> dict[str, bytes]:
    """Every file below ``root`` by relative path, except the resume markers."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".cleantext" not in p.relative_to(root).parts
    }


def _summary(stderr: str) -> list[str]:
    """The end-of-run summary without its timing line."""
    lines = stderr.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("documents:"))
    return [line for line in lines[start:] if not line.startswith("time:")]


def _shards_run(client: Client) -> int:
    """How many shard tasks the scheduler has seen finish, over all clients so far."""

    def count(dask_scheduler: Any) -> int:
        return sum(
            prefix.state_counts["memory"]
            for name, prefix in dask_scheduler.task_prefixes.items()
            if name.startswith(("cleantext-text", "cleantext-jsonl"))
        )

    return client.run_on_scheduler(count)


def test_cli_dask_output_matches_local_byte_for_byte(
    cluster: LocalDaskCluster, client: Client, tmp_path: Path
) -> None:
    sources = _make_corpus(tmp_path / "in", jsonl_docs=240, tree_docs=60)
    options = ["--shard-bytes", "40000"]  # several shards of each kind, spread over both workers
    before = _shards_run(client)
    local = _cli(*sources, "-o", str(tmp_path / "local"), "--report", str(tmp_path / "local.jsonl"),
                 "-j", "2", *options)  # fmt: skip
    on_dask = _cli(*sources, "-o", str(tmp_path / "dask"), "--report", str(tmp_path / "dask.jsonl"),
                   "--engine", "dask", "--scheduler", cluster.address, *options)  # fmt: skip

    assert local.returncode == 1, local.stderr  # 1: two inputs were rejected
    assert on_dask.returncode == local.returncode, on_dask.stderr
    expected = _files(tmp_path / "local")
    assert len([name for name in expected if name.startswith("news/part-")]) >= 3
    assert len(expected) == 5 + 60 + len([n for n in expected if n.startswith("news/part-")])
    assert _files(tmp_path / "dask") == expected
    assert (tmp_path / "dask.jsonl").read_bytes() == (tmp_path / "local.jsonl").read_bytes()
    assert _summary(on_dask.stderr) == _summary(local.stderr)
    assert "documents: 305 cleaned, 2 rejected" in on_dask.stderr
    markers = sorted((tmp_path / "dask" / ".cleantext" / "done").iterdir())
    assert len(markers) == len(list((tmp_path / "local" / ".cleantext" / "done").iterdir()))
    assert _shards_run(client) - before == len(markers)  # every shard ran on the cluster


def test_cli_dask_resumes_a_finished_run(cluster: LocalDaskCluster, tmp_path: Path) -> None:
    sources = _make_corpus(tmp_path / "in", jsonl_docs=60, tree_docs=10)
    out = tmp_path / "out"
    args = [*sources, "-o", str(out), "--shard-bytes", "40000"]
    first = _cli(*args)  # the local engine writes it...
    assert first.returncode == 1, first.stderr
    written = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    again = _cli(*args, "--engine", "dask", "--scheduler", cluster.address)  # ...Dask resumes
    assert again.returncode == 1, again.stderr
    shards = len(list((out / ".cleantext" / "done").iterdir()))
    assert f"resumed:   {shards} of {shards} shards were already done" in again.stderr
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()} == written


def test_run_dask_without_a_scheduler_runs_a_loopback_cluster_and_stops_it(tmp_path: Path) -> None:
    psutil = pytest.importorskip("psutil")
    from cleantext.engines.dask import run_dask
    from cleantext.engines.local import run_local

    shards, config = _job(tmp_path / "dask", 40)
    local_shards, local_config = _job(tmp_path / "local", 40)
    expected = list(run_local(local_shards, local_config, jobs=1))
    listening: set[str] = set()
    cluster_pids: set[int] = set()
    before = {proc.pid for proc in psutil.Process().children(recursive=True)}  # other fixtures'

    def look(_: object) -> None:  # called while the cluster is up
        for proc in psutil.Process().children(recursive=True):
            with contextlib.suppress(psutil.NoSuchProcess):
                if proc.pid in before or "resource_tracker" in " ".join(proc.cmdline()):
                    continue  # not ours, or multiprocessing's helper (lives as long as we do)
                cluster_pids.add(proc.pid)
                for conn in proc.net_connections(kind="inet"):
                    if conn.status == psutil.CONN_LISTEN:
                        listening.add(conn.laddr.ip)

    results = list(run_dask(shards, config, jobs=2, progress=look))
    assert sum(r.docs for r in results) == sum(r.docs for r in expected) == 40 + 10 + 5
    assert _files(tmp_path / "dask" / "out") == _files(tmp_path / "local" / "out")
    assert len(cluster_pids) >= 2 and listening == {"127.0.0.1"}

    def running(pid: int) -> bool:
        try:
            return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
        except psutil.NoSuchProcess:
            return False

    assert not [pid for pid in cluster_pids if running(pid)]


def test_cli_dask_unreachable_scheduler_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("Hello. .\n", encoding="utf-8")
    address = f"tcp://127.0.0.1:{_free_port()}"  # nothing listens there
    env_timeout = {"DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "2s"}
    done = subprocess.run(
        [sys.executable, "-m", "cleantext", "clean", str(tmp_path / "in"), "-o",
         str(tmp_path / "out"), "--engine", "dask", "--scheduler", address],
        capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONPATH": str(REPO), **env_timeout},
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert f"cannot reach the Dask scheduler at {address}" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "out" / "a.txt").exists()

    bad = _cli(str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--engine", "dask",
               "--scheduler", "http://127.0.0.1:8786")  # fmt: skip
    assert bad.returncode == 2, bad.stderr
    assert "invalid Dask scheduler address 'http://127.0.0.1:8786'" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_cli_dask_engine_without_dask_names_the_extra(tmp_path: Path) -> None:
    # A package named `distributed` that fails to import stands in for an absent Dask.
    fake = tmp_path / "no-dask" / "distributed"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError(\"No module named 'distributed'\")\n")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("Hello. .\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "cleantext", "clean", str(tmp_path / "in"), "-o",
         str(tmp_path / "out"), "--engine", "dask"],
        capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(fake.parent), str(REPO)])},
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert 'pip install "cleantext-corpus[dask]"' in done.stderr
    assert "Traceback" not in done.stderr


SLOW_COMMITS = """\
# Test-only latency, loaded into each worker with `dask worker --preload`: every atomic write
# waits before its rename, so shards take long enough to kill a worker in the middle of one
# (often with a temporary file written and not yet renamed). Behaviour is otherwise unchanged.
# Dask may import a preload more than once: wrap the original method only.
import time

from cleantext import io

_original = getattr(io.AtomicFile, "_original_commit", io.AtomicFile.commit)


def _slow_commit(self, **options):
    time.sleep(0.2)
    _original(self, **options)


io.AtomicFile._original_commit = _original
io.AtomicFile.commit = _slow_commit
"""


def _suspicious_shards(client: Client) -> int:
    """Shard tasks that were running on a worker when it died (the scheduler reran them)."""

    def count(dask_scheduler: Any) -> int:
        return sum(
            prefix.suspicious
            for name, prefix in dask_scheduler.task_prefixes.items()
            if name.startswith(("cleantext-text", "cleantext-jsonl"))
        )

    return client.run_on_scheduler(count)


@pytest.mark.slow
def test_cli_dask_survives_a_worker_killed_mid_run(tmp_path: Path) -> None:
    sources = _make_corpus(tmp_path / "in", jsonl_docs=320, tree_docs=8)
    options = ["--shard-bytes", "40000"]
    local = _cli(*sources, "-o", str(tmp_path / "local"), "-j", "2",
                 "--report", str(tmp_path / "local.jsonl"), *options)  # fmt: skip
    assert local.returncode == 1, local.stderr
    shards = len(list((tmp_path / "local" / ".cleantext" / "done").iterdir()))
    assert shards >= 12

    preload = tmp_path / "slow_commits.py"
    preload.write_text(SLOW_COMMITS, encoding="utf-8")
    out = tmp_path / "dask"
    done_dir = out / ".cleantext" / "done"
    with dask_cluster(tmp_path / "cluster", preload=preload) as running:
        victim = running.workers[0]
        with Client(running.address) as client:
            address = {pid: addr for addr, pid in client.run(os.getpid).items()}[victim.pid]
            env = {**os.environ, "PYTHONPATH": str(REPO)}
            run = subprocess.Popen(
                [sys.executable, "-m", "cleantext", "clean", *sources, "-o", str(out),
                 "--engine", "dask", "--scheduler", running.address,
                 "--report", str(tmp_path / "dask.jsonl"), *options],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
            )  # fmt: skip
            try:
                deadline = time.monotonic() + 120
                while True:  # wait until some shards are done and the victim is busy with one
                    assert run.poll() is None, "the run ended before a worker could be killed"
                    assert time.monotonic() < deadline, "no moment to kill a worker came"
                    finished = len(list(done_dir.iterdir())) if done_dir.exists() else 0
                    busy = client.processing().get(address, [])
                    if finished >= 2 and any(str(k).startswith("cleantext-") for k in busy):
                        break
                    time.sleep(0.05)
                os.kill(victim.pid, signal.SIGKILL)
                _, stderr = run.communicate(timeout=180)
            finally:
                if run.poll() is None:
                    run.kill()
                    run.wait()
            assert victim.wait(10) == -signal.SIGKILL
            assert list(client.scheduler_info()["workers"]) != [address]
            assert len(client.scheduler_info()["workers"]) == 1
            assert _suspicious_shards(client) >= 1  # a shard was in flight on the dead worker

    assert run.returncode == local.returncode, stderr
    assert _files(out) == _files(tmp_path / "local")  # nothing lost, doubled or half-written
    assert (tmp_path / "dask.jsonl").read_bytes() == (tmp_path / "local.jsonl").read_bytes()
    assert len(list(done_dir.iterdir())) == shards
    assert not [p for p in out.rglob("*") if is_temp_file(p.name)]
    assert _summary(stderr) == _summary(local.stderr)


# --- run_dask, called directly --------------------------------------------------------------


def _job(tmp_path: Path, docs: int) -> tuple[list[Any], Any]:
    from cleantext.job import JobConfig, plan_shards, prepare_destination

    sources = _make_corpus(tmp_path / "in", jsonl_docs=docs, tree_docs=docs // 4)
    config = JobConfig(pipeline=cleantext.default_pipeline(), destination=str(tmp_path / "out"),
                       shard_bytes=30000, jsonl_shard_bytes=30000)  # fmt: skip
    shards = plan_shards(sources, config)
    prepare_destination(config, sources)
    return shards, config


def test_run_dask_yields_in_shard_order_and_reports_progress(
    cluster: LocalDaskCluster, tmp_path: Path
) -> None:
    from cleantext.engines.dask import run_dask

    shards, config = _job(tmp_path, 120)
    assert len(shards) >= 6
    seen: list[str] = []
    in_flight: list[int] = []

    def held(dask_scheduler: Any) -> int:  # nested, so it pickles by value to the scheduler
        return sum(
            1
            for key, task in dask_scheduler.tasks.items()
            if str(key).startswith(("cleantext-text", "cleantext-jsonl")) and task.state != "memory"
        )

    def progress(result: Any) -> None:
        seen.append(result.shard_id)
        in_flight.append(observer.run_on_scheduler(held))  # shard tasks held right now

    with Client(cluster.address) as observer:
        results = list(
            run_dask(shards, config, scheduler=cluster.address, progress=progress, max_in_flight=2)
        )
    assert max(in_flight) <= 2  # the window: never more than two shards submitted at once
    assert [r.shard_id for r in results] == [s.id for s in shards]
    assert sorted(seen) == sorted(s.id for s in shards)
    assert sum(r.docs for r in results) == 120 + 30 + 5
    assert not any(r.resumed for r in results)
    again = list(run_dask(shards, config, scheduler=cluster.address))
    assert all(r.resumed for r in again) and len(again) == len(shards)


def test_run_dask_refuses_workers_with_another_version(
    cluster: LocalDaskCluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cleantext.engines.dask import DaskEngineError, run_dask

    shards, config = _job(tmp_path, 8)
    monkeypatch.setattr(cleantext, "__version__", "0.0.0+other")
    with pytest.raises(DaskEngineError, match=r"other cleantext versions.*0\.1\.0"):
        list(run_dask(shards, config, scheduler=cluster.address))
    assert not list((tmp_path / "out").rglob("*.txt"))  # nothing was written
