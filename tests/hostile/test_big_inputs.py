"""Big inputs: a 10 MB source imports and opens (CLI here; the TUI viewer
in test_tui_hostile) in bounded time and memory; a 100,000-row result does
not exhaust memory and stops at the row cap unless asked for more."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from kbtui.kb import sqlsafe

from .conftest import BIG_BYTES, BIG_IMPORT, DANGEROUS, REPO, cli, subprocess_env

ROWS = 100_000
QUERY = (
    f"WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT {ROWS}) "
    "SELECT x, 'row ' || x AS label FROM c"
)


def _peak_mb(*args: str) -> tuple[subprocess.CompletedProcess[bytes], float]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "kbtui", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=subprocess_env(),
        cwd=REPO,
    )
    chunks = []
    while True:  # drain stdout while it runs (a full pipe would block it)
        chunk = proc.stdout.read(1 << 20)
        if not chunk:
            break
        chunks.append(chunk)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.stdout.close()
    result = subprocess.CompletedProcess(proc.args, os.waitstatus_to_exitcode(status), b"".join(chunks))
    return result, usage.ru_maxrss / 1024


def test_a_10_mb_source_imports_in_bounded_time_and_memory(big_source_db):
    assert BIG_IMPORT["status"] == 0, BIG_IMPORT["stderr"]
    # before the fix, anchoring kept a Python int per character: ~1 GB for 10 MB
    assert BIG_IMPORT["max_rss_mb"] < 400, BIG_IMPORT
    assert BIG_IMPORT["seconds"] < 30, BIG_IMPORT


def test_a_10_mb_source_through_the_cli(big_source_db):
    rows = json.loads(cli("--db", str(big_source_db), "sources", "--json").stdout)
    assert rows[0]["length"] > BIG_BYTES
    src = json.loads(cli("--db", str(big_source_db), "source", "big", "--json").stdout)
    assert len(src["text"]) == rows[0]["length"]
    cites = json.loads(
        cli(
            "--db", str(big_source_db), "sql", "SELECT citation_id, start FROM v_citations ORDER BY start", "--json"
        ).stdout
    )
    assert cites[-1]["start"] > BIG_BYTES  # one near the end of the text
    for c in cites:
        started = time.monotonic()
        r = cli("--db", str(big_source_db), "cite", str(c["citation_id"]))
        assert r.exit_code == 0 and time.monotonic() - started < 3
    r = cli("--db", str(big_source_db), "check", "--json")
    assert r.exit_code == 0 and json.loads(r.stdout)["ok"]


def test_a_10_mb_source_searches_by_full_text(big_source_db):
    r = cli(
        "--db",
        str(big_source_db),
        "sql",
        "SELECT count(*) AS n FROM sources_fts WHERE sources_fts MATCH 'Patrushev'",
        "--json",
    )
    assert r.exit_code == 0 and json.loads(r.stdout) == [{"n": 1}]


def test_a_100000_row_result_stops_at_the_default_cap(mini_copy):
    r = cli("--db", str(mini_copy), "sql", QUERY, "--nl")
    assert r.exit_code == 0
    assert len(r.stdout.splitlines()) == sqlsafe.DEFAULT_MAX_ROWS
    assert "more rows matched" in r.stderr


@pytest.fixture(scope="module")
def baseline_mb(tmp_path_factory, mini_kb_bytes) -> float:
    """Peak memory of `kbtui sql` returning one row: the interpreter, click,
    Rich and SQLite, against which the 100,000 rows are measured."""
    path = tmp_path_factory.mktemp("baseline") / "kb.db"
    path.write_bytes(mini_kb_bytes)
    result, mb = _peak_mb("--db", str(path), "sql", "SELECT 1", "--table")
    assert result.returncode == 0
    return mb


@pytest.mark.parametrize("fmt", ["--nl", "--json", "--table"])
def test_a_100000_row_result_asked_for_in_full_stays_small(mini_copy, baseline_mb, fmt):
    base_mb = baseline_mb
    started = time.monotonic()
    r, peak_mb = _peak_mb("--db", str(mini_copy), "sql", QUERY, "--max-rows", str(ROWS), fmt)
    elapsed = time.monotonic() - started
    assert r.returncode == 0
    out = r.stdout.decode()
    if fmt == "--nl":
        assert len(out.splitlines()) == ROWS
    elif fmt == "--json":
        assert len(json.loads(out)) == ROWS
    else:
        assert f" {ROWS} " in out and " row 99999 " in out
    # rows held as tuples: tens of MB; before, the JSON text and a Rich table
    # of all rows were built whole (178 MB for --json, 327 MB for --table)
    assert peak_mb - base_mb < 120, f"{peak_mb:.0f} MB peak vs {base_mb:.0f} MB baseline"
    assert elapsed < 30, f"{elapsed:.1f} s"


MANY = (
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 1500) "
    "SELECT x, char(27) || '[31m' || x AS esc, '[bold]' || x AS markup FROM c"
)


def test_more_rows_than_one_table_piped(mini_copy):
    """Past ROWS_PER_TABLE rows the piped table is written as plain lines:
    every row there once, the header once, text still inert and literal."""
    r = cli("--db", str(mini_copy), "sql", MANY)
    assert r.exit_code == 0
    assert not DANGEROUS.search(r.stdout)
    lines = [line.split() for line in r.stdout.splitlines() if line.strip()]
    assert lines[0] == ["x", "esc", "markup"] and sum(1 for w in lines if w == ["x", "esc", "markup"]) == 1
    body = lines[2:]
    assert [int(w[0]) for w in body] == list(range(1, 1501))
    assert body[-1][1:] == ["␛[31m1500", "[bold]1500"]


def test_more_rows_than_one_table_on_a_terminal(mini_copy, monkeypatch):
    import io
    import re

    from rich.console import Console

    from kbtui.cli import render

    term = Console(file=io.StringIO(), force_terminal=True, color_system="truecolor", width=120, highlight=False)
    monkeypatch.setattr(render, "console", term)
    r = cli("--db", str(mini_copy), "sql", MANY)
    assert r.exit_code == 0
    out = re.sub(r"\x1b\[[0-9;]*m", "", term.file.getvalue())
    assert not DANGEROUS.search(out)
    rows = [line.split() for line in out.splitlines() if line.strip() and line.split()[0].isdigit()]
    assert [int(w[0]) for w in rows] == list(range(1, 1501))
    assert out.count(" markup ") == 1 and "␛[31m1500" in out and "[bold]1500" in out
