"""Residue rules as data: load TOML rule files and compile them into combined patterns.

Each ``*.toml`` file in this folder holds the rules of one language. A rule is a table in the
``[[rule]]`` array:

    id          stable identifier, ``<lang>.<category>.<name>`` ("en.navigation.see-also")
    category    what the line is: photo_credit, photo_caption, navigation, comment_form,
                attribution, ... (see ``CATEGORIES``)
    pattern     a regular expression (``regex`` syntax) that must match the *whole* stripped line
    description one line saying what the rule removes
    examples    lines the rule must remove
    negatives   lines that look alike but are article text and must stay
    case_sensitive  default false
    position    "any" (default), "top" or "bottom": where in the document the line may stand;
                "above-credit": only directly above a credit-only line (a caption)
    credit      true for a credit-only line: a one-sentence caption right above it goes too
    metadata    a key ("date", "source", "photo_credit", "byline") under which the line's
                ``value`` group (or the whole line) is returned by ``explain``

A file may also say ``disable = ["rule.id", ...]`` to turn built-in rules off.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import regex

from cleantext.errors import CatalogError

__all__ = [
    "CATEGORIES",
    "Catalog",
    "Rule",
    "builtin_catalog",
    "load_catalog",
    "load_rules",
]

CATEGORIES = (
    "photo_credit",
    "photo_caption",
    "navigation",
    "share",
    "comment_form",
    "attribution",
    "copyright",
    "advertising",
    "promo",
    "consent",
    "metadata",
    "tags",
)
POSITIONS = ("any", "top", "bottom", "above-credit")
MATCH_TIMEOUT = 1.0  # seconds; a guard, never reached by a linear pattern on a short line
_RULE_KEYS = {
    "id", "category", "pattern", "description", "examples", "negatives", "case_sensitive",
    "position", "credit", "metadata", "max_length",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Rule:
    """One residue rule: a whole-line pattern with its category and its own examples."""

    id: str
    category: str
    pattern: str
    description: str = ""
    examples: tuple[str, ...] = ()
    negatives: tuple[str, ...] = ()
    case_sensitive: bool = False
    position: str = "any"
    credit: bool = False
    metadata: str = ""
    max_length: int = 300
    language: str = "en"
    source: str = "<builtin>"

    def compiled(self) -> regex.Pattern[str]:
        """The rule's own pattern, compiled with its flags."""
        flags = regex.V1 if self.case_sensitive else regex.V1 | regex.IGNORECASE
        return regex.compile(self.pattern, flags)


def _rule_from_table(table: dict, *, source: str, language: str) -> Rule:
    rule_id = table.get("id", "<no id>")
    unknown = set(table) - _RULE_KEYS
    if unknown:
        raise CatalogError(f"{source}: rule {rule_id}: unknown keys {sorted(unknown)}")
    for key in ("id", "category", "pattern"):
        if not isinstance(table.get(key), str) or not table[key]:
            raise CatalogError(f"{source}: rule {rule_id}: '{key}' must be a non-empty string")
    if table["category"] not in CATEGORIES:
        raise CatalogError(
            f"{source}: rule {rule_id}: unknown category {table['category']!r}; "
            f"choose one of {', '.join(CATEGORIES)}"
        )
    position = table.get("position", "any")
    if position not in POSITIONS:
        raise CatalogError(f"{source}: rule {rule_id}: position must be one of {POSITIONS}")
    rule = Rule(
        id=table["id"],
        category=table["category"],
        pattern=table["pattern"],
        description=table.get("description", ""),
        examples=tuple(table.get("examples", ())),
        negatives=tuple(table.get("negatives", ())),
        case_sensitive=bool(table.get("case_sensitive", False)),
        position=position,
        credit=bool(table.get("credit", False)),
        metadata=table.get("metadata", ""),
        max_length=int(table.get("max_length", 300)),
        language=language,
        source=source,
    )
    try:
        rule.compiled()
    except regex.error as exc:
        raise CatalogError(f"{source}: rule {rule_id}: bad pattern: {exc}") from None
    return rule


def load_rules(path: str | Path) -> tuple[tuple[Rule, ...], tuple[str, ...]]:
    """Read one TOML rule file: return its rules and the rule ids it disables.

    Raises :class:`~cleantext.errors.CatalogError` naming the file, the rule and the reason.
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError(f"{path}: cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(f"{path}: not valid TOML: {exc}") from None
    return _rules_from_data(data, source=str(path))


def _rules_from_data(data: dict, *, source: str) -> tuple[tuple[Rule, ...], tuple[str, ...]]:
    language = data.get("language", "en")
    tables = data.get("rule", [])
    if not isinstance(tables, list):
        raise CatalogError(f"{source}: 'rule' must be an array of tables ([[rule]])")
    rules = tuple(_rule_from_table(t, source=source, language=language) for t in tables)
    disable = data.get("disable", [])
    if not isinstance(disable, list) or not all(isinstance(x, str) for x in disable):
        raise CatalogError(f"{source}: 'disable' must be a list of rule ids")
    return rules, tuple(disable)


@dataclass(frozen=True)
class Catalog:
    """An ordered set of rules compiled into one combined, anchored pattern.

    Rules are tried in order; the first that matches the whole stripped line wins.
    """

    rules: tuple[Rule, ...]
    _combined: regex.Pattern[str] = field(init=False, repr=False, compare=False)
    _group_of: tuple[int, ...] = field(init=False, repr=False, compare=False)
    digest: str = field(init=False, compare=False)
    max_length: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        seen: dict[str, str] = {}
        for rule in self.rules:
            if rule.id in seen:
                raise CatalogError(
                    f"{rule.source}: rule {rule.id}: id already used in {seen[rule.id]}"
                )
            seen[rule.id] = rule.source
        parts, groups, next_group = [], [], 1
        for rule in self.rules:
            flag = "-i" if rule.case_sensitive else "i"
            parts.append(f"(?{flag}:({rule.pattern}))")
            groups.append(next_group)
            next_group += 1 + rule.compiled().groups
        pattern = "|".join(parts) if parts else r"(?!)"
        # Inner named groups of different rules may share names ("value"); the combined
        # pattern only needs positional groups, so names are stripped from it.
        pattern = regex.sub(r"\(\?P?<([A-Za-z_]\w*)>", "(", pattern)
        object.__setattr__(self, "_combined", regex.compile(pattern, regex.V1))
        object.__setattr__(self, "_group_of", tuple(groups))
        object.__setattr__(self, "max_length", max((r.max_length for r in self.rules), default=0))
        blob = "\n".join(f"{r.id}\t{r.category}\t{r.pattern}\t{r.case_sensitive}\t{r.position}"
                         f"\t{r.credit}\t{r.max_length}" for r in self.rules)  # fmt: skip
        object.__setattr__(self, "digest", hashlib.sha256(blob.encode()).hexdigest()[:16])

    def __reduce__(self):  # compiled patterns are rebuilt on unpickling, from the rules alone
        return (Catalog, (self.rules,))

    def match(self, line: str) -> Rule | None:
        """Return the first rule whose pattern matches the whole (already stripped) line."""
        if len(line) > self.max_length:
            return None
        found = self._combined.fullmatch(line, timeout=MATCH_TIMEOUT)
        if found is None:
            return None
        for rule, group in zip(self.rules, self._group_of, strict=True):
            if found.start(group) != -1:
                if len(line) > rule.max_length:
                    return self._match_after(line, rule)
                return rule
        return None  # pragma: no cover - the combined match always has one group set

    def _match_after(self, line: str, skipped: Rule) -> Rule | None:
        index = self.rules.index(skipped)
        for rule in self.rules[index + 1 :]:
            if len(line) <= rule.max_length and rule.compiled().fullmatch(line):
                return rule
        return None

    def extended(self, rules: Iterable[Rule] = (), disable: Iterable[str] = ()) -> Catalog:
        """Return a new catalog: these rules disabled, those rules added after the rest."""
        disabled = set(disable)
        unknown = disabled - {r.id for r in self.rules} - {r.id for r in rules}
        if unknown:
            raise CatalogError(f"cannot disable unknown rule ids: {sorted(unknown)}")
        kept = tuple(r for r in self.rules if r.id not in disabled)
        added = tuple(r for r in rules if r.id not in disabled)
        return Catalog(kept + added)

    def restricted(self, languages: Sequence[str]) -> Catalog:
        """Return a catalog with only the rules of these languages."""
        wanted = set(languages)
        return Catalog(tuple(r for r in self.rules if r.language in wanted))

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages that have rules here, in catalog order."""
        return tuple(dict.fromkeys(r.language for r in self.rules))


_BUILTIN: Catalog | None = None


def builtin_catalog() -> Catalog:
    """The catalog shipped with cleantext: every ``*.toml`` file of this package, by name."""
    global _BUILTIN
    if _BUILTIN is None:
        rules: list[Rule] = []
        folder = resources.files(__package__)
        for entry in sorted(folder.iterdir(), key=lambda e: e.name):
            if entry.name.endswith(".toml"):
                data = tomllib.loads(entry.read_text(encoding="utf-8"))
                found, _ = _rules_from_data(data, source=f"cleantext/catalog/{entry.name}")
                rules.extend(found)
        _BUILTIN = Catalog(tuple(rules))
    return _BUILTIN


def load_catalog(paths: Iterable[str | Path] = (), *, base: Catalog | None = None) -> Catalog:
    """The built-in catalog (or ``base``) extended by user rule files, in the order given."""
    catalog = base if base is not None else builtin_catalog()
    for path in paths:
        rules, disable = load_rules(path)
        catalog = catalog.extended(rules, disable)
    return catalog
