"""Assertions for any ``str -> str`` cleaning function, with messages that show the difference.

They raise ``AssertionError`` (so pytest and Hypothesis report and shrink them like a plain
``assert``) and return the function's output, so a test can go on checking it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cleantext.testing.strategies import DirtyDocument

__all__ = ["assert_idempotent", "assert_never_raises", "assert_only_residue_removed"]

_CONTEXT = 40


def _name(fn: Callable[..., object]) -> str:
    return getattr(fn, "__qualname__", None) or getattr(fn, "name", None) or repr(fn)


def _first_difference(a: str, b: str) -> str:
    index = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), None)
    if index is None:
        index = min(len(a), len(b))
    start = max(0, index - _CONTEXT)
    return (
        f"first difference at offset {index}:\n"
        f"  first:  {a[start : index + _CONTEXT]!r}\n"
        f"  second: {b[start : index + _CONTEXT]!r}"
    )


def assert_never_raises(fn: Callable[[str], str], text: str) -> str:
    """Call ``fn(text)``; fail with the input shown if it raises or returns something other than
    a ``str``. Returns the output.

    >>> assert_never_raises(str.upper, "a\\ud800b")
    'A\\ud800B'
    >>> assert_never_raises(lambda t: t.encode("utf-8").decode(), "\\ud800")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    AssertionError: <lambda> raised UnicodeEncodeError: ...
    """
    try:
        result = fn(text)
    except Exception as exc:
        raise AssertionError(
            f"{_name(fn)} raised {type(exc).__name__}: {exc}\n  on input ({len(text)} chars): "
            f"{text[:300]!r}{' ...' if len(text) > 300 else ''}"
        ) from exc
    if not isinstance(result, str):
        raise AssertionError(f"{_name(fn)} returned {type(result).__name__}, not str")
    return result


def assert_idempotent(fn: Callable[[str], str], text: str) -> str:
    """Fail unless ``fn(fn(text)) == fn(text)``: cleaning clean text must change nothing.
    Returns ``fn(text)``.

    >>> assert_idempotent(str.strip, "  a  ")
    'a'
    >>> assert_idempotent(lambda t: t + "!", "a")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    AssertionError: <lambda> is not idempotent: ...
    """
    once = assert_never_raises(fn, text)
    twice = assert_never_raises(fn, once)
    if twice != once:
        raise AssertionError(
            f"{_name(fn)} is not idempotent: a second call changed its own output; "
            + _first_difference(once, twice)
        )
    return once


def assert_only_residue_removed(fn: Callable[[str], str], doc: DirtyDocument) -> str:
    """Fail unless every content line of ``doc.clean`` is a line of ``fn(doc.dirty)``, in
    order: the function may remove residue (and repair what it likes), but no content line
    may be lost or altered. Lines are compared without their surrounding spaces. Returns
    ``fn(doc.dirty)``.

    >>> from cleantext.testing import DirtyDocument
    >>> doc = DirtyDocument("Title\\n\\nBody.\\nSource: TRT\\n", "Title\\n\\nBody.\\n", ())
    >>> assert_only_residue_removed(lambda t: t.replace("Source: TRT\\n", ""), doc)
    'Title\\n\\nBody.\\n'
    >>> assert_only_residue_removed(lambda t: t.replace("Body.", ""), doc)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    AssertionError: <lambda> lost or changed content line 2 of 2: 'Body.'...
    """
    out = assert_never_raises(fn, doc.dirty)
    wanted = [line.strip() for line in doc.clean.splitlines() if line.strip()]
    got = [line.strip() for line in out.splitlines() if line.strip()]
    position = 0
    for number, line in enumerate(wanted, 1):
        try:
            position = got.index(line, position) + 1
        except ValueError:
            raise AssertionError(
                f"{_name(fn)} lost or changed content line {number} of {len(wanted)}: {line!r}"
                f"\n  output: {out[:2000]!r}"
            ) from None
    return out
