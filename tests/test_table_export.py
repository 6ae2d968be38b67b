"""A table written with its evidence (kbtui.kb.table_export): CSV in long
form, JSON with citations nested, rows without citations, rows that are
sources, cells a spreadsheet would run as formulas, and file names that
stay inside the chosen directory and never replace a file."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

import pytest

from kbtui.kb.db import IN_CHUNK, reading
from kbtui.kb.importer import import_bundle
from kbtui.kb.table_export import (
    CITATION_COLUMNS,
    ExportFailed,
    ExportRow,
    TableEvidence,
    directory_problem,
    read_evidence,
    write,
)
from tests.conftest import write_bundle

HEADER = ["claim", "name", "citations"]


def quotes_of(db: Path, claim_id: str) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [r[0] for r in conn.execute("SELECT quote FROM citations WHERE claim_id = ? ORDER BY id", (claim_id,))]


def export(db: Path, directory: Path, rows: list[ExportRow], formats=("csv", "json"), stem="t", header=HEADER):
    with reading(db) as conn:
        ev = read_evidence(conn, rows)
    return write(directory, stem, header, rows, ev, formats)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_csv_is_long_form_one_line_per_citation(mini_db: Path, tmp_path: Path) -> None:
    rows = [
        ExportRow(["patrushev-secretary", "Patrushev", 1], "patrushev-secretary"),
        ExportRow(["moscow-meeting", "Meeting", 1], "moscow-meeting"),
        ExportRow(["gone", "A claim with no citations", 0], "no-such-claim"),
        ExportRow(["note", "A row that is no claim", None]),
    ]
    written = export(mini_db, tmp_path, rows, formats=("csv",))
    assert written.rows == 4 and written.citations == 2
    lines = read_csv(written.paths[0])
    assert list(lines[0])[: len(HEADER)] == HEADER and set(CITATION_COLUMNS) <= set(lines[0])
    assert [line["claim"] for line in lines] == ["patrushev-secretary", "moscow-meeting", "gone", "note"]
    first = lines[0]
    assert first["quote"] == quotes_of(mini_db, "patrushev-secretary")[0]
    assert (first["outlet"], first["author"], first["published"]) == ("Example Times", "A. Writer", "2024-05-03")
    assert (first["source_id"], first["source_title"], first["as_of"]) == ("mini", "Spy chiefs meet", "2024-05-03")
    assert first["stance"] == "supports" and first["anchor"] in {"exact", "normalised"}
    assert int(first["quote_end"]) > int(first["quote_start"]) >= 0
    for line in lines[2:]:  # once each, the citation cells empty
        assert all(line[c] == "" for c in CITATION_COLUMNS)
    assert lines[3]["citations"] == ""  # None is an empty cell


def test_every_line_repeats_its_row(mini_db: Path, tmp_path: Path) -> None:
    """A claim with several citations is several lines, each with the row's own cells."""
    with sqlite3.connect(mini_db) as conn:
        claim, n = conn.execute(
            "SELECT claim_id, count(*) FROM citations GROUP BY claim_id ORDER BY count(*) DESC"
        ).fetchone()
    written = export(mini_db, tmp_path, [ExportRow([claim, "x", n], claim)], formats=("csv",))
    lines = read_csv(written.paths[0])
    assert len(lines) == n and all(line["claim"] == claim and line["name"] == "x" for line in lines)
    assert [line["quote"] for line in lines] == quotes_of(mini_db, claim)


def test_json_nests_citations_in_each_row(mini_db: Path, tmp_path: Path) -> None:
    rows = [
        ExportRow(["patrushev-secretary", "Patrushev", 1], "patrushev-secretary"),
        ExportRow(["gone", "none", 0], "no-such-claim"),
    ]
    written = export(mini_db, tmp_path, rows, formats=("json",))
    objects = json.loads(written.paths[0].read_text(encoding="utf-8"))
    assert [o["claim"] for o in objects] == ["patrushev-secretary", "gone"]
    assert objects[0]["name"] == "Patrushev"
    cites = objects[0]["citations"]  # the table's count of them gives way to the list
    assert [c["quote"] for c in cites] == quotes_of(mini_db, "patrushev-secretary")
    source = cites[0]["source"]
    assert source["id"] == "mini" and source["outlet"] == "Example Times" and source["published"] == "2024-05-03"
    assert {"via", "via_date", "url"} <= set(source)
    assert {"span", "anchor", "as_of", "stance", "certainty", "mode", "speaker"} <= set(cites[0])
    assert objects[1]["citations"] == []


def test_a_table_of_sources_says_what_is_known_of_each(mini_db: Path, tmp_path: Path) -> None:
    header = ["source_id", "title", "outlet", "mentions"]
    rows = [ExportRow(["mini", "Spy chiefs meet", "Example Times", 3], source_id="mini")]
    written = export(mini_db, tmp_path, rows, header=header)
    (line,) = read_csv(written.paths[0])
    assert list(line) == [*header, "author", "published", "via", "via_date", "url"]  # no column twice
    assert (line["author"], line["published"]) == ("A. Writer", "2024-05-03")
    (obj,) = json.loads(written.paths[1].read_text(encoding="utf-8"))
    assert obj["source"]["author"] == "A. Writer" and "citations" not in obj


def test_a_table_of_nothing_cited_adds_no_columns(mini_db: Path, tmp_path: Path) -> None:
    """A list of entities: rows with neither claim nor source stay as they are."""
    written = export(mini_db, tmp_path, [ExportRow(["chen-wenqing", "Chen Wenqing"])], header=["id", "name"])
    assert written.paths[0].read_text(encoding="utf-8").splitlines() == ["id,name", "chen-wenqing,Chen Wenqing"]
    assert json.loads(written.paths[1].read_text(encoding="utf-8")) == [{"id": "chen-wenqing", "name": "Chen Wenqing"}]


def test_citations_are_read_in_chunks(mini_db: Path, tmp_path: Path) -> None:
    """More rows than one IN (...) list takes: every one still gets its quotes."""
    claims = ["patrushev-secretary", "chen-head-cplac", "moscow-meeting"]
    rows = [
        ExportRow([str(i), claims[i % 3], None], claims[i % 3] if i % 2 else f"missing-{i}")
        for i in range(2 * IN_CHUNK + 7)
    ]
    with reading(mini_db) as conn:
        ev = read_evidence(conn, rows)
    for row in rows:
        if row.claim_id in claims:
            assert [c["quote"] for c in ev.citations[row.claim_id]] == quotes_of(mini_db, row.claim_id)
        else:
            assert ev.citations[row.claim_id] == []


FORMULA_SOURCES = """\
[[source]]
id = "mini"
file = "sources/mini.txt"
title = "+Spy chiefs"
outlet = "@Example Times"
published = "2024-05-03"
"""

FORMULA_KB = """\
[[entity]]
id = "someone"
kind = "person"
name = "Some One"

[[entity]]
id = "club"
kind = "organisation"
name = "Club"

[[role]]
id = "someone-club"
holder = "someone"
organisation = "club"
title = "Member"
status = "current"
cite = [{ source = "mini", quote = "=HYPERLINK(\\"http://x.test\\") joined the club" }]
"""

FORMULA_TEXT = 'Minutes.\n=HYPERLINK("http://x.test") joined the club.\n'


def test_cells_that_look_like_formulas_are_inert_in_csv_only(tmp_path: Path) -> None:
    db = tmp_path / "f.db"
    import_bundle(write_bundle(tmp_path / "bundle", FORMULA_KB, FORMULA_SOURCES, FORMULA_TEXT), db)
    rows = [ExportRow(["=1+1", "-2", 3, "@SUM(A1)", "\tx", "plain"], "someone-club")]
    header = ["a", "b", "c", "d", "e", "f"]
    written = export(db, tmp_path, rows, header=header)
    with written.paths[0].open(encoding="utf-8", newline="") as fh:
        head, line = list(csv.reader(fh))
    cells = dict(zip(head, line, strict=True))
    assert [cells[k] for k in header] == ["'=1+1", "'-2", "3", "'@SUM(A1)", "'\tx", "plain"]
    assert cells["quote"] == "'" + '=HYPERLINK("http://x.test") joined the club'
    assert cells["outlet"] == "'@Example Times" and cells["source_title"] == "'+Spy chiefs"
    (obj,) = json.loads(written.paths[1].read_text(encoding="utf-8"))  # JSON keeps the values as stored
    assert obj["a"] == "=1+1" and obj["citations"][0]["quote"].startswith("=HYPERLINK")


def test_a_table_column_named_like_an_evidence_column_keeps_both(mini_db: Path, tmp_path: Path) -> None:
    header = ["quote", "outlet"]
    written = export(
        mini_db, tmp_path, [ExportRow(["mine", "ours"], "patrushev-secretary")], formats=("csv",), header=header
    )
    (line,) = read_csv(written.paths[0])
    assert (line["quote"], line["outlet"]) == ("mine", "ours")
    assert line["citation_outlet"] == "Example Times" and line["citation_quote"]


def test_file_names_stay_inside_and_never_overwrite(mini_db: Path, tmp_path: Path) -> None:
    inside = tmp_path / "inside"
    inside.mkdir()
    rows = [ExportRow(["patrushev-secretary", "P", 1], "patrushev-secretary")]
    first = export(mini_db, inside, rows, stem="../../x")
    assert [p.name for p in first.paths] == ["x.csv", "x.json"]
    assert all(p.parent == inside.resolve() for p in first.paths)
    before = first.paths[0].read_bytes()
    second = export(mini_db, inside, rows, stem="../../x", formats=("csv",))
    assert second.paths[0].name == "x-2.csv" and first.paths[0].read_bytes() == before
    # both formats share one stem: x-2.json is free, but x-2.csv is taken
    third = export(mini_db, inside, rows, stem="../../x")
    assert [p.name for p in third.paths] == ["x-3.csv", "x-3.json"]
    assert not list(tmp_path.glob("x*")) and not list(tmp_path.parent.glob("x.*"))


def test_a_write_that_fails_leaves_no_file_and_says_where(tmp_path: Path) -> None:
    target = tmp_path / "gone"
    target.mkdir()
    ev = TableEvidence({}, {})
    target.rmdir()  # the directory went away after it was chosen
    with pytest.raises(ExportFailed) as failed:
        write(target, "t", ["a"], [ExportRow(["1"])], ev, ("csv",))
    assert "Could not write" in failed.value.message and "gone" in failed.value.message
    assert not target.exists()


def test_directory_problems_say_what_where_and_what_to_do(tmp_path: Path) -> None:
    assert directory_problem(tmp_path) is None
    missing = directory_problem(tmp_path / "nope")
    assert missing is not None and "no directory" in missing and "nope" in missing and "Create it" in missing
    file = tmp_path / "f.txt"
    file.write_text("x")
    said = directory_problem(file)
    assert said is not None and "is a file" in said


def test_an_unknown_format_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        write(tmp_path, "t", ["a"], [], TableEvidence({}, {}), ("xlsx",))
    assert list(tmp_path.iterdir()) == []
