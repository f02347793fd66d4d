"""Sources and sinks: the decoding rule, JSONL line splitting, atomic files, tree walking."""

from __future__ import annotations

import errno
import fnmatch
import gzip
import io
import os
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleantext import _syncfs
from cleantext import io as ctio
from cleantext.io import (
    AtomicFile,
    CommitBatch,
    DocumentError,
    GzipBombError,
    OutputError,
    TooLong,
    decode_document,
    is_temp_file,
    iter_lines,
    read_document,
    safe_output_dir,
    sweep_temp_files,
    walk_tree,
)


@pytest.mark.parametrize(
    "data,reason",
    [
        (b"", "empty"),
        (b"abc\x00def", "binary"),
        ("plain".encode("utf-16-le"), "binary"),
        (b"caf\xe9", "invalid-utf8"),
        (b"\xed\xa0\x80", "invalid-utf8"),  # an encoded surrogate is not UTF-8
        (b"\xff\xfe\x00\xd8", "invalid-encoding"),  # BOM, then a lone surrogate
    ],
)
def test_bad_bytes_are_rejected_with_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(DocumentError) as caught:
        decode_document(data)
    assert caught.value.reason == reason
    assert str(caught.value)


def test_decoding_keeps_line_endings_and_drops_a_utf8_bom() -> None:
    assert decode_document(b"\xef\xbb\xbfa\r\nb\rc") == ("a\r\nb\rc", [])


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_boms_decide_the_encoding(encoding: str) -> None:
    data = "Blinken’s visit\n".encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    text, notes = decode_document(data)
    assert text == "Blinken’s visit\n"
    assert notes and "byte-order mark" in notes[0]


def test_replace_mode_counts_the_bad_bytes() -> None:
    text, notes = decode_document(b"a\xff\xfeb\xc3", errors="replace")
    assert text == "a\ufffd\ufffdb\ufffd"
    assert notes == ["3 invalid UTF-8 byte(s) replaced by U+FFFD"]


def test_jsonl_lines_split_on_newline_only() -> None:
    data = '{"t": "a\u2028b\x85c\x0cd\re"}\n{"t": 2}'.encode()
    assert list(iter_lines(io.BytesIO(data), max_bytes=1000)) == [
        '{"t": "a\u2028b\x85c\x0cd\re"}\n'.encode(),
        b'{"t": 2}',
    ]


def test_an_overlong_line_is_skipped_in_bounded_chunks() -> None:
    data = b"short\n" + b"x" * 100_000 + b"\nafter\n"
    out = list(iter_lines(io.BytesIO(data), max_bytes=50))
    assert out == [b"short\n", TooLong(100_001), b"after\n"]


def test_lines_stop_at_the_end_of_the_range() -> None:
    data = b"a\nbb\nccc\n"
    stream = io.BytesIO(data)
    stream.seek(2)
    assert list(iter_lines(stream, max_bytes=10, end=5)) == [b"bb\n"]


def test_the_decompressed_cap_stops_a_gzip_bomb() -> None:
    bomb = gzip.compress(b"\n" * 5_000_000)
    stream = gzip.GzipFile(fileobj=io.BytesIO(bomb))
    with pytest.raises(GzipBombError):
        for _ in iter_lines(stream, max_bytes=100, decompressed_cap=len(bomb) * 10):
            pass


def test_a_read_refuses_oversized_documents_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes(b"x" * 2000)
    with pytest.raises(DocumentError, match="max-doc-bytes") as caught:
        read_document(path, max_bytes=1000)
    assert caught.value.reason == "too-large"
    assert read_document(path, max_bytes=2000) == b"x" * 2000


def test_a_read_reserves_memory_for_the_document_not_for_the_limit(tmp_path: Path) -> None:
    import tracemalloc

    path = tmp_path / "small.txt"
    path.write_bytes(b"x" * 5000)
    tracemalloc.start()
    try:
        assert read_document(path, max_bytes=64 << 20) == b"x" * 5000
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1 << 20  # asking for max_bytes + 1 would have reserved 64 MiB


def test_a_document_that_grows_while_it_is_read_is_read_to_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "growing.txt"
    path.write_bytes(b"x" * 3000)
    real_fstat = os.fstat

    def stale(fd: int) -> os.stat_result:  # the size as it was before the last write
        st = real_fstat(fd)
        return os.stat_result((*st[:6], 1000, *st[7:]))

    monkeypatch.setattr(ctio.os, "fstat", stale)
    assert read_document(path, max_bytes=5000) == b"x" * 3000
    with pytest.raises(DocumentError, match="max-doc-bytes") as caught:
        read_document(path, max_bytes=2000)
    assert caught.value.reason == "too-large"


def test_a_fifo_is_not_read(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    with pytest.raises(DocumentError) as caught:
        read_document(fifo, max_bytes=10)
    assert caught.value.reason == "not-a-regular-file"


def test_atomic_file_replaces_or_leaves_the_target(tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), AtomicFile(target) as out:
        out.write(b"new but interrupted")
        raise RuntimeError
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["a.txt"]
    with AtomicFile(target) as out:
        out.write(b"new")
    assert target.read_bytes() == b"new"


def test_enospc_at_fsync_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # On a full disk write() can succeed and the error arrive only when the data is flushed.
    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(ctio.os, "fsync", full)
    out = AtomicFile(tmp_path / "a.txt")
    out.write(b"data")
    with pytest.raises(OutputError, match="No space left on device"):
        out.commit()
    assert os.listdir(tmp_path) == []


def test_output_errors_pickle_with_their_message() -> None:
    import pickle

    err = pickle.loads(pickle.dumps(OutputError("cannot write x: No space left on device")))
    assert isinstance(err, OutputError) and str(err) == "cannot write x: No space left on device"


def test_safe_output_dir_refuses_a_link_out_of_the_root(tmp_path: Path) -> None:
    root, outside = tmp_path / "root", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    (root / "sub").symlink_to(outside)
    with pytest.raises(OutputError, match="outside"):
        safe_output_dir(str(root / "sub" / "deeper"), str(root))
    assert list(outside.iterdir()) == []
    (root / "file").write_text("x")
    with pytest.raises(OutputError, match="in the way"):
        safe_output_dir(str(root / "file" / "deeper"), str(root))
    safe_output_dir(str(root / "fine" / "deeper"), str(root))
    assert (root / "fine" / "deeper").is_dir()


def test_sweep_removes_only_our_temporary_files(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    ours = tmp_path / "d" / ".a.txt.cleantext-tmp-42-0123abcd"
    ours.write_text("x")
    theirs = tmp_path / "d" / ".a.txt.tmp"
    theirs.write_text("x")
    assert is_temp_file(ours.name) and not is_temp_file(theirs.name)
    assert sweep_temp_files(tmp_path) == 1
    assert not ours.exists() and theirs.exists()


def test_walk_is_sorted_filtered_and_does_not_follow_links_out(tmp_path: Path) -> None:
    root = tmp_path / "root"
    for rel in ("b.txt", "a/z.txt", "a/y.md", "skip/x.txt", "c.TXT"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(rel)
    (tmp_path / "out.txt").write_text("outside")
    (root / "link.txt").symlink_to(tmp_path / "out.txt")
    (root / "inner.txt").symlink_to(root / "b.txt")
    (root / "loop").symlink_to(root, target_is_directory=True)
    entries = list(walk_tree(str(root), include=("*.txt",), exclude=("skip",)))
    assert [(e.rel, e.skip) for e in entries] == [
        ("b.txt", ""),
        ("inner.txt", ""),
        ("link.txt", "symlink-outside-source"),
        ("a/z.txt", ""),
    ]
    assert entries[1].path == str(root / "b.txt")  # read through its real path
    followed = list(walk_tree(str(root), include=("*.txt",), follow_symlinks=True))
    assert ("link.txt", "") in [(e.rel, e.skip) for e in followed]
    by_path = [e.rel for e in walk_tree(str(root), include=("a/*",))]
    assert by_path == ["a/y.md", "a/z.txt"]


@settings(max_examples=400, deadline=None)
@given(
    rel=st.text("ab./", min_size=1, max_size=8),
    patterns=st.lists(st.text("ab.*?[]!/", max_size=6), max_size=4).map(tuple),
)
def test_globs_match_as_fnmatch_does_one_pattern_at_a_time(
    rel: str, patterns: tuple[str, ...]
) -> None:
    # The walk compiles its globs into one expression per kind (by path, by name).
    name = rel.rsplit("/", 1)[-1]
    expected = any(fnmatch.fnmatchcase(rel if "/" in p else name, p) for p in patterns)
    assert ctio._matches(rel, patterns) is expected


def _batch_of(tmp_path: Path, names: str) -> tuple[CommitBatch, list[AtomicFile]]:
    batch, files = CommitBatch(limit=100), []
    for name in names:
        out = AtomicFile(tmp_path / name, sync_dir=False)
        out.write(name.encode())
        batch.add(out)
        files.append(out)
    return batch, files


def test_a_batch_is_written_by_one_syncfs_on_its_earliest_file_and_no_fsync_each(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[int] = []
    monkeypatch.setattr(ctio, "syncfs", lambda fd: synced.append(os.fstat(fd).st_ino))
    monkeypatch.setattr(ctio.os, "sync", lambda: pytest.fail("syncfs was enough"))
    monkeypatch.setattr(ctio.os, "fsync", lambda fd: pytest.fail("no fsync per file"))
    late = AtomicFile(tmp_path / "z", sync_dir=False)  # opened first, added last
    late.write(b"z")
    batch, _ = _batch_of(tmp_path, "abc")
    batch.add(late)
    assert synced == []  # nothing is synced before the batch commits
    batch.commit()
    assert synced == [os.stat(tmp_path / "z").st_ino]  # the earliest opened file's filesystem
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "b", "c", "z"]


def test_a_syncfs_error_falls_back_to_fsync_each_file_which_names_the_bad_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing_syncfs(fd: int) -> None:
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    bad = {}

    def fsync(fd: int) -> None:
        if fd == bad["fd"]:
            raise OSError(errno.EIO, os.strerror(errno.EIO))

    synced: list[bool] = []
    monkeypatch.setattr(ctio, "syncfs", failing_syncfs)
    monkeypatch.setattr(ctio.os, "sync", lambda: synced.append(True))
    monkeypatch.setattr(ctio.os, "fsync", fsync)
    batch, files = _batch_of(tmp_path, "abc")
    bad["fd"] = files[1].raw.fileno()
    with pytest.raises(OutputError, match=r"cannot write .*b: Input/output error"):
        batch.commit()
    assert synced == [True]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a"]  # b failed, c not renamed


def test_without_syncfs_a_batch_is_synced_then_fsynced_file_by_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    monkeypatch.setattr(ctio, "syncfs", None)
    monkeypatch.setattr(ctio.os, "sync", lambda: calls.append("sync"))
    monkeypatch.setattr(ctio.os, "fsync", lambda fd: calls.append("fsync"))
    batch, _ = _batch_of(tmp_path, "ab")
    batch.commit()
    assert calls == ["sync", "fsync", "fsync"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "b"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="syncfs is Linux's")
def test_syncfs_is_used_on_linux_from_5_8_only(monkeypatch: pytest.MonkeyPatch) -> None:
    release = _syncfs._kernel_release(os.uname().release)
    assert release is not None
    assert (_syncfs.syncfs is not None) == (release >= (5, 8))
    old = type(os.uname())(("Linux", "host", "5.4.0-42-generic", "#1", "x86_64"))
    monkeypatch.setattr(_syncfs.os, "uname", lambda: old)
    assert _syncfs._load() is None  # its syncfs reports no write error: not used


@pytest.mark.skipif(_syncfs.syncfs is None, reason="no syncfs that reports errors here")
def test_the_real_syncfs_writes_a_file_and_raises_on_a_bad_descriptor(tmp_path: Path) -> None:
    assert _syncfs.syncfs is not None
    with open(tmp_path / "a", "wb") as fh:
        fh.write(b"a")
        fh.flush()
        _syncfs.syncfs(fh.fileno())
    with pytest.raises(OSError) as raised:
        _syncfs.syncfs(-1)
    assert raised.value.errno == errno.EBADF
