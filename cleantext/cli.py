"""The ``cleantext`` command. It parses arguments and calls the library; no cleaning logic here."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import cleantext

__all__ = ["main"]


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cleantext", description=__doc__)
    parser.add_argument("--version", action="version", version=cleantext.__version__)
    sub = parser.add_subparsers(dest="command", required=True)
    clean = sub.add_parser("clean", help="clean text files (or '-' for stdin)")
    clean.add_argument("sources", nargs="+", help="input files or directories, or - for stdin")
    clean.add_argument("-o", "--output", help="output directory (default: standard output)")
    from cleantext import rules_cli  # the residue-catalog command (issue 3)

    rules_cli.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args = _build_parser().parse_args(argv)
    if args.command == "rules":
        return args.run(args)
    if args.command == "clean":
        for source in args.sources:
            if source == "-":
                sys.stdout.write(cleantext.clean(sys.stdin.read()))
                continue
            root = Path(source)
            files = sorted(root.rglob("*.txt")) if root.is_dir() else [root]
            for path in files:
                text = cleantext.clean(path.read_text(encoding="utf-8"))
                if args.output is None:
                    sys.stdout.write(text)
                    continue
                target = Path(args.output) / (
                    path.relative_to(root) if root.is_dir() else path.name
                )
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
