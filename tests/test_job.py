"""The job as data: planning, shards, idempotent run_shard, engines, summaries, config files."""

from __future__ import annotations

import errno
import itertools
import json
import os
import pickle
from pathlib import Path

import pytest

from cleantext import default_pipeline, job
from cleantext import io as ctio
from cleantext.config import build_pipeline, find_config, load_config
from cleantext.engines.local import WorkerPool, run_local
from cleantext.errors import ConfigError, UnknownFilterError
from cleantext.io import OutputError
from cleantext.job import (
    JobConfig,
    Shard,
    ShardResult,
    jsonl_part_end,
    plan_shards,
    run_shard,
    summarize,
)

DIRTY = "Xi met Blinken. .\n\nLeave a Reply\n"


def _config(dst: Path, **kw) -> JobConfig:
    return JobConfig(pipeline=default_pipeline(), destination=str(dst), **kw)


def _tree(tmp_path: Path, sizes: list[int]) -> Path:
    src = tmp_path / "src"
    for i, n in enumerate(sizes):
        path = src / f"d{i % 3}" / f"f{i:02d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x" * n)
    return src


def _dirty_shard(tmp_path: Path, count: int) -> tuple[JobConfig, Shard]:
    """``count`` dirty files f0.txt, f1.txt, ... in one shard, to be cleaned into tmp_path/dst."""
    src = tmp_path / "src"
    src.mkdir()
    for i in range(count):
        (src / f"f{i}.txt").write_text(DIRTY)
    config = _config(tmp_path / "dst")
    (shard,) = plan_shards([str(src)], config)
    return config, shard


def test_the_config_and_shards_pickle(tmp_path: Path) -> None:
    config = _config(tmp_path / "dst", report=str(tmp_path / "r.jsonl"))
    shards = plan_shards([str(_tree(tmp_path, [10, 20]))], config)
    assert pickle.loads(pickle.dumps(config)) == config
    assert pickle.loads(pickle.dumps(shards)) == shards
    assert pickle.loads(pickle.dumps(config)).fingerprint == config.fingerprint


def test_text_shards_are_balanced_by_bytes_and_deterministic(tmp_path: Path) -> None:
    src = _tree(tmp_path, [400] * 10 + [5000] + [100] * 10)
    config = _config(tmp_path / "dst", shard_bytes=1000)
    shards = plan_shards([str(src)], config)
    assert shards == plan_shards([str(src)], config)
    assert all(s.bytes <= 4 * 1000 + 5000 for s in shards)
    assert all(s.bytes >= 1000 // 4 for s in shards[:-1])
    assert len({s.id for s in shards}) == len(shards)
    covered = [u.source for s in shards for u in s.units]
    assert sorted(covered) == sorted(str(p) for p in src.rglob("*.txt"))


def test_adding_one_file_changes_only_the_shards_near_it(tmp_path: Path) -> None:
    rng = __import__("random").Random(3)
    src = _tree(tmp_path, [rng.randint(100, 1000) for _ in range(600)])
    config = _config(tmp_path / "dst", shard_bytes=5000)
    before = {s.id for s in plan_shards([str(src)], config)}
    (src / "d1" / "f30b.txt").write_text("new file " * 40)
    after = {s.id for s in plan_shards([str(src)], config)}
    assert len(before) > 20
    assert len(after - before) <= 3, (len(before), len(after - before))


def test_shard_ids_do_not_depend_on_where_dst_is(tmp_path: Path) -> None:
    src = _tree(tmp_path, [10, 20, 30])
    a = plan_shards([str(src)], _config(tmp_path / "one"))
    b = plan_shards([str(src)], _config(tmp_path / "two"))
    assert [s.id for s in a] == [s.id for s in b]


def test_a_shard_id_hashes_its_outputs_relative_to_dst_as_relpath_gives_them(
    tmp_path: Path,
) -> None:
    # Ids name the markers a resumed run looks for: a faster way to make outputs relative to
    # DST must give what os.path.relpath gives, for plain and for dotted paths alike.
    import hashlib

    src = tmp_path / "src"
    for rel in ("a/x.txt", ".hidden/y.txt", "b/..z/w.txt", "c.d/v.jsonl"):
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        (src / rel).write_text(json.dumps({"text": DIRTY}) + "\n" if rel.endswith("l") else DIRTY)
    config = _config(tmp_path / "dst", shard_files=1, include=("*.txt", "*.jsonl"))
    shards = plan_shards([str(src)], config)
    assert len(shards) == 4
    dst = str(config.destination)
    for shard in shards:
        output = os.path.relpath(shard.output, dst) if shard.output else ""
        units = [(u.kind, u.source, os.path.relpath(u.output, dst), u.start, u.end)
                 for u in shard.units]  # fmt: skip
        blob = json.dumps([shard.kind, output, units]).encode()
        assert shard.id == f"{shard.kind}-{hashlib.sha256(blob).hexdigest()[:16]}"


def test_jsonl_ranges_cover_every_line_exactly_once(tmp_path: Path) -> None:
    src = tmp_path / "c.jsonl"
    rows = [json.dumps({"i": i, "text": "y" * (i % 50)}) + "\n" for i in range(500)]
    src.write_text("".join(rows))
    config = _config(tmp_path / "dst", jsonl_shard_bytes=1500)
    shards = plan_shards([str(src)], config)
    assert len(shards) > 5
    spans = [(s.units[0].start, s.units[0].end) for s in shards]
    assert spans[0][0] == 0 and spans[-1][1] == src.stat().st_size
    assert all(a[1] == b[0] for a, b in itertools.pairwise(spans))
    data = src.read_bytes()
    assert all(data[start - 1 : start] == b"\n" for start, _ in spans[1:])
    results = [run_shard(s, config) for s in shards]
    assert sum(r.docs for r in results) == 500
    out = b"".join(Path(s.output).read_bytes() for s in shards)
    assert [json.loads(x)["i"] for x in out.splitlines()] == list(range(500))


def test_jsonl_parts_carry_their_line_offsets_from_the_plan(tmp_path: Path, monkeypatch) -> None:
    # The planner counts each part's lines once, as the parts are listed; a part that counted
    # the lines before it when it ran read the whole file before it, for every part.
    src = tmp_path / "c.jsonl"
    rows = [json.dumps({"i": i, "text": "y" * (i % 50)}) + "\n" for i in range(500)]
    rows[437] = "{not json\n"
    src.write_text("".join(rows))
    config = _config(tmp_path / "dst", jsonl_shard_bytes=1500)
    shards = plan_shards([str(src)], config)
    data = src.read_bytes()
    assert len(shards) > 5
    assert [s.units[0].lines_before for s in shards] == [
        data[: s.units[0].start].count(b"\n") for s in shards
    ]
    monkeypatch.setattr(job, "_count_lines", None)  # a part does not count lines when it runs
    records = [r for s in shards for r in run_shard(s, config).records]
    assert [(r["line"], r["reason"]) for r in records] == [(438, "bad-json")]


def test_pruning_lists_the_jsonl_parts_without_counting_their_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The command prunes stale parts before the run: a pass over the plan that needs only
    # the parts' names, so it must not read every JSONL input through.
    src = tmp_path / "c.jsonl"
    src.write_text("".join(json.dumps({"i": i}) + "\n" for i in range(300)))
    config = _config(tmp_path / "dst", jsonl_shard_bytes=1000)
    plan = job.plan_stream([str(src)], config)
    counted = list(plan)
    monkeypatch.setattr(job, "_newlines", None)  # any count fails
    uncounted = list(plan.uncounted())
    assert len(counted) > 3
    assert [(s.id, s.output) for s in uncounted] == [(s.id, s.output) for s in counted]
    assert [s.units[0].lines_before for s in uncounted] == [-1] * len(counted)
    assert job.prune_stale_parts(plan.uncounted(), config) == 0


def test_a_jsonl_file_gone_after_planning_leaves_its_parts_to_count_for_themselves(
    tmp_path: Path,
) -> None:
    path = tmp_path / "c.jsonl"
    path.write_bytes(b"a\nb\nc\nd\n")
    counts = job._lines_before(str(path), [(0, 2), (2, 4), (4, 8)])
    assert next(counts) == 0
    path.unlink()
    assert list(counts) == [-1, -1]  # no OSError out of the plan in the middle of a run


def test_globs_may_be_given_as_a_list(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text(DIRTY)
    (src / "b.md").write_text(DIRTY)
    config = JobConfig(default_pipeline(), str(tmp_path / "dst"), include=["*.md"])
    assert [u.display for s in plan_shards([str(src)], config) for u in s.units] == [
        str(src / "b.md")
    ]


def _finish(parts: list[int], workers: int) -> int:
    """When the last of ``workers`` finishes, each taking the next part when it is free and
    taking as long as the part has bytes (as the local engine hands out shards)."""
    free = [0] * workers
    for size in parts:
        free[free.index(min(free))] += size
    return max(free)


def test_jsonl_parts_shrink_toward_the_end_so_workers_finish_together(tmp_path: Path) -> None:
    # 15.3 steps of 50-byte lines: with every part a full step, two workers cleaned 8 and 7.3
    # steps, and the first finished 1.046x as late as an even share.
    step = 2000
    src = tmp_path / "c.jsonl"
    line = json.dumps({"text": "y" * 37}) + "\n"
    assert len(line) == 50
    src.write_text(line * 612)
    size = src.stat().st_size
    shards = plan_shards([str(src)], _config(tmp_path / "dst", jsonl_shard_bytes=step))
    parts = [s.units[0].end - s.units[0].start for s in shards]
    assert sum(parts) == size and max(parts) <= step + len(line)
    assert parts[-3] > parts[-2] >= step // 8  # halves at the end, none below 1/8 of a step
    for workers in (2, 3):
        assert _finish(parts, workers) <= 1.02 * size / workers


def test_a_jsonl_part_of_no_bytes_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1 byte"):
        jsonl_part_end(5, 100, 0)


def test_run_shard_is_idempotent(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text(DIRTY)
    config = _config(tmp_path / "dst")
    (shard,) = plan_shards([str(src)], config)
    first = run_shard(shard, config)
    out = tmp_path / "dst" / "a.txt"
    stamp = out.stat().st_mtime_ns
    again = run_shard(shard, config)
    assert again.resumed and not first.resumed
    assert out.stat().st_mtime_ns == stamp  # nothing was rewritten
    assert (again.docs, again.removed, again.repairs) == (first.docs, first.removed, first.repairs)
    out.unlink()  # a lost output makes the shard run again
    assert not run_shard(shard, config).resumed and out.read_text() == "Xi met Blinken.\n"


def test_enospc_in_a_shard_raises_and_leaves_no_partial_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config, shard = _dirty_shard(tmp_path, 3)
    real_write = ctio.AtomicFile.write
    calls = []

    def write(self: ctio.AtomicFile, data: bytes) -> None:
        calls.append(self.target)
        if len(calls) == 2:  # the second file hits a full disk
            self.abort()
            raise OutputError(f"cannot write {self.target}: {os.strerror(errno.ENOSPC)}")
        real_write(self, data)

    monkeypatch.setattr(ctio.AtomicFile, "write", write)
    with pytest.raises(OutputError, match="No space left"):
        run_shard(shard, config)
    left = sorted(p.name for p in (tmp_path / "dst").rglob("*") if p.is_file())
    assert left == ["f0.txt"]  # the finished one; no temporary file, no marker
    monkeypatch.undo()
    assert not run_shard(shard, config).resumed
    assert sorted(p.name for p in (tmp_path / "dst").glob("*.txt")) == [
        "f0.txt",
        "f1.txt",
        "f2.txt",
    ]


def test_a_shard_of_small_files_flushes_the_disk_once_not_once_per_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config, shard = _dirty_shard(tmp_path, 20)
    syncs, visible_at_sync = [], []
    real_sync, real_syncfs = os.sync, ctio.syncfs

    def sync(fd: int | None = None) -> None:
        syncs.append(fd)
        visible_at_sync.append(len(list((tmp_path / "dst").glob("*.txt"))))
        real_sync() if fd is None else real_syncfs(fd)

    monkeypatch.setattr(os, "sync", sync)
    if real_syncfs is not None:  # one of the two runs, by what the system has
        monkeypatch.setattr(ctio, "syncfs", sync)
    result = run_shard(shard, config)
    assert result.docs == 20 and len(syncs) == 1
    assert visible_at_sync == [0]  # nothing is renamed into place before it is on disk
    assert len(list((tmp_path / "dst").glob("*.txt"))) == 20
    monkeypatch.setattr(os, "sync", lambda: pytest.fail("--no-fsync must not sync"))
    quick = JobConfig(default_pipeline(), str(tmp_path / "dst2"), fsync=False)
    (shard,) = plan_shards([str(tmp_path / "src")], quick)
    assert run_shard(shard, quick).docs == 20


def test_local_engine_gives_the_same_results_for_any_jobs(tmp_path: Path) -> None:
    src = _tree(tmp_path, [300] * 12)
    for path in src.rglob("*.txt"):
        path.write_text(DIRTY * 3)
    results = {}
    for jobs in (1, 2):
        config = _config(tmp_path / f"dst{jobs}", shard_bytes=200)
        shards = plan_shards([str(src)], config)
        seen: list[ShardResult] = []
        out = list(run_local(shards, config, jobs=jobs, progress=seen.append))
        assert out == seen and [r.shard_id for r in out] == [s.id for s in shards]
        results[jobs] = [(r.docs, r.removed, r.repairs) for r in out]
    assert results[1] == results[2]


def test_workers_started_before_the_plan_run_its_shards_and_then_stop(tmp_path: Path) -> None:
    src = _tree(tmp_path, [300] * 8)
    for path in src.rglob("*.txt"):
        path.write_text(DIRTY * 3)
    config = _config(tmp_path / "dst", shard_bytes=200)
    pool = WorkerPool(config, 2)  # before the plan: the workers start while it is made
    shards = plan_shards([str(src)], config)
    assert len(shards) > 2
    out = list(run_local(shards, config, jobs=2, pool=pool))
    alone = _config(tmp_path / "dst1", shard_bytes=200)
    here = list(run_local(plan_shards([str(src)], alone), alone, jobs=1))
    assert [r.shard_id for r in out] == [s.id for s in shards]
    assert [(r.docs, r.removed) for r in out] == [(r.docs, r.removed) for r in here]
    assert sum(r.docs for r in out) == 8
    assert [w.process.exitcode for w in pool.workers] == [0, 0]  # asked to leave, and left
    pool.close()  # already stopped: nothing more to do


def test_a_worker_prepares_its_pipeline_before_it_waits_for_its_first_shard(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # It compiles the residue rules while the parent still plans, not in its first shard.
    import threading
    from multiprocessing import Pipe

    from cleantext import Pipeline
    from cleantext.engines import local

    events: list[str] = []
    prepared = threading.Event()

    def prepare(self: Pipeline) -> Pipeline:
        events.append("prepare")
        prepared.set()
        return self

    monkeypatch.setattr(local.signal, "signal", lambda *args: None)  # keep pytest's handlers
    monkeypatch.setattr(Pipeline, "prepare", prepare)
    monkeypatch.setattr(local, "run_shard", lambda shard, config: events.append(shard.id))
    config, shard = _dirty_shard(tmp_path, 1)
    parent, child = Pipe()

    def send() -> None:
        parent.send((config, False))
        prepared.wait(timeout=30)  # the shard comes only once the worker has prepared
        parent.send((0, shard))
        parent.send(None)

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    local._worker(child)
    sender.join(timeout=30)
    assert prepared.is_set() and events == ["prepare", shard.id]
    assert parent.recv() == ("done", 0, None)


def test_a_pool_is_stopped_when_one_shard_runs_here_or_it_is_never_used(tmp_path: Path) -> None:
    config, shard = _dirty_shard(tmp_path, 2)
    pool = WorkerPool(config, 2)
    (result,) = run_local([shard], config, jobs=2, pool=pool)  # one shard: run in this process
    assert result.docs == 2
    assert all(not w.process.is_alive() for w in pool.workers)
    unused = WorkerPool(config, 2)
    unused.close()
    assert all(w.process.exitcode is not None for w in unused.workers)
    other = WorkerPool(config, 1)
    with pytest.raises(ValueError, match="another job config"):
        list(run_local([shard, shard], _config(tmp_path / "other"), jobs=2, pool=other))
    other.close()
    assert all(w.process.exitcode is not None for w in other.workers)


def test_a_pool_larger_than_the_plan_keeps_one_worker_per_shard(tmp_path: Path) -> None:
    src = _tree(tmp_path, [300] * 2)
    for path in src.rglob("*.txt"):
        path.write_text(DIRTY)
    config = _config(tmp_path / "dst", shard_files=1)
    pool = WorkerPool(config, 3)
    spare = pool.workers[2]
    shards = plan_shards([str(src)], config)
    assert len(shards) == 2
    out = list(run_local(shards, config, jobs=3, pool=pool))
    assert [r.docs for r in out] == [1, 1]
    assert len(pool.workers) == 2 and spare.process.exitcode is not None


def test_a_config_that_cannot_be_pickled_fails_before_any_worker_starts(tmp_path: Path) -> None:
    import multiprocessing
    from typing import ClassVar

    from cleantext import Pipeline
    from cleantext.filter import FilterBase

    class Local(FilterBase):  # a class defined in a function cannot be pickled
        name: ClassVar[str] = "local"

        def _run(self, text, edits):
            return text

    config = JobConfig(Pipeline(Local()), str(tmp_path / "dst"))
    before = set(multiprocessing.active_children())
    with pytest.raises((pickle.PicklingError, AttributeError, TypeError)):
        WorkerPool(config, 2)
    assert set(multiprocessing.active_children()) <= before


def test_an_idle_worker_takes_a_shard_whose_folders_no_busy_worker_writes_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Folders a/, b/, c/ of four files each, at most two files a shard: the shards of one
    # folder come one after the other, and the second worker must not start in the first's.
    from cleantext.engines import local

    src = tmp_path / "src"
    for folder in "abc":
        for k in range(4):
            path = src / folder / f"f{k}.txt"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(DIRTY)
    config = _config(tmp_path / "dst", shard_files=2)
    shards = plan_shards([str(src)], config)
    folders = [local._output_folders(s) for s in shards]
    assert folders[0] == folders[1] and len(set(folders)) == 3
    choices = []
    original = local._first_apart

    def spy(pending, writing):
        position = original(pending, writing)
        choices.append((position, pending[position][2], list(writing)))
        return position

    monkeypatch.setattr(local, "_first_apart", spy)
    out = list(run_local(shards, config, jobs=2))
    assert [r.shard_id for r in out] == [s.id for s in shards]  # results still in plan order
    assert sum(r.docs for r in out) == 12
    # the second worker's first shard: not the next one (same folder) but the first elsewhere
    assert choices[1] == (1, folders[2], [folders[0]])
    assert all(all(chosen.isdisjoint(w) for w in writing) for _, chosen, writing in choices[:2])


def test_summarize_adds_everything_up() -> None:
    summary = summarize(
        [
            ShardResult("a", docs=2, bytes_in=10, removed={"navigation": 1}, resumed=True),
            ShardResult("b", docs=1, rejected=1, rejects={"empty": 1}, repairs={"x": 2}),
        ]
    )
    assert (summary.docs, summary.rejected, summary.bytes_in) == (3, 1, 10)
    assert (summary.shards, summary.resumed_shards, summary.exit_code) == (2, 1, 1)
    text = summary.format(1.0)
    assert "navigation" in text and "empty" in text and "resumed:   1 of 2" in text


def test_a_missing_source_and_an_unknown_shard_kind_are_errors(tmp_path: Path) -> None:
    config = _config(tmp_path / "dst")
    with pytest.raises(ConfigError, match="no such file"):
        plan_shards([str(tmp_path / "nope")], config)
    with pytest.raises(ConfigError, match="unknown shard kind"):
        run_shard(Shard("x", "video", ()), config)


def test_config_files_are_found_checked_and_relative(tmp_path: Path) -> None:
    assert find_config(tmp_path) is None and load_config(directory=str(tmp_path)) == {}
    (tmp_path / "pyproject.toml").write_text(
        '[tool.cleantext]\ncatalog = "rules/x.toml"\nmax-doc-bytes = 10\n'
    )
    settings = load_config(directory=str(tmp_path))
    assert settings == {"catalog": [str(tmp_path / "rules/x.toml")], "max_doc_bytes": 10}
    (tmp_path / "cleantext.toml").write_text("jobs = true\n")
    with pytest.raises(ConfigError, match="jobs must be a integer"):
        load_config(directory=str(tmp_path))
    (tmp_path / "cleantext.toml").write_text("jobs = [\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(directory=str(tmp_path))


def test_build_pipeline_from_names() -> None:
    assert build_pipeline().names == default_pipeline().names
    assert "stray-period" not in build_pipeline(skip=["stray-period"]).names
    with pytest.raises(UnknownFilterError, match=r"available|it has"):
        build_pipeline(only=["nope"])


def test_jsonl_numbers_and_unicode_survive_exactly() -> None:
    import io

    from cleantext.job import clean_stream

    line = (
        '{"text": "Hi. .", "big": 1e400, "int": 123456789012345678901234567890, '
        '"small": 0.1, "u": "\\u2028 “x” é", "n": null, "neg": -1E-5}\n'
    )
    out = io.BytesIO()
    result = clean_stream(
        io.BytesIO(line.encode()),
        out,
        JobConfig(pipeline=default_pipeline()),
        jsonl=True,
    )
    assert result.docs == 1
    assert out.getvalue().decode() == (
        '{"text":"Hi.","big":1e400,"int":123456789012345678901234567890,'
        '"small":0.1,"u":"\u2028 “x” é","n":null,"neg":-1e-05}\n'
    )
    assert out.getvalue().count(b"\n") == 1  # U+2028 stays inside its record


def test_running_shards_report_progress_ticks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cleantext import job

    monkeypatch.setattr(job, "TICK_SECONDS", 0.0)
    src = tmp_path / "c.jsonl"
    src.write_text("".join(json.dumps({"text": DIRTY}) + "\n" for _ in range(300)) + "{bad\n")
    config = _config(tmp_path / "dst")
    ticks: list[tuple[str, int, int, int]] = []
    (result,) = run_local(plan_shards([str(src)], config), config, jobs=1,
                          ticks=lambda *t: ticks.append(t))  # fmt: skip
    assert len(ticks) > 100
    assert {t[0] for t in ticks} == {result.shard_id}
    assert sum(t[1] for t in ticks) <= src.stat().st_size
    assert sum(t[2] for t in ticks) <= result.docs == 300
    assert job._progress_hook is None  # the hook does not outlive the run


def test_an_unreadable_input_is_tried_again_on_the_next_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cleantext import job
    from cleantext.io import DocumentError

    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text(DIRTY)
    config = _config(tmp_path / "dst")
    (shard,) = plan_shards([str(src)], config)

    def unreadable(path: str, *, max_bytes: int) -> bytes:
        raise DocumentError("unreadable", "cannot open: Permission denied")

    monkeypatch.setattr(job, "read_document", unreadable)
    first = run_shard(shard, config)
    assert first.rejects == {"unreadable": 1}
    monkeypatch.undo()
    second = run_shard(shard, config)
    assert not second.resumed and second.docs == 1
    assert run_shard(shard, config).resumed


def _run_all(sources: list[Path], dst: Path) -> tuple[dict[str, str], list[dict]]:
    config = _config(dst, report=str(dst.parent / f"{dst.name}-report.jsonl"))
    results = [run_shard(shard, config) for shard in plan_shards(list(map(str, sources)), config)]
    outputs = {
        str(p.relative_to(dst)): p.read_text("utf-8", "surrogateescape")
        for p in sorted(dst.rglob("*"))
        if p.is_file() and ".cleantext" not in p.parts
    }
    records = []
    for r in results:
        if r.report_part:
            records += [json.loads(line) for line in Path(r.report_part).read_text().splitlines()]
    return outputs, records


def test_documents_are_cleaned_in_batches_and_everything_keeps_the_input_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, batch_sizes
) -> None:
    from cleantext import job

    # A tree and a JSONL file where documents to clean alternate with ones that are not
    # cleaned (not UTF-8, not JSON, no text field): in batches of 3 the outputs and the
    # report's records equal those of one document at a time, in the same order.
    src = tmp_path / "src"
    (src / "tree").mkdir(parents=True)
    lines = []
    for i in range(11):
        name = src / "tree" / f"f{i:02d}.txt"
        if i in (4, 7):
            name.write_bytes(b"abc \xc3\x28 def")  # not UTF-8
        else:
            name.write_text(f"Doc {i} met Xi. .\n\nLeave a Reply\n")
        if i == 3:
            lines.append("{not json")
        elif i == 8:
            lines.append(json.dumps({"id": i, "body": "no text field"}))
        lines.append(json.dumps({"id": i, "text": f"Record {i} said so. .\n\nAdvertisement"}))
    (src / "records.jsonl").write_text("\n".join(lines) + "\n")

    monkeypatch.setattr(job, "BATCH_DOCS", 1)
    one_by_one = batch_sizes("explain_many")
    sources = [src / "tree", src / "records.jsonl"]
    expected = _run_all(sources, tmp_path / "dst1")
    assert set(one_by_one) == {1}
    batches_of_one = len(one_by_one)
    monkeypatch.setattr(job, "BATCH_DOCS", 3)
    in_threes = batch_sizes("explain_many")
    got = _run_all(sources, tmp_path / "dst3")
    assert got == expected
    assert max(in_threes) == 3 and len(in_threes) < batches_of_one
    outputs, records = got
    assert outputs["f00.txt"] == "Doc 0 met Xi.\n" and "f04.txt" not in outputs
    # every record but the one that is not JSON; the one without text is kept as it was
    kept = [json.loads(line)["id"] for line in outputs["records/part-00000.jsonl"].splitlines()]
    assert kept == [0, 1, 2, 3, 4, 5, 6, 7, 8, 8, 9, 10]
    tree_sources = [r["source"] for r in records if r["source"].endswith(".txt")]
    assert len(tree_sources) == 11 and "invalid UTF-8" in str(records)
    assert tree_sources == sorted(tree_sources)  # the files' order, rejects in their place
