"""Run a job's shards on a Dask cluster: an existing scheduler, or a local cluster started here.

Each shard is one task calling :func:`cleantext.job.run_shard`, the very function the local
engine maps, so outputs are byte-identical. Tasks are safe to run twice: ``run_shard`` writes each
output to a temporary name and renames it into place, then writes a completion marker, and a
finished shard returns its recorded result. So when a worker dies and the scheduler reruns its
tasks elsewhere, nothing is lost, doubled or half-written.

Results are yielded in shard order, as the local engine yields them, so reports and summaries
do not depend on which worker finished first; ``progress`` is called as each shard completes.
"""

from __future__ import annotations

import logging
import math
import os
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from itertools import islice
from typing import Any

import distributed  # the CLI imports this module only for --engine dask

from cleantext.engines.local import _requeue, default_jobs
from cleantext.errors import CleantextError
from cleantext.io import is_url, remove_temp_files
from cleantext.job import JobConfig, Shard, ShardResult, run_shard

__all__ = ["DaskEngineError", "run_dask"]


class DaskEngineError(CleantextError, RuntimeError):
    """The Dask cluster could not be reached or gave up on a task."""


def _identity(value: Any) -> Any:
    return value


def _worker_check() -> str:
    """Run on each worker: the cleantext version it imports (workers need the same one)."""
    import cleantext

    return cleantext.__version__


@contextmanager
def _connect(scheduler: str | None, workers: int) -> Iterator[distributed.Client]:
    if scheduler:
        try:
            # The connect timeout is Dask's (distributed.comm.timeouts.connect, 30 s by default).
            client = distributed.Client(scheduler)
        except ValueError as exc:
            raise DaskEngineError(f"invalid Dask scheduler address {scheduler!r}: {exc}") from exc
        except (OSError, TimeoutError) as exc:
            raise DaskEngineError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from exc
        with client:
            yield client
        return
    with (
        distributed.LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address="127.0.0.1:0",  # HTTP (health, metrics) on loopback, a free port
            silence_logs=logging.CRITICAL,  # task errors reach us as exceptions anyway
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


def _check_versions(client: distributed.Client) -> None:
    import cleantext

    try:
        versions = client.run(_worker_check)
    except Exception as exc:
        raise DaskEngineError(
            f"the Dask workers cannot import cleantext ({exc!r}); "
            "install cleantext-corpus on every worker"
        ) from exc
    wrong = {addr: v for addr, v in versions.items() if v != cleantext.__version__}
    if wrong:
        raise DaskEngineError(
            f"Dask workers run other cleantext versions than this one ({cleantext.__version__}): "
            f"{wrong}"
        )


class _Window:
    """How many shards to keep submitted: fixed, or four per worker thread (at least 256),
    with the thread count refreshed at most every few seconds as the cluster scales."""

    def __init__(self, client: distributed.Client, fixed: int | None) -> None:
        self.client, self.fixed = client, fixed
        self.checked = -math.inf
        self.threads = 0

    def size(self) -> int:
        if self.fixed is not None:
            return max(1, self.fixed)
        if time.monotonic() - self.checked > 5.0:
            self.threads = sum(self.client.nthreads().values())
            self.checked = time.monotonic()
        return max(256, 4 * self.threads)


def run_dask(
    shards: Iterable[Shard],
    config: JobConfig,
    *,
    scheduler: str | None = None,
    jobs: int | None = None,
    progress: Callable[[ShardResult], None] | None = None,
    max_in_flight: int | None = None,
) -> Iterator[ShardResult]:
    """Run every shard as a Dask task; yield the results in shard order.

    With ``scheduler`` (an address such as ``tcp://10.0.0.5:8786``) join that cluster; without
    one, start a local cluster of ``jobs`` worker processes (default: one per core) on 127.0.0.1,
    and close it afterwards (``jobs`` is ignored with a scheduler). Every worker must have this
    cleantext version installed and see the source and destination paths (a shared
    filesystem), or reach them as fsspec URLs (``s3://...``) with fsspec, the protocol's
    package and credentials installed there. ``progress`` is called with each result as its
    shard completes. An exception raised by a shard cancels the remaining tasks and
    propagates; a worker that dies is survived (its tasks are rerun elsewhere).

    At most ``max_in_flight`` shards are submitted at a time (default: four per worker thread,
    at least 256, rechecked as workers come and go), so a corpus of millions of shards does
    not flood the scheduler; the rest are read from ``shards`` (a
    :class:`~cleantext.job.ShardPlan` lists them as they are needed) and submitted as results
    come in.

    >>> import tempfile, pathlib
    >>> from cleantext import default_pipeline
    >>> from cleantext.job import plan_shards
    >>> src = pathlib.Path(tempfile.mkdtemp()); _ = (src / "a.txt").write_text("Hi. .")
    >>> config = JobConfig(pipeline=default_pipeline(), destination=tempfile.mkdtemp())
    >>> [r.docs for r in run_dask(plan_shards([str(src)], config), config, jobs=1)]
    [1]
    """
    listing = iter(shards)
    first = list(islice(listing, jobs or default_jobs()))  # fewer shards than jobs: fewer workers
    if not first:
        return
    run = uuid.uuid4().hex[:8]
    workers = max(1, min(jobs or default_jobs(), len(first)))
    with _connect(scheduler, workers) as client:
        _check_versions(client)
        # The config (with its pipeline) goes to the cluster once, as a task of its own: a
        # worker that dies holding it only makes the scheduler recompute it.
        shared = client.submit(_identity, config, key=f"cleantext-config-{run}")
        todo = enumerate(_requeue(first, listing))
        dirs = _state_dirs(config)
        index: dict[str, int] = {}
        pending: dict[str, distributed.Future] = {}  # held only until each result is in
        completed = distributed.as_completed()
        window = _Window(client, max_in_flight)

        def submit(count: int) -> None:
            for i, shard in islice(todo, max(0, count)):
                dirs.update(_output_dirs(shard))
                future = client.submit(
                    run_shard, shard, shared, key=f"cleantext-{shard.id}-{run}", priority=-i
                )
                index[future.key] = i
                pending[future.key] = future
                completed.add(future)

        submit(window.size())
        done: dict[int, ShardResult] = {}
        next_index = 0
        try:
            for future in completed:
                pending.pop(future.key, None)
                try:
                    result = future.result()
                except distributed.KilledWorker as exc:
                    raise DaskEngineError(
                        f"Dask gave up on a shard after its workers died repeatedly: {exc}"
                    ) from exc
                submit(window.size() - len(pending))
                if progress is not None:
                    progress(result)
                done[index.pop(future.key)] = result
                while next_index in done:
                    yield done.pop(next_index)
                    next_index += 1
        finally:
            client.cancel([*pending.values(), shared])
    _sweep_orphans(dirs, config)


def _output_dirs(shard: Shard) -> set[str]:
    dirs = {os.path.dirname(u.output) for u in shard.units if u.output}
    if shard.output:
        dirs.add(os.path.dirname(shard.output))
    return dirs


def _state_dirs(config: JobConfig) -> set[str]:
    dirs = set()
    if config.state_dir is not None:
        dirs.add(os.path.join(config.state_dir, "done"))
    if config.report_parts is not None:
        dirs.add(config.report_parts)
    return dirs


def _sweep_orphans(dirs: Iterable[str], config: JobConfig) -> int:
    """Delete temporary files that tasks on dead workers left beside the outputs.

    A worker killed mid-shard leaves its temporary file behind (the rerun elsewhere writes and
    renames its own). Once every shard is done no task of this run is writing, so the
    temporary names in the output directories are orphans. Returns how many were deleted.
    A URL destination has none: shards stage their outputs in local temporary folders.
    """
    if is_url(config.destination):
        return 0
    removed = 0
    for directory in sorted(dirs):
        try:
            removed += remove_temp_files(directory, os.listdir(directory))
        except OSError:
            continue
    return removed
