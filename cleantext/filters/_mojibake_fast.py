"""Exact shortcuts for ftfy's encoding repair: the same output as ftfy, without running it.

`ftfy.fix_text` with encoding fixes only runs at about 3 MB/s on mojibaked text. Almost all of
that text is UTF-8 that was decoded as Windows-1252 or Latin-1, which ftfy undoes by encoding
the line back and decoding it as UTF-8: two C-level passes. This module does that directly, on a
whole block of lines at once where it can, and answers only when the answer is certainly ftfy's;
otherwise it returns ``None`` and the caller runs ftfy.

Why the shortcut is exact (ftfy 6.3, read from its source; config: every fix off but
`fix_encoding` with its four sub-steps and `fix_c1_controls`, no HTML unescaping):

- `fix_text` cuts the text after each ``\\n`` (and every `max_decode_length` characters) and
  runs `fix_and_explain` on each segment. That repeats [`fix_encoding`, `fix_c1_controls`]
  until nothing changes; `fix_encoding` repeats one step until nothing changes.
- One step leaves a segment alone when it is ASCII or `is_bad` is false. Otherwise it tries the
  single-byte encodings in order, Latin-1 first and sloppy Windows-1252 second, taking the first
  the segment is a possible encoding of. Latin-1 is possible exactly when every character is
  below U+0100, which is when ``encode("latin-1")`` succeeds. For the encoding taken it encodes
  the segment; calls `restore_byte_a0` only if ALTERED_UTF8_RE matches the bytes, and for sloppy
  codecs `replace_lossy_sequences`, a substitution of LOSSY_UTF8_RE matches; picks the decoder
  `utf-8-variants` only if byte 0xED or 0xC0 occurs; and returns the UTF-8 decoding, with the
  plan [encode E, decode utf-8], as soon as it succeeds. So when neither pattern matches, neither
  byte occurs and the bytes are valid UTF-8, the step's result is exactly
  ``segment.encode(E).decode("utf-8")``. In any other case we answer ``None``.
- That result is stable when it is not bad (the next step leaves it alone) and has no C1
  control (so `fix_c1_controls` changes nothing, and the outer loop stops at the same text).
  "Not bad" comes from the mojibake gate below, or from `is_bad` itself.
- `is_bad` is a search of BADNESS_RE. A match found searching from any position ``p`` is also
  found (or an earlier one is) by the search from 0, so a hit from ``p`` proves the segment bad;
  we search from the first character that can start a UTF-8 sequence read as Latin-1 or
  Windows-1252 (U+00C2 to U+00F4), where a mojibaked line has its first match.

On a block of whole lines (as `fix_text` cuts them, none longer than `max_decode_length`) the
same holds line by line, checked once for the block. Encoding and decoding treat ``\\n`` as a
byte of its own, so the block's bytes and their UTF-8 decoding are the lines' joined by ``\\n``.
If the block encodes as sloppy Windows-1252 without byte 0x1A, each character of each line is
one that possible_encoding accepts for that codec, and each line that Latin-1 can also encode
gets the same bytes from both (they differ only on U+0080..U+009F, of which the sloppy codec
encodes just the five it passes through, as themselves): the bytes ftfy would decode whichever
of the two it picks, which changes only the plan's name, so blocks are used where no plan is
wanted. If those bytes are valid UTF-8 without 0xED, neither ALTERED_UTF8_RE nor LOSSY_UTF8_RE
matches in any line: each of their alternatives starts with 0x1A, 0xED or a UTF-8 lead byte and
puts a space, "?" or 0x1A where that lead byte needs a continuation byte (the tests check this,
and the facts about the codecs, on every string the patterns match and every code point). Each
non-ASCII line still needs its proof of badness and a repair that is not bad; lines without,
such as doubled mojibake, are repaired one by one.

Everything ftfy-specific used here (BADNESS_RE, is_bad, possible_encoding, ALTERED_UTF8_RE,
LOSSY_UTF8_RE, the sloppy codec) is ftfy's own object, so ftfy's data tables need no copy; the
order of the steps is what was checked by reading, so the shortcuts run only on the ftfy
versions in `VERIFIED_FTFY`.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import ftfy
import ftfy.bad_codecs  # registers the sloppy codecs
from ftfy.badness import BADNESS_RE, is_bad
from ftfy.chardata import ALTERED_UTF8_RE, LOSSY_UTF8_RE, possible_encoding

__all__ = ["ENABLED", "MOJIBAKE_GATE", "VERIFIED_FTFY", "Step", "repair_block", "repair_segment"]

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
# so the scan starts from a plain character class: stdlib `re` runs it at about 250 MB/s.
_SPECIALS = "\x80-\x9f\u0152\u0153\u00d8\u00d9\u00c3\u00c2"
MOJIBAKE_GATE = re.compile(f"[\\x80-\\U0010ffff](?:[\\x80-\\U0010ffff]|(?<=[{_SPECIALS}]))")

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
# ftfy's own loop ends because every repair shortens the text; this only bounds our effort.
_MAX_REPAIRS = 8
_MAX_SEGMENT = ftfy.TextFixerConfig().max_decode_length


def _is_bad(segment: str) -> bool:
    # Exactly ftfy's test "not ASCII and is_bad", cheapest evidence first.
    if segment.isascii() or MOJIBAKE_GATE.search(segment) is None:
        return False
    lead = _UTF8_LEAD.search(segment)
    if lead is not None and BADNESS_RE.search(segment, lead.start()) is not None:
        return True
    return is_bad(segment)


def _undo_once(segment: str) -> tuple[str, Step] | None:
    """ftfy's step on a bad segment when it is a plain re-encode and UTF-8 decode, else None."""
    try:
        data = segment.encode(_LATIN_1)
        encode = _ENCODE_LATIN_1
    except UnicodeEncodeError:
        if not possible_encoding(segment, _SLOPPY_1252):
            return None
        try:
            data = segment.encode(_SLOPPY_1252)
        except UnicodeEncodeError:
            return None
        if LOSSY_UTF8_RE.search(data) is not None:
            return None
        encode = _ENCODE_SLOPPY
    if b"\xed" in data or b"\xc0" in data or ALTERED_UTF8_RE.search(data) is not None:
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
    # Valid UTF-8 without bytes 0x1A and 0xED has no match of ALTERED_UTF8_RE or LOSSY_UTF8_RE
    # (see the module docstring), so ftfy's transcoding steps would not run on any line.
    lines = block.split("\n")
    last = len(lines) - 1
    repaired_lines: list[str] | None = None
    repaired_is_clean = MOJIBAKE_GATE.search(repaired) is None
    exceptions: dict[int, str] = {}
    for i, line in enumerate(lines):
        if line.isascii():
            continue  # the repair leaves it as it is, and so does ftfy
        segment = line if i == last else line + "\n"
        lead = _UTF8_LEAD.search(line)
        if lead is not None and BADNESS_RE.search(segment, lead.start()) is not None:
            if repaired_is_clean:
                continue
            if repaired_lines is None:
                repaired_lines = repaired.split("\n")
            if MOJIBAKE_GATE.search(repaired_lines[i]) is None:
                continue
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
