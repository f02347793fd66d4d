"""A downstream project's tests of its own cleaning step, written with cleantext.testing.

Only the public API is used: ``cleantext`` and ``cleantext.testing`` (install with
``pip install "cleantext-corpus[testing]"``). Run with ``python -m pytest examples``.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

import cleantext
from cleantext.testing import (
    DirtyDocument,
    articles,
    assert_idempotent,
    assert_never_raises,
    assert_only_residue_removed,
    dirty_documents,
    hostile_text,
    mojibake,
    residue_lines,
)

SIGN_OFF = "— The Daily Planet newsroom"
# Our own budget: 100 examples per property, and no per-example deadline (hostile_text draws
# lines of tens of thousands of characters).
OURS = settings(max_examples=100, deadline=None)


def my_clean(text: str) -> str:
    """Our corpus step: cleantext's default pipeline, then our newsroom's sign-off goes.

    >>> my_clean("Rain today.\\n\\n— The Daily Planet newsroom\\n")
    'Rain today.\\n'
    """
    lines = cleantext.clean(text).split("\n")
    kept = [line for line in lines if line != SIGN_OFF]
    return cleantext.clean("\n".join(kept))


# The three-line test the README shows: nothing but residue may go.
@OURS
@given(dirty_documents())
def test_my_clean_keeps_every_content_line(doc: DirtyDocument) -> None:
    assert_only_residue_removed(my_clean, doc)


@OURS
@given(dirty_documents())
def test_my_clean_gives_the_expected_text(doc: DirtyDocument) -> None:
    assert my_clean(doc.dirty) == doc.clean


@OURS
@given(dirty_documents(), st.sampled_from(["top", "bottom"]))
def test_my_clean_removes_our_sign_off(doc: DirtyDocument, where: str) -> None:
    text = f"{SIGN_OFF}\n{doc.dirty}" if where == "top" else f"{doc.dirty}\n{SIGN_OFF}\n"
    assert SIGN_OFF not in my_clean(text)


@OURS
@given(articles())
def test_clean_articles_come_back_unchanged(text: str) -> None:
    assert assert_idempotent(my_clean, text) == text


@OURS
@given(st.data())
def test_mojibake_is_repaired(data: st.DataObject) -> None:
    original = data.draw(articles(languages=["de", "fr"]))
    assert my_clean(data.draw(mojibake(st.just(original)))) == original


@OURS
@given(residue_lines(categories=["photo_credit", "navigation"]))
def test_residue_lines_alone_clean_to_nothing(line: str) -> None:
    assert my_clean(line) == ""


@OURS
@given(hostile_text())
def test_my_clean_never_raises(text: str) -> None:
    assert_never_raises(my_clean, text)
