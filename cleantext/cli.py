"""The ``cleantext`` command. It parses arguments and calls the library; no cleaning logic here.

Subcommands: ``clean`` (files, directory trees, JSONL corpora, standard input), ``explain``
(a coloured diff of one document with rule ids), ``filters`` (the filters and their options).

Exit codes: 0 all done; 1 done, but some inputs were rejected (see the summary or --report);
2 usage or configuration error; 3 output I/O failure (disk full, unwritable output, a worker
process killed); 130 interrupted (Ctrl-C); 143 terminated (SIGTERM). An interrupted run
resumes when rerun.
"""

from __future__ import annotations

import argparse
import dataclasses
import difflib
import importlib
import importlib.util
import io
import os
import shutil
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, TextIO

import cleantext
from cleantext.config import build_pipeline, load_config
from cleantext.errors import CleantextError, ConfigError
from cleantext.io import (
    DocumentError,
    OutputError,
    decode_document,
    is_jsonl,
    is_url,
    local_path,
    open_input,
)
from cleantext.job import (
    JobConfig,
    ShardResult,
    clean_stream,
    lock_destination,
    plan_stream,
    prepare_destination,
    prune_stale_parts,
    report_line,
    summarize,
)

if TYPE_CHECKING:
    from cleantext.engines.local import WorkerPool

__all__ = ["EXIT_CONFIG", "EXIT_INTERRUPTED", "EXIT_IO", "EXIT_REJECTED", "EXIT_TERMINATED", "main"]

EXIT_OK, EXIT_REJECTED, EXIT_CONFIG, EXIT_IO = 0, 1, 2, 3
EXIT_INTERRUPTED, EXIT_TERMINATED = 130, 143
MAX_PRINTED_REJECTS = 20

_DESCRIPTION = "Clean text scraped from the web: files, directory trees, JSONL corpora."
_EPILOG = """exit codes: 0 all done; 1 done, some inputs rejected; 2 usage or configuration
error; 3 output I/O failure; 130 interrupted; 143 terminated."""


class _Terminated(BaseException):
    """Raised in the main process by SIGTERM, so the pool stops and temporary files go."""


def _pipeline_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("pipeline")
    group.add_argument(
        "--only",
        action="append",
        metavar="NAMES",
        help="keep only these filters (comma-separated, repeatable)",
    )
    group.add_argument(
        "--skip",
        action="append",
        metavar="NAMES",
        help="leave these filters out (comma-separated, repeatable)",
    )
    group.add_argument(
        "--catalog",
        action="append",
        metavar="FILE.toml",
        help="extra residue rule file (repeatable)",
    )
    group.add_argument(
        "--keep-lang",
        action="append",
        metavar="LANGS",
        help="keep only documents in these languages (e.g. en,de)",
    )
    group.add_argument(
        "--config",
        metavar="FILE",
        help="configuration file (default: ./cleantext.toml or "
        "[tool.cleantext] in ./pyproject.toml)",
    )
    group.add_argument("--no-config", action="store_true", help="ignore configuration files")


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cleantext", description=_DESCRIPTION, epilog=_EPILOG)
    parser.add_argument("--version", action="version", version=cleantext.__version__)
    sub = parser.add_subparsers(dest="command", required=True)

    clean = sub.add_parser(
        "clean",
        help="clean files, directory trees, JSONL corpora or standard input",
        description="Clean SRC into DST. A directory is mirrored; a JSONL file becomes a "
        "directory of JSONL parts (compressed like the input); '-' reads standard input. "
        "With no -o, a single input goes to standard output. Rerun the same command to "
        "resume an interrupted run.",
        epilog=_EPILOG,
    )
    clean.add_argument(
        "sources",
        nargs="+",
        metavar="SRC",
        help="input file, directory or JSONL file, or - for standard input",
    )
    clean.add_argument("-o", "--output", metavar="DST", help="output directory")
    clean.add_argument(
        "--in-place",
        action="store_true",
        help="replace each input file atomically with its cleaned version",
    )
    clean.add_argument(
        "--include",
        action="append",
        metavar="GLOB",
        help="files to clean in a directory (default: *.txt; repeatable)",
    )
    clean.add_argument(
        "--exclude",
        action="append",
        metavar="GLOB",
        help="files or folders to leave out (repeatable)",
    )
    clean.add_argument("--text-field", metavar="NAME", help="JSONL field to clean (default: text)")
    clean.add_argument(
        "--format",
        choices=("auto", "text", "jsonl"),
        default="auto",
        help="input format (default: by name; .jsonl and .jsonl.gz are JSONL)",
    )
    clean.add_argument(
        "-j", "--jobs", type=int, metavar="N", help="worker processes (default: all cores)"
    )
    clean.add_argument(
        "--engine",
        choices=("local", "dask"),
        default="local",
        help="run on this machine (default) or on Dask",
    )
    clean.add_argument(
        "--scheduler", metavar="ADDRESS", help="Dask scheduler address (with --engine dask)"
    )
    clean.add_argument(
        "--report",
        metavar="FILE.jsonl",
        help="write one JSON record per document: what was removed and repaired",
    )
    clean.add_argument(
        "--report-edits",
        action="store_true",
        default=None,
        help="put every edit (offsets, before, after) in the report",
    )
    clean.add_argument(
        "--max-doc-bytes",
        type=int,
        metavar="N",
        help="reject documents larger than N bytes (default: 16 MiB)",
    )
    clean.add_argument(
        "--decode-errors",
        choices=("reject", "replace"),
        help="invalid UTF-8: reject the document (default) or replace the bad "
        "bytes with U+FFFD and note it in the report",
    )
    clean.add_argument(
        "--follow-symlinks",
        action="store_true",
        default=None,
        help="read symbolic links that point outside SRC",
    )
    clean.add_argument(
        "--no-fsync",
        dest="fsync",
        action="store_false",
        help="do not fsync outputs: still atomic (a killed run leaves no partial file), "
        "faster on many small files, but not durable across a power loss",
    )
    clean.add_argument("--shard-bytes", type=int, metavar="N", help=argparse.SUPPRESS)
    clean.add_argument("-q", "--quiet", action="store_true", help="no progress bar and no summary")
    _pipeline_options(clean)

    explain = sub.add_parser(
        "explain",
        help="show what cleaning would remove and repair",
        description="A diff of FILE against its cleaned text; each removed "
        "or changed line is tagged with the rules that did it.",
    )
    explain.add_argument("file", metavar="FILE", help="a text file, or - for standard input")
    explain.add_argument(
        "--color",
        nargs="?",
        const="always",
        default="auto",
        choices=("auto", "always", "never"),
        help="colour the diff (default: only on a terminal)",
    )
    explain.add_argument(
        "-U",
        "--context",
        type=int,
        default=1,
        metavar="N",
        help="unchanged lines shown around each change (default: 1)",
    )
    _pipeline_options(explain)

    sub.add_parser("filters", help="list the filters, their options and defaults")

    _add_rules_command(sub)
    return parser


def _add_rules_command(sub: Any) -> None:
    """Register ``cleantext rules`` from :mod:`cleantext.rules_cli` when that module is there.

    A module that is there but fails to import must not break the other commands: ``rules``
    then only reports why it is unavailable.
    """
    try:
        if importlib.util.find_spec("cleantext.rules_cli") is None:
            return
        importlib.import_module("cleantext.rules_cli").add_parser(sub)
    except Exception as exc:  # an ImportError, or a broken add_parser
        broken = sub.add_parser("rules", help="(unavailable in this installation)")
        broken.set_defaults(rules_error=f"the rules command cannot load: {exc!r}")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit code.

    >>> main(["filters"]) == 0  # doctest: +ELLIPSIS
    fix-mojibake...
    True
    """
    parser = _build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "clean":
            return _with_signals(lambda: _clean(args))
        if args.command == "explain":
            return _explain(args)
        if args.command == "filters":
            return _filters(sys.stdout)
        if args.command == "rules":
            if getattr(args, "rules_error", None):
                raise ConfigError(args.rules_error)
            return importlib.import_module("cleantext.rules_cli").run(args)
    except BrokenPipeError:  # the reader went away (| head): stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so the interpreter's final flush is silent
        return EXIT_IO
    except OutputError as exc:
        _error(str(exc))
        return EXIT_IO
    except CleantextError as exc:
        _error(str(exc))
        return EXIT_CONFIG
    parser.error(f"unknown command {args.command!r}")
    return EXIT_CONFIG  # pragma: no cover


def _error(message: str) -> None:
    print(f"cleantext: error: {message}", file=sys.stderr)


def _with_signals(run: Callable[[], int]) -> int:
    def terminate(signum: int, frame: object) -> None:
        raise _Terminated

    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, terminate) if main_thread else None
    try:
        return run()
    except KeyboardInterrupt:
        print("\ncleantext: interrupted; rerun the same command to resume", file=sys.stderr)
        return EXIT_INTERRUPTED
    except _Terminated:
        print("cleantext: terminated; rerun the same command to resume", file=sys.stderr)
        return EXIT_TERMINATED
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


# ------------------------------------------------------------------------------------ clean


def _settings(args: argparse.Namespace) -> dict[str, Any]:
    """Command-line options over the configuration file."""
    settings = {} if args.no_config else load_config(args.config)
    for key in (
        "only",
        "skip",
        "catalog",
        "keep_lang",
        "include",
        "exclude",
        "text_field",
        "max_doc_bytes",
        "decode_errors",
        "jobs",
        "report_edits",
        "follow_symlinks",
    ):
        value = getattr(args, key, None)
        if value is not None:
            settings[key] = value
    return settings


def _pipeline(settings: dict[str, Any]) -> cleantext.Pipeline:
    return build_pipeline(
        only=settings.get("only"),
        skip=settings.get("skip"),
        catalog=settings.get("catalog"),
        keep_lang=settings.get("keep_lang"),
    )


def _job_config(args: argparse.Namespace, settings: dict[str, Any]) -> JobConfig:
    options: dict[str, Any] = {
        "pipeline": _pipeline(settings),
        "destination": args.output,  # JobConfig resolves a local path; a URL stays one
        "in_place": args.in_place,
        "report": args.report,
        "input_format": args.format,
        "fsync": args.fsync,
    }
    for key in ("text_field", "max_doc_bytes", "decode_errors", "report_edits", "follow_symlinks"):
        if key in settings:
            options[key] = settings[key]
    for key in ("include", "exclude"):
        if key in settings:
            options[key] = tuple(settings[key])
    if args.shard_bytes:
        options["shard_bytes"] = options["jsonl_shard_bytes"] = args.shard_bytes
    if args.in_place:
        options["destination"] = None
        if args.report:  # no DST to keep the report parts in: next to the report, then removed
            options["report_dir"] = os.path.abspath(args.report) + ".parts"
    return JobConfig(**options)


def _real(source: str) -> str:
    return source if is_url(source) else os.path.realpath(source)


def _clean(args: argparse.Namespace) -> int:
    args.sources = [local_path(s) for s in args.sources]  # file:// URLs are local paths
    if args.output is not None:
        args.output = local_path(args.output)
    if args.report is not None and is_url(args.report):
        raise ConfigError(f"--report needs a local file, not a URL: {args.report}")
    if args.in_place and args.output:
        raise ConfigError("--in-place and -o/--output exclude each other")
    if args.in_place and "-" in args.sources:
        raise ConfigError("standard input cannot be cleaned in place")
    settings = _settings(args)
    jobs = settings.get("jobs")
    if jobs is not None and jobs < 1:
        raise ConfigError("--jobs must be at least 1")
    if args.output is None and not args.in_place:
        return _clean_to_stdout(args, settings)
    if "-" in args.sources:
        raise ConfigError("standard input ('-') is written to standard output: drop -o")
    if args.engine == "dask":  # checked before any work starts
        try:
            importlib.import_module("cleantext.engines.dask")
        except ImportError as exc:
            raise ConfigError(
                f'--engine dask needs Dask: pip install "cleantext-corpus[dask]" ({exc})'
            ) from None
    config = _job_config(args, settings)
    if (
        config.destination is not None
        and not is_url(config.destination)
        and os.path.exists(config.destination)
        and not (os.path.isdir(config.destination))
    ):
        raise OutputError(f"the output {args.output} exists and is not a directory")
    pool = _early_pool(args, config, jobs)
    try:
        return _run_job(args, config, jobs, pool)
    finally:
        if pool is not None:
            pool.close()  # run_local has stopped it, unless planning failed first


def _early_pool(args: argparse.Namespace, config: JobConfig, jobs: int | None) -> WorkerPool | None:
    """Worker processes for the local engine, started now, to import cleantext while this
    process plans the job (walks a tree), when the sources look like several shards: a
    folder, or files larger than a JSONL part together. None otherwise: :func:`run_local`
    starts workers itself once it has seen two shards, and runs a single one here."""
    if args.engine == "dask" or (jobs is not None and jobs < 2):
        return None
    from cleantext.engines.local import WorkerPool, default_jobs

    workers = jobs or default_jobs()
    if workers < 2 or any(is_url(s) for s in args.sources):
        return None
    total = 0
    for source in args.sources:
        try:
            if os.path.isdir(source):
                break
            total += os.path.getsize(source)
        except OSError:
            return None  # planning reports it
    else:
        if total <= config.jsonl_shard_bytes:
            return None
    return WorkerPool(config, workers, ticks=_bar_wanted(args))


def _run_job(
    args: argparse.Namespace, config: JobConfig, jobs: int | None, pool: WorkerPool | None
) -> int:
    plan = plan_stream(args.sources, config)
    if not plan.inputs and not args.quiet:
        print(
            f"cleantext: no input files (--include {' '.join(config.include)}"
            + (f", --exclude {' '.join(config.exclude)}" if config.exclude else "")
            + ")",
            file=sys.stderr,
        )
    lock = lock_destination(config)  # held until this process exits
    swept = prepare_destination(config, [_real(s) for s in args.sources])
    if swept and not args.quiet:
        print(
            f"cleantext: removed {swept} temporary file(s) of an interrupted run", file=sys.stderr
        )
    stale = prune_stale_parts(plan.uncounted(), config) if plan.jsonl_inputs else 0
    if stale and not args.quiet:
        print(f"cleantext: removed {stale} JSONL part(s) an earlier run wrote", file=sys.stderr)
    progress = _Progress(_progress_bar(plan.bytes) if _bar_wanted(args) else None)
    if args.engine == "dask":
        from cleantext.engines.dask import run_dask

        results: Iterator[ShardResult] = run_dask(plan, config, scheduler=args.scheduler, jobs=jobs)
    else:
        from cleantext.engines.local import default_jobs, run_local

        ticks = progress.tick if progress.bar is not None else None
        results = run_local(plan, config, jobs=jobs or default_jobs(), ticks=ticks, pool=pool)
    try:
        return _consume(results, progress=progress, args=args, config=config)
    except BaseException:
        # The engine is stopped by now; its killed workers may have left temporary files
        # (never at a URL destination: shards stage their outputs locally).
        if not is_url(config.destination):
            prepare_destination(config, [_real(s) for s in args.sources])
        raise
    finally:
        if lock is not None:
            lock.close()


class _Progress:
    """The progress bar (or None): ticks from running shards, then each shard's final counts."""

    def __init__(self, bar: Any) -> None:
        self.bar = bar
        self.docs = self.errors = 0
        self.ticked: dict[str, list[int]] = {}
        self.finished: set[str] = set()

    def tick(self, shard_id: str, nbytes: int, docs: int, errors: int) -> None:
        if self.bar is None or shard_id in self.finished:
            return  # a late tick of a shard already counted in full
        seen = self.ticked.setdefault(shard_id, [0, 0, 0])
        for i, value in enumerate((nbytes, docs, errors)):
            seen[i] += value
        self._show(nbytes, docs, errors)

    def done(self, result: ShardResult) -> None:
        if self.bar is None:
            return
        self.finished.add(result.shard_id)
        seen = self.ticked.pop(result.shard_id, [0, 0, 0])
        self._show(max(0, result.input_bytes - seen[0]), result.docs - seen[1],
                   result.rejected - seen[2])  # fmt: skip

    def _show(self, nbytes: int, docs: int, errors: int) -> None:
        self.docs += docs
        self.errors += errors
        self.bar.update(nbytes)
        self.bar.set_postfix_str(f"docs={self.docs}, errors={self.errors}", refresh=False)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _consume(
    results: Iterator[ShardResult],
    *,
    progress: _Progress,
    args: argparse.Namespace,
    config: JobConfig,
) -> int:
    started = time.perf_counter()
    report = _Report(args.report) if args.report else None
    bar = progress.bar
    printed = 0

    def observe() -> Iterator[ShardResult]:
        """Report, print and show each result as it comes; summarize() adds them up."""
        nonlocal printed
        for result in results:
            if report is not None and result.report_part is not None:
                report.append(result.report_part, remove=config.in_place)
            for record in result.records:
                if record.get("status") == "rejected":
                    printed += 1
                    if printed <= MAX_PRINTED_REJECTS and not args.quiet:
                        _print_reject(record, bar)
            progress.done(result)
            yield result

    try:
        summary = summarize(observe())
    finally:
        close = getattr(results, "close", None)
        if close is not None:
            close()  # stops the engine now, not whenever the generator is collected
        progress.close()
        if report is not None:
            report.close()
            if config.in_place and config.report_parts:
                shutil.rmtree(config.report_parts, ignore_errors=True)
    if printed > MAX_PRINTED_REJECTS and not args.quiet:
        print(
            f"cleantext: ... and {printed - MAX_PRINTED_REJECTS} more rejected"
            + (f" (see {args.report})" if args.report else " (use --report FILE.jsonl)"),
            file=sys.stderr,
        )
    if not args.quiet:
        print(summary.format(time.perf_counter() - started), file=sys.stderr)
    return summary.exit_code


def _print_reject(record: dict[str, Any], bar: Any) -> None:
    where = record["source"] + (f":{record['line']}" if "line" in record else "")
    message = f"cleantext: {record['action']} {where}: {record['message']} ({record['reason']})"
    if bar is not None:
        bar.write(message, file=sys.stderr)
    else:
        print(message, file=sys.stderr)


def _bar_wanted(args: argparse.Namespace) -> bool:
    """Whether this run shows a progress bar: not --quiet, stderr a terminal, tqdm here."""
    return not args.quiet and sys.stderr.isatty() and importlib.util.find_spec("tqdm") is not None


def _progress_bar(total: int) -> Any:
    """A tqdm bar on a terminal (see :func:`_bar_wanted`); None without tqdm."""
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm(
        total=total, unit="B", unit_scale=True, desc="cleaning", file=sys.stderr, dynamic_ncols=True
    )


class _Report:
    """The --report file: written to a temporary name, renamed when the run ends."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.temp = f"{path}.partial"
        try:
            self.fh: TextIO = open(self.temp, "w", encoding="utf-8")
        except OSError as exc:
            raise OutputError(f"cannot write the report {path}: {exc.strerror}") from None

    def write(self, record: dict[str, Any]) -> None:
        """Add one record."""
        try:
            self.fh.write(report_line(record) + "\n")
        except OSError as exc:
            raise OutputError(f"cannot write the report {self.path}: {exc.strerror}") from None

    def append(self, part: str, *, remove: bool = False) -> None:
        """Copy a shard's report part (a file, or a URL below a URL DST) to the end of the
        report, streaming."""
        try:
            if is_url(part):
                from cleantext.remote import open_url

                with open_url(part) as raw, io.TextIOWrapper(raw, encoding="utf-8") as fh:
                    shutil.copyfileobj(fh, self.fh)
                return
            with open(part, encoding="utf-8") as fh:
                shutil.copyfileobj(fh, self.fh)
            if remove:
                os.unlink(part)
        except OSError as exc:
            raise OutputError(
                f"cannot write the report {self.path}: {exc.strerror or exc}"
            ) from None

    def close(self) -> None:
        try:
            self.fh.close()
            os.replace(self.temp, self.path)
        except OSError as exc:
            raise OutputError(f"cannot write the report {self.path}: {exc.strerror}") from None


def _clean_to_stdout(args: argparse.Namespace, settings: dict[str, Any]) -> int:
    if len(args.sources) != 1:
        raise ConfigError("several inputs need -o DST (or --in-place)")
    (source,) = args.sources
    if source != "-" and not is_url(source) and os.path.isdir(source):
        raise ConfigError(f"{source} is a directory: give -o DST (or --in-place)")
    args.output = None
    config = _job_config(args, {**settings})
    out = sys.stdout.buffer
    report = _Report(args.report) if args.report else None
    sink = None if report is None else report.write
    try:
        if source == "-":
            result = clean_stream(
                sys.stdin.buffer, out, config, jsonl=args.format == "jsonl", report=sink
            )
        else:
            jsonl = args.format == "jsonl" or (args.format == "auto" and is_jsonl(source))
            try:
                fh = _open_source(source)
            except DocumentError as exc:
                _error(f"{source}: {exc.message}")
                return EXIT_REJECTED
            with fh:
                result = clean_stream(fh, out, config, jsonl=jsonl, display=source, report=sink)
    except OSError as exc:
        if isinstance(exc, OutputError):
            raise
        raise OutputError(f"cannot write to standard output: {exc.strerror}") from None
    finally:
        if report is not None:
            report.close()
    # Standard-output mode prints no summary (stdout is the data); rejects still show.
    rejects = [r for r in result.records if r.get("status") == "rejected"]
    for record in rejects[:MAX_PRINTED_REJECTS]:
        _print_reject(record, None)
    return summarize([result]).exit_code


def _open_source(source: str) -> BinaryIO:
    """Open one input file, or one object named by a URL (streamed); :class:`DocumentError`
    (``unreadable``) when it cannot be opened."""
    if not is_url(source):
        return open_input(os.path.realpath(source))
    from cleantext.remote import filesystem

    fs, path = filesystem(source)
    try:
        if fs.isdir(path):
            raise ConfigError(f"{source} is a directory: give -o DST")
        return fs.open(path, "rb")
    except CleantextError:
        raise
    except Exception as exc:
        reason = "No such file or directory" if isinstance(exc, FileNotFoundError) else exc
        raise DocumentError("unreadable", f"cannot open: {reason}") from None


# ---------------------------------------------------------------------------------- explain


_COLORS = {
    "del": "\033[31m",
    "add": "\033[32m",
    "rule": "\033[36m",
    "hunk": "\033[35m",
    "reset": "\033[0m",
}


def _explain(args: argparse.Namespace) -> int:
    settings = {} if args.no_config else load_config(args.config)
    for key in ("only", "skip", "catalog", "keep_lang"):
        if getattr(args, key) is not None:
            settings[key] = getattr(args, key)
    pipeline = _pipeline(settings)
    try:
        data = sys.stdin.buffer.read() if args.file == "-" else Path(args.file).read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read {args.file}: {exc.strerror}") from None
    try:
        text, warnings = decode_document(data)
    except DocumentError as exc:
        _error(f"{args.file}: {exc.message} ({exc.reason})")
        return EXIT_REJECTED
    color = args.color == "always" or (
        args.color == "auto" and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    )
    for note in warnings:
        print(f"note: {note}")
    sys.stdout.write(
        render_explanation(
            pipeline.explain(text), text, name=args.file, color=color, context=args.context
        )
    )
    return EXIT_OK


def render_explanation(
    report: cleantext.Report,
    original: str,
    *,
    name: str = "input",
    color: bool = False,
    context: int = 1,
) -> str:
    """A unified-style diff of ``original`` against ``report.text``: removed lines end with
    ``[rule id]``, changed lines with the rules of the repairs they hold.

    >>> r = cleantext.explain("Xi met Blinken.\\n\\nSource: TRT")
    >>> print(render_explanation(r, "Xi met Blinken.\\n\\nSource: TRT"), end="")
    --- input
    +++ input (cleaned)
    @@ -1,3 +1,1 @@
     Xi met Blinken.
    -  [blank-after-removal]
    -Source: TRT  [en.attribution.source]
    1 line removed: attribution 1
    repairs: blank-after-removal 1
    """
    c = _COLORS if color else dict.fromkeys(_COLORS, "")
    old, new = original.split("\n"), report.text.split("\n")
    line_rules = _rules_by_line(report, original)
    removed_ids = {id(e) for e in report.removed_lines}
    repairs = [e for e in report.edits if id(e) not in removed_ids]
    out = [f"--- {name}\n", f"+++ {name} (cleaned)\n"]
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for group in matcher.get_grouped_opcodes(context):
        a0, a1, b0, b1 = group[0][1], group[-1][2], group[0][3], group[-1][4]
        out.append(f"{c['hunk']}@@ -{a0 + 1},{a1 - a0} +{b0 + 1},{b1 - b0} @@{c['reset']}\n")
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                out += [f" {line}\n" for line in old[i1:i2]]
                continue
            for i, line in enumerate(old[i1:i2], start=i1):
                rules = line_rules.get(i, [])
                tag_text = f"  {c['rule']}[{', '.join(rules)}]{c['reset']}" if rules else ""
                out.append(f"{c['del']}-{line}{c['reset']}{tag_text}\n")
            out += [f"{c['add']}+{line}{c['reset']}\n" for line in new[j1:j2]]
    removed = len(report.removed_lines)
    if removed:
        by_cat = ", ".join(
            f"{cat} {sum(1 for e in report.removed_lines if e.category == cat)}"
            for cat in sorted({e.category for e in report.removed_lines})
        )
        out.append(f"{removed} line{'s' if removed != 1 else ''} removed: {by_cat}\n")
    if repairs:
        kinds: dict[str, int] = {}
        for e in repairs:
            kinds[e.rule] = kinds.get(e.rule, 0) + 1
        out.append("repairs: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())) + "\n")
    if not report.edits:
        out.append("nothing to clean\n")
    return "".join(out)


def _rules_by_line(report: cleantext.Report, original: str) -> dict[int, list[str]]:
    """For each line of ``original`` (by index), the rules of the edits that touched it.

    Each edit's offsets index the text its own filter received; they are mapped back through
    the edits of every earlier filter to a position in ``original``.
    """
    groups: list[list[cleantext.Edit]] = []
    for edit in report.edits:  # edits come filter by filter, in pipeline order
        if not groups or groups[-1][0].filter != edit.filter:
            groups.append([])
        groups[-1].append(edit)
    groups = [sorted(g, key=lambda e: e.start) for g in groups]
    found: dict[int, list[str]] = {}
    for k, group in enumerate(groups):
        for edit in group:
            pos = edit.start
            for earlier in reversed(groups[:k]):
                pos = _map_back(pos, earlier)
            line = original.count("\n", 0, pos)
            if (
                edit.before.startswith("\n")
                and 0 < pos < len(original)
                and (original[pos - 1] != "\n")
            ):
                line += 1  # it starts at the line break ending a line: name the lines below
            rules = found.setdefault(line, [])
            if edit.rule not in rules:
                rules.append(edit.rule)
    return found


def _map_back(pos: int, edits: list[cleantext.Edit]) -> int:
    """Where position ``pos`` of a filter's output was in that filter's input."""
    shift = 0
    for edit in edits:
        out_start = edit.start + shift
        if pos < out_start:
            break
        if pos < out_start + len(edit.after):
            return edit.start
        shift += len(edit.after) - (edit.end - edit.start)
    return pos - shift


# ---------------------------------------------------------------------------------- filters


def _filters(out: TextIO) -> int:
    from cleantext.registry import DEFAULT_ORDER, available_filters

    for name, factory in available_filters().items():
        doc = " ".join((factory.__doc__ or "").strip().split("\n\n")[0].split())
        where = (
            f"default pipeline, step {DEFAULT_ORDER.index(name) + 1}"
            if name in DEFAULT_ORDER
            else "not in the default pipeline"
        )
        out.write(f"{name}  ({where})\n    {doc}\n")
        if dataclasses.is_dataclass(factory):
            for f in dataclasses.fields(factory):
                if not f.init:
                    continue
                if f.default is not dataclasses.MISSING:
                    default = repr(f.default)
                elif f.default_factory is not dataclasses.MISSING:
                    default = f"<{getattr(f.default_factory, '__name__', 'built-in')}()>"
                else:
                    default = "(required)"
                out.write(f"    option {f.name} = {default}\n")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
