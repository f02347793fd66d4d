"""The exception tree: every error cleantext raises derives from :class:`CleantextError`.

Each subclass also derives from the matching builtin, so ``except ValueError`` keeps working
for callers that do not know about cleantext.
"""

from __future__ import annotations

__all__ = ["CatalogError", "CleantextError", "ConfigError", "UnknownFilterError"]


class CleantextError(Exception):
    """Base class of every error raised by cleantext."""


class UnknownFilterError(CleantextError, KeyError):
    """A filter name that no registered filter has; the message lists the valid names."""

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return str(self.args[0]) if self.args else ""


class ConfigError(CleantextError, ValueError):
    """An option or configuration value that cannot be used."""


class CatalogError(CleantextError, ValueError):
    """A residue catalog file that cannot be loaded: names the file, the rule id and the reason."""
