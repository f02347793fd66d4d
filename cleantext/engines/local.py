"""Run a job's shards on this machine, in a pool of worker processes.

Results come back in shard order whatever the number of workers, and every shard writes the
same bytes wherever it runs, so the output does not depend on ``jobs``.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from itertools import islice
from queue import Empty
from typing import Any

from cleantext.io import OutputError
from cleantext.job import (
    JobConfig,
    ProgressHook,
    Shard,
    ShardResult,
    run_shard,
    set_progress_hook,
)

__all__ = ["default_jobs", "run_local"]


def default_jobs() -> int:
    """The number of cores this process may use.

    >>> default_jobs() >= 1
    True
    """
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


_CONFIG: JobConfig | None = None  # set once in each worker by _worker_init


def _worker_init(config: JobConfig, ticks: Any = None) -> None:
    global _CONFIG
    _CONFIG = config
    if ticks is not None:
        set_progress_hook(partial(_put_tick, ticks))
    # Ctrl-C reaches the whole process group: only the parent handles it, then stops the pool.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _put_tick(queue: Any, *tick: Any) -> None:
    queue.put(tick)


def _drain(queue: Any, ticks: ProgressHook) -> None:
    while True:
        try:
            tick = queue.get_nowait()
        except Empty:
            return
        ticks(*tick)


def _run_in_worker(shard: Shard) -> ShardResult:
    assert _CONFIG is not None
    return run_shard(shard, _CONFIG)


def run_local(
    shards: Sequence[Shard],
    config: JobConfig,
    *,
    jobs: int,
    progress: Callable[[ShardResult], None] | None = None,
    ticks: ProgressHook | None = None,
) -> Iterator[ShardResult]:
    """Run every shard with up to ``jobs`` worker processes; yield results in shard order.

    The configuration goes to each worker once; at most ``4 * jobs`` shards are in flight, so
    memory does not grow with the number of shards. With ``jobs == 1`` (or a single shard)
    the shards run in this process. An exception from a shard (an
    :class:`~cleantext.io.OutputError`) stops the workers and propagates; so does
    ``KeyboardInterrupt``; closing the iterator early stops them too. A worker that dies
    raises :class:`~cleantext.io.OutputError` rather than hanging the run. ``progress`` is
    called with each result as it is yielded; ``ticks(shard_id, input_bytes, docs, rejected)``
    with increments while shards run (see :func:`~cleantext.job.set_progress_hook`).

    >>> import tempfile, pathlib
    >>> from cleantext import default_pipeline
    >>> from cleantext.job import plan_shards
    >>> src = pathlib.Path(tempfile.mkdtemp()); _ = (src / "a.txt").write_text("Hi. .")
    >>> config = JobConfig(pipeline=default_pipeline(), destination=tempfile.mkdtemp())
    >>> [r.docs for r in run_local(plan_shards([str(src)], config), config, jobs=2)]
    [1]
    """
    jobs = max(1, min(jobs, len(shards)))
    if jobs == 1:
        for shard in shards:
            set_progress_hook(ticks)
            try:
                result = run_shard(shard, config)
            finally:
                set_progress_hook(None)
            if progress is not None:
                progress(result)
            yield result
        return
    # spawn: each worker is a fresh interpreter, a child of this process alone. A fork of a
    # process running threads (the progress bar has one) is unsafe; a forkserver that dies
    # is restarted behind our back and can outlive the run. Spawning costs one import of
    # cleantext per worker, once per run.
    context = multiprocessing.get_context("spawn")
    queue = context.Queue() if ticks is not None else None
    # A ProcessPoolExecutor, not a Pool: when a worker dies (killed, out of memory) its
    # futures fail with BrokenProcessPool instead of waiting forever.
    executor = ProcessPoolExecutor(
        jobs, mp_context=context, initializer=_worker_init, initargs=(config, queue)
    )
    todo = iter(shards)
    pending: deque[Future[ShardResult]] = deque()

    def submit(shard: Shard) -> None:
        try:
            pending.append(executor.submit(_run_in_worker, shard))
        except (BrokenProcessPool, OSError, EOFError) as exc:  # the forkserver itself died
            raise OutputError(
                f"cannot start a worker process ({exc!r}); finished outputs are kept: "
                "rerun the same command to resume"
            ) from None

    def drain() -> None:
        if queue is not None and ticks is not None:
            _drain(queue, ticks)

    try:
        for shard in islice(todo, 4 * jobs):
            submit(shard)
        while pending:
            while not pending[0].done():
                wait([pending[0]], timeout=0.2)
                drain()
            drain()
            try:
                result = pending.popleft().result()
            except BrokenProcessPool:
                raise OutputError(
                    "a worker process died (killed, or out of memory?); "
                    "finished outputs are kept: rerun the same command to resume"
                ) from None
            for shard in islice(todo, 1):
                submit(shard)
            if progress is not None:
                progress(result)
            yield result
    except BaseException:
        for future in pending:
            future.cancel()
        _stop_workers(executor)
        raise
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


def _stop_workers(executor: ProcessPoolExecutor) -> None:
    """Terminate the workers now (a shard may run for minutes); the executor then sees a
    broken pool and shuts down without waiting for them."""
    for process in list((getattr(executor, "_processes", None) or {}).values()):
        process.terminate()
