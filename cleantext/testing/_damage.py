"""Pure functions that damage text the way scrapers do, each with the check that keeps it honest.

These do not call cleantext: the expected clean text of a generated document is known by
construction, and these functions only make damage that cleantext's policy says to undo.
"""

from __future__ import annotations

import codecs
from functools import cache

import ftfy
import regex

__all__ = [
    "CODECS",
    "FTFY_ENCODING_FIXES",
    "break_possessive",
    "can_break",
    "mojibake_line",
    "possessive_sites",
    "space_can_drop",
    "stray_period_ok",
]

#: The mojibake codecs: UTF-8 bytes read as Windows-1252 (as browsers and ftfy read it, the five
#: undefined bytes becoming C1 controls) or as Latin-1.
CODECS = ("sloppy-windows-1252", "latin-1")

#: ftfy with only its encoding fixes on: what "realistic mojibake that ftfy can reverse" means.
#: Written out here rather than imported, so the strategies do not depend on the filter they
#: are used to test.
FTFY_ENCODING_FIXES = ftfy.TextFixerConfig(
    unescape_html=False,
    remove_terminal_escapes=False,
    fix_encoding=True,
    restore_byte_a0=True,
    replace_lossy_sequences=True,
    decode_inconsistent_utf8=True,
    fix_c1_controls=True,
    fix_latin_ligatures=False,
    fix_character_width=False,
    uncurl_quotes=False,
    fix_line_breaks=False,
    fix_surrogates=False,
    remove_control_chars=False,
    normalization=None,
    explain=False,
)


@cache
def _register_sloppy_codecs() -> None:
    import ftfy.bad_codecs  # noqa: F401  (registers "sloppy-windows-1252" on first use)

    codecs.lookup("sloppy-windows-1252")


def mojibake_line(line: str, codec: str) -> str | None:
    """``line`` encoded as UTF-8 and decoded with ``codec``, or None when that changes nothing
    or when ftfy's encoding fixes would not give ``line`` back exactly.

    >>> mojibake_line("Blinken’s visit", "sloppy-windows-1252")
    'Blinkenâ€™s visit'
    >>> mojibake_line("plain ASCII", "latin-1") is None
    True
    """
    if line.isascii():
        return None
    _register_sloppy_codecs()
    try:
        bad = line.encode("utf-8").decode(codec)
    except UnicodeError:
        return None
    if bad == line or ftfy.fix_text(bad, FTFY_ENCODING_FIXES) != line:
        return None
    return bad


def possessive_sites(text: str, name: str) -> list[tuple[int, int, str]]:
    """Spans of ``Name’s`` / ``Name's`` in ``text``: (start, end, apostrophe).

    >>> possessive_sites("Blinken’s aide met Blinken.", "Blinken")
    [(0, 9, '’')]
    """
    escaped = regex.escape(name)
    pattern = regex.compile(rf"(?<![\p{{L}}\p{{N}}’']){escaped}([’'])s(?![\p{{L}}\p{{N}}])")
    return [(m.start(), m.end(), m.group(1)) for m in pattern.finditer(text)]


def break_possessive(name: str, apostrophe: str) -> str:
    """The broken form of a singular possessive: the apostrophe moved after an extra "s".

    >>> break_possessive("Blinken", "’")
    'Blinkens’'
    """
    return f"{name}s{apostrophe}"


_THE_BEFORE = regex.compile(r"(?:^|\W)(?:the|The|THE)\s+$")


def can_break(broken_text: str, name: str) -> bool:
    """The policy's evidence test, on the text *after* breaking: the name is shown in singular
    form as a word of its own, never as a plain plural, and no broken form follows "the".

    >>> can_break("Blinkens’ visit. Blinken left.", "Blinken")
    True
    >>> can_break("Blinkens’ visit. The Blinkens left.", "Blinken")
    False
    """
    singular = regex.search(
        rf"(?<![\p{{L}}\p{{N}}]){regex.escape(name)}(?![\p{{L}}\p{{N}}])", broken_text
    )
    plural = regex.search(
        rf"(?<![\p{{L}}\p{{N}}]){regex.escape(name)}s(?![\p{{L}}\p{{N}}’'])", broken_text
    )
    if singular is None or plural is not None:
        return False
    for match in regex.finditer(rf"{regex.escape(name)}s[’']", broken_text):
        if _THE_BEFORE.search(broken_text, max(0, match.start() - 8), match.start()):
            return False
    return True


_SENTENCE_END = regex.compile(r"(?<=[\p{Ll}\p{N}”’\"»“«)])[.!?…][”’\"»)]*+$")


def stray_period_ok(sentence: str) -> bool:
    """True when ``sentence`` ends with an end mark (and closing quotes) after a lower-case
    letter, a digit or a quote, so that a stray " ." appended to it is the scraper residue
    the policy removes.

    >>> stray_period_ok("He said it was “very good.”"), stray_period_ok("Talks Resume")
    (True, False)
    """
    return _SENTENCE_END.search(sentence) is not None


_ENDS_WITH_WORD = regex.compile(r"(?<![\p{L}\p{N}.’'])(\p{Lu}?\p{Ll}{3,})\.$")
_STARTS_WITH_WORD = regex.compile(r"^\p{Lu}\p{Ll}{2,} ")


def space_can_drop(sentence: str, following: str, words: frozenset[str]) -> bool:
    """True when the space between ``sentence`` and the ``following`` one may be dropped as
    the damage the policy repairs ("Ukraine. The" scraped as "Ukraine.The"): the sentence
    ends in a plain word from ``words`` (place names, weekdays: never an abbreviation) and a
    period, and the next one starts with a capitalized plain word of three or more letters.

    >>> space_can_drop("He flew to Lagos.", "The talks began.", frozenset({"Lagos"}))
    True
    >>> space_can_drop("He met the U.S. envoy.", "The talks began.", frozenset({"Lagos"}))
    False
    """
    end = _ENDS_WITH_WORD.search(sentence)
    return (
        end is not None and end.group(1) in words and _STARTS_WITH_WORD.match(following) is not None
    )
