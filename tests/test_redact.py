"""Confidential sources: marked in a bundle (or by `kbtui add source
--confidential`) and shown as such.

The KB here is the mini bundle plus a confidential memo whose every
field, quote, erratum, speaker, note and earlier text carries "zqx" (its
id too), so that a leak anywhere is one search of the output's bytes."""

from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from kbtui.cli import main
from kbtui.kb import versions
from kbtui.kb.errors import ImportFailed
from kbtui.kb.importer import import_bundle
from tests.conftest import MINI_KB, MINI_SOURCES, write_bundle

MARK = b"zqx"  # in every secret value, in any case
MEMO = "zqx-informant-memo"
MEMO_TEXT = (
    "Memo ZQXTEXTMARK, Moscow.\n"
    "Chen chairs the ZQXQUOTEMARK commission, an officer said.\n"
    "Patrushev met Chen at the ZQXVILLAMARK dacha on Monday.\n"
    "Chen was once a ZQXOLDMARK deputy.\n"
    "The memo calls Patrushev a ZQXERRATUMMARK general.\n"
)
# the memo's second text: one cited sentence gone (its citation orphaned
# in version 1), one reworded (moved)
MEMO_TEXT_V2 = (
    "Memo ZQXTEXTMARK, Moscow.\n"
    "Chen chairs the ZQXQUOTEMARK commission, an officer said.\n"
    "Patrushev later met Chen at the ZQXVILLAMARK dacha on Monday.\n"
    "The memo calls Patrushev a ZQXERRATUMMARK general.\n"
)
SOURCES = (
    MINI_SOURCES
    + f"""
[[source]]
id = "{MEMO}"
file = "sources/memo.txt"
title = "ZQXTITLEMARK memo"
outlet = "ZQXOUTLETMARK"
author = "ZQXAUTHORMARK"
published = "2024-05-06"
url = "https://zqxurlmark.example/memo"
archive_url = "https://web.archive.org/web/2024/zqxarchivemark"
retrieved = "2024-05-07T10:00:00Z"
note = "ZQXNOTEMARK"
origin = "ZQXORIGINMARK report"
confidential = true

[[source]]
id = "public-relay"
file = "sources/relay.txt"
title = "A public report"
outlet = "Open Wire"
published = "2024-05-08"
relays = "{MEMO}"
"""
)
# claims only the memo supports, and one it shares with the public source
CHAIRS_CITE = (
    f'{{ source = "{MEMO}", quote = "Chen chairs the ZQXQUOTEMARK commission",'
    ' speaker = "ZQXSPEAKERMARK officer", as_of_note = "ZQXASOFNOTEMARK" }'
)
SECRET_ONLY = ("chen-chairs", "chen-deputy")
KB = (
    MINI_KB
    + f"""
[[role]]
id = "chen-chairs"
holder = "chen-wenqing"
organisation = "cplac"
title = "Chairman"
cite = [{CHAIRS_CITE}]

[[role]]
id = "chen-deputy"
holder = "chen-wenqing"
organisation = "cplac"
title = "Deputy"
status = "former"
cite = [{{ source = "{MEMO}", quote = "Chen was once a ZQXOLDMARK deputy", speaker = "nikolai-patrushev" }}]

[[relation]]
id = "patrushev-met-chen"
type = "met"
subject = "nikolai-patrushev"
object = "chen-wenqing"
cite = [
  {{ source = "mini", quote = "The two men met in Moscow." }},
  {{ source = "{MEMO}", quote = "Patrushev met Chen at the ZQXVILLAMARK dacha" }},
]

[[erratum]]
id = "memo-general"
source = "{MEMO}"
quote = "ZQXERRATUMMARK general"
says = "ZQXSAYSMARK: Patrushev is a general"
correct = "Patrushev is a civilian secretary"
about = "chen-chairs"
"""
)


def _build(root: Path) -> Path:
    bundle = write_bundle(root / "bundle", kb=KB, sources=SOURCES)
    (bundle / "sources" / "memo.txt").write_text(MEMO_TEXT, encoding="utf-8")
    (bundle / "sources" / "relay.txt").write_text("A public report repeats a memo.\n", encoding="utf-8")
    kb = root / "secret.db"
    import_bundle(bundle, kb)
    v2 = root / "memo-v2.txt"
    v2.write_text(MEMO_TEXT_V2, encoding="utf-8")
    versions.add_version(kb, MEMO, v2, {})  # source_versions, citation_moves, an orphan, log rows
    return kb


@pytest.fixture(scope="module")
def secret_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build(tmp_path_factory.mktemp("secret"))


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_the_fixture_holds_a_secret_in_every_table_redaction_touches(secret_db: Path) -> None:
    conn = sqlite3.connect(f"file:{secret_db}?mode=ro", uri=True)
    try:
        for sql in (
            f"SELECT count(*) FROM sources WHERE id = '{MEMO}' AND confidential = 1",
            f"SELECT count(*) FROM source_versions WHERE source_id = '{MEMO}'",
            f"SELECT count(*) FROM citations WHERE source_id = '{MEMO}' AND version IS NOT NULL",
            "SELECT count(*) FROM citation_moves m JOIN citations c ON c.id = m.citation_id"
            f" AND c.source_id = '{MEMO}'",
            f"SELECT count(*) FROM errata WHERE source_id = '{MEMO}'",
            f"SELECT count(*) FROM mentions WHERE source_id = '{MEMO}'",
            f"SELECT count(*) FROM log WHERE diff LIKE '%{MEMO}%'",
            f"SELECT count(*) FROM sources WHERE relays = '{MEMO}'",
        ):
            assert conn.execute(sql).fetchone()[0] > 0, sql
    finally:
        conn.close()
    assert MARK in secret_db.read_bytes().lower()


# -- marking ---------------------------------------------------------------------------


@pytest.mark.parametrize("value", ['"yes"', "1", '"true"', "[true]"])
def test_confidential_must_be_a_boolean(tmp_path: Path, value: str) -> None:
    bundle = write_bundle(tmp_path / "b", sources=MINI_SOURCES + f"confidential = {value}\n")
    kb = tmp_path / "kb.db"
    with pytest.raises(ImportFailed) as err:
        import_bundle(bundle, kb)
    problem = err.value.message
    assert problem.count("sources.toml:") == 1  # one problem, at its line
    assert "sources.toml:8:" in problem and "`confidential`" in problem and "true or false" in problem
    assert not kb.exists()
    r = run("import", str(bundle), "--db", str(kb))
    assert r.exit_code == 1 and len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.output


def test_add_source_confidential_round_trip(tmp_path: Path, mini_db: Path) -> None:
    bundle = tmp_path / "research"
    assert run("--db", str(mini_db), "new", str(bundle)).exit_code == 0
    memo = tmp_path / "memo.txt"
    memo.write_text("Chen met Patrushev in secret.\n", encoding="utf-8")
    args = ["--db", str(mini_db), "add", "source", str(memo), "--bundle", str(bundle), "--id", "memo"]
    r = run(*args, "--title", "Memo", "--confidential", "--json")
    assert r.exit_code == 0, r.output
    assert "confidential = true" in (bundle / "sources.toml").read_text(encoding="utf-8").replace("  ", "")
    r = run("--db", str(mini_db), "sources", "--json")
    assert {s["id"]: s["confidential"] for s in json.loads(r.stdout)} == {"mini": False, "memo": True}
    assert json.loads(run("--db", str(mini_db), "source", "memo", "--json").stdout)["confidential"] is True
    r = run("--db", str(mini_db), "sources")
    assert "(confidential)" in r.stdout
    assert "confidential" in run("--db", str(mini_db), "source", "memo").stdout
    # the bundle is the truth: a fresh KB from it has the source confidential...
    fresh = tmp_path / "fresh.db"
    import_bundle(bundle, fresh)
    with sqlite3.connect(fresh) as conn:
        assert conn.execute("SELECT confidential FROM sources WHERE id = 'memo'").fetchone()[0] == 1
    # ...and without the line, public again after a re-import
    toml = bundle / "sources.toml"
    toml.write_text(
        "".join(x for x in io.StringIO(toml.read_text(encoding="utf-8")) if "confidential" not in x), encoding="utf-8"
    )
    import_bundle(bundle, fresh)
    with sqlite3.connect(fresh) as conn:
        assert conn.execute("SELECT confidential FROM sources WHERE id = 'memo'").fetchone()[0] == 0


def test_show_marks_a_confidential_source_it_is_mentioned_in(secret_db: Path) -> None:
    data = json.loads(run("--db", str(secret_db), "show", "chen-wenqing", "--json").stdout)
    marked = {s["id"]: s["confidential"] for s in data["sources"]}
    assert marked[MEMO] is True and marked["mini"] is False
    assert "(confidential)" in run("--db", str(secret_db), "show", "chen-wenqing").stdout
