"""In-process speed: each filter alone, the default pipeline, ``explain``, and the peers, all on
the same documents in the same run; the mojibake sweep; already-clean documents; one long document.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from benchmarks.corpus import CorpusParams, Document, iter_documents, long_document
from benchmarks.floor import copy_tree
from benchmarks.material import Material
from benchmarks.measure import Batched, Measurement, run_over, time_over, time_rounds
from benchmarks.peers import load_peers

if TYPE_CHECKING:
    from cleantext import Pipeline

__all__ = [
    "PIPELINE",
    "PIPELINE_MANY",
    "Rounds",
    "cold_pipeline",
    "long_document_speed",
    "paired_speed",
    "peer_speed",
    "pipeline_speed",
    "sample",
    "sample_rounds",
    "sweep_speed",
    "warmed_pipeline",
]

PIPELINE = "cleantext default pipeline"
BATCH = 64  # cleantext.pipeline.BATCH_SIZE (cleantext is imported only where it is timed)
#: The same pipeline given BATCH documents per call (``Pipeline.apply_many``), as the command
#: line's shards run it.
PIPELINE_MANY = f"cleantext default pipeline, apply_many ({BATCH} per call)"
EXPLAIN = "cleantext explain()"
ALREADY_CLEAN = "cleantext default pipeline, documents needing no repair"
FLOOR = "floor: read + write only (in process)"
LONG = "cleantext default pipeline, one long document"
PAIRED = "paired: "
#: Prefix of the paired rows timed on the documents a new process cleans first (see
#: :func:`paired_speed`); the rows without it are timed after them, in the steady state.
COLD_START = "cold start: "


def cold_pipeline() -> Pipeline:
    """A default pipeline that has seen no text: its residue rules are a copy of the built-in
    catalog, with an RE2 automaton of their own, and the cache of name searches is emptied.

    RE2 builds its automaton's states as new text comes (several microseconds a line on text it
    has not met, about one once warm). Pipelines built with ``default_pipeline()`` share the
    built-in catalog, hence one automaton: a task timed after another on the same documents
    would run on states the first one built, a speed unseen text never gets. So every timed
    task takes a pipeline of its own. It comes compiled (the automaton's program is built on
    first use, about 0.2 s, which no timed task should pay).

    >>> import cleantext
    >>> cold_pipeline()["strip-residue"].catalog is cleantext.builtin_catalog()
    False
    """
    import cleantext
    from cleantext import literals
    from cleantext.catalog import Catalog

    literals.utf8_search.cache_clear()
    pipeline = cleantext.default_pipeline(catalog=Catalog(cleantext.builtin_catalog().rules))
    pipeline["strip-residue"].catalog.line_test()  # compiles the set, on no text
    return pipeline


def warmed_pipeline(docs: Sequence[str]) -> Pipeline:
    """A :func:`cold_pipeline` that has cleaned ``docs``, one per call: a process in its steady
    state. RE2 builds the states of its automaton as new text comes: paired on unseen pieces, a
    pipeline that had cleaned 16 MB ran 2.4x as fast as a new one on the first 0.5 MB, 1.4x on
    the next MB and 1.1-1.2x up to 7.5 MB, a cost a process pays once. Time it on documents
    ``docs`` does not hold (see :class:`Rounds`).

    >>> pipeline = warmed_pipeline(["He left.\\n\\nLeave a Reply", "Advertisement\\n\\nHi."])
    >>> pipeline("She came back. .\\n\\nLeave a Reply")
    'She came back.'
    """
    pipeline = cold_pipeline()
    run_over(pipeline, docs)
    return pipeline


def sample(params: CorpusParams, nbytes: int, material: Material) -> list[str]:
    """The first ``nbytes`` of the corpus ``params`` describes, as strings."""
    return [d.text for d in iter_documents(params.with_(size=nbytes), material=material)]


#: Documents a task runs on before its first timed round.
WARMUP_DOCS = 20


@dataclass(frozen=True)
class Rounds:
    """Documents for timed rounds, about ``nbytes`` each, every round on documents no other
    round (nor the warm-up) holds: a second pass over the same text would find RE2's
    automaton already built for it, and measure a speed unseen text never gets.

    ``warmup``: a few documents every task runs on before its first timed round. ``steady``:
    the documents, before the rounds, that each pipeline task cleans first so that its rounds
    measure a process in its steady state (:func:`warmed_pipeline`); the paired rows also time
    them, as the cold start (:func:`paired_speed`)."""

    warmup: tuple[str, ...]
    rounds: tuple[tuple[str, ...], ...]
    steady: tuple[str, ...] = ()

    @property
    def first(self) -> tuple[str, ...]:
        return self.rounds[0]

    @property
    def nbytes(self) -> int:
        """The bytes of the first round (every round's time is scaled to them)."""
        return _nbytes(self.first)

    @property
    def docs(self) -> int:
        return len(self.first)

    def map(self, func: Callable[[str], str]) -> Rounds:
        """The same rounds, every document through ``func``."""
        return Rounds(
            tuple(map(func, self.warmup)),
            tuple(tuple(map(func, r)) for r in self.rounds),
            tuple(map(func, self.steady)),
        )


def sample_rounds(
    params: CorpusParams, nbytes: int, material: Material, rounds: int, steady: int = 0
) -> Rounds:
    """``rounds`` consecutive stretches of about ``nbytes`` of the corpus ``params`` describes
    (all its documents are unique), after ``WARMUP_DOCS`` documents to warm up on and then
    about ``steady`` bytes of documents to reach the steady state on."""
    # One stream, read as far as needed (documents are generated lazily): no document twice.
    docs = iter_documents(params.with_(size=1 << 62), material=material)
    warmup = tuple(d.text for _, d in zip(range(WARMUP_DOCS), docs, strict=False))
    before = _take(docs, steady)
    return Rounds(warmup, tuple(_take(docs, nbytes) for _ in range(rounds)), before)


def _take(docs: Iterator[Document], nbytes: int) -> tuple[str, ...]:
    """The texts of the next documents of ``docs`` until they hold ``nbytes`` (UTF-8)."""
    taken: list[str] = []
    held = 0
    while held < nbytes:
        doc = next(docs, None)
        if doc is None:
            break
        taken.append(doc.text)
        held += doc.nbytes
    return tuple(taken)


def _measure(
    name: str,
    func: Callable[[str], object] | Batched,
    docs: Rounds,
    group: str,
    **extra: object,
) -> Measurement:
    return Measurement(
        name, time_rounds(func, docs.rounds, docs.warmup), docs.nbytes, docs.docs, group, extra
    )


def _nbytes(docs: Sequence[str]) -> int:
    return sum(len(d.encode("utf-8")) for d in docs)


def floor_speed(docs: Sequence[str], repeats: int) -> Measurement:
    """Write the documents to files once, then time reading and writing them all back."""
    times = []
    with tempfile.TemporaryDirectory(prefix="cleantext-floor-") as tmp:
        src = Path(tmp, "src")
        for i, doc in enumerate(docs):
            folder = src / f"{i // 1000:05d}"
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{i:08d}.txt").write_text(doc, encoding="utf-8", newline="")
        import shutil
        import time

        for r in range(repeats):
            dst = Path(tmp, f"dst{r}")
            start = time.perf_counter()
            copy_tree(src, dst)
            times.append(time.perf_counter() - start)
            shutil.rmtree(dst)
    return Measurement(FLOOR, tuple(times), _nbytes(docs), len(docs), "floor")


def pipeline_speed(docs: Rounds) -> list[Measurement]:
    """The floor, each default filter alone, the pipeline, explain, and already-clean input;
    each task on a pipeline of its own that has cleaned ``docs.steady``
    (:func:`warmed_pipeline`)."""
    found = [floor_speed(docs.first, len(docs.rounds))]
    # one pipeline: only strip-residue has an automaton, and no two filters share one
    for f in warmed_pipeline(docs.steady).filters:
        found.append(_measure(f"filter {f.name} alone", f.apply, docs, "filter"))
    found.append(_measure(PIPELINE, warmed_pipeline(docs.steady), docs, "pipeline"))
    many = Batched(warmed_pipeline(docs.steady).apply_many, BATCH)
    found.append(_measure(PIPELINE_MANY, many, docs, "pipeline"))
    found.append(_measure(EXPLAIN, warmed_pipeline(docs.steady).explain, docs, "pipeline"))
    # Made by one pipeline, timed through another that has cleaned only other clean documents.
    clean = docs.map(cold_pipeline())
    found.append(
        _measure(
            ALREADY_CLEAN,
            warmed_pipeline(clean.steady),
            clean,
            "pipeline",
            input="the pipeline's own output",
        )
    )
    return found


def peer_speed(docs: Rounds) -> tuple[list[Measurement], list[dict]]:
    """Every available peer on the same documents; the missing ones as skipped entries."""
    found, skipped = [], []
    for peer in load_peers():
        if peer.func is None:
            skipped.append({"name": peer.name, "reason": peer.note})
            continue
        found.append(
            _measure(peer.name, peer.func, docs, "peer", version=peer.version, note=peer.note)
        )
    return found, skipped


def sweep_speed(
    params: CorpusParams,
    nbytes: int,
    material: Material,
    repeats: int,
    rates: Sequence[float] = (0.0, 0.1, 1.0),
    steady: int = 0,
) -> list[Measurement]:
    """The pipeline and ftfy (both configurations) at several mojibake rates, same documents;
    for each rate (the rates share their text but for its encoding) a pipeline of its own that
    has cleaned ``steady`` bytes of other documents at that rate."""
    from benchmarks.peers import ftfy_defaults, ftfy_encoding_only

    found = []
    for rate in rates:
        docs = sample_rounds(params.with_(mojibake_rate=rate), nbytes, material, repeats, steady)
        for name, func in (
            (PIPELINE, warmed_pipeline(docs.steady)),
            ("ftfy.fix_text (defaults)", ftfy_defaults),
            ("ftfy.fix_text (encoding only)", ftfy_encoding_only),
        ):
            found.append(_measure(name, func, docs, "sweep", mojibake_rate=rate))
    return found


def long_document_speed(
    params: CorpusParams,
    nbytes: int,
    material: Material,
    repeats: int,
    doc: str | None = None,
    steady: Sequence[str] = (),
) -> Measurement:
    """The pipeline on one document of ``nbytes`` (same mojibake share as the corpus), or on
    ``doc`` when it is given (that document, already generated). Each repeat runs on a
    pipeline of its own that has cleaned ``steady`` (other documents), as the small documents'
    pipelines have: a second pass of one pipeline would find its automaton built for the
    document."""
    if doc is None:
        doc = long_document(nbytes, params, material=material)
    times = [_time_long(doc, steady) for _ in range(repeats)]
    return Measurement(
        LONG,
        tuple(times),
        len(doc.encode("utf-8")),
        1,
        "scaling",
    )


def _time_long(doc: str, steady: Sequence[str]) -> float:
    """Seconds the pipeline takes over ``doc``, on a pipeline of its own that has cleaned
    ``steady`` (a second pass of one pipeline would find its automaton built for ``doc``)."""
    return time_over(warmed_pipeline(steady), [doc], repeats=1, warmup=0)[0]


#: The paired rounds time the small-document tasks in turn on pieces of about this many bytes.
PAIR_BYTES = 500_000


def _pieces(batch: Sequence[str], size: int) -> list[list[str]]:
    """``batch`` cut, in order, into runs of documents of at least ``size`` bytes (the last may
    be smaller)."""
    pieces: list[list[str]] = [[]]
    held = 0
    for doc in batch:
        if held >= size:
            pieces.append([])
            held = 0
        pieces[-1].append(doc)
        held += len(doc.encode("utf-8"))
    return pieces


def paired_speed(docs: Rounds, long_doc: str | None) -> list[Measurement]:
    """What the targets compare, timed in turn: the pipeline on the round's documents, ftfy both
    ways on them, and the pipeline on ``long_doc``. The sections above time each row on its
    own, minutes apart; on a machine whose speed drifts (this project's swings by up to 2x
    within minutes) a ratio of two of them measures the drift too. Here the small-document
    tasks take turns on pieces of about ``PAIR_BYTES`` (a second or so of ftfy), so both sides
    of a ratio run under nearly the same conditions, on documents none of them has seen; each
    measurement keeps its times per piece in ``extra["piece_seconds"]`` (the targets take the
    median of the pieces' ratios). The long document takes its turn once a round. Names start
    with ``"paired: "``.

    The two pipeline tasks each start with a :func:`cold_pipeline` of their own. The warm-up
    and ``docs.steady`` come first, timed in turns like the rounds: the rows named
    ``"paired: cold start: ..."``, what a new process gets on its first documents (only the
    ftfy tasks are warmed up before them). The rounds then measure the steady state a process
    reaches (one automaton each: the second of two tasks sharing one would find it built for the
    piece by the first; measured, ``apply_many`` then read 1.40 times one document per call,
    against 1.17 with automata of their own). The long document, in each round, runs on a
    pipeline of its own that has cleaned ``docs.steady`` too. Without ``docs.steady`` every
    task is warmed up and there are no cold-start rows.
    """
    from benchmarks.peers import ftfy_defaults, ftfy_encoding_only

    pipelines: list[tuple[str, Callable[[str], object] | Batched]] = [
        (PIPELINE, cold_pipeline()),
        (PIPELINE_MANY, Batched(cold_pipeline().apply_many, BATCH)),
    ]
    peers: list[tuple[str, Callable[[str], object] | Batched]] = [
        ("ftfy.fix_text (defaults)", ftfy_defaults),
        ("ftfy.fix_text (encoding only)", ftfy_encoding_only),
    ]
    small = pipelines + peers
    # With a cold start to time, the pipelines meet the warm-up in it, from new.
    for _, func in peers if docs.steady else small:
        run_over(func, docs.warmup)
    found = []
    if docs.steady:
        found += _in_turns(small, [(*docs.warmup, *docs.steady)], PAIRED + COLD_START)[0]
    long_turn = None if long_doc is None else (lambda: _time_long(long_doc, docs.steady))
    rows, long_times = _in_turns(small, docs.rounds, PAIRED, long_turn)
    found += rows
    if long_doc is not None:
        found.append(
            Measurement(PAIRED + LONG, tuple(long_times), _nbytes([long_doc]), 1, "paired")
        )
    return found


def _in_turns(
    small: Sequence[tuple[str, Callable[[str], object] | Batched]],
    rounds: Sequence[Sequence[str]],
    prefix: str,
    after_round: Callable[[], float] | None = None,
) -> tuple[list[Measurement], list[float]]:
    """The ``small`` tasks timed in turn on pieces of each round, each round's time scaled to
    the first round's bytes (measurements named ``prefix`` + the task's name), and the times
    ``after_round`` returns, called once after each round."""
    times: dict[str, list[float]] = {name: [] for name, _ in small}
    pieces: dict[str, list[float]] = {name: [] for name, _ in small}
    also: list[float] = []
    first = _nbytes(rounds[0])
    for batch in rounds:
        spent = dict.fromkeys(times, 0.0)
        for piece in _pieces(batch, PAIR_BYTES):
            for name, func in small:
                seconds = time_over(func, piece, repeats=1, warmup=0)[0]
                pieces[name].append(seconds)
                spent[name] += seconds
        # each round's time scaled to the first round's bytes, as time_rounds does
        scale = first / max(_nbytes(batch), 1)
        for name in times:
            times[name].append(spent[name] * scale)
        if after_round is not None:
            also.append(after_round())
    rows = [
        Measurement(
            prefix + name,
            tuple(times[name]),
            first,
            len(rounds[0]),
            "paired",
            {"piece_seconds": pieces[name]},
        )
        for name, _ in small
    ]
    return rows, also
