"""The CLI end to end: wall time and peak memory of ``python -m cleantext clean SRC -o DST``.

Each run is a fresh process started through a small wrapper that times it and reads, from the
kernel, the peak resident set size of the largest process it spawned and the CPU time of all of
them, in user space and in the kernel (``RUSAGE_CHILDREN``), so worker processes count too.
The harness also samples the whole process tree every 100 ms, which gives the peak of the *sum*
over all processes: from ``/proc`` on Linux, elsewhere with psutil when it is installed.

The sampler runs beside the command it measures, so it must cost next to nothing: on two cores a
``--jobs 2`` run has no idle core to absorb it, while a ``--jobs 1`` run has. psutil's
``children(recursive=True)`` reads every process's ``/proc/PID/stat`` on each call; sampled every
20 ms that took 7-8% of a core (session 19): in turns on a 256 MB JSONL corpus, ``--jobs 2``
ran 2-12% faster with ``/proc`` read every 100 ms instead, which takes about 0.5% of a core
(``results/session19-sampler.md``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "CliFeatures",
    "CliRun",
    "ProcTree",
    "cli_features",
    "parent_of",
    "run_command",
    "tree_sampler",
]

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


SAMPLE_SECONDS = 0.1  # between two samples of the process tree's memory

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


def parent_of(stat: bytes) -> int:
    """The parent pid in a ``/proc/PID/stat`` line: ``pid (comm) state ppid ...``, where the
    command name ``comm`` may hold spaces and parentheses.

    >>> parent_of(b"123 (a) b) S 456 123 123 0 -1")
    456
    """
    return int(stat[stat.rindex(b")") + 2 :].split(maxsplit=2)[1])


class ProcTree:
    """The processes below ``root`` (not ``root`` itself) and their summed RSS, read from
    ``/proc`` (Linux). Each sample lists ``/proc``; only pids not listed in the sample before
    have their parent looked up, so a sample costs a directory listing plus one small read
    per member.

    A member stays one when its parent exits (it is reparented, still part of the run). A
    process that is started and reparented between two samples (a double fork) is never
    seen as a member, nor is a new member that reuses, within one sample, the pid of a
    process that has just exited: neither happens in the runs measured here.

    >>> tree = ProcTree(os.getpid())
    >>> tree.rss_bytes() >= 0  # the summed RSS of this process's children, now
    True
    """

    def __init__(self, root: int) -> None:
        self.root = root
        self.members: set[int] = set()
        self._seen: set[int] = set()  # the pids listed by the sample before
        self._page = os.sysconf("SC_PAGE_SIZE")

    @staticmethod
    def available() -> bool:
        """Whether this system has a ``/proc`` this class can read."""
        return os.path.exists(f"/proc/{os.getpid()}/statm")

    def _discover(self) -> None:
        listed = {int(name) for name in os.listdir("/proc") if name.isdigit()}
        self.members &= listed
        fresh: dict[int, int] = {}  # pid -> parent, for the pids the sample before missed
        for pid in listed - self._seen:
            try:
                with open(f"/proc/{pid}/stat", "rb") as fh:
                    fresh[pid] = parent_of(fh.read())
            except (OSError, ValueError, IndexError):  # gone, or a line not understood
                continue
        self._seen = listed
        grew = True
        while grew:  # a new child of a new child joins once its parent has
            grew = False
            for pid, parent in list(fresh.items()):
                if parent == self.root or parent in self.members:
                    self.members.add(pid)
                    del fresh[pid]
                    grew = True

    def rss_bytes(self) -> int:
        """The summed resident size of the members alive now."""
        self._discover()
        total = 0
        for pid in list(self.members):
            try:
                with open(f"/proc/{pid}/statm", "rb") as fh:
                    total += int(fh.read().split()[1]) * self._page
            except (OSError, IndexError, ValueError):
                self.members.discard(pid)  # exited since it was listed
        return total


def _psutil_rss(pid: int) -> Callable[[], int] | None:
    try:
        import psutil
    except ImportError:
        return None
    try:
        root = psutil.Process(pid)
    except psutil.Error:
        return None

    def rss_bytes() -> int:
        try:
            procs = root.children(recursive=True)  # the wrapper itself is left out
        except psutil.Error:  # the wrapper has exited: the run is over
            return 0
        total = 0
        for proc in procs:
            try:
                total += proc.memory_info().rss
            except psutil.Error:
                continue
        return total

    return rss_bytes


def tree_sampler(pid: int) -> Callable[[], int] | None:
    """A function giving the summed RSS of ``pid``'s descendants now, or None when this
    system offers no way (no ``/proc`` and no psutil)."""
    if ProcTree.available():
        return ProcTree(pid).rss_bytes
    return _psutil_rss(pid)


def _sample_tree(
    sample: Callable[[], int], stop: threading.Event, peak: list[float | None]
) -> None:
    """Keep in ``peak[0]`` the largest of ``sample()``'s answers (in MB) until ``stop``; an
    error leaves None there, so that a failed sampler reports no figure rather than a low one.
    """
    while not stop.is_set():
        try:
            peak[0] = max(peak[0] or 0.0, sample() / 1e6)
        except Exception:
            peak[0] = None
            return
        stop.wait(SAMPLE_SECONDS)


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
    peak: list[float | None] = [0.0]
    sampler = None
    sample = tree_sampler(proc.pid)
    if sample is not None:
        sampler = threading.Thread(target=_sample_tree, args=(sample, stop, peak), daemon=True)
        sampler.start()
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
