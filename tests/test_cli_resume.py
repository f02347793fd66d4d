"""Kill the command with SIGKILL at random points, rerun it, and check nothing was lost,
truncated or duplicated: the final tree equals the tree of an uninterrupted run."""

from __future__ import annotations

import gzip
import json
import os
import random
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from test_cli_helpers import command, default_sigint, env, run, tree

TEMP_MARK = ".cleantext-tmp-"


def _corpus(root: Path) -> None:
    rng = random.Random(7)
    for i in range(120):
        paragraphs = [f"Paragraph {i}.{k} about the talks. ." for k in range(rng.randint(5, 60))]
        body = "\n\n".join(paragraphs) + "\n\nSee also Something else\n\nLeave a Reply\n"
        path = root / f"d{i % 6}" / f"doc{i:03d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
    rows = [json.dumps({"id": i, "text": f"Record {i}. .\n\nSource: TRT", "n": i}) + "\n"
            for i in range(3000)]  # fmt: skip
    (root / "news.jsonl").write_text("".join(rows), encoding="utf-8")
    with gzip.open(root / "more.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.writelines(rows[:1500])
    (root / "broken.txt").write_bytes(b"\xc3\x28 invalid")


ARGS = ("--include", "*.txt", "--include", "*.jsonl*", "--jobs", "2", "--shard-bytes", "30000",
        "-q")  # fmt: skip


def _check_partial(dst: Path, ref: dict[str, bytes]) -> None:
    """Whatever a killed run left: every file under its final name is complete and correct."""
    for rel, data in tree(dst).items():
        if TEMP_MARK in rel.rsplit("/", 1)[-1]:
            assert rel.rsplit("/", 1)[-1].startswith(".")
            continue
        assert rel in ref, rel
        assert data == ref[rel], f"{rel} is partial or wrong"


def _kill_and_resume(tmp_path: Path, kills: int, seed: int) -> int:
    src = tmp_path / "src"
    _corpus(src)
    ref_dst = tmp_path / "ref"
    started = time.perf_counter()
    proc = run("clean", src, "-o", ref_dst, *ARGS)
    duration = time.perf_counter() - started
    assert proc.returncode == 1, proc.stderr  # broken.txt
    ref = tree(ref_dst)
    assert len([k for k in ref if "/part-" in k]) > 5
    rng = random.Random(seed)
    killed = rounds = midway = 0
    dst = tmp_path / "dst0"
    while killed < kills:
        child = subprocess.Popen(command("clean", src, "-o", dst, *ARGS), env=env(),
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                 start_new_session=True)  # fmt: skip
        time.sleep(rng.uniform(0.05, duration * 0.9))
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)  # the command and its workers
            child.wait()
            killed += 1
            _check_partial(dst, ref)
            done = [k for k in tree(dst) if k in ref]
            midway += 0 < len(done) < len(ref)
        else:
            assert child.returncode == 1
            assert tree(dst) == ref
            rounds += 1
            shutil.rmtree(dst)
            dst = tmp_path / f"dst{rounds}"
    # The kills really landed while outputs were being written, not only before or after.
    assert midway >= kills // 3, (midway, kills)
    proc = run("clean", src, "-o", dst, *ARGS)
    assert proc.returncode == 1, proc.stderr
    assert tree(dst) == ref
    return midway


def test_three_kills_then_resume_gives_the_uninterrupted_tree(tmp_path: Path) -> None:
    _kill_and_resume(tmp_path, kills=3, seed=1)


@pytest.mark.slow
def test_twenty_five_random_kills_lose_and_duplicate_nothing(tmp_path: Path) -> None:
    _kill_and_resume(tmp_path, kills=25, seed=2)


def _live_processes() -> dict[int, tuple[int, int]]:
    """Every live (not zombie) process from /proc: pid -> (parent pid, process group)."""
    table: dict[int, tuple[int, int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[0] != "Z":
                table[int(entry)] = (int(fields[1]), int(fields[2]))
    return table


def _descendants(pid: int) -> list[int]:
    """Every live process below ``pid``, children first."""
    parents = {p: parent for p, (parent, _group) in _live_processes().items()}
    found, frontier = [], [pid]
    while frontier:
        kids = [p for p, parent in parents.items() if parent in frontier]
        found += kids
        frontier = kids
    return found


def _group(pgid: int) -> list[int]:
    """Live processes of a process group (the command and any worker it left behind)."""
    return [p for p, (_parent, group) in _live_processes().items() if group == pgid]


def _start(src: Path, dst: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(command("clean", src, "-o", dst, *ARGS), env=env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True, preexec_fn=default_sigint)  # fmt: skip


def _wait_for_workers(child: subprocess.Popen[bytes], count: int) -> list[int]:
    """The pids of the command's worker processes, once ``count`` of them run."""
    for _ in range(400):
        workers = []
        for pid in _descendants(child.pid):
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as fh:
                    if b"spawn_main" in fh.read():
                        workers.append(pid)
            except OSError:
                continue
        if len(workers) >= count:
            return workers
        time.sleep(0.05)
    raise AssertionError("the workers never started")


def test_a_killed_worker_stops_the_run_instead_of_hanging(tmp_path: Path) -> None:
    src = tmp_path / "src"
    _corpus(src)
    child = _start(src, tmp_path / "dst")
    workers = _wait_for_workers(child, 2)
    time.sleep(0.3)  # let them start on their shards
    os.kill(workers[-1], signal.SIGKILL)  # as the out-of-memory killer would
    _out, err = child.communicate(timeout=120)
    assert child.returncode == 3, err
    assert b"worker process" in err and b"Traceback" not in err
    for _ in range(100):
        if not _group(child.pid):
            break
        time.sleep(0.05)
    assert _group(child.pid) == []
    assert run("clean", src, "-o", tmp_path / "dst", *ARGS).returncode == 1
    assert run("clean", src, "-o", tmp_path / "ref", *ARGS).returncode == 1
    assert tree(tmp_path / "dst") == tree(tmp_path / "ref")


@pytest.mark.parametrize("sig,code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_signals_stop_the_workers_and_leave_no_temporary_files(
    tmp_path: Path, sig: signal.Signals, code: int
) -> None:
    src = tmp_path / "src"
    _corpus(src)
    child = _start(src, tmp_path / "dst")
    _wait_for_workers(child, 2)
    time.sleep(0.3)
    if sig == signal.SIGINT:
        os.killpg(child.pid, sig)  # Ctrl-C reaches the whole process group
    else:
        child.send_signal(sig)
    _out, err = child.communicate(timeout=120)
    assert child.returncode == code, err
    assert b"rerun the same command to resume" in err
    for _ in range(100):
        if not _group(child.pid):
            break
        time.sleep(0.05)
    assert _group(child.pid) == []  # no orphaned worker keeps running
    leftovers = [p for p in (tmp_path / "dst").rglob("*") if TEMP_MARK in p.name]
    assert leftovers == []
    assert run("clean", src, "-o", tmp_path / "dst", *ARGS).returncode == 1
