"""Raw material for the corpus generator: prose sentences and residue lines.

Prose comes from the bundled corpora (``corpora/seeds/input`` and, when present,
``corpora/labelled``); every line there is classified with cleantext's own residue catalog, so
residue lines go to the residue pool and article text to the prose pool. The catalog's rule
``examples`` are added to the residue pool, with each rule's position (top, bottom, above a
credit, anywhere), so generated documents put residue where scrapers leave it.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import regex

__all__ = ["Material", "Sentence", "load_material", "repo_root"]

_SENTENCE_END = regex.compile(r"(?<=[.!?…][”’\"')]*)\s+(?=[“‘\"(\p{Lu}\p{N}])")
_CORE = regex.compile(r"^(\W*)(.*?)(\W*)$", regex.DOTALL)

# Names with and without accents, so that recombined text varies and mojibake has something
# to break (a UTF-8 document that is pure ASCII cannot be mojibaked).
NAMES = tuple(
    """José Zoë Søren François Müller Łukasz Nguyễn Ólafur Çelik Dvořák Jürgen Renée Björn Ana
    García Peña Núñez Gómez Šimon Kovač Ångström Ibáñez Hernández Lefèvre Moreau Dubois Weiß
    Schröder Bäcker Õun Þór Żaneta Wiśniewski Čapek Đorđević Yılmaz Öztürk Şahin Ferreira
    João Conceição Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Thomas
    Moore Martin Jackson Thompson White Harris Clark Lewis Robinson Walker Young Allen King Wright
    Scott Torres Hill Green Adams Baker Nelson Carter Mitchell Roberts Turner Phillips Campbell
    Parker Evans Edwards Collins Stewart Morris Murphy Cook Rogers Morgan Peterson Cooper Reed
    Bailey Bell Kelly Howard Ward Cox Richardson Wood Watson Brooks Bennett Gray James Hughes
    Price Sanders Myers Long Ross Foster Amara Chen Wang Zhang Liu Yang Huang Zhao Wu Zhou Xu Sun
    Ma Zhu Hu Guo Lin Kim Lee Park Choi Jung Kang Cho Yoon Jang Lim Tanaka Suzuki Takahashi
    Watanabe Ito Nakamura Kobayashi Kato Yoshida Yamada Sasaki Patel Sharma Singh Kumar Gupta
    Khan Ali Ahmed Hassan Hussein Ibrahim Mahmoud Mustafa Okafor Adeyemi Mensah Kariuki""".split()
)


@dataclass(frozen=True, slots=True)
class Sentence:
    """A prose sentence split into tokens, with the positions that may be varied."""

    tokens: tuple[str, ...]
    words: tuple[int, ...]  # positions of plain words (3+ letters) that may be swapped
    numbers: tuple[int, ...]  # positions of tokens whose core is all digits


@dataclass(frozen=True)
class Material:
    """Everything the generator draws from; built once per run."""

    sentences: tuple[Sentence, ...]
    buckets: dict[tuple[bool, int], tuple[str, ...]]  # (capitalized, length class) -> words
    residue: dict[str, tuple[str, ...]]  # position -> residue lines
    credits: tuple[str, ...]  # credit-only lines (a caption above one is removed too)
    names: tuple[str, ...]
    plain: tuple[str, ...]  # the names written in ASCII
    accented: tuple[str, ...]  # the names with non-ASCII letters
    sources: tuple[str, ...]  # which files and how many catalog examples went in


def repo_root() -> Path:
    """The repository that holds this ``benchmarks`` package."""
    return Path(__file__).resolve().parent.parent


def _length_class(word: str) -> int:
    n = len(word)
    return 0 if n <= 4 else 1 if n <= 7 else 2


def bucket_key(core: str) -> tuple[bool, int]:
    """The swap bucket of a word: capitalized or not, and a coarse length class."""
    return core[:1].isupper(), _length_class(core)


def _split_core(token: str) -> tuple[str, str, str]:
    match = _CORE.match(token)
    assert match is not None  # the pattern matches every string
    return match.group(1), match.group(2), match.group(3)


def _tokenize(sentence: str) -> Sentence:
    tokens = tuple(sentence.split(" "))
    words, numbers = [], []
    for i, token in enumerate(tokens):
        _, core, _ = _split_core(token)
        if core.isdigit():
            numbers.append(i)
        elif len(core) >= 3 and core.isalpha():
            words.append(i)
    return Sentence(tokens, tuple(words), tuple(numbers))


def _labelled_lines(folder: Path) -> list[str]:
    """Every text line found under ``folder``, whatever the file layout."""
    lines: list[str] = []
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        try:
            raw = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if path.suffix == ".txt":
            lines.extend(raw.split("\n"))
        elif path.suffix in {".jsonl", ".json"}:
            records: list[object] = []
            if path.suffix == ".jsonl":
                for line in raw.split("\n"):
                    try:
                        records.append(json.loads(line))
                    except ValueError:
                        continue
            else:
                try:
                    loaded = json.loads(raw)
                except ValueError:
                    continue
                records = loaded if isinstance(loaded, list) else [loaded]
            for record in records:
                if isinstance(record, str):
                    lines.append(record)
                elif isinstance(record, dict):
                    for key in ("text", "line", "input"):
                        if isinstance(record.get(key), str):
                            lines.extend(record[key].split("\n"))
                            break
    return lines


def load_material(root: Path | None = None) -> Material:
    """Read the bundled corpora and the built-in catalog into a :class:`Material`.

    >>> m = load_material()
    >>> len(m.sentences) > 100 and len(m.residue["any"]) > 10
    True
    """
    from cleantext import builtin_catalog

    root = root or repo_root()
    catalog = builtin_catalog()
    lines: list[str] = []
    sources: list[str] = []
    seeds = sorted((root / "corpora" / "seeds" / "input").glob("*.txt"))
    for path in seeds:
        lines.extend(path.read_text(encoding="utf-8").split("\n"))
    sources.append(f"corpora/seeds/input ({len(seeds)} files)")
    labelled = root / "corpora" / "labelled"
    if labelled.is_dir():
        found = _labelled_lines(labelled)
        lines.extend(found)
        sources.append(f"corpora/labelled ({len(found)} lines)")

    residue: dict[str, list[str]] = defaultdict(list)
    credits: list[str] = []
    prose: list[str] = []
    for line in lines:
        line = line.strip()
        if not line:
            continue
        rule = catalog.match(line)
        if rule is not None:
            residue[rule.position].append(line)
            if rule.credit:
                credits.append(line)
        elif len(line) > 40:
            prose.append(line)
    examples = 0
    for rule in catalog.rules:
        for example in rule.examples:
            residue[rule.position].append(example)
            if rule.credit:
                credits.append(example)
            examples += 1
    sources.append(f"cleantext.builtin_catalog() ({len(catalog.rules)} rules, {examples} examples)")

    sentences: list[Sentence] = []
    vocabulary: set[str] = set()  # names are drawn separately, at their own rate
    for paragraph in prose:
        for text in _SENTENCE_END.split(paragraph):
            text = text.strip()
            if len(text) < 20:
                continue
            sentence = _tokenize(text)
            sentences.append(sentence)
            for i in sentence.words:
                vocabulary.add(_split_core(sentence.tokens[i])[1])
    buckets: dict[tuple[bool, int], list[str]] = defaultdict(list)
    for word in sorted(vocabulary):
        buckets[bucket_key(word)].append(word)
    return Material(
        sentences=tuple(sentences),
        buckets={k: tuple(v) for k, v in buckets.items()},
        residue={k: tuple(dict.fromkeys(v)) for k, v in residue.items()},
        credits=tuple(dict.fromkeys(credits)),
        names=NAMES,
        plain=tuple(n for n in NAMES if n.isascii()),
        accented=tuple(n for n in NAMES if not n.isascii()),
        sources=tuple(sources),
    )


def split_core(token: str) -> tuple[str, str, str]:
    """Split a token into leading punctuation, the word, trailing punctuation.

    >>> split_core("“Beijing,”")
    ('“', 'Beijing', ',”')
    """
    return _split_core(token)
