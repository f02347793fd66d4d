"""Every docstring example in the library runs and holds."""

from __future__ import annotations

import doctest
import importlib
import importlib.util
import pkgutil

import pytest

import cleantext

# cleantext.remote's examples use fsspec's memory filesystem: they need the fsspec extra.
NEEDS_FSSPEC = () if importlib.util.find_spec("fsspec") else ("cleantext.remote",)
MODULES = sorted(
    m.name
    for m in pkgutil.walk_packages(cleantext.__path__, "cleantext.")
    if not m.name.startswith(("cleantext.testing", "cleantext.engines.dask", "cleantext.dask"))
    and m.name not in ("cleantext.__main__", *NEEDS_FSSPEC)
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
