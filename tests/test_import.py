"""Import: anchoring, clear errors with file:line, all-or-nothing writes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from kbtui.kb import check, db
from kbtui.kb.errors import ImportFailed
from kbtui.kb.importer import import_bundle
from tests.conftest import MINI_KB, MINI_SOURCES, write_bundle
from tests.kbdata import kb_data


def _dump(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def test_mini_bundle_imports_and_checks_clean(mini_db: Path):
    conn = db.connect_readonly(mini_db)
    findings, counts = check.run(conn)
    assert findings == []
    assert counts["citations"] == 5  # 2 roles, 1 event, 2 participations inherit the event's
    assert conn.execute("SELECT count(*) FROM participations").fetchone()[0] == 2
    quote, anchor_kind = conn.execute(
        "SELECT quote, anchor FROM citations WHERE claim_id = 'patrushev-secretary'"
    ).fetchone()
    assert quote == "Nikolai Patrushev is secretary of Russia’s national security council"
    assert anchor_kind == "normalised"


def test_reimport_is_idempotent(tmp_path: Path, mini_bundle: Path):
    path = tmp_path / "kb.db"
    import_bundle(mini_bundle, path)
    first = kb_data(path)
    import_bundle(mini_bundle, path)
    assert kb_data(path) == first
    assert check.derived(db.connect_readonly(path)) == []  # indexes updated in place, still right


def _fails(tmp_path: Path, kb: str = MINI_KB, sources: str = MINI_SOURCES, text: str | bytes | None = None) -> str:
    """Import a broken bundle over a good KB; return the error, and prove the
    KB file is byte-for-byte unchanged."""
    good = write_bundle(tmp_path / "good")
    target = tmp_path / "kb.db"
    import_bundle(good, target)
    before = target.read_bytes()
    bad = write_bundle(tmp_path / "bad", kb=kb, sources=sources, **({"text": text} if text is not None else {}))
    with pytest.raises(ImportFailed) as err:
        import_bundle(bad, target)
    assert target.read_bytes() == before
    return str(err.value)


def test_bad_toml_names_file_and_line(tmp_path: Path):
    msg = _fails(tmp_path, kb=MINI_KB + "\n[[entity]\nid = 'x'\n")
    assert "kb.toml:" in msg and "bad TOML" in msg


def test_unknown_field_names_file_line_and_field(tmp_path: Path):
    kb = MINI_KB.replace('name = "Moscow"', 'name = "Moscow"\nnmae = "typo"')
    msg = _fails(tmp_path, kb=kb)
    line = kb.splitlines().index('nmae = "typo"') + 1
    assert f"kb.toml:{line}" in msg and "unknown field `nmae`" in msg


def test_dangling_reference_is_refused(tmp_path: Path):
    msg = _fails(tmp_path, kb=MINI_KB.replace('organisation = "cplac"', 'organisation = "nowhere"'))
    assert "'nowhere' is not a known entity id" in msg


def test_missing_quote_shows_nearest_match(tmp_path: Path):
    msg = _fails(tmp_path, kb=MINI_KB.replace("The two men met in Moscow.", "The two men met in Kyiv."))
    assert "quote not found" in msg and "nearest match" in msg and "met in" in msg
    assert "kb.toml:" in msg


def test_ambiguous_quote_is_refused(tmp_path: Path):
    kb = MINI_KB.replace('quote = "The two men met in Moscow."', 'quote = "Chen"')
    msg = _fails(tmp_path, kb=kb)
    assert "occurs" in msg and "prefix or suffix" in msg


def test_duplicate_id_is_refused(tmp_path: Path):
    kb = MINI_KB + '\n[[entity]]\nid = "moscow"\nkind = "place"\nname = "Moscow again"\n'
    msg = _fails(tmp_path, kb=kb)
    assert "duplicate entity id `moscow`" in msg


def test_bad_closed_value_is_refused(tmp_path: Path):
    msg = _fails(tmp_path, kb=MINI_KB.replace('status = "current"', 'status = "maybe"', 1))
    assert "`status` = 'maybe'" in msg


def test_uncited_claim_is_refused(tmp_path: Path):
    kb = MINI_KB + ('\n[[relation]]\nid = "r1"\ntype = "met"\nsubject = "chen-wenqing"\nobject = "nikolai-patrushev"\n')
    msg = _fails(tmp_path, kb=kb)
    assert "every claim needs at least one citation" in msg


def test_invalid_utf8_source_reports_byte_offset(tmp_path: Path):
    text = b"Chen Wenqing leads" + b"\xff\xfe" + b" rest"
    msg = _fails(tmp_path, text=text)
    assert "not valid UTF-8 at byte offset 18" in msg


def test_failed_import_into_new_path_leaves_no_file(tmp_path: Path):
    bad = write_bundle(tmp_path / "bad", kb=MINI_KB.replace("men met", "women met"))
    target = tmp_path / "new.db"
    with pytest.raises(ImportFailed):
        import_bundle(bad, target)
    assert not target.exists()


def test_all_problems_are_reported_at_once(tmp_path: Path):
    kb = MINI_KB.replace('organisation = "cplac"', 'organisation = "nowhere"').replace("men met", "women met")
    msg = _fails(tmp_path, kb=kb)
    assert "nowhere" in msg and "women met" in msg


@pytest.mark.parametrize(
    ("published", "expected"),
    [
        ('"2024-02-30"', "February 2024 has no day 30"),
        ('"2024-13"', "month 13 does not exist"),
        ('"May 2024"', "is not an ISO date"),
        ("2024-05-03", "must be a string"),  # an unquoted TOML date is a datetime.date
    ],
)
def test_impossible_or_unquoted_dates_are_refused(tmp_path: Path, published: str, expected: str):
    msg = _fails(tmp_path, sources=MINI_SOURCES.replace('published = "2024-05-03"', f"published = {published}"))
    assert "sources.toml:" in msg and "`published`" in msg and expected in msg
