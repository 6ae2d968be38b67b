"""Rows belong to the input that wrote them (schema v4): a re-import of one
input replaces its rows, --prune removes the ones it no longer has, a
dry run changes nothing, and an entity that two inputs name survives either
one leaving. The rules are documented in kbtui/kb/sink.py and the README."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

from click.testing import CliRunner

from kbtui.cli import main
from kbtui.kb import check, db
from kbtui.kb.importer import bundle_report, import_bundle
from tests.conftest import MINI_KB, MINI_SOURCES, write_bundle

# a second bundle that names Patrushev too (another name form), and a
# person only it knows, with its own source
OTHER_TEXT = "Patrushev N. P., born 1951, met Sergei Ivanov in Moscow.\n"
OTHER_SOURCES = MINI_SOURCES.replace('id = "mini"', 'id = "other"').replace("Spy chiefs meet", "Registry note")
OTHER_KB = """\
[[entity]]
id = "nikolai-patrushev"
kind = "person"
name = "Patrushev N. P."

[[entity]]
id = "sergei-ivanov"
kind = "person"
name = "Sergei Ivanov"

[[relation]]
id = "patrushev-met-ivanov"
type = "met"
subject = "nikolai-patrushev"
object = "sergei-ivanov"
cite = [{ source = "other", quote = "met Sergei Ivanov" }]
"""
CHEN_ROLE = MINI_KB[MINI_KB.index('[[role]]\nid = "chen-head-cplac"') : MINI_KB.index("[[event]]")]
WITHOUT_CHEN_ROLE = MINI_KB.replace(CHEN_ROLE, "")


def _one(path: Path, sql: str, *args: object) -> object:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, args).fetchone()[0]
    finally:
        conn.close()


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_rows_carry_their_input(tmp_path: Path) -> None:
    kb = tmp_path / "kb.db"
    import_bundle(write_bundle(tmp_path / "mini"), kb)
    for table in ("sources", "claims", "entities", "aliases"):
        assert _one(kb, f"SELECT group_concat(DISTINCT input_id) FROM {table}") == "mini", table
    assert _one(kb, "SELECT count(*) FROM entity_inputs WHERE input_id = 'mini'") == 6  # 5 + the event
    assert _one(kb, "SELECT kind FROM inputs WHERE id = 'mini'") == "bundle"


def test_a_claim_dropped_from_the_bundle_stays_until_prune_and_dry_run_changes_nothing(tmp_path: Path) -> None:
    kb = tmp_path / "kb.db"
    import_bundle(write_bundle(tmp_path / "v1" / "mini"), kb)
    smaller = write_bundle(tmp_path / "v2" / "mini", kb=WITHOUT_CHEN_ROLE)
    report = bundle_report(smaller, kb)
    assert report.stale["claims"] == 1
    assert _one(kb, "SELECT count(*) FROM claims WHERE id = 'chen-head-cplac'") == 1
    before = _sha(kb)
    dry = bundle_report(smaller, kb, prune=True, dry_run=True)
    assert dry.removed["claims"] == 1 and _sha(kb) == before
    report = bundle_report(smaller, kb, prune=True)
    assert report.removed["claims"] == 1
    assert _one(kb, "SELECT count(*) FROM claims WHERE id = 'chen-head-cplac'") == 0
    assert _one(kb, "SELECT count(*) FROM citations WHERE claim_id = 'chen-head-cplac'") == 0
    # cplac is still named by the bundle (an entity table), so it stays
    assert _one(kb, "SELECT count(*) FROM entities WHERE id = 'cplac'") == 1
    findings, _ = check.run(db.connect_readonly(kb))
    assert findings == []


def test_an_entity_two_inputs_name_survives_either_one_leaving(tmp_path: Path) -> None:
    kb = tmp_path / "kb.db"
    import_bundle(write_bundle(tmp_path / "mini"), kb)
    other = write_bundle(tmp_path / "other", kb=OTHER_KB, sources=OTHER_SOURCES, text=OTHER_TEXT)
    import_bundle(other, kb)
    # mini created Patrushev: its name stays; other's name form is other's alias
    assert _one(kb, "SELECT name FROM entities WHERE id = 'nikolai-patrushev'") == "Nikolai Patrushev"
    assert _one(kb, "SELECT input_id FROM entities WHERE id = 'nikolai-patrushev'") == "mini"
    assert _one(kb, "SELECT input_id FROM aliases WHERE alias = 'Patrushev N. P.'") == "other"
    assert _one(kb, "SELECT count(*) FROM entity_inputs WHERE entity_id = 'nikolai-patrushev'") == 2
    # mini drops everything about Patrushev: the entity stays, other owns it now
    only_chen = """\
[[entity]]
id = "chen-wenqing"
kind = "person"
name = "Chen Wenqing"
"""
    report = bundle_report(write_bundle(tmp_path / "v2" / "mini", kb=only_chen), kb, prune=True)
    assert report.removed["claims"] == 5  # 2 roles, the meeting and its 2 participations
    assert _one(kb, "SELECT input_id FROM entities WHERE id = 'nikolai-patrushev'") == "other"
    assert _one(kb, "SELECT count(*) FROM aliases WHERE alias = 'Patrushev'") == 0  # mini's alias went
    assert _one(kb, "SELECT count(*) FROM claims WHERE id = 'patrushev-met-ivanov'") == 1
    # entities only mini named, and nothing refers to, are gone
    assert _one(kb, "SELECT count(*) FROM entities WHERE id IN ('cplac', 'moscow', 'moscow-meeting')") == 0
    # other leaves too: now nobody names Patrushev and nothing refers to him
    gone = write_bundle(tmp_path / "v2" / "other", kb="", sources=OTHER_SOURCES, text=OTHER_TEXT)
    bundle_report(gone, kb, prune=True)
    assert _one(kb, "SELECT count(*) FROM entities WHERE id = 'nikolai-patrushev'") == 0
    assert _one(kb, "SELECT count(*) FROM entities WHERE id = 'chen-wenqing'") == 1
    findings, _ = check.run(db.connect_readonly(kb))
    assert findings == []


def test_a_claim_restated_by_another_input_is_taken_over_and_reported(tmp_path: Path) -> None:
    kb = tmp_path / "kb.db"
    import_bundle(write_bundle(tmp_path / "a"), kb)
    report = bundle_report(write_bundle(tmp_path / "b"), kb)
    assert report.taken_over == {"a": 1 + 5}  # the source; 2 roles, the meeting, 2 participations
    assert _one(kb, "SELECT group_concat(DISTINCT input_id) FROM claims") == "b"
    # a's prune cannot touch what b now owns
    bundle_report(write_bundle(tmp_path / "v2" / "a", kb=""), kb, prune=True)
    assert _one(kb, "SELECT count(*) FROM claims") == 5


def test_the_cli_reports_stale_rows_and_prunes_with_json(tmp_path: Path) -> None:
    kb = tmp_path / "kb.db"
    runner = CliRunner()
    r = runner.invoke(main, ["import", str(write_bundle(tmp_path / "v1" / "mini")), "--db", str(kb)])
    assert r.exit_code == 0, r.output
    smaller = str(write_bundle(tmp_path / "v2" / "mini", kb=WITHOUT_CHEN_ROLE))
    r = runner.invoke(main, ["import", smaller, "--db", str(kb)])
    assert r.exit_code == 0 and "not in this import: 1 claims of input `mini` (--prune removes them)" in r.stderr
    r = runner.invoke(main, ["import", smaller, "--db", str(kb), "--prune", "--dry-run", "--json"])
    out = json.loads(r.stdout)
    assert out["dry_run"] is True and out["removed"]["claims"] == 1 and out["entities"] == 6
    assert _one(kb, "SELECT count(*) FROM claims WHERE id = 'chen-head-cplac'") == 1
    r = runner.invoke(main, ["import", smaller, "--db", str(kb), "--prune"])
    assert r.exit_code == 0 and "removed    1 claims" in r.stderr
    r = runner.invoke(main, ["import", smaller, "--db", str(kb), "--on-error", "skip"])
    assert r.exit_code == 1 and "does not apply to bundles" in r.stderr


def test_a_dry_run_of_a_new_kb_leaves_no_file(tmp_path: Path) -> None:
    kb = tmp_path / "kb.db"
    report = bundle_report(write_bundle(tmp_path / "mini"), kb, dry_run=True)
    assert report.written["entities"] == 6 and not kb.exists()
    assert list(tmp_path.glob(".kb.db*")) == []


def test_an_input_name_that_is_not_a_slug_is_refused_for_every_format(tmp_path: Path) -> None:
    kb = tmp_path / "kb.db"
    runner = CliRunner()
    bundle = str(write_bundle(tmp_path / "mini"))
    ftm = str(Path(__file__).parent / "fixtures" / "ftm" / "sanctions.ftm.json")
    csv = str(Path(__file__).parent / "fixtures" / "csv" / "mapping.toml")
    for path in (bundle, ftm, csv):
        r = runner.invoke(main, ["import", path, "--db", str(kb), "--input", "My Input"])
        assert r.exit_code == 1 and "input id 'My Input' must be a slug" in r.stderr, r.output
    assert not kb.exists()
