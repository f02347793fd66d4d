"""``syncfs(2)``: write one filesystem's dirty data to its disk and report a write error.

A batch of output files is made durable by one sync of their filesystem instead of one
``fsync`` per file: on this project's disk each ``fsync`` costs a cache flush of the device
(about 64 us) even when nothing is left to write, and on a tree of small files those flushes
were a sixth of the run (see :class:`cleantext.io.CommitBatch`).

``os.sync()`` writes every filesystem but reports no error. Since Linux 5.8, ``syncfs(fd)``
reports a write-back error that the filesystem of ``fd`` met since ``fd`` was opened (or since
the last ``syncfs`` on it), so a batch that calls it on the descriptor of its earliest-opened
file learns of an error in any of its files. Python has no binding for it: it is called through
``ctypes``, and elsewhere (another system, an older kernel, a C library without it)
:func:`syncfs` is None and callers keep one ``fsync`` per file.
"""

from __future__ import annotations

import ctypes
import os
import re
import sys
from collections.abc import Callable

__all__ = ["syncfs"]

_FIRST_REPORTING = (5, 8)  # the first Linux whose syncfs reports write-back errors


def _kernel_release(release: str) -> tuple[int, int] | None:
    """The major and minor version of a Linux release string, or None.

    >>> _kernel_release("6.18.44-fc-v657"), _kernel_release("5.4.0-42-generic")
    ((6, 18), (5, 4))
    >>> _kernel_release("unknown") is None
    True
    """
    found = re.match(r"(\d+)\.(\d+)", release)
    return (int(found.group(1)), int(found.group(2))) if found else None


def _load() -> Callable[[int], None] | None:
    if not sys.platform.startswith("linux"):
        return None
    release = _kernel_release(os.uname().release)
    if release is None or release < _FIRST_REPORTING:
        return None
    try:
        function = ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int]
    function.restype = ctypes.c_int

    def sync_filesystem(fd: int) -> None:
        """Write the dirty data of the filesystem that holds ``fd`` to disk and wait; raise
        :class:`OSError` if a write-back error was met on it since ``fd`` was opened."""
        if function(fd) != 0:
            errno = ctypes.get_errno()
            raise OSError(errno, os.strerror(errno))

    return sync_filesystem


#: ``syncfs(fd)`` as a function that raises :class:`OSError` on an error; None where the system
#: has none that reports write-back errors.
syncfs: Callable[[int], None] | None = _load()
