"""Broken possessives of names: "Blinkens’ visit" back to "Blinken’s visit".

Scrapers and machine translation sometimes move the apostrophe of a singular name's possessive
after an extra "s". Real plural possessives look the same ("the Smiths’ home", "Americans’
views"), so the filter acts only on document-level evidence: the name appears in the same
document in singular form, never as a plain plural, and it is not a group noun.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from typing import ClassVar

import regex

from cleantext import literals
from cleantext.filter import Edit, FilterBase
from cleantext.literals import any_of

__all__ = ["RepairPossessives", "builtin_group_nouns"]

# Candidates: a capitalized word ending in "s" plus an apostrophe that ends the word.
_CANDIDATE = regex.compile(r"(?<![\p{L}\p{N}’'])(\p{Lu}\p{Ll}{2,30})s([’'])(?![\p{L}\p{N}])")
_PRECEDED_BY_THE = regex.compile(r"(?:^|\W)(?:the|The|THE)\s+$")
_GROUP_SUFFIXES = ("ian", "ean", "ese", "ite", "ist")


def builtin_group_nouns() -> frozenset[str]:
    """Lower-case capitalized plurals that are groups, read from the English catalog."""
    data = tomllib.loads(
        resources.files("cleantext.catalog").joinpath("en.toml").read_text("utf-8")
    )
    return frozenset(data.get("possessives", {}).get("group_nouns", ()))


# Every candidate ends in an "s" and one of these. str.find finds the apostrophes at
# memchr-like speed (a regex, or a search for "s’", stops at every "s" of the text, which is
# far more common), and the exact patterns decide at each place.
_APOSTROPHES = ("’", "'")
_NOT_INSIDE_TOKEN = regex.compile(r"(?<![\p{L}\p{N}])")
_TOKEN_REST = regex.compile(r"[\p{L}\p{N}]*+")
# ASCII characters that are neither letters nor digits, and the end of the text: what follows
# a token.
_ENDS_TOKEN = frozenset(chr(c) for c in range(128) if not chr(c).isalnum()) | {""}


def _candidates(text: str, ends: list[int] | None = None) -> list[regex.Match[str]]:
    """Every match of ``_CANDIDATE`` in ``text``, found from the places where an "s" is followed
    by an apostrophe (every candidate ends there; ``ends``, when the caller found them) instead
    of by scanning all of ``text``.

    >>> [m.group() for m in _candidates("Blinkens’ visit, the Smiths' home, cats’ toys")]
    ['Blinkens’', "Smiths'"]
    """
    found = []
    for end in _ends_of_s_apostrophes(text) if ends is None else ends:
        # A candidate is at most 33 characters before its end; look back that far, exactly.
        match = _CANDIDATE.search(text, max(0, end - 33), end + 1)
        while match is not None and match.end() < end:
            match = _CANDIDATE.search(text, match.end(), end + 1)
        if match is not None and match.end() == end:
            found.append(match)
    return found


def _ends_of_s_apostrophes(text: str) -> list[int]:
    """Where each "s’" or "s'" in ``text`` ends, in order.

    >>> _ends_of_s_apostrophes("Blinkens’ visit, the Smiths' home")
    [9, 28]
    """
    ends = []
    for apostrophe in _APOSTROPHES:
        at = text.find(apostrophe, 1)
        while at >= 0:
            if text[at - 1] == "s":
                ends.append(at + 1)
            at = text.find(apostrophe, at + 1)
    ends.sort()
    return ends


#: Up to this many names, each is looked for on its own (``str.find``, C speed): cheaper on a
#: short document than compiling a search for the set, which is new for nearly every document.
FEW_NAMES = 4


def _places(text: str, names: set[str]) -> Iterator[tuple[int, str]]:
    """Where a name begins in ``text``, with the name: at least every place where a token
    begins with a name (in the order of the text when the names are searched at once)."""
    if len(names) <= FEW_NAMES:
        for name in names:
            at = text.find(name)
            while at >= 0:
                yield at, name
                at = text.find(name, at + 1)
        return
    search = any_of(tuple(sorted(names)))
    assert search is not None
    for place in search.finditer(text):
        yield place.start(), place.group()


def _weigh(text: str, start: int, wanted: set[str], singular: set[str], plural: set[str]) -> None:
    """Read the token that begins at ``start`` (if one does) as evidence: a name's singular
    when it is a name, a name's plain plural when it is the name plus "s", not itself a name
    and not followed by an apostrophe."""
    if _NOT_INSIDE_TOKEN.match(text, start) is None:
        return
    end = _TOKEN_REST.match(text, start).end()  # type: ignore[union-attr]
    token = text[start:end]
    if token in wanted:
        singular.add(token)
    elif token[-1] == "s" and token[:-1] in wanted and text[end : end + 1] not in ("’", "'"):
        plural.add(token[:-1])


def _evidence(text: str, names: list[str]) -> tuple[set[str], set[str]]:
    """Which candidate names appear in singular form ("Blinken", "Blinken’s") and which as a
    plain plural ("Blinkens" not followed by an apostrophe), as whole tokens.

    The names are searched all at once (a prefix tree in the stdlib engine, which skips to the
    capital letters they begin with), or one by one when they are few; at each place found,
    the whole token there is read with the exact patterns. Linear in the document whatever the
    number of names. A token that is itself a name counts as that name's singular, never as a
    shorter name's plural.

    >>> _evidence("Blinken met. Blinkens’ visit. The Smiths came.", ["Blinken", "Smith"])
    ({'Blinken'}, {'Smith'})
    """
    wanted = set(names)
    singular: set[str] = set()
    plural: set[str] = set()
    for start, name in _places(text, wanted):
        end = start + len(name)
        if text[end : end + 1] in _ENDS_TOKEN and name in singular:
            continue  # the token here, if one starts here, is that name: nothing new
        _weigh(text, start, wanted, singular, plural)
    return singular, plural


#: From this length (characters) on, the evidence is gathered by :func:`_repairable_long`.
LONG_TEXT = 1 << 20
#: The first stretch (bytes) that :func:`_repairable_long` searches; each next one is twice as long.
FIRST_STRETCH = 1 << 16


def _repairable(text: str, names: list[str]) -> set[str]:
    """The names seen in singular form and never as a plain plural (see :func:`_evidence`).

    >>> _repairable("Blinken met. Blinkens’ visit. Smith. The Smiths.", ["Blinken", "Smith"])
    {'Blinken'}
    """
    if len(text) >= LONG_TEXT:
        found = _repairable_long(text, names)
        if found is not None:
            return found
    singular, plural = _evidence(text, names)
    return singular - plural


def _repairable_long(text: str, names: list[str]) -> set[str] | None:
    """:func:`_repairable` for a long document, where hundreds of names each stand thousands of
    times: the stdlib search for all of them (about 9 ns a character) costs more than the rest
    of the filter. Here RE2 looks for literal strings in the UTF-8 text (its speed does not
    depend on how many), in stretches that double in length, and each stretch looks only for
    what can still change the answer: a name not seen yet in singular, or the plural of one
    that was, until its plural is seen too. None when RE2 cannot be used (not installed, or a
    lone surrogate in the text).
    """
    try:
        encoded = text.encode("utf-8")
    except UnicodeEncodeError:
        return None
    wanted = set(names)
    singular: set[str] = set()
    plural: set[str] = set()
    longest = 4 * (max(map(len, wanted)) + 1)  # bytes: a match that begins in a stretch ends here
    start, stretch, n = 0, FIRST_STRETCH, len(encoded)
    at_byte = at_char = 0  # a byte offset and the character offset it stands for
    while start < n:
        words = [w for w in wanted if w not in singular and w not in plural]
        words += [w + "s" for w in singular - plural if w + "s" not in wanted]
        if not words:
            break
        search = literals.utf8_search(tuple(sorted(words)))
        if search is None:
            return None
        stop = min(start + stretch, n)
        limit = min(stop + longest, n)
        while (span := search(encoded, start, limit)) is not None and span[0] < stop:
            at_char += literals.chars_between(encoded, at_byte, span[0])
            at_byte = span[0]
            _weigh(text, at_char, wanted, singular, plural)
            start = span[1]  # names are letters: no token begins inside a match
        start, stretch = stop, stretch * 2
    return singular - plural


@dataclass(frozen=True)
class RepairPossessives(FilterBase):
    """Move a misplaced apostrophe back: "Blinkens’" becomes "Blinken’s" when the document
    shows "Blinken" and never a plain plural "Blinkens".

    >>> RepairPossessives()("Antony Blinken met Xi. Blinkens’ visit was short.")
    'Antony Blinken met Xi. Blinken’s visit was short.'
    >>> RepairPossessives()("The American people spoke. Americans’ views differ.")
    'The American people spoke. Americans’ views differ.'
    >>> RepairPossessives()("Mr. Smith came home. The Smiths’ home was empty.")
    'Mr. Smith came home. The Smiths’ home was empty.'
    """

    name: ClassVar[str] = "repair-possessives"
    group_nouns: frozenset[str] = field(default_factory=builtin_group_nouns, repr=False)

    def _run(self, text: str, edits: list[Edit] | None) -> str:
        ends = _ends_of_s_apostrophes(text)  # (a test for "s’" is slower: see _APOSTROPHES)
        if not ends:
            return text
        candidates = [
            match
            for match in _candidates(text, ends)
            # "the Smiths’ home": a family or a team, plural on purpose
            if not _PRECEDED_BY_THE.search(text, max(0, match.start() - 8), match.start())
            and not self._is_group(match.group(1))
        ]
        if not candidates:
            return text
        repairable = _repairable(text, list({m.group(1) for m in candidates}))
        out: list[str] = []
        last = 0
        for match in candidates:
            name, apostrophe = match.group(1), match.group(2)
            if name not in repairable:
                continue
            fixed = f"{name}{apostrophe}s"
            out.append(text[last : match.start()])
            out.append(fixed)
            last = match.end()
            if edits is not None:
                edits.append(Edit(self.name, "name-possessive", "possessive", match.start(),
                                  match.end(), match.group(), fixed))  # fmt: skip
        if not out:
            return text
        out.append(text[last:])
        return "".join(out)

    def _is_group(self, singular: str) -> bool:
        lower = singular.lower()
        return lower in self.group_nouns or lower.endswith(_GROUP_SUFFIXES)
