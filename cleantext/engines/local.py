"""Run a job's shards on this machine, in a pool of worker processes.

Results come back in shard order whatever the number of workers, and every shard writes the
same bytes wherever it runs, so the output does not depend on ``jobs``.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from functools import partial

from cleantext.job import JobConfig, Shard, ShardResult, run_shard

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


def _worker_init() -> None:
    # Ctrl-C reaches the whole process group: only the parent handles it, then stops the pool.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def run_local(
    shards: Sequence[Shard],
    config: JobConfig,
    *,
    jobs: int,
    progress: Callable[[ShardResult], None] | None = None,
) -> Iterator[ShardResult]:
    """Run every shard with up to ``jobs`` worker processes; yield results in shard order.

    With ``jobs == 1`` (or a single shard) the shards run in this process. An exception from
    a shard (an :class:`~cleantext.io.OutputError`) stops the pool and propagates; so does
    ``KeyboardInterrupt``. ``progress`` is called with each result as it is yielded.

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
            result = run_shard(shard, config)
            if progress is not None:
                progress(result)
            yield result
        return
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    pool = context.Pool(jobs, initializer=_worker_init)
    try:
        for result in pool.imap(partial(run_shard, config=config), shards, chunksize=1):
            if progress is not None:
                progress(result)
            yield result
        pool.close()
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()
