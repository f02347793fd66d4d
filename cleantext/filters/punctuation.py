"""Punctuation repairs left by scrapers: stray " ." and missing spaces after a sentence."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

import regex

from cleantext.filter import Edit, FilterBase, substitute

__all__ = ["SentenceSpacing", "StrayPeriod"]

_CLOSERS = "”’\"')]»"  # what may close a sentence after its end mark
_SPACES = " \t\xa0"
# A period after a sentence that already ended ("dissatisfaction. ." or "countries.” ."):
# the stray " ." goes, and so does a run of them ("left. . .", in one pass). After a closing
# double quote with no end mark inside ("“low point” ."), the period is kept and joined to it.
_STRAY_PERIOD = regex.compile(
    rf"(?P<end>(?<!\s)[.!?…][{regex.escape(_CLOSERS)}]*+)(?:[ \t\xa0]++\.)++(?![.\w])"
    rf"|(?P<quote>(?<=\w)[”\"»])(?:[ \t\xa0]++\.)++(?![.\w])"
)

# Every stray period follows a space, a tab or a no-break space. Starting with the literal
# period lets the stdlib engine skip from period to period: one scan, several times faster than
# three substring searches.
_SPACED_PERIOD = re.compile(r"\.(?<=[ \t\xa0]\.)")


def _stray_replacement(match: regex.Match[str]) -> str:
    if match.group("end") is not None:
        return match.group("end")
    return match.group("quote") + "."


@dataclass(frozen=True, slots=True)
class StrayPeriod(FilterBase):
    """Remove the stray " ." that scrapers leave after a finished sentence or a quote.

    >>> StrayPeriod()("a sign of lingering dissatisfaction. .")
    'a sign of lingering dissatisfaction.'
    >>> StrayPeriod()("“benefit both of our countries.” .")
    '“benefit both of our countries.”'
    >>> StrayPeriod()("Version 2 . 3 stays, and so does ... this")
    'Version 2 . 3 stays, and so does ... this'
    """

    name: ClassVar[str] = "stray-period"

    def _run(self, text: str, edits: list[Edit] | None) -> str:
        if _SPACED_PERIOD.search(text) is None:
            return text
        return substitute(
            _STRAY_PERIOD,
            _stray_replacement,
            text,
            edits,
            filter_name=self.name,
            rule="stray-period",
            category="punctuation",
            matches=_stray_matches(text),
        )


def _stray_matches(text: str) -> Iterator[regex.Match[str]]:
    """Every match of ``_STRAY_PERIOD`` in ``text``, in order, tried for only at the few
    places before each spaced period (``_SPACED_PERIOD``, C speed) where a match of it can
    start, instead of by a scan of the whole text (or of its lines) in the slower engine.

    Exact: a match is an end mark or a closing quote, closers, then spaces and a period; so
    its first spaced period ``q`` has only closers and spaces between it and the match's
    start, which lies at most one character before the run of closers and spaces that ends
    at ``q``. The places from there to ``q`` are tried in order, as a scan would, with the
    text before them in view of the look-behinds. A match that starts earlier has an earlier
    first spaced period, and was found from it.

    >>> [m.group() for m in _stray_matches("He left. .\\nIt is 2 . 3\\n“No.” .")]
    ['. .', '.” .']
    """
    end = 0  # where the last match ended: matches do not overlap
    for place in _SPACED_PERIOD.finditer(text):
        spaced = place.start()
        if spaced < end:
            continue  # inside the last match
        run = spaced - 1  # a space: find where its run of spaces, and closers before, starts
        while run > 0 and text[run - 1] in _SPACES:
            run -= 1
        while run > 0 and text[run - 1] in _CLOSERS:
            run -= 1
        for start in range(max(run - 1, end), spaced):
            match = _STRAY_PERIOD.match(text, start)
            if match is not None:
                yield match
                end = match.end()
                break


# Candidates only: a lowercase letter, a period, a letter. Each is checked in full below, which
# keeps the regex trivial (linear) and the guards readable.
_CANDIDATE = regex.compile(r"\p{Ll}\.(?=\p{L})")
# Cheap precheck, a superset of the candidates: a period directly followed by a character
# that is not ASCII punctuation, digit or space, nor a common non-ASCII mark that is no letter
# (quotes, dashes, the ellipsis, no-break space); every letter passes. The literal period first
# lets the scan run at memchr speed; the letter before it is checked on the few hits.
_MAYBE_CANDIDATE = re.compile(
    r"\.[^\x00-\x40\x5b-\x60\x7b-\x7f"  # ASCII: all but the letters
    r"\xa0\xab\xbb\u2013\u2014\u2018-\u201f\u2026]"  # no-break space, quotes, dashes, "…"
)


def _candidate_dots(text: str) -> list[int]:
    """The period of every ``_CANDIDATE`` match, in order, found from the few places
    ``_MAYBE_CANDIDATE`` (C speed) points at instead of by a scan of the slower engine.

    Exact: every match's period is such a place (a superset), and matches cannot overlap, since
    a period is not a lower-case letter.

    >>> _candidate_dots("Ukraine.and U.S. e.g. the end. Then")
    [7, 18]
    """
    return [
        match.start()
        for match in _MAYBE_CANDIDATE.finditer(text)
        if match.start() and _CANDIDATE.match(text, match.start() - 1) is not None
    ]


_TOKEN_EDGE = "“‘\"'([{«¿¡"
_TOKEN_TAIL = ",;:!?.…”’\"')]}»"
_ABBREVIATIONS = frozenset(
    """mr mrs ms dr st jr sr inc ltd co corp no nos vs etc al prof gen sen rep gov lt col capt
    sgt maj adm fig figs approx dept est univ vol vols pp ed eds op cf ibid min max sq ft
    jan feb mar apr jun jul aug sep sept oct nov dec mon tue wed thu fri sat sun""".split()
)
# Words that begin a new clause; accepted after the period even when lowercase ("Ukraine.and").
_CLAUSE_WORDS = frozenset(
    """and but the with while which who whom whose when where that this these those they their
    there then thus yet nor for from after before because although though since until unless
    she his her its our your we he you i also however meanwhile instead still so as if or""".split()
)
# Second parts that make "word.word" a domain or a file name, not two sentences.
_DOMAIN_OR_EXTENSION = frozenset(
    """com net org edu gov mil int io co uk us de fr es it nl be ch at au ca cn jp ru br in info
    biz tv me ly gl ai so app dev news online site blog html htm php asp aspx jsp js ts py rb go rs
    java json xml csv txt pdf doc docx xls xlsx ppt png jpg jpeg gif svg mp3 mp4 md yml yaml
    toml ini cfg exe dll zip gz tar""".split()
)


# Capitalized second parts that still make a name, not two sentences ("Node.Js", "ASP.Net").
_TECH_NAMES = frozenset("js ts net io py rb go com org".split())


def _token_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    while end < len(text) and not text[end].isspace():
        end += 1
    return start, end


def _is_missing_space(text: str, dot: int) -> bool:
    start, end = _token_bounds(text, dot, dot + 1)
    left = text[start:dot].lstrip(_TOKEN_EDGE)
    right = text[dot + 1 : end].rstrip(_TOKEN_TAIL)
    if len(left) < 2 or len(right) < 2 or not left.isalpha() or not right.isalpha():
        return False  # initials, decimals, times, URLs, e-mail, paths: any digit or symbol
    if left.lower() in _ABBREVIATIONS:
        return False
    if right[0].isupper():
        # "Ukraine.The", "Kyiv.It": a capitalized word after a lowercase-ending word. Domains
        # and file names are written in lower case, so only tech names are kept ("Node.Js");
        # "Node.JS" is not a word at all.
        return right[1:].islower() and right.lower() not in _TECH_NAMES
    return right in _CLAUSE_WORDS and right not in _DOMAIN_OR_EXTENSION


@dataclass(frozen=True, slots=True)
class SentenceSpacing(FilterBase):
    """Restore the space a scraper dropped after a sentence-final period.

    Only between two plain words, and only when the second starts a sentence or a clause;
    abbreviations, initials, decimals, times, domains and file names are left alone.

    >>> SentenceSpacing()("its war against Ukraine.and US allegations")
    'its war against Ukraine. and US allegations'
    >>> SentenceSpacing()("See example.com, Node.js, e.g. 3.5 and U.S. policy")
    'See example.com, Node.js, e.g. 3.5 and U.S. policy'
    """

    name: ClassVar[str] = "sentence-spacing"

    def _run(self, text: str, edits: list[Edit] | None) -> str:
        out: list[str] = []
        last = 0
        for dot in _candidate_dots(text):
            if not _is_missing_space(text, dot):
                continue
            out.append(text[last : dot + 1])
            out.append(" ")
            last = dot + 1
            if edits is not None:
                edits.append(
                    Edit(self.name, "missing-space", "punctuation", dot, dot + 1, ".", ". ")
                )
        if not out:
            return text
        out.append(text[last:])
        return "".join(out)
