"""Hypothesis strategies for testing text-cleaning code: clean articles, residue lines, mojibake,
broken possessives, dirty documents with their known clean text, and hostile strings.

Every strategy is keyword-only and returns a ``SearchStrategy``; use them in ``@given``::

    from hypothesis import given
    from cleantext.testing import dirty_documents

    @given(dirty_documents())
    def test_my_cleaner(doc):
        assert my_cleaner(doc.dirty) == doc.clean

The expected text of a :class:`DirtyDocument` is built alongside the damage, never by calling
:func:`cleantext.clean`: generated articles are clean by construction (a property test checks
that each is a fixed point of the default pipeline), and every defect injected is one the
cleaning policy undoes.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from hypothesis import reject
from hypothesis import strategies as st

from cleantext.catalog import Catalog
from cleantext.testing._articles import (
    Article,
    article_structures,
    check_languages,
    draw_article,
)
from cleantext.testing._damage import (
    CODECS,
    break_possessive,
    can_break,
    mojibake_line,
    possessive_sites,
    space_can_drop,
    stray_period_ok,
)
from cleantext.testing._draws import BOOLEANS, SEED, Digits, ints, pick
from cleantext.testing._residue import ResidueItem, ResiduePool, check_categories, residue_pool
from cleantext.testing._vocab import LANGUAGES

__all__ = [
    "LIMITATIONS",
    "Defect",
    "DirtyDocument",
    "articles",
    "broken_possessives",
    "dirty_documents",
    "hostile_text",
    "mojibake",
    "residue_lines",
]

#: What :func:`dirty_documents` deliberately does not generate, because the default pipeline
#: is known to get it wrong; each has a strict xfail case in tests/test_testing_pipeline.py.
LIMITATIONS = {}


@dataclass(frozen=True, slots=True)
class Defect:
    """One injected defect: its ``kind`` ("residue", "mojibake", "broken-possessive",
    "stray-period", "missing-space", "unicode", "whitespace") and a short human-readable
    ``detail``."""

    kind: str
    detail: str


@dataclass(frozen=True, slots=True)
class DirtyDocument:
    """A generated document: the ``dirty`` text, the ``clean`` text the default pipeline must
    return for it, and the ``defects`` that were injected (in injection order).

    >>> doc = DirtyDocument("Hi.\\n\\nSource: TRT\\n", "Hi.\\n", (Defect("residue", "x"),))
    >>> doc.kinds
    frozenset({'residue'})
    """

    dirty: str
    clean: str
    defects: tuple[Defect, ...]

    @property
    def kinds(self) -> frozenset[str]:
        """The kinds of defect present."""
        return frozenset(d.kind for d in self.defects)


def _text(article: Article) -> str:
    return article.text


def articles(
    *, languages: Sequence[str] | None = None, max_paragraphs: int = 6
) -> st.SearchStrategy[str]:
    """Clean article-like text: a headline, then paragraphs of sentences separated by one blank
    line, ending with one line break. Names, numbers, dates, quotes (curly and straight, and
    « », „ “ where the language uses them), abbreviations ("U.S.", "e.g.", "z. B.") and domains
    ("example.com") appear, in English, Spanish, French and German (``languages``, default all).

    Every generated article is a fixed point of :func:`cleantext.clean`.

    >>> from hypothesis import given
    >>> @given(articles(languages=["en"]))
    ... def test(text):
    ...     assert text.endswith("\\n")
    >>> test()
    """
    langs = check_languages(languages)
    if max_paragraphs < 1:
        raise ValueError(f"max_paragraphs must be at least 1, not {max_paragraphs}")
    return article_structures(langs, max_paragraphs=max_paragraphs).map(_text)


def _item_line(item: ResidueItem) -> str:
    return item.line


def residue_lines(
    *,
    categories: Sequence[str] | None = None,
    languages: Sequence[str] | None = None,
    catalog: Catalog | None = None,
) -> st.SearchStrategy[str]:
    """Single residue lines ("Leah Millis | AFP | Getty Images", "Source: TRT", "Leave a
    Reply", ...) drawn from the examples of the catalog's rules (``catalog``, default the
    built-in one), with names, agencies, dates, weekdays, places and sites swapped for others.

    Each line is whole-line matched by its rule and removed by the residue filter when it stands
    on its own (captions that are residue only above a credit line are left to
    :func:`dirty_documents`). ``categories`` and ``languages`` restrict the rules used; unknown
    values raise ValueError listing the valid ones.

    >>> from hypothesis import given
    >>> import cleantext
    >>> @given(residue_lines(categories=["attribution"]))
    ... def test(line):
    ...     assert cleantext.clean(line) == ""
    >>> test()
    """
    pool = residue_pool(catalog, check_categories(categories), _catalog_languages(languages))
    if not pool.lines:
        raise ValueError(f"no stand-alone residue lines for categories {categories!r}")
    return pool.items("any").map(_item_line)


def _catalog_languages(languages: Sequence[str] | None) -> tuple[str, ...] | None:
    if languages is None:
        return None
    return (languages,) if isinstance(languages, str) else tuple(languages)


@st.composite
def _mojibake(draw: st.DrawFn, texts: st.SearchStrategy[str], codecs: tuple[str, ...]) -> str:
    text = draw(texts)
    codec = draw(pick(codecs))
    lines = text.split("\n")
    changed = False
    for i, line in enumerate(lines):
        bad = mojibake_line(line, codec)
        if bad is not None:
            lines[i] = bad
            changed = True
    if not changed:
        reject()  # nothing here can be mojibake (pure ASCII, or no line ftfy would restore)
    return "\n".join(lines)


def mojibake(
    text_strategy: st.SearchStrategy[str] | None = None,
    *,
    codecs: Sequence[str] = CODECS,
) -> st.SearchStrategy[str]:
    """Text from ``text_strategy`` (default :func:`articles`) turned into mojibake: encoded as
    UTF-8 and decoded as Windows-1252 (ftfy's "sloppy-windows-1252") or Latin-1.

    Each line is damaged only when ftfy's encoding fixes give it back exactly, so the result is
    mojibake that a correct repair reverses; draws with nothing to damage (pure ASCII) are
    rejected, so give it text with non-ASCII characters.

    >>> from hypothesis import given
    >>> @given(mojibake(articles(languages=["de"])))
    ... def test(text):
    ...     assert "Ã" in text or "â" in text or "Å" in text or "Â" in text
    >>> test()
    """
    if text_strategy is None:
        text_strategy = articles()
    chosen = tuple(codecs)
    unknown = [c for c in chosen if c not in CODECS]
    if unknown or not chosen:
        raise ValueError(f"unsupported codecs {unknown or chosen!r}; choose from {CODECS}")
    return _mojibake(text_strategy, chosen)


@st.composite
def _broken_article(draw: st.DrawFn, max_paragraphs: int) -> tuple[Article, Article, tuple]:
    """An English article and a copy of it with one or more name possessives broken."""
    article = draw_article(draw, ("en",), max_paragraphs=max_paragraphs, need_possessive=True)
    broken, defects = _break_possessives(draw, article, at_least_one=True)
    return article, broken, defects


def _break_possessives(
    draw: st.DrawFn, article: Article, *, at_least_one: bool
) -> tuple[Article, tuple[Defect, ...]]:
    blocks = [article.headline, *(s for p in article.paragraphs for s in p)]
    defects: list[Defect] = []
    for name in article.surnames:
        sites = [
            (i, site) for i, block in enumerate(blocks) for site in possessive_sites(block, name)
        ]
        if not sites:
            continue
        chosen = [s for s in sites if draw(BOOLEANS)]
        if at_least_one and not defects and not chosen:
            chosen = [sites[0]]
        if not chosen:
            continue
        trial = list(blocks)
        for i, (start, end, apostrophe) in sorted(chosen, key=lambda s: (s[0], -s[1][0])):
            trial[i] = trial[i][:start] + break_possessive(name, apostrophe) + trial[i][end:]
        if not can_break("\n".join(trial), name):
            continue
        blocks = trial
        defects.extend(
            Defect("broken-possessive", f"{name}{a}s -> {break_possessive(name, a)}")
            for _, (_, _, a) in chosen
        )
    headline, rest = blocks[0], iter(blocks[1:])
    paragraphs = tuple(tuple(next(rest) for _ in p) for p in article.paragraphs)
    broken = Article(article.language, headline, paragraphs, article.surnames, article.apostrophe)
    return broken, tuple(defects)


def _broken_text(parts: tuple[Article, Article, tuple]) -> str:
    return parts[1].text


def broken_possessives(*, max_paragraphs: int = 4) -> st.SearchStrategy[str]:
    """English article text in which one or more possessives of a person's surname have been
    broken ("Blinken’s visit" became "Blinkens’ visit"), while the text still shows the name in
    singular form and never as a plain plural, so the repair is unambiguous.

    >>> from hypothesis import given
    >>> @given(broken_possessives())
    ... def test(text):
    ...     assert "s’ " in text or "s' " in text
    >>> test()
    """
    return _broken_article(max_paragraphs).map(_broken_text)


# ------------------------------------------------------------------------- dirty documents
_TRAILING = (" ", "  ", "\t", " \t ")
_ODD_SPACES = ("\xa0", "\u2009", "\u202f", "\u3000", "\u2002")
# Draws below compare with the top of their range, so that shrinking (towards 0) removes a
# defect rather than adding one.
_BREAKS = ("\n", "\n", "\n", "\r\n", "\r")


@dataclass
class _Line:
    text: str
    content: bool


def _after_content_ok(lines: list[_Line], pool: ResiduePool, item: ResidueItem) -> bool:
    """A credit line must not stand below a kept line that the catalog would then take for a
    caption (the "above-credit" rules): that line would be removed too."""
    if not item.rule.credit:
        return True
    for line in reversed(lines):
        if line.text.strip():
            # Asked of the filter itself, so the line is seen as it will be (a stray " ."
            # dropped, odd spaces made plain), with the credit line below it.
            return (
                line.content is False
                or pool.filter.classify(f"{line.text}\n{item.line}")[0] is None
            )
    return True


def _residue_block(
    draw: st.DrawFn,
    d: Digits,
    pool: ResiduePool,
    where: str,
    lines: list[_Line],
    defects: list[Defect],
) -> None:
    """Append 0-3 residue entries (lines, or caption + credit pairs) for this place; the
    decisions are read from ``d``, each line's wording is one more draw."""
    for _ in range(d.int(0, 3)):
        if pool.captions and pool.credits and d.int(0, 4) == 4:
            caption = pool.draw_item(draw, "captions")
            credit = pool.draw_item(draw, "credits")
            if caption is None or credit is None or not pool.valid_pair(caption, credit):
                continue
            entries = [caption, credit]
        else:
            item = pool.draw_item(draw, where)
            if item is None:
                continue
            entries = [item]
        if where == "top" and entries[0].rule.position == "top" and any(ln.content for ln in lines):
            continue
        if not _after_content_ok(lines, pool, entries[0]):
            continue
        if d.int(0, 1) and lines and lines[-1].text:
            lines.append(_Line("", False))
        for entry in entries:
            lines.append(_Line(entry.line, False))
            defects.append(Defect("residue", f"{where}: {entry.rule.id}: {entry.line!r}"))


def _some(draw: st.DrawFn, count: int, most: int) -> set[int]:
    """Up to ``most`` indices in ``range(count)``, from one draw; shrinks towards none."""
    if count == 0:
        return set()
    d = Digits(draw(SEED))
    return {d.int(0, count - 1) for _ in range(d.int(0, most))}


def _drop_sentence_spaces(draw: st.DrawFn, article: Article, defects: list[Defect]) -> Article:
    voc = LANGUAGES[article.language]
    words = frozenset(w.split()[-1] for w in voc.places + voc.days)
    spots = [
        (p, s)
        for p, paragraph in enumerate(article.paragraphs)
        for s in range(len(paragraph) - 1)
        if space_can_drop(paragraph[s], paragraph[s + 1], words)
    ]
    chosen = {spots[i] for i in _some(draw, len(spots), 2)}
    if not chosen:
        return article
    paragraphs = []
    for p, paragraph in enumerate(article.paragraphs):
        merged = [paragraph[0]]
        for s in range(1, len(paragraph)):
            if (p, s - 1) in chosen:
                defects.append(
                    Defect("missing-space", f"{merged[-1][-12:]!r} + {paragraph[s][:8]!r}")
                )
                merged[-1] += paragraph[s]
            else:
                merged.append(paragraph[s])
        paragraphs.append(tuple(merged))
    return Article(
        article.language, article.headline, tuple(paragraphs), article.surnames, article.apostrophe
    )


def _add_stray_periods(draw: st.DrawFn, article: Article, defects: list[Defect]) -> Article:
    spots = [
        (p, s)
        for p, paragraph in enumerate(article.paragraphs)
        for s, sentence in enumerate(paragraph)
        if stray_period_ok(sentence)
    ]
    chosen = {spots[i] for i in _some(draw, len(spots), 3)}
    if not chosen:
        return article
    paragraphs = []
    for p, paragraph in enumerate(article.paragraphs):
        new = []
        for s, sentence in enumerate(paragraph):
            if (p, s) in chosen:
                defects.append(Defect("stray-period", f"{sentence[-12:]!r} + ' .'"))
                sentence += " ."
            new.append(sentence)
        paragraphs.append(tuple(new))
    return Article(
        article.language, article.headline, tuple(paragraphs), article.surnames, article.apostrophe
    )


def _odd_space(draw: st.DrawFn, text: str) -> str:
    spots = [
        i
        for i in range(1, len(text) - 1)
        if text[i] == " "
        and text[i - 1].isascii()
        and text[i - 1].isalnum()
        and text[i + 1].isascii()
        and text[i + 1].isalnum()
    ]
    if not spots:
        return text
    i = spots[draw(ints(0, len(spots) - 1))]
    return text[:i] + draw(pick(_ODD_SPACES)) + text[i + 1 :]


def _zero_width(draw: st.DrawFn, text: str) -> str:
    spots = [
        i
        for i in range(1, len(text))
        if text[i - 1].isascii()
        and text[i - 1].isalpha()
        and text[i].isascii()
        and text[i].isalpha()
    ]
    if not spots:
        return text
    i = spots[draw(ints(0, len(spots) - 1))]
    return text[:i] + draw(pick(("\u200b", "\u2060", "\u200e"))) + text[i:]


@st.composite
def _dirty_documents(
    draw: st.DrawFn,
    languages: tuple[str, ...],
    categories: tuple[str, ...] | None,
    catalog: Catalog | None,
    max_paragraphs: int,
) -> DirtyDocument:
    forced = draw(ints(0, 3)) == 3
    article = draw_article(
        draw, languages, max_paragraphs=max_paragraphs, need_possessive=forced and "en" in languages
    )
    defects: list[Defect] = []
    pool = residue_pool(catalog, categories, None)

    # 1. Sentence-level damage: broken possessives, stray periods.
    damaged = article
    if article.language == "en" and draw(BOOLEANS):
        damaged, found = _break_possessives(draw, damaged, at_least_one=False)
        defects.extend(found)
    damaged = _drop_sentence_spaces(draw, damaged, defects)
    damaged = _add_stray_periods(draw, damaged, defects)

    # 2. Lines, with residue at the top, between blocks and at the bottom.
    lines: list[_Line] = []
    _residue_block(draw, Digits(draw(SEED)), pool, "top", lines, defects)
    content = damaged.lines()
    gaps = Digits(draw(SEED))
    for i, text in enumerate(content):
        if text == "" and i + 1 < len(content) and gaps.int(0, 2) == 2:
            # Residue as its own block, or attached below or above a paragraph: a blank line
            # always remains between the two paragraphs.
            d = Digits(draw(SEED))
            blank_before = d.int(0, 1)
            if blank_before:
                lines.append(_Line("", False))
            _residue_block(draw, d, pool, "middle", lines, defects)
            if lines[-1].text and (not blank_before or d.int(0, 1)):
                lines.append(_Line("", False))
            continue
        lines.append(_Line(text, bool(text)))
    d = Digits(draw(SEED))
    if d.int(0, 1):
        lines.append(_Line("", False))
    _residue_block(draw, d, pool, "bottom", lines, defects)

    # 3. Character damage on content lines: odd spaces, invisibles, decomposed accents.
    content_lines = [line for line in lines if line.content]
    for i in _some(draw, len(content_lines), 2):
        line = content_lines[i]
        line.text = _odd_space(draw, line.text)
        defects.append(Defect("whitespace", "odd space in a line"))
    for i in _some(draw, len(content_lines), 1):
        line = content_lines[i]
        line.text = _zero_width(draw, line.text)
        defects.append(Defect("unicode", "invisible character in a word"))
    for i in _some(draw, len(content_lines), 1):
        line = content_lines[i]
        decomposed = unicodedata.normalize("NFD", line.text)
        if decomposed != line.text:
            line.text = decomposed
            defects.append(Defect("unicode", "decomposed accents (NFD)"))
    if lines and draw(ints(0, 9)) == 9:
        lines[0].text = "\ufeff" + lines[0].text
        defects.append(Defect("unicode", "byte-order mark at the start"))

    # 4. Mojibake: every line, or some, with one codec.
    if draw(ints(0, 2)) == 2:
        codec = draw(pick(CODECS))
        if draw(BOOLEANS):
            targets = range(len(lines))
        else:
            targets = sorted(_some(draw, len(lines), 6))
        damaged_lines = 0
        for i in targets:
            bad = mojibake_line(lines[i].text, codec)
            if bad is not None:
                lines[i].text = bad
                damaged_lines += 1
        if damaged_lines:
            defects.append(Defect("mojibake", f"{damaged_lines} line(s) read as {codec}"))

    # 5. Whitespace: trailing spaces, blank-line runs, edges, line-break style.
    final_break = draw(ints(0, 4)) < 4
    # Blank lines after the last line are damage only when injected below (and then recorded).
    while lines and not lines[-1].text.strip():
        lines.pop()
    trailing = set(_some(draw, len(lines), 4))
    blanks = [i for i, line in enumerate(lines) if not line.text.strip()]
    runs = {blanks[i] for i in _some(draw, len(blanks), 2)}
    texts: list[str] = []
    for i, line in enumerate(lines):
        text = line.text
        if i in trailing:
            text += draw(pick(_TRAILING))
            defects.append(Defect("whitespace", "trailing space"))
        texts.append(text)
        if i in runs:
            texts.extend([""] * draw(ints(1, 3)))
            defects.append(Defect("whitespace", "run of blank lines"))
    if draw(ints(0, 5)) == 5:
        texts[:0] = [""] * draw(ints(1, 3))
        defects.append(Defect("whitespace", "blank lines at the start"))
    if final_break and draw(ints(0, 5)) == 5:
        texts.extend([""] * draw(ints(1, 3)))
        defects.append(Defect("whitespace", "blank lines at the end"))
    newline = draw(pick(_BREAKS))
    if newline != "\n":
        defects.append(Defect("whitespace", f"line breaks {newline!r}"))
    dirty = newline.join(texts) + (newline if final_break else "")
    clean = "\n".join(article.lines()) + ("\n" if final_break else "")
    return DirtyDocument(dirty, clean, tuple(defects))


def dirty_documents(
    *,
    languages: Sequence[str] | None = None,
    categories: Sequence[str] | None = None,
    catalog: Catalog | None = None,
    max_paragraphs: int = 6,
) -> st.SearchStrategy[DirtyDocument]:
    """:class:`DirtyDocument` values: a generated article (see :func:`articles`) damaged the
    way scrapers damage text, with the text the default pipeline must turn it into.

    The damage mixes residue lines (see :func:`residue_lines`; ``categories`` restricts them,
    ``catalog`` replaces the built-in rules) at the top, between paragraphs and at the bottom,
    including captions directly above a credit line; mojibake of some or all lines; broken
    name possessives; a stray " ." after sentences; a missing space between two sentences
    ("Lagos.The"); odd spaces, zero-width characters,
    decomposed accents and a byte-order mark; trailing spaces, runs of blank lines, blank edges
    and ``\\r\\n`` or ``\\r`` line breaks. ``defects`` lists what was injected.

    >>> from hypothesis import given
    >>> import cleantext
    >>> @given(dirty_documents(languages=["en"]))
    ... def test(doc):
    ...     assert cleantext.clean(doc.dirty) == doc.clean
    >>> test()
    """
    langs = check_languages(languages)
    cats = check_categories(categories)
    if max_paragraphs < 1:
        raise ValueError(f"max_paragraphs must be at least 1, not {max_paragraphs}")
    residue_pool(catalog, cats, None)  # fail now, not at draw time, when nothing fits
    return _dirty_documents(langs, cats, catalog, max_paragraphs)


# ------------------------------------------------------------------------- hostile text
_HOSTILE = (
    "\x00",
    "\x01",
    "\x08",
    "\x0b",
    "\x0c",
    "\x1b",
    "\x7f",
    "\x80",
    "\x85",
    "\x9d",
    "\x9f",
    "\r",
    "\r\n",
    "\n\r",
    "\u2028",
    "\u2029",
    "\u200b",
    "\u200c",
    "\u200d",
    "\u200e",
    "\u200f",
    "\u202a",
    "\u202e",
    "\u2066",
    "\u2069",
    "\u061c",
    "\ufeff",
    "\u2060",
    "\u180e",
    "\xa0",
    "\u3000",
    "\u0301",
    "\ufffd",
    "\ufffe",
    "\U0001f600",
    "\U0001f469\u200d\U0001f52c",
    "â€™",
    "Ã©",
    "Â ",
    " .",
    ". .",
    "s’",
    "s'",
    "\t",
    "\n\n\n",
    "Source: ",
    "date 2023-06-19",
)


_LINE_BREAKS = ("\r", "\r\n", "\n\r", "\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\n")


def _repeat(parts: tuple[str, int]) -> str:
    return parts[0] * parts[1]


def _join(parts: list[str]) -> str:
    return "".join(parts)


def hostile_text(*, max_line: int = 60_000) -> st.SearchStrategy[str]:
    """Strings that ``st.text()`` never or rarely produces and that break cleaners: lone
    surrogates, bidi and zero-width characters, C0 and C1 controls, ``\\r``, U+2028 and other
    line breaks, mojibake fragments, residue-like fragments and very long lines (up to
    ``max_line`` characters).

    >>> from hypothesis import given
    >>> import cleantext
    >>> @given(hostile_text(max_line=1000))
    ... def test(text):
    ...     assert isinstance(cleantext.clean(text), str)
    >>> test()
    """
    if max_line < 1:
        raise ValueError(f"max_line must be at least 1, not {max_line}")
    surrogate = st.integers(0xD800, 0xDFFF).map(chr)
    long_line = st.tuples(
        st.text(min_size=1, max_size=12), st.integers(1, max(1, max_line // 12))
    ).map(_repeat)
    piece = st.one_of(
        st.sampled_from(_HOSTILE),
        st.sampled_from(_LINE_BREAKS),
        surrogate,
        st.text(max_size=20),
        st.characters(codec=None, categories=["Cc", "Cf", "Zl", "Zp", "Zs", "Mn"]),
        long_line,
    )
    return st.lists(piece, max_size=40).map(_join)
