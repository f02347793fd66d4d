"""The real ``cleantext`` command, run in subprocesses over temporary trees and JSONL files."""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from test_cli_helpers import ROOT, command, default_sigint, env, run, tree

import cleantext

SEEDS = ROOT / "corpora" / "seeds"
DIRTY = "Xi met Blinken. .\n\nLeave a Reply\n"
CLEAN = "Xi met Blinken.\n"


def _report(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _write(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def test_readme_setup_command_reproduces_the_gold_files(tmp_path: Path) -> None:
    out = tmp_path / "out" / "seeds"
    proc = run("clean", "corpora/seeds/input", "-o", out, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert tree(out, hidden=False) == tree(SEEDS / "gold")
    assert b"documents: 5 cleaned, 0 rejected" in proc.stderr


def test_a_directory_is_mirrored_and_left_untouched(tmp_path: Path) -> None:
    src = tmp_path / "src"
    _write(src / "a.txt", DIRTY)
    _write(src / "deep" / "er" / "b.txt", "See also Other news\n\nBody.\n")
    _write(src / "notes.md", DIRTY)
    _write(src / "drafts" / "c.txt", DIRTY)
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in src.rglob("*") if p.is_file()}
    proc = run("clean", src, "-o", tmp_path / "dst", "--exclude", "drafts")
    assert proc.returncode == 0, proc.stderr
    assert tree(tmp_path / "dst", hidden=False) == {
        "a.txt": CLEAN.encode(),
        "deep/er/b.txt": b"Body.\n",
    }
    assert before == {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in before}
    proc = run("clean", src, "-o", tmp_path / "dst2", "--include", "*.md")
    assert tree(tmp_path / "dst2", hidden=False) == {"notes.md": CLEAN.encode()}


def test_jsonl_keeps_every_field_and_the_record_order(tmp_path: Path) -> None:
    records = [
        {"z": i, "body": f"Story {i}. .\n\nLeave a Reply", "url": f"https://x/{i}", "a": [1, 2.5],
         "nested": {"k": None, "t": True}, "uni": "“quotes” é"}
        for i in range(50)
    ]  # fmt: skip
    src = _write(tmp_path / "c.jsonl", "".join(json.dumps(r) + "\n" for r in records))
    proc = run("clean", src, "-o", tmp_path / "dst", "--text-field", "body")
    assert proc.returncode == 0, proc.stderr
    (part,) = (tmp_path / "dst" / "c").glob("part-*.jsonl")
    out = [json.loads(line) for line in part.read_text(encoding="utf-8").split("\n") if line]
    assert [list(r) for r in out] == [list(r) for r in records]
    for before, after in zip(records, out, strict=True):
        assert after["body"] == f"Story {before['z']}."
        assert {k: v for k, v in after.items() if k != "body"} == {
            k: v for k, v in before.items() if k != "body"
        }


def test_jsonl_gz_output_is_compressed_like_the_input(tmp_path: Path) -> None:
    src = tmp_path / "d.jsonl.gz"
    with gzip.open(src, "wt", encoding="utf-8") as fh:
        for i in range(10):
            fh.write(json.dumps({"id": i, "text": DIRTY}) + "\n")
    proc = run("clean", src, "-o", tmp_path / "dst")
    assert proc.returncode == 0, proc.stderr
    part = tmp_path / "dst" / "d" / "part-00000.jsonl.gz"
    lines = gzip.decompress(part.read_bytes()).decode().splitlines()
    assert [json.loads(x) for x in lines] == [{"id": i, "text": CLEAN} for i in range(10)]


def _mixed_corpus(root: Path) -> None:
    for i in range(40):
        _write(root / f"d{i % 4}" / f"f{i:03d}.txt", f"Line {i}. .\n\nSee also X\n" * (i + 1))
    _write(root / "big.jsonl", "".join(json.dumps({"i": i, "text": DIRTY * (i % 7 + 1)}) + "\n"
                                       for i in range(400)))  # fmt: skip
    _write(root / "bad.txt", b"\xff\xfe\xfd not utf-8")


def test_jobs_1_and_jobs_2_write_identical_bytes(tmp_path: Path) -> None:
    _mixed_corpus(tmp_path / "src")
    results = {}
    for jobs in ("1", "2"):
        dst = tmp_path / f"dst{jobs}"
        proc = run("clean", tmp_path / "src", "-o", dst, "--include", "*.txt", "--include",
                   "*.jsonl", "--jobs", jobs, "--shard-bytes", "4000",
                   "--report", tmp_path / f"report{jobs}.jsonl")  # fmt: skip
        assert proc.returncode == 1, proc.stderr  # bad.txt is rejected
        results[jobs] = (tree(dst), (tmp_path / f"report{jobs}.jsonl").read_bytes())
    assert results["1"] == results["2"]
    parts = [k for k in results["1"][0] if k.startswith("big/part-")]
    assert len(parts) > 3  # the JSONL file really was split
    joined = b"".join(results["1"][0][k] for k in sorted(parts))
    assert [json.loads(x)["i"] for x in joined.splitlines()] == list(range(400))


BAD_INPUTS = [
    # name, bytes, reason, exit code, extra arguments
    ("invalid-utf8.txt", b"caf\xe9 au lait", "invalid-utf8", 1, ()),
    ("nul.txt", b"text\x00with a NUL", "binary", 1, ()),
    ("utf16-nobom.txt", "Hello there".encode("utf-16-le"), "binary", 1, ()),
    ("image.txt", bytes(range(256)) * 3, "binary", 1, ()),
    ("empty.txt", b"", "empty", 1, ()),
    ("huge.txt", b"word " * 400, "too-large", 1, ("--max-doc-bytes", "1000")),
    ("bad.jsonl", b'{"text": "ok"}\n{not json\n', "bad-json", 1, ()),
    ("nofield.jsonl", b'{"text": "ok"}\n{"body": "x"}\n', "missing-text-field", 1, ()),
    ("notstr.jsonl", b'{"text": 12}\n', "text-not-a-string", 1, ()),
    ("array.jsonl", b'[1, 2]\n', "not-an-object", 1, ()),
    ("bigline.jsonl", b'{"text": "' + b"a" * 3000 + b'"}\n{"text": "ok"}\n', "too-large", 1,
     ("--max-doc-bytes", "1000")),
    ("truncated.jsonl.gz", None, "truncated-gzip", 1, ()),
    ("garbage.jsonl.gz", b"this is not gzip at all", "corrupt-gzip", 1, ()),
]  # fmt: skip


def _truncated_gz() -> bytes:
    rows = "".join(json.dumps({"i": i, "text": f"Story number {i}, told once."}) + "\n"
                   for i in range(6000))  # fmt: skip
    data = gzip.compress(rows.encode())
    return data[: len(data) * 2 // 3]


def test_every_bad_input_gets_its_error_record_and_the_run_goes_on(tmp_path: Path) -> None:
    src = tmp_path / "src"
    _write(src / "good.txt", DIRTY)
    for name, data, _reason, _code, _extra in BAD_INPUTS:
        _write(src / name, _truncated_gz() if data is None else data)
    report = tmp_path / "report.jsonl"
    proc = run("clean", src, "-o", tmp_path / "dst", "--include", "*.txt", "--include",
               "*.jsonl*", "--report", report, "--max-doc-bytes", "1000")  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    assert (tmp_path / "dst" / "good.txt").read_text() == CLEAN
    bad: dict[str, list[str]] = {}
    for record in _report(report):
        if record["status"] == "rejected":
            assert record["message"] and record["action"]
            bad.setdefault(Path(record["source"]).name, []).append(record["reason"])
    assert bad == {name: [reason] for name, _data, reason, _code, _extra in BAD_INPUTS}
    for reason in {case[2] for case in BAD_INPUTS}:
        assert reason in proc.stderr.decode()
    for name, *_ in BAD_INPUTS:
        if name.endswith(".txt"):
            assert not (tmp_path / "dst" / name).exists()
    # What could be read before the damage of a truncated .gz is kept, in order.
    part = tmp_path / "dst" / "truncated" / "part-00000.jsonl.gz"
    kept = gzip.decompress(part.read_bytes()).decode().splitlines()
    assert 1000 < len(kept) < 6000
    assert [json.loads(x)["i"] for x in kept] == list(range(len(kept)))
    for name in ("bad.jsonl", "nofield.jsonl", "bigline.jsonl"):
        lines = (tmp_path / "dst" / Path(name).stem / "part-00000.jsonl").read_text().splitlines()
        assert json.loads(lines[0 if name != "bigline.jsonl" else -1]) == {"text": "ok"}
    nofield = (tmp_path / "dst" / "nofield" / "part-00000.jsonl").read_text().splitlines()
    assert nofield[1] == '{"body": "x"}'  # a record with nothing to clean is kept as it was


@pytest.mark.parametrize("name,data,reason,code,extra", BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS])
def test_each_bad_input_alone_gives_exit_code_1(
    tmp_path: Path, capfd, name: str, data: bytes | None, reason: str, code: int,
    extra: tuple[str, ...],
) -> None:  # fmt: skip
    from cleantext import cli

    src = tmp_path / "src"
    _write(src / name, _truncated_gz() if data is None else data)
    args = ["clean", str(src), "-o", str(tmp_path / "dst"), "--include", "*.txt", "--include",
            "*.jsonl*", "--jobs", "1", *extra]  # fmt: skip
    assert cli.main(args) == code
    assert f"({reason})" in capfd.readouterr().err


def test_utf16_with_a_bom_is_decoded_and_noted(tmp_path: Path) -> None:
    src = _write(tmp_path / "src" / "u16.txt", DIRTY.encode("utf-16"))
    report = tmp_path / "r.jsonl"
    proc = run("clean", src.parent, "-o", tmp_path / "dst", "--report", report)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "dst" / "u16.txt").read_bytes() == CLEAN.encode("utf-8")
    assert _report(report)[0]["warnings"] == ["decoded as UTF-16 (byte-order mark)"]


def test_invalid_utf8_can_be_kept_with_replacement_characters(tmp_path: Path) -> None:
    _write(tmp_path / "src" / "a.txt", b"caf\xe9 au lait. .\n")
    proc = run("clean", tmp_path / "src", "-o", tmp_path / "dst", "--decode-errors", "replace")
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "dst" / "a.txt").read_text() == "caf\ufffd au lait.\n"


def test_gzip_bomb_is_stopped_in_bounded_memory(tmp_path: Path) -> None:
    import zlib

    src = tmp_path / "bomb.jsonl.gz"
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    with open(src, "wb") as fh:
        fh.write(comp.compress(b'{"text": "'))
        chunk = b"a" * (1 << 20)
        for _ in range(300):  # 300 MB of one line, about 300 kB compressed
            fh.write(comp.compress(chunk))
        fh.write(comp.flush())
    measure = (
        "import resource, subprocess, sys; rc = subprocess.call(sys.argv[1:]); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); "
        "sys.exit(rc)"
    )
    cmd = command("clean", src, "-o", tmp_path / "dst", "--report", tmp_path / "r.jsonl")
    proc = subprocess.run(
        [cmd[0], "-c", measure, *cmd], capture_output=True, env=env(), timeout=120, check=False
    )
    assert proc.returncode == 1, proc.stderr
    peak_kib = int(proc.stderr.decode().strip().splitlines()[-1])
    assert peak_kib < 200_000, peak_kib
    reasons = [r["reason"] for r in _report(tmp_path / "r.jsonl")]
    assert "gzip-bomb" in reasons


def test_symlinks_out_of_the_source_are_not_followed(tmp_path: Path) -> None:
    secret = _write(tmp_path / "outside" / "secret.txt", "Top secret. .\n")
    src = tmp_path / "src"
    _write(src / "a.txt", DIRTY)
    (src / "leak.txt").symlink_to(secret)
    (src / "leakdir").symlink_to(secret.parent, target_is_directory=True)
    (src / "inner.txt").symlink_to(src / "a.txt")
    report = tmp_path / "r.jsonl"
    proc = run("clean", src, "-o", tmp_path / "dst", "--report", report)
    assert proc.returncode == 1, proc.stderr
    assert tree(tmp_path / "dst", hidden=False) == {"a.txt": CLEAN.encode(),
                                                    "inner.txt": CLEAN.encode()}  # fmt: skip
    reasons = {Path(r["source"]).name: r.get("reason") for r in _report(report)}
    assert reasons["leak.txt"] == "symlink-outside-source"
    assert reasons["leakdir"] == "symlink-outside-source"
    proc = run("clean", src, "-o", tmp_path / "dst2", "--follow-symlinks")
    assert (tmp_path / "dst2" / "leak.txt").read_text() == "Top secret.\n"


def test_nothing_is_written_outside_dst(tmp_path: Path) -> None:
    src, dst, outside = tmp_path / "src", tmp_path / "dst", tmp_path / "outside"
    outside.mkdir()
    _write(src / "..hidden..txt", DIRTY)
    _write(src / "sub" / "a.txt", DIRTY)
    _write(src / "ids.jsonl", "".join(json.dumps({"id": i, "text": DIRTY}) + "\n"
                                      for i in ("../../outside/evil", "/etc/passwd")))  # fmt: skip
    dst.mkdir()
    (dst / "sub").symlink_to(outside, target_is_directory=True)  # a trap left in DST
    proc = run("clean", src, "-o", dst, "--include", "*.txt", "--include", "*.jsonl")
    assert proc.returncode == 3, proc.stderr
    assert b"outside" in proc.stderr
    assert list(outside.iterdir()) == []
    (dst / "sub").unlink()
    proc = run("clean", src, "-o", dst, "--include", "*.txt", "--include", "*.jsonl")
    assert proc.returncode == 0, proc.stderr
    assert list(outside.iterdir()) == []
    assert sorted(tree(dst, hidden=False)) == ["..hidden..txt", "ids/part-00000.jsonl",
                                               "sub/a.txt"]  # fmt: skip
    for path in tmp_path.rglob("*"):
        assert path.is_relative_to(src) or path.is_relative_to(dst) or path == outside


@pytest.mark.parametrize("where", ["equal", "inside"])
def test_a_destination_inside_the_source_is_refused(tmp_path: Path, where: str) -> None:
    src = tmp_path / "src"
    _write(src / "a.txt", DIRTY)
    dst = src if where == "equal" else src / "out"
    proc = run("clean", src, "-o", dst)
    assert proc.returncode == 2
    assert b"inside the source" in proc.stderr or b"overwritten" in proc.stderr
    assert tree(src) == {"a.txt": DIRTY.encode()}


def test_a_file_cleaned_into_its_own_folder_is_refused(tmp_path: Path) -> None:
    src = _write(tmp_path / "a.txt", DIRTY)
    proc = run("clean", src, "-o", tmp_path)
    assert proc.returncode == 2
    assert src.read_text() == DIRTY


def test_in_place_replaces_each_file_atomically(tmp_path: Path) -> None:
    src = tmp_path / "src"
    a = _write(src / "a.txt", DIRTY)
    os.chmod(a, 0o640)
    clean_one = _write(src / "b.txt", CLEAN)
    mtime = clean_one.stat().st_mtime_ns
    with gzip.open(src / "c.jsonl.gz", "wt") as fh:
        fh.write(json.dumps({"text": DIRTY, "k": 1}) + "\n")
    proc = run("clean", src, "--in-place", "--include", "*.txt", "--include", "*.jsonl.gz")
    assert proc.returncode == 0, proc.stderr
    assert a.read_text() == CLEAN and a.stat().st_mode & 0o777 == 0o640
    assert clean_one.stat().st_mtime_ns == mtime  # unchanged files are not rewritten
    assert json.loads(gzip.decompress((src / "c.jsonl.gz").read_bytes())) == {"text": CLEAN,
                                                                              "k": 1}  # fmt: skip
    assert sorted(p.name for p in src.iterdir()) == ["a.txt", "b.txt", "c.jsonl.gz"]


def test_stdin_to_stdout_and_a_single_file_to_stdout(tmp_path: Path) -> None:
    proc = run("clean", "-", stdin=DIRTY.encode())
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, CLEAN.encode(), b"")
    src = _write(tmp_path / "a.jsonl", json.dumps({"text": DIRTY}) + "\n")
    proc = run("clean", src)
    assert proc.returncode == 0 and json.loads(proc.stdout) == {"text": CLEAN}
    proc = run("clean", "-", "--format", "jsonl", stdin=b'{"text": "Hi. ."}\n{oops\n')
    assert proc.returncode == 1 and proc.stdout == b'{"text":"Hi."}\n'
    assert b"bad-json" in proc.stderr
    proc = run("clean", tmp_path)
    assert proc.returncode == 2 and b"-o DST" in proc.stderr


def test_workers_start_before_planning_only_for_work_of_several_shards(
    tmp_path: Path, capfd
) -> None:
    import argparse
    import multiprocessing

    from cleantext import cli
    from cleantext.job import JobConfig

    src = _write(tmp_path / "src" / "a.txt", DIRTY).parent
    big = _write(tmp_path / "big.jsonl", (json.dumps({"text": DIRTY}) + "\n") * 20)
    config = JobConfig(cleantext.default_pipeline(), str(tmp_path / "dst"), jsonl_shard_bytes=200)
    assert (src / "a.txt").stat().st_size < 200 < big.stat().st_size

    def pool_for(sources: list[Path], jobs: int | None = 2, engine: str = "local"):
        args = argparse.Namespace(sources=[str(s) for s in sources], engine=engine, quiet=True)
        return cli._early_pool(args, config, jobs)

    pool = pool_for([src])  # a folder: any number of shards
    assert pool is not None and len(pool.workers) == 2
    pool.close()
    assert all(w.process.exitcode is not None for w in pool.workers)
    pool = pool_for([big])  # larger than one JSONL part
    assert pool is not None
    pool.close()
    assert pool_for([src / "a.txt"]) is None  # one small file: one shard, run here
    assert pool_for([src], jobs=1) is None and pool_for([src], engine="dask") is None
    assert pool_for([tmp_path / "missing"]) is None  # planning says what is wrong
    # The plan fails after the workers have started: they are stopped, none is left behind.
    before = set(multiprocessing.active_children())
    code = cli.main(["clean", str(src), str(tmp_path / "missing"), "-o", str(tmp_path / "d"),
                     "--jobs", "2"])  # fmt: skip
    assert code == 2 and "missing" in capfd.readouterr().err
    assert set(multiprocessing.active_children()) <= before


def test_the_command_runs_its_shards_on_the_workers_it_started_before_planning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cleantext import cli
    from cleantext.engines import local

    started: list[int] = []

    class Counted(local.WorkerPool):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            started.append(len(self.workers))

    monkeypatch.setattr(local, "WorkerPool", Counted)
    src = tmp_path / "src"
    for i in range(6):
        _write(src / f"f{i}.txt", DIRTY)
    argv = ["clean", str(src), "-o", str(tmp_path / "dst"), "--jobs", "2", "--shard-bytes", "40"]
    assert cli.main([*argv, "-q", "--no-config"]) == 0
    assert started == [2]  # one pool, the early one: run_local started none of its own
    assert len(list((tmp_path / "dst").glob("*.txt"))) == 6


def test_usage_and_configuration_errors_exit_2(tmp_path: Path, capfd) -> None:
    from cleantext import cli

    src = _write(tmp_path / "src" / "a.txt", DIRTY).parent
    bad = [["--only", "no-such-filter"], ["--skip", "nope"], ["--jobs", "0"],
           ["--catalog", str(tmp_path / "missing.toml")], ["--in-place"]]  # fmt: skip
    if "keep-languages" not in cleantext.available_filters():
        bad.append(["--keep-lang", "en"])
    for args in bad:
        assert cli.main(["clean", str(src), "-o", str(tmp_path / "dst"), *args]) == 2, args
        assert capfd.readouterr().err.startswith("cleantext: error:"), args
    cli.main(["clean", str(src), "-o", str(tmp_path / "dst"), "--only", "no-such-filter"])
    assert "strip-residue" in capfd.readouterr().err  # the valid names are listed
    assert cli.main(["clean", str(tmp_path / "missing"), "-o", str(tmp_path / "dst")]) == 2
    assert not (tmp_path / "dst").exists()
    # The real command: argparse errors and configuration errors both exit 2.
    assert run("frobnicate").returncode == 2
    proc = run("clean", src, "-o", tmp_path / "dst", "--skip", "nope")
    assert proc.returncode == 2 and proc.stderr.startswith(b"cleantext: error:")


def test_pipeline_options_change_the_output(tmp_path: Path) -> None:
    src = _write(tmp_path / "src" / "a.txt", DIRTY).parent
    run("clean", src, "-o", tmp_path / "skip", "--skip", "stray-period")
    assert (tmp_path / "skip" / "a.txt").read_text() == "Xi met Blinken. .\n"
    run("clean", src, "-o", tmp_path / "only", "--only", "stray-period,normalize-whitespace")
    assert (tmp_path / "only" / "a.txt").read_text() == "Xi met Blinken.\n\nLeave a Reply\n"
    rules = _write(tmp_path / "site.toml", '[[rule]]\nid = "site.promo.blinken"\n'
                   'category = "promo"\npattern = "Xi met Blinken\\\\. \\\\."\n'
                   'examples = ["Xi met Blinken. ."]\n')  # fmt: skip
    proc = run("clean", src, "-o", tmp_path / "cat", "--catalog", rules)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "cat" / "a.txt").read_text() == ""


def test_a_config_file_sets_the_same_keys(tmp_path: Path) -> None:
    src = _write(tmp_path / "src" / "a.txt", DIRTY).parent
    _write(tmp_path / "cleantext.toml", 'skip = ["stray-period"]\n')
    assert run("clean", src, "-o", tmp_path / "d1", cwd=tmp_path).returncode == 0
    assert (tmp_path / "d1" / "a.txt").read_text() == "Xi met Blinken. .\n"
    assert run("clean", src, "-o", tmp_path / "d2", "--no-config", cwd=tmp_path).returncode == 0
    assert (tmp_path / "d2" / "a.txt").read_text() == CLEAN
    (tmp_path / "cleantext.toml").unlink()
    _write(tmp_path / "pyproject.toml", '[tool.cleantext]\ninclude = ["*.md"]\n')
    _write(src / "b.md", DIRTY)
    assert run("clean", src, "-o", tmp_path / "d3", cwd=tmp_path).returncode == 0
    assert tree(tmp_path / "d3", hidden=False) == {"b.md": CLEAN.encode()}
    _write(tmp_path / "cleantext.toml", "colour = 1\n")
    proc = run("clean", src, "-o", tmp_path / "d4", cwd=tmp_path)
    assert proc.returncode == 2 and b"unknown key 'colour'" in proc.stderr


def test_an_unwritable_output_stops_the_run_with_exit_3(tmp_path: Path) -> None:
    src = tmp_path / "src"
    _write(src / "sub" / "a.txt", DIRTY)
    _write(src / "b.txt", DIRTY)
    dst = tmp_path / "dst"
    _write(dst / "sub", "a file where a directory must be")
    proc = run("clean", src, "-o", dst, "--jobs", "1")
    assert proc.returncode == 3
    assert b"cannot create directory" in proc.stderr and b"Traceback" not in proc.stderr
    assert not [p for p in dst.rglob("*") if TEMP_MARK in p.name]


TEMP_MARK = ".cleantext-tmp-"


def _can_mount() -> bool:
    probe = Path("/tmp") / f"cleantext-mount-probe-{os.getpid()}"
    probe.mkdir(exist_ok=True)
    ok = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(probe)],
                        capture_output=True, check=False).returncode == 0  # fmt: skip
    if ok:
        subprocess.run(["umount", str(probe)], check=False)
    probe.rmdir()
    return ok


def test_a_full_disk_stops_the_run_with_exit_3_and_no_truncated_file(tmp_path: Path) -> None:
    if not _can_mount():
        pytest.skip("needs permission to mount a tmpfs (test_job covers ENOSPC in-process)")
    src, dst = tmp_path / "src", tmp_path / "dst"
    for i in range(12):
        _write(src / f"f{i:02d}.txt", f"Paragraph {i}. .\n" * 1000)  # about 16 kB each
    dst.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(dst)], check=True)
    try:
        proc = run("clean", src, "-o", dst, "--jobs", "1")
        assert proc.returncode == 3, proc.stderr
        assert b"No space left on device" in proc.stderr and b"Traceback" not in proc.stderr
        for path in dst.glob("*.txt"):
            i = int(path.stem[1:])
            expected = "".join(f"Paragraph {i}.\n" for _ in range(1000)).encode()
            assert path.read_bytes() == expected
        assert not [p for p in dst.rglob("*") if TEMP_MARK in p.name]
        assert len(list(dst.glob("*.txt"))) >= 1  # some finished before the disk filled
        # A JSONL part that cannot fit is not left half-written either.
        big = _write(
            tmp_path / "big.jsonl",
            "".join(
                json.dumps({"i": i, "text": f"Record {i} of many. ."}) + "\n" for i in range(5000)
            ),
        )
        proc = run("clean", big, "-o", dst / "jsonl")
        assert proc.returncode == 3 and b"No space left on device" in proc.stderr
        assert not (dst / "jsonl" / "big" / "part-00000.jsonl").exists()
        assert not [p for p in dst.rglob("*") if TEMP_MARK in p.name]
    finally:
        subprocess.run(["umount", str(dst)], check=False)


def test_report_records_what_was_removed_and_repaired(tmp_path: Path) -> None:
    src = _write(tmp_path / "src" / "a.txt", DIRTY).parent
    report = tmp_path / "r.jsonl"
    assert run("clean", src, "-o", tmp_path / "dst", "--report", report).returncode == 0
    (record,) = _report(report)
    assert record["removed"] == [{"rule": "en.comment_form.wordpress",
                                  "category": "comment_form", "line": "Leave a Reply"}]  # fmt: skip
    assert record["repairs"]["stray-period"] == 1
    assert "edits" not in record
    run("clean", src, "-o", tmp_path / "dst2", "--report", report, "--report-edits")
    edits = _report(report)[0]["edits"]
    assert any(
        e["filter"] == "stray-period" and (e["before"], e["after"]) == (". .", ".") for e in edits
    ), edits
    assert all({"start", "end", "before", "after", "rule", "category"} <= set(e) for e in edits)


def test_a_rerun_sweeps_temporary_files_and_skips_finished_work(tmp_path: Path) -> None:
    src = tmp_path / "src"
    for i in range(5):
        _write(src / f"f{i}.txt", DIRTY)
    dst = tmp_path / "dst"
    assert run("clean", src, "-o", dst).returncode == 0
    first = tree(dst)
    stale = _write(dst / f".f0.txt{TEMP_MARK}123-deadbeef", "half a fi")
    proc = run("clean", src, "-o", dst)
    assert proc.returncode == 0 and not stale.exists()
    assert b"resumed:   1 of 1 shards" in proc.stderr
    assert tree(dst) == first
    _write(src / "f0.txt", "Changed. .\n")  # a changed source is redone
    run("clean", src, "-o", dst)
    assert (dst / "f0.txt").read_text() == "Changed.\n"
    run("clean", src, "-o", dst, "--skip", "stray-period")  # so is a changed pipeline
    assert (dst / "f0.txt").read_text() == "Changed. .\n"


@pytest.mark.parametrize("sig,code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_signals_give_exit_codes_143_and_130(sig: signal.Signals, code: int) -> None:
    proc = subprocess.Popen(command("clean", "-"), stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env(),
                            preexec_fn=default_sigint)  # fmt: skip
    for _ in range(600):  # until the command blocks reading standard input (handlers are set)
        with open(f"/proc/{proc.pid}/wchan") as fh:
            if "pipe" in fh.read():
                break
        time.sleep(0.05)
    proc.send_signal(sig)
    _out, err = proc.communicate(timeout=30)
    assert proc.returncode == code, err
    assert b"resume" in err


def test_explain_shows_a_diff_with_rule_ids_coloured_only_on_request(tmp_path: Path) -> None:
    src = _write(tmp_path / "a.txt", DIRTY)
    plain = run("explain", src)
    assert plain.returncode == 0
    text = plain.stdout.decode()
    assert "\033[" not in text
    assert "-Leave a Reply  [en.comment_form.wordpress]" in text
    assert "-Xi met Blinken. .  [stray-period]" in text and "+Xi met Blinken." in text
    coloured = run("explain", src, "--color").stdout.decode()
    assert "\033[31m-Leave a Reply" in coloured


def test_filters_lists_every_filter_with_its_options() -> None:
    proc = run("filters")
    assert proc.returncode == 0
    out = proc.stdout.decode()
    for name in cleantext.available_filters():
        assert name in out
    assert "option catalog" in out


def test_dask_engine_without_dask_names_the_extra(monkeypatch, tmp_path, capsys) -> None:
    import sys

    from cleantext import cli

    monkeypatch.setitem(sys.modules, "cleantext.engines.dask", None)  # import fails
    src = _write(tmp_path / "src" / "a.txt", DIRTY).parent
    code = cli.main(["clean", str(src), "-o", str(tmp_path / "dst"), "--engine", "dask"])
    assert code == 2
    assert 'pip install "cleantext-corpus[dask]"' in capsys.readouterr().err


def test_the_report_is_complete_after_a_resume(tmp_path: Path) -> None:
    src = tmp_path / "src"
    for i in range(6):
        _write(src / f"f{i}.txt", DIRTY)
    _write(src / "bad.txt", b"\xff")
    dst, r1, r2, r3 = tmp_path / "dst", tmp_path / "r1", tmp_path / "r2", tmp_path / "r3"
    assert run("clean", src, "-o", dst, "--shard-bytes", "60").returncode == 1  # no report
    assert run("clean", src, "-o", dst, "--shard-bytes", "60", "--report", r1).returncode == 1
    assert run("clean", src, "-o", dst, "--shard-bytes", "60", "--report", r2).returncode == 1
    assert run("clean", src, "-o", tmp_path / "fresh", "--shard-bytes", "60",
               "--report", r3).returncode == 1  # fmt: skip
    assert r1.read_bytes() == r2.read_bytes() == r3.read_bytes()
    assert len(_report(r1)) == 7


def test_in_place_report_leaves_no_parts_behind(tmp_path: Path) -> None:
    src = tmp_path / "src"
    _write(src / "a.txt", DIRTY)
    report = tmp_path / "r.jsonl"
    assert run("clean", src, "--in-place", "--report", report).returncode == 0
    assert [r["status"] for r in _report(report)] == ["ok"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.jsonl", "src"]


def test_the_progress_bar_shows_only_on_a_terminal(tmp_path: Path) -> None:
    import fcntl
    import pty
    import struct
    import termios

    src = tmp_path / "src"
    for i in range(3):
        _write(src / f"f{i}.txt", DIRTY)
    plain = run("clean", src, "-o", tmp_path / "d1")
    assert b"cleaning" not in plain.stderr and b"\r" not in plain.stderr
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 120, 0, 0))
    proc = subprocess.Popen(command("clean", src, "-o", tmp_path / "d2"), stdout=subprocess.PIPE,
                            stderr=slave, env=env())  # fmt: skip
    os.close(slave)
    proc.wait(timeout=60)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    shown = b"".join(chunks)
    assert proc.returncode == 0
    assert b"cleaning" in shown and b"B/s" in shown and b"docs=3" in shown


def test_no_tqdm_means_no_bar(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from cleantext import cli

    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert cli._progress_bar(100) is None


def test_keep_lang_is_passed_to_a_registered_keep_languages_filter(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from dataclasses import dataclass
    from typing import ClassVar

    from cleantext import registry
    from cleantext.config import build_pipeline
    from cleantext.filter import FilterBase

    @dataclass(frozen=True)
    class KeepLanguages(FilterBase):
        name: ClassVar[str] = "keep-languages"
        languages: tuple[str, ...] = ()

        def _run(self, text: str, edits: list | None) -> str:
            return text

    monkeypatch.setitem(registry._FACTORIES, "keep-languages", KeepLanguages)
    pipeline = build_pipeline(keep_lang=["en,de"])
    assert pipeline.names[:3] == ("fix-mojibake", "unicode-hygiene", "keep-languages")
    assert pipeline["keep-languages"].languages == ("en", "de")


def test_a_rules_subcommand_module_is_registered_when_present(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import importlib.machinery
    import sys
    import types

    from cleantext import cli

    module = types.ModuleType("cleantext.rules_cli")
    module.__spec__ = importlib.machinery.ModuleSpec("cleantext.rules_cli", None)

    def add_parser(subparsers) -> None:
        parser = subparsers.add_parser("rules", help="rules")
        parser.add_argument("--flag", action="store_true")

    def run_rules(args) -> int:
        print("rules ran", args.flag)
        return 0

    module.add_parser, module.run = add_parser, run_rules
    monkeypatch.setitem(sys.modules, "cleantext.rules_cli", module)
    assert cli.main(["rules", "--flag"]) == 0
    assert capsys.readouterr().out == "rules ran True\n"


def test_two_runs_cannot_write_the_same_destination(tmp_path: Path) -> None:
    from cleantext.job import JobConfig, lock_destination

    src = _write(tmp_path / "src" / "a.txt", DIRTY).parent
    held = lock_destination(JobConfig(cleantext.default_pipeline(), str(tmp_path / "dst")))
    assert held is not None
    proc = run("clean", src, "-o", tmp_path / "dst")
    assert proc.returncode == 2 and b"another cleantext run" in proc.stderr
    held.close()
    assert run("clean", src, "-o", tmp_path / "dst").returncode == 0


def test_explain_names_the_rules_on_the_lines_they_touched() -> None:
    from cleantext.cli import render_explanation

    text = (
        "\n\nBlinken arrived.\n\nLeave a Reply\n\nXi met Blinkens’ aide. .\n\n"
        "It was fine.and calm.\n\nSource: TRT\n"
    )
    shown = render_explanation(cleantext.explain(text), text, context=0)
    tagged = {
        line.split("  [")[0]: line.split("  [")[1].rstrip("]")
        for line in shown.splitlines()
        if line.startswith("-") and "  [" in line
    }
    assert tagged["-Leave a Reply"] == "en.comment_form.wordpress"
    assert tagged["-Xi met Blinkens’ aide. ."] == "name-possessive, stray-period"
    assert tagged["-It was fine.and calm."] == "missing-space"
    assert tagged["-Source: TRT"] == "en.attribution.source"
    assert "+Xi met Blinken’s aide." in shown.splitlines()


def test_odd_file_names_and_lone_surrogates_do_not_stop_the_run(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    for name in (b"bad\xffname.txt", b"new\nline.txt", "ünï cödé.txt".encode()):
        with open(os.path.join(os.fsencode(src), name), "wb") as fh:
            fh.write(DIRTY.encode())
    _write(src / "s.jsonl", '{"text": "a\\ud800b. .", "x": "\\udc00"}\n')
    report = tmp_path / "r.jsonl"
    proc = run("clean", src, "-o", tmp_path / "dst", "--include", "*.txt", "--include",
               "*.jsonl", "--report", report)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    names = sorted(os.listdir(os.fsencode(tmp_path / "dst")))
    assert b"bad\xffname.txt" in names and b"new\nline.txt" in names
    assert len(_report(report)) == 4
    part = (tmp_path / "dst" / "s" / "part-00000.jsonl").read_text(encoding="utf-8")
    assert json.loads(part) == {"text": "a\ufffdb.", "x": "\udc00"}


def _peak_rss_kib(*args: str | os.PathLike[str]) -> int:
    measure = ("import resource, subprocess, sys; rc = subprocess.call(sys.argv[1:]); "
               "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); "
               "sys.exit(rc)")  # fmt: skip
    cmd = command(*args)
    proc = subprocess.run([cmd[0], "-c", measure, *cmd], capture_output=True, env=env(),
                          timeout=600, check=False)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return int(proc.stderr.decode().strip().splitlines()[-1])


@pytest.mark.slow
def test_peak_memory_does_not_grow_with_the_corpus(tmp_path: Path) -> None:
    record = json.dumps({"text": ("A sentence of the story. ." * 40 + "\n\n") * 6}) + "\n"
    peaks = []
    for copies in (2_000, 10_000):  # about 3 MB and 15 MB
        src = _write(tmp_path / f"c{copies}.jsonl", record * copies)
        peaks.append(_peak_rss_kib("clean", src, "-o", tmp_path / f"out{copies}", "--jobs", "1",
                                   "-q", "--only", "stray-period,normalize-whitespace",
                                   "--report", tmp_path / f"r{copies}.jsonl"))  # fmt: skip
    assert peaks[1] < peaks[0] + 8_000, peaks  # five times the input, not five times the memory


def test_in_place_on_one_file_sweeps_its_own_leftovers(tmp_path: Path) -> None:
    target = _write(tmp_path / "a.txt", DIRTY)
    leftover = _write(tmp_path / f".a.txt{TEMP_MARK}99-0badc0de", "half")
    other = _write(tmp_path / f".b.txt{TEMP_MARK}99-0badc0de", "not ours to judge")
    assert run("clean", target, "--in-place").returncode == 0
    assert target.read_text() == CLEAN
    assert not leftover.exists() and other.exists()


def test_a_broken_rules_module_does_not_break_the_other_commands(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import importlib.machinery
    import sys
    import types

    from cleantext import cli

    module = types.ModuleType("cleantext.rules_cli")
    module.__spec__ = importlib.machinery.ModuleSpec("cleantext.rules_cli", None)

    def add_parser(subparsers) -> None:
        raise ImportError("No module named 'cleantext.catalog.check'")

    module.add_parser = add_parser
    monkeypatch.setitem(sys.modules, "cleantext.rules_cli", module)
    assert cli.main(["filters"]) == 0
    assert cli.main(["rules"]) == 2
    assert "cleantext.catalog.check" in capsys.readouterr().err


def test_documents_dropped_by_keep_lang_are_left_out_and_counted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd
) -> None:
    from dataclasses import dataclass
    from typing import ClassVar

    from cleantext import cli, registry
    from cleantext.filter import Edit, FilterBase

    @dataclass(frozen=True)
    class FakeKeepLanguages(FilterBase):  # drops German the way keep-languages does
        name: ClassVar[str] = "keep-languages"
        languages: tuple[str, ...] = ("en",)

        def _run(self, text: str, edits: list | None) -> str:
            if "Die " not in text or "de" in self.languages:
                return text
            if edits is not None:
                edits.append(Edit(self.name, "other-language", "language", 0, len(text), text,
                                  "", (("language", "de"),)))  # fmt: skip
            return ""

    monkeypatch.setitem(registry._FACTORIES, "keep-languages", FakeKeepLanguages)
    src = tmp_path / "src"
    _write(src / "en.txt", DIRTY)
    _write(src / "de.txt", "Die Regierung hat entschieden.\n")
    _write(src / "mix.jsonl", json.dumps({"i": 1, "text": DIRTY}) + "\n"
           + json.dumps({"i": 2, "text": "Die Regierung."}) + "\n")  # fmt: skip
    report = tmp_path / "r.jsonl"
    code = cli.main(["clean", str(src), "-o", str(tmp_path / "dst"), "--keep-lang", "en",
                     "--include", "*.txt", "--include", "*.jsonl", "--jobs", "1",
                     "--report", str(report)])  # fmt: skip
    assert code == 0
    assert tree(tmp_path / "dst", hidden=False).keys() == {"en.txt", "mix/part-00000.jsonl"}
    part = (tmp_path / "dst" / "mix" / "part-00000.jsonl").read_text()
    assert [json.loads(x)["i"] for x in part.splitlines()] == [1]
    err = capfd.readouterr().err
    assert "2 cleaned, 0 rejected, 2 dropped by a filter" in err and "language:de  2" in err
    dropped = [r for r in _report(report) if r["status"] == "dropped"]
    assert [r["reason"] for r in dropped] == ["language:de", "language:de"]


def test_a_rerun_with_fewer_parts_leaves_no_stale_part_behind(tmp_path: Path) -> None:
    src = _write(tmp_path / "c.jsonl", "".join(json.dumps({"i": i, "text": DIRTY}) + "\n"
                                               for i in range(300)))  # fmt: skip
    dst = tmp_path / "dst"
    assert run("clean", src, "-o", dst, "--shard-bytes", "3000").returncode == 0
    assert len(list((dst / "c").glob("part-*"))) > 3
    proc = run("clean", src, "-o", dst)
    assert proc.returncode == 0 and b"JSONL part(s) an earlier run wrote" in proc.stderr
    (part,) = (dst / "c").glob("part-*")
    assert [json.loads(x)["i"] for x in part.read_text().splitlines()] == list(range(300))


def test_an_output_whose_source_is_now_rejected_goes(tmp_path: Path) -> None:
    src = tmp_path / "src"
    a = _write(src / "a.txt", DIRTY)
    _write(src / "b.txt", DIRTY)
    dst = tmp_path / "dst"
    assert run("clean", src, "-o", dst).returncode == 0
    a.write_bytes(b"\x00binary now")
    assert run("clean", src, "-o", dst).returncode == 1
    assert tree(dst, hidden=False) == {"b.txt": CLEAN.encode()}
