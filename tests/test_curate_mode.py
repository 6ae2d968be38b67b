"""Curate mode's data layer: suggested names, entities made from a mention
(their name cited there), claims made from a passage with new entities
picked on the way, and undo, which leaves bundle and KB as they were."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from kbtui.kb import curate, db, queries, search, undo
from kbtui.kb.anchor import AnchorError, anchor, pinned
from kbtui.kb.errors import ImportFailed
from kbtui.kb.importer import import_bundle
from kbtui.kb.judge import judge
from kbtui.kb.suggest import suggestions
from kbtui.tui import curate_data
from kbtui.tui.curate_data import Passage, Pick
from tests.kbdata import rows

ARTICLE = (
    "Moscow, Tuesday.\n\n"
    "Igor Sechin, chief of Rosneft, met Chen Wenqing in Moscow on Monday. "
    "The Ministry of Fisheries sent a delegation. Indeed, President Xi Jinping had approved.\n\n"
    "Sechin told Russian and Chinese reporters: Igor Sechin is ready.\n"
)


@pytest.fixture
def curating(tmp_path: Path, sample_db: Path) -> tuple[Path, Path]:
    """(bundle, KB): the sample KB and a new bundle holding ARTICLE as `art`."""
    kb = tmp_path / "kb.db"
    shutil.copy(sample_db, kb)
    bundle = tmp_path / "notes"
    curate.new_bundle(bundle, kb)
    text = tmp_path / "art.txt"
    text.write_text(ARTICLE, encoding="utf-8")
    curate.add_source(bundle, kb, text, {"title": "Sechin meets Chen"}, source_id="art")
    return bundle, kb


def files_and_rows(bundle: Path, kb: Path) -> tuple[dict[str, bytes], dict[str, list[tuple[object, ...]]]]:
    files = {
        str(p.relative_to(bundle)): p.read_bytes()
        for p in sorted(bundle.rglob("*"))
        if p.is_file() and ".kbtui" not in p.parts and p.name != "log.jsonl"
    }
    conn = sqlite3.connect(kb)
    try:
        tables = [
            r[0]
            for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE '%VIRTUAL%'")
            if r[0] != "log" and not r[0].startswith(("names_fts", "sources_fts", "names_words"))
        ]
        data = {t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in tables}
    finally:
        conn.close()
    # an input records when it was last written: every change (its undo too) moves it
    data["inputs"] = sorted((r[:3] for r in data["inputs"]), key=repr)
    # the search index's row ids are not kept across changes; its content is
    data["names"] = sorted((r[1:] for r in data["names"]), key=repr)
    data["name_grams"] = sorted(((r[0], r[2]) for r in data["name_grams"]), key=repr)
    return files, data


def passage(kb: Path, quote: str, source: str = "art") -> Passage:
    text = rows(kb, "SELECT text FROM sources WHERE id = ?", source)[0][0]
    assert isinstance(text, str)
    start = text.index(quote)
    return Passage(source, text, start, start + len(quote))


# -- suggestions ----------------------------------------------------------------
def test_suggestions_are_names_the_kb_does_not_know(curating: tuple[Path, Path]) -> None:
    _, kb = curating
    conn = db.connect_readonly(kb)
    try:
        text = rows(kb, "SELECT text FROM sources WHERE id = 'art'")[0][0]
        assert isinstance(text, str)
        known = [(a, b) for a, b in conn.execute("SELECT start, \"end\" FROM mentions WHERE source_id = 'art'")]
        found = suggestions(conn, text, known)
    finally:
        conn.close()
    names = [s.name for s in found]
    # known names (Chen Wenqing, Moscow, Xi Jinping after the title) are not
    # suggested; "Indeed" only opens a sentence; "Russian and Chinese" are
    # nationality words; "Sechin" alone opens a sentence but is written
    # capitalised nowhere else as one word
    assert names == ["Igor Sechin", "Rosneft", "Ministry of Fisheries", "Igor Sechin"]
    for s in found:
        assert text[s.start : s.end] == s.name


def test_a_suggestion_that_is_another_spelling_of_a_known_name_is_not_made(tmp_path: Path, sample_db: Path) -> None:
    conn = db.connect_readonly(sample_db)
    try:
        # "NIKOLAI PATRUSHEV" normalises to a name the KB has
        text = "On Monday NIKOLAI PATRUSHEV met Ivan Petrovsky."
        assert [s.name for s in suggestions(conn, text)] == ["Ivan Petrovsky"]
    finally:
        conn.close()


# -- pinned quotes ----------------------------------------------------------------
def test_pinned_adds_context_only_when_the_quote_repeats() -> None:
    text = "Igor Sechin spoke. Later Igor Sechin left."
    assert pinned(text, 0, 11) == {"quote": "Igor Sechin", "suffix": " spoke. Later Ig"}
    second = text.rindex("Igor Sechin")
    cite = pinned(text, second, second + 11)
    got = anchor(text, cite["quote"], cite.get("prefix", ""), cite.get("suffix", ""))
    assert (got.start, got.end) == (second, second + 11)
    assert pinned(text, 12, 17) == {"quote": "spoke"}
    with pytest.raises(AnchorError):
        # the same words with the same context for far around: cannot be told apart
        pinned("ab " * 300, 300, 302)


# -- an entity from a mention -----------------------------------------------------
def test_an_entity_made_from_a_mention_has_its_name_cited_there(curating: tuple[Path, Path], tmp_path: Path) -> None:
    bundle, kb = curating
    step, change = curate_data.make_entity(kb, bundle, "person", "Igor Sechin", passage(kb, "Igor Sechin"))
    assert step.added == [("entity", "igor-sechin")]
    ((cite,),) = [change.citations]
    assert (cite["quote"], cite["start"]) == ("Igor Sechin", ARTICLE.index("Igor Sechin"))
    conn = db.connect_readonly(kb)
    try:
        shown = queries.show(conn, "igor-sechin")
        assert shown["aliases"] == []  # the cited name is not another name
        assert [a["claim_id"] for a in shown["alias_kinds"]] == ["igor-sechin--alias--igor-sechin"]
        assert [h.id for h in search.search(conn, "igor sechin", limit=5)].count("igor-sechin") == 1
    finally:
        conn.close()
    # both places the text names him are marks now
    assert rows(kb, "SELECT start FROM mentions WHERE source_id = 'art' AND entity_id = 'igor-sechin'") == [
        (ARTICLE.index("Igor Sechin"),),
        (ARTICLE.rindex("Igor Sechin"),),
    ]
    # what the bundle says is what the KB holds
    fresh = tmp_path / "fresh.db"
    import_bundle(bundle, fresh)
    assert rows(fresh, "SELECT quote, start FROM citations WHERE source_id = 'art'") == [
        ("Igor Sechin", ARTICLE.index("Igor Sechin"))
    ]


# -- a claim from a passage -------------------------------------------------------
def test_a_claim_with_new_entities_picked_and_undo_of_it(curating: tuple[Path, Path]) -> None:
    bundle, kb = curating
    before = files_and_rows(bundle, kb)
    step, change = curate_data.make_claim(
        kb,
        bundle,
        "role",
        {"title": "chief", "start": "", "status": "current"},
        passage(kb, "Igor Sechin, chief of Rosneft"),
        {"stance": "supports", "certainty": "reported"},
        {"holder": Pick("Igor Sechin", "person"), "organisation": Pick("Rosneft", "organisation")},
    )
    assert step.added == [("entity", "igor-sechin"), ("entity", "rosneft"), ("claim", change.id)]
    assert rows(kb, "SELECT holder_id, organisation_id, title FROM roles WHERE claim_id = ?", change.id) == [
        ("igor-sechin", "rosneft", "chief")
    ]
    assert rows(kb, "SELECT quote, stance, certainty FROM citations WHERE claim_id = ?", change.id) == [
        ("Igor Sechin, chief of Rosneft", "supports", "reported")
    ]
    # the new entities' names are cited within the passage (the first
    # "Igor Sechin", though the text has two)
    assert rows(
        kb,
        "SELECT c.start FROM citations c JOIN aliases a ON a.claim_id = c.claim_id WHERE a.entity_id = 'igor-sechin'",
    ) == [(ARTICLE.index("Igor Sechin"),)]
    done = curate_data.take_back(kb, bundle, step)
    assert [(c.action, c.table, c.id) for c in done] == [
        ("rm", "role", change.id),
        ("rm", "entity", "rosneft"),
        ("rm", "entity", "igor-sechin"),
    ]
    assert files_and_rows(bundle, kb) == before
    # every step is in the log
    assert [r[0] for r in rows(kb, "SELECT action FROM log WHERE input_id = 'notes' ORDER BY id")][-6:] == [
        "add",
        "add",
        "add",
        "rm",
        "rm",
        "rm",
    ]


def test_a_refused_claim_leaves_no_new_entity_behind(curating: tuple[Path, Path]) -> None:
    bundle, kb = curating
    before = files_and_rows(bundle, kb)
    logged = rows(kb, "SELECT count(*) FROM log")
    log_file = (bundle / "log.jsonl").read_bytes()
    with pytest.raises(ImportFailed, match="start"):
        curate_data.make_claim(
            kb,
            bundle,
            "role",
            {"title": "chief", "start": "last year"},
            passage(kb, "Igor Sechin, chief of Rosneft"),
            {},
            {"holder": Pick("Igor Sechin", "person")},
        )
    assert files_and_rows(bundle, kb) == before
    # one write: the entity made for the claim was never written, so nothing is logged either
    assert rows(kb, "SELECT count(*) FROM log") == logged
    assert (bundle / "log.jsonl").read_bytes() == log_file


def test_an_event_with_participants_old_and_new(curating: tuple[Path, Path]) -> None:
    bundle, kb = curating
    step, change = curate_data.make_claim(
        kb,
        bundle,
        "event",
        {"name": "Sechin meets Chen", "type": "meeting", "start": "2024-05-06"},
        passage(kb, "Igor Sechin, chief of Rosneft, met Chen Wenqing in Moscow on Monday."),
        {},
        {
            "participants.0": Pick("Igor Sechin", "person"),
            "participants.1": Pick("Chen Wenqing", "person", "chen-wenqing"),
            "place": Pick("Moscow", "place", "moscow"),
        },
    )
    assert sorted(rows(kb, "SELECT entity_id FROM participations WHERE event_id = ?", change.id)) == [
        ("chen-wenqing",),
        ("igor-sechin",),
    ]
    assert step.added[0] == ("entity", "igor-sechin")


# -- undo ------------------------------------------------------------------------
def test_undo_of_an_entity_another_claim_now_names_is_refused(curating: tuple[Path, Path]) -> None:
    bundle, kb = curating
    step, _ = curate_data.make_entity(kb, bundle, "person", "Igor Sechin", passage(kb, "Igor Sechin"))
    curate.add_claim(
        bundle,
        kb,
        "relation",
        {"type": "met", "subject": "igor-sechin", "object": "chen-wenqing"},
        [{"source": "art", "quote": "met Chen Wenqing"}],
    )
    with pytest.raises(ImportFailed, match="named by relation"):
        curate_data.take_back(kb, bundle, step)
    assert rows(kb, "SELECT count(*) FROM entities WHERE id = 'igor-sechin'") == [(1,)]


def test_undo_of_a_judgement_restores_the_one_before(curating: tuple[Path, Path]) -> None:
    bundle, kb = curating
    judge(bundle, kb, "chen-wenqing", "nikolai-patrushev", "unsure")
    before = files_and_rows(bundle, kb)
    judge(bundle, kb, "chen-wenqing", "nikolai-patrushev", "not-same")
    undo.undo(kb, bundle, undo.Step("", [("judgement", "chen-wenqing nikolai-patrushev")]))
    assert files_and_rows(bundle, kb) == before
    assert rows(kb, "SELECT verdict FROM judgements") == [("unsure",)]


def test_undo_of_a_merge_is_refused_with_what_to_do(curating: tuple[Path, Path]) -> None:
    bundle, kb = curating
    curate_data.make_entity(kb, bundle, "person", "Igor Sechin", passage(kb, "Igor Sechin"))
    judge(bundle, kb, "igor-sechin", "nikolai-patrushev", "not-same")
    curate.add_entity(bundle, kb, "person", "I. Sechin")
    judge(bundle, kb, "igor-sechin", "i-sechin", "same")
    with pytest.raises(ImportFailed, match="merged, and a merge is not undone"):
        undo.undo(kb, bundle, undo.Step("", [("judgement", "i-sechin igor-sechin")]))


# -- the command ---------------------------------------------------------------------
def test_curate_takes_the_kb_after_the_bundle_and_refuses_without_a_terminal(curating: tuple[Path, Path]) -> None:
    from click.testing import CliRunner

    from kbtui.cli import main

    bundle, kb = curating
    runner = CliRunner()
    r = runner.invoke(main, ["curate", str(bundle), "--db", str(kb)])
    assert r.exit_code == 2 and "kbtui curate needs a terminal" in r.stderr
    r = runner.invoke(main, ["curate", str(bundle)])
    assert r.exit_code == 2 and "none was named" in r.stderr
    r = runner.invoke(main, ["curate", str(bundle.parent / "nope"), "--db", str(kb)])
    assert r.exit_code == 2 and "not a bundle" in r.stderr


def test_suggestions_split_two_names_and_drop_a_trailing_weekday(sample_db: Path) -> None:
    conn = db.connect_readonly(sample_db)
    try:
        text = (
            "He met Ivan Petrovsky in Geneva on Tuesday. The Bank of Sweden and the Ministry of Fisheries agreed."
            " The Central Political and Legal Affairs Unit met."
        )
        assert [s.name for s in suggestions(conn, text)] == [
            "Ivan Petrovsky",
            "Geneva",
            "Bank of Sweden",
            "Ministry of Fisheries",
            "Central Political and Legal Affairs Unit",
        ]
    finally:
        conn.close()


def test_a_passage_trimmed_to_the_name_it_holds() -> None:
    text = "He flew to Vladivostok. Then (Primorye) and “Rosneft”."
    for word in ("Vladivostok.", "(Primorye)", "“Rosneft”."):
        at = text.index(word)
        got = Passage("s", text, at, at + len(word)).trimmed()
        assert got.quote == word.strip(".()“”")


def test_an_end_before_the_start_is_refused_and_a_coarser_end_is_not(curating: tuple[Path, Path]) -> None:
    bundle, kb = curating
    before = files_and_rows(bundle, kb)
    quote = passage(kb, "Igor Sechin, chief of Rosneft")
    with pytest.raises(ImportFailed, match="`end` 2020 is before `start` 2024"):
        curate_data.make_claim(
            kb,
            bundle,
            "role",
            {"title": "chief", "start": "2024", "end": "2020"},
            quote,
            {},
            {"holder": Pick("X Y", "person")},
        )
    assert files_and_rows(bundle, kb) == before
    # "2024" ends after "2024-05" begins
    curate_data.make_claim(
        kb,
        bundle,
        "role",
        {"title": "chief", "start": "2024-05", "end": "2024"},
        quote,
        {},
        {"holder": Pick("X Y", "person")},
    )
