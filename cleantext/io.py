"""Sources and sinks: reading documents safely, walking trees, writing outputs atomically.

Reading follows one documented decoding rule (:func:`decode_document`); writing always goes to a
temporary file in the destination directory, is fsynced and renamed into place
(:class:`AtomicFile`), so a reader never sees a truncated output, whatever kills the process.

Decoding rule, in order:

1. zero bytes: rejected (``empty``);
2. a UTF-32 or UTF-16 byte-order mark: decoded as that encoding (a ``warnings`` note says so);
   a UTF-8 byte-order mark is dropped;
3. a NUL byte: rejected (``binary``): a binary file, or UTF-16 without a byte-order mark;
4. anything else must be UTF-8: invalid bytes reject the document (``invalid-utf8``, with the
   offset), or, with ``errors="replace"``, become U+FFFD and a warning records how many.

Nothing else is guessed: no silent mangling, no newline translation (``\\r\\n`` reaches the
pipeline as it was).
"""

from __future__ import annotations

import codecs
import fnmatch
import functools
import gzip
import itertools
import os
import re
import secrets
import stat
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from cleantext._syncfs import syncfs
from cleantext.errors import CleantextError

__all__ = [
    "TEMP_MARK",
    "AtomicFile",
    "CommitBatch",
    "DocumentError",
    "GzipBombError",
    "OutputError",
    "WalkEntry",
    "decode_document",
    "fsync_dir",
    "is_jsonl",
    "is_temp_file",
    "is_url",
    "is_within",
    "iter_lines",
    "local_path",
    "open_input",
    "read_document",
    "remove_temp_files",
    "safe_output_dir",
    "sweep_temp_files",
    "url_protocol",
    "walk_tree",
]

TEMP_MARK = ".cleantext-tmp-"
_TEMP_RE = re.compile(r"^\..+" + re.escape(TEMP_MARK) + r"\d+-[0-9a-f]{8}$")
_CHUNK = 1 << 16


class DocumentError(CleantextError, ValueError):
    """One document that cannot be cleaned: ``reason`` is a stable key, the message says why.

    >>> DocumentError("empty", "the file is empty").reason
    'empty'
    """

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(reason, message)
        self.reason = reason
        self.message = message

    def __str__(self) -> str:
        return self.message


class OutputError(CleantextError, OSError):
    """An output that cannot be written (disk full, not a directory, outside DST): stops the run.

    >>> str(OutputError("cannot write out/a.txt: No space left on device"))
    'cannot write out/a.txt: No space left on device'
    """

    def __reduce__(self):  # OSError's own pickling would reorder the arguments
        return (OutputError, (str(self),))

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class GzipBombError(DocumentError):
    """A compressed input that expands beyond the allowed ratio."""


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode_document(data: bytes, *, errors: str = "reject") -> tuple[str, list[str]]:
    """Decode one document's bytes by the module's decoding rule; return (text, warnings).

    Raises :class:`DocumentError` for an empty, binary or (with ``errors="reject"``) invalid
    UTF-8 document.

    >>> decode_document("Blinken’s visit".encode())
    ('Blinken’s visit', [])
    >>> decode_document(b"\\xff\\xfeh\\x00i\\x00")
    ('hi', ['decoded as UTF-16 (byte-order mark)'])
    >>> decode_document(b"caf\\xe9", errors="replace")
    ('caf�', ['1 invalid UTF-8 byte(s) replaced by U+FFFD'])
    """
    if not data:
        raise DocumentError("empty", "empty document")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise DocumentError(
                    "invalid-encoding", f"invalid {encoding.upper()} at byte {exc.start}"
                ) from None
            if "\x00" in text:
                raise DocumentError("binary", f"NUL characters in a {encoding.upper()} document")
            return text, [f"decoded as {encoding.upper()} (byte-order mark)"]
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    nul = data.find(b"\x00")
    if nul >= 0:
        raise DocumentError(
            "binary",
            f"NUL byte at offset {nul}: a binary file, or UTF-16 without a byte-order mark",
        )
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        if errors != "replace":
            raise DocumentError(
                "invalid-utf8",
                f"invalid UTF-8 at byte {exc.start} ({data[exc.start : exc.start + 4]!r}); "
                "use --decode-errors replace to keep it with U+FFFD",
            ) from None
    text = data.decode("utf-8", errors="replace")
    bad = _count_invalid(data)
    return text, [f"{bad} invalid UTF-8 byte(s) replaced by U+FFFD"]


def _count_invalid(data: bytes) -> int:
    count = 0
    while True:
        try:
            data.decode("utf-8")
            return count
        except UnicodeDecodeError as exc:
            count += exc.end - exc.start
            data = data[exc.end :]


def is_jsonl(path: str | os.PathLike[str]) -> bool:
    """True for ``.jsonl`` and ``.jsonl.gz`` names.

    >>> is_jsonl("a/b.jsonl.gz"), is_jsonl("b.txt")
    (True, False)
    """
    name = os.fspath(path).lower()
    return name.endswith((".jsonl", ".jsonl.gz"))


def is_temp_file(name: str) -> bool:
    """True for the temporary files :class:`AtomicFile` creates (swept on resume).

    >>> is_temp_file(".a.txt.cleantext-tmp-12-0a1b2c3d"), is_temp_file("a.txt")
    (True, False)
    """
    return bool(_TEMP_RE.match(name))


_PROTOCOL = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*)(?:::|://)")
_LOCAL_PROTOCOLS = frozenset({"file", "local"})


def url_protocol(path: str | os.PathLike[str]) -> str | None:
    """The fsspec protocol of a URL (the first one of a chain such as
    ``simplecache::s3://...``), or None for a local path. Only a string holding ``://``
    counts as a URL, so no file name is ever taken for one by accident.

    >>> url_protocol("s3://bucket/a.txt"), url_protocol("file:///tmp/a"), url_protocol("a/b")
    ('s3', 'file', None)
    """
    if not isinstance(path, str) or "://" not in path:
        return None
    match = _PROTOCOL.match(path)
    return match.group(1).lower() if match else None


def is_url(path: str | os.PathLike[str] | None) -> bool:
    """True for a URL that fsspec must open (``s3://``, ``gs://``, ...); False for a local
    path and for ``file://`` URLs (see :func:`local_path`).

    >>> is_url("s3://bucket/prefix"), is_url("file:///tmp/x"), is_url("/tmp/s3:x")
    (True, False, False)
    """
    protocol = url_protocol(path) if path is not None else None
    return protocol is not None and protocol not in _LOCAL_PROTOCOLS


def local_path(path: str) -> str:
    """``file:///abs/path`` (or ``local://``) as the local path it names; anything else as is.

    >>> local_path("file:///tmp/corpus"), local_path("s3://bucket/x"), local_path("out")
    ('/tmp/corpus', 's3://bucket/x', 'out')
    """
    if url_protocol(path) in _LOCAL_PROTOCOLS and "::" not in path.split("://", 1)[0]:
        return path.split("://", 1)[1] or "/"
    return path


def is_within(path: str | os.PathLike[str], root: str | os.PathLike[str]) -> bool:
    """True when ``path`` is ``root`` or below it (both taken literally; resolve them first).

    >>> is_within("/a/b/c", "/a/b"), is_within("/a/bc", "/a/b")
    (True, False)
    """
    path, root = os.fspath(path), os.fspath(root)
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def open_input(path: str | os.PathLike[str]) -> BinaryIO:
    """Open a regular file for binary reading without following a final symbolic link.

    Raises :class:`DocumentError` (``unreadable``) when it cannot be opened or is not a regular
    file (a FIFO would block the run forever).

    >>> import tempfile, os
    >>> open_input(tempfile.mkdtemp())
    Traceback (most recent call last):
    ...
    cleantext.io.DocumentError: not a regular file
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | os.O_NONBLOCK)
    except OSError as exc:
        raise DocumentError("unreadable", f"cannot open: {exc.strerror}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise DocumentError("not-a-regular-file", "not a regular file")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_document(path: str | os.PathLike[str], *, max_bytes: int) -> bytes:
    """Read a whole text document, refusing one larger than ``max_bytes`` before reading it.

    Raises :class:`DocumentError` (``too-large``, ``unreadable``, ...).

    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "a.txt")
    >>> _ = open(path, "wb").write(b"12345")
    >>> read_document(path, max_bytes=10)
    b'12345'
    >>> read_document(path, max_bytes=4)
    Traceback (most recent call last):
    ...
    cleantext.io.DocumentError: 5 bytes is over --max-doc-bytes 4
    """
    with open_input(path) as fh:
        size = os.fstat(fh.fileno()).st_size
        if size > max_bytes:
            raise DocumentError("too-large", f"{size} bytes is over --max-doc-bytes {max_bytes}")
        try:
            # Ask for the size the file has, plus a byte to see it grow: asking for max_bytes
            # made Python reserve (and the kernel map) that much memory for every document.
            data = fh.read(size + 1)
            if len(data) > size:  # it grew since fstat: read on, up to the limit
                data += fh.read(max_bytes + 1 - len(data))
        except OSError as exc:
            raise DocumentError("unreadable", f"cannot read: {exc.strerror}") from None
    if len(data) > max_bytes:
        raise DocumentError("too-large", f"over --max-doc-bytes {max_bytes}")
    return data


@dataclass(frozen=True)
class TooLong:
    """A line that exceeded the limit; only its length is kept, never its bytes."""

    length: int


def iter_lines(
    stream: BinaryIO,
    *,
    max_bytes: int,
    end: int | None = None,
    decompressed_cap: int | None = None,
) -> Iterator[bytes | TooLong]:
    """Yield the ``\\n``-terminated lines of a binary stream (``\\n`` only: never U+2028 or
    form feed), each at most ``max_bytes`` long; a longer line yields :class:`TooLong` and is
    skipped in bounded memory. Stops once the stream position reaches ``end``.

    ``decompressed_cap`` bounds the total bytes read (a gzip bomb raises
    :class:`GzipBombError`).

    >>> import io
    >>> list(iter_lines(io.BytesIO(b'{"a": 1}\\n{"b": "x\\xe2\\x80\\xa8y"}\\n'), max_bytes=100))
    [b'{"a": 1}\\n', b'{"b": "x\\xe2\\x80\\xa8y"}\\n']
    """
    total = 0
    while end is None or stream.tell() < end:
        line = stream.readline(max_bytes + 1)
        if not line:
            return
        total += len(line)
        if len(line) > max_bytes and not line.endswith(b"\n"):
            length = len(line)
            while True:
                if decompressed_cap is not None and total > decompressed_cap:
                    raise GzipBombError(
                        "gzip-bomb", f"expands beyond {decompressed_cap} bytes; stopped reading"
                    )
                more = stream.readline(_CHUNK)
                total += len(more)
                length += len(more)
                if not more or more.endswith(b"\n"):
                    break
            yield TooLong(length)
        else:
            yield line
        if decompressed_cap is not None and total > decompressed_cap:
            raise GzipBombError(
                "gzip-bomb", f"expands beyond {decompressed_cap} bytes; stopped reading"
            )


def fsync_dir(path: str) -> None:
    """Make a rename in ``path`` durable (best effort: some file systems refuse)."""
    _fsync_dir(path)


def _fsync_dir(path: str) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


_OPENED = itertools.count()


class AtomicFile:
    """A binary file written to a temporary name in its directory, then renamed into place.

    ``commit()`` flushes, fsyncs, closes and renames (and fsyncs the folder, unless
    ``sync_dir=False``: the caller then syncs it once for many files); ``abort()`` (or
    leaving the ``with`` block on an exception) deletes the temporary file. Any failure
    raises :class:`OutputError` naming the target, and no truncated file is ever left under
    the target name.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> with AtomicFile(d / "a.txt") as out:
    ...     out.write(b"hello")
    >>> (d / "a.txt").read_bytes()
    b'hello'
    """

    def __init__(
        self,
        target: str | os.PathLike[str],
        *,
        mode: int | None = None,
        fsync: bool = True,
        sync_dir: bool = True,
    ) -> None:
        self.target = os.fspath(target)
        self._fsync = fsync
        self._sync_dir = sync_dir and fsync
        directory, name = os.path.split(self.target)
        self.directory = directory or "."
        self.temp = os.path.join(
            self.directory, f".{name}{TEMP_MARK}{os.getpid()}-{secrets.token_hex(4)}"
        )
        self._mode = mode
        self.opened = next(_OPENED)  # files opened earlier have smaller numbers
        try:
            fd = os.open(self.temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except OSError as exc:
            raise OutputError(f"cannot write {self.target}: {exc.strerror}") from None
        self._fh: BinaryIO | None = os.fdopen(fd, "wb")

    def write(self, data: bytes) -> None:
        """Append ``data`` to the temporary file."""
        assert self._fh is not None
        try:
            self._fh.write(data)
        except OSError as exc:
            self.abort()
            raise OutputError(f"cannot write {self.target}: {exc.strerror}") from None

    def flush(self) -> None:
        """Hand what is buffered to the operating system (not yet to the disk)."""
        assert self._fh is not None
        try:
            self._fh.flush()
        except OSError as exc:
            self.abort()
            raise OutputError(f"cannot write {self.target}: {exc.strerror}") from None

    @property
    def raw(self) -> BinaryIO:
        """The underlying binary file (to wrap in a gzip writer)."""
        assert self._fh is not None
        return self._fh

    def commit(self, *, synced: bool = False) -> None:
        """Flush, fsync, close and rename the temporary file to the target. ``synced``: the
        caller has already written the file to disk and learnt of no error (see
        :class:`CommitBatch`), so its ``fsync`` is left out."""
        fh, self._fh = self._fh, None
        if fh is None:
            return
        try:
            fh.flush()
            if self._fsync and not synced:
                os.fsync(fh.fileno())
            if self._mode is not None:
                os.fchmod(fh.fileno(), self._mode)
            fh.close()
            os.replace(self.temp, self.target)
        except OSError as exc:
            try:
                fh.close()
            except OSError:
                pass
            _unlink(self.temp)
            raise OutputError(f"cannot write {self.target}: {exc.strerror}") from None
        if self._sync_dir:
            _fsync_dir(self.directory)

    def abort(self) -> None:
        """Close and delete the temporary file; the target is left as it was."""
        fh, self._fh = self._fh, None
        if fh is not None:
            try:
                fh.close()
            except OSError:
                pass
            _unlink(self.temp)

    def __enter__(self) -> AtomicFile:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.abort()


class CommitBatch:
    """Atomic files that are written and waiting to be committed together.

    Committing a file alone costs one disk flush (its ``fsync``), and on a tree of small files
    those flushes, serialised by the disk, were most of the run. A batch commits up to
    ``limit`` files at once. Where the system has a ``syncfs`` that reports write errors
    (Linux 5.8 and later, :mod:`cleantext._syncfs`), one call per filesystem writes them all
    and says whether any write failed since the batch's earliest file was opened; the files
    are then renamed with no ``fsync`` each (each cost a flush of the disk's cache, about a
    sixth of a run over a tree). Elsewhere, or when that call reports an error, one
    ``os.sync()`` writes them all, then each file's ``fsync`` (which finds nothing left to
    write, but reports a write error on its own descriptor, so the error names its file)
    and rename. Nothing is renamed before it is on disk, so a crash never leaves a
    truncated file under a target name; :meth:`abort` deletes every waiting temporary file.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> batch = CommitBatch()
    >>> for name in "ab":
    ...     f = AtomicFile(d / name); f.write(name.encode()); batch.add(f)
    >>> sorted(p.name for p in d.iterdir() if not is_temp_file(p.name))
    []
    >>> batch.commit(); sorted(p.name for p in d.iterdir())
    ['a', 'b']
    """

    def __init__(self, limit: int = 256, *, sync: bool = True) -> None:
        self.limit = limit
        self.sync = sync
        self._files: list[AtomicFile] = []

    def add(self, file: AtomicFile) -> None:
        """Queue a written file; commit the batch when it is full."""
        try:
            file.flush()
        except BaseException:
            self.abort()
            raise
        self._files.append(file)
        if len(self._files) >= self.limit:
            self.commit()

    def commit(self) -> None:
        """Make every queued file durable, then rename each into place."""
        files, self._files = self._files, []
        synced = False
        if self.sync and any(f._fsync for f in files):
            synced = _sync_filesystems(files)
            if not synced:
                os.sync()
        for i, file in enumerate(files):
            try:
                file.commit(synced=synced)
            except BaseException:
                for rest in files[i + 1 :]:
                    rest.abort()
                raise

    def abort(self) -> None:
        """Delete every queued temporary file; no target is touched."""
        files, self._files = self._files, []
        for file in files:
            file.abort()


def _sync_filesystems(files: list[AtomicFile]) -> bool:
    """Write ``files`` to disk by one ``syncfs`` per filesystem, each on the descriptor of the
    earliest opened of them there (so that a write error in any of them, all opened and
    written after it, is reported); True when every call succeeded, False when there is no
    such ``syncfs`` or one reported an error (which may be another file's on that
    filesystem: the caller then learns file by file)."""
    if syncfs is None:
        return False
    earliest: dict[int, tuple[int, int]] = {}  # device: (opened, descriptor)
    try:
        for file in files:
            if not file._fsync or file._fh is None:
                continue
            fd = file._fh.fileno()
            device = os.fstat(fd).st_dev
            if device not in earliest or file.opened < earliest[device][0]:
                earliest[device] = (file.opened, fd)
        for _, fd in earliest.values():
            syncfs(fd)
    except OSError:
        return False
    return True


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def open_gzip_writer(out: AtomicFile) -> gzip.GzipFile:
    """A gzip writer over ``out`` with a fixed header (no name, mtime 0): same bytes every run."""
    return gzip.GzipFile(filename="", mode="wb", fileobj=out.raw, compresslevel=6, mtime=0)


def safe_output_dir(directory: str, root: str) -> None:
    """Create ``directory``, one component at a time below ``root`` (an absolute, resolved
    path), checking each: a symbolic link that leads out of ``root``, or a file standing where
    a directory must be, raises :class:`OutputError` before anything is created through it.

    >>> import tempfile, os
    >>> root = os.path.realpath(tempfile.mkdtemp())
    >>> safe_output_dir(os.path.join(root, "a", "b"), root)
    >>> os.path.isdir(os.path.join(root, "a", "b"))
    True
    """
    if not is_within(directory, root):
        raise OutputError(f"refusing to write to {directory}: it is outside {root}")
    try:
        os.makedirs(root, exist_ok=True)  # the root itself is the user's choice
    except OSError as exc:
        raise OutputError(f"cannot create directory {root}: {exc.strerror}") from None
    current = root
    rel = os.path.relpath(directory, root)
    for part in [] if rel == "." else rel.split(os.sep):
        current = os.path.join(current, part)
        try:
            os.mkdir(current)
            continue
        except FileExistsError:
            pass
        except OSError as exc:
            raise OutputError(f"cannot create directory {current}: {exc.strerror}") from None
        if os.path.islink(current):
            real = os.path.realpath(current)
            if not is_within(real, root):
                raise OutputError(
                    f"refusing to write below {current}: it links to {real}, outside {root}"
                )
        if not os.path.isdir(current):
            raise OutputError(
                f"cannot create directory {current}: a file with that name is in the way"
            )


def sweep_temp_files(root: str | os.PathLike[str]) -> int:
    """Delete the temporary files an interrupted run left below ``root``; return how many.

    Only names that :func:`is_temp_file` recognises are touched; links are not followed.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / ".a.txt.cleantext-tmp-7-0a0b0c0d").write_text("half")
    >>> _ = (d / "a.txt").write_text("")
    >>> sweep_temp_files(d), sorted(p.name for p in d.iterdir())
    (1, ['a.txt'])
    """
    return sum(
        remove_temp_files(dirpath, files)
        for dirpath, _dirs, files in os.walk(root, followlinks=False)
    )


def remove_temp_files(directory: str, names: Iterable[str]) -> int:
    """Delete the entries of ``names`` in ``directory`` that are our temporary files.

    Returns how many were deleted; one that vanished or cannot be deleted is skipped.
    """
    removed = 0
    for name in names:
        if is_temp_file(name):
            try:
                os.unlink(os.path.join(directory, name))
                removed += 1
            except OSError:
                pass
    return removed


@dataclass(frozen=True)
class WalkEntry:
    """A file found under a source root: its real path, the path relative to the root, and
    ``skip`` (a reason) when it must not be read; ``stat``, the walk's own stat of a regular
    file (not of a linked one), so that planning need not ask again."""

    path: str
    rel: str
    skip: str = ""
    message: str = ""
    stat: os.stat_result | None = None


def _matches(rel: str, patterns: tuple[str, ...]) -> bool:
    """Whether ``rel`` matches one of the globs ``patterns`` (case-sensitive): a glob with
    ``/`` the whole relative path, any other the file name.

    >>> _matches("a/b.txt", ("*.txt",)), _matches("a/b.txt", ("b/*",)), _matches("x", ())
    (True, False, False)
    """
    return _glob_test(tuple(patterns))(rel)


@functools.lru_cache(maxsize=32)
def _glob_test(patterns: tuple[str, ...]) -> Callable[[str], bool]:
    """:func:`_matches` for ``patterns``, compiled once: a walk tests every file name, and
    one regular expression per kind of glob cost a third of fnmatch's call per pattern."""
    by_path = _one_match([p for p in patterns if "/" in p])
    by_name = _one_match([p for p in patterns if "/" not in p])

    def test(rel: str) -> bool:
        if by_name is not None and by_name(rel.rpartition("/")[2]) is not None:
            return True
        return by_path is not None and by_path(rel) is not None

    return test


def _one_match(globs: list[str]) -> Callable[[str], re.Match[str] | None] | None:
    if not globs:
        return None
    # Each translated glob is a scoped group anchored at the end (\Z), so alternatives join.
    return re.compile("|".join(map(fnmatch.translate, globs))).match


def walk_tree(
    root: str,
    *,
    include: tuple[str, ...],
    exclude: tuple[str, ...] = (),
    follow_symlinks: bool = False,
    state_dir: str = "",
) -> Iterator[WalkEntry]:
    """Yield the files below ``root`` (resolved) that match ``include`` and not ``exclude``,
    in a fixed order: a folder's files (sorted by name), then its sub-folders (sorted).
    A glob with ``/`` matches the relative path, otherwise the file name.

    Symbolic links to files inside ``root`` are read through their real path; links that
    point outside ``root`` are yielded with ``skip="symlink-outside-source"`` unless
    ``follow_symlinks``; linked directories are never descended.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp()); (d / "a.txt").write_text("x")
    1
    >>> [e.rel for e in walk_tree(str(d), include=("*.txt",))]
    ['a.txt']
    """
    included = _glob_test(tuple(include))  # (a list works too, as it did with fnmatch)
    excluded = _glob_test(tuple(exclude))
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        rel_dir = os.path.relpath(dirpath, root)
        rel_dir = "" if rel_dir == "." else rel_dir.replace(os.sep, "/") + "/"
        kept_dirs = []
        for d in sorted(dirnames):
            full = os.path.join(dirpath, d)
            if state_dir and full == state_dir:
                continue
            if exclude and excluded(rel_dir + d):
                continue
            if os.path.islink(full):
                real = os.path.realpath(full)
                if not is_within(real, root):
                    yield WalkEntry(
                        full,
                        rel_dir + d,
                        "symlink-outside-source",
                        f"linked directory points outside the source ({real})",
                    )
                continue
            kept_dirs.append(d)
        dirnames[:] = kept_dirs
        folder = dirpath if dirpath.endswith(os.sep) else dirpath + os.sep
        for name in sorted(filenames):
            rel = rel_dir + name
            if not included(rel) or (name[0] == "." and is_temp_file(name)):
                continue
            if exclude and excluded(rel):
                continue
            full = folder + name  # os.path.join, without its cost on each of many files
            try:
                st = os.lstat(full)
            except OSError as exc:
                yield WalkEntry(full, rel, "unreadable", f"cannot stat: {exc.strerror}")
                continue
            if stat.S_ISLNK(st.st_mode):
                real = os.path.realpath(full)
                if not is_within(real, root) and not follow_symlinks:
                    yield WalkEntry(
                        full,
                        rel,
                        "symlink-outside-source",
                        f"symbolic link to {real}, outside the source",
                    )
                    continue
                if not os.path.isfile(real):
                    yield WalkEntry(full, rel, "not-a-regular-file", "link to a non-file")
                    continue
                yield WalkEntry(real, rel)
            elif not stat.S_ISREG(st.st_mode):
                yield WalkEntry(full, rel, "not-a-regular-file", "not a regular file")
            else:
                yield WalkEntry(full, rel, stat=st)


def gzip_reader(fh: BinaryIO) -> gzip.GzipFile:
    """Decompressing reader over an open binary file."""
    return gzip.GzipFile(fileobj=fh, mode="rb")


GZIP_ERRORS: tuple[type[BaseException], ...] = (EOFError, gzip.BadGzipFile, zlib.error)


def describe_gzip_error(exc: BaseException) -> DocumentError:
    """Turn a decompression failure into a :class:`DocumentError` with a clear reason."""
    if isinstance(exc, EOFError):
        return DocumentError("truncated-gzip", "truncated .gz file: it ends before its last record")
    return DocumentError("corrupt-gzip", f"not a valid .gz file: {exc}")


WriteFn = Callable[[bytes], None]


def relative_output(path: str) -> Path:
    """The output directory name for a JSONL input: its name without ``.jsonl[.gz]``.

    >>> relative_output("news/day1.jsonl.gz")
    PosixPath('news/day1')
    """
    for ext in (".jsonl.gz", ".jsonl"):
        if path.lower().endswith(ext):
            return Path(path[: -len(ext)])
    return Path(path)
