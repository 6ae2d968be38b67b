"""Every command, in every output format, through click's CliRunner."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kbtui.cli import main


@pytest.fixture
def run(mini_db: Path):
    runner = CliRunner()

    def invoke(*args: str, db: Path | None = mini_db):
        prefix = ["--db", str(db)] if db else []
        return runner.invoke(main, [*prefix, *args], catch_exceptions=False)

    return invoke


def test_search_json_contract(run):
    r = run("search", "patrushv", "--json")
    assert r.exit_code == 0
    hits = json.loads(r.stdout)
    assert hits[0]["id"] == "nikolai-patrushev"
    assert {"id", "kind", "name", "score"} <= hits[0].keys()
    assert 0 <= hits[0]["score"] <= 100


def test_search_table_and_kind_filter(run):
    r = run("search", "chen", "--kind", "person")
    assert r.exit_code == 0 and "Chen Wenqing" in r.stdout and "person" in r.stdout
    r = run("search", "chen", "--kind", "place", "--json")
    assert r.exit_code == 1 and json.loads(r.stdout) == []


def test_search_no_match_exits_1_with_message(run):
    r = run("search", "zzzzqqqq")
    assert r.exit_code == 1 and "no match" in r.stderr


def test_show_json_contract(run):
    r = run("show", "nikolai-patrushev", "--json")
    assert r.exit_code == 0
    data = json.loads(r.stdout)
    assert {"id", "kind", "name", "aliases", "summary", "roles", "relations", "events"} <= data.keys()
    role = data["roles"][0]
    assert {"id", "title", "holder", "organisation", "start", "end", "status", "citations"} <= role.keys()
    assert role["organisation"] == {"id": "russian-security-council", "name": "Security Council of Russia"}
    cite = role["citations"][0]
    assert {"id", "source", "quote", "span"} <= cite.keys()
    assert {"id", "title", "outlet"} <= cite["source"].keys()
    event = data["events"][0]
    assert {"id", "name", "date", "place", "participants", "citations"} <= event.keys()
    assert {p["id"] for p in event["participants"]} == {"nikolai-patrushev", "chen-wenqing"}


def test_show_organisation_lists_roles_held_in_it(run):
    data = json.loads(run("show", "cplac", "--json").stdout)
    assert [r["holder"]["id"] for r in data["roles"]] == ["chen-wenqing"]


def test_show_event_holds_itself(run):
    data = json.loads(run("show", "moscow-meeting", "--json").stdout)
    assert data["kind"] == "event" and data["events"][0]["id"] == "moscow-meeting"
    assert data["events"][0]["place"]["id"] == "moscow"


def test_show_by_name_and_alias(run):
    assert json.loads(run("show", "Patrushev", "--json").stdout)["id"] == "nikolai-patrushev"
    r = run("show", "Nikolai Patrushev")
    assert r.exit_code == 0 and "Secretary" in r.stdout


def test_show_ambiguous_lists_candidates(run):
    r = run("show", "c")
    assert r.exit_code == 1
    assert "ambiguous" in r.stderr or "no entity" in r.stderr


def test_show_unknown_exits_1(run):
    r = run("show", "nobody-at-all-xyz")
    assert r.exit_code == 1 and "kbtui:" in r.stderr and "Traceback" not in r.stderr


def test_show_paging(run):
    data = json.loads(run("show", "cplac", "--json", "--limit", "1", "--offset", "1").stdout)
    assert data["roles"] == [] and data["roles_total"] == 1


def test_roles_filters(run):
    rows = json.loads(run("roles", "--json").stdout)
    assert len(rows) == 2
    rows = json.loads(run("roles", "--holder", "Chen Wenqing", "--json").stdout)
    assert [r["id"] for r in rows] == ["chen-head-cplac"]
    rows = json.loads(run("roles", "--organisation", "russian-security-council", "--json").stdout)
    assert [r["holder"]["id"] for r in rows] == ["nikolai-patrushev"]
    assert "Secretary" in run("roles").stdout


def test_roles_as_of_validates_date(run):
    r = run("roles", "--as-of", "last tuesday")
    assert r.exit_code == 2 and "ISO date" in r.stderr
    assert run("roles", "--as-of", "2024-05", "--json").exit_code == 0


def test_cite_json_and_table(run):
    data = json.loads(run("show", "chen-wenqing", "--json").stdout)
    cid = data["roles"][0]["citations"][0]["id"]
    out = json.loads(run("cite", str(cid), "--json").stdout)
    assert out["quote"].startswith("Chen Wenqing leads")
    assert {"context_before", "context_after", "span", "source"} <= out.keys()
    assert out["context_after"].startswith(".\nThe two men")
    r = run("cite", str(cid))
    assert r.exit_code == 0 and "Chen Wenqing leads" in r.stdout


def test_cite_unknown(run):
    r = run("cite", "99999")
    assert r.exit_code == 1 and "no citation" in r.stderr


def test_sources_and_source(run):
    rows = json.loads(run("sources", "--json").stdout)
    assert rows[0]["id"] == "mini"
    assert {"id", "title", "outlet", "author", "published", "via", "length"} <= rows[0].keys()
    assert "Spy chiefs meet" in run("sources").stdout
    one = json.loads(run("source", "mini", "--json").stdout)
    assert one["text"].startswith("Moscow, Monday.")
    assert "Nikolai Patrushev" in run("source", "mini").stdout
    assert run("source", "nope").exit_code == 1


@pytest.mark.parametrize("fmt", ["--json", "--nl", "--csv", "--tsv", "--table"])
def test_sql_formats(run, fmt):
    r = run("sql", "SELECT holder, title FROM v_roles ORDER BY holder", fmt)
    assert r.exit_code == 0
    if fmt == "--json":
        assert json.loads(r.stdout)[0] == {"holder": "Chen Wenqing", "title": "Head"}
    elif fmt == "--nl":
        assert json.loads(r.stdout.splitlines()[1])["holder"] == "Nikolai Patrushev"
    elif fmt in {"--csv", "--tsv"}:
        rows = list(csv.reader(io.StringIO(r.stdout), delimiter="," if fmt == "--csv" else "\t"))
        assert rows == [["holder", "title"], ["Chen Wenqing", "Head"], ["Nikolai Patrushev", "Secretary"]]
    else:
        assert "Chen Wenqing" in r.stdout and "holder" in r.stdout


@pytest.mark.parametrize(
    "stmt",
    [
        "DELETE FROM entities",
        "WITH x AS (SELECT 1) DELETE FROM entities",
        "UPDATE entities SET name = 'x'",
        "INSERT INTO entities VALUES ('x', 'person', 'x', '')",
        "DROP TABLE entities",
        "ATTACH DATABASE ':memory:' AS m",
        "VACUUM INTO '/tmp/kbtui-should-not-exist.db'",
        "PRAGMA user_version = 7",
        "PRAGMA query_only = 0",
        "SELECT load_extension('x')",
        "CREATE TABLE t (x)",
    ],
)
def test_sql_never_writes(run, mini_db, stmt):
    before = mini_db.read_bytes()
    r = run("sql", stmt)
    assert r.exit_code == 1 and "kbtui:" in r.stderr and "Traceback" not in r.stderr
    assert mini_db.read_bytes() == before
    assert not Path("/tmp/kbtui-should-not-exist.db").exists()


def test_sql_time_limit(run):
    r = run(
        "sql",
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c",
        "--timeout",
        "0.2",
    )
    assert r.exit_code == 1 and "0.2 s time limit" in r.stderr and "--timeout" in r.stderr


def test_sql_row_cap_says_so(run):
    r = run(
        "sql",
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 50) SELECT x FROM c",
        "--max-rows",
        "10",
        "--json",
    )
    assert r.exit_code == 0 and len(json.loads(r.stdout)) == 10
    assert "stopped at 10 rows" in r.stderr


def test_sql_syntax_error_is_one_line(run):
    r = run("sql", "SELEC * FROM v_roles")
    assert r.exit_code == 1 and "syntax error" in r.stderr and "Traceback" not in r.stderr


def test_sql_schema(run):
    assert "CREATE VIEW v_roles" in run("sql", "--schema").stdout


def test_check_ok_and_json(run):
    r = run("check")
    assert r.exit_code == 0 and "ok" in r.stdout
    data = json.loads(run("check", "--json").stdout)
    assert data["ok"] is True and data["problems"] == []


def test_check_finds_a_broken_span(run, mini_db):
    import sqlite3

    conn = sqlite3.connect(mini_db)
    conn.execute("UPDATE citations SET start = start + 1 WHERE id = 1")
    conn.commit()
    conn.close()
    r = run("check", "--json")
    assert r.exit_code == 1
    assert [p["check"] for p in json.loads(r.stdout)["problems"]] == ["citation-span"]


def test_init_and_import(tmp_path, mini_bundle):
    runner = CliRunner()
    target = tmp_path / "new.db"
    r = runner.invoke(main, ["init", str(target)])
    assert r.exit_code == 0 and target.exists()
    r = runner.invoke(main, ["init", str(target)])
    assert r.exit_code == 2 and "already exists" in r.stderr
    r = runner.invoke(main, ["import", str(mini_bundle), "--db", str(target), "--json"])
    assert r.exit_code == 0 and json.loads(r.stdout)["entities"] == 6
    r = runner.invoke(main, ["--db", str(target), "check"])
    assert r.exit_code == 0


def test_import_error_exit_1(tmp_path):
    r = CliRunner().invoke(main, ["import", str(tmp_path / "nothing"), "--db", str(tmp_path / "x.db")])
    assert r.exit_code == 1 and "nothing: no such file or folder" in r.stderr
    assert not (tmp_path / "x.db").exists()
    (tmp_path / "notes.txt").write_text("hello")
    r = CliRunner().invoke(main, ["import", str(tmp_path / "notes.txt"), "--db", str(tmp_path / "x.db")])
    assert r.exit_code == 1 and "not a bundle folder, an FtM file" in r.stderr
    as_bundle = ["import", str(tmp_path / "notes.txt"), "--format", "bundle"]
    r = CliRunner().invoke(main, [*as_bundle, "--db", str(tmp_path / "x.db")])
    assert r.exit_code == 1 and "not a bundle directory" in r.stderr
    assert not (tmp_path / "x.db").exists()


@pytest.mark.parametrize(
    "setup, expect",
    [
        (lambda p: None, "no such file"),
        (lambda p: p.mkdir(), "is a directory"),
        (lambda p: p.write_bytes(b""), "empty file"),
        (lambda p: p.write_text("hello, I am text"), "not a SQLite database"),
    ],
)
def test_unusable_db_exit_2(tmp_path, setup, expect):
    path = tmp_path / "bad.db"
    setup(path)
    r = CliRunner().invoke(main, ["--db", str(path), "search", "x"])
    assert r.exit_code == 2 and expect in r.stderr and str(path) in r.stderr
    if expect == "no such file":
        assert not path.exists()


def test_env_var_selects_db(mini_db, monkeypatch):
    monkeypatch.setenv("KBTUI_DB", str(mini_db))
    r = CliRunner().invoke(main, ["sources", "--json"])
    assert json.loads(r.stdout)[0]["id"] == "mini"


def test_every_command_has_help_with_example():
    for name, _cmd in main.commands.items():
        r = CliRunner().invoke(main, [name, "--help"])
        assert r.exit_code == 0, name
        assert "Example" in r.stdout, f"{name} --help has no example"


def test_roles_as_of_refuses_an_impossible_date(run):
    r = run("roles", "--as-of", "2024-02-30")
    assert r.exit_code == 2 and "February 2024 has no day 30" in r.stderr and "Traceback" not in r.output
