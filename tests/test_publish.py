"""`kbtui publish`: the Datasette metadata it writes describes the whole
schema, its canned queries are the README's SQL examples and run, and
Datasette itself (in process, no network) serves the sample with it."""

from __future__ import annotations

import errno
import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kbtui.cli import main
from kbtui.kb import db, publish
from kbtui.kb.paths import PACKAGE_DIR, schema_path

README = (PACKAGE_DIR.parent / "README.md").read_text(encoding="utf-8")


def run(db_path: Path, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, ["--db", str(db_path), "publish", *args], catch_exceptions=False)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def build(kb: Path) -> dict[str, Any]:
    conn = db.connect_readonly(kb)
    try:
        return publish.metadata(conn, publish.database_name(kb))
    finally:
        conn.close()


def columns(kb: Path) -> dict[str, list[str]]:
    """Every table's and view's columns in `kb`, SQLite's own tables aside."""
    conn = sqlite3.connect(kb)
    try:
        names = [n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")]
        return {
            n: [r[1] for r in conn.execute("SELECT * FROM pragma_table_info(?)", (n,))]
            for n in names
            if not n.startswith("sqlite_")
        }
    finally:
        conn.close()


def sql_value(literal: str) -> str:
    """A quoted SQL string literal's value ('china' -> china)."""
    assert literal.startswith("'") and literal.endswith("'"), literal
    return literal[1:-1].replace("''", "'")


# -- the metadata -------------------------------------------------------------------


def test_every_table_and_view_of_the_schema_has_a_description() -> None:
    schema = schema_path().read_text(encoding="utf-8")
    declared = set(re.findall(r"CREATE (?:VIRTUAL )?(?:TABLE|VIEW) (\w+)", schema))
    assert declared, "schema.sql declares no tables?"
    missing = declared - set(publish.DESCRIPTIONS)
    assert not missing, f"describe these in kbtui/kb/publish.py DESCRIPTIONS: {sorted(missing)}"
    stale = set(publish.DESCRIPTIONS) - declared
    assert not stale, f"DESCRIPTIONS names what schema.sql no longer has: {sorted(stale)}"
    assert all(text.strip() for text in publish.DESCRIPTIONS.values())


def test_every_table_and_view_in_the_kb_is_described(sample_db: Path) -> None:
    meta = build(sample_db)
    tables = meta["databases"]["sample"]["tables"]
    assert set(tables) == set(columns(sample_db))
    for name, entry in tables.items():
        assert entry["description"] and "does not describe" not in entry["description"], name
    # the FTS5 shadow tables are described by rule and, with the search index, hidden
    assert "sources_fts" in tables["sources_fts_data"]["description"]
    assert tables["names_fts_idx"]["hidden"] and tables["name_grams"]["hidden"]
    assert not tables["entities"].get("hidden") and not tables["v_roles"].get("hidden")
    assert meta["title"] and meta["databases"]["sample"]["description"]


def test_facets_labels_sorts_and_described_columns_exist(sample_db: Path) -> None:
    """Checked against the mappings themselves, not the built file (which
    drops a column the KB lacks): a misspelt column fails here."""
    have = columns(sample_db)
    for name, facets in publish.FACETS.items():
        assert set(facets) <= set(have[name]), name
    for name, described in publish.COLUMNS.items():
        assert set(described) <= set(have[name]), name
    for name, label in publish.LABELS.items():
        assert label in have[name], name
    for name, unsortable in publish.UNSORTABLE.items():
        assert unsortable <= set(have[name]), name
    for name, sort in publish.SORT_DESC.items():
        assert sort in have[name], name
    assert set(publish.HIDDEN) <= set(have)
    # the facets: kind on entities, type on relations, status on roles
    assert "kind" in publish.FACETS["entities"] and "kind" in publish.FACETS["claims"]
    assert "type" in publish.FACETS["relations"] and "type" in publish.FACETS["v_relations"]
    assert "status" in publish.FACETS["roles"] and "status" in publish.FACETS["v_roles"]


def test_every_column_of_the_views_is_described(sample_db: Path) -> None:
    for name, cols in columns(sample_db).items():
        if name.startswith("v_"):
            missing = set(cols) - set(publish.COLUMNS[name])
            assert not missing, f"describe {name}'s {sorted(missing)} in kbtui/kb/publish.py COLUMNS"
            assert set(publish.COLUMNS[name]) <= set(cols), name


def test_canned_queries_are_the_readme_sql_examples() -> None:
    """Each ```sql block of the README's "SQL" section, in order, is a
    canned query's SQL with each :param put back as the README's literal."""
    section = README.split("\n## SQL\n", 1)[1].split("\n## ", 1)[0]
    examples = [block.strip() for block in re.findall(r"```sql\n(.*?)```", section, flags=re.S)]
    assert len(examples) >= 10
    assert [q.as_readme() for q in publish.QUERIES] == examples
    names = [q.name for q in publish.QUERIES]
    assert len(set(names)) == len(names) and all(re.fullmatch(r"[a-z_]+", n) for n in names)
    for q in publish.QUERIES:
        assert q.title and q.description, q.name
        for param in q.params:
            assert re.search(rf":{param}\b", q.sql), (q.name, param)


@pytest.mark.parametrize("query", publish.QUERIES, ids=lambda q: q.name)
def test_every_canned_query_runs_on_the_sample(sample_db: Path, query: publish.Canned) -> None:
    conn = sqlite3.connect(f"file:{sample_db}?mode=ro", uri=True)
    try:
        conn.execute(query.sql, {p: sql_value(lit) for p, lit in query.params.items()}).fetchall()
    finally:
        conn.close()


def test_the_data_layer_does_not_import_datasette() -> None:
    code = "import sys, kbtui.kb.publish; sys.exit('datasette' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


# -- Datasette serves it --------------------------------------------------------------


async def test_datasette_serves_the_sample_with_the_metadata(sample_db: Path, tmp_path: Path) -> None:
    from datasette.app import Datasette

    out = tmp_path / "metadata.json"
    assert run(sample_db, "--out", str(out)).exit_code == 0
    ds = Datasette(immutables=[str(sample_db)], metadata=json.loads(out.read_text(encoding="utf-8")))
    await ds.invoke_startup()

    r = await ds.client.get("/sample/roles_last_attested.json?_shape=array")
    assert r.status_code == 200, r.text
    chen = {row["organisation"] for row in r.json() if row["holder"] == "Chen Wenqing"}
    assert "Central Political and Legal Affairs Commission" in chen

    r = await ds.client.get("/sample/officials_of_a_country.json?_shape=array&country=china")
    assert r.status_code == 200, r.text
    assert "Chen Wenqing" in {row["entity"] for row in r.json()}

    # the facets of the metadata are computed on the table page
    r = await ds.client.get("/sample/v_roles.json")
    assert r.status_code == 200 and "status" in r.json()["facet_results"]
    r = await ds.client.get("/sample/entities.json")
    assert "kind" in r.json()["facet_results"]

    # every canned query is listed and answers
    r = await ds.client.get("/sample.json")
    assert [q["name"] for q in r.json()["queries"]] == [q.name for q in publish.QUERIES]
    for q in publish.QUERIES:
        r = await ds.client.get(f"/sample/{q.name}.json")
        assert r.status_code == 200, (q.name, r.text)

    # read-only: a write is refused, the file untouched
    r = await ds.client.get("/sample.json?sql=DELETE+FROM+log")
    assert r.status_code == 400
    assert not sample_db.with_name("sample.db-journal").exists()


# -- the command ------------------------------------------------------------------------


def test_publish_writes_valid_json_and_says_how_to_serve_it(sample_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "metadata.json"
    r = run(sample_db, "--out", str(out))
    assert r.exit_code == 0, r.output
    assert json.loads(out.read_text(encoding="utf-8"))["databases"]["sample"]["queries"]
    assert "pip install 'datasette>=0.65.1,<1.0'" in r.stdout
    assert f"datasette -i {sample_db} -m {out}" in r.stdout
    assert leftovers(tmp_path) == []


def test_publish_json_output(sample_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "m.json"
    r = run(sample_db, "--out", str(out), "--json")
    assert r.exit_code == 0, r.output
    done = json.loads(r.stdout)
    assert done["path"] == str(out) and done["database"] == "sample"
    assert done["bytes"] == out.stat().st_size
    assert done["counts"]["views"] == 7 and done["counts"]["queries"] == len(publish.QUERIES)
    assert done["commands"][1] == f"datasette -i {sample_db} -m {out}"
    assert done["confidential"] == 0 and "confidential" not in r.stderr


def test_confidential_sources_are_warned_of(sample_copy: Path, tmp_path: Path) -> None:
    """Datasette serves the file as it is: publish says so when a source
    must not be made public."""
    conn = sqlite3.connect(sample_copy)
    conn.execute("UPDATE sources SET confidential = 1 WHERE id = (SELECT min(id) FROM sources)")
    conn.commit()
    conn.close()
    r = run(sample_copy, "--out", str(tmp_path / "m.json"), "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["confidential"] == 1
    assert "1 confidential source(s)" in r.stderr and len(r.stderr.strip().splitlines()) == 1


async def test_redact_publishes_a_redacted_copy_and_serves_it(sample_copy: Path, tmp_path: Path) -> None:
    """--redact: the copy, not the KB, is described and served; no byte of
    it holds the confidential source's text, and its claims still answer."""
    from datasette.app import Datasette

    conn = sqlite3.connect(sample_copy)
    secret = conn.execute("SELECT text FROM sources WHERE id = 'nr-chen-russia-trip'").fetchone()[0][1200:1260]
    conn.execute("UPDATE sources SET confidential = 1 WHERE id = 'nr-chen-russia-trip'")
    conn.commit()
    conn.close()
    copy, out = tmp_path / "public.db", tmp_path / "metadata.json"
    r = run(sample_copy, "--redact", str(copy), "--out", str(out), "--json")
    assert r.exit_code == 0, r.output
    done = json.loads(r.stdout)
    assert done["redacted"] == 1 and done["confidential"] == 0 and r.stderr == ""
    assert done["database"] == "public" and done["commands"][1] == f"datasette -i {copy} -m {out}"
    assert secret.encode("utf-8") not in copy.read_bytes()
    assert secret.encode("utf-8") in sample_copy.read_bytes()  # the KB itself is as it was

    ds = Datasette(immutables=[str(copy)], metadata=json.loads(out.read_text(encoding="utf-8")))
    await ds.invoke_startup()
    r = await ds.client.get("/public/roles_last_attested.json?_shape=array")
    assert r.status_code == 200, r.text
    assert "Chen Wenqing" in {row["holder"] for row in r.json()}
    r = await ds.client.get("/public.json?sql=SELECT+count(*)+AS+n+FROM+sources+WHERE+text+LIKE+'%25Patrushev%25'")
    assert r.status_code == 200


def test_redact_refuses_an_existing_copy_and_writes_nothing(sample_db: Path, tmp_path: Path) -> None:
    copy, out = tmp_path / "public.db", tmp_path / "metadata.json"
    copy.write_bytes(b"an analyst's file")
    r = run(sample_db, "--redact", str(copy), "--out", str(out))
    assert r.exit_code != 0 and "already exists" in r.output and "Traceback" not in r.output
    assert copy.read_bytes() == b"an analyst's file" and not out.exists()
    r = run(sample_db, "--redact", str(out), "--out", str(out))
    assert r.exit_code != 0 and "is --out too" in r.output


def test_the_same_kb_gives_the_same_bytes(sample_db: Path, tmp_path: Path) -> None:
    run(sample_db, "--out", str(tmp_path / "a.json"))
    run(sample_db, "--out", str(tmp_path / "b.json"))
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()


def test_an_existing_file_is_refused_unless_forced(sample_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "metadata.json"
    out.write_text("keep me")
    r = run(sample_db, "--out", str(out))
    assert r.exit_code == 1 and "already exists" in r.stderr and "--force" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and out.read_text() == "keep me"
    r = run(sample_db, "--out", str(out), "--force")
    assert r.exit_code == 0 and json.loads(out.read_text(encoding="utf-8"))["title"]
    # a folder is not replaced, even with --force
    r = run(sample_db, "--out", str(tmp_path), "--force")
    assert r.exit_code == 1 and "is a folder" in r.stderr
    assert leftovers(tmp_path) == []


def test_an_unwritable_destination_is_one_line(sample_db: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    r = run(sample_db, "--out", str(tmp_path / "nope" / "metadata.json"))
    assert r.exit_code == 1 and "no folder" in r.stderr and len(r.stderr.strip().splitlines()) == 1

    def full(meta: dict[str, Any]) -> str:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(publish, "to_text", full)
    out = tmp_path / "metadata.json"
    r = run(sample_db, "--out", str(out))
    assert r.exit_code == 1 and "No space left on device" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert not out.exists() and leftovers(tmp_path) == []


def test_an_unusable_kb_is_one_line(tmp_path: Path) -> None:
    r = run(tmp_path / "missing.db", "--out", str(tmp_path / "metadata.json"))
    assert r.exit_code == 2 and "no such file" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "metadata.json").exists()


def test_the_install_hint_is_the_web_extra() -> None:
    """publish prints how to install Datasette: the very range of pyproject's `web` extra."""
    import tomllib

    extras = tomllib.loads((PACKAGE_DIR.parent / "pyproject.toml").read_text(encoding="utf-8"))
    assert extras["project"]["optional-dependencies"]["web"] == [publish.DATASETTE]
