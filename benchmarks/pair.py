"""The machine's own ceiling for two processes: two independent ``cleantext clean --jobs 1`` at
once, each on one half of a JSONL file.

``--jobs 2`` can be no faster than two separate processes that share nothing but the machine;
the harness times this pair in the same rounds as ``--jobs 1`` and ``--jobs 2``, so the gap
between ``--jobs 2`` and the pair is what the command line's own scheduling costs, and the gap
between the pair and twice ``--jobs 1`` is what the machine gives two busy processes.

Usage: ``python -m benchmarks.pair OUT HALF_1 HALF_2 [CLEAN FLAGS...]``
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

__all__ = ["halves", "main"]


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


def main(argv: list[str] | None = None) -> int:
    """Run ``cleantext clean`` on each half at once (outputs under ``OUT/1`` and ``OUT/2``);
    exit with the first non-zero exit code of the two, after both have ended."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) < 3:
        print(__doc__.strip().splitlines()[-1].replace("``", ""), file=sys.stderr)
        return 2
    out, inputs, flags = Path(args[0]), args[1:3], args[3:]
    for path in inputs:
        if not Path(path).is_file():
            print(f"benchmarks.pair: no such file: {path}", file=sys.stderr)
            return 2
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "cleantext", "clean", path, "-o", str(out / str(k)), *flags],
            stdout=subprocess.DEVNULL,
        )
        for k, path in enumerate(inputs, start=1)
    ]
    codes = [proc.wait() for proc in procs]
    return next((code for code in codes if code), 0)


if __name__ == "__main__":
    sys.exit(main())
