"""Timing and the description of the machine a run happened on.

Every figure is the median of repeated runs timed with :func:`time.perf_counter`; the spread
(minimum, maximum, and their distance relative to the median) is kept next to it.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import metadata

__all__ = [
    "Batched",
    "Measurement",
    "load_average",
    "machine",
    "run_over",
    "summarize",
    "time_over",
    "time_rounds",
    "versions",
]


@dataclass(frozen=True, slots=True)
class Measurement:
    """Repeated timings of one task over ``nbytes`` bytes and ``docs`` documents."""

    name: str
    seconds: tuple[float, ...]
    nbytes: int
    docs: int
    group: str = "speed"
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def mb_s(self) -> float:
        """Throughput at the median time, in MB (10^6 bytes of UTF-8) per second."""
        return self.nbytes / 1e6 / self.median if self.median > 0 else float("inf")

    @property
    def docs_s(self) -> float:
        return self.docs / self.median if self.median > 0 else float("inf")

    def as_dict(self) -> dict[str, object]:
        """Plain JSON data: the raw timings and their summary."""
        return {
            "name": self.name,
            "group": self.group,
            "bytes": self.nbytes,
            "docs": self.docs,
            "seconds": list(self.seconds),
            **summarize(self.seconds),
            "mb_per_s": self.mb_s,
            "docs_per_s": self.docs_s,
            **self.extra,
        }


def summarize(seconds: Sequence[float]) -> dict[str, float]:
    """Median, minimum, maximum and relative spread ``(max - min) / median`` of timings.

    >>> summarize([1.0, 2.0, 4.0])["median_s"], summarize([1.0, 2.0, 4.0])["spread"]
    (2.0, 1.5)
    """
    med = statistics.median(seconds)
    return {
        "median_s": med,
        "min_s": min(seconds),
        "max_s": max(seconds),
        "spread": (max(seconds) - min(seconds)) / med if med > 0 else 0.0,
    }


@dataclass(frozen=True)
class Batched:
    """A task that takes many documents per call (``Pipeline.apply_many``): the timers call
    ``func`` on runs of ``size`` documents, in order, instead of once per document."""

    func: Callable[[list[str]], object]
    size: int


Task = Callable[[str], object] | Batched


def run_over(func: Task, docs: Sequence[str]) -> None:
    """Run ``func`` over ``docs`` once: document by document, or in runs for a
    :class:`Batched` task."""
    if isinstance(func, Batched):
        for start in range(0, len(docs), func.size):
            func.func(list(docs[start : start + func.size]))
    else:
        for doc in docs:
            func(doc)


def time_over(
    func: Task, docs: Sequence[str], *, repeats: int, warmup: int = 20
) -> tuple[float, ...]:
    """Time ``func`` over every document, ``repeats`` times; a few documents warm it up first.

    >>> len(time_over(str.upper, ["a", "b"], repeats=3))
    3
    """
    run_over(func, docs[:warmup])
    times = []
    clock = time.perf_counter
    for _ in range(repeats):
        start = clock()
        run_over(func, docs)
        times.append(clock() - start)
    return tuple(times)


def time_rounds(
    func: Task,
    rounds: Sequence[Sequence[str]],
    warmup: Sequence[str] = (),
) -> tuple[float, ...]:
    """Time ``func`` over each round of documents in turn, after running it on ``warmup``;
    each time is scaled to the bytes of the first round (``nbytes / seconds`` stays each
    round's throughput).

    Give every round documents no round before it has seen: a cache inside ``func`` (RE2
    builds its automaton as new text comes, regex keeps compiled patterns) makes a second
    pass over the same text faster than unseen text ever runs.

    >>> len(time_rounds(str.upper, [["a", "b"], ["c", "dd"]], warmup=["e"]))
    2
    >>> len(time_rounds(Batched(lambda docs: [d.upper() for d in docs], 2), [["a", "b", "c"]]))
    1
    """
    run_over(func, warmup)
    sizes = [sum(len(d.encode("utf-8")) for d in batch) for batch in rounds]
    times = []
    clock = time.perf_counter
    for batch, size in zip(rounds, sizes, strict=True):
        start = clock()
        run_over(func, batch)
        times.append((clock() - start) * sizes[0] / size if size else 0.0)
    return tuple(times)


def load_average() -> list[float] | None:
    """The 1, 5 and 15 minute load averages, or None where the OS has none."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except (OSError, AttributeError):
        return None


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> dict[str, object]:
    """CPU, core count, memory, OS and Python of this machine."""
    info: dict[str, object] = {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
    }
    try:
        import psutil

        info["memory_gb"] = round(psutil.virtual_memory().total / 1e9, 1)
    except ImportError:
        pass
    return info


def versions() -> dict[str, str | None]:
    """Versions of cleantext and of every library whose speed the run depends on or compares."""
    found: dict[str, str | None] = {}
    for dist in ("cleantext-corpus", "ftfy", "regex", "clean-text", "psutil", "matplotlib"):
        try:
            found[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            found[dist] = None
    import cleantext
    from benchmarks.peers import load_peers

    found["cleantext (imported)"] = getattr(cleantext, "__version__", None)
    for peer in load_peers():
        if peer.name.startswith("clean-text"):
            found["clean-text"] = peer.version  # loaded from its own folder, not installed
    return found
