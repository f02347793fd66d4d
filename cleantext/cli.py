"""The ``cleantext`` command. It parses arguments and calls the library; no cleaning logic here."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import cleantext

__all__ = ["main"]


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cleantext", description=__doc__)
    parser.add_argument("--version", action="version", version=cleantext.__version__)
    sub = parser.add_subparsers(dest="command", required=True)
    clean = sub.add_parser("clean", help="clean text files (or '-' for stdin)")
    clean.add_argument("sources", nargs="+", help="input files, or - for standard input")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args = _build_parser().parse_args(argv)
    if args.command == "clean":
        for source in args.sources:
            if source == "-":
                text = sys.stdin.read()
            else:
                with open(source, encoding="utf-8") as handle:
                    text = handle.read()
            sys.stdout.write(cleantext.clean(text))
    return 0


if __name__ == "__main__":
    sys.exit(main())
