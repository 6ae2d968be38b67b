"""`kbtui export --format ftm` and its return through `kbtui import`.

The round trip keeps every entity (same ids), claim, property and
citation (source, quote, span, stance, certainty, mode, speaker, as-of),
and cites each claim to the source it was cited to, never to an exported
record. Proved on the sample, on a sample made to hold the rarer things
(an earlier version of a text and a citation into it, a redirect, a
speaker, a relayed source, a disputed alias, a role at no organisation, a
sanction), and on a generated 10k KB.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from benchmarks.generate import generate
from kbtui.cli.commands import main
from kbtui.kb import check
from kbtui.kb.errors import KBError
from kbtui.kb.exporting import export
from kbtui.kb.ftm import import_ftm

# every row of what the round trip keeps (input ownership is the importing
# KB's). An uncited alias that is its entity's own name adds nothing, and
# no import stores one (the generated KB has some).
KEPT = {
    "entities": "SELECT id, kind, name, summary FROM entities",
    "aliases": "SELECT a.entity_id, a.alias, a.kind, a.as_of, a.claim_id FROM aliases a"
    " JOIN entities e ON e.id = a.entity_id WHERE a.claim_id IS NOT NULL OR a.alias != e.name",
    "claims": "SELECT id, kind, disputed, note FROM claims",
    "roles": 'SELECT claim_id, holder_id, organisation_id, title, start, "end", status FROM roles',
    "relations": 'SELECT claim_id, type, subject_id, object_id, start, "end", label, share, amount, currency,'
    " program FROM relations",
    "events": 'SELECT entity_id, claim_id, type, start, "end", place_id FROM events',
    "participations": "SELECT claim_id, event_id, entity_id, capacity FROM participations",
    "properties": "SELECT claim_id, entity_id, property, value, qualifier FROM properties",
    "citations": 'SELECT id, claim_id, source_id, quote, prefix, suffix, start, "end", anchor, as_of, as_of_note,'
    " stance, certainty, mode, speaker_id, speaker, version FROM citations",
    "source_versions": "SELECT * FROM source_versions",
    "redirects": "SELECT old_id, new_id FROM redirects",
}


def rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    conn = sqlite3.connect(path)
    try:
        out = {table: sorted(conn.execute(sql).fetchall(), key=repr) for table, sql in KEPT.items()}
        cur = conn.execute("SELECT * FROM sources")
        columns = [d[0] for d in cur.description]
        out["sources"] = sorted(
            (tuple(v for c, v in zip(columns, r, strict=True) if c != "input_id") for r in cur), key=repr
        )
    finally:
        conn.close()
    return out


def round_trip(kb: Path, tmp_path: Path) -> tuple[Path, Path]:
    """export(kb) imported into a new KB: (the export, the new KB)."""
    exported = tmp_path / "kb.ftm.json"
    export(kb, "ftm", exported)
    back = tmp_path / "back.db"
    import_ftm(exported, back)
    return exported, back


def assert_kept(kb: Path, back: Path) -> None:
    before, after = rows(kb), rows(back)
    for table in before:
        assert after[table] == before[table], table
    conn = sqlite3.connect(back)
    try:
        findings, _ = check.run(conn)
        assert findings == []
    finally:
        conn.close()


def test_the_sample_comes_back_whole(sample_db: Path, tmp_path: Path) -> None:
    exported, back = round_trip(sample_db, tmp_path)
    assert_kept(sample_db, back)
    conn = sqlite3.connect(back)
    try:
        # the claims are cited to the articles, not to records of the export
        assert conn.execute("SELECT DISTINCT format FROM sources").fetchall() == [("text",)]
        cited = {r[0] for r in conn.execute("SELECT DISTINCT source_id FROM citations")}
        assert cited == {r[0] for r in sqlite3.connect(sample_db).execute("SELECT id FROM sources")}
        # Chen Wenqing leads the commission, cited to the very quote it was
        quote = conn.execute(
            "SELECT c.quote, c.source_id FROM roles r JOIN citations c ON c.claim_id = r.claim_id"
            " WHERE r.holder_id = 'chen-wenqing'"
            " AND r.organisation_id = 'central-political-and-legal-affairs-commission'"
            " ORDER BY c.id LIMIT 1"
        ).fetchone()
    finally:
        conn.close()
    assert quote is not None and "Chen" in quote[0]
    # exported again, the same file: nothing drifted on the way
    again = tmp_path / "again.ftm.json"
    export(back, "ftm", again)
    assert again.read_bytes() == exported.read_bytes()


def enrich(path: Path) -> None:
    """Give the sample the things it lacks, the way kbtui stores them."""
    conn = sqlite3.connect(path)
    text = conn.execute("SELECT text FROM sources WHERE id = 'nr-chen-russia-trip'").fetchone()[0]
    old = "An earlier text. Chen Wenqing went to Russia for eight days."
    at = old.index("Chen Wenqing went")
    digest = hashlib.sha256(old.encode("utf-8")).hexdigest()
    with conn:
        conn.execute(
            "INSERT INTO source_versions (source_id, version, text, sha256, retrieved, replaced)"
            " VALUES ('nr-chen-russia-trip', 1, ?, ?, '2024-05-03T10:00:00Z', '2024-05-04T09:00:00Z')",
            (old, digest),
        )
        conn.execute(
            "UPDATE sources SET version = 2, archive_url = 'https://archive.example/x' WHERE id = ?",
            ("nr-chen-russia-trip",),
        )
        claim = conn.execute("SELECT entity_id FROM events WHERE entity_id = 'chen-russia-trip-2024'").fetchone()[0]
        conn.execute(
            'INSERT INTO citations (claim_id, source_id, quote, start, "end", anchor, version, as_of_note)'
            " VALUES (?, 'nr-chen-russia-trip', ?, ?, ?, 'orphaned', 1, 'the text changed')",
            (claim, "Chen Wenqing went to Russia", at, at + len("Chen Wenqing went to Russia")),
        )
        conn.execute("INSERT INTO redirects VALUES ('chen-wen-qing', 'chen-wenqing')")
        conn.execute(
            "UPDATE citations SET speaker_id = 'nikolai-patrushev', speaker = 'Patrushev, at the meeting',"
            " stance = 'qualifies', certainty = 'likely', mode = 'predicts'"
            # (a claim another citation asserts: one only predicted is not evidence)
            " WHERE id = (SELECT min(id) FROM citations c WHERE c.stance = 'supports' AND c.mode = 'asserts'"
            " AND (SELECT count(*) FROM citations d WHERE d.claim_id = c.claim_id AND d.mode = 'asserts') > 1)"
        )
        conn.execute("UPDATE sources SET relays = 'nr-chen-russia-trip' WHERE id = 'examiner-spy-chiefs-moscow'")
        conn.execute(
            "UPDATE claims SET disputed = 'the source misspells it', note = 'kept as written'"
            " WHERE id = (SELECT min(claim_id) FROM aliases WHERE claim_id IS NOT NULL)"
        )
        # a role at no organisation, and a sanction, each cited
        quote = "security chief"
        start = text.index(quote)
        for claim_id, kind in (("chen-spy-chief", "role"), ("us-sanctions-chen", "relation")):
            conn.execute("INSERT INTO claims (id, kind, disputed) VALUES (?, ?, NULL)", (claim_id, kind))
            conn.execute(
                'INSERT INTO citations (claim_id, source_id, quote, start, "end", as_of) VALUES (?, ?, ?, ?, ?, ?)',
                (claim_id, "nr-chen-russia-trip", quote, start, start + len(quote), "2024-05-03"),
            )
        conn.execute(
            "INSERT INTO roles (claim_id, holder_id, organisation_id, title, start, status)"
            " VALUES ('chen-spy-chief', 'chen-wenqing', NULL, 'Security chief', '2022-10', 'current')"
        )
        conn.execute(
            "INSERT INTO relations (claim_id, type, subject_id, object_id, start, program, amount, currency)"
            " VALUES ('us-sanctions-chen', 'sanctioned', 'united-states', 'chen-wenqing', '2024', 'CHINA-EO13936',"
            " 'about 5 million', 'USD')"
        )
    conn.close()


def test_what_the_sample_lacks_comes_back_too(sample_copy: Path, tmp_path: Path) -> None:
    enrich(sample_copy)
    conn = sqlite3.connect(sample_copy)
    try:
        findings, _ = check.run(conn)
    finally:
        conn.close()
    assert findings == []  # a KB kbtui could have made
    exported, back = round_trip(sample_copy, tmp_path)
    assert_kept(sample_copy, back)
    records = [json.loads(line) for line in exported.read_text(encoding="utf-8").splitlines()]
    by_id = {r["id"]: r for r in records}
    # FtM's own ways of saying it: a merged id is a referent, an earlier
    # text its own Document, a post a Position, a sanction a Sanction
    assert by_id["chen-wenqing"]["referents"] == ["chen-wen-qing"]
    assert by_id["source.nr-chen-russia-trip.v1"]["properties"]["bodyText"] == [
        "An earlier text. Chen Wenqing went to Russia for eight days."
    ]
    occupancy = by_id["claim.chen-spy-chief"]
    assert occupancy["schema"] == "Occupancy"
    assert by_id[occupancy["properties"]["post"][0]]["properties"]["name"] == ["Security chief"]
    sanction = by_id["claim.us-sanctions-chen"]
    assert sanction["schema"] == "Sanction" and sanction["properties"]["entity"] == ["chen-wenqing"]
    assert "amount" not in sanction["properties"]  # "about 5 million" is no FtM number: kept in the member only


def test_a_generated_10k_kb_comes_back_whole(tmp_path: Path) -> None:
    kb = tmp_path / "kb10k.db"
    generate(10_000, kb)
    _, back = round_trip(kb, tmp_path)
    assert_kept(kb, back)


# FtM's own rules (followthemoney 4.11's model, checked by hand with
# benchmarks/validate_ftm.py): required properties, and the schemata an
# entity-valued property may point at
REQUIRED = {
    "Document": {"fileName"},
    "Documentation": {"document", "entity"},
    "Directorship": {"director", "organization"},
    "Membership": {"member", "organization"},
    "Employment": {"employee", "employer"},
    "Occupancy": {"holder", "post"},
    "Ownership": {"owner", "asset"},
    "Family": {"person", "relative"},
    "Associate": {"person", "associate"},
    "Representation": {"agent", "client"},
    "Payment": {"payer", "beneficiary"},
    "Sanction": {"entity"},
    "UnknownLink": {"subject", "object"},
    "Event": {"name"},
}
THINGS = {"Person", "Organization", "PublicBody", "LegalEntity", "Address", "Event", "Asset", "Position"}
LEGAL = {"Person", "Organization", "PublicBody", "LegalEntity"}
RANGE = {
    "document": {"Document"},
    "entity": THINGS,
    "director": LEGAL,
    "member": LEGAL,
    "employee": {"Person"},
    "holder": {"Person"},
    "organization": {"Organization", "PublicBody"},
    "employer": {"Organization", "PublicBody"},
    "post": {"Position"},
    "subject": THINGS,
    "object": THINGS,
    "involved": LEGAL,
    "addressEntity": {"Address"},
    "owner": LEGAL,
    "asset": {"Asset"},
    "person": {"Person"},
    "relative": {"Person"},
    "associate": {"Person"},
    "agent": LEGAL,
    "client": LEGAL,
    "payer": LEGAL,
    "beneficiary": LEGAL,
}


def test_the_export_keeps_ftm_rules(sample_copy: Path, tmp_path: Path) -> None:
    enrich(sample_copy)
    out = tmp_path / "kb.ftm.json"
    export(sample_copy, "ftm", out)
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    schema_of = {r["id"]: r["schema"] for r in records}
    assert len(schema_of) == len(records)  # ids are unique
    for r in records:
        assert set(r) <= {"id", "schema", "properties", "referents", "kbtui"}
        assert all(isinstance(v, list) and all(isinstance(x, str) and x for x in v) for v in r["properties"].values())
        assert REQUIRED.get(r["schema"], set()) <= set(r["properties"]), r["id"]
        for prop, allowed in RANGE.items():
            for target in r["properties"].get(prop, []) if r["schema"] not in ("Document",) else []:
                assert schema_of.get(target) in allowed, (r["id"], prop, target)


def test_the_cli_writes_it_and_the_same_kb_gives_the_same_bytes(sample_db: Path, tmp_path: Path) -> None:
    first = CliRunner().invoke(main, ["--db", str(sample_db), "export", "--format", "ftm", "--out", "-"])
    second = CliRunner().invoke(main, ["--db", str(sample_db), "export", "--format", "ftm", "--out", "-"])
    assert first.exit_code == second.exit_code == 0, first.output
    assert first.stdout == second.stdout and first.stdout.count("\n") > 400
    done = CliRunner().invoke(
        main, ["--db", str(sample_db), "export", "--format", "ftm", "--out", str(tmp_path / "kb.ftm.json"), "--json"]
    )
    assert done.exit_code == 0, done.output
    counts = json.loads(done.stdout)["counts"]
    conn = sqlite3.connect(sample_db)
    assert counts["citations"] == conn.execute("SELECT count(*) FROM citations").fetchone()[0]
    assert counts["sources"] == conn.execute("SELECT count(*) FROM sources").fetchone()[0]


def edited(exported: Path, change: Any) -> Path:
    """The export with one record changed by `change(record) -> record`."""
    lines = []
    for line in exported.read_text(encoding="utf-8").splitlines():
        lines.append(json.dumps(change(json.loads(line)), ensure_ascii=False))
    out = exported.with_name("edited.ftm.json")
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def _first_citation(r: dict[str, Any], edit: Any) -> dict[str, Any]:
    if r["id"] == "cite.1":
        edit(r)
    return r


@pytest.mark.parametrize(
    ("edit", "said"),
    [
        (lambda r: r["properties"].update(summary=["words the source never held"]), "its quote is not what"),
        (lambda r: r["kbtui"].update(stance="agrees"), "`kbtui.stance` is 'agrees'"),
        (lambda r: r["kbtui"].update(start="12"), "`kbtui.start` is not a whole number"),
        (lambda r: r["kbtui"].update(claim="no-such-claim"), "not in the record before it"),
        (lambda r: r["properties"].update(document=["source.../../etc"]), "is not a source of this export"),
        (lambda r: r["kbtui"].update(speaker_id="Not An Id"), "is not a kbtui id"),
    ],
)
def test_an_edited_export_is_refused_whole(sample_db: Path, tmp_path: Path, edit: Any, said: str) -> None:
    exported = tmp_path / "kb.ftm.json"
    export(sample_db, "ftm", exported)
    bad = edited(exported, lambda r: _first_citation(r, edit))
    target = tmp_path / "kb.db"
    shutil.copy(sample_db, target)
    before = target.read_bytes()
    r = CliRunner().invoke(main, ["--db", str(target), "import", str(bad)])
    assert r.exit_code != 0
    assert said in r.output and "Traceback" not in r.output
    assert "nothing was written" in r.output
    assert target.read_bytes() == before


def test_a_referent_that_is_an_entity_is_refused(sample_db: Path, tmp_path: Path) -> None:
    exported = tmp_path / "kb.ftm.json"
    export(sample_db, "ftm", exported)

    def merge_into_chen(r: dict[str, Any]) -> dict[str, Any]:
        if r["id"] == "chen-wenqing":
            r["referents"] = ["nikolai-patrushev"]
        return r

    with pytest.raises(KBError, match="`nikolai-patrushev` is an entity of the KB"):
        import_ftm(edited(exported, merge_into_chen), tmp_path / "new.db")
    assert not (tmp_path / "new.db").exists()
