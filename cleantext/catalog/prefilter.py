"""One automaton over all rules: a fast, exact "no rule can match this line" test.

Trying a line against the rules one by one costs about ten microseconds of Python per line,
nearly all of it on lines that no rule matches. RE2's ``Set`` matches many patterns in one
pass of a compiled automaton and says which of them match. RE2 has no look-arounds, possessive
quantifiers or atomic groups, so each rule is rewritten into a *wider* pattern
(:func:`widened`): look-arounds and ``\\b`` dropped, possessive and atomic made ordinary,
``\\s`` and ``\\w`` made to cover all of Unicode as the ``regex`` module's do. Whatever a rule
matches, its widened pattern matches too, so a line the set turns down needs no further work,
and a line it accepts goes through the exact rules as before: verdicts do not change. A
line holds no line break, so no widened pattern matches one: the set can then search a whole
document at once, each pattern anchored to the start and end of a line.

``google-re2`` is optional: without it (or for a rule that cannot be rewritten) the catalog
tries every line against the rules as before, with the same verdicts, only slower.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

__all__ = ["RuleSet", "available", "widened"]

T = TypeVar("T")

try:  # pragma: no cover - depends on the environment
    import re2 as _re2
except ImportError:  # pragma: no cover - depends on the environment
    _re2 = None

# What the ``regex`` module's \s, \w and \d, and Unicode properties, match in a str pattern,
# or more, as the bodies of RE2 classes. Exact Unicode classes compile to hundreds of UTF-8
# byte ranges each (the set of all rules would need over a hundred megabytes); every letter,
# mark or number outside ASCII lies above U+00A9, so "ASCII ones, and everything above" is
# a superset that compiles to a handful.
_ABOVE_ASCII = r"\x{AA}-\x{10FFFF}"
_SPACE = r"\t\x0B\f\r \x1C-\x1F\x{85}\x{180E}\p{Z}"
_WORD = r"0-9A-Z_a-z" + _ABOVE_ASCII
_DIGIT = r"0-9\x{660}-\x{10FFFF}"
_WIDE = {"s": _SPACE, "w": _WORD, "d": _DIGIT}
_PROPERTY = {
    "L": "A-Za-z" + _ABOVE_ASCII,
    "Lu": "A-Z" + _ABOVE_ASCII,
    "Ll": "a-z" + _ABOVE_ASCII,
    "M": r"\x{300}-\x{10FFFF}",
    "N": "0-9" + _ABOVE_ASCII,
    "Nd": _DIGIT,
}
_ANY = r"\x{0}-\x{9}\x{B}-\x{10FFFF}"
# The regex module ignores case between "i" and "İ", and "I" and "ı" (Turkish), RE2 does not;
# every other letter of the rules folds alike in both (checked over all of Unicode).
_DOTTED_I = "[iIİı]"
_LOOKAROUND = ("(?=", "(?!", "(?<=", "(?<!")
_MAX_MEM = 64 << 20  # bytes RE2 may use for the set's program and automaton
_MAX_VERDICTS = 4096  # sets of matching patterns whose verdict a classifier keeps
_MAX_COUNT = 4  # bounded repeats up to this count are kept; longer ones become unbounded


def available() -> bool:
    """Whether the RE2 automaton can be used here (``google-re2`` is installed)."""
    return _re2 is not None


class _Unsupported(ValueError):
    pass


def widened(pattern: str, margin: str = "") -> str:
    """An RE2 pattern that matches every string ``pattern`` (``regex`` syntax, version 0)
    matches, and possibly more. Raises ``ValueError`` for what it cannot rewrite
    (back-references, conditionals, inline flags that are not scoped). ``margin``: an RE2
    pattern for what may stand between a line's text and its ends (``[ \\t]*``), which the
    rules never see: their ``^`` and ``$`` then allow it.

    >>> widened(r"(?P<v>(?>ab|a)++)(?=c)\\bd{2,40}x{1,3}")
    '(?:(?:ab|a)+)d{2,}x{1,3}'
    >>> widened("about(?:!|$)", "[ ]*")
    'about(?:!|[ ]*$)'
    """
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\":
            i = _escape(pattern, i, out, in_class=False)
        elif c == "[":
            i = _char_class(pattern, i, out)
        elif c == "(":
            i = _group(pattern, i, out)
        elif c in "*+?":
            out.append(c)
            i = _lazy_or_possessive(pattern, i + 1, out)
        elif c == "{":
            end = pattern.find("}", i)
            body = pattern[i + 1 : end] if end > 0 else ""
            low, comma, high = body.partition(",")
            if end > 0 and (low or high) and (low + high).isdigit() and body.count(",") <= 1:
                least = int(low or "0")
                most = least if not comma else int(high) if high else None
                if most is not None and most <= _MAX_COUNT:
                    out.append("{" + str(least) + "," + str(most) + "}")
                else:  # a long bounded repeat multiplies the automaton: unbounded is wider
                    out.append("{" + str(min(least, _MAX_COUNT)) + ",}")
                i = _lazy_or_possessive(pattern, end + 1, out)
            else:
                out.append(r"\{")
                i += 1
        elif c in "iI":
            out.append(_DOTTED_I)
            i += 1
        elif c == "$":
            out.append(margin + "$")
            i += 1
        elif c == "^":
            out.append("^" + margin)
            i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _holds_i(body: list[str]) -> bool:
    """Whether a class body (a list of tokens) holds ``i`` or ``I``, alone or in a range."""
    for k, token in enumerate(body):
        if token in ("i", "I"):
            return True
        if token == "-" and 0 < k < len(body) - 1 and len(body[k - 1]) == len(body[k + 1]) == 1:
            if body[k - 1] <= "i" <= body[k + 1] or body[k - 1] <= "I" <= body[k + 1]:
                return True
    return False


def _lazy_or_possessive(pattern: str, i: int, out: list[str]) -> int:
    if i < len(pattern) and pattern[i] == "?":
        out.append("?")
        return i + 1
    if i < len(pattern) and pattern[i] == "+":  # possessive: an ordinary greedy quantifier
        return i + 1
    return i


def _escape(pattern: str, i: int, out: list[str], *, in_class: bool, negated: bool = False) -> int:
    if i + 1 >= len(pattern):
        raise _Unsupported("trailing backslash")
    e = pattern[i + 1]
    if e in "pP":
        end = pattern.find("}", i)
        if pattern[i + 2 : i + 3] != "{" or end < 0:
            raise _Unsupported("\\p without braces")
        name = pattern[i + 3 : end]
        if negated:
            pass  # excluding less from a negated class only widens it
        elif e == "P":
            out.append(_ANY if in_class else "[" + _ANY + "]")
        elif name in _PROPERTY:
            out.append(_PROPERTY[name] if in_class else "[" + _PROPERTY[name] + "]")
        else:
            out.append(pattern[i : end + 1])
        return end + 1
    if e in _WIDE and not negated:
        out.append(_WIDE[e] if in_class else "[" + _WIDE[e] + "]")
    elif e in "bB" and not in_class:
        pass  # a word boundary is dropped: the pattern only gets wider
    elif e in "SWD":  # RE2's ASCII \S, \W, \D match more than Unicode ones (but no line break)
        out.append("\\" + e if in_class or e == "S" else "[^\\n\\" + e.lower() + "]")
    elif e in _WIDE:  # \s, \w, \d inside a negated class: RE2's ASCII class excludes less
        out.append("\\" + e)
    elif e.isdigit() or e in "gkGZNLXuUaezA":
        raise _Unsupported(f"escape \\{e}")
    elif e in "ntrfv":
        out.append("\\" + e)
    elif e.isascii() and not e.isalnum():
        out.append("\\" + e)
    else:
        raise _Unsupported(f"escape \\{e}")
    return i + 2


def _char_class(pattern: str, i: int, out: list[str]) -> int:
    j = i + 1
    negated = pattern[j : j + 1] == "^"
    if negated:
        j += 1
    body: list[str] = []
    first = True
    while True:
        if j >= len(pattern):
            raise _Unsupported("unterminated class")
        c = pattern[j]
        if c == "]" and not first:
            break
        if c == "\\":
            j = _escape(pattern, j, body, in_class=True, negated=negated)
        elif c == "[":
            if pattern[j : j + 2] == "[:":
                raise _Unsupported("POSIX class")
            body.append(r"\[")
            j += 1
        elif c == "]":  # a ']' first in the class is a literal
            body.append(r"\]")
            j += 1
        else:
            body.append(c)
            j += 1
        first = False
    if not negated and _holds_i(body):
        body.append("İı")
    if negated:
        out.append("[^\\n" + "".join(body) + "]")
    else:
        out.append("[" + "".join(body) + "]")
    return j + 1


def _group(pattern: str, i: int, out: list[str]) -> int:
    if pattern.startswith(_LOOKAROUND, i):
        return _skip_group(pattern, i)  # a look-around is dropped: the pattern only gets wider
    if pattern.startswith("(?>", i):
        out.append("(?:")
        return i + 3
    if pattern.startswith("(?P<", i) or pattern.startswith("(?<", i):
        end = pattern.find(">", i)
        out.append("(?:")
        return end + 1
    if pattern.startswith("(?#", i):
        return pattern.index(")", i) + 1
    if pattern.startswith("(?:", i):
        out.append("(?:")
        return i + 3
    if pattern.startswith("(?", i):
        j = i + 2
        while j < len(pattern) and (pattern[j].isalpha() or pattern[j] == "-"):
            j += 1
        flags = pattern[i + 2 : j]
        if pattern[j : j + 1] != ":" or not flags or set(flags) - set("imsx-"):
            raise _Unsupported(f"group {pattern[i : j + 1]}")
        if "x" in flags:
            raise _Unsupported("verbose flag")
        out.append("(?" + flags + ":")
        return j + 1
    out.append("(?:")  # RE2 needs no captures: it only says whether the line matches
    return i + 1


def _skip_group(pattern: str, i: int) -> int:
    """The index just past the group that opens at ``i``."""
    depth = 0
    j = i
    while j < len(pattern):
        c = pattern[j]
        if c == "\\":
            j += 2
            continue
        if c == "[":
            j = _char_class(pattern, j, [])
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return j + 1
        j += 1
    raise _Unsupported("unbalanced group")


class RuleSet:
    """An RE2 set over the widened patterns of ``patterns`` (``(pattern, case_sensitive)``
    pairs), each matched against whole lines with any of the ``margin`` characters around
    them, and over the RE2 patterns ``also``, matched anywhere: :meth:`matching` says which
    may match somewhere in a text, in one pass over it.

    Patterns it cannot rewrite are left out; :attr:`complete` says whether it holds them all.

    >>> rules = RuleSet([(r"leave\\s++a\\s++reply", False), (r"(?=\\d)\\d{4}", True)], " ", ["!"])
    >>> rules.complete, rules.matching("Leave a Reply"), rules.matching("He left.")
    (True, [0], [])
    >>> rules.matching("He left!\\n  leave a reply \\n1999")
    [0, 1, 2]
    """

    def __init__(
        self, patterns: Sequence[tuple[str, bool]], margin: str = "", also: Sequence[str] = ()
    ) -> None:
        if _re2 is None:
            raise RuntimeError("google-re2 is not installed")
        options = _re2.Options()
        options.max_mem = _MAX_MEM
        # One unanchored search over a whole text finds a line that some pattern may match
        # anywhere in it: on text with no residue, one pass for the document, not per line.
        self._set: Any = _re2.Set.SearchSet(options)
        around = "[" + "".join(f"\\x{{{ord(c):X}}}" for c in margin) + "]*" if margin else ""
        self._positions: list[int] = []  # where each pattern added to the set was given
        for position, (pattern, case_sensitive) in enumerate(patterns):
            try:
                # A rule's own "$" is the end of the stripped line: margin may follow it.
                wide = ("(?-i:" if case_sensitive else "(?i:") + widened(pattern, around) + ")"
                self._set.Add("(?m)^" + around + wide + around + "$")
            except (ValueError, _re2.error):
                continue
            self._positions.append(position)
        self.complete = len(self._positions) == len(patterns)
        for k, pattern in enumerate(also):
            self._set.Add(pattern)
            self._positions.append(len(patterns) + k)
        self._all = list(range(len(patterns) + len(also)))
        self._match: Any = None
        try:
            self._set.Compile()
        except _re2.error:  # the automaton would need more than _MAX_MEM: it cannot tell
            self.complete = False
        else:
            self._match = self._set._set.Match

    def matching(self, text: str) -> list[int]:
        """The indexes (in ``patterns``, then ``also`` after them) of the patterns that may
        match a line of ``text`` (``\\n``-separated), in order; every index when it cannot
        tell (``text`` holds a lone surrogate, as RE2 reads UTF-8 only, or the set was too
        large to compile)."""
        if self._match is None:
            return list(self._all)
        try:
            found = self._match(text.encode("utf-8"))
        except UnicodeEncodeError:
            return list(self._all)
        if not found:
            return []
        positions = self._positions
        return sorted(positions[k] for k in found)

    def may_match(self, text: str | bytes) -> bool:
        """Whether any pattern may match a line of ``text`` (true when it cannot tell); the
        test of :meth:`matching`, with nothing sorted. ``text`` may be given encoded in UTF-8.

        >>> rules = RuleSet([(r"\\d{4}", True)])
        >>> rules.may_match("in\\n1999"), rules.may_match("in\\n99"), rules.may_match(b"1999")
        (True, False, True)
        """
        if self._match is None:
            return True
        if isinstance(text, bytes):
            return bool(self._match(text))
        try:
            return bool(self._match(text.encode("utf-8")))
        except UnicodeEncodeError:
            return True

    def classifiers(
        self, verdict: Callable[[tuple[int, ...]], T], nothing: T
    ) -> tuple[Callable[[str], T], Callable[[bytes], T]]:
        """Two functions of one line, the first given as text, the second encoded in UTF-8
        (a piece of a text encoded whole): ``nothing`` when no pattern may match it, else
        ``verdict`` of the indexes (as in :meth:`matching`, in order) of those that may;
        ``verdict`` of every index when it cannot tell (a lone surrogate, a set too large).
        Each set of indexes gets its verdict once, in one store for both. Faster than
        :meth:`matching` for many short lines: one call of the automaton, and nothing more for
        a line no pattern may match.

        >>> rules = RuleSet([(r"leave\\s++a\\s++reply", False), (r"\\d{4}", True)])
        >>> of_text, of_bytes = rules.classifiers(lambda found: found, ())
        >>> of_text("1999"), of_text("Leave a Reply"), of_text("He left.")
        ((1,), (0,), ())
        >>> of_bytes(b"1999"), of_bytes(b"99")
        ((1,), ())
        """
        everything = tuple(self._all)
        match = self._match
        if match is None:
            every = verdict(everything)
            return (lambda line: every), (lambda line: every)
        positions = self._positions
        known: dict[tuple[int, ...], T] = {}

        def classify_bytes(line: bytes) -> T:
            found = match(line)
            if not found:
                return nothing
            key = tuple(found)
            result = known.get(key)
            if result is None:
                if len(known) >= _MAX_VERDICTS:
                    known.clear()
                result = known[key] = verdict(tuple(sorted(positions[k] for k in found)))
            return result

        def classify(line: str) -> T:
            try:
                encoded = line.encode("utf-8")
            except UnicodeEncodeError:
                return verdict(everything)
            return classify_bytes(encoded)

        return classify, classify_bytes
