"""A cleaning job described as data: a :class:`JobConfig`, a list of :class:`Shard` and a pure
function :func:`run_shard` that any engine (a process pool, Dask) maps over the shards.

Every shard writes only its own outputs, each through a temporary file in the destination
directory that is fsynced and renamed into place, then a completion marker
(``DST/.cleantext/done/<shard id>.json``) recording the sources it read (path, size, mtime),
the configuration fingerprint and its counts. Running a finished shard again is a no-op that
returns the recorded result, so a killed run resumes without losing or duplicating anything.

Sources and the destination may also be fsspec URLs (``s3://bucket/prefix``): planning lists
them, and a shard stages its inputs and outputs through a local temporary folder
(:mod:`cleantext.remote`), so everything below works on local files.

>>> import tempfile, pathlib
>>> from cleantext import default_pipeline
>>> src = pathlib.Path(tempfile.mkdtemp()); dst = pathlib.Path(tempfile.mkdtemp()) / "out"
>>> _ = (src / "a.txt").write_text("Xi met Blinken. .\\n\\nLeave a Reply\\n")
>>> config = JobConfig(pipeline=default_pipeline(), destination=str(dst))
>>> shards = plan_shards([str(src)], config)
>>> summary = summarize(run_shard(s, config) for s in shards)
>>> (dst / "a.txt").read_text(), summary.docs, summary.removed
('Xi met Blinken.\\n', 1, {'comment_form': 1})
"""

from __future__ import annotations

import fcntl
import hashlib
import heapq
import itertools
import json
import math
import os
import re
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from functools import partial
from typing import IO, Any, BinaryIO

from cleantext.errors import ConfigError
from cleantext.io import (
    GZIP_ERRORS,
    TEMP_MARK,
    AtomicFile,
    CommitBatch,
    DocumentError,
    OutputError,
    TooLong,
    WriteFn,
    decode_document,
    describe_gzip_error,
    fsync_dir,
    gzip_reader,
    is_jsonl,
    is_temp_file,
    is_url,
    is_within,
    iter_lines,
    local_path,
    open_gzip_writer,
    open_input,
    read_document,
    relative_output,
    safe_output_dir,
    sweep_temp_files,
    walk_tree,
)
from cleantext.pipeline import BATCH_SIZE, Pipeline
from cleantext.report import Report

__all__ = [
    "STATE_DIR",
    "JobConfig",
    "Shard",
    "ShardPlan",
    "ShardResult",
    "Summary",
    "Unit",
    "clean_stream",
    "jsonl_part_end",
    "lock_destination",
    "plan_shards",
    "plan_stream",
    "prepare_destination",
    "prune_stale_parts",
    "report_line",
    "run_shard",
    "set_progress_hook",
    "summarize",
]

STATE_DIR = ".cleantext"
MAX_RECORDS = 1000  # rejected-document records carried in a ShardResult
TRANSIENT = frozenset({"unreadable"})  # rejects that a rerun may not repeat: no marker
_FORMAT_VERSION = "1"
MiB = 1 << 20


@dataclass(frozen=True)
class JobConfig:
    """Everything a shard needs to run, and nothing else: it pickles, so it travels to workers.

    ``destination`` is the output directory (absolute), or an fsspec URL such as
    ``s3://bucket/clean`` (see :mod:`cleantext.remote`), or None with ``in_place`` (or when
    only :func:`clean_stream` is used). With ``report`` set, each shard streams its
    per-document records to ``<report_parts>/<shard id>.jsonl`` (default
    ``DST/.cleantext/report``), which the command concatenates in shard order.
    ``fingerprint`` covers every option that changes output bytes; resume compares it.
    """

    pipeline: Pipeline
    destination: str | None = None
    text_field: str = "text"
    include: tuple[str, ...] = ("*.txt",)
    exclude: tuple[str, ...] = ()
    max_doc_bytes: int = 16 * MiB
    report: str | None = None
    report_edits: bool = False
    report_dir: str | None = None
    in_place: bool = False
    follow_symlinks: bool = False
    decode_errors: str = "reject"
    input_format: str = "auto"
    shard_bytes: int = 4 * MiB
    shard_files: int = 500
    jsonl_shard_bytes: int = 16 * MiB
    max_gzip_ratio: int = 250
    fsync: bool = True

    def __post_init__(self) -> None:
        if self.destination is not None:  # one spelling, so output paths can be checked
            object.__setattr__(self, "destination", _normalize_destination(self.destination))
        if self.decode_errors not in ("reject", "replace"):
            raise ConfigError("decode_errors must be 'reject' or 'replace'")
        if self.input_format not in ("auto", "text", "jsonl"):
            raise ConfigError("input_format must be 'auto', 'text' or 'jsonl'")
        if self.max_doc_bytes < 1 or self.shard_bytes < 1 or self.jsonl_shard_bytes < 1:
            raise ConfigError("byte limits must be positive")

    @property
    def fingerprint(self) -> str:
        """A digest of the pipeline and of the options that change output bytes."""
        blob = json.dumps(
            [
                _FORMAT_VERSION,
                self.pipeline.fingerprint(),
                self.text_field,
                self.max_doc_bytes,
                self.decode_errors,
                self.input_format,
                self.max_gzip_ratio,
            ]
        )
        return hashlib.sha256(blob.encode()).hexdigest()[:16]

    @property
    def report_parts(self) -> str | None:
        """Where each shard writes its part of the --report (None without a report)."""
        if self.report is None:
            return None
        if self.report_dir is not None:
            return self.report_dir
        state = self.state_dir
        return None if state is None else os.path.join(state, "report")

    @property
    def state_dir(self) -> str | None:
        """Where completion markers live (None when cleaning in place: nothing to resume)."""
        return None if self.destination is None else os.path.join(self.destination, STATE_DIR)


def _normalize_destination(destination: str) -> str:
    """A local destination as an absolute, resolved path; a URL without its trailing ``/``;
    ``file://`` URLs become local paths."""
    destination = local_path(destination)
    if is_url(destination):
        return destination.rstrip("/") if not destination.endswith("://") else destination
    return os.path.realpath(destination)


@dataclass(frozen=True)
class Unit:
    """One input a shard covers: a text file, a byte range of a JSONL file, or a file that was
    skipped while planning (``kind="skip"`` with a ``reason``).

    For a URL source, ``mtime_ns`` holds a number derived from the object's ETag (or its
    modification time), which resume compares like a local file's mtime. ``lines_before``
    is the number of lines before ``start`` when the planner counted them (-1: count them
    when the shard runs).
    """

    kind: str
    source: str
    display: str
    output: str = ""
    size: int = 0
    mtime_ns: int = 0
    start: int = 0
    end: int = -1
    reason: str = ""
    message: str = ""
    lines_before: int = -1


@dataclass(frozen=True)
class Shard:
    """A piece of work: ``kind`` ``"text"`` (a batch of files balanced by bytes) or
    ``"jsonl"`` (one output part of a JSONL file). ``id`` is stable across runs."""

    id: str
    kind: str
    units: tuple[Unit, ...]
    output: str = ""
    bytes: int = 0


@dataclass(frozen=True)
class ShardResult:
    """What one shard did: counts, and ``records`` for the rejected documents (at most
    ``MAX_RECORDS`` of them; ``rejects`` counts them all). With a report, every document's
    record is in the file ``report_part``. ``resumed`` when an earlier run had done it."""

    shard_id: str
    docs: int = 0
    rejected: int = 0
    bytes_in: int = 0
    bytes_out: int = 0
    input_bytes: int = 0
    removed: dict[str, int] = field(default_factory=dict)
    repairs: dict[str, int] = field(default_factory=dict)
    rejects: dict[str, int] = field(default_factory=dict)
    warnings: int = 0
    records: tuple[dict[str, Any], ...] = ()
    resumed: bool = False
    outputs: tuple[str, ...] = ()
    report_part: str | None = None
    dropped: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Summary:
    """Totals over a run; ``exit_code`` is 1 when any input was rejected, else 0."""

    shards: int = 0
    resumed_shards: int = 0
    docs: int = 0
    rejected: int = 0
    bytes_in: int = 0
    bytes_out: int = 0
    removed: dict[str, int] = field(default_factory=dict)
    repairs: dict[str, int] = field(default_factory=dict)
    rejects: dict[str, int] = field(default_factory=dict)
    warnings: int = 0
    dropped: dict[str, int] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        """0 when every input was cleaned, 1 when some were rejected."""
        return 1 if self.rejected else 0

    def format(self, seconds: float | None = None) -> str:
        """The end-of-run summary, as printed by the command.

        >>> print(Summary(docs=2, bytes_in=2000, bytes_out=1500).format())
        documents: 2 cleaned, 0 rejected
        bytes:     2.0 kB in, 1.5 kB out (-25.0%)
        """
        lines = [f"documents: {self.docs} cleaned, {self.rejected} rejected"]
        if self.dropped:
            lines[0] += f", {sum(self.dropped.values())} dropped by a filter"
        change = (self.bytes_out - self.bytes_in) / self.bytes_in * 100 if self.bytes_in else 0.0
        lines.append(
            f"bytes:     {_size(self.bytes_in)} in, {_size(self.bytes_out)} out ({change:+.1f}%)"
        )
        if seconds is not None and seconds > 0:
            lines.append(f"time:      {seconds:.2f} s, {self.bytes_in / seconds / 1e6:.2f} MB/s")
        if self.resumed_shards:
            lines.append(
                f"resumed:   {self.resumed_shards} of {self.shards} shards were already done"
            )
        for title, counts in (
            ("lines removed", self.removed),
            ("repairs", self.repairs),
            ("rejected", self.rejects),
            ("dropped", self.dropped),
        ):
            if counts:
                lines.append(f"{title}:")
                width = max(len(k) for k in counts)
                lines += [f"  {k:<{width}}  {v}" for k, v in sorted(counts.items())]
        if self.warnings:
            lines.append(f"warnings:  {self.warnings} (decoding notes; see --report)")
        return "\n".join(lines)


def _size(n: int) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n} B" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000  # type: ignore[assignment]
    return f"{n} B"  # pragma: no cover


def summarize(results: Iterable[ShardResult]) -> Summary:
    """Add up shard results.

    >>> summarize([ShardResult("a", docs=1, removed={"navigation": 2}),
    ...            ShardResult("b", docs=2, removed={"navigation": 1})]).removed
    {'navigation': 3}
    """
    totals: dict[str, int] = Counter()
    removed: Counter[str] = Counter()
    repairs: Counter[str] = Counter()
    rejects: Counter[str] = Counter()
    dropped: Counter[str] = Counter()
    for r in results:
        totals["shards"] += 1
        totals["resumed_shards"] += r.resumed
        for key in ("docs", "rejected", "bytes_in", "bytes_out", "warnings"):
            totals[key] += getattr(r, key)
        removed.update(r.removed)
        repairs.update(r.repairs)
        rejects.update(r.rejects)
        dropped.update(r.dropped)
    return Summary(**totals, removed=dict(removed), repairs=dict(repairs), rejects=dict(rejects),
                   dropped=dict(dropped))  # fmt: skip


# --------------------------------------------------------------------------------- planning


def _identity(kind: str, units: Sequence[Unit], output: str, config: JobConfig) -> str:
    """A stable shard id: the same inputs and outputs (relative to DST) give the same id."""
    dst = config.destination
    below = "" if dst is None else dst.rstrip("/") + "/"

    def rel(path: str) -> str:
        if dst is None:
            return path
        if is_url(dst):
            return path[len(dst) + 1 :] if path.startswith(dst + "/") else path
        if path.startswith(below) and "/." not in path and "//" not in path:
            # What os.path.relpath gives for a plain path below DST (resolved, absolute),
            # without its cost: it made up a third of planning a tree of small files.
            return path[len(below) :]
        return os.path.relpath(path, dst)

    output = rel(output) if output else ""
    entries = [(u.kind, u.source, rel(u.output) if u.output else "", u.start, u.end) for u in units]
    blob = json.dumps([kind, output, entries])
    return f"{kind}-{hashlib.sha256(blob.encode()).hexdigest()[:16]}"


def _unit_for(
    path: str,
    display: str,
    out_root: str | None,
    rel: str,
    config: JobConfig,
    st: os.stat_result | None = None,
) -> Unit:
    """The unit of the input file ``path``; ``st``: its stat, when the walk has it."""
    if st is None:
        st = os.stat(path)
    kind = "jsonl" if _is_jsonl_input(path, config) else "text"
    output = path if config.in_place else _output_for(kind, out_root, rel)
    return Unit(kind, path, display, output, st.st_size, st.st_mtime_ns)


def _output_for(kind: str, out_root: str | None, rel: str) -> str:
    """Where the input at ``rel`` (relative to its source root) goes below ``out_root``."""
    if kind == "jsonl":
        return os.path.join(out_root or "", os.fspath(relative_output(rel)))
    return _join(out_root or "", rel)


def _join(head: str, tail: str) -> str:
    """``os.path.join(head, tail)``, without its cost on each of many files when ``tail`` is
    relative (a path the walk found below a source).

    >>> _join("out", "a/b.txt"), _join("out/", "b.txt"), _join("", "b.txt"), _join("o", "/b")
    ('out/a/b.txt', 'out/b.txt', 'b.txt', '/b')
    """
    if not head or tail.startswith("/"):
        return os.path.join(head, tail)
    return head + tail if head.endswith("/") else f"{head}/{tail}"


def _is_jsonl_input(path: str, config: JobConfig) -> bool:
    if config.input_format != "auto":
        return config.input_format == "jsonl"
    return is_jsonl(path)


#: The smallest part the end of a JSONL file is cut into is ``step // _TAIL_DIVISOR`` bytes (see
#: :func:`jsonl_part_end`): 2 MiB at the default 16 MiB. A sixteenth balanced two workers barely
#: better (simulated over 400 file sizes) for one more part per file.
_TAIL_DIVISOR = 8


def jsonl_part_end(start: int, size: int, step: int) -> int | None:
    """Where a part of a plain JSONL file of ``size`` bytes that begins at byte ``start``
    ends: just after the first line break at or after byte ``end - 1`` for the ``end``
    returned; None when it runs to the end of the file (a file of at most ``step`` bytes is
    one part). Raises ValueError when ``step`` is below 1.

    Parts are ``step`` bytes until at most ``2 * step`` bytes are left; from there each part is
    half of what is left, down to ``step // 8``. Workers that take the parts in order then
    finish close together, for any number of them: with parts of ``step`` to the end, a 40 MB
    file was 16.8 + 16.8 + 6.4 MB, and of two workers one cleaned 23 MB and the other 17.
    The cuts depend on the file alone, not on ``--jobs``. A file just over ``step`` bytes
    becomes four parts.

    >>> MB = 1_000_000
    >>> [jsonl_part_end(s, 100 * MB, 16 * MB) for s in (0, 64 * MB, 80 * MB, 97_500_000)]
    [16000000, 80000000, 90000000, None]
    >>> jsonl_part_end(0, 16 * MB, 16 * MB) is None
    True
    """
    if step < 1:
        raise ValueError(f"a JSONL part must be at least 1 byte, not {step}")
    if size <= step:
        return None
    left = size - start
    if left > 2 * step:
        return start + step
    half = left // 2
    return start + half if half >= max(1, step // _TAIL_DIVISOR) else None


def _jsonl_ranges(path: str, size: int, step: int) -> list[tuple[int, int]]:
    """Split a plain JSONL file at line starts where :func:`jsonl_part_end` says."""
    bounds = [0]
    with open(path, "rb") as fh:
        while (end := jsonl_part_end(bounds[-1], size, step)) is not None:
            fh.seek(end - 1)
            fh.readline()
            pos = fh.tell()
            if pos >= size:
                break
            bounds.append(pos)
    bounds.append(size)
    return list(itertools.pairwise(bounds))


def plan_shards(sources: Sequence[str], config: JobConfig) -> list[Shard]:
    """Turn source paths (files or directories) into shards, in a deterministic order.

    Raises :class:`ConfigError` for a missing source, a destination inside a source, or two
    inputs that would write the same output. The list holds every input's paths; to run a
    large tree in bounded memory, iterate :func:`plan_stream` instead (the same shards).

    >>> import tempfile, pathlib
    >>> from cleantext import default_pipeline
    >>> src = pathlib.Path(tempfile.mkdtemp())
    >>> for name in ("a.txt", "b.txt", "c.jsonl"):
    ...     _ = (src / name).write_text('{"text": "x"}')
    >>> config = JobConfig(default_pipeline(), tempfile.mkdtemp(), include=("*.txt", "*.jsonl"))
    >>> [(s.kind, len(s.units)) for s in plan_shards([str(src)], config)]
    [('text', 2), ('jsonl', 1)]
    """
    return list(plan_stream(sources, config))


class ShardPlan:
    """The shards of a job as a stream: iterating walks the sources again and yields the
    shards of :func:`plan_shards`, in the same order, holding one batch of inputs at a time.

    ``inputs`` counts the inputs (skipped ones included), ``bytes`` their total size (the
    shards' ``bytes`` add up to it) and ``jsonl_inputs`` the JSONL ones, all as counted while
    planning. A plan with URL sources is listed once and kept (object store listings are
    slow and paged).
    """

    def __init__(
        self,
        sources: Sequence[_Source],
        config: JobConfig,
        census: _Census,
        shards: list[Shard] | None = None,
    ) -> None:
        self._sources = tuple(sources)
        self._config = config
        self._every = _cut_every(census.text_inputs, census.text_bytes, config)
        self._shards = shards
        self.inputs = census.inputs
        self.bytes = census.bytes
        self.jsonl_inputs = census.jsonl_inputs

    def __iter__(self) -> Iterator[Shard]:
        if self._shards is not None:
            return iter(self._shards)
        return _batches(_units(self._sources, self._config), self._config, self._every)

    def uncounted(self) -> Iterator[Shard]:
        """The same shards, but with the lines before each part of a local JSONL file left
        uncounted (``lines_before`` -1: the part counts them if it runs): enough to know what
        the run writes, without reading every JSONL input through (see
        :func:`prune_stale_parts`)."""
        if self._shards is not None:
            return iter(self._shards)
        units = _units(self._sources, self._config)
        return _batches(units, self._config, self._every, count_lines=False)


def plan_stream(sources: Sequence[str], config: JobConfig) -> ShardPlan:
    """Check the sources and count their inputs, keeping no per-file state; return a
    :class:`ShardPlan` that yields the shards of :func:`plan_shards` when iterated.

    Raises the same errors as :func:`plan_shards`, before any shard is listed. Checking
    that no output overwrites an input or another output is done one output folder at a
    time; only when that finds a suspect output is the whole plan listed, to report the
    first problem exactly as :func:`plan_shards` always did.

    >>> import tempfile, pathlib
    >>> from cleantext import default_pipeline
    >>> src = pathlib.Path(tempfile.mkdtemp())
    >>> for name in ("a.txt", "b.txt"):
    ...     _ = (src / name).write_text("Hi. .")
    >>> plan = plan_stream([str(src)], JobConfig(default_pipeline(), tempfile.mkdtemp()))
    >>> plan.inputs, plan.bytes, [len(s.units) for s in plan]
    (2, 10, [2])
    """
    dst = config.destination
    if dst is None and not config.in_place:
        raise ConfigError("a job needs a destination directory, or in_place=True")
    if any(s != "-" and is_url(local_path(s)) for s in sources):
        roots: list[str] = []
        units = list(_listed_units(sources, config, roots))
        _check_outputs(units, config, roots)
        shards = _group(units, config)
        census = _Census(
            inputs=len(units),
            bytes=sum(u.size for u in units),
            jsonl_inputs=sum(u.kind == "jsonl" for u in units),
        )
        return ShardPlan([], config, census, shards)
    checked = _check_sources(sources, config)
    roots = [s.real for s in checked if s.is_dir]
    outside = frozenset(s.real for s in checked if not s.is_dir and not _within_any(s.real, roots))
    census = _count(checked, config, roots, outside)
    if census.outside - outside:  # a followed link leads out of every source: check again
        census = _count(checked, config, roots, outside | census.outside)
    if census.suspect:
        _check_outputs(list(_units(checked, config)), config, roots)
    if census.error is not None:  # raised after the output checks, as plan_shards did
        raise census.error
    return ShardPlan(checked, config, census)


@dataclass(frozen=True)
class _Source:
    given: str  # as the user spelt it (file:// URLs made local paths): for display
    real: str
    is_dir: bool


@dataclass
class _Census:
    """What one counting walk over the sources found: totals, and whether an output might
    collide with an input or another output (``suspect``)."""

    inputs: int = 0
    bytes: int = 0
    text_inputs: int = 0
    text_bytes: int = 0
    jsonl_inputs: int = 0
    suspect: bool = False
    outside: set[str] = field(default_factory=set)  # inputs outside every source folder
    error: OSError | None = None  # the first JSONL input that could not be split


def _check_sources(sources: Sequence[str], config: JobConfig) -> list[_Source]:
    """The local sources, checked in order, with the messages of :func:`_listed_units`."""
    dst = config.destination
    checked = []
    for given in sources:
        if given == "-":
            raise ConfigError("standard input ('-') cannot be mixed with other sources")
        given = local_path(given)
        if not os.path.exists(given):
            raise ConfigError(f"no such file or directory: {given}")
        real = os.path.realpath(given)
        is_dir = os.path.isdir(real)
        if dst is not None and is_within(dst, real) and is_dir:
            raise ConfigError(
                f"the output directory {dst} is inside the source {given}: "
                "choose a destination outside it"
            )
        checked.append(_Source(given, real, is_dir))
    return checked


def _within_any(path: str, roots: Sequence[str]) -> bool:
    return any(is_within(path, r) for r in roots)


def _units(sources: Sequence[_Source], config: JobConfig) -> Iterator[Unit]:
    for source in sources:
        yield from _source_units(source, config)


def _source_units(source: _Source, config: JobConfig) -> Iterator[Unit]:
    """The units of one checked local source, in plan order."""
    dst = config.destination
    if not source.is_dir:
        rel = os.path.basename(source.given.rstrip(os.sep))
        yield _unit_for(source.real, source.given, dst, rel, config)
        return
    for entry in walk_tree(
        source.real,
        include=config.include,
        exclude=config.exclude,
        follow_symlinks=config.follow_symlinks,
        state_dir=config.state_dir or "",
    ):
        display = _join(source.given, entry.rel)
        if entry.skip:
            yield Unit("skip", entry.path, display, reason=entry.skip, message=entry.message)
            continue
        try:
            yield _unit_for(entry.path, display, dst, entry.rel, config, entry.stat)
        except OSError as exc:
            yield Unit(
                "skip",
                entry.path,
                display,
                reason="unreadable",
                message=f"cannot stat: {exc.strerror}",
            )


def _listed_units(sources: Sequence[str], config: JobConfig, roots: list[str]) -> Iterator[Unit]:
    """Every unit of the sources, checking each source as it comes (URLs are listed here);
    appends the local source folders to ``roots``."""
    for given in sources:
        if given == "-":
            raise ConfigError("standard input ('-') cannot be mixed with other sources")
        given = local_path(given)
        if is_url(given):
            if config.in_place:
                raise ConfigError(f"{given} is a URL: --in-place needs local files")
            from cleantext.remote import source_units

            yield from source_units(given, config)
            continue
        (source,) = _check_sources([given], config)
        if source.is_dir:
            roots.append(source.real)
        yield from _source_units(source, config)


def _count(
    sources: Sequence[_Source], config: JobConfig, roots: list[str], outside: frozenset[str]
) -> _Census:
    """Walk the sources once, keeping counts and one output folder per source at a time.

    An output is suspect when it (or what it resolves to) lies inside a source folder or is
    one of the inputs ``outside`` every source folder, or when two inputs write it. Each
    source's walk lists output folders in increasing order (a folder's files, then its
    sorted sub-folders), so merging the walks by folder brings together every input that
    writes into one folder; a walk out of that order makes the census suspect instead.
    """
    census = _Census()
    exact_roots = frozenset(roots)
    below_roots = tuple(r.rstrip(os.sep) + os.sep for r in roots)  # _within_any, per input

    def counted(units: Iterable[Unit]) -> Iterator[Unit]:
        for u in units:
            census.inputs += 1
            census.bytes += u.size
            if u.kind == "jsonl":
                census.jsonl_inputs += 1
                try:
                    _jsonl_shards(u, config)  # finds split points: fails now if it ever will
                except OSError as exc:
                    census.error = census.error or exc
            else:
                census.text_inputs += 1
                census.text_bytes += u.size
            if not u.source.startswith(below_roots) and u.source not in exact_roots:
                census.outside.add(u.source)
            if not config.in_place and u.kind != "skip":
                yield u

    def folders(units: Iterable[Unit]) -> Iterator[tuple[list[str], list[str]]]:
        last: list[str] | None = None
        for folder, group in itertools.groupby(units, key=lambda u: _folder_of(u.output)):
            key = folder.split("/")
            if last is not None and key <= last:
                census.suspect = True
            last = key
            yield key, [u.output for u in group]

    walks = [folders(counted(_source_units(s, config))) for s in sources]
    merged = heapq.merge(*walks, key=lambda item: item[0])
    for _key, items in itertools.groupby(merged, key=lambda item: item[0]):
        outputs = [output for _, group in items for output in group]
        census.suspect = census.suspect or _suspect(outputs, roots, outside)
    census.outside -= set(outside)
    return census


def _folder_of(path: str) -> str:
    """``os.path.dirname(path)``, cheaper on the usual path (a file below a named folder).

    >>> _folder_of("/dst/a/b.txt"), _folder_of("/b.txt"), _folder_of("b.txt")
    ('/dst/a', '/', '')
    """
    head = path.rpartition("/")[0]
    if head and not head.endswith("/"):
        return head
    return os.path.dirname(path)


def _suspect(outputs: list[str], roots: Sequence[str], outside: frozenset[str]) -> bool:
    """Whether :func:`_check_outputs` might refuse one of ``outputs``, all in one folder (a
    cheap test: it may say yes where the full check finds nothing).

    The folder is resolved once, not each output (on a tree of small files, resolving every
    output took most of the census): an output is what its resolved folder holds under its
    name, unless that is a symbolic link, which is resolved in full. A folder outside every
    source folder holds an output inside one only where the output is that folder itself.

    >>> _suspect(["/dst/a.txt", "/dst/b.txt"], ["/src"], frozenset())
    False
    >>> _suspect(["/dst/a.txt", "/dst/a.txt"], ["/src"], frozenset())  # two inputs write it
    True
    >>> _suspect(["/src/out/a.txt"], ["/src"], frozenset())  # inside the source
    True
    """
    if len(set(outputs)) < len(outputs) or not outside.isdisjoint(outputs):
        return True
    if is_url(outputs[0]):
        return False
    folder = os.path.dirname(outputs[0])
    real_folder = os.path.realpath(folder)
    if _within_any(real_folder, roots) or _within_any(folder, roots):
        return True
    exact = set(roots) | outside
    # One listing of the folder, not a stat of each output (most folders do not exist yet);
    # a folder that cannot be listed is asked about each output, as before.
    links: set[str] | None
    try:
        with os.scandir(real_folder) as entries:
            links = {entry.name for entry in entries if entry.is_symlink()}
    except (FileNotFoundError, NotADirectoryError):
        links = set()
    except OSError:
        links = None
    below = real_folder.rstrip("/") + "/"
    for output in outputs:
        name = output.rpartition("/")[2]  # os.path.basename
        real = below + name
        if name in links if links is not None else os.path.islink(real):
            real = os.path.realpath(output)
            if _within_any(real, roots):
                return True
        if real in exact or output in exact:
            return True
    return False


def _check_outputs(units: list[Unit], config: JobConfig, roots: list[str]) -> None:
    if config.in_place:
        return
    inputs = {u.source for u in units}
    seen: dict[str, str] = {}
    for u in units:
        if u.kind == "skip":
            continue
        url = is_url(u.output)  # (a URL DST inside a URL source is refused while listing it)
        real = u.output if url else os.path.realpath(u.output)
        if u.output in inputs or real in inputs:
            raise ConfigError(
                f"{u.display} would be overwritten by its own output: "
                "choose another destination, or use --in-place"
            )
        inside = [] if url else [r for r in roots if is_within(real, r)]
        if inside:
            raise ConfigError(
                f"the output of {u.display} ({u.output}) would land inside the source "
                f"{inside[0]}: choose another destination"
            )
        if u.output in seen:
            raise ConfigError(f"{seen[u.output]} and {u.display} would both write {u.output}")
        seen[u.output] = u.display


def _group(units: list[Unit], config: JobConfig) -> list[Shard]:
    """Batch a listed plan's units into shards (see :func:`_batches`)."""
    text = [u for u in units if u.kind != "jsonl"]
    every = _cut_every(len(text), sum(u.size for u in text), config)
    return list(_batches(units, config, every))


def _cut_every(count: int, total: int, config: JobConfig) -> int:
    """M of :func:`_batches`: the expected number of text inputs per batch, a power of two."""
    average = max(1, total // max(1, count))
    return 2 ** max(0, round(math.log2(max(1.0, config.shard_bytes / average))))


def _batches(
    units: Iterable[Unit], config: JobConfig, every: int, *, count_lines: bool = True
) -> Iterator[Shard]:
    """Batch text files into shards of about ``shard_bytes``; JSONL files become their parts.

    Batch boundaries are chosen by content (a file whose path hashes to 0 modulo ``every``
    ends a batch once the batch holds a quarter of ``shard_bytes``; ``every`` is the expected
    number of files per batch, rounded to a power of two), so adding or changing one file
    changes one batch, and a resumed run can skip the others. No batch exceeds
    ``4 * shard_bytes`` or ``shard_files`` files.
    """
    batch: list[Unit] = []
    batch_bytes = 0
    for u in units:
        if u.kind == "jsonl":
            if batch:
                yield _text_shard(batch, batch_bytes, config)
                batch, batch_bytes = [], 0
            yield from _jsonl_shards(u, config, count_lines=count_lines)
            continue
        batch.append(u)
        batch_bytes += u.size
        cut = zlib.crc32(u.source.encode("utf-8", "surrogateescape")) % every == 0
        if (
            batch_bytes >= 4 * config.shard_bytes
            or len(batch) >= config.shard_files
            or (cut and batch_bytes >= config.shard_bytes // 4)
        ):
            yield _text_shard(batch, batch_bytes, config)
            batch, batch_bytes = [], 0
    if batch:
        yield _text_shard(batch, batch_bytes, config)


def _text_shard(batch: list[Unit], batch_bytes: int, config: JobConfig) -> Shard:
    return Shard(_identity("text", batch, "", config), "text", tuple(batch), "", batch_bytes)


def _jsonl_shards(u: Unit, config: JobConfig, *, count_lines: bool = True) -> Iterator[Shard]:
    """The shards of the JSONL input ``u``, one per part. Its split points are found at once
    (a file that cannot be split fails here); the lines before each part of a local file
    are counted only as the shards are taken (:func:`_lines_before`), and not at all
    without ``count_lines``."""
    gz = u.source.lower().endswith(".gz")
    if config.in_place:
        return iter(
            [Shard(_identity("jsonl", [u], u.output, config), "jsonl", (u,), u.output, u.size)]
        )
    ext = ".jsonl.gz" if gz else ".jsonl"
    ranges: Iterable[tuple[int, int, int]]
    if gz:
        ranges = [(0, -1, -1)]
    elif is_url(u.source):  # counted while planning: a shard must not read all before it
        from cleantext.remote import jsonl_ranges

        ranges = jsonl_ranges(u.source, u.size, config.jsonl_shard_bytes)
    else:
        bounds = _jsonl_ranges(u.source, u.size, config.jsonl_shard_bytes)
        counts = _lines_before(u.source, bounds) if count_lines else [-1] * len(bounds)
        ranges = ((a, b, before) for (a, b), before in zip(bounds, counts, strict=True))
    return _part_shards(u, ranges, ext, config)


def _part_shards(
    u: Unit, ranges: Iterable[tuple[int, int, int]], ext: str, config: JobConfig
) -> Iterator[Shard]:
    for k, (start, end, lines_before) in enumerate(ranges):
        part = replace(u, start=start, end=end, lines_before=lines_before)
        output = os.path.join(u.output, f"part-{k:05d}{ext}")
        size = u.size if end < 0 else end - start
        yield Shard(_identity("jsonl", [part], output, config), "jsonl", (part,), output, size)


def _lines_before(path: str, ranges: Sequence[tuple[int, int]]) -> Iterator[int]:
    """The number of lines before each of ``ranges`` (the consecutive parts of the file at
    ``path``, from byte 0), each counted when it is asked for, from the one before: the
    file is read once in all. (Each part counting from byte 0 when it ran read a 256 MB file
    2.2 GB in all, a quadratic cost that took 5% of a run's time.)

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp(), "c.jsonl")
    >>> _ = path.write_bytes(b"a\\nb\\nc\\nd\\n")
    >>> list(_lines_before(str(path), [(0, 2), (2, 6), (6, 8)]))
    [0, 1, 3]
    """
    before = 0
    for k, (start, end) in enumerate(ranges):
        yield before
        if k + 1 < len(ranges):  # (run when the next part's count is asked for)
            try:
                with open(path, "rb") as fh:
                    fh.seek(start)
                    before += _newlines(fh, end - start)
            except OSError:
                # Gone or unreadable since it was planned: the parts left count their lines
                # themselves if they run, and report the file as they would have.
                yield from itertools.repeat(-1, len(ranges) - k - 1)
                return


_PART = re.compile(r"^part-\d{5}\.jsonl(\.gz)?$")


def prune_stale_parts(shards: Iterable[Shard], config: JobConfig) -> int:
    """Delete JSONL parts that an earlier run wrote and this plan does not (the input shrank,
    or was split differently), so an output folder never holds records twice. Returns how
    many were deleted.

    >>> import tempfile, pathlib
    >>> from cleantext import default_pipeline
    >>> src = pathlib.Path(tempfile.mkdtemp()) / "c.jsonl"; _ = src.write_text('{"text": "x"}')
    >>> config = JobConfig(default_pipeline(), tempfile.mkdtemp())
    >>> old = pathlib.Path(config.destination, "c", "part-00007.jsonl")
    >>> old.parent.mkdir(); _ = old.write_text("stale")
    >>> prune_stale_parts(plan_shards([str(src)], config), config), old.exists()
    (1, False)
    """
    if config.in_place or config.destination is None:
        return 0
    planned: dict[str, set[str]] = {}
    for shard in shards:
        if shard.kind == "jsonl":
            folder, name = os.path.split(shard.output)
            planned.setdefault(folder, set()).add(name)
    if is_url(config.destination):
        from cleantext.remote import prune_parts

        return prune_parts(config.destination, planned, _PART)
    removed = 0
    for folder, names in planned.items():
        try:
            existing = os.listdir(folder)
        except OSError:
            continue
        for name in existing:
            if _PART.match(name) and name not in names:
                os.unlink(os.path.join(folder, name))
                removed += 1
    return removed


def lock_destination(config: JobConfig) -> IO[bytes] | None:
    """Take an exclusive lock on ``DST/.cleantext/lock`` for this run (None in place).

    Two runs writing the same destination would sweep each other's temporary files; the
    second one gets :class:`ConfigError`. The lock goes when the returned file is closed or
    the process ends, however it ends. A URL destination gets no lock (object stores have
    none): do not point two runs at the same one.

    >>> import tempfile
    >>> from cleantext import default_pipeline
    >>> config = JobConfig(default_pipeline(), tempfile.mkdtemp())
    >>> held = lock_destination(config)
    >>> lock_destination(config)
    Traceback (most recent call last):
    ...
    cleantext.errors.ConfigError: another cleantext run is writing to ...; wait for it to finish
    >>> held.close()
    """
    state = config.state_dir
    if state is None or is_url(state):
        return None
    assert config.destination is not None
    safe_output_dir(state, config.destination)
    path = os.path.join(state, "lock")
    try:
        fh = open(path, "ab")  # held for the whole run
    except OSError as exc:
        raise OutputError(f"cannot create {path}: {exc.strerror}") from None
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        fh.close()
        raise ConfigError(
            f"another cleantext run is writing to {config.destination}; wait for it to finish"
        ) from None
    return fh


def prepare_destination(config: JobConfig, sources: Sequence[str] = ()) -> int:
    """Create the destination and sweep temporary files an interrupted run left behind
    (below DST, or below the sources when cleaning in place). Returns how many were removed.
    Call once before running shards, with no shard running. A URL destination is only checked
    (nothing temporary is ever written there).

    >>> import tempfile, pathlib
    >>> from cleantext import default_pipeline
    >>> dst = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (dst / ".a.txt.cleantext-tmp-7-0a0b0c0d").write_text("half")
    >>> prepare_destination(JobConfig(default_pipeline(), str(dst)))
    1
    """
    if config.in_place:
        removed = 0
        for source in sources:
            if os.path.isdir(source):
                removed += sweep_temp_files(source)
                continue
            folder, name = os.path.split(source)
            for sibling in os.listdir(folder or "."):  # the temporary files of this one file
                if is_temp_file(sibling) and sibling.startswith(f".{name}{TEMP_MARK}"):
                    os.unlink(os.path.join(folder, sibling))
                    removed += 1
        return removed
    assert config.destination is not None
    if is_url(config.destination):
        from cleantext.remote import check_destination

        check_destination(config.destination)
        return 0
    try:
        os.makedirs(config.destination, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create {config.destination}: {exc.strerror}") from None
    return sweep_temp_files(config.destination)


# --------------------------------------------------------------------------------- running


ProgressHook = Callable[[str, int, int, int], None]
_progress_hook: ProgressHook | None = None
TICK_SECONDS = 0.5


def set_progress_hook(hook: ProgressHook | None) -> None:
    """Have running shards in this process report progress about every half second, as
    ``hook(shard_id, input_bytes, docs, rejected)`` increments (engines install one per worker;
    the shard's final :class:`ShardResult` holds the totals).

    >>> set_progress_hook(print); set_progress_hook(None)  # None: no reporting (the default)
    """
    global _progress_hook
    _progress_hook = hook


class _Tally:
    """Mutable counts for one shard; frozen into a :class:`ShardResult` at the end."""

    def __init__(
        self,
        config: JobConfig,
        sink: Callable[[dict[str, Any]], None] | None = None,
        shard_id: str = "stream",
    ):
        self.config = config
        self.sink = sink
        self.shard_id = shard_id
        self._ticked = (0, 0, 0)  # input bytes, docs, rejected already reported
        self._next_tick = time.monotonic() + TICK_SECONDS
        self.docs = self.rejected = self.bytes_in = self.bytes_out = self.warnings = 0
        self.removed: Counter[str] = Counter()
        self.repairs: Counter[str] = Counter()
        self.rejects: Counter[str] = Counter()
        self.dropped: Counter[str] = Counter()
        self.records: list[dict[str, Any]] = []
        self.outputs: list[str] = []
        self.dirs: set[str] = set()  # folders with renamed files: fsynced once, at the end
        self.batch = CommitBatch(sync=config.fsync)  # outputs written, renamed together
        self._checked_dirs: set[str] = set()
        self._dst_root: str | None = None

    def output_dir(self, folder: str) -> None:
        """Create ``folder`` safely inside DST (:func:`safe_output_dir`), once per shard: a
        tree of small files would otherwise resolve the same folders for every file."""
        if folder in self._checked_dirs:
            return
        if self._dst_root is None:
            self._dst_root = _dst_root(self.config)
        safe_output_dir(folder, self._dst_root)
        self._checked_dirs.add(folder)

    def tick(self, position: int) -> None:
        """Report progress to the hook, at most every TICK_SECONDS."""
        if _progress_hook is None or time.monotonic() < self._next_tick:
            return
        self._next_tick = time.monotonic() + TICK_SECONDS
        done = (position, self.docs, self.rejected)
        deltas = [a - b for a, b in zip(done, self._ticked, strict=True)]
        self._ticked = done
        _progress_hook(self.shard_id, *deltas)

    def reject(self, where: dict[str, Any], reason: str, message: str, action: str) -> None:
        self.rejected += 1
        self.rejects[reason] += 1
        record = {
            **where,
            "status": "rejected",
            "reason": reason,
            "message": message,
            "action": action,
        }
        if len(self.records) < MAX_RECORDS:
            self.records.append(record)
        if self.sink is not None:
            self.sink(record)

    def cleaned(
        self, where: dict[str, Any], text: str, report: Report, warnings: list[str]
    ) -> bytes | None:
        """Count a cleaned document and return its bytes; None when a filter dropped it."""
        drop = _dropped(report)
        if drop is not None:
            self.dropped[drop] += 1
            if self.sink is not None:
                self.sink({**where, "status": "dropped", "reason": drop})
            return None
        # surrogatepass: a JSON text may hold lone surrogates ("\\ud800"); count, never crash
        out = report.text.encode("utf-8", "surrogatepass")
        size_in = len(text.encode("utf-8", "surrogatepass"))
        self.docs += 1
        self.bytes_in += size_in
        self.bytes_out += len(out)
        self.warnings += len(warnings)
        removed = report.removed_lines
        removed_ids = {id(e) for e in removed}
        self.removed.update(e.category for e in removed)
        repairs = Counter(
            _repair_kind(e.filter, e.rule) for e in report.edits if id(e) not in removed_ids
        )
        self.repairs.update(repairs)
        if self.sink is not None:
            record: dict[str, Any] = {
                **where,
                "status": "ok",
                "bytes_in": size_in,
                "bytes_out": len(out),
            }
            if warnings:
                record["warnings"] = warnings
            record["removed"] = [
                {"rule": e.rule, "category": e.category, "line": e.before.strip()} for e in removed
            ]
            record["repairs"] = dict(repairs)
            if report.metadata:
                record["metadata"] = report.metadata
            if self.config.report_edits:
                record["edits"] = [asdict(e) for e in report.edits]
            self.sink(record)
        return out

    def result(
        self, shard_id: str, input_bytes: int, report_part: str | None = None
    ) -> ShardResult:
        return ShardResult(
            shard_id,
            self.docs,
            self.rejected,
            self.bytes_in,
            self.bytes_out,
            input_bytes,
            dict(self.removed),
            dict(self.repairs),
            dict(self.rejects),
            self.warnings,
            tuple(self.records),
            False,
            tuple(self.outputs),
            report_part,
            dict(self.dropped),
        )


def _dropped(report: Report) -> str | None:
    """Why a filter dropped the whole document (keep-languages: "language:de"), or None.

    A drop is an edit that empties the document: from offset 0, with nothing after it.
    """
    if report.text:
        return None
    for edit in report.edits:
        if edit.start == 0 and edit.after == "" and edit.before and edit.category == "language":
            found = dict(edit.metadata).get("language")
            return f"{edit.category}:{found}" if found else edit.category
    return None


def _repair_kind(filter_name: str, rule: str) -> str:
    return filter_name if rule == filter_name else f"{filter_name}:{rule}"


def _clean_document(data: bytes, where: dict[str, Any], tally: _Tally) -> bytes | None:
    """Decode, clean and count one text document; None when it is rejected."""
    try:
        text, warnings = decode_document(data, errors=tally.config.decode_errors)
    except DocumentError as exc:
        tally.reject(where, exc.reason, exc.message, "skipped")
        return None
    return tally.cleaned(where, text, tally.config.pipeline.explain(text), warnings)


def _clean_jsonl(
    stream: BinaryIO,
    write: WriteFn,
    display: str,
    tally: _Tally,
    *,
    end: int | None = None,
    start_line: int = 0,
    cap: int | None = None,
    position: Callable[[], int] | None = None,
    batch: int = 1,
) -> None:
    """Clean the records of a JSONL stream, writing one line per kept record, in order.

    Unparseable or oversized lines are dropped (and recorded); records that parse but have no
    string text field are written unchanged (and recorded). Up to ``batch`` records are
    cleaned together (:meth:`Pipeline.explain_many`); a line that is not a record to clean
    first finishes those before it, so outputs and records keep the input's order.
    """
    config = tally.config
    field_name = config.text_field
    lineno = start_line
    waiting = _Waiting(tally, batch)

    def finish(record: dict[str, Any], huge: list[str], report: Report, kept: bytes | None):
        if kept is None:
            return  # dropped by a filter (another language): the record goes
        record[field_name] = report.text
        write(_dump_record(record, huge) + b"\n")

    try:
        for line in iter_lines(
            stream, max_bytes=config.max_doc_bytes, end=end, decompressed_cap=cap
        ):
            lineno += 1
            if position is not None:
                tally.tick(position())
            where: dict[str, Any] = {"source": display, "line": lineno}
            if isinstance(line, TooLong):
                waiting.reject(
                    where,
                    "too-large",
                    f"{line.length} bytes is over --max-doc-bytes {config.max_doc_bytes}",
                    "dropped",
                )
                continue
            if not line.strip():
                continue
            huge: list[str] = []
            try:
                raw, warnings = decode_document(line, errors=config.decode_errors)
                record = json.loads(raw, parse_float=partial(_parse_float, huge))
            except DocumentError as exc:
                waiting.reject(where, exc.reason, exc.message, "dropped")
                continue
            except ValueError as exc:
                waiting.reject(where, "bad-json", f"not valid JSON: {exc}", "dropped")
                continue
            if not isinstance(record, dict):
                waiting.reject(
                    where, "not-an-object", "the line is JSON but not an object", "kept unchanged"
                )
                write(line if line.endswith(b"\n") else line + b"\n")
                continue
            if "id" in record and isinstance(record["id"], str | int):
                where["id"] = record["id"]
            text = record.get(field_name)
            if not isinstance(text, str):
                reason = "missing-text-field" if text is None else "text-not-a-string"
                waiting.reject(
                    where, reason, f"no string field {field_name!r} in the record", "kept unchanged"
                )
                write(line if line.endswith(b"\n") else line + b"\n")
                continue
            waiting.add(where, text, warnings, partial(finish, record, huge))
        waiting.flush()
    except GZIP_ERRORS as exc:
        err = describe_gzip_error(exc)
        waiting.reject(
            {"source": display, "line": lineno + 1},
            err.reason,
            f"{err.message}; the {lineno} lines before were kept",
            "stopped",
        )
    except DocumentError as exc:  # gzip bomb
        waiting.reject({"source": display, "line": lineno + 1}, exc.reason, exc.message, "stopped")
    except OSError as exc:
        if isinstance(exc, OutputError):
            raise
        waiting.reject(
            {"source": display, "line": lineno + 1},
            "unreadable",
            f"read failed: {exc.strerror or exc}",
            "stopped",
        )


_Done = Callable[[Report, "bytes | None"], None]
#: Documents a shard cleans together (:meth:`Pipeline.explain_many`), and the characters of
#: text they may hold at most: the batch is cleaned when either is reached.
BATCH_DOCS = BATCH_SIZE
BATCH_CHARS = 4 * MiB


class _Waiting:
    """Documents read and waiting to be cleaned together, each with what to do once it is:
    ``done(report, kept)``, called in order; ``kept`` is the cleaned text's bytes, or None
    when a filter dropped the document."""

    def __init__(self, tally: _Tally, most: int) -> None:
        self.tally = tally
        self.most = most
        self.docs: list[tuple[dict[str, Any], str, list[str], _Done]] = []
        self.chars = 0

    def add(
        self,
        where: dict[str, Any],
        text: str,
        warnings: list[str],
        done: _Done,
    ) -> None:
        self.docs.append((where, text, warnings, done))
        self.chars += len(text)
        if len(self.docs) >= self.most or self.chars >= BATCH_CHARS:
            self.flush()

    def reject(self, where: dict[str, Any], reason: str, message: str, action: str) -> None:
        """Record a document that is not cleaned, after the ones read before it (so records,
        and outputs, keep the input's order)."""
        self.flush()
        self.tally.reject(where, reason, message, action)

    def flush(self) -> None:
        """Clean the waiting documents, count each, and hand each to its ``done``."""
        docs, self.docs, self.chars = self.docs, [], 0
        if not docs:
            return
        tally = self.tally
        reports = tally.config.pipeline.explain_many([text for _, text, _, _ in docs])
        for (where, text, warnings, done), report in zip(docs, reports, strict=True):
            done(report, tally.cleaned(where, text, report, warnings))


_HUGE = "\x00cleantext-number-"


def _parse_float(huge: list[str], literal: str) -> float | str:
    """A JSON number; one too large for a float (1e400) is kept as its literal text."""
    value = float(literal)
    if math.isfinite(value):
        return value
    huge.append(literal)
    return f"{_HUGE}{len(huge) - 1}"


def _dump_record(record: dict[str, Any], huge: list[str]) -> bytes:
    """Compact UTF-8 JSON; numbers beyond float range come back exactly as they were."""
    out = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
    for i, literal in enumerate(huge):
        out = out.replace(json.dumps(f"{_HUGE}{i}"), literal, 1)
    try:
        return out.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate ("\\ud800" in the input) stays escaped
        return _dump_ascii(record, huge)


def _dump_ascii(record: dict[str, Any], huge: list[str]) -> bytes:
    out = json.dumps(record, separators=(",", ":"))
    for i, literal in enumerate(huge):
        out = out.replace(json.dumps(f"{_HUGE}{i}"), literal, 1)
    return out.encode("ascii")


def report_line(record: dict[str, Any]) -> str:
    """One report record as a line of JSON: UTF-8 text, or ASCII escapes when it holds
    characters UTF-8 cannot encode (a file name with undecodable bytes).

    >>> print(report_line({"source": "a\\udcff.txt", "note": "é"}))
    {"source": "a\\udcff.txt", "note": "\\u00e9"}
    >>> print(report_line({"note": "é"}))
    {"note": "é"}
    """
    line = json.dumps(record, ensure_ascii=False)
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:
        line = json.dumps(record)
    return line


def clean_stream(
    stream: BinaryIO,
    out: BinaryIO,
    config: JobConfig,
    *,
    jsonl: bool,
    display: str = "<stdin>",
    report: Callable[[dict[str, Any]], None] | None = None,
) -> ShardResult:
    """Clean one document (or JSONL records) from a binary stream to another, in this process;
    ``report`` receives every document's record as it is made.

    Used for standard input and for a single file written to standard output.

    >>> import io
    >>> from cleantext import default_pipeline
    >>> out = io.BytesIO()
    >>> _ = clean_stream(io.BytesIO(b'{"id": 1, "text": "Hi. ."}\\n'), out,
    ...                  JobConfig(default_pipeline()), jsonl=True)
    >>> out.getvalue()
    b'{"id":1,"text":"Hi."}\\n'
    """
    tally = _Tally(config, report)
    where = {"source": display}
    if jsonl:
        if display.lower().endswith(".gz"):
            stream = gzip_reader(stream)  # type: ignore[assignment]
        _clean_jsonl(stream, _guard(out.write, "standard output"), display, tally)
    else:
        data = stream.read(config.max_doc_bytes + 1)
        if len(data) > config.max_doc_bytes:
            tally.reject(
                where, "too-large", f"over --max-doc-bytes {config.max_doc_bytes}", "skipped"
            )
        else:
            cleaned = _clean_document(data, where, tally)
            if cleaned is not None:
                out.write(cleaned)
    out.flush()
    return tally.result("stream", 0)


def _marker_path(shard: Shard, config: JobConfig) -> str | None:
    state = config.state_dir
    return None if state is None else os.path.join(state, "done", f"{shard.id}.json")


def _marker_key(shard: Shard, config: JobConfig) -> dict[str, Any]:
    return {
        "fingerprint": config.fingerprint,
        "shard": shard.id,
        "units": [[u.source, u.size, u.mtime_ns, u.start, u.end] for u in shard.units],
    }


def _recorded(blob: bytes, shard: Shard, config: JobConfig) -> ShardResult | None:
    """The result a completion marker's bytes record for ``shard`` under ``config`` (outputs
    relative to DST), or None when the marker is for other sources, options or report."""
    try:
        marker = json.loads(blob)
        if marker["key"] != _marker_key(shard, config):
            return None
        if config.report is not None and marker.get("report") != _report_mode(config):
            return None  # the earlier run wrote no report part (or another kind): redo
        return ShardResult(
            **{
                **marker["result"],
                "records": tuple(marker["result"]["records"]),
                "outputs": tuple(marker["result"]["outputs"]),
            }
        )
    except (ValueError, KeyError, TypeError):
        return None


def _finished(shard: Shard, config: JobConfig) -> ShardResult | None:
    path = _marker_path(shard, config)
    if path is None:
        return None
    try:
        with open(path, "rb") as fh:
            result = _recorded(fh.read(), shard, config)
    except OSError:
        return None
    if result is None:
        return None
    assert config.destination is not None
    result = replace(
        result, outputs=tuple(os.path.join(config.destination, o) for o in result.outputs)
    )
    part = _report_part(shard, config)
    if not all(os.path.isfile(p) for p in result.outputs):
        return None
    if part is not None and not os.path.isfile(part):
        return None
    return replace(result, resumed=True, report_part=part)


def _report_mode(config: JobConfig) -> str | None:
    if config.report is None:
        return None
    return "edits" if config.report_edits else "plain"


def _report_part(shard: Shard, config: JobConfig) -> str | None:
    parts = config.report_parts
    return None if parts is None else os.path.join(parts, f"{shard.id}.jsonl")


def _write_marker(shard: Shard, config: JobConfig, result: ShardResult) -> None:
    path = _marker_path(shard, config)
    if path is None:
        return
    assert config.destination is not None
    safe_output_dir(os.path.dirname(path), os.path.realpath(config.destination))
    kept = replace(
        result,
        outputs=tuple(os.path.relpath(o, config.destination) for o in result.outputs),
        report_part=None,
    )
    blob = json.dumps(  # ASCII: file names may hold undecodable bytes (surrogate escapes)
        {"key": _marker_key(shard, config), "result": asdict(kept), "report": _report_mode(config)}
    )
    with AtomicFile(path, fsync=config.fsync) as out:
        out.write(blob.encode())


def run_shard(shard: Shard, config: JobConfig) -> ShardResult:
    """Clean every input of ``shard`` and write its outputs atomically; return its counts.

    Idempotent: when the shard's completion marker matches its sources and the configuration,
    nothing is read or written and the recorded result comes back with ``resumed=True``.
    Bad inputs are recorded and skipped; an output that cannot be written raises
    :class:`~cleantext.io.OutputError` (and leaves no partial file). Inputs given as URLs are
    downloaded to a temporary folder first, one shard at a time; with a URL destination the
    shard is cleaned into a temporary folder and uploaded, its marker last
    (:func:`cleantext.remote.run_shard_to_url`).

    >>> import tempfile, pathlib
    >>> from cleantext import default_pipeline
    >>> src = pathlib.Path(tempfile.mkdtemp()); _ = (src / "a.txt").write_text("Hi. .")
    >>> config = JobConfig(default_pipeline(), tempfile.mkdtemp())
    >>> (shard,) = plan_shards([str(src)], config)
    >>> first, again = run_shard(shard, config), run_shard(shard, config)
    >>> first.docs, first.resumed, again.resumed
    (1, False, True)
    """
    if config.destination is not None and is_url(config.destination):
        from cleantext.remote import run_shard_to_url

        return run_shard_to_url(shard, config)
    done = _finished(shard, config)
    if done is not None:
        return done
    if shard.kind not in ("text", "jsonl"):
        raise ConfigError(f"unknown shard kind {shard.kind!r}")
    if any(is_url(u.source) for u in shard.units):
        from cleantext.remote import staged_inputs

        with staged_inputs(shard, config) as local:
            return _run_shard(shard, local, config)
    return _run_shard(shard, shard, config)


def _run_shard(shard: Shard, work: Shard, config: JobConfig) -> ShardResult:
    """Run ``work`` (``shard`` itself, or a copy whose units read staged local copies) and
    write the marker of ``shard``."""
    part = _report_part(shard, config)
    report = None
    if part is not None:
        root = _dst_root(config) if config.destination else os.path.realpath(config.report_parts)
        safe_output_dir(os.path.dirname(part), root)
        report = AtomicFile(part, fsync=config.fsync, sync_dir=False)
    tally = _Tally(config, None if report is None else _report_sink(report), shard.id)
    try:
        if work.kind == "text":
            _run_text_units(work.units, tally)
            tally.batch.commit()
        else:
            _run_jsonl_shard(work, tally)
        if report is not None:
            report.commit()
            tally.dirs.add(os.path.dirname(report.target))
        if config.fsync:  # the renames are durable before the marker says "done"
            for directory in sorted(tally.dirs):
                fsync_dir(directory)
    except BaseException:
        # What was written in full before the failure is kept, as if committed one by one.
        try:
            tally.batch.commit()
        except BaseException:
            tally.batch.abort()
        if report is not None:
            report.abort()
        raise
    result = tally.result(shard.id, shard.bytes, part)
    if not any(reason in TRANSIENT for reason in result.rejects):
        _write_marker(shard, config, result)  # else: a rerun tries the unreadable input again
    return result


def _report_sink(report: AtomicFile) -> Callable[[dict[str, Any]], None]:
    def sink(record: dict[str, Any]) -> None:
        report.write(report_line(record).encode("utf-8") + b"\n")

    return sink


def _dst_root(config: JobConfig) -> str:
    assert config.destination is not None
    return os.path.realpath(config.destination)


def _run_text_units(units: Sequence[Unit], tally: _Tally) -> None:
    """Clean a shard's text files in order, the documents read in batches of up to
    ``BATCH_DOCS`` (see :class:`_Waiting`); a file that is not cleaned (skipped, unreadable,
    undecodable) first finishes the batch before it, so records keep the files' order."""
    config = tally.config
    read = 0
    waiting = _Waiting(tally, BATCH_DOCS)

    def tick(size: int) -> None:
        nonlocal read
        read += size
        tally.tick(read)

    for unit in units:
        where = {"source": unit.display}
        if unit.kind == "skip":
            waiting.reject(where, unit.reason, unit.message, "skipped")
            tick(unit.size)
            continue
        try:
            data = read_document(unit.source, max_bytes=config.max_doc_bytes)
            text, warnings = decode_document(data, errors=config.decode_errors)
        except DocumentError as exc:
            waiting.reject(where, exc.reason, exc.message, "skipped")
            if exc.reason not in TRANSIENT:
                _remove_stale(unit, tally)
            tick(unit.size)
            continue
        waiting.add(where, text, warnings, partial(_keep_text_unit, unit, data, tally, tick))
    waiting.flush()


def _keep_text_unit(
    unit: Unit,
    data: bytes,
    tally: _Tally,
    tick: Callable[[int], None],
    _report: Report,
    cleaned: bytes | None,
) -> None:
    """Write a cleaned file's output (or, when a filter dropped it, remove a stale one)."""
    if cleaned is None:
        _remove_stale(unit, tally)
    elif tally.config.in_place:
        if cleaned != data:
            mode = os.stat(unit.source).st_mode & 0o7777
            _write_later(unit.source, cleaned, tally, mode=mode)
    else:
        tally.output_dir(os.path.dirname(unit.output))
        _write_later(unit.output, cleaned, tally)
        tally.outputs.append(unit.output)
    tick(unit.size)


def _write_later(target: str, data: bytes, tally: _Tally, mode: int | None = None) -> None:
    """Write ``data`` to a temporary file for ``target``; the shard's batch renames it."""
    out = AtomicFile(target, mode=mode, fsync=tally.config.fsync, sync_dir=False)
    out.write(data)
    tally.batch.add(out)
    tally.dirs.add(os.path.dirname(target))


def _remove_stale(unit: Unit, tally: _Tally) -> None:
    """An output an earlier run made from a source that now has none goes: DST mirrors SRC."""
    if tally.config.in_place or not unit.output or not os.path.lexists(unit.output):
        return
    folder = os.path.realpath(os.path.dirname(unit.output))
    if not is_within(folder, _dst_root(tally.config)):  # a link in DST that leads out of it
        raise OutputError(f"refusing to touch {unit.output}: it resolves outside the output")
    try:
        os.unlink(unit.output)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise OutputError(f"cannot remove the stale output {unit.output}: {exc.strerror}") from None
    tally.dirs.add(os.path.dirname(unit.output))


def _run_jsonl_shard(shard: Shard, tally: _Tally) -> None:
    config = tally.config
    (unit,) = shard.units
    if unit.kind == "skip":  # a URL input that could not be downloaded
        tally.reject({"source": unit.display}, unit.reason, unit.message, "skipped")
        return
    gz = unit.source.lower().endswith(".gz")
    try:
        fh = open_input(unit.source)
    except DocumentError as exc:
        tally.reject({"source": unit.display}, exc.reason, exc.message, "skipped")
        return
    with fh:
        start_line = 0
        if unit.lines_before >= 0:
            start_line = unit.lines_before
            fh.seek(unit.start)
        elif unit.start:
            start_line = _count_lines(fh, unit.start)
        if config.in_place:
            mode = os.fstat(fh.fileno()).st_mode & 0o7777
            target = AtomicFile(shard.output, mode=mode, fsync=config.fsync, sync_dir=False)
        else:
            safe_output_dir(os.path.dirname(shard.output), _dst_root(config))
            target = AtomicFile(shard.output, fsync=config.fsync, sync_dir=False)
        with target:
            sink = open_gzip_writer(target) if gz else None
            write = sink.write if sink is not None else target.write
            stream: BinaryIO = gzip_reader(fh) if gz else fh  # type: ignore[assignment]
            cap = config.max_gzip_ratio * unit.size + MiB if gz else None
            end = None if unit.end < 0 else unit.end
            try:
                _clean_jsonl(
                    stream,
                    _guard(write, shard.output),
                    unit.display,
                    tally,
                    end=end,
                    start_line=start_line,
                    cap=cap,
                    position=lambda: fh.tell() - unit.start,
                    batch=BATCH_DOCS,
                )
                if sink is not None:
                    sink.close()
            except OSError as exc:
                if isinstance(exc, OutputError):
                    raise
                raise OutputError(f"cannot write {shard.output}: {exc.strerror}") from None
    tally.outputs.append(shard.output)
    tally.dirs.add(os.path.dirname(shard.output))


def _guard(write: WriteFn, target: str) -> WriteFn:
    """Make any write failure an :class:`OutputError`, so it stops the run."""

    def guarded(data: bytes) -> None:
        try:
            write(data)
        except OutputError:
            raise
        except OSError as exc:
            raise OutputError(f"cannot write {target}: {exc.strerror}") from None

    return guarded


def _count_lines(fh: BinaryIO, upto: int) -> int:
    """Count the lines before byte ``upto`` (report line numbers stay file-wide) and leave
    the file positioned there."""
    fh.seek(0)
    count = _newlines(fh, upto)
    fh.seek(upto)
    return count


def _newlines(fh: BinaryIO, length: int) -> int:
    """The number of line breaks in the next ``length`` bytes of ``fh`` (fewer at its end)."""
    count = 0
    while length > 0:
        chunk = fh.read(min(length, 1 << 20))
        if not chunk:
            break
        count += chunk.count(b"\n")
        length -= len(chunk)
    return count
