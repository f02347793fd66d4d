"""Residue rules as data: load TOML rule files and compile them into combined patterns.

Each ``*.toml`` file in this folder holds the rules of one language (``common.toml`` holds the
rules that are not phrased in words, such as agency credit lines, and applies to every
language). A rule is a table in the ``[[rule]]`` array:

    id          stable identifier, ``<lang>.<category>.<name>`` ("en.navigation.see-also")
    category    what the line is (see ``CATEGORIES``)
    pattern     a regular expression (``regex`` syntax) that must match the *whole* stripped line
    description one line saying what the rule removes
    examples    lines the rule must remove
    negatives   lines that look alike but are article text and must stay
    case_sensitive  default false
    position    where the line may stand (see ``POSITIONS``): "any" (default); "top", "bottom"
                or "edge" (within a few kept lines of the start, the end, or either);
                "above-credit" (directly above a credit-only line: a caption); "near-residue"
                (next to a line that is removed anyway: a share-bar item, a lone agency name)
    credit      true for a credit-only line: a one-sentence caption right above it goes too
    sentence_guard  true: keep the line when it reads like a sentence of the article
    metadata    a key ("date", "source", "photo_credit", "byline") under which the line's
                ``value`` group (or the whole line) is returned by ``explain``
    max_length  the longest line (in characters) the rule may remove; default 300
    starts      what a matching line can begin with (see ``first_word``: a lower-case word,
                "0" for a digit, or a character such as "#"): a speed hint, so the rule is
                only tried on lines that begin that way
    contains    lower-case strings of which a matching line contains at least one: a speed
                hint for rules that cannot say how a line begins ("contributed")
    tail        a pattern that must occur in the last 160 characters of a matching line: a
                speed hint for rules that recognise a line by its credit at the end (such
                lines must also have one of ``/|()©—–:`` in their last 48 characters, or end
                in a word in capitals)

    language    overrides the file's language for one rule ("*": every language)

A file says ``language = "en"`` (a file without it applies to every language) and may say
``disable = ["rule.id", ...]`` to turn built-in rules off. A ``[define]`` table names pattern
fragments that patterns and tails use as ``{{NAME}}``; the fragments of ``common.toml`` (names
in capitals: ``{{AGENCY}}``, ``{{NAME}}``, ``{{CAP}}``, ...) are available to every file,
user files included. Rules hold the expanded pattern, so each can be read and run alone.

Patterns must be linear-time: no nested unbounded quantifiers; bound repeats (``{0,80}``),
prefer possessive quantifiers (``*+``) and whole tokens (``\\b``). Every match of a rule that
is not built in runs under ``MATCH_TIMEOUT`` as a guard (the built-in rules are proven linear by
the test suite, and the guard costs more than most matches).
"""

from __future__ import annotations

import hashlib
import re
import threading
import tomllib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import regex

from cleantext.catalog import prefilter
from cleantext.errors import CatalogError
from cleantext.literals import any_of

__all__ = [
    "ANY_LANGUAGE",
    "CATEGORIES",
    "MATCH_TIMEOUT",
    "MAY_MATCH",
    "POSITIONS",
    "SCANNED_POSITIONS",
    "TO_REPAIR",
    "Catalog",
    "Rule",
    "builtin_catalog",
    "common_fragments",
    "first_word",
    "guarded",
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
POSITIONS = ("any", "top", "bottom", "edge", "above-credit", "near-residue")
ANY_LANGUAGE = "*"
MATCH_TIMEOUT = 1.0  # seconds; a guard, never reached by a linear pattern on a short line
#: What a line is stripped of before the rules see it (spaces, tabs, carriage returns).
LINE_MARGIN = " \t\r\xa0" + "".join(map(chr, range(0x2000, 0x200B))) + "\u202f\u3000"
TAIL_WINDOW = 160  # characters at the end of a line that a rule's ``tail`` is searched in
_RULE_KEYS = {
    "id", "category", "pattern", "description", "examples", "negatives", "case_sensitive",
    "position", "credit", "metadata", "max_length", "starts", "tail", "sentence_guard",
    "language", "contains",
}  # fmt: skip
_FRAGMENT = regex.compile(r"\{\{([A-Za-z_][A-Za-z0-9_]*)\}\}")
_ASCII_WORD = re.compile("[A-Za-z]+")
_FIRST_WORD = regex.compile(r"[\s\"'“”‘’«»„(\[{¿¡—–-]{0,3}+(?:(\p{L}++)|(\p{N})|(.))")
# A line that ends in a credit has one of these marks near its end, or ends in an upper-case
# word ("... Monday. AFP"): lines without either skip every rule that has a ``tail``.
_CREDIT_MARKS = frozenset("/|()©—–:")
_CREDIT_WINDOW = 48
_NAMED_GROUP = regex.compile(r"\(\?P?<([A-Za-z_]\w*)>")


def first_word(line: str) -> str:
    """The dispatch key of a line: after at most three spaces, quotes, opening brackets or
    dashes, its first run of letters lower-cased; ``"0"`` when a digit comes first; otherwise
    the first other character (``"#"``, ``"©"``, ``"*"``); ``""`` for nothing at all.

    >>> first_word("(AP Photo/Evan Vucci)"), first_word("Don't miss"), first_word("[1/3] A view")
    ('ap', 'don', '0')
    >>> first_word("#China #USA"), first_word("— Reuters"), first_word("---")
    ('#', 'reuters', '')
    """
    if line[:1].isalpha() and line[0] < "\x80":
        # Most lines begin with an ASCII letter: the run of ASCII letters is the whole word
        # unless a non-ASCII character (possibly a letter) follows it.
        ascii_word = _ASCII_WORD.match(line)
        assert ascii_word is not None
        end = ascii_word.end()
        if end == len(line) or line[end] < "\x80":
            return ascii_word.group().lower()
    found = _FIRST_WORD.match(line)
    if found is None:
        return ""
    word, digit, other = found.groups()
    return word.lower() if word else ("0" if digit else other)


def _may_end_in_credit(line: str) -> bool:
    """Cheap test: could ``line`` end in a photo credit? (A mark near its end, or a last
    word in capitals.)"""
    window = line[-_CREDIT_WINDOW:]
    if not _CREDIT_MARKS.isdisjoint(window):
        return True
    last = window.rstrip(" .").rpartition(" ")[2]
    return len(last) > 1 and last.isupper()


@dataclass(frozen=True, slots=True)
class Rule:
    """One residue rule: a whole-line pattern with its category, its context and examples."""

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
    starts: tuple[str, ...] = ()
    tail: str = ""
    sentence_guard: bool = False
    contains: tuple[str, ...] = ()

    def compiled(self) -> regex.Pattern[str]:
        """The rule's own pattern, compiled with its flags (once per process).

        >>> Rule("x.ads.ad", "advertising", "ad").compiled().fullmatch("AD") is not None
        True
        """
        return _compile(self.pattern, self.case_sensitive)

    def compiled_tail(self) -> regex.Pattern[str] | None:
        """The rule's ``tail`` hint compiled, or None when it has none."""
        return _compile(self.tail, self.case_sensitive) if self.tail else None


_COMPILED: dict[tuple[str, bool], regex.Pattern[str]] = {}


def _compile(pattern: str, case_sensitive: bool) -> regex.Pattern[str]:
    # The regex module's own cache is looked up by hashing the flags and pattern on every call
    # (measured at about 15 microseconds for these patterns); this dict is one lookup.
    key = (pattern, case_sensitive)
    compiled = _COMPILED.get(key)
    if compiled is None:
        flags = regex.V0 if case_sensitive else regex.V0 | regex.IGNORECASE
        compiled = _COMPILED[key] = regex.compile(pattern, flags)
    return compiled


def _strings(table: dict, key: str, source: str, rule_id: str) -> tuple[str, ...]:
    value = table.get(key, ())
    if not isinstance(value, list | tuple) or not all(isinstance(x, str) for x in value):
        raise CatalogError(f"{source}: rule {rule_id}: '{key}' must be a list of strings")
    return tuple(value)


def _expand(text: str, fragments: dict[str, str], source: str, rule_id: str) -> str:
    for _ in range(5):
        if "{{" not in text:
            return text
        try:
            text = _FRAGMENT.sub(lambda m: fragments[m.group(1)], text)
        except KeyError as exc:
            raise CatalogError(
                f"{source}: rule {rule_id}: unknown fragment {{{{{exc.args[0]}}}}}; "
                f"defined: {', '.join(sorted(fragments)) or 'none'}"
            ) from None
    raise CatalogError(f"{source}: rule {rule_id}: fragments nest more than 5 deep")


def _rule_from_table(
    table: dict, *, source: str, language: str, fragments: dict[str, str] | None = None
) -> Rule:
    if not isinstance(table, dict):
        raise CatalogError(f"{source}: every [[rule]] entry must be a table")
    rule_id = table.get("id", "<no id>")
    unknown = set(table) - _RULE_KEYS
    if unknown:
        raise CatalogError(
            f"{source}: rule {rule_id}: unknown keys {sorted(unknown)}; "
            f"known keys: {', '.join(sorted(_RULE_KEYS))}"
        )
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
        raise CatalogError(
            f"{source}: rule {rule_id}: position {position!r} is not one of {', '.join(POSITIONS)}"
        )
    for key in ("description", "metadata", "tail", "language"):
        if not isinstance(table.get(key, ""), str):
            raise CatalogError(f"{source}: rule {rule_id}: '{key}' must be a string")
    for key in ("case_sensitive", "credit", "sentence_guard"):
        if not isinstance(table.get(key, False), bool):
            raise CatalogError(f"{source}: rule {rule_id}: '{key}' must be true or false")
    max_length = table.get("max_length", 300)
    if not isinstance(max_length, int) or isinstance(max_length, bool) or max_length < 1:
        raise CatalogError(f"{source}: rule {rule_id}: 'max_length' must be a positive integer")
    starts = _strings(table, "starts", source, rule_id)
    bad = [w for w in starts if first_word(w) != w or not w]
    if bad:
        raise CatalogError(
            f"{source}: rule {rule_id}: 'starts' must hold lower-case words (runs of letters), "
            f'"0" or single characters, as first_word() gives them, not {bad}'
        )
    contains = _strings(table, "contains", source, rule_id)
    if any(not c or c != c.lower() for c in contains):
        raise CatalogError(f"{source}: rule {rule_id}: 'contains' must hold lower-case strings")
    fragments = fragments or {}
    rule = Rule(
        id=table["id"],
        category=table["category"],
        pattern=_expand(table["pattern"], fragments, source, rule_id),
        description=table.get("description", ""),
        examples=_strings(table, "examples", source, rule_id),
        negatives=_strings(table, "negatives", source, rule_id),
        case_sensitive=table.get("case_sensitive", False),
        position=position,
        credit=table.get("credit", False),
        metadata=table.get("metadata", ""),
        max_length=max_length,
        language=table.get("language") or language,
        source=source,
        starts=starts,
        tail=_expand(table.get("tail", ""), fragments, source, rule_id),
        sentence_guard=table.get("sentence_guard", False),
        contains=contains,
    )
    if not guarded(rule):
        # Built-in rules compile when a line first needs them: the test suite compiles every
        # one, and compiling all 105 up front cost each process (each CLI worker) 0.4 s.
        return rule
    for what, compile_ in (("pattern", rule.compiled), ("tail", rule.compiled_tail)):
        try:
            compile_()
        except regex.error as exc:
            raise CatalogError(f"{source}: rule {rule_id}: bad {what}: {exc}") from None
    return rule


_COMMON_SOURCE = "cleantext/catalog/common.toml"
_COMMON_FRAGMENTS: dict[str, str] | None = None


def common_fragments() -> dict[str, str]:
    """The pattern fragments of ``common.toml``'s ``[define]`` table, expanded.

    >>> "AGENCY" in common_fragments()
    True
    """
    global _COMMON_FRAGMENTS
    if _COMMON_FRAGMENTS is None:
        text = resources.files(__package__).joinpath("common.toml").read_text("utf-8")
        define = tomllib.loads(text).get("define", {})
        fragments: dict[str, str] = {}
        for name, value in define.items():
            fragments[name] = _expand(value, fragments, _COMMON_SOURCE, f"[define] {name}")
        _COMMON_FRAGMENTS = fragments
    return dict(_COMMON_FRAGMENTS)


def load_rules(path: str | Path) -> tuple[tuple[Rule, ...], tuple[str, ...]]:
    """Read one TOML rule file: return its rules and the rule ids it disables.

    Raises :class:`~cleantext.errors.CatalogError` naming the file, the rule and the reason.

    >>> rules, disabled = load_rules(resources.files(__package__) / "en.toml")
    >>> rules[-1].language, disabled
    ('en', ())
    """
    path = Path(str(path))
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError(f"{path}: cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(f"{path}: not valid TOML: {exc}") from None
    return _rules_from_data(data, source=str(path))


def _rules_from_data(data: dict, *, source: str) -> tuple[tuple[Rule, ...], tuple[str, ...]]:
    language = data.get("language", ANY_LANGUAGE)
    if not isinstance(language, str) or not language:
        raise CatalogError(f"{source}: 'language' must be a language code such as \"en\"")
    tables = data.get("rule", [])
    if not isinstance(tables, list):
        raise CatalogError(f"{source}: 'rule' must be an array of tables ([[rule]])")
    define = data.get("define", {})
    if not isinstance(define, dict) or not all(isinstance(v, str) for v in define.values()):
        raise CatalogError(f"{source}: [define] must map names to pattern fragments (strings)")
    fragments = {**(common_fragments() if source != _COMMON_SOURCE else {}), **define}
    for name in define:  # a fragment may use the fragments defined before it
        fragments[name] = _expand(fragments[name], fragments, source, f"[define] {name}")
    rules = tuple(
        _rule_from_table(t, source=source, language=language, fragments=fragments) for t in tables
    )
    disable = data.get("disable", [])
    if not isinstance(disable, list) or not all(isinstance(x, str) for x in disable):
        raise CatalogError(f"{source}: 'disable' must be a list of rule ids")
    return rules, tuple(disable)


#: One rule as a bucket holds it: the rule, its compiled pattern, its ``contains`` search, its
#: compiled ``tail`` (or None), and whether its matches run under the timeout guard.
_Entry = tuple[
    "Rule", "regex.Pattern[str]", "re.Pattern[str] | None", "regex.Pattern[str] | None", bool
]
#: The rules tried on one kind of line: a search for any of their ``contains`` strings, their
#: entries in catalog order, and the entries without ``contains`` (all a line can match when
#: the search finds nothing, as it does on most lines).
_Bucket = tuple["re.Pattern[str] | None", tuple[_Entry, ...], tuple[_Entry, ...]]
#: Where the built-in rule files live: their rules are proven linear-time by the test suite
#: (100,000-character adversarial lines), so they run without the timeout guard, which costs
#: the ``regex`` module about 1.5 microseconds a call, more than most matches themselves.
BUILTIN_SOURCE = "cleantext/catalog/"


def guarded(rule: Rule) -> bool:
    """Whether ``rule`` runs under the ``MATCH_TIMEOUT`` guard: every rule that is not built in.

    >>> guarded(builtin_catalog()["en.comment_form.wordpress"])
    False
    >>> guarded(Rule("user.advertising.x", "advertising", "x"))
    True
    """
    return not rule.source.startswith(BUILTIN_SOURCE)


_UNBUILT = object()
#: The positions whose rules the RE2 set holds: those that act anywhere, the edge rules (the
#: only contextual rules that can act on a document from which nothing was removed), and the
#: rules that act next to residue (so that a document none of them can match skips them).
#: Not the caption rules above a credit: their widened patterns would match nearly any line.
SCANNED_POSITIONS = ("any", "top", "bottom", "edge", "near-residue")
#: Spaces the later filters make plain: a line that holds one, or a stray " .", is matched
#: as it is and as repaired.
ODD_SPACES = "\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u202f\u205f\u3000"
_REPAIRED = ("[" + "".join(f"\\x{{{ord(c):X}}}" for c in ODD_SPACES) + "]", r" \.")
#: The flags of :meth:`Catalog.line_test`: a rule that acts anywhere may match the line; the
#: line holds an odd space or a stray " .".
MAY_MATCH = 1
TO_REPAIR = 2
_FLAG_OF_KIND = {"any": MAY_MATCH, "repair": TO_REPAIR}
#: What :meth:`Catalog.line_test` says of a line: its flags, the rules that act anywhere and
#: may match it, and the kinds of all that may (positions, and "repair").
LineNeeds = tuple[int, tuple[Rule, ...], frozenset[str]]
_NOTHING: LineNeeds = (0, (), frozenset())
#: The size in characters (in bytes, of a text given encoded) of the first piece
#: :meth:`Catalog.first_suspect_line` scans; each next piece is twice as large.
FIRST_PIECE = 1024
#: Line-length classes: a line is tried only against rules whose max_length reaches its class.
_LENGTH_CLASSES = (24, 48, 80, 120, 160, 220, 300, 400, 600)


_CLASS_OF = tuple(
    next((k for k, bound in enumerate(_LENGTH_CLASSES) if n <= bound), len(_LENGTH_CLASSES))
    for n in range(_LENGTH_CLASSES[-1] + 2)
)


def _length_class(n: int) -> int:
    return _CLASS_OF[n if n < len(_CLASS_OF) else -1]


@dataclass(frozen=True)
class Catalog:
    """An ordered set of rules, each compiled once, anchored to the whole line.

    Rules are tried in order; the first that matches the whole stripped line wins. A line is
    only tried against the rules that can match it: rules whose ``starts`` hold its first word
    or that have no ``starts``, whose ``max_length`` reaches its length, and whose ``tail`` (if
    any) occurs at its end. Each such set is built once, on first use. Before all that, one
    RE2 automaton over wider forms of all rules (:mod:`cleantext.catalog.prefilter`) turns
    down the lines, and whole documents (:meth:`scan`), that no rule can match. (One combined
    ``regex`` alternation of the rules was measured far slower: 417 against 40 ms per MB.)

    >>> cat = builtin_catalog()
    >>> cat.match("Leave a Reply").category
    'comment_form'
    >>> cat.match("He said the photo was taken in May.") is None
    True
    """

    rules: tuple[Rule, ...]
    digest: str = field(init=False, compare=False)
    max_length: int = field(init=False, repr=False, compare=False)
    _index: dict[str, int] = field(init=False, repr=False, compare=False)
    _by_word: dict[str, tuple[int, ...]] = field(init=False, repr=False, compare=False)
    _generic: tuple[int, ...] = field(init=False, repr=False, compare=False)
    #: Buckets by (first word, length class), and the same buckets by their tuple of rules.
    _buckets: dict[tuple, _Bucket] = field(init=False, repr=False, compare=False)
    #: Rules that act only in a context (position other than "any"), by position.
    contextual: dict[str, tuple[Rule, ...]] = field(init=False, repr=False, compare=False)
    _lock: threading.Lock = field(init=False, repr=False, compare=False)
    #: The RE2 set (see :mod:`cleantext.catalog.prefilter`) over the rules of the positions
    #: in ``SCANNED_POSITIONS``, the kind of each pattern and the line test; None without
    #: one, ``_UNBUILT`` before.
    _prefilter: Any = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        seen: dict[str, str] = {}
        for rule in self.rules:
            if rule.id in seen:
                raise CatalogError(
                    f"{rule.source}: rule {rule.id}: id already used in {seen[rule.id]}"
                )
            seen[rule.id] = rule.source
        by_word: dict[str, list[int]] = {}
        generic: list[int] = []
        contextual: dict[str, list[Rule]] = {}
        for i, rule in enumerate(self.rules):
            if rule.position != "any":
                contextual.setdefault(rule.position, []).append(rule)
                continue
            if rule.starts:
                for word in rule.starts:
                    by_word.setdefault(word, []).append(i)
            else:
                generic.append(i)
        lengths = sorted(r.max_length for r in self.rules)
        setattr_ = object.__setattr__
        setattr_(self, "_index", {r.id: i for i, r in enumerate(self.rules)})
        setattr_(self, "_by_word", {w: tuple(ix) for w, ix in by_word.items()})
        setattr_(self, "_generic", tuple(generic))
        setattr_(self, "contextual", {k: tuple(v) for k, v in contextual.items()})
        setattr_(self, "max_length", lengths[-1] if lengths else 0)
        setattr_(self, "_buckets", {})
        setattr_(self, "_lock", threading.Lock())
        setattr_(self, "_prefilter", _UNBUILT)
        blob = "\n".join(
            "\t".join(map(str, (r.id, r.category, r.pattern, r.case_sensitive, r.position,
                                r.credit, r.max_length, r.starts, r.tail, r.sentence_guard,
                                r.language, r.contains)))
            for r in self.rules
        )  # fmt: skip
        setattr_(self, "digest", hashlib.sha256(blob.encode()).hexdigest()[:16])

    def __reduce__(self):  # compiled patterns are rebuilt on unpickling, from the rules alone
        return (Catalog, (self.rules,))

    def __len__(self) -> int:
        return len(self.rules)

    def __getitem__(self, rule_id: str) -> Rule:
        try:
            return self.rules[self._index[rule_id]]
        except KeyError:
            raise CatalogError(f"no rule {rule_id!r} in this catalog") from None

    def _bucket(self, line: str) -> _Bucket:
        """The rules (with their compiled patterns) that can match ``line``: those whose
        ``starts`` hold its first word, or that have none, and whose ``max_length`` reaches its
        length class. Each bucket is built once, on first use."""
        word = first_word(line)
        key = (word if word in self._by_word else "", _length_class(len(line)))
        bucket = self._buckets.get(key)
        if bucket is not None:
            return bucket
        floor = _LENGTH_CLASSES[key[1] - 1] if key[1] else 0
        with self._lock:
            indexes = tuple(
                i
                for i in sorted(self._generic + self._by_word.get(key[0], ()))
                if self.rules[i].max_length > floor
            )
            # Many first words share one set of rules: build (and compile) each set once.
            bucket = self._buckets.get(indexes)
            if bucket is None:
                rules = [self.rules[i] for i in indexes]
                # One search for every rule's ``contains`` at once: most lines hold none.
                anything = any_of(tuple(c for r in rules for c in r.contains))
                entries = tuple(
                    (r, r.compiled(), any_of(r.contains), r.compiled_tail(), guarded(r))
                    for r in rules
                )
                plain = tuple(e for e in entries if e[2] is None)
                bucket = self._buckets[indexes] = (anything, entries, plain)
            self._buckets[key] = bucket
        return bucket

    def _built_prefilter(
        self,
    ) -> (
        tuple[
            prefilter.RuleSet,
            tuple[str, ...],
            Callable[[str], LineNeeds],
            Callable[[bytes], LineNeeds],
        ]
        | None
    ):
        """The RE2 set, the kind of each of its patterns, the set's :meth:`line_test` and the
        same test of a line encoded in UTF-8 (:meth:`encoded_line_test`), built on first use;
        None without."""
        if self._prefilter is not _UNBUILT:
            return self._prefilter
        with self._lock:
            if self._prefilter is _UNBUILT:
                chosen = [r for r in self.rules if r.position in SCANNED_POSITIONS]
                built = None
                if chosen and prefilter.available():
                    rule_set = prefilter.RuleSet(
                        [(r.pattern, r.case_sensitive) for r in chosen], LINE_MARGIN, _REPAIRED
                    )
                    kinds = (*(r.position for r in chosen), *["repair"] * len(_REPAIRED))
                    # A rule RE2 cannot hold could match a line the set turns down; and a set
                    # that turns down a rule's own example is broken (RE2 out of memory).
                    if rule_set.complete and all(
                        k in rule_set.matching(r.examples[0])
                        for k, r in enumerate(chosen)
                        if r.examples
                    ):

                        def needs(found: tuple[int, ...]) -> LineNeeds:
                            flags = 0
                            for k in found:
                                flags |= _FLAG_OF_KIND.get(kinds[k], 0)
                            rules = tuple(chosen[k] for k in found if kinds[k] == "any")
                            return flags, rules, frozenset(kinds[k] for k in found)

                        built = (rule_set, kinds, *rule_set.classifiers(needs, _NOTHING))
                object.__setattr__(self, "_prefilter", built)
        return self._prefilter

    def prepare(self) -> None:
        """Build now what the catalog otherwise builds on first use: the RE2 set and every
        rule's compiled pattern and ``tail`` (about half a second for the built-in rules,
        nearly all of it the ``regex`` module parsing the patterns). Matching is unchanged;
        a process with time to spare before its first line (a worker waiting for its
        first shard) spends it here.

        >>> cat = builtin_catalog()
        >>> cat.prepare()
        >>> cat.first_suspect_line("Hi.") is None
        True
        """
        self._built_prefilter()
        for rule in self.rules:
            rule.compiled()
            rule.compiled_tail()

    def scan(self, text: str) -> frozenset[str] | None:
        """What one pass of an RE2 set (see :mod:`cleantext.catalog.prefilter`) finds in
        ``text``: the positions (``"any"``, ``"top"``, ``"bottom"``, ``"edge"``,
        ``"near-residue"``) of the rules that may match some line as it is (stripped of
        :data:`LINE_MARGIN`), and ``"repair"`` when a line holds an odd space or a stray " ."
        (so that its repaired form differs).
        None when there is no set (google-re2 missing, or a rule it cannot hold).

        >>> cat = builtin_catalog()
        >>> sorted(cat.scan("He left.\\n\\nLeave a Reply")), sorted(cat.scan("He left ."))
        (['any'], ['repair'])
        >>> sorted(cat.scan("He left."))
        []
        """
        built = self._built_prefilter()
        if built is None:
            return None
        rule_set, kinds = built[0], built[1]
        return frozenset(kinds[k] for k in rule_set.matching(text))

    def first_suspect_line(self, text: str | bytes) -> int | None:
        """The index of the first ``\\n``-separated line of ``text`` where, as far as the RE2
        set can tell, a rule may match or something needs repair (see :meth:`scan`); None
        when there is none. Found by passes of the set over pieces of whole lines that double
        in size from :data:`FIRST_PIECE` characters: a document without residue is scanned
        once, one with residue near its top little further. The index of the first line of
        the first suspect piece (0 when there is no set: every line is suspect). ``text`` may
        be given encoded in UTF-8 (the pieces are then counted in bytes).

        >>> cat = builtin_catalog()
        >>> cat.first_suspect_line("He left.\\n\\nLeave a Reply"), cat.first_suspect_line("Hi.")
        (0, None)
        >>> cat.first_suspect_line("He left.\\n" * 200 + "Leave a Reply")  # the 2nd piece
        114
        >>> cat.first_suspect_line(b"He left.\\n" * 200 + b"Leave a Reply")
        114
        """
        built = self._built_prefilter()
        if built is None:
            return 0
        may_match = built[0].may_match
        start, size, n = 0, FIRST_PIECE, len(text)
        newline = b"\n" if isinstance(text, bytes) else "\n"
        while start < n:
            end = text.find(newline, start + size)  # type: ignore[arg-type]
            end = n if end < 0 else end + 1
            if may_match(text[start:end]):
                return text.count(newline, 0, start)  # type: ignore[arg-type]
            start, size = end, size * 2
        return None

    def line_test(self) -> Callable[[str], LineNeeds] | None:
        """A test of one (already stripped) line, by one call of the RE2 set: its flags, the
        rules that act anywhere and may match it as it is (in catalog order), and the kinds
        (as in :meth:`scan`) of all that may. The flag :data:`MAY_MATCH` is set when there are
        such rules; :data:`TO_REPAIR` when the line holds something the later filters repair
        (an odd space, a stray " ."), so that its repaired form may differ. Flags 0:
        :meth:`first_match` finds nothing in the line as it is or as repaired; no kinds: no
        rule of any position the set holds can match it. None when there is no set.

        >>> test = builtin_catalog().line_test()
        >>> flags, rules, kinds = test("Leave a Reply")
        >>> flags == MAY_MATCH, [rule.id for rule in rules], sorted(kinds)
        (True, ['en.comment_form.wordpress'], ['any'])
        >>> test("He left .") == (TO_REPAIR, (), {"repair"}), test("He left.")
        (True, (0, (), frozenset()))
        """
        built = self._built_prefilter()
        if built is None:
            return None
        return built[2]

    def encoded_line_test(self) -> Callable[[bytes], LineNeeds] | None:
        """:meth:`line_test` of a line given encoded in UTF-8 (a piece of a text encoded once,
        which saves encoding each line); None when there is no set. The line may keep its
        margin (:data:`LINE_MARGIN`): the set's patterns allow it around a rule's.

        >>> test = builtin_catalog().encoded_line_test()
        >>> flags, rules, kinds = test(b"  Leave a Reply")
        >>> flags == MAY_MATCH, [rule.id for rule in rules], sorted(kinds)
        (True, ['en.comment_form.wordpress'], ['any'])
        """
        built = self._built_prefilter()
        if built is None:
            return None
        return built[3]

    def first_match(
        self,
        line: str,
        reject: Callable[[Rule, str], bool] | None = None,
        *,
        among: Sequence[Rule] | None = None,
    ) -> Rule | None:
        """The first rule that acts anywhere and matches the whole (already stripped) line,
        skipping the rules ``reject(rule, line)`` turns down; None when there is none.

        Every test before a rule's full match is a necessary condition, cheapest first: the
        RE2 set of wider patterns must accept the line, and only the rules it names are tried
        (``among``: the rules the caller's :meth:`line_test` of this very line named);
        without the set, the line's first word and length pick a bucket of rules. A rule's
        ``contains`` strings, then its ``tail``, must be found.

        >>> builtin_catalog().first_match("Leave a Reply").id
        'en.comment_form.wordpress'
        """
        n = len(line)
        if n == 0 or n > self.max_length:
            return None
        if among is None:
            built = self._built_prefilter()
            if built is not None:
                flags, among, _ = built[2](line)
                if not flags & MAY_MATCH:
                    return None  # no rule's widened pattern matches, so no rule does
        if among is not None:
            for rule in among:
                if self.fits(rule, line) and (reject is None or not reject(rule, line)):
                    return rule
            return None
        anything, entries, plain = self._bucket(line)
        lowered = line.lower() if anything is not None else ""
        if not lowered or anything.search(lowered) is None:  # type: ignore[union-attr]
            entries = plain  # no rule's ``contains`` occurs: only rules without one can match
        credit: bool | None = None
        for rule, pattern, needles, tail, guard in entries:
            if n > rule.max_length:
                continue
            if needles is not None and needles.search(lowered) is None:
                continue
            if tail is not None:
                if credit is None:
                    credit = _may_end_in_credit(line)
                if not credit or self._search(tail, line, max(0, n - TAIL_WINDOW), guard) is None:
                    continue
            if self._fullmatch(pattern, line, guard) is not None and (
                reject is None or not reject(rule, line)
            ):
                return rule
        return None

    def matches(self, line: str, *, contextual: bool = True) -> Iterator[Rule]:
        """Every rule that matches the whole (already stripped) line and fits its length, in
        catalog order: first the rules that act anywhere, then, unless ``contextual`` is false,
        the rules that act only in a context (their context is the caller's to check).

        >>> [r.id for r in builtin_catalog().matches("Leave a Reply")]
        ['en.comment_form.wordpress']
        """
        found: list[Rule] = []

        def collect(rule: Rule, _line: str) -> bool:
            found.append(rule)
            return True  # turned down, so first_match goes on to the next rule

        self.first_match(line, collect)
        yield from found
        if contextual and line and len(line) <= self.max_length:
            for position in POSITIONS[1:]:
                for rule in self.contextual.get(position, ()):
                    if self.fits(rule, line):
                        yield rule

    def position_of(self, rule: Rule) -> int:
        """The rule's index in catalog order (its priority)."""
        return self._index[rule.id]

    def fits(self, rule: Rule, line: str) -> bool:
        """Whether ``rule`` matches the whole (already stripped) ``line``, within its length
        and its ``starts``, ``contains`` and ``tail`` hints (under the timeout guard, for a rule
        that is not built in).

        >>> cat = builtin_catalog()
        >>> cat.fits(cat["en.comment_form.wordpress"], "Cancel reply")
        True
        """
        n = len(line)
        if n == 0 or n > rule.max_length:
            return False
        if rule.starts and first_word(line) not in rule.starts:
            return False
        if rule.contains and not any(c in line.lower() for c in rule.contains):
            return False
        if rule.tail:
            tail = rule.compiled_tail()
            if not _may_end_in_credit(line) or (
                tail is not None
                and self._search(tail, line, max(0, n - TAIL_WINDOW), guarded(rule)) is None
            ):
                return False
        return self._fullmatch(rule.compiled(), line, guarded(rule)) is not None

    def match(self, line: str) -> Rule | None:
        """Return the first rule whose pattern matches the whole (already stripped) line,
        whatever its context.

        >>> builtin_catalog().match("Advertisement").category
        'advertising'
        """
        return next(self.matches(line), None)

    @staticmethod
    def _fullmatch(
        pattern: regex.Pattern[str], line: str, guard: bool = True
    ) -> regex.Match[str] | None:
        if not guard:
            return pattern.fullmatch(line)
        try:
            return pattern.fullmatch(line, timeout=MATCH_TIMEOUT)
        except TimeoutError:  # a guard: keep the line rather than fail the document
            return None

    @staticmethod
    def _search(
        pattern: regex.Pattern[str], line: str, pos: int, guard: bool = True
    ) -> regex.Match[str] | None:
        if not guard:
            return pattern.search(line, pos)
        try:
            return pattern.search(line, pos, timeout=MATCH_TIMEOUT)
        except TimeoutError:
            return None

    def extended(self, rules: Iterable[Rule] = (), disable: Iterable[str] = ()) -> Catalog:
        """Return a new catalog: these rules disabled, those rules added after the rest.

        A rule whose id is already in the catalog is an error (disable the old one first).
        """
        rules = tuple(rules)
        disabled = set(disable)
        unknown = disabled - {r.id for r in self.rules} - {r.id for r in rules}
        if unknown:
            source = rules[0].source if rules else "<disable>"
            raise CatalogError(f"{source}: cannot disable unknown rule ids: {sorted(unknown)}")
        kept = tuple(r for r in self.rules if r.id not in disabled)
        added = tuple(r for r in rules if r.id not in disabled)
        return Catalog(kept + added)

    def restricted(self, languages: Sequence[str]) -> Catalog:
        """Return a catalog with only the rules of these languages (and language-neutral ones).

        >>> builtin_catalog().restricted(["de"]).languages
        ('*', 'de')
        """
        wanted = {*languages, ANY_LANGUAGE}
        return Catalog(tuple(r for r in self.rules if r.language in wanted))

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages that have rules here, in catalog order (``"*"``: every language)."""
        return tuple(dict.fromkeys(r.language for r in self.rules))


_BUILTIN: Catalog | None = None
_BUILTIN_LOCK = threading.Lock()
#: Built-in files in load order: language-neutral rules first, then English, then the rest.
_ORDER = {"common.toml": 0, "en.toml": 1}


def builtin_catalog() -> Catalog:
    """The catalog shipped with cleantext: every ``*.toml`` file of this package.

    >>> len(builtin_catalog()) > 90
    True
    """
    global _BUILTIN
    if _BUILTIN is None:
        with _BUILTIN_LOCK:
            if _BUILTIN is None:
                rules: list[Rule] = []
                folder = resources.files(__package__)
                entries = [e for e in folder.iterdir() if e.name.endswith(".toml")]
                for entry in sorted(entries, key=lambda e: (_ORDER.get(e.name, 2), e.name)):
                    data = tomllib.loads(entry.read_text(encoding="utf-8"))
                    found, _ = _rules_from_data(data, source=f"cleantext/catalog/{entry.name}")
                    rules.extend(found)
                _BUILTIN = Catalog(tuple(rules))
    return _BUILTIN


def load_catalog(paths: Iterable[str | Path] = (), *, base: Catalog | None = None) -> Catalog:
    """The built-in catalog (or ``base``) extended by user rule files, in the order given.

    >>> load_catalog([]) is builtin_catalog()
    True
    """
    catalog = base if base is not None else builtin_catalog()
    for path in paths:
        rules, disable = load_rules(path)
        try:
            catalog = catalog.extended(rules, disable)
        except CatalogError as exc:
            message = str(exc)
            if not message.startswith(str(path)):
                message = f"{path}: {message}"
            raise CatalogError(message) from None
    return catalog
