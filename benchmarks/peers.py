"""The tools cleantext is compared with, each as a ``str -> str`` function.

clean-text (PyPI ``clean-text``) is imported as ``cleantext`` too, so it cannot share an
environment with this project: installed next to it, it shadows our package. The harness loads it
from a directory of its own under another module name. Install it there with::

    pip install --no-deps --target ~/.cache/cleantext-bench/clean-text clean-text emoji

or point ``CLEANTEXT_BENCH_CLEAN_TEXT`` at any directory that holds its ``cleantext`` package.
Missing peers are reported as skipped, with the reason.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Peer", "clean_text_dir", "load_peers"]

CLEAN_TEXT_ENV = "CLEANTEXT_BENCH_CLEAN_TEXT"
_PEER_MODULE = "clean_text_peer"


@dataclass(frozen=True)
class Peer:
    """A compared tool: a name, a function (None when unavailable) and why it is missing."""

    name: str
    func: Callable[[str], str] | None
    version: str | None
    note: str


def ftfy_defaults(text: str) -> str:
    """``ftfy.fix_text`` with its defaults (it also straightens quotes and normalizes NFC)."""
    import ftfy

    return ftfy.fix_text(text)


def ftfy_encoding_only(text: str) -> str:
    """``ftfy.fix_text`` with encoding fixes only: the configuration cleantext reproduces."""
    import ftfy

    from cleantext.filters.encoding import FTFY_ENCODING_ONLY

    return ftfy.fix_text(text, FTFY_ENCODING_ONLY)


def clean_text_dir() -> Path:
    """Where the isolated clean-text install is looked for."""
    default = Path.home() / ".cache" / "cleantext-bench" / "clean-text"
    return Path(os.environ.get(CLEAN_TEXT_ENV, default))


def _load_clean_text() -> tuple[Callable[..., str] | None, str | None, str]:
    package = clean_text_dir() / "cleantext"
    init = package / "__init__.py"
    if not init.is_file():
        return (
            None,
            None,
            (
                f"clean-text not found in {package.parent} (see benchmarks/README.md;"
                f" set {CLEAN_TEXT_ENV})"
            ),
        )
    if _PEER_MODULE in sys.modules:
        module = sys.modules[_PEER_MODULE]
    else:
        spec = importlib.util.spec_from_file_location(
            _PEER_MODULE, init, submodule_search_locations=[str(package)]
        )
        if spec is None or spec.loader is None:  # pragma: no cover - file exists
            return None, None, f"cannot load {init}"
        module = importlib.util.module_from_spec(spec)
        sys.modules[_PEER_MODULE] = module
        # Its dependencies (emoji) were installed beside it: importable from the end of the
        # path, where they cannot shadow anything, not even its folder named "cleantext".
        folder = str(package.parent)
        if folder not in sys.path:
            sys.path.append(folder)
        try:
            spec.loader.exec_module(module)
        except ImportError as exc:
            del sys.modules[_PEER_MODULE]
            return None, None, f"clean-text found but cannot import: {exc}"
    return module.clean, getattr(module, "__version__", None), ""


def clean_text_kept(text: str) -> str:
    """clean-text's ``clean()`` keeping case and Unicode: lower, fix_unicode, to_ascii off."""
    func, _, note = _load_clean_text()
    if func is None:
        raise RuntimeError(note)
    return func(text, lower=False, fix_unicode=False, to_ascii=False)


def load_peers() -> list[Peer]:
    """Every peer, available or not."""
    import ftfy

    peers = [
        Peer("ftfy.fix_text (defaults)", ftfy_defaults, ftfy.__version__, ""),
        Peer(
            "ftfy.fix_text (encoding only)",
            ftfy_encoding_only,
            ftfy.__version__,
            "cleantext.filters.encoding.FTFY_ENCODING_ONLY",
        ),
    ]
    func, version, note = _load_clean_text()
    peers.append(
        Peer(
            "clean-text clean() (case and Unicode kept)",
            clean_text_kept if func is not None else None,
            version,
            note or "lower=False, fix_unicode=False, to_ascii=False",
        )
    )
    return peers
