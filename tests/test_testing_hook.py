"""cleantext.testing as a package: its Hypothesis entry point and its optional dependency."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path
from urllib.parse import unquote, urlparse

from hypothesis import given, settings
from hypothesis import strategies as st

import cleantext
from cleantext.testing import DirtyDocument
from cleantext.testing._hook import _hypothesis_setup_hook

ROOT = Path(__file__).resolve().parent.parent
HOOK = "cleantext.testing._hook:_hypothesis_setup_hook"


def _installed_from_this_checkout() -> bool:
    """True when the cleantext-corpus distribution is an (editable) install of ROOT."""
    try:
        dist = metadata.distribution("cleantext-corpus")
    except metadata.PackageNotFoundError:
        return False
    direct = dist.read_text("direct_url.json")
    if not direct:
        return False
    url = urlparse(json.loads(direct).get("url", ""))
    return url.scheme == "file" and Path(unquote(url.path)).resolve() == ROOT


def _run(code: str, *extra_path: Path, plugins: bool = True) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *map(str, extra_path)])
    env.pop("HYPOTHESIS_NO_PLUGINS", None)
    if not plugins:
        env["HYPOTHESIS_NO_PLUGINS"] = "1"
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )


def test_pyproject_declares_the_hook() -> None:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert data["project"]["entry-points"]["hypothesis"] == {"cleantext": HOOK}
    assert "hypothesis" in " ".join(data["project"]["optional-dependencies"]["testing"])


def test_from_type_draws_dirty_documents() -> None:
    if _installed_from_this_checkout():
        # The editable install of this checkout (as in CI): Hypothesis has already run our hook.
        hooks = {ep.value for ep in metadata.entry_points(group="hypothesis")}
        assert HOOK in hooks, (
            "the installed metadata of this checkout has no Hypothesis entry point; it predates "
            'the entry in pyproject.toml: re-run pip install -e ".[dev,testing]"'
        )
    else:
        # Another install (or none) of cleantext-corpus is active: call the hook as Hypothesis
        # would.
        _hypothesis_setup_hook()

    @settings(max_examples=min(100, settings().max_examples))
    @given(st.from_type(DirtyDocument))
    def check(doc: DirtyDocument) -> None:
        # Without the hook, Hypothesis would build a DirtyDocument from arbitrary strings.
        assert doc.clean.strip() and cleantext.clean(doc.dirty) == doc.clean

    check()


def test_hypothesis_loads_the_hook_through_its_entry_point(tmp_path: Path) -> None:
    # A distribution's metadata on sys.path is what `pip install` leaves behind; Hypothesis
    # finds the entry point there when it is imported, before the test code runs.
    info = tmp_path / "cleantext_hook_probe-0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: cleantext-hook-probe\nVersion: 0\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(f"[hypothesis]\ncleantext = {HOOK}\n", "utf-8")
    code = (
        "from hypothesis import given, settings, strategies as st\n"
        "import cleantext\n"
        "from cleantext.testing import DirtyDocument\n"
        "@settings(max_examples=20, database=None)\n"
        "@given(st.from_type(DirtyDocument))\n"
        "def check(doc):\n"
        "    assert doc.clean.strip() and cleantext.clean(doc.dirty) == doc.clean\n"
        "check()\n"
        "print('registered')\n"
    )
    result = _run(code, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "registered"
    # With Hypothesis's plugins switched off, the same code finds a counterexample: the hook
    # is what made it pass.
    assert _run(code, tmp_path, plugins=False).returncode == 1

    # Importing cleantext.testing first (which imports Hypothesis, which runs the hook that
    # imports cleantext.testing) must not trip over the circular import.
    result = _run("import cleantext.testing\nprint('ok')", tmp_path)
    assert result.returncode == 0, result.stderr


def test_without_hypothesis_the_import_error_names_the_extra() -> None:
    code = (
        "import sys\n"
        "sys.modules['hypothesis'] = None  # as if it were not installed\n"
        "import cleantext\n"
        "assert cleantext.clean('x') == 'x'  # the library itself does not need it\n"
        "import cleantext.testing\n"
    )
    result = _run(code)
    assert result.returncode == 1
    assert "ImportError" in result.stderr
    assert 'pip install "cleantext-corpus[testing]"' in result.stderr
