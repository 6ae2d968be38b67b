"""The benchmark scripts keep working: generate a small KB, prove it is a
valid kbtui KB, run the benchmark on it. Asserts recall, never time (the
timing targets are for the 1M run on the reference machine; see README)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kbtui.kb import check, db

ROOT = Path(__file__).resolve().parent.parent
KEYS = {
    "entities",
    "search_p50_ms",
    "search_p95_ms",
    "recall_at_1",
    "recall_at_5",
    "bruteforce_ms",
    "speedup",
    "hub_open_ms",
    "cli_oneshot_ms",
    "tui_first_paint_s",
    "bare_textual_first_paint_s",
    "rss_mb",
}
ENTITIES = 6000


@pytest.fixture(scope="module")
def small_kb(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    path = tmp_path_factory.mktemp("bench") / "kb.db"
    out = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "generate.py"),
            "--entities",
            str(ENTITIES),
            "--out",
            str(path),
            "--seed",
            "3",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    assert out.stderr == ""  # no progress bars when not on a terminal
    return path, json.loads(out.stdout)


def test_generated_kb_is_a_valid_kbtui_kb(small_kb: tuple[Path, dict]):
    path, summary = small_kb
    conn = db.connect_readonly(path)
    findings, counts = check.run(conn)
    assert findings == []
    assert counts["entities"] == ENTITIES == summary["entities"]
    properties = counts["properties"]  # one nationality per person, cited once
    assert properties > 0
    assert counts["citations"] - properties >= 2.5 * (counts["claims"] - properties)  # ~3 citations a claim
    stances = dict(conn.execute("SELECT stance, count(*) FROM citations GROUP BY 1").fetchall())
    assert stances["qualifies"] > 0 and conn.execute("SELECT count(*) FROM conflicts").fetchone()[0] > 0
    roles = conn.execute("SELECT count(*) FROM roles").fetchone()[0]
    people = conn.execute("SELECT count(*) FROM entities WHERE kind = 'person'").fetchone()[0]
    assert 1.7 <= roles / people <= 2.3
    assert conn.execute("SELECT count(*) FROM sources").fetchone()[0] == ENTITIES // 10
    scripts = conn.execute("SELECT count(*) FROM aliases WHERE alias GLOB '*[Ѐ-ӿ一-鿿]*'").fetchone()[0]
    assert scripts > 100  # Cyrillic and Hanzi originals are there to be found
    assert conn.execute("SELECT count(*) FROM mentions").fetchone()[0] > 0
    fsb = conn.execute("SELECT count(*) FROM roles WHERE organisation_id = 'federal-security-service'")
    assert fsb.fetchone()[0] == summary["hubs"]["federal-security-service"] >= ENTITIES // 100


def test_generator_is_deterministic(small_kb: tuple[Path, dict], tmp_path: Path):
    path, _ = small_kb
    again = tmp_path / "again.db"
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "generate.py"),
            "--entities",
            str(ENTITIES),
            "--out",
            str(again),
            "--seed",
            "3",
        ],
        capture_output=True,
        check=True,
        cwd=ROOT,
    )

    def digest(p: Path) -> list:
        with db.connect_readonly(p) as conn:
            return [
                conn.execute(f"SELECT count(*), total(length({col})) FROM {table}").fetchone()
                for table, col in (
                    ("entities", "name"),
                    ("aliases", "alias"),
                    ("sources", "text"),
                    ("citations", "quote"),
                    ("roles", "title"),
                )
            ] + [conn.execute("SELECT group_concat(sha256) FROM (SELECT sha256 FROM sources ORDER BY id)").fetchone()]

    assert digest(again) == digest(path)


@pytest.mark.slow
def test_benchmark_runs_and_reports_every_key(small_kb: tuple[Path, dict]):
    path, _ = small_kb
    out = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "run.py"),
            "--entities",
            str(ENTITIES),
            "--seed",
            "3",
            "--db",
            str(path),
            "--queries",
            "200",
            "--quick",
            "--json",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=240,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout)
    assert set(result) >= KEYS
    assert result["entities"] == ENTITIES and result["kb_reused"] is True
    assert result["queries"] >= 200
    assert result["recall_at_5"] >= 0.95
    assert result["recall_typos_at_5"] >= 0.95
    assert result["hub_rows_shown"] == min(200, result["hub_roles_total"])
    assert result["cli_oneshot_top"]
    for key in KEYS - {"entities"}:
        assert isinstance(result[key], int | float) and result[key] >= 0, key
