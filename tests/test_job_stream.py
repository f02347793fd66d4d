"""Planning a tree as a stream: the same shards as a listed plan, checks before any work, and
memory that does not grow with the number of files."""

from __future__ import annotations

import os
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleantext import default_pipeline
from cleantext.cli import main
from cleantext.engines.local import AHEAD, run_local
from cleantext.errors import ConfigError
from cleantext.job import (
    JobConfig,
    Shard,
    _folder_of,
    _group,
    _join,
    _listed_units,
    plan_shards,
    plan_stream,
)


def _config(dst: Path, **kw) -> JobConfig:
    return JobConfig(pipeline=default_pipeline(), destination=str(dst), **kw)


def _files(root: Path, count: int, per_folder: int = 100, text: str = "Hi. .\n") -> Path:
    """``count`` small files, ``per_folder`` to a folder, as in a scraped corpus."""
    for i in range(count):
        path = root / f"{i // per_folder:04d}" / f"document-{i:06d}-of-a-scraped-site.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def _cli_peak(tmp_path: Path, count: int) -> int:
    """Peak traced bytes of ``cleantext clean SRC -o DST --jobs 1`` on ``count`` files, beyond
    what was allocated before it started."""
    src = _files(tmp_path / f"src{count}", count)
    argv = ["clean", str(src), "-o", str(tmp_path / f"dst{count}"), "--jobs", "1", "-q"]
    argv += ["--shard-bytes", "60"]  # about 8 files a shard: many shards, small ones
    tracemalloc.reset_peak()
    before = tracemalloc.get_traced_memory()[0]
    assert main([*argv, "--no-fsync", "--no-config"]) == 0
    return tracemalloc.get_traced_memory()[1] - before


def test_the_command_holds_no_per_file_state_for_a_tree(tmp_path: Path) -> None:
    # A listed plan held about 500 bytes a file (its paths), so 900 more files grew the
    # peak by about 0.5 MB; a streamed plan holds one batch of files and one folder.
    tracemalloc.start()
    try:
        _cli_peak(tmp_path, 20)  # rules compile on first use: not part of either figure
        small, large = _cli_peak(tmp_path, 300), _cli_peak(tmp_path, 1200)
    finally:
        tracemalloc.stop()
    assert large - small < 100_000, (small, large)


def test_iterating_a_plan_keeps_memory_flat_in_the_number_of_files(tmp_path: Path) -> None:
    peaks = []
    for count in (500, 2000):
        src = _files(tmp_path / f"src{count}", count)
        config = _config(tmp_path / "dst", shard_files=25)
        tracemalloc.start()
        try:
            shards = sum(1 for _ in plan_stream([str(src)], config))
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
        assert shards == count // 25
    assert peaks[1] < 1.25 * peaks[0], peaks


def test_a_plan_counts_its_inputs_and_bytes_without_listing_them(tmp_path: Path) -> None:
    src = _files(tmp_path / "src", 30, per_folder=7)
    (src / "extra.jsonl").write_text('{"text": "a"}\n' * 3)
    config = _config(tmp_path / "dst", include=("*.txt", "*.jsonl"), shard_bytes=40)
    plan = plan_stream([str(src)], config)
    shards = list(plan)
    assert (plan.inputs, plan.jsonl_inputs) == (31, 1)
    assert plan.bytes == sum(s.bytes for s in shards) == 30 * 6 + 42
    assert list(plan) == shards == plan_shards([str(src)], config)  # iterable again, same


def test_streamed_shards_are_those_a_listed_plan_makes(tmp_path: Path) -> None:
    # Shard ids decide what a resumed run skips: a streamed plan must cut the same batches,
    # although it learns the average file size from a counting walk.
    src = tmp_path / "src"
    for i in range(120):
        path = src / f"d{i % 5}" / f"f{i:03d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x" * (50 + (i * 37) % 400))
    (src / "d2" / "g.jsonl").write_text('{"text": "a"}\n' * 40)
    (src / "d3" / "link.txt").symlink_to("/nonexistent/outside")
    config = _config(tmp_path / "dst", include=("*.txt", "*.jsonl"), shard_bytes=2000,
                     jsonl_shard_bytes=100)  # fmt: skip
    roots: list[str] = []
    listed = _group(list(_listed_units([str(src)], config, roots)), config)
    streamed = list(plan_stream([str(src)], config))
    assert streamed == listed
    assert len({s.id for s in streamed}) == len(streamed) > 10
    assert {s.kind for s in streamed} == {"text", "jsonl"}


def test_two_trees_sharing_folders_but_no_output_plan_in_order(tmp_path: Path) -> None:
    one = _tree_of(tmp_path / "one", "a/x.txt", "b/c/y.txt", "b/z.txt")
    two = _tree_of(tmp_path / "two", "a/w.txt", "b/c/v.txt", "e.txt")
    config = _config(tmp_path / "dst")
    roots: list[str] = []
    listed = _group(list(_listed_units([str(one), str(two)], config, roots)), config)
    assert list(plan_stream([str(one), str(two)], config)) == listed
    assert [u.display for s in listed for u in s.units] == [
        f"{one}/a/x.txt", f"{one}/b/z.txt", f"{one}/b/c/y.txt",
        f"{two}/e.txt", f"{two}/a/w.txt", f"{two}/b/c/v.txt",
    ]  # fmt: skip


def _tree_of(root: Path, *names: str) -> Path:
    for name in names:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("Hi.")
    return root


def _refused(sources: list[Path], config: JobConfig) -> str:
    with pytest.raises(ConfigError) as listed:
        plan_shards([str(s) for s in sources], config)
    with pytest.raises(ConfigError) as streamed:
        plan_stream([str(s) for s in sources], config)
    assert str(listed.value) == str(streamed.value)
    return str(streamed.value)


def test_two_trees_writing_one_output_are_refused_whatever_folders_lie_between(
    tmp_path: Path,
) -> None:
    one = _tree_of(tmp_path / "one", "a/x.txt", "b/c/y.txt", "b/z.txt", "d/w.txt")
    two = _tree_of(tmp_path / "two", "a0/x.txt", "b/z.txt")
    dst = tmp_path / "dst"
    assert _refused([one, two], _config(dst)) == (
        f"{one}/b/z.txt and {two}/b/z.txt would both write {dst}/b/z.txt"
    )


def test_a_text_file_and_a_jsonl_file_writing_one_output_are_refused(tmp_path: Path) -> None:
    src = _tree_of(tmp_path / "src", "sub/a", "sub/a.jsonl", "sub/b.txt")
    config = _config(tmp_path / "dst", include=("a", "*.jsonl"))
    assert _refused([src], config) == (
        f"{src}/sub/a and {src}/sub/a.jsonl would both write {tmp_path}/dst/sub/a"
    )


def test_an_input_inside_dst_that_its_output_would_overwrite_is_refused(tmp_path: Path) -> None:
    dst = _tree_of(tmp_path / "dst", "a.txt")
    src = _tree_of(tmp_path / "src", "b.txt")
    assert _refused([src, dst / "a.txt"], _config(dst)) == (
        f"{dst}/a.txt would be overwritten by its own output: "
        "choose another destination, or use --in-place"
    )


def test_a_followed_link_to_an_output_found_after_that_output_is_refused(tmp_path: Path) -> None:
    # The link is walked after a.txt, whose output it points to: only a second look sees it.
    dst = _tree_of(tmp_path / "dst", "a.txt")
    src = _tree_of(tmp_path / "src", "a.txt")
    (src / "z.txt").symlink_to(dst / "a.txt")
    assert _refused([src], _config(dst, follow_symlinks=True)) == (
        f"{src}/a.txt would be overwritten by its own output: "
        "choose another destination, or use --in-place"
    )
    elsewhere = _config(tmp_path / "elsewhere", follow_symlinks=True)
    assert [len(s.units) for s in plan_shards([str(src)], elsewhere)] == [2]


def test_an_output_that_a_link_in_dst_leads_into_the_source_is_refused(tmp_path: Path) -> None:
    src = _tree_of(tmp_path / "src", "sub/y.txt")
    dst = tmp_path / "dst"
    dst.mkdir()
    (dst / "sub").symlink_to(src)
    assert _refused([src], _config(dst)) == (
        f"the output of {src}/sub/y.txt ({dst}/sub/y.txt) would land inside the source "
        f"{src}: choose another destination"
    )


def test_an_output_that_is_itself_a_link_into_the_source_is_refused(tmp_path: Path) -> None:
    # The census resolves each output folder once: a link in the folder's place of an output
    # must still be followed.
    src = _tree_of(tmp_path / "src", "sub/y.txt", "notes.md")
    (tmp_path / "dst" / "sub").mkdir(parents=True)
    (tmp_path / "dst" / "sub" / "y.txt").symlink_to(src / "notes.md")
    assert _refused([src], _config(tmp_path / "dst")) == (
        f"the output of {src}/sub/y.txt ({tmp_path}/dst/sub/y.txt) would land inside the source "
        f"{src}: choose another destination"
    )


def test_the_local_engine_reads_a_stream_of_shards_only_as_workers_need_them(
    tmp_path: Path,
) -> None:
    src = _files(tmp_path / "src", 40, per_folder=40)
    config = _config(tmp_path / "dst", shard_files=2)
    listed = plan_shards([str(src)], config)
    taken: list[int] = []

    def stream() -> Iterator[Shard]:
        for shard in listed:
            taken.append(1)
            yield shard

    results = run_local(stream(), config, jobs=2)
    first = next(results)
    assert len(taken) <= AHEAD * 2 + 2 < len(listed)  # a window ahead, not the whole plan
    rest = list(results)
    assert [r.shard_id for r in [first, *rest]] == [s.id for s in listed]
    assert sorted(os.listdir(tmp_path / "dst" / "0000")) == sorted(os.listdir(src / "0000"))


_PATHS = st.text("ab/.", max_size=8)


@settings(max_examples=500, deadline=None)
@given(head=_PATHS, tail=_PATHS)
def test_the_planners_path_shortcuts_agree_with_os_path(head: str, tail: str) -> None:
    # Planning joins and splits a path per file with plain string operations where that is
    # exact; os.path is the reference for every path, plain or not.
    assert _join(head, tail) == os.path.join(head, tail)
    assert _folder_of(head) == os.path.dirname(head)
