"""Residue lines: captions, credits, navigation, comment forms, bylines, ads, and the like.

Each line is classified against the rule catalog (:mod:`cleantext.catalog`); a line is removed
only when a rule matches the whole line and the rule's context holds. Long lines are never
candidates: they are prose.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from cleantext.catalog import Catalog, Rule, builtin_catalog
from cleantext.filter import Edit, FilterBase

__all__ = ["StripResidue"]

_STRIP = " \t\r\xa0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u3000"
EDGE_LINES = 3  # "top" and "bottom" rules apply within this many non-blank lines of the edge


def _metadata(rule: Rule, line: str) -> tuple[tuple[str, str], ...]:
    if not rule.metadata:
        return ()
    match = rule.compiled().fullmatch(line)
    value = line
    if match is not None and "value" in match.groupdict() and match.group("value"):
        value = match.group("value").strip()
    return ((rule.metadata, value),)


@dataclass(frozen=True)
class StripResidue(FilterBase):
    """Remove whole lines that are scraper residue, as the rule catalog defines it.

    ``catalog`` defaults to the built-in rules of every supported language.

    >>> StripResidue()("Blinken met Xi.\\n\\nSee also Stranded cruise passengers\\n\\nHe left.")
    'Blinken met Xi.\\n\\nHe left.'
    >>> StripResidue()("He said the photo was taken in May.")
    'He said the photo was taken in May.'
    """

    name: ClassVar[str] = "strip-residue"
    catalog: Catalog = field(default_factory=builtin_catalog)

    def __repr__(self) -> str:
        return f"StripResidue(catalog=<{len(self.catalog.rules)} rules {self.catalog.digest}>)"

    def classify(self, text: str) -> list[Rule | None]:
        """For each ``\\n``-separated line of ``text``: the rule that removes it, or None."""
        lines = text.split("\n")
        verdicts: list[Rule | None] = [None] * len(lines)
        nonblank = [i for i, line in enumerate(lines) if line.strip(_STRIP)]
        limit = self.catalog.max_length
        last = len(nonblank) - 1
        deferred: list[tuple[int, int, Rule]] = []
        for rank, i in enumerate(nonblank):
            stripped = lines[i].strip(_STRIP)
            if len(stripped) > limit:
                continue
            rule = self.catalog.match(stripped)
            if rule is None:
                continue
            if rule.position == "any":
                verdicts[i] = rule
            else:
                deferred.append((rank, i, rule))
        for rank, i, rule in deferred:
            if rule.position == "top" and self._at_edge(verdicts, nonblank[:rank]):
                verdicts[i] = rule
            elif rule.position == "bottom" and self._at_edge(verdicts, nonblank[rank + 1 :][::-1]):
                verdicts[i] = rule
            elif rule.position == "above-credit" and rank < last:
                below = verdicts[nonblank[rank + 1]]
                if below is not None and below.credit:
                    verdicts[i] = rule
        return verdicts

    @staticmethod
    def _at_edge(verdicts: list[Rule | None], between: list[int]) -> bool:
        """True when at most EDGE_LINES - 1 kept lines separate this line from the edge."""
        kept = sum(1 for j in between if verdicts[j] is None)
        return kept < EDGE_LINES

    def _run(self, text: str, edits: list[Edit] | None) -> str:
        verdicts = self.classify(text)
        if not any(verdicts):
            return text
        lines = text.split("\n")
        out: list[str] = []
        offset = 0
        removed_since_kept = False
        for i, line in enumerate(lines):
            span = len(line) + (1 if i < len(lines) - 1 else 0)
            rule = verdicts[i]
            if rule is not None:
                if edits is not None:
                    edits.append(
                        Edit(self.name, rule.id, rule.category, offset, offset + span,
                             text[offset : offset + span], "", _metadata(rule, line.strip(_STRIP)))
                    )  # fmt: skip
                removed_since_kept = True
            elif removed_since_kept and not line.strip(_STRIP) and (not out or out[-1] == ""):
                # The removal left a blank line at the top or two in a row: drop this one too.
                if edits is not None:
                    edits.append(Edit(self.name, "blank-after-removal", "whitespace", offset,
                                      offset + span, text[offset : offset + span], ""))  # fmt: skip
            else:
                out.append(line)
                if line.strip(_STRIP):
                    removed_since_kept = False
            offset += span
        result = "\n".join(out)
        # Removing the last line must not leave the blank lines that stood above it.
        return result if text.endswith("\n") else result.rstrip("\n")
