"""Shared test configuration: Hypothesis profiles and the `slow` marker.

Set CI=true (as .ci/run does) or pass --runslow to run slow tests and the large Hypothesis
profile (1,000 examples per property).
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

settings.register_profile("ci", max_examples=1000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])  # fmt: skip
settings.register_profile("dev", max_examples=150, deadline=None)
settings.load_profile("ci" if IN_CI else os.environ.get("HYPOTHESIS_PROFILE", "dev"))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--runslow", action="store_true", help="run tests marked slow")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if IN_CI or config.getoption("--runslow"):
        return
    skip = pytest.mark.skip(reason="slow: runs in CI (CI=true) or with --runslow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def batch_sizes(monkeypatch: pytest.MonkeyPatch):
    """``record(method)``: make ``Pipeline.<method>`` (``apply_many`` or ``explain_many``)
    note the size of every batch it is given, in the list ``record`` returns."""
    from cleantext.pipeline import Pipeline

    def record(method: str) -> list[int]:
        sizes: list[int] = []
        original = getattr(Pipeline, method)

        def counted(self, texts):
            texts = list(texts)
            sizes.append(len(texts))
            return original(self, texts)

        monkeypatch.setattr(Pipeline, method, counted)
        return sizes

    return record
