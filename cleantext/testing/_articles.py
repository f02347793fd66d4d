"""Clean, article-like documents: a headline and paragraphs of sentences, kept as structure.

The structure (not just the text) is what the defect injectors need: they break a sentence's
possessive or append a stray period to a sentence, and know where paragraphs start and end.
"""

from __future__ import annotations

from dataclasses import dataclass
from string import Formatter

from hypothesis import strategies as st

from cleantext.testing._draws import BOOLEANS, SEED, Digits, ints, pick
from cleantext.testing._vocab import DOMAINS, LANGUAGES, Vocabulary, choose

__all__ = ["Article", "article_structures", "check_languages", "draw_article"]


@dataclass(frozen=True, slots=True)
class Article:
    """A generated article: its language, headline, paragraphs (tuples of sentences) and the
    surnames of its people (the names whose possessives may later be broken)."""

    language: str
    headline: str
    paragraphs: tuple[tuple[str, ...], ...]
    surnames: tuple[str, ...]
    apostrophe: str

    def lines(self) -> list[str]:
        """The article as lines, with one blank line between blocks; no final empty line."""
        out = [self.headline]
        for paragraph in self.paragraphs:
            out.append("")
            out.append(" ".join(paragraph))
        return out

    @property
    def text(self) -> str:
        """The clean text: blocks separated by one blank line, ending with one line break."""
        return "\n".join(self.lines()) + "\n"


def check_languages(languages: tuple[str, ...] | list[str] | None) -> tuple[str, ...]:
    """Validate a ``languages`` argument; None means every supported language."""
    if languages is None:
        return tuple(LANGUAGES)
    return choose(languages, tuple(LANGUAGES), "article languages")


def _two(draw: st.DrawFn, values: tuple[str, ...]) -> tuple[str, str]:
    """Two different values."""
    first = draw(ints(0, len(values) - 1))
    second = (first + 1 + draw(ints(0, len(values) - 2))) % len(values)
    return values[first], values[second]


def _number(value: int, sep: str) -> str:
    return f"{value:,}".replace(",", sep)


@dataclass(frozen=True, slots=True)
class _Context:
    voc: Vocabulary
    people: tuple[tuple[str, str], ...]
    apostrophe: str
    quote: tuple[str, str]


def _pct(d: Digits, c: _Context) -> str:
    return f"{d.int(1, 40)}{c.voc.decimal}{d.int(1, 9)}"


def _date(d: Digits, c: _Context) -> str:
    return c.voc.date_format.format(d=d.int(1, 28), month=d.pick(c.voc.months), y=d.int(1990, 2025))


def _quoted(d: Digits, c: _Context) -> str:
    phrase = d.pick(c.voc.phrases)
    return c.voc.quote_end.format(open=c.quote[0], phrase=phrase, close=c.quote[1])


def _quoted_clause(d: Digits, c: _Context) -> str:
    phrase = d.pick(c.voc.clauses)
    return c.voc.clause_end.format(open=c.quote[0], phrase=phrase, close=c.quote[1])


# One function per template slot; a sentence fills only the slots its template uses.
_SLOTS = {
    "A": lambda d, c: f"{c.people[0][0]} {c.people[0][1]}",
    "B": lambda d, c: f"{c.people[1][0]} {c.people[1][1]}",
    "a": lambda d, c: c.people[0][1],
    "b": lambda d, c: c.people[1][1],
    "a_poss": lambda d, c: f"{c.people[0][1]}{c.apostrophe}s",
    "b_poss": lambda d, c: f"{c.people[1][1]}{c.apostrophe}s",
    "role_a": lambda d, c: d.pick(c.voc.roles),
    "place": lambda d, c: d.pick(c.voc.places),
    "place2": lambda d, c: d.pick(c.voc.places),
    "org": lambda d, c: d.pick(c.voc.orgs),
    "num": lambda d, c: str(d.int(2, 20)),
    "big": lambda d, c: _number(d.int(1_000, 2_000_000), c.voc.thousands),
    "pct": _pct,
    "money": lambda d, c: f"{d.int(1, 99)}.{d.int(0, 9)}",
    "year": lambda d, c: str(d.int(1990, 2025)),
    "day": lambda d, c: d.pick(c.voc.days),
    "month": lambda d, c: d.pick(c.voc.months),
    "date": _date,
    "domain": lambda d, c: d.pick(DOMAINS),
    "q": _quoted,
    "qc": _quoted_clause,
    "abbr": lambda d, c: d.pick(c.voc.abbrs),
}
_FIELDS: dict[str, tuple[str, ...]] = {}


def _fields(template: str) -> tuple[str, ...]:
    found = _FIELDS.get(template)
    if found is None:
        found = tuple(dict.fromkeys(f for _, f, _, _ in Formatter().parse(template) if f))
        _FIELDS[template] = found
    return found


def _fill(draw: st.DrawFn, templates: tuple[str, ...], c: _Context) -> str:
    """One of ``templates`` with its slots filled, from a single draw."""
    d = Digits(draw(SEED))
    template = d.pick(templates)
    return template.format(**{name: _SLOTS[name](d, c) for name in _fields(template)})


def draw_article(
    draw: st.DrawFn,
    languages: tuple[str, ...],
    *,
    min_paragraphs: int = 1,
    max_paragraphs: int = 6,
    need_possessive: bool = False,
) -> Article:
    """Draw an :class:`Article` in one of ``languages``.

    With ``need_possessive``, the article is English and has a surname in the possessive at
    least twice, so one can be broken while the other still shows the singular name.
    """
    language = "en" if need_possessive else draw(pick(languages))
    voc = LANGUAGES[language]
    people = (_two(draw, voc.firsts), _two(draw, voc.lasts))
    people = tuple(zip(*people, strict=True))
    apostrophe = draw(pick(("’", "'")))
    c = _Context(voc, people, apostrophe, draw(pick(voc.quotes)))
    headline = _fill(draw, voc.headlines, c)
    count = draw(ints(min_paragraphs, max_paragraphs))
    paragraphs = []
    for _ in range(count):
        size = draw(ints(1, 4))
        paragraphs.append(tuple(_fill(draw, voc.sentences, c) for _ in range(size)))
    if need_possessive:
        # Two more sentences about the first person: a possessive and a plain mention.
        extra = (
            "{a_poss} aides did not answer questions on {day}.",
            "{a} is expected back in {place} next week.",
        )
        paragraphs.append(tuple(_fill(draw, (s,), c) for s in extra))
        if draw(BOOLEANS):
            paragraphs.insert(0, paragraphs.pop())
    surnames = tuple(last for _, last in people)
    return Article(language, headline, tuple(paragraphs), surnames, apostrophe)


#: The strategy form of :func:`draw_article`, with the same arguments after ``draw``.
article_structures = st.composite(draw_article)
