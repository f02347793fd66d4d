"""The machine's own ceiling for two processes: two independent ``cleantext clean --jobs 1`` at
once, each on one half of the input (a JSONL file's lines, or a tree's top folders).

``--jobs 2`` can be no faster than two separate processes that share nothing but the machine;
the harness times this pair in the same rounds as ``--jobs 1`` and ``--jobs 2``, so the gap
between ``--jobs 2`` and the pair is what the command line's own scheduling costs, and the gap
between the pair and twice ``--jobs 1`` is what the machine gives two busy processes.

Usage: ``python -m benchmarks.pair OUT HALF_1 HALF_2 [CLEAN FLAGS...]``, each half one or more
inputs joined by the path separator (":" on POSIX).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

__all__ = ["halves", "main", "tree_halves"]


def halves(source: Path) -> tuple[Path, Path]:
    """Split the JSONL file ``source`` at the first line break past its middle into two files
    beside it (``<stem>.half-1.jsonl``, ``<stem>.half-2.jsonl``), made once and reused; return
    their paths. The two hold every line of ``source``, in order, each line whole.

    >>> import tempfile, pathlib
    >>> src = pathlib.Path(tempfile.mkdtemp(), "c.jsonl")
    >>> _ = src.write_text('{"text": "a"}\\n{"text": "b"}\\n{"text": "c"}\\n')
    >>> [p.read_text() for p in halves(src)]
    ['{"text": "a"}\\n{"text": "b"}\\n', '{"text": "c"}\\n']
    """
    first = source.with_name(f"{source.stem}.half-1.jsonl")
    second = source.with_name(f"{source.stem}.half-2.jsonl")
    size = source.stat().st_size
    if first.exists() and second.exists() and first.stat().st_size + second.stat().st_size == size:
        return first, second
    with open(source, "rb") as src:
        src.seek(size // 2)
        src.readline()  # to the end of the line that holds the middle
        cut = src.tell()
        src.seek(0)
        for path, length in ((first, cut), (second, size - cut)):
            partial = path.with_name(path.name + ".partial")
            with open(partial, "wb") as out:
                while length > 0:
                    block = src.read(min(length, 1 << 22))
                    if not block:
                        break
                    out.write(block)
                    length -= len(block)
            partial.replace(path)
    return first, second


def tree_halves(root: Path) -> tuple[list[Path], list[Path]] | None:
    """The top folders of the tree ``root``, in order, cut in two runs of about equal bytes;
    None when ``root`` holds files of its own or fewer than two folders.

    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> for name, size in (("a", 5), ("b", 3), ("c", 4)):
    ...     (root / name).mkdir(); _ = (root / name / "x.txt").write_text("." * size)
    >>> [[p.name for p in half] for half in tree_halves(root)]
    [['a'], ['b', 'c']]
    """
    entries = sorted(root.iterdir())
    if any(not p.is_dir() for p in entries) or len(entries) < 2:
        return None
    sizes = [sum(f.stat().st_size for f in p.rglob("*") if f.is_file()) for p in entries]
    total = sum(sizes)
    before = [sum(sizes[:k]) for k in range(1, len(sizes))]  # bytes in front of each cut
    cut = 1 + min(range(len(before)), key=lambda k: abs(2 * before[k] - total))
    return entries[:cut], entries[cut:]


def main(argv: list[str] | None = None) -> int:
    """Run ``cleantext clean`` on each half at once (outputs under ``OUT/1`` and ``OUT/2``);
    exit with the first non-zero exit code of the two, after both have ended."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) < 3:
        print(__doc__.strip().splitlines()[-1].replace("``", ""), file=sys.stderr)
        return 2
    out, flags = Path(args[0]), args[3:]
    halves_ = [half.split(os.pathsep) for half in args[1:3]]
    for path in (p for half in halves_ for p in half):
        if not Path(path).exists():
            print(f"benchmarks.pair: no such file or folder: {path}", file=sys.stderr)
            return 2
    clean = [sys.executable, "-m", "cleantext", "clean"]
    procs = [
        subprocess.Popen(
            [*clean, *half, "-o", str(out / str(k)), "--jobs", "1", *flags],
            stdout=subprocess.DEVNULL,
        )
        for k, half in enumerate(halves_, start=1)
    ]
    codes = [proc.wait() for proc in procs]
    return next((code for code in codes if code), 0)


if __name__ == "__main__":
    sys.exit(main())
