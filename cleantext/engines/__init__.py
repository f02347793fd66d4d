"""Engines run a job's shards: :mod:`~cleantext.engines.local` (a process pool on this machine)
and, with the ``dask`` extra, ``cleantext.engines.dask``. Both map the same pure
:func:`cleantext.job.run_shard` over the same shards, so they write the same bytes."""

from cleantext.engines.local import WorkerPool, run_local

__all__ = ["WorkerPool", "run_local"]
