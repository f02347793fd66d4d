"""Dask support, tested against a real cluster: a `dask scheduler` and `dask worker` processes
started here on 127.0.0.1, each on its own free port, and stopped again (only those processes).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("distributed", reason='Dask is an extra: pip install "cleantext-corpus[dask]"')

import dask
import dask.bag as db
from distributed import Client, get_task_stream

import cleantext
from cleantext import ConfigError, Pipeline
from cleantext.filters import NormalizeWhitespace, StrayPeriod

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
    """Terminate exactly these processes, then kill those still alive after ``timeout``."""
    for proc in processes:
        if proc.poll() is None:
            proc.terminate()
    deadline = time.monotonic() + timeout
    for proc in processes:
        try:
            proc.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


@contextmanager
def dask_cluster(workdir: Path, *, nworkers: int = 2) -> Iterator[LocalDaskCluster]:
    """Start `dask scheduler` and ``nworkers`` `dask worker` processes on 127.0.0.1; stop them.

    Workers run without a nanny, so each worker is exactly one process that we started (and a
    test can kill it), with one thread each, and import cleantext from this checkout.
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

    try:
        port = address.rsplit(":", 1)[1]
        scheduler = spawn(
            ["scheduler", "--host", "127.0.0.1", "--port", port, "--no-dashboard"],
            "scheduler.log",
        )
        worker_args = "--host 127.0.0.1 --no-dashboard --no-nanny --nworkers 1 --nthreads 1"
        workers = []
        for i in range(nworkers):
            args = [*worker_args.split(), "--local-directory", str(workdir / f"worker-{i}")]
            workers.append(spawn(["worker", address, *args], f"worker-{i}.log"))
        cluster = LocalDaskCluster(address, scheduler, workers, logs)
        try:
            with Client(address, timeout=STARTUP_TIMEOUT) as client:
                client.wait_for_workers(nworkers, timeout=STARTUP_TIMEOUT)
        except Exception as exc:
            raise RuntimeError(f"Dask cluster did not start:\n{cluster.log_tail()}") from exc
        yield cluster
    finally:
        _stop(started)


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
