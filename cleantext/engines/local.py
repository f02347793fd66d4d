"""Run a job's shards on this machine, in worker processes.

Results come back in shard order whatever the number of workers, and every shard writes the
same bytes wherever it runs, so the output does not depend on ``jobs``.

The pool is small and explicit: one spawned process per job, one pipe each, one shard at a
time per worker. The parent waits on the pipes and on the processes themselves, so a worker
that dies (killed, out of memory) stops the run with a clear error at once; the stdlib pools
either wait forever for its task (``multiprocessing.Pool``) or can deadlock while shutting
down (``ProcessPoolExecutor`` on Python 3.11).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import traceback
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from itertools import islice
from multiprocessing.connection import Connection, wait
from multiprocessing.reduction import ForkingPickler
from typing import Any

from cleantext.errors import CleantextError
from cleantext.io import OutputError
from cleantext.job import (
    JobConfig,
    ProgressHook,
    Shard,
    ShardResult,
    run_shard,
    set_progress_hook,
)

__all__ = ["WorkerPool", "default_jobs", "run_local"]

AHEAD = 4  # shards started beyond the next one to yield, per worker: bounds buffered results


def default_jobs() -> int:
    """The number of cores this process may use.

    >>> default_jobs() >= 1
    True
    """
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _send_tick(conn: Connection, *tick: Any) -> None:
    conn.send(("tick", tick))


def _worker(conn: Connection) -> None:
    """A worker's loop: receive the job's config and whether to send progress ticks, then
    ``(index, shard)`` after ``(index, shard)``, sending back each result, until ``None``."""
    # Ctrl-C reaches the whole process group: only the parent handles it, then stops us.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        config, ticks = conn.recv()
    except (EOFError, OSError):  # the parent is gone
        return
    if ticks:
        set_progress_hook(partial(_send_tick, conn))
    # Compiled now, while the parent is still planning (walking a tree), not in the first
    # shard: on a tree of small files a worker otherwise waited idle for 0.3 s, then spent
    # half a second in its first shard compiling the residue rules.
    try:
        config.pipeline.prepare()
    except Exception:  # only an early start: the first shard meets and reports the error
        pass
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):  # the parent is gone
            return
        if task is None:
            return
        index, shard = task
        try:
            conn.send(("done", index, run_shard(shard, config)))
        except CleantextError as exc:
            conn.send(("error", index, exc))
        except Exception:
            conn.send(("error", index, RuntimeError(traceback.format_exc())))


class _Worker:
    def __init__(self, context: Any) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_worker, args=(child,), daemon=True)
        self.process.start()
        child.close()
        self.busy: int | None = None  # the index of the shard it runs
        self.folders: frozenset[str] = frozenset()  # the output folders that shard writes in


class WorkerPool:
    """``jobs`` worker processes for one job, started before its shards are known: each is a
    fresh interpreter that takes a few tenths of a second to import cleantext, which it then
    does while this process plans the job (walks a tree). Pass it to :func:`run_local`, which
    runs the shards on it and stops it; :meth:`close` stops it if :func:`run_local` never
    does (the plan failed). ``ticks``: whether workers send progress ticks while shards run.

    >>> import tempfile, pathlib
    >>> from cleantext import default_pipeline
    >>> from cleantext.job import plan_shards
    >>> src = pathlib.Path(tempfile.mkdtemp())
    >>> for name in ("a.txt", "b.txt"):
    ...     _ = (src / name).write_text("Hi. .")
    >>> config = JobConfig(pipeline=default_pipeline(), destination=tempfile.mkdtemp(),
    ...                    shard_files=1)
    >>> pool = WorkerPool(config, 2)
    >>> shards = plan_shards([str(src)], config)
    >>> [r.docs for r in run_local(shards, config, jobs=2, pool=pool)]
    [1, 1]
    """

    def __init__(self, config: JobConfig, jobs: int, *, ticks: bool = False) -> None:
        if jobs < 1:
            raise ValueError("a worker pool needs at least one worker")
        # Pickled here, so that a config that cannot be pickled raises in the caller.
        setup = bytes(ForkingPickler.dumps((config, ticks)))
        self.config = config
        self.ticks = ticks
        self.workers = _start_workers(multiprocessing.get_context("spawn"), jobs)
        self._stopped = False
        self._unsent: int | None = None  # the first worker the config did not reach
        self._error: BaseException | None = None
        # The config travels by the pipes, not in the processes' arguments. Pickled it is
        # some hundred kB (the rule catalog), more than a pipe buffers here, so a send
        # returns only once its worker has started and reads it: in the arguments, each
        # worker's start waited for the one before it to import cleantext. A thread sends
        # it, so the workers start side by side while this process goes on.
        self._sender = threading.Thread(
            target=self._send_config, args=(setup,), name="cleantext-worker-config", daemon=True
        )
        self._sender.start()

    def _send_config(self, setup: bytes) -> None:
        for k, worker in enumerate(self.workers):
            try:
                worker.conn.send_bytes(setup)
            except BaseException as exc:  # a worker died (or was stopped): said by _ready
                self._unsent, self._error = k, exc
                return

    def _ready(self, count: int) -> list[_Worker]:
        """The first ``count`` workers, once each has its config; the others are stopped.
        Raises if one of those it keeps died first."""
        extra = self.workers[count:]
        for worker in extra:  # a small plan: no need to wait for these to start
            worker.process.terminate()
        self._sender.join()
        if self._unsent is not None and self._unsent < count:
            if isinstance(self._error, OSError):
                raise _died()
            raise RuntimeError(f"cannot send the job to a worker: {self._error!r}")
        _stop(extra, gracefully=False)
        del self.workers[count:]
        return self.workers

    def _stop(self, *, gracefully: bool) -> None:
        if self._stopped:
            return
        self._stopped = True
        if not gracefully:  # a worker still starting would keep the sender waiting
            for worker in self.workers:
                if worker.process.is_alive():
                    worker.process.terminate()
        self._sender.join()
        _stop(self.workers, gracefully=gracefully and self._unsent is None)

    def close(self) -> None:
        """Stop the workers now (terminated, whatever they are doing); nothing when
        :func:`run_local` has already stopped them."""
        self._stop(gracefully=False)


def run_local(
    shards: Iterable[Shard],
    config: JobConfig,
    *,
    jobs: int,
    progress: Callable[[ShardResult], None] | None = None,
    ticks: ProgressHook | None = None,
    pool: WorkerPool | None = None,
) -> Iterator[ShardResult]:
    """Run every shard with up to ``jobs`` worker processes; yield results in shard order.

    ``shards`` is read as the workers need them (a :class:`~cleantext.job.ShardPlan` lists
    them while they run), and at most ``AHEAD * jobs`` shards run ahead of the next result to
    yield, so memory does not grow with the number of shards. With ``jobs == 1`` (or a
    single shard) the shards run in this process. An exception from a shard (an
    :class:`~cleantext.io.OutputError`) stops the workers and propagates, as does
    ``KeyboardInterrupt`` or closing the iterator early; a worker that dies raises
    :class:`~cleantext.io.OutputError`. ``progress`` is called with each result as it is
    yielded; ``ticks(shard_id, input_bytes, docs, rejected)`` with increments while shards
    run (see :func:`~cleantext.job.set_progress_hook`). ``pool``: workers started earlier
    for this ``config`` (:class:`WorkerPool`), used instead of starting new ones (those
    beyond the number of shards are stopped at once) and stopped at the end, or on an error;
    closed at once when the shards run in this process. A pool given to an iterator that is
    never started stays running: :meth:`WorkerPool.close` it.

    >>> import tempfile, pathlib
    >>> from cleantext import default_pipeline
    >>> from cleantext.job import plan_shards
    >>> src = pathlib.Path(tempfile.mkdtemp()); _ = (src / "a.txt").write_text("Hi. .")
    >>> config = JobConfig(pipeline=default_pipeline(), destination=tempfile.mkdtemp())
    >>> [r.docs for r in run_local(plan_shards([str(src)], config), config, jobs=2)]
    [1]
    """
    todo = iter(shards)
    try:
        if pool is not None and pool.config is not config:
            raise ValueError("the worker pool was started for another job config")
        if pool is not None and pool._stopped:
            raise ValueError("the worker pool was stopped already")
        first = list(islice(todo, max(1, jobs)))  # fewer shards than jobs: fewer workers
    except BaseException:
        if pool is not None:
            pool.close()
        raise
    jobs = max(1, min(jobs, len(first)))
    todo = _requeue(first, todo)
    if jobs == 1:
        if pool is not None:
            pool.close()  # one shard: it runs here, with no worker to wait for
        for shard in todo:
            set_progress_hook(ticks)
            try:
                result = run_shard(shard, config)
            finally:
                set_progress_hook(None)
            if progress is not None:
                progress(result)
            yield result
        return
    if pool is None:
        pool = WorkerPool(config, jobs, ticks=ticks is not None)
    done: dict[int, ShardResult] = {}
    # Shards read from the plan and not yet sent (index, shard, output folders): an idle
    # worker takes the first whose folders no busy worker writes in, if there is one.
    pending: list[tuple[int, Shard, frozenset[str]]] = []
    read = yielded = 0
    listed = finished = False
    try:
        workers = pool._ready(jobs)
        while True:
            for worker in workers:
                if worker.busy is not None:
                    continue
                while not listed and read < yielded + AHEAD * jobs:
                    shard = next(todo, None)
                    if shard is None:
                        listed = True
                        break
                    pending.append((read, shard, _output_folders(shard)))
                    read += 1
                if not pending:
                    break
                writing = [w.folders for w in workers if w.busy is not None]
                index, shard, folders = pending.pop(_first_apart(pending, writing))
                try:
                    worker.conn.send((index, shard))
                except OSError:
                    raise _died() from None
                worker.busy, worker.folders = index, folders
            if listed and not pending and yielded == read:
                break
            ready = wait([w.conn for w in workers] + [w.process.sentinel for w in workers])
            for worker in workers:
                if worker.conn in ready:
                    _receive(worker, done, ticks)
                if worker.process.sentinel in ready:
                    _receive(worker, done, ticks)  # whatever it sent before it died
                    raise _died()
            while yielded in done:
                result = done.pop(yielded)
                yielded += 1
                if progress is not None:
                    progress(result)
                yield result
        finished = True
    finally:
        pool._stop(gracefully=finished)


def _output_folders(shard: Shard) -> frozenset[str]:
    """The folders a shard writes its outputs in."""
    if shard.kind != "text":
        return frozenset({os.path.dirname(shard.output)})
    return frozenset(os.path.dirname(u.output) for u in shard.units if u.output)


def _first_apart(
    pending: list[tuple[int, Shard, frozenset[str]]], writing: list[frozenset[str]]
) -> int:
    """The position in ``pending`` of the first shard that writes in none of the folders
    other workers are writing in; 0 when every one does.

    Two processes creating files in one folder take turns on the folder's lock, and the
    kernel spins while it waits: on a tree of small files, two workers on neighbouring shards
    (the same folders) spent 60% more kernel time than two processes on separate halves.

    >>> shard = Shard("s", "text", ())
    >>> _first_apart([(0, shard, frozenset({"a"})), (1, shard, frozenset({"b"}))], [{"a"}])
    1
    >>> _first_apart([(0, shard, frozenset({"a"}))], [{"a"}])
    0
    """
    for position, (_, _, folders) in enumerate(pending):
        if all(folders.isdisjoint(other) for other in writing):
            return position
    return 0


def _requeue(head: list[Shard], rest: Iterator[Shard]) -> Iterator[Shard]:
    """The shards of ``head``, then of ``rest``; each is let go once it is read (a chain
    would keep the whole of ``head`` alive for the rest of the run)."""
    head.reverse()
    while head:
        yield head.pop()
    yield from rest


def _start_workers(context: Any, jobs: int) -> list[_Worker]:
    """Start the workers with SIGINT ignored, which they inherit from their first instruction:
    a Ctrl-C while one is still starting must not kill it (only this process handles it).

    spawn: each worker is a fresh interpreter and a child of this process alone (a fork of a
    process running threads, such as the progress bar's, is unsafe)."""
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
    try:
        return [_Worker(context) for _ in range(jobs)]
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)


def _receive(worker: _Worker, done: dict[int, ShardResult], ticks: ProgressHook | None) -> None:
    """Handle every message waiting on a worker's pipe."""
    try:
        while worker.conn.poll():
            message = worker.conn.recv()
            if message[0] == "tick":
                if ticks is not None:
                    ticks(*message[1])
            elif message[0] == "done":
                done[message[1]] = message[2]
                worker.busy = None
            else:  # "error": the shard's own exception, raised here
                worker.busy = None
                raise message[2]
    except (EOFError, OSError) as exc:
        if isinstance(exc, OutputError):
            raise
        raise _died() from None


def _died() -> OutputError:
    return OutputError(
        "a worker process died (killed, or out of memory?); finished outputs are kept: "
        "rerun the same command to resume"
    )


def _stop(workers: list[_Worker], *, gracefully: bool) -> None:
    """Ask idle workers to leave, or terminate them (on an error or an interruption)."""
    for worker in workers:
        if gracefully:
            try:
                worker.conn.send(None)
            except OSError:
                pass
        elif worker.process.is_alive():
            worker.process.terminate()
    for worker in workers:
        worker.process.join(timeout=10)
        if worker.process.is_alive():  # pragma: no cover - a worker stuck in a system call
            worker.process.kill()
            worker.process.join()
        worker.conn.close()
