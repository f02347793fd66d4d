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

import re
from bisect import bisect_left
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from heapq import heappop, heappush
from itertools import accumulate, compress
from typing import Any, ClassVar

import regex

from cleantext.catalog import (
    LINE_MARGIN,
    MAY_MATCH,
    ODD_SPACES,
    SCANNED_POSITIONS,
    TO_REPAIR,
    Catalog,
    LineNeeds,
    Rule,
    builtin_catalog,
)
from cleantext.filter import Edit, FilterBase
from cleantext.filters.punctuation import StrayPeriod

__all__ = ["EDGE_LINES", "StripResidue", "reads_like_sentence"]

_STRIP = LINE_MARGIN
_EDGES = ("top", "bottom", "edge")
_CONTEXTS = (*_EDGES, "above-credit", "near-residue")
EDGE_LINES = 3  # "top" and "bottom" rules apply within this many kept non-blank lines of the edge
# Lines are matched as the later filters will leave them (odd spaces made plain, a stray " ."
# dropped), so that cleaning clean text removes nothing more: the pipeline stays idempotent.
# A class of explicit code points: the standard library scans it several times faster.
_ODD_SPACE = re.compile("[" + ODD_SPACES + "]")
_STRAY_PERIOD = StrayPeriod()
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


def _blank(line: str) -> bool:
    return not line.strip(_STRIP)


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
        return (
            f"StripResidue(catalog=<{len(self.catalog.rules)} rules {self.catalog.digest}>{langs})"
        )

    def __reduce__(self):  # the restricted catalog travels as it is; do not restrict twice
        return (_rebuild, (self.catalog, self.languages))

    def prepare(self) -> None:
        """Compile the catalog's patterns and its RE2 set now (see :meth:`Catalog.prepare`)."""
        self.catalog.prepare()

    def classify(self, text: str) -> list[Rule | None]:
        """For each ``\\n``-separated line of ``text``: the rule that removes it, or None.

        Rules that act anywhere are tried first, on every short line; rules that act only in a
        context are then tried only on the lines where their context holds (an edge, the line
        above a credit, a neighbour of a removed line), until nothing changes.

        >>> [r and r.category for r in StripResidue().classify("Advertisement\\nHe left.")]
        ['advertising', None]
        """
        return self._scan(text).verdicts

    def _scan(self, text: str) -> _LineScan:
        """The stages of :meth:`classify_many` for one text; its lines and verdicts."""
        catalog = self.catalog
        scan = _scan_lines(catalog, text)
        first_match = catalog.first_match
        for verdicts, i, line, rules in scan.pending:  # one text: no rule's turn to wait for
            verdicts[i] = first_match(line, _guarded_sentence, among=rules)
        _resolve_scan(catalog, scan)
        return scan

    def classify_many(self, texts: Sequence[str]) -> list[list[Rule | None]]:
        """:meth:`classify` of each text, the same verdicts; faster on many texts at once.

        Each stage runs over all the texts before the next: the RE2 test of every line, then
        the rules that act anywhere, one rule at a time over every line it may match (a large
        pattern is then matched many times in a row, while the matching engine and the pattern
        are in the processor's caches: in turns with the rest of the pipeline, each match cost
        two to four times as much), then the contextual rules, text by text.

        >>> strip = StripResidue()
        >>> [[r and r.category for r in v] for v in strip.classify_many(["Advertisement", "Hi."])]
        [['advertising'], [None]]
        """
        return [scan.verdicts for scan in self._scans(texts)]

    def _scans(self, texts: Sequence[str]) -> list[_LineScan]:
        catalog = self.catalog
        scans = [_scan_lines(catalog, text) for text in texts]
        _match_rule_by_rule(catalog, [line for scan in scans for line in scan.pending])
        for scan in scans:
            _resolve_scan(catalog, scan)
        return scans

    def _run(self, text: str, edits: list[Edit] | None) -> str:
        return self._without_residue(text, self._scan(text), edits)

    def _run_many(self, texts: Sequence[str], edits: Sequence[list[Edit]] | None) -> list[str]:
        found = [None] * len(texts) if edits is None else edits
        return list(map(self._without_residue, texts, self._scans(texts), found))

    def _without_residue(self, text: str, scan: _LineScan, edits: list[Edit] | None) -> str:
        """``text`` without the lines its ``scan``'s verdicts remove (and the blank lines they
        leave); the scan's lines are the text's, split once."""
        lines, verdicts = scan.lines, scan.verdicts
        if not any(verdicts):
            return text
        dropped = _dropped_lines(lines, verdicts)
        if edits is not None:
            lengths = list(accumulate(map(len, lines), initial=0))  # (C speed: no generator)
            for i, rule in dropped:
                start, end = lengths[i] + i, min(lengths[i + 1] + i + 1, len(text))
                if rule is not None:
                    metadata = _metadata(rule, lines[i].strip(_STRIP))
                    edits.append(Edit(self.name, rule.id, rule.category, start, end,
                                      text[start:end], "", metadata))  # fmt: skip
                elif end > start:
                    edits.append(Edit(self.name, "blank-after-removal", "whitespace", start,
                                      end, text[start:end], ""))  # fmt: skip
        kept: list[str] = []
        last = 0
        for i, _ in dropped:  # in order: copy the kept lines between them by slices
            kept += lines[last:i]
            last = i + 1
        kept += lines[last:]
        if kept and text.endswith("\n") and last == len(lines):
            kept.append("")  # the text ended with a line break: so does what is left of it
        return "\n".join(kept)


@dataclass(slots=True)
class _LineScan:
    """One text as :meth:`StripResidue.classify_many` sees it between its stages."""

    #: The text's lines; empty when no rule can match any of them (no verdict, no line
    #: counted as kept), so that nothing needs them.
    lines: list[str]
    verdicts: list[Rule | None]
    #: The lines (index, stripped line, rules) that rules acting anywhere may match.
    pending: list[tuple[list[Rule | None], int, str, tuple[Rule, ...]]] = field(
        default_factory=list
    )
    nonblank: list[int] = field(default_factory=list)
    stripped: dict[int, tuple[str, ...]] = field(default_factory=dict)  # lines with a repair
    scanned: set[str] | None = None  # the positions whose rules may match some line


def _scan_lines(catalog: Catalog, text: str) -> _LineScan:
    """The first stage: the lines of ``text``, which of them rules may match, and the
    verdicts that need no rule acting anywhere to be matched in bulk."""
    # One call of the RE2 set says what a line may need: most need nothing (no rule can
    # match them, and their one form is the line as it is). Most documents hold no such
    # line at all, and in the others the lines before the first suspect piece need no
    # test either (Catalog.first_suspect_line).
    line_test = catalog.line_test()
    if line_test is None:
        lines = text.split("\n")
        scan = _LineScan(lines, [None] * len(lines))
        _scan_every_line(catalog, scan)
        return scan
    try:
        data: bytes | None = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: each line is encoded (or not) on its own
        data = None
    first = catalog.first_suspect_line(text if data is None else data)
    if first is None:
        # No rule can match any line: no line is even counted as kept, and the text is not
        # split (a tenth of the filter's time on such documents): nothing reads its lines.
        return _LineScan([], [None] * (text.count("\n") + 1))
    lines = text.split("\n")
    scan = _LineScan(lines, [None] * len(lines))
    limit = catalog.max_length
    # Each line is tested as it stands in the text encoded once, margin and all (the set
    # allows a margin around every rule), rather than stripped and encoded on its own.
    if data is None:
        keys: list[str] | list[bytes] = lines
        test: Callable[[Any], LineNeeds] = line_test
    else:
        keys, test = data.split(b"\n"), catalog.encoded_line_test()  # type: ignore[assignment]
    scanned: set[str] = set()
    scan.scanned = scanned
    verdicts, nonblank, stripped, pending = (
        scan.verdicts,
        scan.nonblank,
        scan.stripped,
        scan.pending,
    )
    for i, candidate in _candidates(lines, limit, nonblank):
        if i < first:
            continue  # above the first suspect piece: only counted as kept
        needs, rules, kinds = test(keys[i])
        if not kinds:
            continue
        scanned |= kinds
        if needs & TO_REPAIR:
            forms = _forms(candidate)
            if len(forms) > 1:
                stripped[i] = forms
                # The repaired form's own test: its rules, and the kinds the contextual
                # stage needs to know of (a line may match a rule only once repaired).
                repaired_needs, repaired_rules, repaired_kinds = line_test(forms[0])
                scanned |= repaired_kinds
                rule = None
                if repaired_needs & MAY_MATCH:
                    rule = catalog.first_match(forms[0], _guarded_sentence, among=repaired_rules)
                if rule is None and needs & MAY_MATCH:
                    rule = catalog.first_match(candidate, _guarded_sentence, among=rules)
                verdicts[i] = rule
                continue
        if needs & MAY_MATCH:
            pending.append((verdicts, i, candidate, rules))
    return scan


def _candidates(lines: list[str], limit: int, nonblank: list[int]) -> Iterator[tuple[int, str]]:
    """The lines a rule may match, each with its index, stripped of its margin and at most
    ``limit`` characters long; the index of every line that is not blank is appended to
    ``nonblank`` on the way (a line too long to be a candidate is prose, kept)."""
    long_line = limit + 40
    for i, line in enumerate(lines):
        if not line:
            continue
        if len(line) > long_line:  # no need to strip it: it is longer than any rule allows
            nonblank.append(i)
            continue
        candidate = line.strip(_STRIP)
        if not candidate:
            continue
        nonblank.append(i)
        if len(candidate) <= limit:
            yield i, candidate


def _scan_every_line(catalog: Catalog, scan: _LineScan) -> None:
    """:func:`_scan_lines` without an RE2 set: every line may need anything, and
    :meth:`Catalog.first_match` picks the rules to try by its first word and length."""
    verdicts, stripped = scan.verdicts, scan.stripped
    first_match = catalog.first_match
    for i, candidate in _candidates(scan.lines, catalog.max_length, scan.nonblank):
        forms = _forms(candidate)
        if len(forms) > 1:
            stripped[i] = forms
            verdicts[i] = _first_any(catalog, forms)
        else:
            verdicts[i] = first_match(candidate, _guarded_sentence)


def _match_rule_by_rule(
    catalog: Catalog, pending: list[tuple[list[Rule | None], int, str, tuple[Rule, ...]]]
) -> None:
    """Set each pending line's verdict to the first of its rules (in catalog order) that
    matches it, as :meth:`Catalog.first_match` would, trying one rule at a time on every
    line waiting for it."""
    position = catalog.position_of
    waiting: dict[int, list[tuple[list[Rule | None], int, str, tuple[Rule, ...], int]]] = {}
    for verdicts, i, line, rules in pending:
        waiting.setdefault(position(rules[0]), []).append((verdicts, i, line, rules, 0))
    fits = catalog.fits
    while waiting:
        entries = waiting.pop(min(waiting))
        rule = entries[0][3][entries[0][4]]
        for verdicts, i, line, rules, k in entries:
            if fits(rule, line) and not _guarded_sentence(rule, line):
                verdicts[i] = rule
            elif k + 1 < len(rules):
                nxt = rules[k + 1]  # later in catalog order: its turn comes after this one's
                waiting.setdefault(position(nxt), []).append((verdicts, i, line, rules, k + 1))


def _resolve_scan(catalog: Catalog, scan: _LineScan) -> None:
    """The last stage: the contextual rules on the lines of one text (see
    :func:`_resolve_context`), once every rule acting anywhere has had its turn."""
    if not catalog.contextual or not scan.nonblank:
        return
    scanned, stripped = scan.scanned, scan.stripped
    if scanned is not None:
        # (The kinds of the lines' repaired forms are in ``scanned`` too: _scan_lines.)
        if scanned.isdisjoint(_EDGES) and not any(scan.verdicts):
            return  # no edge rule can match, and nothing else has a context
    one_form = _lazy_forms(scan.lines, catalog.max_length)
    _resolve_context(
        catalog,
        scan.verdicts,
        scan.nonblank,
        lambda i: stripped.get(i) or one_form(i),
        None if scanned is None else frozenset(scanned),
    )


def _dropped_lines(lines: list[str], verdicts: list[Rule | None]) -> list[tuple[int, Rule | None]]:
    """The lines to drop, in order, each with the rule that removes it, or None for a blank
    line that a removal left behind: at the top, two in a row, or at the end.

    Only the removed lines and the blank lines after them are visited: until the next removal,
    a line after a kept line that is not blank is kept whatever it holds.
    """
    dropped: list[tuple[int, Rule | None]] = []
    n = len(lines)
    last_kept = -1  # the last kept line so far, -1 before any
    after_removal = False  # a line was removed since the last kept line that is not blank
    i = 0
    for r in [*compress(range(n), verdicts), n]:  # the removed lines, then the end
        while after_removal and i < r:
            if lines[i].strip(_STRIP):
                after_removal = False
                last_kept = i
            elif last_kept < 0 or _blank(lines[last_kept]):
                dropped.append((i, None))
            else:
                last_kept = i  # one blank line after text stays
            i += 1
        if r == n:
            break
        if r > i:
            last_kept = r - 1
        dropped.append((r, verdicts[r]))
        after_removal = True
        i = r + 1
    if after_removal:
        # Removing the last lines must not leave the blank lines that stood above them.
        gone = {j for j, _ in dropped}
        trailing = []
        for j in range(n - 1, -1, -1):
            if j in gone:
                continue
            if not _blank(lines[j]):
                break
            trailing.append((j, None))
        if trailing:
            dropped = sorted(dropped + trailing, key=lambda d: d[0])
    return dropped


def _rebuild(catalog: Catalog, languages: tuple[str, ...] | None) -> StripResidue:
    strip = StripResidue(catalog=catalog)
    object.__setattr__(strip, "languages", languages)
    return strip


def _forms(line: str) -> tuple[str, ...]:
    """The line as later filters will leave it (odd spaces plain, a stray " ." dropped), then
    the line as it is, when the two differ. Matching the repaired form keeps cleaning
    idempotent; matching the raw form keeps user patterns written for raw lines working."""
    repaired = line
    if not line.isascii() and _ODD_SPACE.search(line) is not None:
        repaired = _ODD_SPACE.sub(" ", repaired)
    if " ." in repaired:
        repaired = _STRAY_PERIOD(repaired)
    return (repaired,) if repaired == line else (repaired, line)


def _lazy_forms(lines: list[str], limit: int) -> Callable[[int], tuple[str, ...] | None]:
    """The forms of line ``i`` on demand, for a text where every line has one form."""

    def forms_of(i: int) -> tuple[str, ...] | None:
        line = lines[i]
        if len(line) > limit + 40:
            return None
        candidate = line.strip(_STRIP)
        return (candidate,) if candidate and len(candidate) <= limit else None

    return forms_of


def _guarded_sentence(rule: Rule, line: str) -> bool:
    return rule.sentence_guard and reads_like_sentence(line)


def _first_any(catalog: Catalog, forms: tuple[str, ...]) -> Rule | None:
    for form in forms:
        rule = catalog.first_match(form, _guarded_sentence)
        if rule is not None:
            return rule
    return None


def _resolve_context(
    catalog: Catalog,
    verdicts: list[Rule | None],
    nonblank: list[int],
    forms_of: Callable[[int], tuple[str, ...] | None],
    scanned: frozenset[str] | None = None,
) -> None:
    """Try the contextual rules on the lines where their context holds, until nothing changes.
    ``scanned``: the positions whose rules :meth:`Catalog.scan` found may match some line (as
    it is or as repaired), when known; the rules of the other positions the scan holds (edge,
    near-residue) are not tried.

    A line's context can change when a neighbour is removed (a removed credit makes the line
    above it a caption candidate; removed lines bring a kept line nearer an edge), so this
    loops; each (line, rule) pair is matched at most once.
    """

    def rules_of(position: str) -> tuple[Rule, ...]:
        if scanned is not None and position in SCANNED_POSITIONS and position not in scanned:
            return ()
        return catalog.contextual.get(position, ())

    top_rules, bottom_rules, edge_rules, above_rules, near_rules = map(rules_of, _CONTEXTS)
    tried: dict[tuple[int, str], bool] = {}
    last = len(nonblank) - 1
    # The rules to try on a line, in catalog order, by which of its contexts hold.
    by_context: dict[tuple[bool, bool, bool, bool], tuple[Rule, ...]] = {}

    def rules_for(context: tuple[bool, bool, bool, bool]) -> tuple[Rule, ...]:
        at_top, at_bottom, above_credit, near_removed = context
        chosen = [
            *(top_rules if at_top else ()),
            *(bottom_rules if at_bottom else ()),
            *(edge_rules if at_top or at_bottom else ()),
            *(above_rules if above_credit else ()),
            *(near_rules if near_removed else ()),
        ]
        rules = by_context[context] = tuple(sorted(chosen, key=catalog.position_of))
        return rules

    def first_fitting(i: int, rules: Sequence[Rule]) -> Rule | None:
        forms = forms_of(i)
        if forms is None:
            return None
        shortest = min(map(len, forms))
        for rule in rules:
            if rule.max_length < shortest:
                continue  # too long for the rule as it is and as repaired
            key = (i, rule.id)
            if key not in tried:
                tried[key] = any(
                    catalog.fits(rule, form)
                    and not (rule.sentence_guard and reads_like_sentence(form))
                    for form in forms
                )
            if tried[key]:
                return rule
        return None

    edges = bool(top_rules or bottom_rules or edge_rules)
    n = len(nonblank)
    changed = True
    while changed:
        changed = False
        gone = [verdicts[i] is not None for i in nonblank]
        # kept_at_start[r]: lines kept before position r when this pass began. A line removed
        # earlier in this pass no longer counts, so kept_before(r) = kept_at_start[r] - removed.
        kept_at_start = list(accumulate((not g for g in gone), initial=0))
        kept_total = kept_at_start[n]
        removed = 0
        # Only lines next to a removed line (above a removed credit, when no rule acts next to
        # residue), or near an edge (when an edge rule may match), have a context: visit those
        # in order, as a full scan would, and count the lines in between as kept.
        if near_rules:
            todo = {r + d for r, g in enumerate(gone) if g for d in (-1, 1)}
        elif above_rules:
            todo = {r - 1 for r, g in enumerate(gone) if g and verdicts[nonblank[r]].credit}
        else:
            todo = set()
        todo = sorted(todo - {-1, n})  # (a sorted list is already a heap)
        r = -1
        while r + 1 < n:
            r += 1
            kept_before = kept_at_start[r] - removed
            if not edges or EDGE_LINES <= kept_before < kept_total - EDGE_LINES:
                # No edge here: go on to the next line next to a removed one, or to the first
                # line of the bottom edge, whichever comes first.
                while todo and todo[0] < r:
                    heappop(todo)
                bottom = (
                    bisect_left(kept_at_start, kept_total - EDGE_LINES + removed, r) if edges else n
                )
                r = min(todo[0], bottom) if todo else bottom
                if r >= n:
                    break
            i = nonblank[r]
            if verdicts[i] is not None:
                continue
            kept_before = kept_at_start[r] - removed
            kept_after = kept_total - kept_before - 1
            context = (
                kept_before < EDGE_LINES,
                kept_after < EDGE_LINES,
                bool(above_rules)
                and r < last
                and getattr(verdicts[nonblank[r + 1]], "credit", False),
                bool(near_rules)
                and (
                    (r > 0 and verdicts[nonblank[r - 1]] is not None)
                    or (r < last and verdicts[nonblank[r + 1]] is not None)
                ),
            )
            rules = by_context.get(context)
            if rules is None:
                rules = rules_for(context)
            rule = first_fitting(i, rules) if rules else None
            if rule is not None:
                verdicts[i] = rule
                changed = True
                removed += 1
                if near_rules and r + 1 < n:
                    heappush(todo, r + 1)  # its neighbour above is now removed
