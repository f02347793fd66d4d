"""A seeded, streaming generator of unique news-like documents, of any total size.

Documents are recombined from the bundled corpora (see :mod:`benchmarks.material`): sentences in
random order, with words swapped for others of the same shape, names, numbers and dates drawn at
random, so no two documents are equal (each document's digest is checked; a repeat is drawn
again). Residue lines from the catalog go where scrapers leave them (a date header on top,
attribution at the bottom, a caption above a credit, navigation between paragraphs), and some
paragraphs carry the damage cleantext repairs (stray " .", broken possessives, odd spaces).

Mojibake is applied last, to a fixed share of documents: the text is encoded as UTF-8 and decoded
with ftfy's ``sloppy-windows-1252`` codec. The draw that decides it is made for every document
from its own random stream, so corpora that differ only in ``mojibake_rate`` hold the same
documents, and the 10% set is a subset of the 100% set.

The same parameters give the same corpus, byte for byte; generation streams, so memory does not
grow with the size.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import random
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from benchmarks.material import Material, bucket_key, load_material, split_core

__all__ = [
    "CorpusParams",
    "Document",
    "iter_documents",
    "long_document",
    "mojibake",
    "parse_size",
    "read_corpus_dir",
    "write_corpus",
]

MB = 1_000_000
SHARD = 1000  # documents per directory in the tree layout


def parse_size(text: str | int | float) -> int:
    """Parse a size such as ``"256MB"``, ``"1GB"``, ``"500kB"`` or ``64`` (megabytes) to bytes.

    >>> parse_size("256MB"), parse_size("1.5k"), parse_size(2)
    (256000000, 1500, 2000000)
    """
    if isinstance(text, int | float):
        return int(float(text) * MB)
    value = text.strip().upper().removesuffix("B").removesuffix("I")
    scale = {"K": 1_000, "M": MB, "G": 1_000 * MB}
    try:
        if value and value[-1] in scale:
            return int(float(value[:-1]) * scale[value[-1]])
        return int(float(value) * MB)
    except ValueError:
        raise ValueError(f"not a size: {text!r} (try 256MB, 1GB, 500kB)") from None


@dataclass(frozen=True, slots=True)
class CorpusParams:
    """What the generator makes. Sizes are UTF-8 bytes; ``size`` is reached, then it stops."""

    size: int = 256 * MB
    seed: int = 0
    mojibake_rate: float = 0.10  # share of documents mojibaked
    residue_density: float = 0.15  # chance of a residue line after each paragraph
    damage_rate: float = 0.10  # chance of a repairable defect in each paragraph
    doc_kb_median: float = 4.0  # document length: log-normal, median in kB
    doc_kb_sigma: float = 0.7  # ... and spread (sigma of the log)
    accented_names: float = 0.05  # share of drawn names with non-ASCII letters ("Dvořák")
    min_chars: int = 200
    max_chars: int = 200_000

    def __post_init__(self) -> None:
        for name in ("mojibake_rate", "residue_density", "damage_rate", "accented_names"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, got {value}")
        if self.size < 0 or self.doc_kb_median <= 0 or self.doc_kb_sigma < 0:
            raise ValueError("size must be >= 0, doc_kb_median > 0 and doc_kb_sigma >= 0")
        if not 0 < self.min_chars <= self.max_chars:
            raise ValueError("need 0 < min_chars <= max_chars")

    def with_(self, **changes: object) -> CorpusParams:
        """A copy with some fields changed."""
        return replace(self, **changes)

    def as_dict(self) -> dict[str, object]:
        """The parameters as plain JSON data."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Document:
    """One generated document."""

    index: int
    text: str
    nbytes: int
    mojibaked: bool

    @property
    def id(self) -> str:
        return f"{self.index:08d}"


def mojibake(text: str) -> str:
    """UTF-8 text as a Windows-1252 reader sees it (ftfy's sloppy codec: every byte decodes).

    >>> mojibake("Blinken’s café")
    'Blinkenâ€™s cafÃ©'
    """
    import ftfy.bad_codecs  # noqa: F401  (registers the sloppy codecs)

    return text.encode("utf-8").decode("sloppy-windows-1252")


class _Writer:
    """Builds text from the material with one random stream."""

    def __init__(self, material: Material, rng: random.Random, params: CorpusParams) -> None:
        self.m = material
        self.rng = rng
        self.p = params

    def number(self, digits: str) -> str:
        rng = self.rng
        if len(digits) == 4 and digits[:2] in {"19", "20"}:
            return str(rng.randint(1990, 2029))
        if len(digits) == 1:
            return str(rng.randint(0, 9))
        return str(rng.randint(10 ** (len(digits) - 1), 10 ** len(digits) - 1))

    def sentence(self) -> str:
        rng, m = self.rng, self.m
        s = m.sentences[rng.randrange(len(m.sentences))]
        tokens = list(s.tokens)
        if s.words:
            swaps = 1 + len(s.words) // 4
            for i in rng.sample(s.words, min(swaps, len(s.words))):
                lead, core, tail = split_core(tokens[i])
                key = bucket_key(core)
                if key[0] and rng.random() < 0.25:
                    replacement = self.name()
                else:
                    bucket = m.buckets.get(key) or (core,)
                    replacement = bucket[rng.randrange(len(bucket))]
                tokens[i] = lead + replacement + tail
        for i in s.numbers:
            lead, core, tail = split_core(tokens[i])
            tokens[i] = lead + self.number(core) + tail
        return " ".join(tokens)

    def name(self) -> str:
        rng, m = self.rng, self.m
        pool = m.accented if rng.random() < self.p.accented_names else m.plain
        return pool[rng.randrange(len(pool))]

    def headline(self) -> str:
        words = self.sentence().rstrip('.!?”"').split(" ")
        return " ".join(words[: self.rng.randint(5, 12)])

    def date(self) -> str:
        rng = self.rng
        return f"{rng.randint(2000, 2029)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"

    def residue(self, position: str) -> str:
        lines = self.m.residue.get(position) or self.m.residue.get("any") or ("Advertisement",)
        return lines[self.rng.randrange(len(lines))]

    def damage(self, paragraph: str) -> str:
        rng = self.rng
        kind = rng.randrange(5)
        if kind == 0 and paragraph.endswith("."):
            return paragraph + " ."  # stray period
        if kind == 1:
            return paragraph + " " * rng.randint(1, 4)  # trailing spaces
        if kind == 2 and " " in paragraph:
            at = paragraph.index(" ", rng.randrange(len(paragraph)) // 2)
            return paragraph[:at] + "\xa0" + paragraph[at + 1 :]  # odd space
        if kind == 3:
            name = self.name()
            # singular evidence plus a broken possessive of the same name
            return f"{paragraph} {name} said so. {name}s’ remarks followed."
        return paragraph.replace(". ", ".", 1) if ". and" in paragraph else paragraph + "\n"

    def paragraph(self) -> str:
        rng = self.rng
        text = " ".join(self.sentence() for _ in range(rng.choice((1, 2, 2, 3, 3, 4))))
        if rng.random() < self.p.damage_rate:
            text = self.damage(text)
        return text

    def target_chars(self) -> int:
        p = self.p
        kb = p.doc_kb_median * math.exp(self.rng.gauss(0.0, p.doc_kb_sigma))
        return max(p.min_chars, min(p.max_chars, int(kb * 1000)))

    def body(self, target: int, *, header: bool = True) -> str:
        rng, p = self.rng, self.p
        parts: list[str] = []
        if header and rng.random() < p.residue_density:
            parts.append(f"date {self.date()}" if rng.random() < 0.5 else self.residue("top"))
        if header:
            parts.append(self.headline())
        size = sum(len(x) for x in parts)
        while size < target:
            paragraph = self.paragraph()
            parts.append(paragraph)
            size += len(paragraph) + 2
            if rng.random() < p.residue_density:
                if self.m.credits and rng.random() < 0.3:
                    parts.append(self.residue("above-credit"))
                    parts.append(self.m.credits[rng.randrange(len(self.m.credits))])
                else:
                    parts.append(self.residue("any"))
        if header and rng.random() < p.residue_density:
            parts.append(self.residue("bottom"))
        return "\n\n".join(parts) + "\n"


def iter_documents(
    params: CorpusParams, *, material: Material | None = None, limit: int | None = None
) -> Iterator[Document]:
    """Yield unique documents until ``params.size`` bytes (or ``limit`` documents) are reached.

    >>> docs = list(iter_documents(CorpusParams(size=20_000, seed=1)))
    >>> len({d.text for d in docs}) == len(docs) and sum(d.nbytes for d in docs) >= 20_000
    True
    """
    material = material or load_material()
    rng = random.Random(f"text:{params.seed}")
    moji_rng = random.Random(f"mojibake:{params.seed}")
    writer = _Writer(material, rng, params)
    seen: set[bytes] = set()
    total = 0
    index = 0
    while total < params.size and (limit is None or index < limit):
        text = writer.body(writer.target_chars())
        digest = hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest()
        if digest in seen:
            continue  # never happened in practice; drawn again so the corpus stays unique
        seen.add(digest)
        bad = moji_rng.random() < params.mojibake_rate
        if bad:
            text = mojibake(text)
        nbytes = len(text.encode("utf-8"))
        yield Document(index, text, nbytes, bad)
        total += nbytes
        index += 1


def long_document(size: int, params: CorpusParams, *, material: Material | None = None) -> str:
    """One document of about ``size`` bytes; ``params.mojibake_rate`` of its paragraphs are
    mojibaked (the share of bad text matches the corpus of many documents).

    >>> len(long_document(50_000, CorpusParams(seed=3)).encode()) >= 50_000
    True
    """
    material = material or load_material()
    rng = random.Random(f"long:{params.seed}")
    moji_rng = random.Random(f"long-mojibake:{params.seed}")
    writer = _Writer(material, rng, params)
    parts: list[str] = [writer.headline()]
    total = len(parts[0])
    while total < size:
        chunk = writer.body(8_000, header=False)
        if moji_rng.random() < params.mojibake_rate:
            chunk = mojibake(chunk)
        parts.append(chunk)
        total += len(chunk.encode("utf-8")) + 1
    return "\n".join(parts)


def write_corpus(
    params: CorpusParams, out: Path, *, layout: str = "both", material: Material | None = None
) -> dict[str, object]:
    """Write the corpus under ``out`` as a directory tree (``docs/``), JSONL (``corpus.jsonl``)
    or both, plus ``manifest.json``; return the manifest.

    The tree holds ``docs/NNNNN/NNNNNNNN.txt``, 1,000 files per directory. JSONL records are
    ``{"id": ..., "text": ...}``, one per line.
    """
    if layout not in {"dir", "jsonl", "both"}:
        raise ValueError("layout must be 'dir', 'jsonl' or 'both'")
    out.mkdir(parents=True, exist_ok=True)
    docs_dir = out / "docs"
    jsonl = None
    if layout in {"jsonl", "both"}:
        jsonl = (out / "corpus.jsonl").open("w", encoding="utf-8", newline="\n")
    count = nbytes = bad = 0
    try:
        for doc in iter_documents(params, material=material):
            if layout in {"dir", "both"}:
                folder = docs_dir / f"{doc.index // SHARD:05d}"
                if doc.index % SHARD == 0:
                    folder.mkdir(parents=True, exist_ok=True)
                with open(folder / f"{doc.id}.txt", "w", encoding="utf-8", newline="") as fh:
                    fh.write(doc.text)
            if jsonl is not None:
                jsonl.write(json.dumps({"id": doc.id, "text": doc.text}, ensure_ascii=False))
                jsonl.write("\n")
            count += 1
            nbytes += doc.nbytes
            bad += doc.mojibaked
    finally:
        if jsonl is not None:
            jsonl.close()
    manifest: dict[str, object] = {
        "params": params.as_dict(),
        "documents": count,
        "bytes": nbytes,
        "mojibaked_documents": bad,
        "layout": layout,
    }
    tmp = out / "manifest.json.tmp"
    tmp.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, out / "manifest.json")
    return manifest


def read_corpus_dir(out: Path) -> Iterator[Path]:
    """The document files of a corpus written with the directory layout, in order."""
    yield from sorted((out / "docs").rglob("*.txt"))
