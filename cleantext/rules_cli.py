"""``cleantext rules``: list the residue rules, or check a rule file's own examples.

``cleantext rules`` prints one line per rule (id, category, language, description);
``cleantext rules --check FILE`` runs the file's examples (each must be removed as a whole
line) and negatives (each must stay) through the residue filter with the built-in catalog plus
that file, and exits 1 naming each failing rule and line. A file that cannot be loaded exits 2
with the file, the rule id and the reason. The module parses arguments and calls the library.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from cleantext.catalog import CATEGORIES, load_catalog, load_rules
from cleantext.catalog.check import check_rules
from cleantext.errors import CatalogError

__all__ = ["add_parser", "run"]


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``rules`` command to an ``argparse`` sub-parser set; return its parser.

    >>> parser = argparse.ArgumentParser(prog="cleantext")
    >>> _ = add_parser(parser.add_subparsers(dest="command"))
    >>> parser.parse_args(["rules", "--check", "mine.toml"]).check
    ['mine.toml']
    """
    parser = subparsers.add_parser(
        "rules",
        help="list residue rules, or check a rule file's examples",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--check",
        metavar="FILE",
        action="append",
        default=[],
        help="run this TOML rule file's examples and negatives (repeatable)",
    )
    parser.add_argument(
        "--catalog",
        metavar="FILE",
        action="append",
        default=[],
        help="extra TOML rule files to include in the listing (repeatable)",
    )
    parser.add_argument("--language", action="append", help="list only these languages")
    parser.add_argument(
        "--category", action="append", choices=CATEGORIES, help="list only these categories"
    )
    parser.add_argument("--json", action="store_true", help="list as JSON lines")
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
    """Run ``cleantext rules`` with parsed ``args``; return the exit code (0, 1 or 2)."""
    try:
        if args.check:
            return _check(args.check)
        return _list(args)
    except CatalogError as exc:
        print(f"cleantext rules: {exc}", file=sys.stderr)
        return 2


def _check(paths: list[str]) -> int:
    failed = False
    for path in paths:
        rules, _ = load_rules(path)
        catalog = load_catalog([path])
        failures = check_rules(rules, catalog)
        for failure in failures:
            print(f"FAIL {failure.rule}: {failure.kind} {failure.line!r}: {failure.reason}")
        examples = sum(len(r.examples) for r in rules)
        negatives = sum(len(r.negatives) for r in rules)
        status = f"{len(failures)} failed" if failures else "ok"
        print(f"{path}: {len(rules)} rules, {examples} examples, {negatives} negatives: {status}")
        failed = failed or bool(failures)
    return 1 if failed else 0


def _list(args: argparse.Namespace) -> int:
    catalog = load_catalog(args.catalog)
    rules = [
        r
        for r in catalog.rules
        if (not args.language or r.language in args.language)
        and (not args.category or r.category in args.category)
    ]
    if args.json:
        for r in rules:
            row = {"id": r.id, "category": r.category, "language": r.language}
            row |= {"position": r.position, "description": r.description, "source": r.source}
            print(json.dumps(row, ensure_ascii=False))
        return 0
    width = max((len(r.id) for r in rules), default=2)
    for r in rules:
        print(f"{r.id:<{width}}  {r.category:<13} {r.language:<3} {r.description}")
    return 0
