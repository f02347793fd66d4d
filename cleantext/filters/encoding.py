"""Encoding repair: mojibake (ftfy's result, mostly without running ftfy) and Unicode hygiene."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

import ftfy
import regex

from cleantext.filter import Edit, FilterBase, line_pieces, substitute
from cleantext.filters import _mojibake_fast as _fast

__all__ = [
    "FTFY_ENCODING_ONLY",
    "FixMojibake",
    "UnicodeHygiene",
    "may_contain_mojibake",
    "mojibake_left",
]

#: ftfy configured for encoding fixes only: no quote straightening, no HTML unescaping, no
#: normalization, no width or ligature changes. This is the configuration whose output
#: :class:`FixMojibake` reproduces exactly.
FTFY_ENCODING_ONLY = ftfy.TextFixerConfig(
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
_FTFY_EXPLAINING = FTFY_ENCODING_ONLY._replace(explain=True)

# The precheck (see _mojibake_fast for why it is exact): a segment it does not flag is returned
# unchanged by ftfy.
_MOJIBAKE_GATE = _fast.MOJIBAKE_GATE
_MAX_SEGMENT = FTFY_ENCODING_ONLY.max_decode_length
_LINE_BREAK = regex.compile(r"\r\n?")
_SEGMENT = regex.compile(r"[^\r\n]*+(?:\r\n|\r|\n)?+")


def may_contain_mojibake(text: str) -> bool:
    """Return True unless ``text`` certainly passes through ftfy's encoding fixes unchanged.

    >>> may_contain_mojibake("Blinken’s visit")
    False
    >>> may_contain_mojibake("Blinkenâ€™s visit")
    True
    """
    return not text.isascii() and _MOJIBAKE_GATE.search(text) is not None


def normalize_newlines(text: str) -> str:
    """Turn ``\\r\\n`` and lone ``\\r`` into ``\\n``.

    >>> normalize_newlines("a\\r\\nb\\rc")
    'a\\nb\\nc'
    """
    if "\r" not in text:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _ftfy_segment(segment: str) -> str:
    if len(segment) > _MAX_SEGMENT:
        return ftfy.fix_text(segment, FTFY_ENCODING_ONLY)
    return ftfy.fix_and_explain(segment, FTFY_ENCODING_ONLY).text


def _fix_segment(segment: str) -> str:
    # ftfy's result for one segment (a line with its "\n"): the exact shortcut when it answers.
    if _MOJIBAKE_GATE.search(segment) is None:
        return segment
    if _fast.ENABLED:
        repaired = _fast.repair_segment(segment)
        if repaired is not None:
            return repaired[0]
    return _ftfy_segment(segment)


def _line_start(text: str, at: int, floor: int) -> int:
    return max(floor, text.rfind("\n", floor, at) + 1)


def _line_end(text: str, at: int) -> int:
    cut = text.find("\n", at)
    return len(text) if cut < 0 else cut + 1


def _repair_text(text: str) -> str:
    """``ftfy.fix_text(text, FTFY_ENCODING_ONLY)`` for text whose line breaks are all ``\\n``.

    Only the places the precheck flags are looked at, so the cost follows the mojibake, not the
    length of the text. Where a flagged line looks like UTF-8 read as Windows-1252 or Latin-1,
    the lines from there on (about ``BLOCK_CHARS`` characters, fewer if the mojibake stops
    sooner) are repaired with one encode and decode (see ``_mojibake_fast`` for why that is
    ftfy's result); every other flagged line is repaired on its own, by ftfy if the shortcuts
    cannot vouch for it. Exact because ftfy repairs each line on its own.

    >>> _repair_text("Blinkenâ€™s visit\\nTalks in BogotÃ¡")
    'Blinken’s visit\\nTalks in Bogotá'
    """
    if text.isascii():
        return text
    return _splice_flagged(text, _MOJIBAKE_GATE.search(text), _MOJIBAKE_GATE, _repair_at)


def _repair_at(text: str, at: int, start: int) -> tuple[str, int]:
    """The repair of the flagged line(s) that start at ``start`` (flag at ``at``), and where
    the repaired span ends: a block of lines where the one-pass repair provably equals ftfy,
    else the line alone."""
    end = _line_end(text, at)
    if _fast.ENABLED and _fast.looks_mojibaked(text, at):
        block_end = _line_end(text, at + BLOCK_CHARS) if at + BLOCK_CHARS < len(text) else len(text)
        if block_end - start <= _MAX_SEGMENT:
            block = text[start:block_end]
            fixed = _fast.repair_block(block, _fix_segment)
            if fixed is None:
                # Mojibake up to somewhere in the block (a long text mixes both): the lines
                # before the first one the block repair cannot take.
                cut = _fast.repairable_lines(block)
                fixed = _fast.repair_block(block[:cut], _fix_segment) if cut else None
                block_end = start + cut
            if fixed is not None:
                return fixed, block_end
    return _fix_segment(text[start:end]), end


def _splice_flagged(
    text: str,
    hit: re.Match[str] | regex.Match[str] | None,
    gate: re.Pattern[str] | regex.Pattern[str],
    repair: Callable[[str, int, int], tuple[str, int]],
) -> str:
    """``text`` with each span that ``repair(text, at, line_start)`` returns for a place
    ``gate`` flags put in place of that span; the rest is copied as it is. ``hit`` is the
    first flag; the search goes on after each repaired span.

    >>> up = lambda t, at, start: (t[start:_line_end(t, at)].upper(), _line_end(t, at))
    >>> _splice_flagged("ab\\ncd\\nef", re.search("d", "ab\\ncd\\nef"), re.compile("d"), up)
    'ab\\nCD\\nef'
    """
    out = []
    done = 0  # text[:done] is settled; it ends with a line break
    while hit is not None:
        start = _line_start(text, hit.start(), done)
        fixed, end = repair(text, hit.start(), start)
        out.append(text[done:start])
        out.append(fixed)
        done = end
        hit = gate.search(text, done)
    if not out:
        return text
    out.append(text[done:])
    return "".join(out)


def _explain_segment(segment: str) -> tuple[str, Sequence[tuple[str, str]]]:
    if len(segment) > _MAX_SEGMENT:
        return ftfy.fix_text(segment, FTFY_ENCODING_ONLY), ()
    if _fast.ENABLED:
        repaired = _fast.repair_segment(segment)
        if repaired is not None:
            return repaired
    fixed, plan = ftfy.fix_and_explain(segment, _FTFY_EXPLAINING)
    return fixed, plan or ()


def _ftfy_rule(plan: Sequence[tuple[str, str]]) -> str:
    """The rule name of a mojibake repair: ``ftfy:`` and its plan's steps joined by ``+``."""
    steps = "+".join(f"{action}:{parameter}" for action, parameter in plan)
    return f"ftfy:{steps}" if steps else "ftfy"


def mojibake_left(text: str, repaired: str | None = None) -> bool:
    """Whether :class:`FixMojibake` would change ``text``. ``repaired``, when given, is an
    output of it: its lines are left as they are by construction (ftfy repeats its steps on a
    line until they change nothing), so only the lines of ``text`` that are not among them are
    tried.

    >>> mojibake_left("BogotÃ¡ and Bogotá"), mojibake_left("Bogotá")
    (True, False)
    >>> mojibake_left("Bogotá\\nBogotÃ¡", repaired="Bogotá")  # the new line is tried
    True
    >>> mojibake_left("Señor Núñez\\nHe left.", repaired="Señor Núñez\\n")  # a line it left
    False
    """
    hit = None if text.isascii() else _MOJIBAKE_GATE.search(text)
    if hit is None:
        return False  # nothing the gate flags: ftfy leaves every line as it is
    if repaired is not None and "\r" not in text:
        text = _new_flagged_segments(text, hit, repaired)
    elif repaired is not None:
        kept = set(_segments(repaired))
        text = "".join(s for s in _segments(text) if s not in kept or len(s) > _MAX_SEGMENT)
    return FixMojibake().apply(text) != text


def _new_flagged_segments(text: str, hit: regex.Match[str], repaired: str) -> str:
    """The segments of ``text`` (lines with their ``\\n``) that hold a hit of the gate (the
    first is ``hit``) and are not segments of ``repaired``, joined; a segment longer than
    ``_MAX_SEGMENT`` always (ftfy cuts it where its length says, so it is tried again however it
    came about). Only those can change: ftfy leaves a segment without a hit as it is."""
    # A segment "line\n" of text is one of repaired's when "\nline\n" occurs in framed.
    framed = "\n" + repaired
    last = repaired[repaired.rfind("\n") + 1 :]  # repaired's one segment without a line break
    new: list[str] = []
    while hit is not None:
        start = text.rfind("\n", 0, hit.start()) + 1
        end = text.find("\n", hit.start()) + 1
        if end == 0:
            end = len(text)
            segment = text[start:]
            kept = segment == last
        else:
            segment = text[start:end]
            kept = "\n" + segment in framed
        if not kept or len(segment) > _MAX_SEGMENT:
            new.append(segment)
        hit = _MOJIBAKE_GATE.search(text, end)
    return "".join(new)


def _segments(text: str) -> list[str]:
    """The lines of ``text``, each with its line break (the last without one)."""
    lines = text.split("\n")
    return [line + "\n" for line in lines[:-1]] + lines[-1:]


@dataclass(frozen=True, slots=True)
class FixMojibake(FilterBase):
    """Repair mojibake (UTF-8 read as Windows-1252, Latin-1 and similar) with ftfy.

    Only ftfy's encoding fixes run: curly quotes, dashes and ellipses are kept. Line breaks are
    normalized to ``\\n`` first, because ftfy is not idempotent on ``\\r``. The result equals
    ``ftfy.fix_text(normalize_newlines(text), FTFY_ENCODING_ONLY)`` for every string, but only
    lines that could contain mojibake are looked at, and ordinary mojibake (UTF-8 read as
    Windows-1252 or Latin-1, even twice) is undone by an exact shortcut instead of ftfy.

    >>> FixMojibake()("Blinkenâ€™s visit")
    'Blinken’s visit'
    >>> FixMojibake()("“curly” stays")
    '“curly” stays'
    """

    name: ClassVar[str] = "fix-mojibake"
    line_local: ClassVar[bool] = True

    def _run(self, text: str, edits: list[Edit] | None) -> str:
        if text.isascii() and "\r" not in text:
            return text
        if edits is None:
            return _repair_text(normalize_newlines(text))
        if "\r" in text:
            return self._explain_every_segment(text, edits)
        hit = _MOJIBAKE_GATE.search(text)
        return text if hit is None else self._explain_flagged_lines(text, edits, hit)

    def _explain_every_segment(self, text: str, edits: list[Edit]) -> str:
        """Each segment (a line with its line break) in turn: its line break normalized,
        then repaired if the gate flags it; an :class:`Edit` for each segment that changes."""
        out = []
        for match in _SEGMENT.finditer(text):
            original = match.group()
            if not original:
                continue
            segment = normalize_newlines(original)
            rule, category = "line-ending", "whitespace"
            if _MOJIBAKE_GATE.search(segment):
                fixed, plan = _explain_segment(segment)
                if fixed != segment:
                    rule, category = _ftfy_rule(plan), "mojibake"
                    segment = fixed
            if segment != original:
                edits.append(
                    Edit(self.name, rule, category, match.start(), match.end(), original, segment)
                )
            out.append(segment)
        return "".join(out)

    def _explain_flagged_lines(
        self, text: str, edits: list[Edit], hit: regex.Match[str] | None = None
    ) -> str:
        """:meth:`_explain_every_segment` for a text without ``\r``: every segment is a line
        and needs no new line break, so only the lines the gate flags are visited, from its
        first flag ``hit`` (searched for when not given). (A gate match holds no line break, so
        it flags a line of the text exactly when it flags the line alone.)"""

        def explain_at(text: str, at: int, start: int) -> tuple[str, int]:
            end = _line_end(text, at)
            segment = text[start:end]
            fixed, plan = _explain_segment(segment)
            if fixed != segment:
                edits.append(
                    Edit(self.name, _ftfy_rule(plan), "mojibake", start, end, segment, fixed)
                )
            return fixed, end

        if hit is None:
            hit = _MOJIBAKE_GATE.search(text)
        return _splice_flagged(text, hit, _MOJIBAKE_GATE, explain_at)


# Character-class scans use stdlib `re`: several times faster than `regex` on them.
# C0 controls other than tab, line feed and carriage return; DEL; C1 controls; zero-width space,
# word joiner, BOM; bidi embeddings, overrides, isolates and marks. ZWJ and ZWNJ are kept: emoji
# sequences and Persian or Indic spelling need them.
_INVISIBLES = re.compile(
    r"[\x00-\x08\x0e-\x1f\x7f-\x9f\u200b\u2060\ufeff\u180e"
    r"\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]++"
)
_VERTICAL = re.compile(r"[\x0b\x0c]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_NEEDS_HYGIENE = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u2060\ufeff\u180e"
    r"\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def _may_need_hygiene(text: str) -> bool:
    """False only when ``text`` has no character ``_NEEDS_HYGIENE`` matches.

    All of them are unprintable (categories Cc, Cf and Cs), so text whose only unprintable
    characters are line breaks, tabs and no-break spaces has none: one copy and one C-level
    check, about twice as fast as the regex scan, which runs only when that check fails.

    >>> [_may_need_hygiene(text) for text in ("a\\tb\\xa0c\\n", "a\\u200bb", "a\\u2028b")]
    [False, True, False]
    """
    probe = text.replace("\n", " ")
    for space in ("\t", "\xa0"):
        if space in probe:
            probe = probe.replace(space, " ")
    return not probe.isprintable() and _NEEDS_HYGIENE.search(text) is not None


#: Long texts are repaired in blocks of about this many characters, each ending after a line
#: break, so a single defect in a 50 MB document does not send all of it through the slow path:
#: mojibake in blocks from where it starts, and hygiene in blocks when the text is not NFC
#: (otherwise line by line where a character needs it). Exact: no repair here spans a line
#: break ("\n" never composes under NFC, and neither invisible runs nor surrogate pairs contain
#: one; ftfy repairs each line on its own).
BLOCK_CHARS = 1 << 13


def _repair_surrogates(text: str) -> str:
    # Pairs written as two code points are joined; lone halves become U+FFFD.
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


@dataclass(frozen=True, slots=True)
class UnicodeHygiene(FilterBase):
    """Make text safe to store and compare: NFC, no invisible controls, no lone surrogates.

    Removes C0/C1 control characters (tab and line breaks stay; vertical tab and form feed
    become line breaks), zero-width spaces, word joiners, BOMs and bidi controls; joins
    surrogate pairs and replaces lone surrogates with U+FFFD; then applies NFC.

    >>> UnicodeHygiene()("\\ufeffcafe\\u0301\\u200b!")
    'café!'
    """

    name: ClassVar[str] = "unicode-hygiene"
    line_local: ClassVar[bool] = True

    def _run(self, text: str, edits: list[Edit] | None) -> str:
        if edits is None and len(text) > BLOCK_CHARS:
            return self._repair_long(text)
        return self._repair(text, edits)

    def _repair_long(self, text: str) -> str:
        if not text.isascii() and not unicodedata.is_normalized("NFC", text):
            return "".join(self._repair(block, None) for block in line_pieces(text, BLOCK_CHARS))
        # Already NFC: only the lines with a character to remove or replace change.
        hit = _NEEDS_HYGIENE.search(text) if _may_need_hygiene(text) else None
        return _splice_flagged(text, hit, _NEEDS_HYGIENE, self._repair_line)

    def _repair_line(self, text: str, at: int, start: int) -> tuple[str, int]:
        end = _line_end(text, at)
        return self._repair(text[start:end], None), end

    def _repair(self, text: str, edits: list[Edit] | None) -> str:
        if not _may_need_hygiene(text) and (
            text.isascii() or unicodedata.is_normalized("NFC", text)
        ):
            return text
        kw = {"filter_name": self.name, "category": "unicode"}
        if _SURROGATE.search(text):
            fixed = _repair_surrogates(text)
            if edits is not None:
                edits.append(Edit(self.name, "surrogates", "unicode", 0, len(text), text, fixed))
            text = fixed
        text = substitute(_VERTICAL, "\n", text, edits, rule="vertical-space", **kw)
        text = substitute(_INVISIBLES, "", text, edits, rule="invisible", **kw)
        if not unicodedata.is_normalized("NFC", text):
            fixed = unicodedata.normalize("NFC", text)
            if edits is not None:
                edits.append(Edit(self.name, "nfc", "unicode", 0, len(text), text, fixed))
            text = fixed
        return text
