"""The floor: read every document and write it back unchanged, as the CLI would, from Python.

Nothing can clean faster than this copy; the harness runs it in the same way as the CLI (a fresh
process over the same tree) so the two are comparable.

Usage: ``python -m benchmarks.floor SRC_DIR DST_DIR``
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

__all__ = ["copy_tree", "main"]


def copy_tree(src: Path, dst: Path, func: Callable[[str], str] | None = None) -> tuple[int, int]:
    """Read each ``*.txt`` under ``src`` as UTF-8, apply ``func`` (if any), write it under
    ``dst`` at the same relative path; return (documents, bytes read).

    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as t:
    ...     src = pathlib.Path(t, "in"); src.mkdir(); _ = (src / "a.txt").write_text("hi")
    ...     copy_tree(src, pathlib.Path(t, "out"))
    (1, 2)
    """
    docs = nbytes = 0
    made: set[Path] = set()
    for path in sorted(src.rglob("*.txt")):
        with open(path, encoding="utf-8", newline="") as fh:
            text = fh.read()
        nbytes += path.stat().st_size
        if func is not None:
            text = func(text)
        target = dst / path.relative_to(src)
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        with open(target, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        docs += 1
    return docs, nbytes


def main(argv: list[str] | None = None) -> int:
    """Copy SRC_DIR to DST_DIR document by document."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m benchmarks.floor SRC_DIR DST_DIR", file=sys.stderr)
        return 2
    copy_tree(Path(args[0]), Path(args[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
