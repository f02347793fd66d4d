"""The command's configuration file: ``cleantext.toml``, or ``[tool.cleantext]`` in
``pyproject.toml``, with the same keys as the command-line options.

Keys (``-`` and ``_`` are interchangeable)::

    only = ["strip-residue", "normalize-whitespace"]   # --only
    skip = ["repair-possessives"]                      # --skip
    catalog = ["rules/site.toml"]                      # --catalog (relative to the file)
    keep-lang = ["en"]                                 # --keep-lang
    include = ["*.txt", "*.md"]                        # --include
    exclude = ["drafts/*"]                             # --exclude
    text-field = "body"                                # --text-field
    max-doc-bytes = 16777216                           # --max-doc-bytes
    decode-errors = "reject"                           # --decode-errors
    jobs = 4                                           # --jobs
    report-edits = false                               # --report-edits
    follow-symlinks = false                            # --follow-symlinks

Options given on the command line win over the file.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from cleantext.errors import ConfigError
from cleantext.pipeline import Pipeline, default_pipeline
from cleantext.registry import available_filters, make_filter

__all__ = ["KEYS", "build_pipeline", "find_config", "load_config"]

_LIST = "list of strings"
KEYS: dict[str, str] = {
    "only": _LIST,
    "skip": _LIST,
    "catalog": _LIST,
    "keep_lang": _LIST,
    "include": _LIST,
    "exclude": _LIST,
    "text_field": "string",
    "max_doc_bytes": "integer",
    "decode_errors": "string",
    "jobs": "integer",
    "report_edits": "boolean",
    "follow_symlinks": "boolean",
}
_TYPES = {_LIST: list, "string": str, "integer": int, "boolean": bool}

KEEP_LANGUAGES = "keep-languages"


def find_config(directory: str | os.PathLike[str] = ".") -> tuple[Path, Mapping[str, Any]] | None:
    """The configuration found in ``directory``: ``cleantext.toml`` first, then a
    ``[tool.cleantext]`` table in ``pyproject.toml``; None when there is neither.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "cleantext.toml").write_text('skip = ["stray-period"]')
    >>> find_config(d)[1]
    {'skip': ['stray-period']}
    """
    directory = Path(directory)
    own = directory / "cleantext.toml"
    if own.is_file():
        return own, _read_toml(own)
    project = directory / "pyproject.toml"
    if project.is_file():
        table = _read_toml(project).get("tool", {}).get("cleantext")
        if table is not None:
            if not isinstance(table, dict):
                raise ConfigError(f"{project}: [tool.cleantext] must be a table")
            return project, table
    return None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None


def load_config(path: str | os.PathLike[str] | None = None, *, directory: str = ".") -> dict:
    """Read and check a configuration: ``path`` if given, else the one :func:`find_config`
    finds in ``directory``. Returns a dict with snake_case keys (empty without a file);
    catalog paths are made relative to the file's folder.

    Raises :class:`ConfigError` naming the file, the key and the expected type.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "cleantext.toml").write_text('text-field = "body"\\ncatalog = "site.toml"')
    >>> settings = load_config(directory=str(d))
    >>> settings["text_field"], settings["catalog"] == [str(d / "site.toml")]
    ('body', True)
    """
    if path is not None:
        found: tuple[Path, Mapping[str, Any]] | None = (Path(path), _read_toml(Path(path)))
        if Path(path).name == "pyproject.toml":
            found = (Path(path), found[1].get("tool", {}).get("cleantext", {}))
    else:
        found = find_config(directory)
    if found is None:
        return {}
    source, table = found
    settings: dict[str, Any] = {}
    for raw_key, value in table.items():
        key = raw_key.replace("-", "_")
        if key not in KEYS:
            valid = ", ".join(k.replace("_", "-") for k in KEYS)
            raise ConfigError(f"{source}: unknown key {raw_key!r}; valid keys: {valid}")
        expected = KEYS[key]
        kind = _TYPES[expected]
        if isinstance(value, str) and expected == _LIST:
            value = [value]
        ok = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
        if ok and expected == _LIST:
            ok = all(isinstance(v, str) for v in value)
        if not ok:
            raise ConfigError(f"{source}: {raw_key} must be a {expected}, not {value!r}")
        settings[key] = value
    if "catalog" in settings:
        settings["catalog"] = [str(source.parent / p) for p in settings["catalog"]]
    return settings


def _names(values: Sequence[str] | None) -> list[str]:
    """Split repeated and comma-separated names: ``["a,b", "c"]`` -> ``["a", "b", "c"]``."""
    return [n.strip() for v in values or () for n in v.split(",") if n.strip()]


def build_pipeline(
    *,
    only: Sequence[str] | None = None,
    skip: Sequence[str] | None = None,
    catalog: Sequence[str] | None = None,
    keep_lang: Sequence[str] | None = None,
) -> Pipeline:
    """The default pipeline, narrowed by ``only`` / ``skip`` filter names, with extra rule
    files from ``catalog`` and, with ``keep_lang``, the ``keep-languages`` filter.

    Raises :class:`ConfigError` or :class:`~cleantext.errors.UnknownFilterError` (naming the
    valid filters) for anything it cannot build.

    >>> build_pipeline(only=["stray-period,normalize-whitespace"]).names
    ('stray-period', 'normalize-whitespace')
    """
    pipeline = default_pipeline(catalog=list(catalog) if catalog else None)
    if only:
        pipeline = pipeline.only(*_names(only))
    if skip:
        pipeline = pipeline.without(*_names(skip))
    languages = _names(keep_lang)
    if languages:
        if KEEP_LANGUAGES not in available_filters():
            raise ConfigError(
                f"--keep-lang needs the {KEEP_LANGUAGES!r} filter, which this installation "
                f"does not have (available: {', '.join(available_filters())})"
            )
        keep = make_filter(KEEP_LANGUAGES, languages=tuple(languages))
        if "unicode-hygiene" in pipeline.names:
            pipeline = pipeline.with_filter(keep, after="unicode-hygiene")
        else:
            pipeline = Pipeline(keep, *pipeline.filters)
    return pipeline
