"""Filter names to filter classes, so pipelines can be built from names (CLI, config files)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from cleantext.errors import ConfigError, UnknownFilterError
from cleantext.filter import Filter
from cleantext.filters import (
    FixMojibake,
    NormalizeWhitespace,
    RepairPossessives,
    SentenceSpacing,
    StrayPeriod,
    StripResidue,
    UnicodeHygiene,
)
from cleantext.language import KeepLanguages

__all__ = ["DEFAULT_ORDER", "available_filters", "make_filter", "register"]

_FACTORIES: dict[str, Callable[..., Filter]] = {}

#: The default pipeline, in order: mojibake first so later rules see real characters.
DEFAULT_ORDER: tuple[str, ...] = (
    "fix-mojibake",
    "unicode-hygiene",
    "strip-residue",
    "repair-possessives",
    "stray-period",
    "sentence-spacing",
    "normalize-whitespace",
)


def register(name: str, factory: Callable[..., Filter]) -> None:
    """Make ``factory`` buildable by ``name`` (a stable kebab-case name)."""
    _FACTORIES[name] = factory


def available_filters() -> Mapping[str, Callable[..., Filter]]:
    """Every registered filter name and its factory, in registration order."""
    return dict(_FACTORIES)


def make_filter(name: str, **options: Any) -> Filter:
    """Build the filter called ``name`` with keyword ``options``.

    Unknown names raise :class:`UnknownFilterError` listing the valid ones.
    """
    try:
        factory = _FACTORIES[name]
    except KeyError:
        raise UnknownFilterError(
            f"unknown filter {name!r}; available: {', '.join(_FACTORIES)}"
        ) from None
    try:
        return factory(**options)
    except TypeError as exc:
        raise ConfigError(f"filter {name!r}: {exc}") from None


for _cls in (FixMojibake, UnicodeHygiene, StripResidue, RepairPossessives, StrayPeriod,
             SentenceSpacing, NormalizeWhitespace):  # fmt: skip
    register(_cls.name, _cls)
register(KeepLanguages.name, KeepLanguages)  # opt-in: not in DEFAULT_ORDER (2 ms a document)
