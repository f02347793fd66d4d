"""The Ray Data example (examples/ray_example.py): the pipeline travels through ``map_batches``
to Ray workers in a local Ray instance and gives exactly what ``cleantext.clean`` gives.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import cleantext
from cleantext import Pipeline
from cleantext.filters import StrayPeriod

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "ray_example.py"
SEEDS = REPO / "corpora" / "seeds" / "input"

pytest.importorskip("ray.data", reason='Ray is absent: pip install "cleantext-corpus[ray]"')


def _load_example():
    spec = importlib.util.spec_from_file_location("ray_example", EXAMPLE)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_clean_batch_cleans_the_column_and_keeps_the_others() -> None:
    pd = pytest.importorskip("pandas")
    example = _load_example()
    batch = pd.DataFrame({"id": [3, 4], "body": ["Done. .\n\nSource: TRT", "Fine."]})
    out = example.clean_batch(batch, column="body", pipeline=Pipeline(StrayPeriod()))
    assert out["id"].tolist() == [3, 4]
    assert out["body"].tolist() == ["Done.\n\nSource: TRT", "Fine."]
    assert batch["body"].tolist()[0] == "Done. .\n\nSource: TRT"  # the input is not modified


@pytest.mark.slow  # a Ray instance takes 10-15 s to start and stop on 2 cores
def test_ray_example_matches_clean_on_the_seeds(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO), "RAY_USAGE_STATS_ENABLED": "0"}
    done = subprocess.run(
        [sys.executable, str(EXAMPLE), str(SEEDS)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    seeds = sorted(SEEDS.glob("*.txt"))
    assert [r["name"] for r in rows] == [p.name for p in seeds]
    for row, path in zip(rows, seeds, strict=True):
        assert row["text"] == cleantext.clean(path.read_text(encoding="utf-8")), row["name"]
