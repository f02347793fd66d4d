"""The examples in cleantext.testing's docstrings run and say what they show."""

from __future__ import annotations

import doctest
import importlib
from collections.abc import Iterator

import pytest
from hypothesis import settings

MODULES = [
    "cleantext.testing",
    "cleantext.testing.strategies",
    "cleantext.testing.assertions",
    "cleantext.testing._damage",
    "cleantext.testing._hook",
]


@pytest.fixture
def few_examples() -> Iterator[None]:
    # The docstrings' @given examples illustrate; the properties themselves run at full size
    # in the other test files.
    previous = settings.get_current_profile_name()
    settings.register_profile("doctests", parent=settings.get_profile(previous), max_examples=20)
    settings.load_profile("doctests")
    try:
        yield
    finally:
        settings.load_profile(previous)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str, few_examples: None) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
