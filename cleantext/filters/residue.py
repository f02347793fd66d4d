"""Residue lines: captions, credits, navigation, comment forms, bylines, ads, and the like.

Each line is classified against the rule catalog (:mod:`cleantext.catalog`); a line is removed
only when a rule matches the whole line and the rule's context holds:

- position: "top" / "bottom" / "edge" rules act only within ``EDGE_LINES`` kept lines of the
  start / end / either end of the document (a scraper's date header, a lone "Reuters");
- neighbours: "above-credit" rules act only on the line directly above a credit-only line (a
  caption), "near-residue" rules only next to a line that is removed anyway (a share-bar item);
- length: each rule has a ``max_length``; long lines are prose and are tried against few rules;
- sentences: a rule with ``sentence_guard`` keeps a line that reads like a sentence of the
  article (:func:`reads_like_sentence`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import ClassVar

import regex

from cleantext.catalog import Catalog, Rule, builtin_catalog
from cleantext.filter import Edit, FilterBase

__all__ = ["EDGE_LINES", "StripResidue", "reads_like_sentence"]

_STRIP = " \t\r\xa0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u3000"
EDGE_LINES = 3  # "top" and "bottom" rules apply within this many kept non-blank lines of the edge
_SENTENCE_END = regex.compile(r"[.!?…][\"'”’»)\]]{0,3}+")
_WORD = regex.compile(r"\p{L}[\p{L}\p{M}'’-]*+")


def reads_like_sentence(line: str) -> bool:
    """True when ``line`` reads like a sentence of the article: at least six words, most of
    them lower-case, ending in a full stop, question or exclamation mark.

    >>> reads_like_sentence("Source: the ministry said the talks had failed on Monday.")
    True
    >>> reads_like_sentence("Source: Reuters, AFP, Associated Press")
    False
    """
    words = _WORD.findall(line)
    if len(words) < 6 or not _SENTENCE_END.search(line[-4:]):
        return False
    lower = sum(1 for w in words if w[0].islower())
    return lower * 2 >= len(words)


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

    ``catalog`` defaults to the built-in rules of every supported language; ``languages``
    restricts it to the rules of the named languages (plus the language-neutral ones), for a
    caller who knows the document's language.

    >>> StripResidue()("Blinken met Xi.\\n\\nSee also Stranded cruise passengers\\n\\nHe left.")
    'Blinken met Xi.\\n\\nHe left.'
    >>> StripResidue()("He said the photo was taken in May.")
    'He said the photo was taken in May.'
    >>> StripResidue(languages=("en",))("Er ging.\\n\\nMehr zum Thema\\n\\nEr kam.")
    'Er ging.\\n\\nMehr zum Thema\\n\\nEr kam.'
    """

    name: ClassVar[str] = "strip-residue"
    catalog: Catalog = field(default_factory=builtin_catalog)
    languages: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if self.languages is not None:
            languages = (self.languages,) if isinstance(self.languages, str) else self.languages
            object.__setattr__(self, "languages", tuple(languages))
            object.__setattr__(self, "catalog", self.catalog.restricted(self.languages))

    def __repr__(self) -> str:
        langs = "" if self.languages is None else f", languages={self.languages!r}"
        return f"StripResidue(catalog=<{len(self.catalog.rules)} rules {self.catalog.digest}>{langs})"

    def __reduce__(self):  # the restricted catalog travels as it is; do not restrict twice
        return (_rebuild, (self.catalog, self.languages))

    def classify(self, text: str) -> list[Rule | None]:
        """For each ``\\n``-separated line of ``text``: the rule that removes it, or None.

        >>> [r and r.category for r in StripResidue().classify("Advertisement\\nHe left.")]
        ['advertising', None]
        """
        lines = text.split("\n")
        verdicts: list[Rule | None] = [None] * len(lines)
        catalog = self.catalog
        limit = catalog.max_length
        nonblank: list[int] = []
        pending: dict[int, list[Rule]] = {}  # line -> matching rules whose context is unknown
        for i, line in enumerate(lines):
            if not line or len(line) > limit + 40:
                if line:
                    nonblank.append(i)
                continue
            stripped = line.strip(_STRIP)
            if not stripped:
                continue
            nonblank.append(i)
            if len(stripped) > limit:
                continue
            candidates = catalog.matches(stripped)
            for rule in candidates:
                if rule.sentence_guard and reads_like_sentence(stripped):
                    continue
                if rule.position == "any":
                    verdicts[i] = rule
                else:
                    pending[i] = [rule, *candidates]
                break
        if pending:
            self._resolve(lines, verdicts, nonblank, pending)
        return verdicts

    @staticmethod
    def _resolve(
        lines: Sequence[str],
        verdicts: list[Rule | None],
        nonblank: list[int],
        pending: dict[int, list[Rule]],
    ) -> None:
        """Decide the lines whose rule depends on context, until nothing changes."""
        rank = {i: r for r, i in enumerate(nonblank)}
        changed = True
        while changed and pending:
            changed = False
            for i in sorted(pending):
                r = rank[i]
                for rule in pending[i]:
                    if rule.sentence_guard and reads_like_sentence(lines[i].strip(_STRIP)):
                        continue
                    if _context_holds(rule, r, nonblank, verdicts):
                        verdicts[i] = rule
                        del pending[i]
                        changed = True
                        break

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
            elif removed_since_kept and not line.strip(_STRIP) and out and out[-1] == "":
                # The removal left two blank lines in a row: drop this one too.
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


def _rebuild(catalog: Catalog, languages: tuple[str, ...] | None) -> StripResidue:
    strip = StripResidue(catalog=catalog)
    object.__setattr__(strip, "languages", languages)
    return strip


def _kept_between(verdicts: list[Rule | None], indexes: Sequence[int]) -> int:
    return sum(1 for j in indexes if verdicts[j] is None)


def _context_holds(rule: Rule, r: int, nonblank: list[int], verdicts: list[Rule | None]) -> bool:
    """Whether ``rule``'s position holds for the ``r``-th non-blank line."""
    position = rule.position
    if position == "any":
        return True
    if position in ("top", "edge") and _kept_between(verdicts, nonblank[:r]) < EDGE_LINES:
        return True
    if position in ("bottom", "edge") and _kept_between(verdicts, nonblank[r + 1 :]) < EDGE_LINES:
        return True
    if position == "above-credit":
        below = verdicts[nonblank[r + 1]] if r + 1 < len(nonblank) else None
        return below is not None and below.credit
    if position == "near-residue":
        above = verdicts[nonblank[r - 1]] if r > 0 else None
        below = verdicts[nonblank[r + 1]] if r + 1 < len(nonblank) else None
        return above is not None or below is not None
    return False
