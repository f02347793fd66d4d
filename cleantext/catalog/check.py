"""Check rules against their own examples: each example must be removed as a whole line by
:class:`~cleantext.filters.StripResidue`, each negative must stay.

Lines are checked inside a short article, at the place the rule's ``position`` asks for (the
top, the bottom, above a credit line, next to another residue line), so context rules are
checked in their context and negatives are checked where they would do harm.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from cleantext.catalog import Catalog, Rule

__all__ = ["Failure", "check_rules"]

#: Article paragraphs around the line under test.
PROSE = (
    "The two governments agreed on Monday to resume regular talks between their militaries.",
    "The meeting lasted more than three hours and ended without a joint statement.",
    "Analysts said the outcome would be tested in the coming weeks.",
    "Officials said a second round of talks could take place before the end of the year.",
    "Trade restrictions announced last year are due to be reviewed in the spring.",
    "Neither side gave details of the agenda for the next meeting.",
)


@dataclass(frozen=True)
class Failure:
    """One example that was not removed, or one negative that was."""

    rule: str
    kind: str  # "example" or "negative"
    line: str
    reason: str
    source: str = ""

    def __str__(self) -> str:
        return f"{self.source}: rule {self.rule}: {self.kind} {self.line!r}: {self.reason}"


def _neighbour(catalog: Catalog, rule: Rule, *, credit: bool) -> str | None:
    """An example line of another rule that acts anywhere (a credit-only one if asked)."""
    for other in catalog.rules:
        if other.id != rule.id and other.position == "any" and other.examples:
            if other.credit or not credit:
                return other.examples[0]
    return None


def _frame(catalog: Catalog, rule: Rule, line: str) -> tuple[list[str], int] | str:
    """The article lines with ``line`` placed in ``rule``'s context, and its index; or why not."""
    if rule.position in ("top", "edge"):
        return [line, *PROSE], 0
    if rule.position == "bottom":
        return [*PROSE, line], len(PROSE)
    middle = [line]
    if rule.position == "above-credit":
        credit = _neighbour(catalog, rule, credit=True)
        if credit is None:
            return "no credit-only rule with an example to place below the line"
        middle = [line, credit]
    elif rule.position == "near-residue":
        other = _neighbour(catalog, rule, credit=False)
        if other is None:
            return "no other rule with an example to place next to the line"
        middle = [line, other]
    return [*PROSE[:3], *middle, *PROSE[3:]], 3


def check_rules(rules: Iterable[Rule], catalog: Catalog) -> list[Failure]:
    """Run the examples and negatives of ``rules`` through a residue filter over ``catalog``.

    >>> from cleantext.catalog import builtin_catalog
    >>> cat = builtin_catalog()
    >>> check_rules([cat["en.comment_form.wordpress"]], cat)
    []
    """
    from cleantext.filters.residue import StripResidue  # the filter imports this package

    strip = StripResidue(catalog=catalog)
    failures: list[Failure] = []
    for rule in rules:
        for kind, lines in (("example", rule.examples), ("negative", rule.negatives)):
            for line in lines:
                framed = _frame(catalog, rule, line)
                if isinstance(framed, str):
                    failures.append(Failure(rule.id, kind, line, framed, rule.source))
                    continue
                doc, index = framed
                verdict = strip.classify("\n\n".join(doc))[2 * index]
                if kind == "example" and verdict is None:
                    failures.append(
                        Failure(rule.id, kind, line, "not removed as a whole line", rule.source)
                    )
                elif kind == "negative" and verdict is not None:
                    failures.append(
                        Failure(rule.id, kind, line, f"removed by {verdict.id}", rule.source)
                    )
    return failures
