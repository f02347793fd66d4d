"""What ``explain`` returns: the cleaned text and every edit that produced it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from cleantext.filter import Edit

__all__ = ["Report"]


@dataclass(frozen=True, slots=True)
class Report:
    """The cleaned ``text`` and the ``edits`` of every filter, in pipeline order.

    Each edit's offsets index the text as *its* filter received it.
    """

    text: str
    edits: tuple[Edit, ...]

    @property
    def removed_lines(self) -> tuple[Edit, ...]:
        """The residue lines that were removed, with their rule and category."""
        return tuple(
            e for e in self.edits if e.filter == "strip-residue" and e.category != "whitespace"
        )

    @property
    def categories(self) -> Counter[str]:
        """How many edits of each category were made."""
        return Counter(e.category for e in self.edits)

    @property
    def metadata(self) -> dict[str, list[str]]:
        """What removed lines said about the document: date, source, photo credit, byline."""
        found: dict[str, list[str]] = {}
        for edit in self.edits:
            for key, value in edit.metadata:
                found.setdefault(key, []).append(value)
        return found

    @property
    def changed(self) -> bool:
        """True when any filter changed the text."""
        return bool(self.edits)
