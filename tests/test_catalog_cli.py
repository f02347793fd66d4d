"""``cleantext rules`` and ``cleantext rules --check FILE`` through the real command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "cleantext", "rules", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )


GOOD = """language = "en"
[[rule]]
id = "user.advertising.shop-now"
category = "advertising"
description = "Shop-now buttons"
pattern = '''shop\\s+now'''
examples = ["Shop now", "SHOP NOW"]
negatives = ["Shop now or regret it later, the ad said."]
"""


def test_lists_every_rule_with_category_language_description() -> None:
    done = _run()
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) >= 90
    row = next(line for line in lines if line.startswith("en.comment_form.wordpress "))
    assert "comment_form" in row and " en " in row and "WordPress" in row
    german = _run("--language", "de", "--json").stdout.splitlines()
    assert german and all(json.loads(x)["language"] == "de" for x in german)


def test_listing_includes_user_rules(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(GOOD, encoding="utf-8")
    done = _run("--catalog", str(path), "--category", "advertising")
    assert done.returncode == 0
    assert "user.advertising.shop-now" in done.stdout
    assert "en.comment_form" not in done.stdout


def test_check_passes_a_good_file(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(GOOD, encoding="utf-8")
    done = _run("--check", str(path))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 rules, 2 examples, 1 negatives: ok" in done.stdout


def test_check_fails_with_rule_id_and_line(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(
        GOOD.replace('"SHOP NOW"', '"Shop today"').replace(
            '"Shop now or regret it later, the ad said."',
            '"Shop now"',  # the rule removes it
        ),
        encoding="utf-8",
    )
    done = _run("--check", str(path))
    assert done.returncode == 1
    assert "FAIL user.advertising.shop-now: example 'Shop today'" in done.stdout
    assert "FAIL user.advertising.shop-now: negative" in done.stdout
    assert "2 failed" in done.stdout


def test_check_of_a_malformed_file_exits_2_naming_file_rule_and_reason(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(GOOD.replace("shop\\s+now", "shop(now"), encoding="utf-8")
    done = _run("--check", str(path))
    assert done.returncode == 2
    assert str(path) in done.stderr
    assert "user.advertising.shop-now" in done.stderr and "bad pattern" in done.stderr
    missing = _run("--check", str(tmp_path / "nope.toml"))
    assert missing.returncode == 2 and "cannot read" in missing.stderr
