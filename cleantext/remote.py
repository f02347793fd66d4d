"""Sources and destinations given as fsspec URLs: ``s3://bucket/prefix``, ``gs://...``, ...

The job itself (:mod:`cleantext.job`) works on local files, with its safety rules (atomic
renames, bounded reads, markers). URLs are handled around it, one shard at a time:

- **Planning** lists a URL source with ``fs.find(..., detail=True)``: the same include and
  exclude globs, the same order as a local walk, sizes for balancing, and an ETag (or a
  modification time) in place of a file's mtime, so resume notices a changed object. Object
  names that cannot be mirrored safely (``..``, ``.`` or empty path components) are rejected.
  A plain JSONL object larger than one part is read once while planning, to find its part
  boundaries and the number of lines before each (report line numbers stay file-wide).
- **Inputs**: a shard downloads its inputs to a local temporary folder (a few at a time), runs
  there and deletes them; a text object over ``max_doc_bytes`` is never downloaded.
- **Destination**: a shard is cleaned into a local temporary folder, then its outputs and its
  report part are uploaded, stale outputs deleted, and its completion marker uploaded last.
  An object store writes each object whole or not at all, so no reader sees a partial
  output, and a shard without its marker is simply redone by the next run.

``file://`` URLs are plain local paths (:func:`cleantext.io.local_path`). ``memory://`` works
only within one process (``--jobs 1``): each process has its own memory filesystem.

>>> import fsspec
>>> from cleantext import default_pipeline
>>> from cleantext.job import JobConfig, plan_shards, run_shard
>>> fsspec.filesystem("memory").pipe_file("/doc-src/a.txt", b"Hi. .\\n\\nLeave a Reply\\n")
>>> config = JobConfig(default_pipeline(), "memory://doc-dst")
>>> [run_shard(s, config).docs for s in plan_shards(["memory://doc-src"], config)]
[1]
>>> fsspec.filesystem("memory").cat_file("/doc-dst/a.txt")
b'Hi.\\n'
"""

from __future__ import annotations

import hashlib
import itertools
import os
import re
import tempfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from typing import IO, Any, TypeVar

from cleantext.errors import ConfigError
from cleantext.io import (
    OutputError,
    _matches,
    is_temp_file,
    is_url,
    is_within,
    url_protocol,
)
from cleantext.job import (
    STATE_DIR,
    TRANSIENT,
    JobConfig,
    Shard,
    ShardResult,
    Unit,
    _is_jsonl_input,
    _marker_path,
    _output_for,
    _recorded,
    _report_part,
    jsonl_part_end,
    run_shard,
)

__all__ = [
    "check_destination",
    "filesystem",
    "jsonl_ranges",
    "open_url",
    "prune_parts",
    "run_shard_to_url",
    "source_units",
    "staged_inputs",
]

CHUNK = 8 << 20  # bytes per ranged read while planning or staging a JSONL part
THREADS = 16  # concurrent downloads, uploads and existence checks per shard
_T = TypeVar("_T")
_R = TypeVar("_R")


def filesystem(url: str) -> tuple[Any, str]:
    """The fsspec filesystem for ``url`` and the path within it.

    Raises :class:`~cleantext.errors.ConfigError` naming what to install when fsspec, or
    the package implementing the protocol (``s3fs`` for ``s3://``), is missing, and for an
    unknown protocol.

    >>> fs, path = filesystem("memory://bucket/corpus")
    >>> type(fs).__name__, path
    ('MemoryFileSystem', '/bucket/corpus')
    >>> filesystem("nosuchfs://x/y")
    Traceback (most recent call last):
    ...
    cleantext.errors.ConfigError: nosuchfs://x/y: fsspec knows no protocol 'nosuchfs'
    """
    protocol = url_protocol(url) or "file"
    try:
        import fsspec
        from fsspec.registry import known_implementations
    except ImportError:
        raise ConfigError(
            f"{url}: URLs need fsspec (and s3fs for s3://, gcsfs for gs://): "
            'pip install "cleantext-corpus[fsspec]"'
        ) from None
    try:
        return fsspec.core.url_to_fs(url)
    except ImportError as exc:  # a known protocol whose package is not installed
        spec = known_implementations.get(protocol, {})
        package = str(spec.get("class", "")).split(".", 1)[0]
        hint = f" (pip install {package})" if package else ""
        raise ConfigError(f"{url}: {exc}{hint}") from None
    except ValueError as exc:
        if "Protocol not known" in str(exc):
            raise ConfigError(f"{url}: fsspec knows no protocol {protocol!r}") from None
        raise ConfigError(f"{url}: {exc}") from None


def open_url(url: str) -> IO[bytes]:
    """Open a URL for binary reading (streaming, not loaded whole).

    >>> import fsspec; fsspec.filesystem("memory").pipe_file("/open-doc/a.txt", b"abc")
    >>> with open_url("memory://open-doc/a.txt") as fh:
    ...     fh.read()
    b'abc'
    """
    fs, path = filesystem(url)
    return fs.open(path, "rb")


def _describe(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


def _parallel(fn: Callable[[_T], _R], items: Sequence[_T]) -> list[_R | BaseException]:
    """``fn`` over ``items`` in a few threads, in order; an exception is returned, not raised."""

    def call(item: _T) -> _R | BaseException:
        try:
            return fn(item)
        except Exception as exc:
            return exc

    if len(items) <= 1:
        return [call(item) for item in items]
    with ThreadPoolExecutor(min(THREADS, len(items))) as pool:
        return list(pool.map(call, items))


# --------------------------------------------------------------------------------- planning


def _walk_key(rel: str) -> list[tuple[int, str]]:
    """Sort key giving a local walk's order: a folder's files by name, then its sub-folders."""
    parts = rel.split("/")
    return [(1, p) for p in parts[:-1]] + [(0, parts[-1])]


def _unsafe(rel: str) -> bool:
    """True for object names that would not stay below DST when mirrored (``a/../b``)."""
    return "\x00" in rel or any(p in ("", ".", "..") for p in rel.split("/"))


def _version(info: dict[str, Any]) -> int:
    """A number that changes when the object changes: from its content hash (ETag, MD5) when
    the store gives one, else from its modification time; 0 when it gives neither."""
    for keys in (
        ("ETag", "etag", "md5Hash", "crc32c", "checksum"),
        ("mtime", "LastModified", "last_modified", "updated", "modified", "created"),
    ):
        found = [f"{k}={info[k]}" for k in keys if info.get(k) not in (None, "")]
        if found:
            return int(hashlib.sha256("|".join(found).encode()).hexdigest()[:15], 16)
    return 0


def _check_not_inside(given: str, fs: Any, root: str, config: JobConfig) -> None:
    dst = config.destination
    if dst is None or not is_url(dst):
        return
    dst_fs, dst_root = filesystem(dst)
    if type(dst_fs) is type(fs) and is_within(dst_root.rstrip("/"), root):
        raise ConfigError(
            f"the output directory {dst} is inside the source {given}: "
            "choose a destination outside it"
        )


def source_units(given: str, config: JobConfig) -> list[Unit]:
    """The units of one URL source (an object, or a prefix walked like a directory), in the
    order a local walk would give; outputs go below ``config.destination`` as for a local
    source. Raises :class:`~cleantext.errors.ConfigError` when the source does not exist or
    cannot be listed.

    >>> import fsspec
    >>> from cleantext import default_pipeline
    >>> fs = fsspec.filesystem("memory")
    >>> for name in ("b/z.txt", "a.txt", "b/c/d.txt", "notes.md"):
    ...     fs.pipe_file(f"/units-doc/{name}", b"x")
    >>> config = JobConfig(default_pipeline(), "memory://units-out")
    >>> [u.output for u in source_units("memory://units-doc", config)]
    ['memory://units-out/a.txt', 'memory://units-out/b/z.txt', 'memory://units-out/b/c/d.txt']
    """
    fs, root = filesystem(given)
    root = root.rstrip("/") or root
    base = given.rstrip("/")
    try:
        fs.invalidate_cache()  # a long-lived process (a Dask worker) must see what changed
        info = fs.info(root)
    except FileNotFoundError:
        raise ConfigError(f"no such file or directory: {given}") from None
    except Exception as exc:
        raise ConfigError(f"cannot read {given}: {_describe(exc)}") from None
    dst = config.destination
    if info.get("type") != "directory":
        name = root.rsplit("/", 1)[-1]
        return [_unit(given, given, name, info, config)]
    _check_not_inside(given, fs, root, config)
    try:
        listing = fs.find(root, detail=True)
    except Exception as exc:
        raise ConfigError(f"cannot list {given}: {_describe(exc)}") from None
    entries = []
    for path, meta in listing.items():
        if meta.get("type", "file") != "file" or not path.startswith(root + "/"):
            continue
        entries.append((path[len(root) + 1 :], meta))
    entries.sort(key=lambda entry: _walk_key(entry[0]))
    units = []
    for rel, meta in entries:
        name = rel.rsplit("/", 1)[-1]
        if is_temp_file(name) or not _matches(rel, config.include):
            continue
        if config.exclude:
            folders = list(itertools.accumulate(rel.split("/")[:-1], lambda a, b: f"{a}/{b}"))
            if _matches(rel, config.exclude) or any(_matches(f, config.exclude) for f in folders):
                continue
        url = f"{base}/{rel}"
        if _unsafe(rel):
            units.append(
                Unit(
                    "skip",
                    url,
                    url,
                    reason="unsafe-name",
                    message="the object name has an empty, '.' or '..' path component: "
                    f"it cannot be mirrored below {dst}",
                )
            )
            continue
        units.append(_unit(url, url, rel, meta, config))
    return units


def _unit(url: str, display: str, rel: str, info: dict[str, Any], config: JobConfig) -> Unit:
    kind = "jsonl" if _is_jsonl_input(url, config) else "text"
    size = int(info.get("size") or 0)
    return Unit(
        kind, url, display, _output_for(kind, config.destination, rel), size, _version(info)
    )


def jsonl_ranges(url: str, size: int, step: int) -> list[tuple[int, int, int]]:
    """Split a plain JSONL object at line starts where :func:`~cleantext.job.jsonl_part_end`
    says (parts of ``step`` bytes, smaller toward the end), exactly where a local file would
    be split; return ``(start, end, lines before start)`` for each part.

    An object of at most ``step`` bytes is one part and is not read; a larger one is read
    once, in ranged chunks (memory stays bounded).

    >>> import fsspec
    >>> fsspec.filesystem("memory").pipe_file("/ranges-doc.jsonl", b"ab\\ncd\\nef\\n")
    >>> jsonl_ranges("memory://ranges-doc.jsonl", 9, 4)
    [(0, 6, 0), (6, 9, 2)]
    """
    first = jsonl_part_end(0, size, step)
    if first is None:
        return [(0, size, 0)]
    fs, path = filesystem(url)
    bounds = [(0, 0)]
    target: int | None = first - 1  # the first line break at or after this ends the part
    pos = lines = 0
    try:
        while pos < size and target is not None:
            chunk = fs.cat_file(path, start=pos, end=min(size, pos + CHUNK))
            if not chunk:
                break
            i = max(0, target - pos)
            while target is not None:
                j = chunk.find(b"\n", i)
                if j < 0:
                    break
                bound = pos + j + 1
                if bound >= size:
                    target = None
                    break
                bounds.append((bound, lines + chunk.count(b"\n", 0, j + 1)))
                end = jsonl_part_end(bound, size, step)
                target = None if end is None else end - 1
                if target is not None:
                    i = target - pos
            lines += chunk.count(b"\n")
            pos += len(chunk)
    except Exception as exc:
        raise ConfigError(f"cannot read {url}: {_describe(exc)}") from None
    ends = [b for b, _ in bounds[1:]] + [size]
    return [(start, end, before) for (start, before), end in zip(bounds, ends, strict=True)]


# --------------------------------------------------------------------------------- inputs


def _download(fs: Any, path: str, local: str, start: int, end: int) -> None:
    """Copy bytes ``[start, end)`` of ``path`` (``end < 0``: to its end) to ``local``."""
    if start == 0 and end < 0:
        fs.get_file(path, local)
        return
    with open(local, "wb") as out:
        pos = start
        while pos < end:
            chunk = fs.cat_file(path, start=pos, end=min(end, pos + CHUNK))
            if not chunk:
                raise OSError(f"the object ended at byte {pos}, before {end}: it changed")
            out.write(chunk)
            pos += len(chunk)


def _count_lines_before(fs: Any, path: str, start: int) -> int:
    lines = pos = 0
    while pos < start:
        chunk = fs.cat_file(path, start=pos, end=min(start, pos + CHUNK))
        if not chunk:
            break
        lines += chunk.count(b"\n")
        pos += len(chunk)
    return lines


def _stage(unit: Unit, local: str, config: JobConfig) -> Unit:
    """Download what ``unit`` reads to ``local``; the unit to run instead (reading ``local``,
    or a ``skip`` unit when the download failed: a rerun tries again)."""
    try:
        fs, path = filesystem(unit.source)
        if unit.kind == "text" and unit.size > config.max_doc_bytes:
            with open(local, "wb") as out:  # rejected as too large without reading it
                out.truncate(unit.size)  # a sparse file: no disk space, no download
            return replace(unit, source=local)
        whole = unit.start == 0 and (unit.end < 0 or unit.end >= unit.size)
        if unit.kind == "text" or whole:
            _download(fs, path, local, 0, -1)
            return replace(unit, source=local)
        before = unit.lines_before
        if before < 0:
            before = _count_lines_before(fs, path, unit.start)
        _download(fs, path, local, unit.start, unit.end)
        return replace(unit, source=local, start=0, end=-1, lines_before=before)
    except ConfigError:
        raise
    except Exception as exc:
        message = f"cannot read: {_describe(exc)}"
        return replace(unit, kind="skip", reason="unreadable", message=message)


@contextmanager
def staged_inputs(shard: Shard, config: JobConfig) -> Iterator[Shard]:
    """``shard`` with every URL input downloaded to a local temporary folder (deleted on
    exit); local inputs are left as they are. Identity (id, sources in the marker) stays
    the caller's: only what the units read changes.

    >>> import fsspec, os
    >>> from cleantext import default_pipeline
    >>> from cleantext.job import plan_shards
    >>> fsspec.filesystem("memory").pipe_file("/staged-doc/a.txt", b"Hi. .")
    >>> config = JobConfig(default_pipeline(), tempfile.mkdtemp())
    >>> (shard,) = plan_shards(["memory://staged-doc"], config)
    >>> with staged_inputs(shard, config) as local:
    ...     open(local.units[0].source, "rb").read(), local.id == shard.id
    (b'Hi. .', True)
    """
    with tempfile.TemporaryDirectory(prefix="cleantext-in-") as tmp:
        todo = [(i, u) for i, u in enumerate(shard.units) if u.kind != "skip" and is_url(u.source)]

        def stage(item: tuple[int, Unit]) -> Unit:
            i, unit = item
            suffix = ".gz" if unit.source.lower().endswith(".gz") else ""
            return _stage(unit, os.path.join(tmp, f"{i:05d}{suffix}"), config)

        units = list(shard.units)
        for (i, _), staged in zip(todo, _parallel(stage, todo), strict=True):
            if isinstance(staged, BaseException):
                raise staged  # a ConfigError: fsspec or its protocol is missing here
            units[i] = staged
        yield replace(shard, units=tuple(units))


# ---------------------------------------------------------------------------- destination


def _rel(url: str, dst: str) -> str:
    if not url.startswith(dst + "/"):
        raise OutputError(f"refusing to write {url}: it is outside {dst}")
    return url[len(dst) + 1 :]


def _exists_all(fs: Any, paths: Sequence[str]) -> bool:
    for path in {os.path.dirname(p) for p in paths}:
        fs.invalidate_cache(path)
    return all(found is True for found in _parallel(fs.exists, paths))


def _finished_at(shard: Shard, config: JobConfig, fs: Any, root: str) -> ShardResult | None:
    """The recorded result when the shard's marker at the URL destination matches and every
    output it lists (and the report part, when a report is asked for) is there."""
    dst = config.destination
    assert dst is not None
    try:
        blob = fs.cat_file(f"{root}/{STATE_DIR}/done/{shard.id}.json")
    except Exception:  # missing, or unreadable just now: run the shard
        return None
    result = _recorded(blob, shard, config)
    if result is None:
        return None
    needed = [f"{root}/{o}" for o in result.outputs]
    part = _report_part(shard, config)
    if part is not None:
        needed.append(f"{root}/{_rel(part, dst)}")
    if not _exists_all(fs, needed):
        return None
    outputs = tuple(f"{dst}/{o}" for o in result.outputs)
    return replace(result, outputs=outputs, resumed=True, report_part=part)


def _upload(fs: Any, pairs: Sequence[tuple[str, str]]) -> None:
    """Upload ``(local file, remote path)`` pairs; any failure stops the run."""
    for (local, path), done in zip(pairs, _parallel(lambda p: fs.put_file(*p), pairs), strict=True):
        if isinstance(done, BaseException):
            raise OutputError(f"cannot upload {local} to {path}: {_describe(done)}")


def run_shard_to_url(shard: Shard, config: JobConfig) -> ShardResult:
    """Run a shard whose destination is a URL: skip it when its marker there says it is done;
    else clean it into a local temporary folder with :func:`~cleantext.job.run_shard`,
    upload the outputs and the report part, delete outputs an earlier run made from inputs
    now rejected or dropped, and upload the marker last. Upload failures raise
    :class:`~cleantext.io.OutputError`.

    >>> import fsspec
    >>> from cleantext import default_pipeline
    >>> from cleantext.job import plan_shards
    >>> fsspec.filesystem("memory").pipe_file("/to-url-doc/a.txt", b"Hi. .")
    >>> config = JobConfig(default_pipeline(), "memory://to-url-out")
    >>> (shard,) = plan_shards(["memory://to-url-doc"], config)
    >>> [(r.outputs, r.resumed) for r in (run_shard_to_url(shard, config),) * 1]
    [(('memory://to-url-out/a.txt',), False)]
    >>> run_shard_to_url(shard, config).resumed
    True
    """
    dst = config.destination
    assert dst is not None and is_url(dst)
    fs, root = filesystem(dst)
    root = root.rstrip("/")
    done = _finished_at(shard, config, fs, root)
    if done is not None:
        return done
    with tempfile.TemporaryDirectory(prefix="cleantext-out-") as tmp:
        local = replace(config, destination=tmp, fsync=False)  # the upload is what counts
        base = local.destination
        assert base is not None

        def here(url: str) -> str:
            return os.path.join(base, _rel(url, dst))

        work = replace(
            shard,
            output=here(shard.output) if shard.output else "",
            units=tuple(replace(u, output=here(u.output)) if u.output else u for u in shard.units),
        )
        result = run_shard(work, local)
        rel = [os.path.relpath(o, base) for o in result.outputs]
        _upload(fs, [(o, f"{root}/{r}") for o, r in zip(result.outputs, rel, strict=True)])
        part = _report_part(shard, config)
        if result.report_part is not None and part is not None:
            _upload(fs, [(result.report_part, f"{root}/{_rel(part, dst)}")])
        _remove_stale(fs, root, dst, shard, work, result)
        marker = _marker_path(work, local)
        if marker is not None and os.path.exists(marker):  # none after a transient reject
            _upload(fs, [(marker, f"{root}/{STATE_DIR}/done/{shard.id}.json")])
    return replace(result, outputs=tuple(f"{dst}/{r}" for r in rel), report_part=part)


def _remove_stale(
    fs: Any, root: str, dst: str, shard: Shard, work: Shard, result: ShardResult
) -> None:
    """Delete the outputs an earlier run made from text inputs that now have none (rejected,
    or dropped by a filter), as a local run does; inputs that could not be read keep theirs."""
    if shard.kind != "text" or len(result.records) < result.rejected:
        return  # not every reject is known by name: keep what is there
    transient = {r.get("source") for r in result.records if r.get("reason") in TRANSIENT}
    made = set(result.outputs)
    paths = [
        f"{root}/{_rel(unit.output, dst)}"
        for unit, ran in zip(shard.units, work.units, strict=True)
        if ran.kind != "skip" and ran.output and ran.output not in made
        and ran.display not in transient
    ]  # fmt: skip
    for path, done in zip(paths, _parallel(_remover(fs), paths), strict=True):
        if isinstance(done, BaseException):
            raise OutputError(f"cannot remove the stale output {path}: {_describe(done)}")


def _remover(fs: Any) -> Callable[[str], None]:
    def remove(path: str) -> None:
        try:
            fs.rm_file(path)
        except FileNotFoundError:
            pass

    return remove


def prune_parts(dst: str, planned: dict[str, set[str]], pattern: re.Pattern[str]) -> int:
    """Delete JSONL parts below the URL destination ``dst`` that this plan does not make;
    ``planned`` maps each output folder URL to its part names. Returns how many went.

    >>> import fsspec, re
    >>> fs = fsspec.filesystem("memory")
    >>> for name in ("part-00000.jsonl", "part-00001.jsonl"):
    ...     fs.pipe_file(f"/prune-doc/news/{name}", b"")
    >>> prune_parts("memory://prune-doc", {"memory://prune-doc/news": {"part-00000.jsonl"}},
    ...             re.compile(r"^part-\\d{5}\\.jsonl$"))
    1
    """
    fs, root = filesystem(dst)
    root = root.rstrip("/")
    removed = 0
    for folder, names in planned.items():
        path = f"{root}/{_rel(folder, dst)}"
        try:
            fs.invalidate_cache(path)
            existing = fs.ls(path, detail=False)
        except FileNotFoundError:
            continue
        except Exception as exc:
            raise OutputError(f"cannot list {folder}: {_describe(exc)}") from None
        for entry in existing:
            name = entry.rstrip("/").rsplit("/", 1)[-1]
            if pattern.match(name) and name not in names:
                try:
                    fs.rm_file(f"{path}/{name}")
                except Exception as exc:
                    raise OutputError(f"cannot remove {folder}/{name}: {_describe(exc)}") from None
                removed += 1
    return removed


def check_destination(dst: str) -> None:
    """Check a URL destination before any work: it is not an existing object, and on a
    store with buckets (``s3://bucket/...``) the bucket exists; on other filesystems the
    folder is created. Raises :class:`~cleantext.errors.ConfigError` or
    :class:`~cleantext.io.OutputError`.

    >>> check_destination("memory://check-doc/out")
    """
    fs, root = filesystem(dst)
    root = root.rstrip("/")
    try:
        if root and fs.isfile(root):
            raise OutputError(f"the output {dst} exists and is not a directory")
        if not fs.root_marker:  # bucket/key stores: the bucket is the first component
            bucket = root.split("/", 1)[0]
            if not bucket or not fs.exists(bucket):
                raise ConfigError(
                    f"{dst}: the bucket {bucket!r} does not exist (or these credentials "
                    "cannot see it); create it first"
                )
        else:
            fs.makedirs(root, exist_ok=True)
    except (ConfigError, OutputError):
        raise
    except Exception as exc:
        raise OutputError(f"cannot write to {dst}: {_describe(exc)}") from None
