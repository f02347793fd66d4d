"""The residue filter's context logic: position, neighbours, length, sentence guard, edits."""

from __future__ import annotations

import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

import cleantext
from cleantext.catalog import Catalog, Rule, builtin_catalog
from cleantext.filters import StripResidue
from cleantext.filters.residue import EDGE_LINES, _dropped_lines, reads_like_sentence

PROSE = [
    "The two governments agreed on Monday to resume regular talks between their militaries.",
    "The meeting lasted more than three hours and ended without a joint statement.",
    "Analysts said the outcome would be tested in the coming weeks.",
    "Officials said a second round of talks could take place before the end of the year.",
]
STRIP = StripResidue()


def _doc(*lines: str) -> str:
    return "\n\n".join(lines)


def test_top_rule_acts_only_near_the_top() -> None:
    header = "title: Blinken meets Xi in Beijing"
    assert STRIP(_doc(header, *PROSE)) == _doc(*PROSE)
    middle = _doc(*PROSE[:3], header, *PROSE[3:], *PROSE)
    assert STRIP(middle) == middle


def test_edge_counts_only_kept_lines() -> None:
    # Residue above the header does not push it away from the top.
    text = _doc("Advertisement", "Skip to main content", "Menu", "title: Blinken", *PROSE)
    assert STRIP(text) == _doc(*PROSE)
    assert EDGE_LINES == 3


def test_lone_wire_name_goes_at_the_edges_only() -> None:
    assert STRIP(_doc(*PROSE, "Reuters")) == _doc(*PROSE)
    middle = _doc(*PROSE, "Reuters", *PROSE)
    assert STRIP(middle) == middle


def test_caption_goes_only_above_a_credit_line() -> None:
    caption = "Firefighters battle a blaze near Athens, Greece, on July 18, 2023."
    assert STRIP(_doc(PROSE[0], caption, "Jane Doe/AP", *PROSE[1:])) == _doc(*PROSE)
    alone = _doc(PROSE[0], caption, *PROSE[1:])
    assert STRIP(alone) == alone
    # A paragraph of several sentences above a credit stays.
    paragraph = "Blinken met Xi on June 19, 2023. Both sides said the talks went well."
    assert STRIP(_doc(PROSE[0], paragraph, "Jane Doe/AP", PROSE[1])) == _doc(
        PROSE[0], paragraph, PROSE[1]
    )


def test_share_items_go_only_next_to_other_residue() -> None:
    bar = _doc(PROSE[0], "Share this:", "Facebook", "Reddit", *PROSE[1:])
    assert STRIP(bar) == _doc(*PROSE)
    lone = _doc(*PROSE[:2], "Reddit", *PROSE[2:])
    assert STRIP(lone) == lone


def test_sentence_guard_keeps_article_sentences() -> None:
    assert reads_like_sentence("Source: the ministry said the talks had failed on Monday.")
    assert not reads_like_sentence("Tags: China, United States, Diplomacy")
    line = "Tags: the minister said she would not attend the summit this year."
    text = _doc(PROSE[0], line, PROSE[1])
    assert STRIP(text) == text


def test_long_lines_are_prose() -> None:
    long = "Advertisement " + "and the talks went on " * 40
    text = _doc(PROSE[0], long.strip(), PROSE[1])
    assert STRIP(text) == text


def test_explain_records_rule_category_and_metadata() -> None:
    text = _doc("date 2023-06-19", PROSE[0], "Photo: Jane Doe/Reuters", PROSE[1], "Source: TRT")
    report = cleantext.explain(text, pipeline=cleantext.Pipeline(STRIP))
    removed = [
        (e.rule, e.category, e.metadata)
        for e in report.edits
        if e.is_removal and e.category != "whitespace"
    ]
    assert removed[0][1:] == ("metadata", (("date", "2023-06-19"),))
    assert removed[1][1] == "photo_credit" and removed[1][2] == (
        ("photo_credit", "Jane Doe/Reuters"),
    )
    assert removed[-1] == ("en.attribution.source", "attribution", (("source", "TRT"),))
    assert report.text == STRIP(text) == _doc(*PROSE[:2])
    for edit in report.edits:
        assert text[edit.start : edit.end] == edit.before


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n\n\n",
        "Advertisement",
        "Advertisement\n",
        "\r\nLeave a Reply\r\n",
        "\u2028Advertisement\u2028",
        "Tags:" * 1000,
        _doc(*PROSE, "Leave a Reply", "Name *", "Email *", "Website", "Post Comment"),
    ],
)
def test_never_raises_and_is_idempotent(text: str) -> None:
    once = STRIP(text)
    assert STRIP(once) == once


def test_whitespace_around_residue_is_tolerated() -> None:
    assert STRIP("He left.\n\n \tAdvertisement\xa0 \n\nShe stayed.") == "He left.\n\nShe stayed."


def test_filter_pickles_with_its_language_restriction() -> None:
    german = StripResidue(languages="de")
    assert german.languages == ("de",)
    copy = pickle.loads(pickle.dumps(german))
    assert copy.languages == ("de",) and copy.catalog == german.catalog
    assert "languages=('de',)" in repr(copy)


def test_first_rule_in_catalog_order_wins() -> None:
    first = Rule(id="a.tags.x", category="tags", pattern="hello", examples=("hello",))
    second = Rule(id="b.advertising.x", category="advertising", pattern="hel+o")
    assert StripResidue(catalog=Catalog((first, second))).classify("hello")[0].id == "a.tags.x"
    assert StripResidue(catalog=Catalog((second, first))).classify("hello")[0].id == (
        "b.advertising.x"
    )


def test_builtin_catalog_is_loaded_once() -> None:
    assert builtin_catalog() is builtin_catalog()


@pytest.mark.parametrize(
    "line",
    ["X\xa0X", "Jane\xa0Doe/AP .", "(Avec AFP). .", "#Brexit,\u2009#UK", "Share\u202fthis:"],
)
def test_lines_are_matched_as_later_filters_leave_them(line: str) -> None:
    # Found by fuzzing: a line kept because of an odd space or a stray " ." must not become
    # removable once later filters repair it, or cleaning would not be idempotent.
    text = f"{PROSE[0]}\n\n{line}\n\n{PROSE[1]}"
    once = cleantext.clean(text)
    assert cleantext.clean(once) == once


def _dropped_by_walking_every_line(lines: list[str], removed: set[int]) -> list[int]:
    # The blank-line policy stated line by line: a blank line goes when a removal came after
    # the last kept text and nothing, or only a blank line, has been kept since; at the end,
    # the blank lines above the removed last lines go too.
    kept: list[int] = []
    dropped: list[int] = []
    after_removal = False
    for i, line in enumerate(lines):
        blank = not line.strip(" \t")
        if i in removed:
            dropped.append(i)
            after_removal = True
        elif after_removal and blank and (not kept or not lines[kept[-1]].strip(" \t")):
            dropped.append(i)
        else:
            kept.append(i)
            after_removal = after_removal and blank
    while after_removal and kept and not lines[kept[-1]].strip(" \t"):
        dropped.append(kept.pop())
    return sorted(dropped)


@given(
    st.lists(
        st.tuples(st.sampled_from(["He left.", "", " ", "\t", "Advertisement"]), st.booleans()),
        max_size=14,
    )
)
def test_blank_lines_left_by_removals_follow_the_line_by_line_policy(
    cells: list[tuple[str, bool]],
) -> None:
    # _dropped_lines visits only the removed lines and the blank lines after them.
    lines = [line for line, _ in cells]
    removed = {i for i, (line, remove) in enumerate(cells) if remove and line.strip()}
    rule = builtin_catalog()["en.advertising.marker"]
    verdicts = [rule if i in removed else None for i in range(len(lines))]
    got = [i for i, _ in _dropped_lines(lines, verdicts)]
    assert got == _dropped_by_walking_every_line(lines, removed)
