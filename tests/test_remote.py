"""SRC and DST as fsspec URLs, tested for real: the command talks to moto's S3 server through
s3fs. The server runs in this process on 127.0.0.1 (a free port), each test makes its own
bucket, and the module stops the server at its end. Every run is compared with a run of the
same command on local paths: outputs byte for byte, the report (sources renamed), the summary
and the exit code. In-process checks use fsspec's memory filesystem (a real one, no mocks).
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import logging
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip(
    "fsspec", reason='URLs need the fsspec extra: pip install "cleantext-corpus[fsspec]"'
)

import fsspec
from test_cli_helpers import command, tree
from test_cli_helpers import env as local_env

import cleantext
from cleantext import ConfigError, default_pipeline
from cleantext.job import JobConfig, _jsonl_ranges, plan_shards, run_shard
from cleantext.remote import jsonl_ranges, source_units

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "corpora" / "seeds" / "input"
ARGS = ("--include", "*.txt", "--include", "*.jsonl*", "--shard-bytes", "20000")
S3_ABSENT = 'the S3 tests need s3fs and moto: pip install "cleantext-corpus[test-s3]"'


# --- the S3 server --------------------------------------------------------------------------


@dataclass
class S3:
    """moto's S3 server on loopback, an s3fs client for setting up and reading back, and the
    environment a command needs to reach it (nothing from the user's AWS set-up)."""

    endpoint: str
    fs: Any
    env: dict[str, str]

    def bucket(self) -> str:
        name = f"ct-{uuid.uuid4().hex[:12]}"
        self.fs.mkdir(name)
        return name

    def upload(self, local: Path, prefix: str) -> None:
        for path in sorted(local.rglob("*")):
            if path.is_file():
                self.fs.put_file(str(path), f"{prefix}/{path.relative_to(local).as_posix()}")

    def tree(self, prefix: str, *, hidden: bool = False) -> dict[str, bytes]:
        """Every object below ``prefix`` (relative name -> bytes), like ``tree`` for files."""
        self.fs.invalidate_cache()
        found = {}
        for key in sorted(self.fs.find(prefix)):
            rel = key[len(prefix) + 1 :]
            if hidden or rel.split("/")[0] != ".cleantext":
                found[rel] = self.fs.cat_file(key)
        return found

    def run(
        self, *args: str | os.PathLike[str], timeout: float = 180
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(command("clean", *args), capture_output=True, text=True,
                              env=self.env, timeout=timeout, check=False)  # fmt: skip


@pytest.fixture
def s3_here(s3: S3, monkeypatch: pytest.MonkeyPatch) -> S3:
    """The S3 server, reachable from this process too (for the command run in-process)."""
    for key in [k for k in os.environ if k.startswith("AWS_")]:
        monkeypatch.delenv(key)
    for key, value in s3.env.items():
        if key.startswith("AWS_"):
            monkeypatch.setenv(key, value)
    monkeypatch.setitem(fsspec.config.conf, "s3", {"endpoint_url": s3.endpoint})
    return s3


@pytest.fixture(scope="module")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3]:
    if not (importlib.util.find_spec("s3fs") and importlib.util.find_spec("moto")):
        pytest.skip(S3_ABSENT)
    import s3fs
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one log line per request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        nowhere = str(tmp_path_factory.mktemp("aws") / "none")
        env = {k: v for k, v in local_env().items() if not k.startswith(("AWS_", "FSSPEC_"))}
        env.update(
            AWS_ACCESS_KEY_ID="testing",
            AWS_SECRET_ACCESS_KEY="testing",
            AWS_DEFAULT_REGION="us-east-1",
            AWS_EC2_METADATA_DISABLED="true",  # never ask 169.254.169.254 for credentials
            AWS_CONFIG_FILE=nowhere,
            AWS_SHARED_CREDENTIALS_FILE=nowhere,
            FSSPEC_S3_ENDPOINT_URL=endpoint,  # fsspec's own configuration, read by s3fs
        )
        fs = s3fs.S3FileSystem(
            endpoint_url=endpoint,
            key="testing",
            secret="testing",
            skip_instance_cache=True,
        )
        yield S3(endpoint, fs, env)
    finally:
        server.stop()


# --- corpus and the local reference run ----------------------------------------------------


def _corpus(root: Path, *, docs: int = 24) -> None:
    """A tree (seed articles, generated documents in nested folders, one invalid UTF-8 file,
    one file the globs leave out), a plain JSONL file split in several parts with a broken
    record in its third part, and a gzipped JSONL file."""
    rng = random.Random(11)
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    paragraphs = [p for text in texts for p in text.split("\n\n") if p.strip()]
    for i, text in enumerate(texts):
        (root / "tree" / "seeds").mkdir(parents=True, exist_ok=True)
        (root / "tree" / "seeds" / f"seed-{i}.txt").write_text(text, encoding="utf-8")
    for n in range(docs):
        folder = root / "tree" / f"part-{n % 3}" / f"sub-{n % 2}"
        folder.mkdir(parents=True, exist_ok=True)
        body = "\n\n".join(rng.sample(paragraphs, 6)) + f"\n\nDocument {n}.\n"
        (folder / f"doc-{n:03d}.txt").write_text(body, encoding="utf-8")
    (root / "tree" / "broken.txt").write_bytes(b"Valid start, then \xff\xfe bad bytes.\n")
    (root / "tree" / "notes.md").write_text("not a .txt file: left alone\n", encoding="utf-8")
    rows = [
        json.dumps({"id": n, "text": "\n\n".join(rng.sample(paragraphs, 2)) + f"\n\nRow {n}. ."})
        for n in range(160)
    ]
    rows.insert(120, '{"id": "broken", "text": ')
    (root / "news.jsonl").write_text("\n".join(rows) + "\n", encoding="utf-8")
    with gzip.open(root / "more.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.write("\n".join(rows[:40]) + "\n")


SOURCES = ("tree", "news.jsonl", "more.jsonl.gz")


def _summary(stderr: str) -> list[str]:
    """The end-of-run summary without its timing (and resume) line."""
    lines = stderr.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("documents:"))
    return [x for x in lines[start:] if not x.startswith(("time:", "resumed:"))]


def _report(path: Path, source_root: str) -> str:
    return path.read_text(encoding="utf-8").replace(source_root, "SRC")


@dataclass
class Reference:
    src: Path
    out: dict[str, bytes]
    report: str
    summary: list[str]


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Reference:
    """The corpus, cleaned once from local paths to a local directory."""
    root = tmp_path_factory.mktemp("reference")
    src = root / "src"
    _corpus(src)
    done = subprocess.run(
        command("clean", *(src / s for s in SOURCES), "-o", root / "out", "--report",
                root / "report.jsonl", "-j", "1", *ARGS),
        capture_output=True, text=True, env=local_env(), timeout=180, check=False,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr  # broken.txt and the broken record
    out = tree(root / "out", hidden=False)
    assert len([k for k in out if k.startswith("news/part-")]) >= 3
    assert "more/part-00000.jsonl.gz" in out and "notes.md" not in out
    return Reference(src, out, _report(root / "report.jsonl", str(src)), _summary(done.stderr))


def _check_like_reference(
    done: subprocess.CompletedProcess[str],
    ref: Reference,
    out: dict[str, bytes],
    report: Path,
    source_root: str,
) -> None:
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert out == ref.out
    assert _summary(done.stderr) == ref.summary
    assert _report(report, source_root) == ref.report
    assert f"{source_root}/news.jsonl:121: not valid JSON" in done.stderr  # file-wide line


# --- the same job between S3 and local paths --------------------------------------------------


@pytest.mark.parametrize(
    ("direction", "jobs"),
    [
        ("s3-to-s3", 2),
        pytest.param("s3-to-s3", 1, marks=pytest.mark.slow),
        pytest.param("s3-to-local", 1, marks=pytest.mark.slow),
        pytest.param("local-to-s3", 1, marks=pytest.mark.slow),
        pytest.param("s3-to-local", 2, marks=pytest.mark.slow),
        pytest.param("local-to-s3", 2, marks=pytest.mark.slow),
    ],
)
def test_a_run_with_urls_matches_the_run_on_local_paths(
    s3: S3, reference: Reference, tmp_path: Path, direction: str, jobs: int
) -> None:
    bucket = s3.bucket()
    if direction.startswith("s3"):
        s3.upload(reference.src, f"{bucket}/in")
        source_root = f"s3://{bucket}/in"
    else:
        source_root = str(reference.src)
    dst = f"s3://{bucket}/out" if direction.endswith("s3") else str(tmp_path / "out")
    report = tmp_path / "report.jsonl"
    done = s3.run(*(f"{source_root}/{s}" for s in SOURCES), "-o", dst, "--report", report,
                  "-j", str(jobs), *ARGS)  # fmt: skip
    if direction.endswith("s3"):
        out = s3.tree(f"{bucket}/out")
        markers = s3.tree(f"{bucket}/out/.cleantext/done", hidden=True)
    else:
        out = tree(tmp_path / "out", hidden=False)
        markers = tree(tmp_path / "out" / ".cleantext" / "done")
    _check_like_reference(done, reference, out, report, source_root)
    recorded = {o for m in markers.values() for o in json.loads(m)["result"]["outputs"]}
    assert recorded == set(out)  # each output is in the marker its shard wrote last
    if direction.endswith("s3"):
        staging = [k for k in s3.tree(f"{bucket}/out", hidden=True) if "cleantext-" in k]
        assert not staging  # nothing temporary was ever written to the bucket


def test_a_finished_run_resumes_and_a_rerun_redoes_only_what_changed(
    s3_here: S3, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One shard per file (--shard-bytes 1): a rerun skips every shard (its report comes
    from the report parts in the bucket); after a source changes, one output is deleted and
    one source becomes invalid, a rerun redoes exactly those three shards, restores the
    output and deletes the invalid source's old output. The command runs in this process,
    three times: fsspec's caches must not hide what changed in between."""
    from cleantext.cli import main

    s3 = s3_here
    local = tmp_path / "src"
    for i, path in enumerate(sorted(SEEDS.glob("*.txt"))):
        (local / f"d{i % 2}").mkdir(parents=True, exist_ok=True)
        (local / f"d{i % 2}" / path.name).write_bytes(path.read_bytes())
    bucket = s3.bucket()
    s3.upload(local, f"{bucket}/in")
    args = (f"s3://{bucket}/in", "-o", f"s3://{bucket}/out", "--shard-bytes", "1", "-j", "1")

    assert main(["clean", *args, "--report", str(tmp_path / "first.jsonl")]) == 0
    expected = {
        p.relative_to(local).as_posix(): cleantext.clean(p.read_text(encoding="utf-8")).encode()
        for p in local.rglob("*.txt")
    }
    assert s3.tree(f"{bucket}/out") == expected
    markers = s3.tree(f"{bucket}/out/.cleantext/done", hidden=True)
    assert len(markers) == 5

    capsys.readouterr()
    assert main(["clean", *args, "--report", str(tmp_path / "again.jsonl")]) == 0
    assert "resumed:   5 of 5 shards were already done" in capsys.readouterr().err
    assert s3.tree(f"{bucket}/out/.cleantext/done", hidden=True) == markers
    report = (tmp_path / "first.jsonl").read_bytes()
    assert (tmp_path / "again.jsonl").read_bytes() == report and report.count(b"\n") == 5

    changed, lost, broken = sorted(expected)[:3]
    s3.fs.pipe_file(f"{bucket}/in/{changed}", b"Changed. .\n\nLeave a Reply\n")
    s3.fs.rm_file(f"{bucket}/out/{lost}")
    s3.fs.pipe_file(f"{bucket}/in/{broken}", b"\xc3\x28 invalid")
    assert main(["clean", *args]) == 1
    stderr = capsys.readouterr().err
    assert "resumed:   2 of 5 shards were already done" in stderr
    assert f"s3://{bucket}/in/{broken}: invalid UTF-8 at byte 0" in stderr
    expected[changed] = b"Changed.\n"
    del expected[broken]  # its earlier output goes: DST mirrors SRC
    assert s3.tree(f"{bucket}/out") == expected


@pytest.mark.slow
def test_a_run_killed_midway_resumes_to_the_same_result(s3: S3, tmp_path: Path) -> None:
    """SIGKILL the command once some shards have their markers; every object it left is
    whole and right, and a rerun finishes the rest to exactly the uninterrupted result."""
    local = tmp_path / "src"
    _corpus(local, docs=60)
    bucket = s3.bucket()
    s3.upload(local / "tree", f"{bucket}/in")
    args = (f"s3://{bucket}/in", "--shard-bytes", "1", "-j", "1", "-q")
    whole = s3.run(*args, "-o", f"s3://{bucket}/ref")
    assert whole.returncode == 1, whole.stderr
    ref = s3.tree(f"{bucket}/ref")

    staging = tmp_path / "tmp"  # where the killed run leaves its temporary folder
    staging.mkdir()
    child = subprocess.Popen(command("clean", *args, "-o", f"s3://{bucket}/out"),
                             env={**s3.env, "TMPDIR": str(staging)}, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and child.poll() is None:
            s3.fs.invalidate_cache()
            if len(s3.fs.find(f"{bucket}/out/.cleantext/done")) >= 5:
                break
            time.sleep(0.05)
        assert child.poll() is None, "the run finished before it could be killed"
        os.killpg(child.pid, signal.SIGKILL)
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
        child.wait()
    partial = s3.tree(f"{bucket}/out")
    assert 0 < len(partial) < len(ref)
    assert all(ref[k] == v for k, v in partial.items())  # whole objects only
    done = len(s3.fs.find(f"{bucket}/out/.cleantext/done"))

    rerun = s3.run(*args[:-1], "-o", f"s3://{bucket}/out")
    assert rerun.returncode == 1, rerun.stderr
    assert f"resumed:   {done} of " in rerun.stderr
    assert s3.tree(f"{bucket}/out") == ref
    assert {p.name.split("-")[1] for p in staging.iterdir()} <= {"in", "out"}  # only those


def test_one_object_to_standard_output(
    s3_here: S3, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    from cleantext.cli import main

    bucket = s3_here.bucket()
    seed = sorted(SEEDS.glob("*.txt"))[2]
    s3_here.fs.put_file(str(seed), f"{bucket}/one/{seed.name}")
    assert main(["clean", f"s3://{bucket}/one/{seed.name}"]) == 0
    assert (
        capsysbinary.readouterr().out == cleantext.clean(seed.read_text(encoding="utf-8")).encode()
    )
    assert main(["clean", f"s3://{bucket}/one/missing.txt"]) == 1
    assert b"missing.txt: cannot open: No such file or directory" in capsysbinary.readouterr().err


# --- errors -----------------------------------------------------------------------------------


def _missing_protocol() -> tuple[str, str] | None:
    """A protocol fsspec knows whose package is not installed here, and that package."""
    from fsspec.registry import known_implementations

    for protocol in ("gs", "abfs", "oci", "dropbox", "webdav", "box"):
        spec = known_implementations.get(protocol)
        package = str((spec or {}).get("class", "")).split(".", 1)[0]
        if package and importlib.util.find_spec(package) is None:
            return protocol, package
    return None


def test_bad_urls_are_clear_errors(
    s3_here: S3, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """Exit code 2 and a message that says what to do (the command's own error handling:
    no traceback), before anything is written."""
    from cleantext.cli import main

    bucket = s3_here.bucket()
    s3_here.fs.pipe_file(f"{bucket}/in/a.txt", b"Hello. .\n")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("Hello. .\n", encoding="utf-8")
    out = str(tmp_path / "out")
    cases: list[tuple[list[str], str]] = [
        (["nosuchfs://x/in", "-o", out], "fsspec knows no protocol 'nosuchfs'"),
        ([f"s3://{bucket}-missing/in", "-o", out],
         f"no such file or directory: s3://{bucket}-missing/in"),
        ([f"s3://{bucket}/nothing-here", "-o", out],
         f"no such file or directory: s3://{bucket}/nothing-here"),
        ([str(tmp_path / "in"), "-o", f"s3://{bucket}-missing/out"],
         f"the bucket '{bucket}-missing' does not exist"),
        ([f"s3://{bucket}/in", "--in-place"], "--in-place needs local files"),
        ([f"s3://{bucket}/in", "-o", out, "--report", f"s3://{bucket}/r.jsonl"],
         "--report needs a local file"),
    ]  # fmt: skip
    missing = _missing_protocol()
    if missing is not None:
        protocol, package = missing
        cases.append(([f"{protocol}://bucket/in", "-o", out], f"pip install {package}"))
    for args, expected in cases:
        assert main(["clean", *args, "-q"]) == 2, args
        assert expected in capsys.readouterr().err, args
    monkeypatch.setitem(sys.modules, "fsspec", None)  # as if fsspec were not installed
    monkeypatch.setitem(sys.modules, "fsspec.registry", None)
    assert main(["clean", f"s3://{bucket}/in", "-o", out]) == 2
    assert 'pip install "cleantext-corpus[fsspec]"' in capsys.readouterr().err
    assert not os.path.exists(out)


# --- in one process, on fsspec's memory filesystem -------------------------------------------


def _memory(prefix: str, files: dict[str, bytes]) -> str:
    fs = fsspec.filesystem("memory")
    root = f"/{prefix}-{uuid.uuid4().hex[:8]}"
    for name, data in files.items():
        fs.pipe_file(f"{root}/{name}", data)
    return f"memory:/{root}"


def test_jsonl_parts_and_line_numbers_match_the_local_split(tmp_path: Path) -> None:
    rng = random.Random(3)
    for trial in range(20):
        lines = [b"x" * rng.randint(0, 300) for _ in range(rng.randint(1, 200))]
        data = b"\n".join(lines) + (b"\n" if rng.random() < 0.5 else b"")
        step = rng.choice([1, 7, 64, 500, 4000])
        local = tmp_path / f"{trial}.jsonl"
        local.write_bytes(data)
        url = _memory("ranges", {"a.jsonl": data}) + "/a.jsonl"
        expected = [
            (a, b, data[:a].count(b"\n")) for a, b in _jsonl_ranges(str(local), len(data), step)
        ]
        assert jsonl_ranges(url, len(data), step) == expected


def test_a_listing_gives_the_units_of_a_local_walk(tmp_path: Path) -> None:
    """Same files, order, outputs and kinds as walking the same tree on disk, with the same
    include and exclude globs (a folder glob prunes the folder)."""
    files = {
        "b.txt": b"1", "a.txt": b"2", "z/y.txt": b"3", "z/a/b.txt": b"4", "drafts/x.txt": b"5",
        "keep/drafts.txt": b"6", "c.md": b"7", "news.jsonl": b"{}\n", "m/skip.txt": b"8",
        "z/.a.txt.cleantext-tmp-1-0a0b0c0d": b"",
    }  # fmt: skip
    for name, data in files.items():
        (tmp_path / "src" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "src" / name).write_bytes(data)
    url = _memory("walk", files)
    options = {"include": ("*.txt", "*.jsonl"), "exclude": ("drafts", "m/*")}
    local_config = JobConfig(default_pipeline(), str(tmp_path / "out"), **options)
    url_config = JobConfig(default_pipeline(), "memory://walk-out", **options)

    def described(units: list[cleantext.job.Unit], src: str, dst: str) -> list[tuple[str, ...]]:
        return [(u.kind, u.source.replace(src, ""), u.output.replace(dst, ""), str(u.size))
                for u in units]  # fmt: skip

    local_units = [u for s in plan_shards([str(tmp_path / "src")], local_config) for u in s.units]
    expected = described(local_units, str(tmp_path / "src"), str(tmp_path / "out"))
    got = described(source_units(url, url_config), url, "memory://walk-out")
    assert got == expected
    assert [e[1] for e in got] == ["/a.txt", "/b.txt", "/news.jsonl", "/keep/drafts.txt",
                                   "/z/y.txt", "/z/a/b.txt"]  # fmt: skip


def test_object_names_that_would_escape_dst_are_rejected(tmp_path: Path) -> None:
    url = _memory("unsafe", {"ok.txt": b"Fine. .", "a/../../escape.txt": b"x", "b//c.txt": b"y"})
    dst = tmp_path / "out"
    config = JobConfig(default_pipeline(), str(dst))
    results = [run_shard(s, config) for s in plan_shards([url], config)]
    assert sum(r.docs for r in results) == 1
    assert sum(r.rejects.get("unsafe-name", 0) for r in results) == 2
    assert tree(dst, hidden=False) == {"ok.txt": b"Fine."}
    assert not (tmp_path / "escape.txt").exists()


def test_inputs_over_the_limit_or_gone_are_rejected_like_local_files(tmp_path: Path) -> None:
    """A too-large object is rejected with the local message (without being downloaded);
    one deleted after planning is 'unreadable': no marker, so a rerun tries it again."""
    big = b"Paragraph. " * 200
    url = _memory("limits", {"big.txt": big, "gone.txt": b"Hello. ."})
    config = JobConfig(default_pipeline(), str(tmp_path / "out"), max_doc_bytes=1000)
    (shard,) = plan_shards([url], config)
    fsspec.filesystem("memory").rm_file(f"{url[len('memory:/') :]}/gone.txt")
    result = run_shard(shard, config)
    messages = {r["source"].rsplit("/", 1)[-1]: r["message"] for r in result.records}
    assert messages["big.txt"] == f"{len(big)} bytes is over --max-doc-bytes 1000"
    assert messages["gone.txt"].startswith("cannot read:")
    assert result.rejects == {"too-large": 1, "unreadable": 1}
    assert not (tmp_path / "out" / ".cleantext" / "done").exists()


def test_file_urls_are_local_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cleantext.cli import main

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("Xi met Blinken. .\n\nLeave a Reply\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["clean", f"file://{tmp_path}/in", "-o", "file://out", "-q", "-j", "1"]) == 0
    assert tree(tmp_path / "out", hidden=False) == {"a.txt": b"Xi met Blinken.\n"}


def test_a_url_destination_inside_the_url_source_is_refused() -> None:
    url = _memory("inside", {"a.txt": b"x"})
    with pytest.raises(ConfigError, match="is inside the source"):
        plan_shards([url], JobConfig(default_pipeline(), f"{url}/out"))
    with pytest.raises(ConfigError, match="would be overwritten by its own output"):
        plan_shards([f"{url}/a.txt"], JobConfig(default_pipeline(), f"{url}/"))


# --- the Dask engine ---------------------------------------------------------------------------


@pytest.mark.slow
def test_dask_engine_runs_the_same_job_against_s3(
    s3: S3, reference: Reference, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real `dask scheduler` and two `dask worker` processes (the helper of test_dask.py),
    started with the S3 environment; outputs, report and summary as from local paths."""
    test_dask = pytest.importorskip("test_dask")  # skips without Dask, as test_dask does
    bucket = s3.bucket()
    s3.upload(reference.src, f"{bucket}/in")
    for key in [k for k in os.environ if k.startswith(("AWS_", "FSSPEC_"))]:
        monkeypatch.delenv(key)
    for key, value in s3.env.items():
        if key.startswith(("AWS_", "FSSPEC_")):
            monkeypatch.setenv(key, value)  # inherited by the workers the helper starts
    report = tmp_path / "report.jsonl"
    with test_dask.dask_cluster(tmp_path / "cluster") as cluster:
        done = s3.run(*(f"s3://{bucket}/in/{s}" for s in SOURCES), "-o", f"s3://{bucket}/out",
                      "--report", report, "--engine", "dask", "--scheduler", cluster.address,
                      *ARGS, timeout=300)  # fmt: skip
    _check_like_reference(done, reference, s3.tree(f"{bucket}/out"), report, f"s3://{bucket}/in")
