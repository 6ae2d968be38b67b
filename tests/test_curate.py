"""Curation from the shell (`kbtui new`, `add`, `rm`, `edit`, `log`), through
click's CliRunner: each command writes the bundle and the KB together, a
refusal changes neither, and the KB a sequence of commands leaves equals
a fresh import of the bundle they wrote."""

from __future__ import annotations

import hashlib
import json
import shlex
import shutil
import sqlite3
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from kbtui.cli import main
from kbtui.kb.importer import import_bundle
from tests.conftest import MINI_TEXT
from tests.kbdata import rows as kb_rows

# the article's sentence most tests cite
LEADS = "Chen leads the party’s central political and legal affairs commission"
HEAD_OF_CPLAC = ("role", "--holder", "chen-wenqing", "--title", "Head", "--organisation", "cplac", "--quote", LEADS)
ARTICLE = (
    "Moscow, Tuesday.\n\n"
    "Chen Wenqing, Xi’s security chief, met Nikolai Patrushev in Moscow on Monday.\n\n"
    "Chen leads the party’s central political and legal affairs commission.\n\n"
    "Patrushev was born in Leningrad in 1951.\n"
)
PAGE = """<!doctype html><html><head><title>Spy chiefs meet – Example News</title>
<meta name="author" content="Jane Doe"><meta property="article:published_time" content="2024-05-03T10:00:00Z">
<meta property="og:site_name" content="Example News"><link rel="canonical" href="https://example.org/chen">
</head><body><nav>Home | World | Sports</nav><article><h1>Spy chiefs meet</h1>
<p>Chen Wenqing, Xi’s security chief, met Nikolai Patrushev in Moscow on Monday.</p>
<p>Chen leads the party’s central political and legal affairs commission, the paper says.</p>
</article><footer>Subscribe now!</footer><script>var tracking = 1;</script></body></html>
"""


@pytest.fixture
def kb(tmp_path: Path, mini_db: Path) -> Path:
    return mini_db


@pytest.fixture
def run(kb: Path):
    runner = CliRunner()

    def invoke(*args: str, db: Path | None = kb):
        prefix = ["--db", str(db)] if db else []
        return runner.invoke(main, [*prefix, *args], catch_exceptions=False)

    return invoke


@pytest.fixture
def curated(tmp_path: Path, run) -> Path:
    """A new bundle `notes` with one text source, `article`."""
    bundle = tmp_path / "notes"
    assert run("new", str(bundle)).exit_code == 0
    text = tmp_path / "article.txt"
    text.write_text(ARTICLE, encoding="utf-8")
    r = run("add", "source", str(text), "--bundle", str(bundle), "--id", "article", "--title", "Spy chiefs meet")
    assert r.exit_code == 0, r.output
    return bundle


def state(bundle: Path, kb: Path) -> tuple[dict[str, bytes], dict[str, list[tuple[object, ...]]]]:
    """Every file of the bundle (but its lock) and every row of the KB."""
    files = {
        str(p.relative_to(bundle)): p.read_bytes()
        for p in sorted(bundle.rglob("*"))
        if p.is_file() and ".kbtui" not in p.parts
    }
    conn = sqlite3.connect(kb)
    try:
        tables = [
            r[0]
            for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE '%VIRTUAL%'")
        ]
        rows = {
            t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall(), key=repr)
            for t in tables
            if not t.startswith("names_fts") and not t.startswith("sources_fts")
        }
    finally:
        conn.close()
    return files, rows


# -- new ------------------------------------------------------------------------
def test_new_makes_an_empty_bundle_known_to_the_kb(tmp_path, run, kb):
    bundle = tmp_path / "b"
    r = run("new", str(bundle), "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["action"] == "new" and out["id"] == "b"
    assert (bundle / "kb.toml").read_text().startswith("# kbtui bundle")
    assert (bundle / "sources.toml").is_file() and (bundle / "sources").is_dir()
    assert (bundle / ".kbtui" / ".gitignore").read_text() == "*\n"
    assert kb_rows(kb, "SELECT id, kind FROM inputs WHERE id = 'b'") == [("b", "bundle")]
    assert kb_rows(kb, "SELECT action, target FROM log") == [("new", "bundle b")]
    # an empty bundle imports (into a new KB, too)
    import_bundle(bundle, tmp_path / "fresh.db")


def test_new_refuses_a_folder_with_files_and_a_kb_not_named(tmp_path, run):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "notes.txt").write_text("mine")
    r = run("new", str(tmp_path / "full"))
    assert r.exit_code == 1 and "already exists and is not empty" in r.stderr
    assert sorted(p.name for p in (tmp_path / "full").iterdir()) == ["notes.txt"]
    r = run("new", str(tmp_path / "x"), db=None)
    assert r.exit_code == 2 and "none was named" in r.stderr and not (tmp_path / "x").exists()


# -- add source -----------------------------------------------------------------
def test_add_source_stores_the_text_with_its_provenance(curated, kb, tmp_path):
    text = (curated / "sources" / "article.txt").read_text(encoding="utf-8")
    assert text == ARTICLE
    table = (curated / "sources.toml").read_text(encoding="utf-8")
    assert 'id             = "article"' in table and "retrieved" in table
    ((sha, capture_file, capture_sha, retrieved, version, title),) = kb_rows(
        kb, "SELECT sha256, capture_file, capture_sha256, retrieved, version, title FROM sources WHERE id = 'article'"
    )
    digest = hashlib.sha256(ARTICLE.encode()).hexdigest()
    assert (sha, capture_file, capture_sha, version, title) == (
        digest,
        "sources/article.txt",
        digest,
        1,
        "Spy chiefs meet",
    )
    assert retrieved.endswith("Z") and retrieved[:2] == "20"


def test_add_source_from_a_web_page_keeps_the_page_and_cites_its_main_text(tmp_path, run, kb):
    bundle = tmp_path / "web"
    run("new", str(bundle))
    page = tmp_path / "page.html"
    page.write_text(PAGE, encoding="utf-8")
    r = run("add", "source", str(page), "--bundle", str(bundle), "--archive-url", "https://web.archive.org/x", "--json")
    assert r.exit_code == 0, r.output
    rec = json.loads(r.stdout)["record"]
    assert rec["title"].startswith("Spy chiefs meet") and rec["author"] == "Jane Doe"
    assert rec["outlet"] == "Example News" and rec["url"] == "https://example.org/chen"
    assert rec["published"] == "2024-05-03" and rec["date_basis"] == "byline"
    text = (bundle / rec["file"]).read_text(encoding="utf-8")
    assert "met Nikolai Patrushev in Moscow on Monday" in text
    assert "Subscribe" not in text and "tracking" not in text and "Home | World" not in text
    assert (bundle / rec["capture_file"]).read_bytes() == page.read_bytes()
    assert rec["capture_sha256"] == hashlib.sha256(page.read_bytes()).hexdigest()
    assert kb_rows(kb, "SELECT archive_url FROM sources WHERE id = ?", rec["id"]) == [("https://web.archive.org/x",)]
    # the claim cites the extracted text, which an import finds again
    r = run(
        "add",
        "relation",
        "--bundle",
        str(bundle),
        "--type",
        "met",
        "--subject",
        "chen-wenqing",
        "--object",
        "nikolai-patrushev",
        "--source",
        rec["id"],
        "--quote",
        "met Nikolai Patrushev in Moscow on Monday",
    )
    assert r.exit_code == 0, r.output
    fresh = tmp_path / "fresh.db"
    shutil.copy(kb, fresh)
    import_bundle(bundle, fresh)
    # the page is the evidence the text came from: a changed page is refused
    (bundle / rec["capture_file"]).write_text(PAGE.replace("Monday", "Sunday"), encoding="utf-8")
    r = run("import", str(bundle), db=fresh)
    assert r.exit_code == 1 and "no longer has the recorded `capture_sha256`" in r.stderr


def test_add_source_refuses_what_cannot_be_a_source(tmp_path, run, curated, kb):
    before = state(curated, kb)
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n")
    r = run("add", "source", str(empty), "--bundle", str(curated))
    assert r.exit_code == 1 and "is empty" in r.stderr
    latin = tmp_path / "latin1.txt"
    latin.write_bytes("Müller".encode("latin-1"))
    r = run("add", "source", str(latin), "--bundle", str(curated))
    assert r.exit_code == 1 and "not valid UTF-8 at byte 1" in r.stderr
    r = run("add", "source", str(tmp_path / "missing.txt"), "--bundle", str(curated))
    assert r.exit_code == 1 and "no such file" in r.stderr
    text = tmp_path / "t.txt"
    text.write_text("hello")
    r = run("add", "source", str(text), "--bundle", str(curated), "--id", "article")
    assert r.exit_code == 1 and "already exists" in r.stderr
    r = run("add", "source", str(text), "--bundle", str(curated), "--published", "2024-13")
    assert r.exit_code == 1 and "published" in r.stderr and "13" in r.stderr
    assert state(curated, kb) == before


# -- add entity -----------------------------------------------------------------
def test_add_entity_and_the_duplicate_guard(curated, run, kb):
    r = run("add", "entity", "--bundle", str(curated), "--kind", "person", "--name", "Jane Doe", "--alias", "Doe")
    assert r.exit_code == 0, r.output
    assert kb_rows(kb, "SELECT name, kind FROM entities WHERE id = 'jane-doe'") == [("Jane Doe", "person")]
    assert ("jane-doe", "Doe") in kb_rows(kb, "SELECT entity_id, alias FROM aliases")
    assert run("search", "jane doe", "--json").stdout.count('"jane-doe"') == 1
    r = run("add", "entity", "--bundle", str(curated), "--kind", "person", "--name", "Chen Wenqing")
    assert r.exit_code == 1 and "already has a person named 'Chen Wenqing': chen-wenqing" in r.stderr
    r = run(
        "add", "entity", "--bundle", str(curated), "--kind", "person", "--name", "Chen Wenqing", "--distinct", "--json"
    )
    assert r.exit_code == 0 and json.loads(r.stdout)["id"] == "chen-wenqing-2"
    assert json.loads(r.stdout)["similar"][0]["id"] == "chen-wenqing"
    r = run("add", "entity", "--bundle", str(curated), "--kind", "person", "--name", "X", "--id", "jane-doe")
    assert r.exit_code == 1 and "an entity `jane-doe` already exists" in r.stderr


# -- add claims -----------------------------------------------------------------
def add(run, bundle: Path, table: str, *args: str):
    return run("add", table, "--bundle", str(bundle), "--source", "article", *args)


def test_add_claims_of_each_kind_cite_the_exact_span(curated, run, kb, tmp_path):
    r = add(
        run,
        curated,
        *HEAD_OF_CPLAC,
        "--json",
    )
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    (c,) = out["citations"]
    assert ARTICLE[c["start"] : c["end"]] == c["quote"] and c["anchor"] == "exact"
    assert out["id"] == "chen-wenqing-head-cplac"
    r = add(
        run,
        curated,
        "relation",
        "--type",
        "met",
        "--subject",
        "chen-wenqing",
        "--object",
        "nikolai-patrushev",
        "--quote",
        "met Nikolai Patrushev in Moscow on Monday",
        "--certainty",
        "stated",
    )
    assert r.exit_code == 0, r.output
    r = add(
        run,
        curated,
        "event",
        "--name",
        "Chen–Patrushev meeting",
        "--type",
        "meeting",
        "--place",
        "moscow",
        "--participant",
        "chen-wenqing",
        "--participant",
        "nikolai-patrushev",
        "--quote",
        "met Nikolai Patrushev in Moscow on Monday",
    )
    assert r.exit_code == 0, r.output
    r = add(
        run,
        curated,
        "property",
        "--entity",
        "nikolai-patrushev",
        "--property",
        "birth-date",
        "--value",
        "1951",
        "--quote",
        "born in Leningrad in 1951",
        "--as-of",
        "1951",
    )
    assert r.exit_code == 0, r.output
    assert kb_rows(
        kb, "SELECT holder_id, organisation_id, title FROM roles WHERE claim_id = 'chen-wenqing-head-cplac'"
    ) == [("chen-wenqing", "cplac", "Head")]
    assert kb_rows(
        kb,
        "SELECT p.entity_id FROM participations p JOIN events e ON e.entity_id = p.event_id"
        " WHERE e.claim_id = 'chen-patrushev-meeting' ORDER BY 1",
    ) == [("chen-wenqing",), ("nikolai-patrushev",)]
    shown = json.loads(run("show", "nikolai-patrushev", "--json").stdout)
    assert any(p["value"] == "1951" for p in shown["properties"])
    assert run("check").exit_code == 0


def test_a_sequence_of_commands_leaves_what_an_import_of_the_bundle_makes(tmp_path, mini_bundle):
    """The incremental KB equals a rebuild: the original bundle imported,
    then the curated one imported into it."""
    base = tmp_path / "base.db"
    import_bundle(mini_bundle, base)
    kb = tmp_path / "kb.db"
    shutil.copy(base, kb)
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(main, ["--db", str(kb), *args], catch_exceptions=False)

    bundle = tmp_path / "notes"
    text = tmp_path / "article.txt"
    text.write_text(ARTICLE, encoding="utf-8")
    for args in (
        ("new", str(bundle)),
        ("add", "source", str(text), "--bundle", str(bundle), "--id", "article", "--published", "2024-05-07"),
        (
            "add",
            "entity",
            "--bundle",
            str(bundle),
            "--kind",
            "place",
            "--name",
            "Leningrad",
            "--alias",
            "St. Petersburg",
        ),
        (
            "add",
            "role",
            "--bundle",
            str(bundle),
            "--source",
            "article",
            "--holder",
            "chen-wenqing",
            "--title",
            "Head",
            "--organisation",
            "cplac",
            "--quote",
            LEADS,
        ),
        (
            "add",
            "relation",
            "--bundle",
            str(bundle),
            "--source",
            "article",
            "--type",
            "met",
            "--subject",
            "chen-wenqing",
            "--object",
            "nikolai-patrushev",
            "--quote",
            "met Nikolai Patrushev in Moscow on Monday",
        ),
        (
            "add",
            "property",
            "--bundle",
            str(bundle),
            "--source",
            "article",
            "--entity",
            "nikolai-patrushev",
            "--property",
            "birth-date",
            "--value",
            "1951",
            "--quote",
            "born in Leningrad in 1951",
        ),
        ("edit", "chen-wenqing-head-cplac", "--start", "2022-10", "--note", "from the article"),
        ("rm", "chen-wenqing-met-nikolai-patrushev"),
        ("edit", "patrushev-secretary", "--title", "Secretary of the Security Council"),
    ):
        r = run(*args)
        assert r.exit_code == 0, (args, r.output)
    rebuilt = tmp_path / "rebuilt.db"
    import_bundle(mini_bundle, rebuilt)
    import_bundle(bundle, rebuilt)
    skip = {"inputs", "log"}  # when and how each got there differs
    _, incremental = state(bundle, kb)
    _, fresh = state(bundle, rebuilt)
    for table in fresh:
        if table not in skip:
            assert _without_ids(table, incremental[table]) == _without_ids(table, fresh[table]), table
    assert kb_rows(kb, "SELECT action, target FROM log ORDER BY id")[-2:] == [
        ("rm", "relation chen-wenqing-met-nikolai-patrushev"),
        ("edit", "role patrushev-secretary"),
    ]
    # the import loaded the bundle's own log
    assert [r[0] for r in kb_rows(rebuilt, "SELECT action FROM log WHERE input_id = 'notes' ORDER BY id")] == [
        "new",
        "add",
        "add",
        "add",
        "add",
        "add",
        "edit",
        "rm",
    ]


def _without_ids(table: str, rows: list[tuple[object, ...]]) -> list[tuple[object, ...]]:
    # citation ids depend on the order rows were written
    return sorted((r[1:] for r in rows), key=repr) if table == "citations" else rows


def test_a_quote_not_in_the_source_is_refused_with_the_nearest_passage(curated, run, kb):
    before = state(curated, kb)
    r = add(
        run,
        curated,
        "relation",
        "--type",
        "met",
        "--subject",
        "chen-wenqing",
        "--object",
        "nikolai-patrushev",
        "--quote",
        "met Nikolai Patrushev in Moscow on Tuesday",
    )
    assert r.exit_code == 1
    assert "quote not found" in r.stderr and "nearest match: 'met Nikolai Patrushev in Moscow on Monday'" in r.stderr
    r = add(
        run,
        curated,
        "relation",
        "--type",
        "met",
        "--subject",
        "chen-wenqing",
        "--object",
        "nikolai-patrushev",
        "--quote",
        "Chen",
    )
    assert r.exit_code == 1 and "occurs" in r.stderr and "--prefix/--suffix" in r.stderr
    assert state(curated, kb) == before


def test_unknown_entities_and_bad_fields_are_refused_with_what_to_do(curated, run, kb):
    before = state(curated, kb)
    r = add(run, curated, "role", "--holder", "chen-wenqin", "--title", "Head", "--quote", "Chen leads")
    assert (
        r.exit_code == 1
        and "--holder: no entity `chen-wenqin`" in r.stderr
        and "chen-wenqing (Chen Wenqing)" in r.stderr
    )
    r = add(
        run,
        curated,
        "role",
        "--holder",
        "chen-wenqing",
        "--title",
        "Head",
        "--start",
        "2024-02-30",
        "--quote",
        "Chen leads",
    )
    assert r.exit_code == 1 and "`start`" in r.stderr and "nothing was written" in r.stderr
    r = run(
        "add",
        "role",
        "--bundle",
        str(curated),
        "--source",
        "nope",
        "--holder",
        "chen-wenqing",
        "--title",
        "H",
        "--quote",
        "Chen leads",
    )
    assert r.exit_code == 1 and "no source `nope`" in r.stderr
    # a source of another input (the mini bundle's) is not this bundle's to cite
    r = run(
        "add",
        "role",
        "--bundle",
        str(curated),
        "--source",
        "mini",
        "--holder",
        "chen-wenqing",
        "--title",
        "H",
        "--quote",
        "Chen left.",
    )
    assert r.exit_code == 1 and "belongs to input" in r.stderr
    r = add(
        run,
        curated,
        "property",
        "--entity",
        "chen-wenqing",
        "--property",
        "nationality",
        "--value",
        "moscow",
        "--quote",
        "Chen leads",
    )
    assert r.exit_code == 1 and "must be the id of a country entity" in r.stderr
    r = run(
        "add",
        "role",
        "--bundle",
        str(curated.parent / "nowhere"),
        "--source",
        "article",
        "--holder",
        "chen-wenqing",
        "--title",
        "H",
        "--quote",
        "Chen leads",
    )
    assert r.exit_code == 1 and "not a bundle" in r.stderr and "kbtui new" in r.stderr
    assert state(curated, kb) == before


# -- rm and edit ------------------------------------------------------------------
def test_rm_cuts_one_table_out_of_a_hand_written_bundle(mini_bundle, run, kb):
    kb_toml = mini_bundle / "kb.toml"
    before = kb_toml.read_text(encoding="utf-8")
    r = run("rm", "patrushev-secretary", "--json")
    assert r.exit_code == 0, r.output
    after = kb_toml.read_text(encoding="utf-8")
    removed = before[
        before.index('[[role]]\nid = "patrushev-secretary"') : before.index('[[role]]\nid = "chen-head-cplac"')
    ]
    assert after == before.replace(removed, "")
    assert kb_rows(kb, "SELECT count(*) FROM claims WHERE id = 'patrushev-secretary'") == [(0,)]
    assert kb_rows(kb, "SELECT count(*) FROM citations WHERE claim_id = 'patrushev-secretary'") == [(0,)]
    assert json.loads(r.stdout)["diff"].startswith("@@ -")
    assert run("check").exit_code == 0
    r = run("rm", "patrushev-secretary")
    assert r.exit_code == 1 and "no claim `patrushev-secretary`" in r.stderr


def test_rm_of_an_event_takes_its_participations_and_entity(mini_bundle, run, kb):
    r = run("rm", "moscow-meeting")
    assert r.exit_code == 0, r.output
    assert kb_rows(kb, "SELECT count(*) FROM participations") == [(0,)]
    # the participations' own claims and citations go too
    assert kb_rows(kb, "SELECT count(*) FROM claims WHERE id LIKE 'moscow-meeting%'") == [(0,)]
    assert run("check").exit_code == 0
    assert kb_rows(kb, "SELECT count(*) FROM entities WHERE id = 'moscow-meeting'") == [(0,)]
    r = run("rm", "moscow-meeting--chen-wenqing")
    assert r.exit_code == 1


def test_rm_refuses_claims_it_cannot_take_out_cleanly(mini_bundle, run, kb, tmp_path):
    r = run("rm", "moscow-meeting--chen-wenqing")
    assert r.exit_code == 1 and "participation, part of event `moscow-meeting`" in r.stderr
    moved = tmp_path / "moved"
    mini_bundle.rename(moved)
    r = run("rm", "patrushev-secretary")
    assert r.exit_code == 1 and "pass --bundle PATH" in r.stderr
    r = run("rm", "patrushev-secretary", "--bundle", str(moved))
    assert r.exit_code == 0, r.output


def test_edit_changes_one_table_and_checks_it_whole(mini_bundle, run, kb):
    kb_toml = mini_bundle / "kb.toml"
    before = kb_toml.read_text(encoding="utf-8")
    r = run("edit", "chen-head-cplac", "--start", "2022-10", "--status", "current", "--json")
    assert r.exit_code == 0, r.output
    after = kb_toml.read_text(encoding="utf-8")
    assert 'start        = "2022-10"' in after
    # only that table changed
    assert after.split("[[role]]")[1] == before.split("[[role]]")[1]
    assert after.split("[[event]]")[1] == before.split("[[event]]")[1]
    assert kb_rows(kb, "SELECT start FROM roles WHERE claim_id = 'chen-head-cplac'") == [("2022-10",)]
    # its citation was kept, with its id
    assert json.loads(r.stdout)["citations"][0]["quote"].startswith("Chen Wenqing leads")
    same = state(mini_bundle, kb)
    for args, message in (
        (("--start", "2022-13"), "month 13"),
        (("--colour", "red"), "has no field `colour`"),
        (("--status", "sometimes"), "status"),
        (("--organisation", "cplax"), "did you mean cplac"),
        ((), "nothing to change"),
    ):
        r = run("edit", "chen-head-cplac", *args)
        assert r.exit_code in (1, 2) and message in r.stderr, (args, r.stderr)
    assert state(mini_bundle, kb) == same
    r = run("edit", "chen-head-cplac", "--start", "")
    assert r.exit_code == 0
    (role,) = [t for t in tomllib.loads(kb_toml.read_text())["role"] if t["id"] == "chen-head-cplac"]
    assert "start" not in role and role["status"] == "current"


def test_claims_of_other_formats_are_not_curated(tmp_path, run, kb):
    ftm = tmp_path / "data.ftm.json"
    ftm.write_text(
        '{"id": "p1", "schema": "Person", "properties": {"name": ["Ivan Petrov"], "birthDate": ["1970"]}}\n',
        encoding="utf-8",
    )
    assert run("import", str(ftm)).exit_code == 0
    (claim,) = kb_rows(kb, "SELECT id FROM claims WHERE input_id = 'data' LIMIT 1")
    r = run("rm", claim[0])
    assert r.exit_code == 1 and "ftm input `data`" in r.stderr and "only bundles are curated" in r.stderr


# -- log --------------------------------------------------------------------------
def test_log_lists_changes_newest_first(curated, run, kb):
    add(
        run,
        curated,
        *HEAD_OF_CPLAC,
    )
    r = run("log")
    assert r.exit_code == 0
    lines = r.stdout.splitlines()
    assert "add   role chen-wenqing-head-cplac" in lines[0] and "(notes/kb.toml)" in lines[0]
    assert "new   bundle notes" in lines[-1]
    entries = json.loads(run("log", "--json", "--limit", "2").stdout)
    assert [e["action"] for e in entries] == ["add", "add"]
    assert entries[0]["diff"].splitlines()[1] == "+[[role]]"
    assert json.loads(run("log", "--json", "--input", "nope").stdout) == []
    r = run("log", "--diff")
    assert '    +holder       = "chen-wenqing"' in r.stdout
    logged = [json.loads(line) for line in (curated / "log.jsonl").read_text().splitlines()]
    assert [e["target"] for e in logged] == ["bundle notes", "source article", "role chen-wenqing-head-cplac"]


def test_a_damaged_bundle_log_is_refused_on_import(curated, run, tmp_path):
    with (curated / "log.jsonl").open("a") as f:
        f.write("not json\n")
    r = run("import", str(curated))
    assert r.exit_code == 1 and "log.jsonl:3: not a curation log entry" in r.stderr


def test_the_mini_text_is_unchanged_by_curating_another_bundle(curated, mini_bundle):
    assert (mini_bundle / "sources" / "mini.txt").read_text(encoding="utf-8") == MINI_TEXT


# -- the README's worked example ----------------------------------------------------
EXAMPLE_PAGE = Path(__file__).parent.parent / "docs" / "examples" / "spy-chiefs-meet.html"


def test_the_readme_worked_example_runs_as_written(tmp_path, sample_db, monkeypatch):
    """README, "Curating a KB": a web page added to a copy of the sample and
    three claims made from it, each command as the README shows it."""
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- curation example -->", 2)[1]
    commands = [
        line.strip().removeprefix("$ ")
        for line in block.replace("\\\n", " ").splitlines()
        if line.strip().startswith("$ kbtui")
    ]
    assert len(commands) >= 6
    monkeypatch.chdir(tmp_path)
    shutil.copy(sample_db, tmp_path / "my.db")
    shutil.copy(EXAMPLE_PAGE, tmp_path / "spy-chiefs-meet.html")
    runner = CliRunner()
    for command in commands:
        r = runner.invoke(main, shlex.split(command)[1:], env={"KBTUI_DB": "my.db"}, catch_exceptions=False)
        assert r.exit_code == 0, (command, r.output)
    made = kb_rows(tmp_path / "my.db", "SELECT kind, count(*) FROM claims WHERE input_id = 'examiner' GROUP BY 1")
    assert made == [("event", 1), ("participation", 2), ("role", 2)]
    assert runner.invoke(main, ["check"], env={"KBTUI_DB": "my.db"}).exit_code == 0


# -- add alias ----------------------------------------------------------------------
def test_add_alias_to_an_entity_of_another_input(curated, run, kb, tmp_path, mini_bundle):
    r = run("add", "alias", "nikolai-patrushev", "Nikolai Platonovich", "--bundle", str(curated), "--json")
    assert r.exit_code == 0, r.output
    r = run(
        "add",
        "alias",
        "chen-wenqing",
        "Xi’s security chief",
        "--bundle",
        str(curated),
        "--kind",
        "descriptor",
        "--as-of",
        "2024-05-03",
        "--source",
        "article",
        "--quote",
        "Chen Wenqing, Xi’s security chief",
    )
    assert r.exit_code == 0, r.output
    assert "cites article" in r.stderr
    # searchable at once, and the owner's entity row is unchanged
    hits = json.loads(run("search", "nikolai platonovich", "--json").stdout)
    assert hits[0]["id"] == "nikolai-patrushev" and hits[0]["matched"] == "Nikolai Platonovich"
    assert kb_rows(kb, "SELECT name, summary, input_id FROM entities WHERE id = 'nikolai-patrushev'") == [
        ("Nikolai Patrushev", "Secretary of Russia's Security Council.", "bundle")
    ]
    # the bundle restates the entity by id, kind and name, with its new names
    tables = {t["id"]: t for t in tomllib.loads((curated / "kb.toml").read_text())["entity"]}
    assert tables["nikolai-patrushev"] == {
        "id": "nikolai-patrushev",
        "kind": "person",
        "name": "Nikolai Patrushev",
        "aliases": [{"name": "Nikolai Platonovich", "kind": "alias"}],
    }
    assert tables["chen-wenqing"]["aliases"][0]["cite"] == [
        {"source": "article", "quote": "Chen Wenqing, Xi’s security chief"}
    ]
    # a second alias goes into the same table
    assert run("add", "alias", "nikolai-patrushev", "N. P. Patrushev", "--bundle", str(curated)).exit_code == 0
    (table,) = [t for t in tomllib.loads((curated / "kb.toml").read_text())["entity"] if t["id"] == "nikolai-patrushev"]
    assert [a["name"] for a in table["aliases"]] == ["Nikolai Platonovich", "N. P. Patrushev"]
    # the KB is what an import of both bundles makes
    rebuilt = tmp_path / "rebuilt.db"
    import_bundle(mini_bundle, rebuilt)
    import_bundle(curated, rebuilt)
    names = "SELECT entity_id, name, norm, compact, is_primary FROM names"  # (row ids differ)
    for sql in ("SELECT * FROM aliases", "SELECT * FROM entities", names, "SELECT * FROM mentions"):
        assert sorted(kb_rows(kb, sql)) == sorted(kb_rows(rebuilt, sql)), sql
    assert run("check").exit_code == 0


def test_add_alias_refusals(curated, run, kb):
    before = state(curated, kb)
    for args, message in (
        (("nikolai-patrushev", "Patrushev"), "already called 'Patrushev'"),
        (("nikolai-patrushev", "Nikolai Patrushev"), "already called"),
        (("nikolai-patrushv", "X"), "did you mean nikolai-patrushev"),
        (("moscow-meeting", "X"), "is an event"),
        (("chen-wenqing", "X", "--kind", "nickname"), "nickname"),
        (("chen-wenqing", "X", "--source", "article"), "--source and --quote go together"),
        (("chen-wenqing", "X", "--source", "article", "--quote", "not in it"), "quote not found"),
    ):
        r = run("add", "alias", *args, "--bundle", str(curated))
        assert r.exit_code in (1, 2) and message in r.stderr, (args, r.stderr)
    assert state(curated, kb) == before


def test_edit_an_entity_the_bundle_defines(mini_bundle, run, kb):
    r = run("edit", "chen-wenqing", "--summary", "Leads the commission.", "--name", "Chen Wen-qing")
    assert r.exit_code == 0, r.output
    assert kb_rows(kb, "SELECT name, summary FROM entities WHERE id = 'chen-wenqing'") == [
        ("Chen Wen-qing", "Leads the commission.")
    ]
    # its aliases are kept, and the new name is found
    assert ("chen-wenqing", "Chen") in kb_rows(kb, "SELECT entity_id, alias FROM aliases")
    assert json.loads(run("search", "chen wen-qing", "--json").stdout)[0]["id"] == "chen-wenqing"
    (table,) = [t for t in tomllib.loads((mini_bundle / "kb.toml").read_text())["entity"] if t["id"] == "chen-wenqing"]
    assert table["name"] == "Chen Wen-qing" and table["aliases"] == ["Chen"]
    r = run("edit", "chen-wenqing", "--kind", "organisation")
    assert r.exit_code == 1 and "no field `kind`" in r.stderr
    r = run("rm", "chen-wenqing")
    assert r.exit_code == 1 and "is an entity, not a claim" in r.stderr
    assert run("check").exit_code == 0


def test_a_new_bundle_does_not_take_over_another_bundles_input(tmp_path, run, kb, mini_bundle):
    """The mini bundle is input `bundle`: a new folder of the same name must
    not become that input (an import of it with --prune would then delete
    the mini bundle's rows)."""
    r = run("new", str(tmp_path / "elsewhere" / "bundle"))
    assert r.exit_code == 1 and "already has input `bundle`" in r.stderr and "--input NAME" in r.stderr
    assert kb_rows(kb, "SELECT location FROM inputs WHERE id = 'bundle'") == [(str(mini_bundle),)]
    r = run("new", str(tmp_path / "elsewhere" / "bundle"), "--input", "bundle-2")
    assert r.exit_code == 0, r.output
    # and a bundle folder that moved is still its input
    moved = tmp_path / "moved"
    mini_bundle.rename(moved)
    assert run("edit", "chen-head-cplac", "--bundle", str(moved), "--start", "2022").exit_code == 0
    assert kb_rows(kb, "SELECT location FROM inputs WHERE id = 'bundle'") == [(str(moved),)]


def test_line_separators_in_a_quote_do_not_shift_later_edits(tmp_path, run, kb):
    bundle = tmp_path / "notes"
    run("new", str(bundle))
    text = tmp_path / "a.txt"
    text.write_text("Chen leads the\u2028commission. Patrushev met Chen in Moscow.\n", encoding="utf-8")
    run("add", "source", str(text), "--bundle", str(bundle), "--id", "a")
    r = run(
        "add",
        "role",
        "--bundle",
        str(bundle),
        "--source",
        "a",
        "--holder",
        "chen-wenqing",
        "--title",
        "Head",
        "--quote",
        "Chen leads the\u2028commission",
    )
    assert r.exit_code == 0, r.output
    run(
        "add",
        "relation",
        "--bundle",
        str(bundle),
        "--source",
        "a",
        "--type",
        "met",
        "--subject",
        "nikolai-patrushev",
        "--object",
        "chen-wenqing",
        "--quote",
        "Patrushev met Chen",
        "--id",
        "m1",
    )
    assert "\\u2028" in (bundle / "kb.toml").read_text(encoding="utf-8")  # escaped, never a raw separator
    assert run("rm", "m1").exit_code == 0
    assert [t["id"] for t in tomllib.loads((bundle / "kb.toml").read_text())["role"]] == ["chen-wenqing-head"]
    assert "relation" not in tomllib.loads((bundle / "kb.toml").read_text())


def test_rm_of_an_event_that_other_claims_name_is_refused(mini_bundle, run, kb, tmp_path):
    """The bundle would no longer import: a property of the event, or a
    conflict naming one of its participations."""
    bundle = tmp_path / "notes"
    run("new", str(bundle))
    text = tmp_path / "a.txt"
    text.write_text("The Moscow meeting was in May 2024.\n", encoding="utf-8")
    run("add", "source", str(text), "--bundle", str(bundle), "--id", "a", "--published", "2024-06")
    r = run(
        "add",
        "property",
        "--bundle",
        str(bundle),
        "--source",
        "a",
        "--entity",
        "moscow-meeting",
        "--property",
        "position",
        "--value",
        "May 2024",
        "--quote",
        "The Moscow meeting was in May 2024",
    )
    assert r.exit_code == 0, r.output
    before = state(mini_bundle, kb)
    r = run("rm", "moscow-meeting")
    assert r.exit_code == 1 and "is named by property moscow-meeting--position" in r.stderr
    assert state(mini_bundle, kb) == before


def test_a_text_saved_with_a_byte_order_mark_is_added_and_imports(tmp_path, run, curated, kb):
    text = tmp_path / "bom.txt"
    text.write_bytes("\ufeffChen Wenqing met Nikolai Patrushev.\n".encode())
    r = run("add", "source", str(text), "--bundle", str(curated), "--id", "bom", "--published", "2024")
    assert r.exit_code == 0, r.output
    r = run(
        "add",
        "relation",
        "--bundle",
        str(curated),
        "--source",
        "bom",
        "--type",
        "met",
        "--subject",
        "chen-wenqing",
        "--object",
        "nikolai-patrushev",
        "--quote",
        "Chen Wenqing met Nikolai Patrushev",
    )
    assert r.exit_code == 0, r.output
    assert run("import", str(curated)).exit_code == 0 and run("check").exit_code == 0


def test_an_id_written_by_hand_but_not_imported_is_not_given_again(curated, run, kb):
    kb_toml = curated / "kb.toml"
    hand = (
        '\n[[role]]\nid = "chen-wenqing-head-cplac"  # written by hand\nholder = "chen-wenqing"\n'
        'title = "Head"\norganisation = "cplac"\nnote = "HAND"\n'
        'cite = [{ source = "article", quote = "Chen leads the party’s central political and legal affairs'
        ' commission" }]\n'
    )
    kb_toml.write_text(kb_toml.read_text(encoding="utf-8") + hand, encoding="utf-8")
    r = add(
        run,
        curated,
        *HEAD_OF_CPLAC,
        "--json",
    )
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["id"] == "chen-wenqing-head-cplac-2"
    r = add(
        run,
        curated,
        "role",
        "--holder",
        "chen-wenqing",
        "--title",
        "Head",
        "--id",
        "chen-wenqing-head-cplac",
        "--quote",
        LEADS,
    )
    assert r.exit_code == 1 and "already exists" in r.stderr
    assert run("import", str(curated)).exit_code == 0


def test_edit_keeps_the_comment_lines_of_the_table_it_rewrites(mini_bundle, run, kb):
    kb_toml = mini_bundle / "kb.toml"
    text = kb_toml.read_text(encoding="utf-8")
    text = text.replace(
        '[[role]]\nid = "chen-head-cplac"\n', '[[role]]\nid = "chen-head-cplac"\n# per the 2023 party list\n'
    )
    kb_toml.write_text(text, encoding="utf-8")
    assert run("edit", "chen-head-cplac", "--status", "former").exit_code == 0
    after = kb_toml.read_text(encoding="utf-8")
    assert '[[role]]\n# per the 2023 party list\nid           = "chen-head-cplac"' in after
    (role,) = [t for t in tomllib.loads(after)["role"] if t["id"] == "chen-head-cplac"]
    assert role["status"] == "former"
