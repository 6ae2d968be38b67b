"""Integrity: `kbtui check` detects a tampered source text (hash), a
citation whose span no longer matches its quote, an uncited claim, a
dangling reference, a value of the wrong type. Each test breaks a private
copy of the sample and expects the finding, by name and place."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import cli, run_kbtui


def _tamper(path: Path, *statements: str, fk_off: bool = True) -> None:
    conn = sqlite3.connect(path)
    if fk_off:
        conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("PRAGMA ignore_check_constraints = ON")
    for stmt in statements:
        conn.execute(stmt)
    conn.commit()
    conn.close()


def _problems(path: Path) -> list[dict]:
    r = cli("--db", str(path), "check", "--json")
    assert r.exit_code == 1, (r.stdout, r.stderr)
    data = json.loads(r.stdout)
    assert data["ok"] is False
    return data["problems"]


def _one(path: Path, sql: str, *args) -> object:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, args).fetchone()[0]
    finally:
        conn.close()


def test_the_untouched_copy_checks_clean(sample_copy):
    r = cli("--db", str(sample_copy), "check", "--json")
    assert r.exit_code == 0 and json.loads(r.stdout)["problems"] == []


def test_a_tampered_source_text_fails_its_hash(sample_copy):
    sid = _one(sample_copy, "SELECT id FROM sources ORDER BY id LIMIT 1")
    # same length, outside every cited span: only the hash can tell
    _tamper(sample_copy, "UPDATE sources SET text = text || ' ' WHERE id = ?".replace("?", f"'{sid}'"))
    problems = _problems(sample_copy)
    assert [(p["check"], p["where"]) for p in problems] == [("source-hash", f"source {sid}")]


def test_a_rewritten_quote_with_a_forged_hash_still_fails_the_span(sample_copy):
    """The forger edits the words under a citation and recomputes sha256:
    the hash passes, the span check does not."""
    cid, sid, quote = (
        sqlite3.connect(sample_copy)
        .execute("SELECT id, source_id, quote FROM citations WHERE quote LIKE '%Patrushev%' LIMIT 1")
        .fetchone()
    )
    text = _one(sample_copy, "SELECT text FROM sources WHERE id = ?", sid)
    forged = text.replace(quote, quote.replace("Patrushev", "Patrushov"))
    assert forged != text
    conn = sqlite3.connect(sample_copy)
    conn.execute(
        "UPDATE sources SET text = ?, sha256 = ? WHERE id = ?",
        (forged, hashlib.sha256(forged.encode()).hexdigest(), sid),
    )
    conn.commit()
    conn.close()
    problems = _problems(sample_copy)
    # the span check fails; the text's full-text index no longer matches it either
    assert {p["check"] for p in problems} == {"citation-span", "index"}
    assert any(p["where"].startswith(f"citation {cid} ") for p in problems)
    assert [p["where"] for p in problems if p["check"] == "index"] == ["sources_fts"]


SPAN_TAMPERING: dict[str, Callable[[int], str]] = {
    "span moved": lambda c: f'UPDATE citations SET start = start + 1, "end" = "end" + 1 WHERE id = {c}',
    "span shortened": lambda c: f'UPDATE citations SET "end" = "end" - 1 WHERE id = {c}',
    "quote rewritten": lambda c: f"UPDATE citations SET quote = 'a fabricated quote' WHERE id = {c}",
    "span past the end": lambda c: f'UPDATE citations SET "end" = 10000000 WHERE id = {c}',
    "span reversed": lambda c: f'UPDATE citations SET start = "end", "end" = start WHERE id = {c}',
    "span negative": lambda c: f"UPDATE citations SET start = -5 WHERE id = {c}",
}


@pytest.mark.parametrize("how", list(SPAN_TAMPERING))
def test_a_citation_whose_span_no_longer_matches(sample_copy, how):
    cid = _one(sample_copy, "SELECT max(id) FROM citations")
    _tamper(sample_copy, SPAN_TAMPERING[how](cid))
    problems = _problems(sample_copy)
    assert [p["check"] for p in problems] == ["citation-span"]
    assert problems[0]["where"].startswith(f"citation {cid} ")
    r = cli("--db", str(sample_copy), "cite", str(cid))
    assert r.exit_code == 1 and "Traceback" not in r.stderr


def test_an_uncited_claim(sample_copy):
    claim = _one(sample_copy, "SELECT claim_id FROM roles ORDER BY claim_id LIMIT 1")
    _tamper(sample_copy, f"DELETE FROM citations WHERE claim_id = '{claim}'")
    problems = _problems(sample_copy)
    assert [(p["check"], p["where"]) for p in problems] == [("uncited-claim", f"role {claim}")]


def test_a_dangling_entity_reference(sample_copy):
    _tamper(sample_copy, "DELETE FROM entities WHERE id = 'nikolai-patrushev'")
    problems = _problems(sample_copy)
    assert {p["check"] for p in problems} == {"foreign-key"}
    assert any(p["where"].startswith("roles ") and "entities" in p["message"] for p in problems)


def test_a_citation_pointing_at_a_missing_source(sample_copy):
    cid = _one(sample_copy, "SELECT min(id) FROM citations")
    _tamper(sample_copy, f"UPDATE citations SET source_id = 'no-such-source' WHERE id = {cid}")
    problems = _problems(sample_copy)
    assert [p["check"] for p in problems] == ["foreign-key"]
    assert "sources" in problems[0]["message"]


def test_a_typed_row_without_its_claim(sample_copy):
    claim = _one(sample_copy, "SELECT claim_id FROM relations ORDER BY claim_id LIMIT 1")
    _tamper(sample_copy, f"DELETE FROM claims WHERE id = '{claim}'")
    problems = _problems(sample_copy)
    checks = {(p["check"], p["where"]) for p in problems}
    assert ("dangling", f"relations {claim}") in checks


def test_a_claim_without_its_typed_row(sample_copy):
    claim = _one(sample_copy, "SELECT claim_id FROM roles ORDER BY claim_id LIMIT 1")
    _tamper(sample_copy, f"DELETE FROM roles WHERE claim_id = '{claim}'")
    problems = _problems(sample_copy)
    assert [(p["check"], p["where"]) for p in problems] == [("dangling", f"claim {claim}")]


@pytest.mark.parametrize(
    "stmt, where",
    [
        ("UPDATE sources SET text = CAST(text AS BLOB) WHERE rowid = 1", "sources.text"),
        ("UPDATE entities SET name = CAST(name AS BLOB) WHERE id = 'chen-wenqing'", "entities.name"),
        ("UPDATE citations SET start = 'twelve' WHERE id = 1", "citations.start"),
        ("UPDATE citations SET quote = CAST(quote AS BLOB) WHERE id = 1", "citations.quote"),
    ],
)
def test_a_value_of_the_wrong_type(sample_copy, stmt, where):
    _tamper(sample_copy, stmt)
    problems = _problems(sample_copy)
    assert ("type", where) in {(p["check"], p["where"]) for p in problems}


@pytest.mark.parametrize(
    "command",
    [
        ["show", "chen-wenqing"],
        ["cite", "1"],
        ["source", "RT"],
        ["roles"],
        ["search", "chen"],
        ["sql", "SELECT * FROM v_citations"],
    ],
)
def test_wrong_types_never_end_in_a_traceback(sample_copy, command):
    _tamper(
        sample_copy,
        "UPDATE sources SET text = CAST(text AS BLOB)",
        "UPDATE entities SET name = CAST(name AS BLOB) WHERE id = 'chen-wenqing'",
        "UPDATE citations SET start = 'twelve' WHERE id = 1",
    )
    r = cli("--db", str(sample_copy), *command)  # an uncaught exception would fail the test here
    assert r.exit_code in (0, 1, 2)
    if r.exit_code == 2:
        assert "wrong type" in r.stderr and str(sample_copy) in r.stderr


def test_wrong_types_in_a_real_process(sample_copy):
    _tamper(sample_copy, "UPDATE sources SET text = CAST(text AS BLOB)")
    r = run_kbtui("--db", str(sample_copy), "cite", "1")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "wrong type" in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_several_problems_are_all_reported_in_the_table(sample_copy):
    cid = _one(sample_copy, "SELECT max(id) FROM citations")
    claim = _one(sample_copy, "SELECT claim_id FROM roles ORDER BY claim_id LIMIT 1")
    _tamper(
        sample_copy,
        f"UPDATE citations SET quote = 'forged' WHERE id = {cid}",
        f"DELETE FROM citations WHERE claim_id = '{claim}'",
        "DELETE FROM entities WHERE id = 'nikolai-patrushev'",
    )
    r = cli("--db", str(sample_copy), "check")
    assert r.exit_code == 1
    for check in ("citation-span", "uncited-claim", "foreign-key"):
        assert check in r.stdout
    r = run_kbtui("--db", str(sample_copy), "check")
    assert r.returncode == 1 and "problem(s)" in r.stdout and "Traceback" not in r.stderr
