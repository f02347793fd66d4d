"""The CLI end to end: wall time and peak memory of ``python -m cleantext clean SRC -o DST``.

Each run is a fresh process started through a small wrapper that times it and reads, from the
kernel, the peak resident set size of the largest process it spawned and the CPU time of all of
them, in user space and in the kernel (``RUSAGE_CHILDREN``), so worker processes count too.
When psutil is installed, the harness also samples the whole process tree every 20 ms, which
gives the peak of the *sum* over all processes.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

__all__ = ["CliFeatures", "CliRun", "cli_features", "run_command"]

# Runs the command, then prints its wall time, the peak RSS of its largest process (KiB on
# Linux) and the CPU seconds of all its processes. Kept as source so the wrapper needs nothing
# but the standard library.
_WRAPPER = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
code = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL)
seconds = time.perf_counter() - start
used = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"code": code, "seconds": seconds, "maxrss_kb": used.ru_maxrss,
                  "user": used.ru_utime, "sys": used.ru_stime}))
"""


@dataclass(frozen=True, slots=True)
class CliFeatures:
    """What the CLI under test supports, read from its ``--help``."""

    jobs: bool
    jsonl: bool
    help_text: str

    @property
    def quiet_flags(self) -> list[str]:
        """Flags that keep progress bars and local config files out of the measurement."""
        flags = []
        if "--quiet" in self.help_text:
            flags.append("--quiet")
        if "--no-config" in self.help_text:
            flags.append("--no-config")
        return flags


@dataclass(frozen=True, slots=True)
class CliRun:
    """One run of a command: wall seconds, peak RSS of its largest process, peak of the tree,
    and the CPU seconds of all its processes in user space and in the kernel."""

    seconds: float
    peak_rss_mb: float
    tree_rss_mb: float | None
    user_seconds: float = 0.0
    kernel_seconds: float = 0.0

    @property
    def busy_cores(self) -> float:
        """CPU seconds per wall second: how many cores the run kept busy on average."""
        return (self.user_seconds + self.kernel_seconds) / self.seconds if self.seconds else 0.0


NO_FSYNC_DIR = Path(__file__).resolve().parent / "whatif_nofsync"


def _env(repo: Path, *, no_fsync: bool = False) -> dict[str, str]:
    env = dict(os.environ)
    front = [str(repo)] + ([str(NO_FSYNC_DIR)] if no_fsync else [])
    env["PYTHONPATH"] = os.pathsep.join([*front, env.get("PYTHONPATH", "")])
    return env


def cli_features(repo: Path) -> CliFeatures:
    """Ask ``python -m cleantext clean --help`` what the command supports."""
    done = subprocess.run(
        [sys.executable, "-m", "cleantext", "clean", "--help"],
        capture_output=True,
        text=True,
        env=_env(repo),
        cwd=repo,
        check=False,
    )
    text = done.stdout + done.stderr
    return CliFeatures(jobs="--jobs" in text, jsonl="jsonl" in text.lower(), help_text=text)


def _sample_tree(pid: int, stop: threading.Event, peak: list[float]) -> None:
    import psutil

    try:
        root = psutil.Process(pid)
    except psutil.Error:
        return
    while not stop.is_set():
        total = 0
        try:
            procs = root.children(recursive=True)  # the wrapper itself is left out
        except psutil.Error:
            break
        for proc in procs:
            try:
                total += proc.memory_info().rss
            except psutil.Error:
                continue
        peak[0] = max(peak[0], total / 1e6)
        stop.wait(0.02)


def run_command(
    command: list[str], repo: Path, *, clear: Path | None = None, no_fsync: bool = False
) -> CliRun:
    """Run ``command`` once (removing ``clear`` first); return its time and peak memory.

    ``no_fsync`` runs it with ``os.fsync`` turned into a no-op (an experiment, see
    ``benchmarks/whatif_nofsync``).

    Raises RuntimeError with the command's output if it fails.
    """
    if clear is not None and clear.exists():
        shutil.rmtree(clear)
    proc = subprocess.Popen(
        [sys.executable, "-c", _WRAPPER, *command],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(repo, no_fsync=no_fsync),
        cwd=repo,
    )
    stop = threading.Event()
    peak = [0.0]
    sampler = None
    try:
        import psutil  # noqa: F401

        sampler = threading.Thread(target=_sample_tree, args=(proc.pid, stop, peak), daemon=True)
        sampler.start()
    except ImportError:
        pass
    out, err = proc.communicate()
    stop.set()
    if sampler is not None:
        sampler.join()
    try:
        result = json.loads(out.strip().splitlines()[-1])
    except (ValueError, IndexError):
        raise RuntimeError(f"benchmark wrapper failed: {err.strip()[-2000:]}") from None
    if result["code"] != 0:
        raise RuntimeError(f"{' '.join(command)} exited {result['code']}: {err.strip()[-2000:]}")
    scale = 1024 if sys.platform != "darwin" else 1
    return CliRun(
        seconds=result["seconds"],
        peak_rss_mb=result["maxrss_kb"] * scale / 1e6,
        tree_rss_mb=peak[0] if sampler is not None else None,
        user_seconds=float(result.get("user", 0.0)),
        kernel_seconds=float(result.get("sys", 0.0)),
    )
