"""Benchmark experiment only: ``os.fsync`` does nothing in processes started with this folder on
PYTHONPATH (``python -m benchmarks run --what-if-no-fsync``), to measure what fsync costs the CLI.
Results of such runs are labelled as an experiment; never use this folder for real work.
"""

import os


def _no_fsync(fd: int) -> None:
    return None


os.fsync = _no_fsync
