"""Confidential sources: marked in a bundle (or by `kbtui add source
--confidential`), left out of every export format by `--redact` and out
of a redacted copy of the KB, their claims kept with a placeholder
citation.

The KB here is the mini bundle plus a confidential memo whose every
field, quote, erratum, speaker, note and earlier text carries "zqx" (its
id too), so that a leak anywhere is one search of the output's bytes."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from kbtui.cli import main
from kbtui.kb import db, exporting, redact, versions
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


@pytest.fixture
def secret_copy(tmp_path: Path, secret_db: Path) -> Path:
    path = tmp_path / "secret.db"
    shutil.copy(secret_db, path)
    return path


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def _bytes(path: Path) -> bytes:
    """Everything written: a file, or every file of a folder."""
    if path.is_dir():
        return b"\n".join(p.read_bytes() for p in sorted(path.iterdir()))
    return path.read_bytes()


def _lines(path: Path) -> list[str]:
    text = _bytes(path).decode("utf-8")
    return [line.rstrip(",") for line in text.splitlines()]


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


# -- export --redact -------------------------------------------------------------------


@pytest.mark.parametrize("fmt", sorted(exporting.FORMATS))
def test_every_format_leaves_the_confidential_source_out(secret_db: Path, tmp_path: Path, fmt: str) -> None:
    plain, redacted = tmp_path / "plain", tmp_path / "redacted"
    r = run("--db", str(secret_db), "export", "--format", fmt, "--out", str(plain))
    assert r.exit_code == 0, r.output
    assert "1 confidential source" in r.stderr and "--redact" in r.stderr  # said, not refused
    # (a graph names no source; every other format writes the memo out when not told)
    assert MARK in _bytes(plain).lower() or fmt in {"gexf", "dot"}
    r = run("--db", str(secret_db), "export", "--format", fmt, "--out", str(redacted), "--redact", "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["redacted"] == 1 and "warning" not in r.stderr
    out = _bytes(redacted)
    assert MARK not in out.lower(), fmt  # (csv and annotations hold it unredacted: tested below)
    for claim in SECRET_ONLY:  # the claims stay
        assert claim.encode() in out, (fmt, claim)
    # whatever did not concern the memo is written as before
    kept = set(_lines(redacted))
    lost = [line for line in _lines(plain) if "zqx" not in line.lower() and line not in kept]
    assert lost == [], fmt
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plain", "redacted"]  # no copy left behind


def test_csv_cites_a_placeholder_for_the_confidential_source(secret_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "csv"
    assert run("--db", str(secret_db), "export", "--format", "csv", "--out", str(out), "--redact").exit_code == 0
    with open(out / "citations.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    secret = [r for r in rows if r["source_confidential"] == "1"]
    assert {r["claim_id"] for r in secret} == {*SECRET_ONLY, "patrushev-met-chen"}
    for r in secret:
        assert r["quote"] == redact.PLACEHOLDER and (r["start"], r["end"]) == ("0", str(len(redact.PLACEHOLDER)))
        assert r["source_title"] == redact.TITLE and not r["outlet"] and not r["author"] and not r["speaker"]
        assert r["source_id"].startswith("confidential-") and r["in_old_version"] == "0"
        assert r["published"] == "2024-05-06" and r["stance"] == "supports"
    public = [r for r in rows if r["source_id"] == "mini"]
    assert public and all(r["source_confidential"] == "0" for r in public)
    with open(out / "sources.csv", encoding="utf-8", newline="") as fh:
        sources = {r["id"]: r for r in csv.DictReader(fh)}
    opaque = secret[0]["source_id"]
    assert sources[opaque]["confidential"] == "1" and sources[opaque]["title"] == redact.TITLE
    assert sources["public-relay"]["relays"] == opaque  # still one story with the memo, by its new id


def test_annotations_of_the_confidential_source_still_read_their_placeholder(secret_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "kb.jsonld"
    r = run("--db", str(secret_db), "export", "--format", "annotations", "--out", str(out), "--redact")
    assert r.exit_code == 0, r.output
    items = json.loads(out.read_text(encoding="utf-8"))["first"]["items"]
    secret = [a for a in items if a["target"]["kbtui:source"].startswith("confidential-")]
    assert {a["body"]["kbtui:claim"] for a in secret} == {*SECRET_ONLY, "patrushev-met-chen"}
    for a in secret:
        quote, position = a["target"]["selector"]
        assert quote == {"type": "TextQuoteSelector", "exact": redact.PLACEHOLDER}
        assert (position["start"], position["end"]) == (0, len(redact.PLACEHOLDER))
        assert a["target"]["kbtui:matches"] is True and "kbtui:speaker" not in a["body"]
        assert "kbtui:outlet" not in a["target"] and a["target"]["kbtui:title"] == redact.TITLE


@pytest.mark.parametrize("fmt", ["gexf", "dot"])
def test_graphs_carry_no_source_and_come_out_the_same(secret_db: Path, tmp_path: Path, fmt: str) -> None:
    """A graph names no source: redacted, it is the same graph, the
    memo's claims edges counted as evidenced by one source."""
    plain, redacted = tmp_path / "a", tmp_path / "b"
    assert run("--db", str(secret_db), "export", "--format", fmt, "--out", str(plain)).exit_code == 0
    assert run("--db", str(secret_db), "export", "--format", fmt, "--out", str(redacted), "--redact").exit_code == 0
    assert redacted.read_bytes() == plain.read_bytes()
    assert MARK not in plain.read_bytes().lower()  # (graphs hold no text)


def test_redact_without_a_confidential_source_changes_nothing(mini_db: Path, tmp_path: Path) -> None:
    for fmt in sorted(exporting.FORMATS):
        plain, redacted = tmp_path / f"{fmt}-a", tmp_path / f"{fmt}-b"
        r = run("--db", str(mini_db), "export", "--format", fmt, "--out", str(plain))
        assert r.exit_code == 0 and "confidential" not in r.stderr
        assert run("--db", str(mini_db), "export", "--format", fmt, "--out", str(redacted), "--redact").exit_code == 0
        assert _bytes(redacted) == _bytes(plain), fmt


def test_redact_to_standard_output(secret_db: Path) -> None:
    r = run("--db", str(secret_db), "export", "--format", "annotations", "--out", "-", "--redact")
    assert r.exit_code == 0 and redact.PLACEHOLDER in r.stdout
    assert "zqx" not in r.stdout.lower() and r.stderr == ""


def test_the_export_leaves_the_kb_as_it_was(secret_copy: Path, tmp_path: Path) -> None:
    before = hashlib.sha256(secret_copy.read_bytes()).hexdigest()
    r = run("--db", str(secret_copy), "export", "--format", "csv", "--out", str(tmp_path / "o"), "--redact")
    assert r.exit_code == 0, r.output
    assert hashlib.sha256(secret_copy.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o", "secret.db"]


def test_a_copy_that_cannot_be_made_is_one_line_and_nothing_written(
    secret_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(*_: object, **__: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(redact, "redact", full)
    out = tmp_path / "kb.dot"
    r = run("--db", str(secret_db), "export", "--format", "dot", "--out", str(out), "--redact")
    assert r.exit_code == 1 and "disk is full" in r.stderr and "Traceback" not in r.output
    assert len(r.stderr.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_the_exports_working_copy_holds_no_trace_either(secret_db: Path, tmp_path: Path) -> None:
    """What an export reads is a copy redacted with secure delete on: not
    a page of it holds the memo, even while it exists."""
    conn = db.connect_readonly(secret_db, snapshot=True)
    try:
        with redact.redacted_reader(conn, tmp_path) as reader:
            (copy,) = [Path(r[2]) for r in reader.execute("PRAGMA database_list") if r[1] == "main"]
            assert copy.parent.parent == tmp_path and copy.parent.name.startswith(".")
            assert MARK not in copy.read_bytes().lower()
            assert reader.execute("SELECT count(*) FROM sources WHERE confidential = 1").fetchone()[0] == 1
    finally:
        conn.close()
    assert list(tmp_path.iterdir()) == []


# -- redacted_copy --------------------------------------------------------------------


def test_redacted_copy_holds_no_trace_of_the_confidential_source(secret_copy: Path, tmp_path: Path) -> None:
    before = hashlib.sha256(secret_copy.read_bytes()).hexdigest()
    out = tmp_path / "public.db"
    done = redact.redacted_copy(secret_copy, out)
    assert done.sources == 1 and done.citations == 3
    assert hashlib.sha256(secret_copy.read_bytes()).hexdigest() == before  # the original as it was
    assert MARK not in out.read_bytes().lower()  # in no page, used or free
    assert sorted(p.name for p in tmp_path.iterdir()) == ["public.db", "secret.db"]
    r = run("--db", str(out), "check")
    assert r.exit_code == 0, r.output
    conn = db.connect_readonly(out)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == db.SCHEMA_VERSION
        (opaque,) = conn.execute("SELECT id FROM sources WHERE confidential = 1").fetchone()
        assert opaque == redact.opaque_id(MEMO, hashlib.sha256(MEMO_TEXT_V2.encode()).hexdigest())
        assert conn.execute("SELECT count(*) FROM source_versions").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM errata").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM mentions WHERE source_id = ?", (opaque,)).fetchone()[0] == 0
        cites = conn.execute(
            'SELECT claim_id, quote, start, "end", version, speaker_id, speaker FROM citations WHERE source_id = ?',
            (opaque,),
        ).fetchall()
        assert sorted(c[0] for c in cites) == sorted([*SECRET_ONLY, "patrushev-met-chen"])
        assert {tuple(c[1:]) for c in cites} == {(redact.PLACEHOLDER, 0, len(redact.PLACEHOLDER), None, None, "")}
        # the full-text index was rebuilt from the placeholder: it finds no word of the memo
        found = "SELECT count(*) FROM sources_fts WHERE sources_fts MATCH ?"
        assert conn.execute(found, ("zqxquotemark",)).fetchone()[0] == 0
        assert conn.execute(found, ("confidential",)).fetchone()[0] == 1
        # public sources untouched
        mini = conn.execute("SELECT title, outlet, author FROM sources WHERE id = 'mini'").fetchone()
        assert tuple(mini) == ("Spy chiefs meet", "Example Times", "A. Writer")
    finally:
        conn.close()
    # the same KB gives the same opaque id every time
    again = tmp_path / "again.db"
    redact.redacted_copy(secret_copy, again)
    with sqlite3.connect(again) as c2:
        assert c2.execute("SELECT id FROM sources WHERE confidential = 1").fetchone()[0] == opaque


def test_redacted_copy_refuses_an_existing_file(secret_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "public.db"
    out.write_text("mine")
    with pytest.raises(redact.RedactFailed, match="already exists"):
        redact.redacted_copy(secret_db, out)
    assert out.read_text() == "mine" and len(list(tmp_path.iterdir())) == 1


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
