"""Imported data past the limits of kbtui.kb.limits: refused before it is
read whole, with one message naming the file, the field and the limit (and
the variable that raises it), and nothing written. Also: a killed import's
temporary file is cleaned up by the next import."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kbtui.kb import limits
from kbtui.kb.importer import remove_stale_temps
from tests.conftest import MINI_KB, MINI_SOURCES, MINI_TEXT

from .conftest import cli


def _bundle(root: Path, *, sources: str = MINI_SOURCES, kb: str = MINI_KB, text: str = MINI_TEXT) -> Path:
    (root / "sources").mkdir(parents=True, exist_ok=True)
    (root / "sources" / "mini.txt").write_text(text, encoding="utf-8")
    (root / "sources.toml").write_text(sources, encoding="utf-8")
    (root / "kb.toml").write_text(kb, encoding="utf-8")
    return root


def _refused(tmp_path: Path, bundle: Path, *expect: str, env: dict[str, str] | None = None) -> str:
    target = tmp_path / "out.db"
    started = time.monotonic()
    r = cli("import", str(bundle), "--db", str(target), env=env)
    assert time.monotonic() - started < 10
    assert r.exit_code == 1, r.stderr
    assert not target.exists()
    for e in expect:
        assert e in r.stderr, r.stderr
    assert "Traceback" not in r.stderr
    return r.stderr


def test_a_6_gb_source_is_refused_without_being_read(tmp_path):
    root = _bundle(tmp_path / "b")
    with (root / "sources" / "mini.txt").open("r+b") as fh:
        fh.truncate(6 << 30)  # sparse: no disk used, but 6 GB to read
    _refused(tmp_path, root, "over the limit of 67,108,864", "KBTUI_LIMIT_SOURCE_BYTES")


def test_a_huge_toml_file_is_refused_without_being_read(tmp_path):
    root = _bundle(tmp_path / "b")
    with (root / "kb.toml").open("r+b") as fh:
        fh.truncate(300 << 20)
    _refused(tmp_path, root, "kb.toml: 314,572,800 bytes, over the limit", "KBTUI_LIMIT_TOML_BYTES")


@pytest.mark.parametrize("levels", [40, 100_000])
def test_toml_nested_too_deep_is_one_message(tmp_path, levels):
    kb = MINI_KB + "\n[[entity]]\nid = 'deep'\nkind = 'concept'\nname = 'Deep'\nsummary = 'x'\n"
    kb = kb.replace("[[entity]]", "deep = " + "[" * levels + "]" * levels + "\n[[entity]]", 1)
    _refused(tmp_path, _bundle(tmp_path / "b", kb=kb), "nested")


def test_an_overlong_value_and_an_overlong_name_are_refused(tmp_path):
    kb = MINI_KB.replace('summary = "Secretary', 'summary = "' + "S" * (1 << 20) + " Secretary", 1)
    _refused(tmp_path, _bundle(tmp_path / "b", kb=kb), "field `summary` is 1,048,", "KBTUI_LIMIT_VALUE_CHARS")
    kb = MINI_KB.replace('name = "Chen Wenqing"', 'name = "' + "C" * 1001 + '"', 1)
    _refused(tmp_path, _bundle(tmp_path / "c", kb=kb), "field `name` is 1,001 characters", "KBTUI_LIMIT_NAME_CHARS")


def test_a_quote_with_a_million_matches_is_refused_quickly(tmp_path):
    text = MINI_TEXT + "ab " * 700_000 + "\n"
    kb = MINI_KB.replace(
        'cite = [{ source = "mini", quote = "Nikolai Patrushev is secretary of Russia\'s national security council" }]',
        'cite = [{ source = "mini", quote = "ab" }]',
        1,
    )
    assert kb != MINI_KB
    _refused(tmp_path, _bundle(tmp_path / "b", kb=kb, text=text), "occurs more than 10,000 times")


def test_limits_can_be_raised_and_a_bad_setting_is_one_line(tmp_path, monkeypatch):
    root = _bundle(tmp_path / "b")
    r = cli("import", str(root), "--db", str(tmp_path / "x.db"), env={"KBTUI_LIMIT_SOURCE_BYTES": "10"})
    assert r.exit_code == 1 and "over the limit of 10 " in r.stderr
    r = cli("import", str(root), "--db", str(tmp_path / "y.db"), env={"KBTUI_LIMIT_NESTING": "lots"})
    assert r.exit_code == 1 and "KBTUI_LIMIT_NESTING='lots' is not a positive whole number" in r.stderr
    monkeypatch.setenv("KBTUI_LIMIT_QUOTE_MATCHES", "5")
    assert limits.current().quote_matches == 5


def test_a_killed_imports_temp_file_is_removed_by_the_next_import(tmp_path):
    target = tmp_path / "kb.db"
    # a process that has ended: its pid is free, its temp file nobody's
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = tmp_path / f".kb.db.{gone.stdout.strip()}.0badc0de.importing"
    stale.write_bytes(b"half an import")
    mine = tmp_path / f".kb.db.{os.getpid()}.12345678.importing"  # a live import's: kept
    mine.write_bytes(b"in progress")
    assert cli("import", str(_bundle(tmp_path / "b")), "--db", str(target)).exit_code == 0
    assert not stale.exists() and mine.exists()
    assert remove_stale_temps(target) == []
