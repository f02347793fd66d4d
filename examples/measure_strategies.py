"""Measure how many examples per second each cleantext.testing strategy generates.

Run from the repository root: ``python examples/measure_strategies.py [examples]``. Each
strategy runs under ``@given`` with a body that does nothing, health checks on, no example
database and only the generate phase, so the figure is Hypothesis's generation rate (engine
overhead included). ``dirty_documents + clean`` also runs the default pipeline on each draw.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's cleantext

from hypothesis import Phase, given, settings

import cleantext
from cleantext.testing import (
    articles,
    broken_possessives,
    dirty_documents,
    hostile_text,
    mojibake,
    residue_lines,
)


def _nothing(value: object) -> None:
    pass


def _clean(doc) -> None:
    assert cleantext.clean(doc.dirty) == doc.clean


def rate(strategy, body, count: int) -> tuple[float, float]:
    """Examples per second of wall-clock and of CPU time, for ``count`` draws of ``strategy``
    passed to ``body`` (CPU time is the fairer figure on a busy machine)."""

    @settings(
        max_examples=count,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=(),
    )
    @given(strategy)
    def run(value: object) -> None:
        body(value)

    run()  # warm-up: catalog, regexes, strategy caches
    wall, cpu = time.perf_counter(), time.process_time()
    run()
    return count / (time.perf_counter() - wall), count / (time.process_time() - cpu)


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    cases = [
        ("articles", articles(), _nothing),
        ("residue_lines", residue_lines(), _nothing),
        ("mojibake", mojibake(), _nothing),
        ("broken_possessives", broken_possessives(), _nothing),
        ("dirty_documents", dirty_documents(), _nothing),
        ("hostile_text", hostile_text(), _nothing),
        ("dirty_documents + clean", dirty_documents(), _clean),
    ]
    print(f"{'strategy':24s} {'wall':>8s} {'cpu':>8s}  examples/s, {count} examples")
    for name, strategy, body in cases:
        wall, cpu = rate(strategy, body, count)
        print(f"{name:24s} {wall:8.0f} {cpu:8.0f}")


if __name__ == "__main__":
    main()
