"""In-process speed: each filter alone, the default pipeline, ``explain``, and the peers, all on
the same documents in the same run; the mojibake sweep; already-clean documents; one long document.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from benchmarks.corpus import CorpusParams, iter_documents, long_document
from benchmarks.floor import copy_tree
from benchmarks.material import Material
from benchmarks.measure import Measurement, time_over
from benchmarks.peers import load_peers

__all__ = [
    "PIPELINE",
    "long_document_speed",
    "paired_speed",
    "peer_speed",
    "pipeline_speed",
    "sample",
    "sweep_speed",
]

PIPELINE = "cleantext default pipeline"
EXPLAIN = "cleantext explain()"
ALREADY_CLEAN = "cleantext default pipeline, documents needing no repair"
FLOOR = "floor: read + write only (in process)"
LONG = "cleantext default pipeline, one long document"
PAIRED = "paired: "


def sample(params: CorpusParams, nbytes: int, material: Material) -> list[str]:
    """The first ``nbytes`` of the corpus ``params`` describes, as strings."""
    return [d.text for d in iter_documents(params.with_(size=nbytes), material=material)]


def _measure(
    name: str,
    func: Callable[[str], object],
    docs: Sequence[str],
    repeats: int,
    group: str,
    nbytes: int,
    **extra: object,
) -> Measurement:
    return Measurement(
        name, time_over(func, docs, repeats=repeats), nbytes, len(docs), group, dict(extra)
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


def pipeline_speed(docs: Sequence[str], repeats: int) -> list[Measurement]:
    """The floor, each default filter alone, the pipeline, explain, and already-clean input."""
    import cleantext

    pipeline = cleantext.default_pipeline()
    nbytes = _nbytes(docs)
    found = [floor_speed(docs, repeats)]
    for f in pipeline.filters:
        found.append(_measure(f"filter {f.name} alone", f.apply, docs, repeats, "filter", nbytes))
    found.append(_measure(PIPELINE, pipeline, docs, repeats, "pipeline", nbytes))
    found.append(_measure(EXPLAIN, pipeline.explain, docs, repeats, "pipeline", nbytes))
    cleaned = [pipeline(d) for d in docs]
    found.append(
        _measure(
            ALREADY_CLEAN,
            pipeline,
            cleaned,
            repeats,
            "pipeline",
            _nbytes(cleaned),
            input="the pipeline's own output",
        )
    )
    return found


def peer_speed(docs: Sequence[str], repeats: int) -> tuple[list[Measurement], list[dict]]:
    """Every available peer on the same documents; the missing ones as skipped entries."""
    nbytes = _nbytes(docs)
    found, skipped = [], []
    for peer in load_peers():
        if peer.func is None:
            skipped.append({"name": peer.name, "reason": peer.note})
            continue
        found.append(
            _measure(
                peer.name,
                peer.func,
                docs,
                repeats,
                "peer",
                nbytes,
                version=peer.version,
                note=peer.note,
            )
        )
    return found, skipped


def sweep_speed(
    params: CorpusParams,
    nbytes: int,
    material: Material,
    repeats: int,
    rates: Sequence[float] = (0.0, 0.1, 1.0),
) -> list[Measurement]:
    """The pipeline and ftfy (both configurations) at several mojibake rates, same documents."""
    import cleantext
    from benchmarks.peers import ftfy_defaults, ftfy_encoding_only

    pipeline = cleantext.default_pipeline()
    found = []
    for rate in rates:
        docs = sample(params.with_(mojibake_rate=rate), nbytes, material)
        size = _nbytes(docs)
        for name, func in (
            (PIPELINE, pipeline),
            ("ftfy.fix_text (defaults)", ftfy_defaults),
            ("ftfy.fix_text (encoding only)", ftfy_encoding_only),
        ):
            found.append(_measure(name, func, docs, repeats, "sweep", size, mojibake_rate=rate))
    return found


def long_document_speed(
    params: CorpusParams, nbytes: int, material: Material, repeats: int, doc: str | None = None
) -> Measurement:
    """The pipeline on one document of ``nbytes`` (same mojibake share as the corpus), or on
    ``doc`` when it is given (that document, already generated)."""
    import cleantext

    pipeline = cleantext.default_pipeline()
    if doc is None:
        doc = long_document(nbytes, params, material=material)
    return Measurement(
        LONG,
        time_over(pipeline, [doc], repeats=repeats, warmup=0),
        len(doc.encode("utf-8")),
        1,
        "scaling",
    )


def paired_speed(docs: Sequence[str], long_doc: str | None, repeats: int) -> list[Measurement]:
    """What the targets compare, timed in turn within each round: the pipeline on ``docs``,
    ftfy both ways on them, and the pipeline on ``long_doc``. The sections above time each row
    on its own, minutes apart; on a machine whose speed drifts (this project's swings by up to
    2x within minutes) a ratio of two of them measures the drift too. Round by round, both
    sides of a ratio run under the same conditions. Names start with ``"paired: "``.
    """
    import cleantext
    from benchmarks.peers import ftfy_defaults, ftfy_encoding_only

    pipeline = cleantext.default_pipeline()
    tasks: list[tuple[str, Callable[[str], object], Sequence[str]]] = [
        (PIPELINE, pipeline, docs),
        ("ftfy.fix_text (defaults)", ftfy_defaults, docs),
        ("ftfy.fix_text (encoding only)", ftfy_encoding_only, docs),
    ]
    if long_doc is not None:
        tasks.append((LONG, pipeline, [long_doc]))
    times: dict[str, list[float]] = {name: [] for name, _, _ in tasks}
    for _ in range(repeats):
        for name, func, batch in tasks:
            times[name] += time_over(func, batch, repeats=1, warmup=0)
    return [
        Measurement(PAIRED + name, tuple(times[name]), _nbytes(batch), len(batch), "paired")
        for name, _, batch in tasks
    ]
