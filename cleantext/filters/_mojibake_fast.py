"""Exact shortcuts for ftfy's encoding repair: the same output as ftfy, without running it.

`ftfy.fix_text` with encoding fixes only runs at about 3 MB/s on mojibaked text. Almost all of
that text is UTF-8 that was decoded as Windows-1252 or Latin-1, which ftfy undoes by encoding
the line back and decoding it as UTF-8: two C-level passes. This module does that directly, on a
whole block of lines at once where it can, and answers only when the answer is certainly ftfy's;
otherwise it returns ``None`` and the caller runs ftfy.

Why the shortcut is exact (read from ftfy 6.3's source, for FTFY_ENCODING_ONLY: `fix_encoding`
with its four sub-steps and `fix_c1_controls`, nothing else, no HTML unescaping):

1. `fix_text` cuts the text after each ``\\n`` (and every `max_decode_length` characters) and
   runs `fix_and_explain` on each segment, which repeats [`fix_encoding`, `fix_c1_controls`]
   until the text stops changing; `fix_encoding` repeats one step until it stops changing.
2. A step leaves a segment alone when it is ASCII or `is_bad` is false. `is_bad` is a search of
   BADNESS_RE, which tries every position with the same rules (``match(segment, p)`` sees the
   whole string too), so a match at any position ``p`` proves badness. We try the first
   character that can start a UTF-8 sequence read as Latin-1 or Windows-1252 (U+00C2 to
   U+00F4) and the next one, where mojibake has its first match; without one there, `is_bad`
   itself decides. "Not bad" comes from MOJIBAKE_GATE below or from `is_bad`.
3. On a bad segment the step takes the first of Latin-1, sloppy Windows-1252, ... that
   `possible_encoding` accepts. It accepts Latin-1 exactly when ``encode("latin-1")`` succeeds.
   When that fails and ``encode("sloppy-windows-1252")`` succeeds without making byte 0x1A, it
   accepts the sloppy codec: it tests each character on its own, and the codec encodes only
   characters it accepts, byte 0x1A aside.
4. With that encoding E the step encodes the segment; runs `restore_byte_a0` only if
   ALTERED_UTF8_RE matches the bytes; for sloppy codecs substitutes the matches of LOSSY_UTF8_RE;
   decodes with `utf-8-variants` only if byte 0xED or 0xC0 occurs, else UTF-8; and returns the
   first decoding that succeeds, with the plan [encode E, decode utf-8]. Each alternative of the
   two patterns starts with byte 0x1A, 0xED or a UTF-8 lead byte and puts a space, "?" or 0x1A
   where that lead byte needs a continuation byte, so neither matches valid UTF-8 without 0x1A
   and 0xED. So for bytes that are valid UTF-8 without 0x1A, 0xED or 0xC0 the step returns
   exactly ``segment.encode(E).decode("utf-8")``; for any other bytes we answer None.
5. That result is final when it is not bad (the next step leaves it alone) and has no C1 control
   (`fix_c1_controls` leaves it, and the outer loop sees no change). If it is bad, the steps go
   on (doubled mojibake) while each is of the kind above; otherwise we answer None.

On a block of whole lines (as `fix_text` cuts them, none longer than `max_decode_length`),
encoding and decoding treat ``\\n`` as a byte of its own: the block's bytes and their decoding
are the lines' joined by ``\\n``, so the byte-level facts of 3 and 4 hold for every line when
they hold for the block. A line that Latin-1 can encode gets the same bytes from both codecs
(they differ only on U+0080..U+009F, and the sloppy codec encodes just the five of those it
passes through, as themselves), so which of the two ftfy picks changes only the plan's name:
blocks serve where no plan is wanted. Each non-ASCII line still needs its proof of badness (2)
and a repair that is not bad (5); the other lines, doubled mojibake for one, go one by one.

tests/test_mojibake_fast.py checks the facts about the codecs on every code point and those
about the two patterns on every byte string they can match. The ftfy objects used here
(BADNESS_RE, `is_bad`, the sloppy codec) are ftfy's own; the order of the steps is what was
read, so the shortcuts run only on the ftfy versions in VERIFIED_FTFY.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import ftfy
import ftfy.bad_codecs  # registers the sloppy codecs
import regex
from ftfy.badness import BADNESS_RE, is_bad

__all__ = [
    "ENABLED",
    "MOJIBAKE_GATE",
    "VERIFIED_FTFY",
    "Step",
    "looks_mojibaked",
    "repair_block",
    "repair_segment",
    "repairable_lines",
]

#: ftfy versions whose fix_text was read and found to work as the module docstring says.
VERIFIED_FTFY = frozenset({"6.3.0", "6.3.1"})
#: Whether the shortcuts run: on other ftfy versions every segment goes to ftfy itself.
ENABLED = ftfy.__version__ in VERIFIED_FTFY

# Why this gate is exact: with FTFY_ENCODING_ONLY, ftfy changes a segment only when
# `ftfy.badness.is_bad` is true or a C1 control is present. Every alternative of ftfy's
# BADNESS_RE needs two adjacent non-ASCII characters, a C1 control, or one of Œ œ Ø Ù Ã Â
# (the alternatives that pair these with ASCII). A segment with none of them is returned
# unchanged by ftfy, so skipping it is identical, and is_bad itself (about 6 MB/s) never runs.
# Written as "a non-ASCII character followed by another, or that is itself one of the specials",
# so the scan starts from a plain character class. The `regex` module runs it at 700-1000 MB/s
# on news text, stdlib `re` at about 250 (it stops at every curly quote and accented letter).
_SPECIALS = "\x80-\x9f\u0152\u0153\u00d8\u00d9\u00c3\u00c2"
MOJIBAKE_GATE = regex.compile(f"[\\x80-\\U0010ffff](?:[\\x80-\\U0010ffff]|(?<=[{_SPECIALS}]))")

#: A plan step as ftfy explains it: (action, parameter), e.g. ("encode", "latin-1").
Step = tuple[str, str]

_LATIN_1 = "latin-1"
_SLOPPY_1252 = "sloppy-windows-1252"
_ENCODE_LATIN_1: Step = ("encode", _LATIN_1)
_ENCODE_SLOPPY: Step = ("encode", _SLOPPY_1252)
_DECODE_UTF8: Step = ("decode", "utf-8")
# Lead bytes of multi-byte UTF-8 (0xC2..0xF4) read as Latin-1 or Windows-1252.
_UTF8_LEAD = re.compile("[\u00c2-\u00f4]")
_C1 = re.compile("[\x80-\x9f]")
# Continuation bytes (0x80..0xBF) read as Windows-1252 or Latin-1.
_CONTINUATION = frozenset(
    bytes(range(0x80, 0xC0)).decode(_SLOPPY_1252) + bytes(range(0x80, 0xC0)).decode(_LATIN_1)
)
# ftfy's own loop ends because every repair shortens the text; this only bounds our effort.
_MAX_REPAIRS = 8
_MAX_SEGMENT = ftfy.TextFixerConfig().max_decode_length


def _proves_bad(segment: str, line: str) -> bool:
    # A BADNESS_RE match where the first mojibake sequence of ``line`` (``segment``'s text
    # without its "\n") starts: two anchored attempts instead of a scan.
    lead = _UTF8_LEAD.search(line)
    if lead is None:
        return False
    at = lead.start()
    return bool(BADNESS_RE.match(segment, at) or BADNESS_RE.match(segment, at + 1))


# Why is_bad can be decided near the gate's hits: a BADNESS_RE match is at most
# BADNESS_WIDTH characters long and looks at nothing outside itself (no look-around or word
# boundary; its one "^" holds at position 0 only, as in a search), so the matched characters
# are bad on their own and, by the gate's argument above, hold a pair of non-ASCII characters
# or a special. The gate's non-overlapping hits start at that pair or special, or one character
# before it: a match starts at most BADNESS_WIDTH - 1 characters before a hit, or one after.
# tests/test_mojibake_fast.py checks the width and the kinds of node on the installed ftfy.
BADNESS_WIDTH = 7
# Beyond this many hits (a line of Greek or Cyrillic, a hit every other character), one scan
# of is_bad costs less than the anchored attempts around each hit.
_MAX_LOCAL_HITS = 16


def _bad_near_hits(segment: str) -> bool:
    """``is_bad(segment)``, by anchored attempts around the gate's hits: on a clean line that
    the gate flags (two accented letters in a row), tens of times faster than the scan."""
    tried = 0  # attempts before this position are made
    for k, hit in enumerate(MOJIBAKE_GATE.finditer(segment)):
        if k == _MAX_LOCAL_HITS:
            return is_bad(segment)
        at = hit.start()
        for start in range(max(tried, at - BADNESS_WIDTH + 1), at + 2):
            if BADNESS_RE.match(segment, start):
                return True
        tried = at + 2
    return False


def _is_bad(segment: str) -> bool:
    """Exactly ftfy's test "not ASCII and is_bad", cheapest evidence first.

    >>> _is_bad("Blinkenâ€™s visit"), _is_bad("Núñez met Dvořák"), _is_bad("He left.")
    (True, False, False)
    """
    if segment.isascii() or MOJIBAKE_GATE.search(segment) is None:
        return False
    return _proves_bad(segment, segment) or _bad_near_hits(segment)


def _undo_once(segment: str) -> tuple[str, Step] | None:
    """ftfy's step on a bad segment when it is a plain re-encode and UTF-8 decode, else None."""
    try:
        data, encode = segment.encode(_LATIN_1), _ENCODE_LATIN_1
    except UnicodeEncodeError:
        try:
            data, encode = segment.encode(_SLOPPY_1252), _ENCODE_SLOPPY
        except UnicodeEncodeError:
            return None
    if b"\x1a" in data or b"\xed" in data or b"\xc0" in data:
        return None
    try:
        return data.decode("utf-8"), encode
    except UnicodeDecodeError:
        return None


def repair_segment(segment: str) -> tuple[str, tuple[Step, ...]] | None:
    """ftfy's repair of one segment and its plan, or None when only ftfy itself can tell.

    ``segment`` is what `ftfy.fix_text` hands to `fix_and_explain`: one line with its ``\\n``,
    at most `max_decode_length` characters; `FTFY_ENCODING_ONLY` is the configuration.

    >>> repair_segment("Blinkenâ€™s visit\\n")
    ('Blinken’s visit\\n', (('encode', 'sloppy-windows-1252'), ('decode', 'utf-8')))
    >>> repair_segment("no mojibake here")
    ('no mojibake here', ())
    """
    if len(segment) > _MAX_SEGMENT:
        return None
    text = segment
    plan: list[Step] = []
    for _ in range(_MAX_REPAIRS):
        if not _is_bad(text):
            if _C1.search(text) is not None:
                return None
            return text, tuple(plan)
        undone = _undo_once(text)
        if undone is None:
            return None
        text, encode = undone
        plan += (encode, _DECODE_UTF8)
    return None


def looks_mojibaked(text: str, first_hit: int) -> bool:
    """Whether the gate's first hit (at ``first_hit``) starts UTF-8 read as Windows-1252 or Latin-1.

    Only then is `repair_block` worth trying; the answer decides speed, never the result.

    >>> looks_mojibaked("Blinkenâ€™s", 7), looks_mojibaked("“Yes”—she said", 4)
    (True, False)
    """
    return (
        "\u00c2" <= text[first_hit] <= "\u00f4"
        and text[first_hit + 1 : first_hit + 2] in _CONTINUATION
    )


def repair_block(block: str, fix_segment: Callable[[str], str]) -> str | None:
    """ftfy's repair of a block of whole lines in one pass, or None if the block is not uniform.

    ``block`` has ``\\n`` line breaks only and is at most `max_decode_length` characters long.
    It must be UTF-8 read as Windows-1252 or Latin-1 as a whole (ASCII lines aside); lines that
    the block repair cannot vouch for go to ``fix_segment``, which must return ftfy's result for
    one segment.

    >>> repair_block("CafÃ© au lait\\nplain\\nâ€œfineâ€\\x9d", str.upper)
    'Café au lait\\nplain\\n“fine”'
    """
    try:
        data = block.encode(_SLOPPY_1252)
    except UnicodeEncodeError:
        return None
    if b"\x1a" in data or b"\xed" in data or b"\xc0" in data:
        return None
    try:
        repaired = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    lines = block.split("\n")
    last = len(lines) - 1
    repaired_lines: list[str] | None = None
    repaired_is_clean = MOJIBAKE_GATE.search(repaired) is None
    exceptions: dict[int, str] = {}
    for i, line in enumerate(lines):
        if line.isascii():
            continue  # the repair leaves it as it is, and so does ftfy
        segment = line if i == last else line + "\n"
        if _proves_bad(segment, line):
            if repaired_is_clean:
                continue
            if repaired_lines is None:
                repaired_lines = repaired.split("\n")
            fixed = repaired_lines[i]
            if MOJIBAKE_GATE.search(fixed) is None:
                continue
            if _C1.search(fixed) is None and not _bad_near_hits(
                fixed if i == last else fixed + "\n"
            ):
                continue  # e.g. two accented letters in a row: the gate cannot tell, is_bad can
        exceptions[i] = fix_segment(segment)
    if not exceptions:
        return repaired
    if repaired_lines is None:
        repaired_lines = repaired.split("\n")
    pieces = [line + "\n" for line in repaired_lines]
    pieces[last] = repaired_lines[last]
    for i, fixed in exceptions.items():
        pieces[i] = fixed
    return "".join(pieces)


def repairable_lines(block: str) -> int:
    """The length of the longest run of whole lines at the start of ``block`` that `repair_block`
    can encode and decode: the lines before the first one with a character Windows-1252 cannot
    encode, a byte 0x1A, 0xED or 0xC0, or bytes that are not UTF-8 (0 if that is the first line).

    >>> repairable_lines("CafÃ© au lait\\nBogotá\\nâ€œfineâ€\\x9d")
    14
    """
    try:
        data = block.encode(_SLOPPY_1252)
        limit = len(block)
    except UnicodeEncodeError as error:
        limit = error.start
        data = block[:limit].encode(_SLOPPY_1252)
    # The codec makes one byte per character: byte offsets are character offsets.
    for byte in (b"\x1a", b"\xed", b"\xc0"):
        found = data.find(byte, 0, limit)
        if found >= 0:
            limit = found
    try:
        data[:limit].decode("utf-8")
    except UnicodeDecodeError as error:
        limit = error.start
    if limit == len(block):
        return limit
    return block.rfind("\n", 0, limit) + 1
