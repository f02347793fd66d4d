"""The assertion helpers pass good cleaners and fail bad ones with a readable message."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

import cleantext
from cleantext.testing import (
    DirtyDocument,
    assert_idempotent,
    assert_never_raises,
    assert_only_residue_removed,
    dirty_documents,
)

DOC = DirtyDocument(
    dirty="Title\n\nFirst paragraph.\nSource: TRT\n\nSecond paragraph.\n",
    clean="Title\n\nFirst paragraph.\n\nSecond paragraph.\n",
    defects=(),
)


def _drop_source(text: str) -> str:
    return "\n".join(line for line in text.split("\n") if not line.startswith("Source:"))


def _append_bang(text: str) -> str:
    return text + "!"


def _explode(text: str) -> str:
    raise ValueError("boom")


def _to_bytes(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def test_assert_idempotent_returns_the_output_of_a_good_function() -> None:
    assert assert_idempotent(str.strip, "  a  ") == "a"


def test_assert_idempotent_shows_where_the_second_pass_differs() -> None:
    with pytest.raises(AssertionError) as info:
        assert_idempotent(_append_bang, "abc")
    message = str(info.value)
    assert "_append_bang is not idempotent" in message
    assert "offset 4" in message and "'abc!!'" in message


def test_assert_never_raises_reports_the_exception_and_the_input() -> None:
    with pytest.raises(AssertionError) as info:
        assert_never_raises(_explode, "in\ud800put")
    message = str(info.value)
    assert "_explode raised ValueError: boom" in message
    assert "'in\\ud800put'" in message
    assert isinstance(info.value.__cause__, ValueError)


def test_assert_never_raises_requires_a_str_result() -> None:
    with pytest.raises(AssertionError, match="returned bytes, not str"):
        assert_never_raises(_to_bytes, "x")  # type: ignore[arg-type]


def test_assert_only_residue_removed_passes_when_content_survives() -> None:
    assert assert_only_residue_removed(_drop_source, DOC) == _drop_source(DOC.dirty)


def test_assert_only_residue_removed_names_the_lost_line() -> None:
    def lossy(text: str) -> str:
        return _drop_source(text).replace("Second paragraph.", "")

    with pytest.raises(AssertionError, match=r"content line 3 of 3: 'Second paragraph\.'"):
        assert_only_residue_removed(lossy, DOC)


def test_assert_only_residue_removed_notices_reordering() -> None:
    def swap(text: str) -> str:
        return "Second paragraph.\n\nTitle\n\nFirst paragraph.\n"

    with pytest.raises(AssertionError, match="content line"):
        assert_only_residue_removed(swap, DOC)


def test_identity_fails_only_residue_removed_never() -> None:
    # The identity function removes nothing: content survives, so it passes; the helper
    # checks that nothing is lost, not that residue goes (compare with doc.clean for that).
    assert_only_residue_removed(str, DOC)


@settings(max_examples=min(100, settings().max_examples))
@given(dirty_documents())
def test_a_lossy_cleaner_is_caught_on_generated_documents(doc: DirtyDocument) -> None:
    def drops_last_line(text: str) -> str:
        lines = cleantext.clean(text).rstrip("\n").split("\n")
        return "\n".join(lines[:-1])

    with pytest.raises(AssertionError):
        assert_only_residue_removed(drops_last_line, doc)
