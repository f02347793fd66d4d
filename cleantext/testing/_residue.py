"""Residue lines drawn from the catalog's own examples, varied and checked against the catalog.

Every rule's ``examples`` are the seeds. A drawn line swaps names, agencies, dates, weekdays,
places and sites in a seed for others, and is kept only when (1) the rule's own pattern still
matches the whole line, (2) the catalog still classifies it under the same rule (the first
matching rule decides where a line may stand), and (3) the residue filter removes it where it
will be placed. When a variant fails, the seed itself is used, so every drawn line is residue.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import regex
from hypothesis import strategies as st

from cleantext.catalog import CATEGORIES, Catalog, Rule, builtin_catalog
from cleantext.filters import StripResidue
from cleantext.testing._draws import SEED, Digits
from cleantext.testing._vocab import EN, LANGUAGES, choose

__all__ = ["ResidueItem", "ResiduePool", "residue_pool"]

_MONTHS = EN.months
_DAYS = EN.days
_AGENCIES = ("AP", "AFP", "Reuters", "Getty Images", "EPA", "Xinhua", "Bloomberg", "TRT")
_PLACES = ("Beijing", "Washington", "Seoul", "London", "Athens", "Nairobi", "Lima", "Warsaw")
_SITES = ("example.com", "news.example.org", "example.net")
_NOT_NAMES = frozenset(
    """Associated Press Getty Images Great Hall People Secretary State President Chinese
    Security Council Related Articles Read More See Also Leave Reply Cancel Post Comment
    Photo Image Source Sources Via Required Your Save""".split()
)
_FIRSTS = tuple(dict.fromkeys(n for v in LANGUAGES.values() for n in v.firsts))
_LASTS = tuple(dict.fromkeys(n for v in LANGUAGES.values() for n in v.lasts))
_SITE = regex.compile(
    r"(?P<iso>\b\d{4}-\d{2}-\d{2}\b)"
    rf"|(?P<date>\b(?:{'|'.join(_MONTHS)}) \d{{1,2}}, \d{{4}}\b)"
    rf"|(?P<day>\b(?:{'|'.join(_DAYS)})\b)"
    r"|(?P<agency>\b(?:Getty Images|Reuters|REUTERS|AFP|AP|EPA|Xinhua|Bloomberg|TRT)\b)"
    rf"|(?P<place>\b(?:{'|'.join(_PLACES)})\b)"
    r"|(?P<site>\b[a-z0-9-]+\.(?:com|org|net)\b)"
    r"|(?P<name>\b\p{Lu}\p{Ll}+ \p{Lu}\p{Ll}+\b)"
)


@dataclass(frozen=True, slots=True)
class ResidueItem:
    """One residue line and the rule that classifies it."""

    line: str
    rule: Rule


@dataclass(frozen=True, slots=True)
class _Seed:
    line: str
    rule: Rule
    sites: tuple[tuple[int, int, str], ...]


@dataclass(frozen=True)
class ResiduePool:
    """Seeds by placement: lines removable on their own, captions that need a credit below
    them, and credit lines (partners for captions)."""

    catalog: Catalog
    lines: tuple[_Seed, ...]
    captions: tuple[_Seed, ...]
    credits: tuple[_Seed, ...]
    filter: StripResidue
    _seeds: dict[str, tuple[_Seed, ...]] = field(default_factory=dict, repr=False, compare=False)

    def valid(self, item: ResidueItem) -> bool:
        """True when ``item.line`` is still classified under its rule and removed alone."""
        rule = item.rule
        return (
            rule.compiled().fullmatch(item.line) is not None
            and self.catalog.match(item.line) == rule
            and (rule.position == "above-credit" or self.filter.apply(item.line) == "")
        )

    def valid_pair(self, caption: ResidueItem, credit: ResidueItem) -> bool:
        """True when the caption above the credit line is removed with it."""
        return (
            self.valid(caption)
            and self.valid(credit)
            and self.filter.apply(f"{caption.line}\n{credit.line}") == ""
        )

    def seeds(self, where: str) -> tuple[_Seed, ...]:
        """The seeds for a place: "any" (stand-alone lines of every position), "top",
        "middle", "bottom" (lines whose rule allows that place), "captions" or "credits"."""
        found = self._seeds.get(where)
        if found is None:
            found = {
                "any": self.lines,
                "top": tuple(s for s in self.lines if s.rule.position in ("any", "top")),
                "middle": tuple(s for s in self.lines if s.rule.position == "any"),
                "bottom": tuple(s for s in self.lines if s.rule.position in ("any", "bottom")),
                "captions": self.captions,
                "credits": self.credits,
            }[where]
            self._seeds[where] = found
        return found

    def draw_item(self, draw: st.DrawFn, where: str) -> ResidueItem | None:
        """One varied line for a place (None when the place has no seeds), from one draw."""
        seeds = self.seeds(where)
        if not seeds:
            return None
        d = Digits(draw(SEED))
        seed = seeds[d.int(0, len(seeds) - 1)]
        if not seed.sites or not d.int(0, 1):
            return ResidueItem(seed.line, seed.rule)
        parts, last = [], 0
        for start, end, kind in seed.sites:
            parts.append(seed.line[last:start])
            parts.append(_REPLACEMENTS[kind](d) if d.int(0, 1) else seed.line[start:end])
            last = end
        parts.append(seed.line[last:])
        item = ResidueItem("".join(parts), seed.rule)
        if seed.rule.position == "above-credit" or self.valid(item):
            return item  # captions are checked with their credit line, by the caller
        return ResidueItem(seed.line, seed.rule)

    def items(self, where: str) -> st.SearchStrategy[ResidueItem]:
        """The strategy form of :meth:`draw_item`."""
        if not self.seeds(where):
            return st.nothing()
        return _items(self, where)


def _sites(line: str) -> tuple[tuple[int, int, str], ...]:
    found = []
    for match in _SITE.finditer(line):
        kind = match.lastgroup or ""
        if kind == "name" and set(match.group().split()) & _NOT_NAMES:
            continue
        found.append((match.start(), match.end(), kind))
    return tuple(found)


_REPLACEMENTS = {
    "iso": lambda d: f"{d.int(1998, 2030):04d}-{d.int(1, 12):02d}-{d.int(1, 28):02d}",
    "date": lambda d: f"{d.pick(_MONTHS)} {d.int(1, 28)}, {d.int(1998, 2030)}",
    "day": lambda d: d.pick(_DAYS),
    "agency": lambda d: d.pick(_AGENCIES),
    "place": lambda d: d.pick(_PLACES),
    "site": lambda d: d.pick(_SITES),
    "name": lambda d: f"{d.pick(_FIRSTS)} {d.pick(_LASTS)}",
}


@st.composite
def _items(draw: st.DrawFn, pool: ResiduePool, where: str) -> ResidueItem:
    item = pool.draw_item(draw, where)
    assert item is not None  # items() returns st.nothing() for a place without seeds
    return item


_POOLS: dict[tuple, ResiduePool] = {}


def check_categories(categories: Sequence[str] | str | None) -> tuple[str, ...] | None:
    """Validate a ``categories`` argument against the catalog's categories."""
    if categories is None:
        return None
    return choose(categories, CATEGORIES, "residue categories")


def residue_pool(
    catalog: Catalog | None,
    categories: tuple[str, ...] | None,
    languages: tuple[str, ...] | None,
) -> ResiduePool:
    """The checked seeds of ``catalog`` (default: the built-in one) for these categories and
    languages (None: all). Raises ValueError when nothing is left to draw from."""
    catalog = catalog if catalog is not None else builtin_catalog()
    key = (catalog.digest, categories, languages)
    pool = _POOLS.get(key)
    if pool is not None and pool.catalog == catalog:
        return pool
    if languages is not None:
        unknown = [lang for lang in languages if lang not in catalog.languages]
        if unknown or not languages:
            raise ValueError(
                f"the catalog has no rules for languages {unknown or languages!r}; "
                f"it has: {', '.join(catalog.languages)}"
            )
    strip = StripResidue(catalog=catalog)
    lines, captions, credits = [], [], []
    for rule in catalog.rules:
        if languages is not None and rule.language not in languages:
            continue
        for example in rule.examples:
            line = example.strip()
            if catalog.match(line) != rule or rule.compiled().fullmatch(line) is None:
                continue  # an example shadowed by an earlier rule, or not matched at all
            seed = _Seed(line, rule, _sites(line))
            if rule.position == "above-credit":
                captions.append(seed)
                continue
            if strip.apply(line) != "":
                continue
            if rule.credit:
                credits.append(seed)
            if categories is None or rule.category in categories:
                lines.append(seed)
    captions = [c for c in captions if categories is None or c.rule.category in categories]
    captions = [
        c for c in captions if any(strip.apply(f"{c.line}\n{k.line}") == "" for k in credits)
    ]
    if not lines and not captions:
        raise ValueError(
            f"no usable residue examples in the catalog for categories {categories!r} and "
            f"languages {languages!r}"
        )
    pool = ResiduePool(catalog, tuple(lines), tuple(captions), tuple(credits), strip)
    _POOLS[key] = pool
    return pool
