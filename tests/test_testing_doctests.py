"""The examples in cleantext.testing's docstrings run and say what they show."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "cleantext.testing",
    "cleantext.testing.strategies",
    "cleantext.testing.assertions",
    "cleantext.testing._damage",
    "cleantext.testing._hook",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
