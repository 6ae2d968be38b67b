"""`kbtui export --format annotations`: one W3C Web Annotation per citation,
whose selectors read the text they point into (an older version's for a
citation pinned there), streamed, the same bytes for the same KB, valid
JSON whatever the texts hold."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kbtui.cli import main
from kbtui.kb import export_annotations
from kbtui.kb.exporting import export
from kbtui.kb.importer import import_bundle
from kbtui.kb.queries import claim_summary
from tests.conftest import MINI_KB, MINI_SOURCES, MINI_TEXT, write_bundle

ANNO = "http://www.w3.org/ns/anno.jsonld"


def exported(db: Path, path: Path) -> dict[str, Any]:
    export(db, "annotations", path)
    return json.loads(path.read_text(encoding="utf-8"))


def items(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return doc["first"]["items"]


def texts(db: Path) -> dict[tuple[str, int], str]:
    """Every text of every source, by (source, version)."""
    conn = sqlite3.connect(db)
    try:
        found = {(s, v): t for s, v, t in conn.execute("SELECT id, version, text FROM sources")}
        found.update(((s, v), t) for s, v, t in conn.execute("SELECT source_id, version, text FROM source_versions"))
    finally:
        conn.close()
    return found


def selectors(item: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    by_type = {s["type"]: s for s in item["target"]["selector"]}
    return by_type["TextQuoteSelector"], by_type["TextPositionSelector"]


def assert_selectors_read_their_text(doc: dict[str, Any], db: Path) -> None:
    every = texts(db)
    for item in items(doc):
        target = item["target"]
        text = every[(target["kbtui:source"], target["kbtui:version"])]
        quote, position = selectors(item)
        start, end = position["start"], position["end"]
        assert text[start:end] == quote["exact"], item["id"]
        assert quote.get("prefix", "") == text[max(0, start - 32) : start]
        assert quote.get("suffix", "") == text[end : end + 32]
        assert target["kbtui:matches"] is True


def test_one_annotation_per_citation_in_a_collection(sample_db: Path, tmp_path: Path) -> None:
    doc = exported(sample_db, tmp_path / "kb.jsonld")
    conn = sqlite3.connect(sample_db)
    (n,) = conn.execute("SELECT count(*) FROM citations").fetchone()
    conn.close()
    assert doc["@context"][0] == ANNO and doc["@context"][1] == {"kbtui": "urn:kbtui:vocab#"}
    assert doc["type"] == "AnnotationCollection" and doc["first"]["type"] == "AnnotationPage"
    assert doc["total"] == len(items(doc)) == n > 0
    assert len({i["id"] for i in items(doc)}) == n
    for item in items(doc):
        assert item["id"].startswith("urn:kbtui:citation:") and item["type"] == "Annotation"
        assert item["motivation"] == "describing"
        assert sorted(s["type"] for s in item["target"]["selector"]) == ["TextPositionSelector", "TextQuoteSelector"]
        assert item["target"]["source"] == f"urn:kbtui:source:{item['target']['kbtui:source']}"  # no urls in the sample
        body = item["body"]
        assert body["type"] == "TextualBody" and body["purpose"] == "describing" and body["value"]
        assert {"kbtui:claim", "kbtui:claimKind", "kbtui:stance", "kbtui:certainty", "kbtui:mode"} <= set(body)


def test_every_selector_reads_its_source_text(sample_db: Path, tmp_path: Path) -> None:
    assert_selectors_read_their_text(exported(sample_db, tmp_path / "kb.jsonld"), sample_db)


def test_the_claim_in_words_is_claim_summary(sample_db: Path, tmp_path: Path) -> None:
    doc = exported(sample_db, tmp_path / "kb.jsonld")
    conn = sqlite3.connect(sample_db)
    conn.row_factory = sqlite3.Row
    try:
        for item in items(doc):
            assert item["body"]["value"] == claim_summary(conn, item["body"]["kbtui:claim"])
    finally:
        conn.close()
    kinds = {i["body"]["kbtui:claimKind"] for i in items(doc)}
    assert {"role", "relation", "event", "participation", "property"} <= kinds


def test_two_exports_are_the_same_bytes_whatever_the_batch(
    sample_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    export(sample_db, "annotations", tmp_path / "a.jsonld")
    export(sample_db, "annotations", tmp_path / "b.jsonld")
    monkeypatch.setattr(export_annotations, "FETCH", 7)  # many batches, sources split across them
    export(sample_db, "annotations", tmp_path / "c.jsonld")
    first = (tmp_path / "a.jsonld").read_bytes()
    assert first == (tmp_path / "b.jsonld").read_bytes() == (tmp_path / "c.jsonld").read_bytes()


def test_each_source_text_is_read_once(sample_db: Path) -> None:
    conn = sqlite3.connect(sample_db)
    reads: list[str] = []
    conn.set_trace_callback(lambda sql: reads.append(sql) if "FROM sources WHERE" in sql else None)

    class Sink:
        def write(self, s: str) -> int:
            return len(s)

    try:
        counts = export_annotations.write(conn, Sink())  # type: ignore[arg-type]
        (cited,) = conn.execute("SELECT count(DISTINCT source_id) FROM citations").fetchone()
    finally:
        conn.close()
    assert len(reads) == counts["sources"] == cited


OLD = "Moscow, Monday.\nChen Wenqing was appointed head of the commission in 2022.\n"
PINNED = "appointed head of the commission in 2022"


def test_a_citation_in_an_older_version_points_into_that_version(tmp_path: Path) -> None:
    sources = MINI_SOURCES + 'versions = [{ file = "sources/mini.v1.txt" }]\n'
    kb = (
        MINI_KB
        + """
[[role]]
id = "chen-appointed"
holder = "chen-wenqing"
organisation = "cplac"
title = "Head"
cite = [{ source = "mini", quote = "appointed head of the commission in 2022", version = 1 }]
"""
    )
    bundle = write_bundle(tmp_path / "bundle", kb=kb, sources=sources)
    (bundle / "sources" / "mini.v1.txt").write_text(OLD, encoding="utf-8")
    db = tmp_path / "kb.db"
    import_bundle(bundle, db)
    doc = exported(db, tmp_path / "kb.jsonld")
    assert_selectors_read_their_text(doc, db)
    (pinned,) = [i for i in items(doc) if i["body"]["kbtui:claim"] == "chen-appointed"]
    target = pinned["target"]
    assert target["kbtui:version"] == 1 and target["kbtui:latestVersion"] == 2
    quote, position = selectors(pinned)
    assert OLD[position["start"] : position["end"]] == quote["exact"] == PINNED
    assert MINI_TEXT[position["start"] : position["end"]] != PINNED  # the current text would be the wrong one
    assert quote["prefix"] == OLD[max(0, position["start"] - 32) : position["start"]]
    others = [i for i in items(doc) if i is not pinned]
    assert others and all(
        i["target"]["kbtui:version"] == 2 and "kbtui:latestVersion" not in i["target"] for i in others
    )


def test_a_citation_out_of_date_is_kept_and_flagged(sample_copy: Path, tmp_path: Path) -> None:
    conn = sqlite3.connect(sample_copy)
    with conn:
        cid, start, end = conn.execute('SELECT id, start, "end" FROM citations ORDER BY id LIMIT 1').fetchone()
        conn.execute("UPDATE citations SET quote = 'words the text never said' WHERE id = ?", (cid,))
    conn.close()
    path = tmp_path / "kb.jsonld"
    done = export(sample_copy, "annotations", path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert done.counts["mismatched"] == 1
    (stale,) = [i for i in items(doc) if not i["target"]["kbtui:matches"]]
    assert stale["id"] == f"urn:kbtui:citation:{cid}"
    quote, position = selectors(stale)
    assert quote["exact"] == "words the text never said" and (position["start"], position["end"]) == (start, end)
    text = texts(sample_copy)[(stale["target"]["kbtui:source"], stale["target"]["kbtui:version"])]
    assert stale["target"]["kbtui:reads"] == text[start:end] != quote["exact"]


HOSTILE = 'He said "no"\n\t</script><script>alert(1)</script> \u202eevil\u202c \U0001f600 back\\slash \x00 nul\r\n'


def test_hostile_text_stays_valid_json(mini_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "hostile.db"
    shutil.copy(mini_db, db)
    conn = sqlite3.connect(db)
    with conn:
        sha = hashlib.sha256(HOSTILE.encode()).hexdigest()
        conn.execute(
            "INSERT INTO sources (id, title, url, text, sha256) VALUES ('evil', ?, ?, ?, ?)",
            ('"</script>\u202e', 'https://example.test/"a"\n</script>', HOSTILE, sha),
        )
        conn.execute(
            "INSERT INTO entities (id, kind, name) VALUES ('odd', 'person', ?)", ('Odd "\u202e\x00\U0001f600',)
        )
        conn.execute("INSERT INTO claims (id, kind) VALUES ('odd-name', 'property')")
        conn.execute(
            "INSERT INTO properties (claim_id, entity_id, property, value) VALUES ('odd-name', 'odd', 'name', ?)",
            ("</script>\n",),
        )
        start = HOSTILE.index("</script>")
        conn.execute(
            'INSERT INTO citations (claim_id, source_id, quote, start, "end", speaker) VALUES (?, ?, ?, ?, ?, ?)',
            ("odd-name", "evil", HOSTILE[start:], start, len(HOSTILE), "\x00\u202e"),
        )
    conn.close()
    path = tmp_path / "kb.jsonld"
    export(db, "annotations", path)
    raw = path.read_bytes().decode("utf-8")
    doc = json.loads(raw)  # strict: a raw control character in a string would fail here
    (evil,) = [i for i in items(doc) if i["target"]["kbtui:source"] == "evil"]
    quote, position = selectors(evil)
    assert quote["exact"] == HOSTILE[position["start"] : position["end"]] and "\x00" in quote["exact"]
    assert evil["target"]["source"] == 'https://example.test/"a"\n</script>'
    assert evil["target"]["kbtui:title"] == '"</script>\u202e'
    assert evil["body"]["value"] == 'Odd "\u202e\x00\U0001f600: name </script>\n'
    assert evil["body"]["kbtui:speakerName"] == "\x00\u202e"
    assert_selectors_read_their_text(doc, db)


def test_out_dash_writes_the_same_json_to_stdout(sample_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "kb.jsonld"
    export(sample_db, "annotations", path)
    r = CliRunner().invoke(main, ["--db", str(sample_db), "export", "--format", "annotations", "--out", "-"])
    assert r.exit_code == 0, r.output
    assert r.stdout_bytes == path.read_bytes()


def test_an_existing_out_is_refused_without_force(sample_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "kb.jsonld"
    path.write_text("keep me", encoding="utf-8")
    args = ["--db", str(sample_db), "export", "--format", "annotations", "--out", str(path)]
    r = CliRunner().invoke(main, args)
    assert r.exit_code == 1 and len(r.output.strip().splitlines()) == 1 and "already exists" in r.output
    assert path.read_text(encoding="utf-8") == "keep me"
    r = CliRunner().invoke(main, [*args, "--force", "--json"])
    assert r.exit_code == 0, r.output
    counts = json.loads(r.stdout)["counts"]
    assert counts["annotations"] == len(items(json.loads(path.read_text(encoding="utf-8")))) > 0
