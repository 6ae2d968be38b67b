"""Judgements and merges (kbtui.kb.judge, kbtui.kb.merge): "same" merges
two entities with nothing lost, the old id still resolves, the judgement
lives in the bundle and survives re-import; refusals change nothing."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from kbtui.kb import curate, judge, merge, queries
from kbtui.kb.errors import ImportFailed, NotFound
from kbtui.kb.importer import import_bundle

SAMPLE = Path(__file__).resolve().parent.parent / "kbtui" / "sample"
KEEP, OTHER = "avril-haines", "wang-yi"  # two people who never met in the sample: mergeable


@pytest.fixture
def kb(tmp_path: Path) -> tuple[Path, Path]:
    bundle = tmp_path / "bundle"
    shutil.copytree(SAMPLE, bundle)
    db = tmp_path / "kb.db"
    import_bundle(bundle, db)
    return bundle, db


def rows(db: Path, sql: str, *args: object) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def count(db: Path, table: str) -> int:
    return int(rows(db, f"SELECT count(*) FROM {table}")[0][0])


def references(db: Path, entity_id: str) -> int:
    """Rows anywhere that name `entity_id`."""
    return sum(
        int(rows(db, f"SELECT count(*) FROM {table} WHERE {column} = ?", entity_id)[0][0])
        for table, column in (*merge.REFERENCES, ("aliases", "entity_id"), ("mentions", "entity_id"))
    )


def snapshot(db: Path) -> dict[str, int]:
    tables = ("claims", "roles", "relations", "participations", "properties", "citations", "mentions", "sources")
    return {t: count(db, t) for t in tables}


def test_same_merges_with_nothing_lost(kb: tuple[Path, Path]) -> None:
    bundle, db = kb
    before = snapshot(db)
    other_refs = references(db, OTHER)
    keep_refs = references(db, KEEP)
    other_aliases = {r[0] for r in rows(db, "SELECT alias FROM aliases WHERE entity_id = ?", OTHER)}
    citations = rows(db, "SELECT id, claim_id, quote FROM citations ORDER BY id")
    change, merged = judge.judge(bundle, db, KEEP, OTHER, "same", note="one person?")
    assert merged is not None and merged.keep == KEEP and merged.other == OTHER
    assert snapshot(db) == before, "no claim, citation or mention is lost"
    assert rows(db, "SELECT id, claim_id, quote FROM citations ORDER BY id") == citations
    assert references(db, OTHER) == 0
    # every row that named the other names the one kept (its name becomes an alias)
    assert references(db, KEEP) == keep_refs + other_refs + 1
    kept_aliases = {r[0] for r in rows(db, "SELECT alias FROM aliases WHERE entity_id = ?", KEEP)}
    assert other_aliases | {"Wang Yi"} <= kept_aliases
    assert rows(db, "SELECT old_id, new_id FROM redirects") == [(OTHER, KEEP)]
    assert rows(db, "SELECT count(*) FROM entities WHERE id = ?", OTHER) == [(0,)]
    # the search index knows the kept entity by the other's names
    assert {r[0] for r in rows(db, "SELECT DISTINCT entity_id FROM names WHERE name = 'Wang Yi'")} == {KEEP}
    text = (bundle / judge.RESOLUTIONS_FILE).read_text(encoding="utf-8")
    assert 'verdict = "same"' in text and f'keep    = "{KEEP}"' in text and "one person?" in text
    assert change.action == "judge" and change.files == [judge.RESOLUTIONS_FILE]
    assert '"action": "judge"' in (bundle / "log.jsonl").read_text(encoding="utf-8")
    assert rows(db, "SELECT action, target FROM log WHERE action = 'judge'") == [
        ("judge", f"judgement {KEEP} same {OTHER}")
    ]


def test_the_merged_id_still_resolves(kb: tuple[Path, Path]) -> None:
    bundle, db = kb
    judge.judge(bundle, db, KEEP, OTHER, "same")
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        assert queries.resolve(conn, OTHER) == KEEP
        assert queries.show(conn, OTHER)["id"] == KEEP
        # the name still finds the entity (it is an alias now)
        assert queries.resolve(conn, "Wang Yi") == KEEP
    finally:
        conn.close()


@pytest.mark.parametrize("fresh", [False, True], ids=["re-import", "new KB"])
def test_the_merge_survives_importing_the_bundle_again(kb: tuple[Path, Path], tmp_path: Path, fresh: bool) -> None:
    bundle, db = kb
    judge.judge(bundle, db, KEEP, OTHER, "same")
    merged = snapshot(db)
    target = tmp_path / "again.db" if fresh else db
    import_bundle(bundle, target)
    assert rows(target, "SELECT count(*) FROM entities WHERE id = ?", OTHER) == [(0,)]
    assert rows(target, "SELECT old_id, new_id FROM redirects") == [(OTHER, KEEP)]
    assert references(target, OTHER) == 0
    assert snapshot(target) == merged
    assert rows(target, "SELECT a, b, verdict, keep FROM judgements") == [(KEEP, OTHER, "same", KEEP)]


def test_a_claim_added_later_about_the_merged_id_lands_on_the_kept_entity(kb: tuple[Path, Path]) -> None:
    bundle, db = kb
    judge.judge(bundle, db, KEEP, OTHER, "same")
    source, quote = rows(db, "SELECT source_id, quote FROM citations WHERE speaker_id IS NULL LIMIT 1")[0]
    curate.add_claim(
        bundle,
        db,
        "property",
        {"entity": OTHER, "property": "position", "value": "test position"},
        [{"source": str(source), "quote": str(quote)}],
    )
    assert rows(db, "SELECT entity_id FROM properties WHERE value = 'test position'") == [(KEEP,)]
    assert "wang-yi" in (bundle / "kb.toml").read_text(encoding="utf-8"), "the bundle says what was written"


def test_not_same_and_unsure_are_kept_and_merge_nothing(kb: tuple[Path, Path]) -> None:
    bundle, db = kb
    before = count(db, "entities")
    judge.judge(bundle, db, OTHER, KEEP, "not-same")
    assert count(db, "entities") == before and count(db, "redirects") == 0
    assert rows(db, "SELECT a, b, verdict, keep FROM judgements") == [(KEEP, OTHER, "not-same", None)]
    judge.judge(bundle, db, KEEP, OTHER, "unsure")
    assert rows(db, "SELECT verdict FROM judgements") == [("unsure",)]
    # the file keeps both; the later one counts when it is read again
    import_bundle(bundle, db)
    assert rows(db, "SELECT verdict FROM judgements") == [("unsure",)]
    assert (bundle / judge.RESOLUTIONS_FILE).read_text(encoding="utf-8").count("[[judgement]]") == 2


def _unchanged(bundle: Path, db: Path) -> tuple[dict[str, int], bytes, bool]:
    kb_toml = (bundle / "kb.toml").read_bytes()
    return snapshot(db) | {"entities": count(db, "entities")}, kb_toml, (bundle / judge.RESOLUTIONS_FILE).exists()


@pytest.mark.parametrize(
    ("a", "b", "verdict", "keep", "said"),
    [
        (KEEP, KEEP, "same", None, "are one id"),
        (KEEP, "no-such-person", "same", None, "no entity `no-such-person`"),
        (KEEP, OTHER, "same", "chen-wenqing", "neither"),
        (KEEP, OTHER, "maybe", None, "not a judgement"),
        ("fsb", "svr", "same", None, "both took part in"),
        ("fsb", "nikolai-patrushev", "same", None, "only entities of one kind"),
        ("chen-patrushev-moscow-meeting", "chen-russia-trip-2024", "same", None, "events are claims"),
    ],
)
def test_refusals_change_nothing(
    kb: tuple[Path, Path], a: str, b: str, verdict: str, keep: str | None, said: str
) -> None:
    bundle, db = kb
    before = _unchanged(bundle, db)
    with pytest.raises(ImportFailed) as caught:
        judge.judge(bundle, db, a, b, verdict, keep=keep)
    assert said in caught.value.message
    assert _unchanged(bundle, db) == before


def test_judging_a_merged_pair_apart_is_refused(kb: tuple[Path, Path]) -> None:
    bundle, db = kb
    judge.judge(bundle, db, KEEP, OTHER, "same")
    with pytest.raises(ImportFailed, match="were merged"):
        judge.judge(bundle, db, OTHER, KEEP, "not-same")
    # "same" again, either way round, is no cycle: nothing more to merge
    _, merged = judge.judge(bundle, db, OTHER, KEEP, "same", keep=OTHER)
    assert merged is None
    assert rows(db, "SELECT old_id, new_id FROM redirects") == [(OTHER, KEEP)]


@pytest.mark.parametrize(
    ("table", "said"),
    [
        ('[[judgement]]\na = "x"\nb = "x"\nverdict = "same"\n', "one id"),
        ('[[judgement]]\na = "avril-haines"\nb = "wang-yi"\nverdict = "yes"\n', "verdict"),
        ('[[judgement]]\na = "avril-haines"\nb = "wang-yi"\nverdict = "same"\nwho = "me"\n', "unknown field"),
        ('[[judgement]]\na = "Avril"\nb = "wang-yi"\nverdict = "same"\n', "not an entity id"),
        ("[[merge]]\n", "only [[judgement]]"),
        ("[[judgement]\n", "resolutions.toml"),
    ],
)
def test_a_bad_resolutions_file_is_refused_and_nothing_is_written(kb: tuple[Path, Path], table: str, said: str) -> None:
    bundle, db = kb
    (bundle / judge.RESOLUTIONS_FILE).write_text(table, encoding="utf-8")
    before = snapshot(db)
    with pytest.raises(ImportFailed) as caught:
        import_bundle(bundle, db)
    assert said in caught.value.message
    assert snapshot(db) == before and count(db, "judgements") == 0


def test_show_of_an_unknown_id_still_says_so(kb: tuple[Path, Path]) -> None:
    _, db = kb
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        with pytest.raises(NotFound):
            queries.show(conn, "no-such-id")
    finally:
        conn.close()


def test_check_names_a_pair_judged_the_same_that_could_not_be_merged(kb: tuple[Path, Path]) -> None:
    """A judgement written by hand (or before the two met in one event) that
    cannot be merged stays a judgement, and `kbtui check` says why."""
    from click.testing import CliRunner

    from kbtui.cli import main

    bundle, db = kb
    (bundle / judge.RESOLUTIONS_FILE).write_text(
        '[[judgement]]\na = "fsb"\nb = "svr"\nverdict = "same"\n', encoding="utf-8"
    )
    import_bundle(bundle, db)
    assert count(db, "redirects") == 0 and rows(db, "SELECT verdict FROM judgements") == [("same",)]
    result = CliRunner().invoke(main, ["--db", str(db), "check", "--json"])
    review = json.loads(result.output)["review"]
    assert [(r["check"], r["where"]) for r in review] == [("unmerged", "judgement fsb same svr")]
    assert "both took part in" in review[0]["message"]


def test_show_of_a_merged_id_says_so(kb: tuple[Path, Path]) -> None:
    from click.testing import CliRunner

    from kbtui.cli import main

    bundle, db = kb
    judge.judge(bundle, db, KEEP, OTHER, "same")
    result = CliRunner().invoke(main, ["--db", str(db), "show", OTHER, "--json"])
    data = json.loads(result.output)
    assert data["id"] == KEEP and data["merged_from"] == OTHER
    result = CliRunner().invoke(main, ["--db", str(db), "show", OTHER])
    assert "was merged into this entity" in " ".join(result.output.split())


def test_the_judge_command_merges_and_reports_json(kb: tuple[Path, Path]) -> None:
    from click.testing import CliRunner

    from kbtui.cli import main

    bundle, db = kb
    args = ["--db", str(db), "dedupe", "judge", OTHER, KEEP, "same", "--keep", KEEP, "--bundle", str(bundle)]
    result = CliRunner().invoke(main, [*args, "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["action"] == "judge" and out["merged"]["keep"] == KEEP and out["merged"]["other"] == OTHER
    assert sum(out["merged"]["moved"].values()) > 0
    # the listing no longer proposes a pair judged not the same
    runner = CliRunner()
    listed = runner.invoke(main, ["--db", str(db), "dedupe", "--json", "--min-score", "0"])
    assert listed.exit_code == 0, listed.output
    pairs = {(p["a"]["id"], p["b"]["id"]) for p in json.loads(listed.stdout)}
    if pairs:
        a, b = sorted(next(iter(pairs)))
        said = runner.invoke(main, ["--db", str(db), "dedupe", "judge", a, b, "not-same", "--bundle", str(bundle)])
        assert said.exit_code == 0, said.output
        again = json.loads(runner.invoke(main, ["--db", str(db), "dedupe", "--json", "--min-score", "0"]).stdout)
        assert (a, b) not in {tuple(sorted((p["a"]["id"], p["b"]["id"]))) for p in again}


def test_the_judge_command_refuses_in_one_line(kb: tuple[Path, Path]) -> None:
    from click.testing import CliRunner

    from kbtui.cli import main

    bundle, db = kb
    result = CliRunner().invoke(
        main, ["--db", str(db), "dedupe", "judge", KEEP, "nobody-here", "same", "--bundle", str(bundle)]
    )
    assert result.exit_code != 0
    assert "no entity `nobody-here`" in result.output and "Traceback" not in result.output
    assert not (bundle / judge.RESOLUTIONS_FILE).exists()
