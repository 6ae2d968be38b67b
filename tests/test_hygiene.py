"""Structural promises: one-shots never load Textual; the data layer never
imports it; the committed sample matches schema.sql and its bundle."""

from __future__ import annotations

import ast
import hashlib
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

from kbtui.kb import db
from kbtui.kb.paths import PACKAGE_DIR, sample_db_path, schema_path


def test_one_shot_commands_never_import_textual():
    code = (
        "import sys, runpy\n"
        "sys.argv = ['kbtui', 'search', 'patrushev', '--json']\n"
        "try:\n    runpy.run_module('kbtui', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "print('TEXTUAL_LOADED' if any(m == 'textual' or m.startswith('textual.') for m in sys.modules)"
        " else 'TEXTUAL_ABSENT', file=sys.stderr)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "TEXTUAL_ABSENT" in out.stderr, out.stderr
    assert json.loads(out.stdout)[0]["id"] == "nikolai-patrushev"


def test_data_layer_source_never_imports_textual():
    for path in (PACKAGE_DIR / "kb").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            assert not any(n.split(".")[0] in {"textual", "rich"} for n in names), path


def _objects(conn: sqlite3.Connection) -> list[tuple]:
    return sorted(conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"))


def test_sample_schema_is_exactly_schema_sql(tmp_path: Path):
    fresh = tmp_path / "fresh.db"
    db.connect_writable(fresh, create=True).close()
    with sqlite3.connect(fresh) as a, sqlite3.connect(f"file:{sample_db_path()}?mode=ro", uri=True) as b:
        assert _objects(a) == _objects(b)
        assert b.execute("PRAGMA user_version").fetchone()[0] == db.SCHEMA_VERSION
    assert "CREATE TABLE entities" in schema_path().read_text(encoding="utf-8")


CONTENT_TABLES = [
    "entities",
    "aliases",
    "names",
    "name_grams",
    "claims",
    "roles",
    "relations",
    "events",
    "participations",
    "sources",
    "citations",
    "mentions",
]


def _content(path: Path) -> dict[str, list[tuple]]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        out = {}
        for table in CONTENT_TABLES:
            cols = [r[1] for r in conn.execute(f"PRAGMA table_info({table})") if r[1] != "id" or table != "names"]
            out[table] = sorted(conn.execute(f"SELECT {', '.join(repr(c) for c in cols)} FROM {table}"), key=repr)
        return out


def test_committed_sample_matches_a_rebuild_from_the_bundle(sample_db: Path):
    """sample_db is rebuilt by `kbtui import kbtui/sample`; compare content."""
    rebuilt, committed = _content(sample_db), _content(sample_db_path())
    for table in CONTENT_TABLES:
        assert rebuilt[table] == committed[table], (
            f"sample.db is stale in `{table}`: run `kbtui import kbtui/sample --db sample.db`"
        )


# sha256 of the five original articles the sample is built from, pinned
# here so the test never reads outside the repository. Taken from the
# originals (shared/seeds/ in the steering checkout), to which the bundled
# texts were byte-identical when pinned.
SEED_SHA256 = {
    "000_1e59009767023a19.txt": "eb84a327641452b3d1d89a8e2cf1f848d1d56c631562399ef8d9615dc2579b5e",
    "001_6a6a0e4fae4beb78.txt": "d7ae08c5291e5776e79f40ef0f1197f122a56aa87422db41c0b8548ec7936ec7",
    "002_79e0a6d9d3c9505b.txt": "79d33dcd155049ef22b8a57977e4fcd0ac965e75e5ee3980c763b651f6e8d643",
    "003_f6cefe7002bcf232.txt": "e30b1e38bf76143c0d7ede9d60845e26523c6ee1faf1d8f44af983a40fa41e1b",
    "004_f4fae667b6a03989.txt": "dfed3dc9e0a1071845ceed54d63e9a722a17d9bc564d0b19272ed2d2b316739b",
}


def test_sample_sources_are_the_seed_articles_byte_for_byte(sample_db: Path):
    with sqlite3.connect(sample_db) as conn:
        hashes = {r[0] for r in conn.execute("SELECT sha256 FROM sources")}
    files = sorted((PACKAGE_DIR / "sample" / "sources").glob("*.txt"))
    assert len(files) == 5
    assert hashes == {hashlib.sha256(f.read_bytes()).hexdigest() for f in files}
    assert {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in files} == SEED_SHA256
