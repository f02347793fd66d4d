"""Helpers (no tests) for the command-line tests: run the real command from this checkout."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def env() -> dict[str, str]:
    """The environment for a subprocess that imports cleantext from this checkout."""
    e = dict(os.environ)
    e["PYTHONPATH"] = str(ROOT) + (os.pathsep + e["PYTHONPATH"] if e.get("PYTHONPATH") else "")
    e.pop("NO_COLOR", None)
    return e


def default_sigint() -> None:
    """For ``preexec_fn``: SIGINT back to its default in the child. A command started as a
    shell's background job (``cmd &``) inherits SIGINT ignored, and Python then raises no
    KeyboardInterrupt: a test of how cleantext takes Ctrl-C would test its launcher instead."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def command(*args: str | os.PathLike[str]) -> list[str]:
    return [sys.executable, "-m", "cleantext", *map(str, args)]


def run(*args: str | os.PathLike[str], cwd: Path | None = None, stdin: bytes | None = None,
        timeout: float = 60) -> subprocess.CompletedProcess[bytes]:  # fmt: skip
    """Run ``cleantext *args`` in a subprocess; capture bytes."""
    return subprocess.run(command(*args), cwd=cwd, input=stdin, capture_output=True,
                          env=env(), timeout=timeout, check=False)  # fmt: skip


def tree(root: Path, *, hidden: bool = True) -> dict[str, bytes]:
    """Every file below ``root`` (relative path -> bytes); without ``.cleantext`` unless
    ``hidden``."""
    found = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if not hidden and rel.split("/")[0] == ".cleantext":
            continue
        if path.is_file() and not path.is_symlink():
            found[rel] = path.read_bytes()
    return found
