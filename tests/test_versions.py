"""Source versions and re-anchoring: `kbtui add version` keeps the old text,
finds every citation again in the new one (exact, moved for review, or
orphaned in the old text, never silently re-pointed), and leaves the KB an
import of the bundle would make."""

from __future__ import annotations

import hashlib
import json
import shutil
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from kbtui.cli import main
from kbtui.kb.importer import import_bundle
from kbtui.kb.reanchor import reanchor
from kbtui.tui import data as tuidata
from tests.kbdata import rows

OLD = (
    "Moscow, Tuesday.\n\n"
    "Chen Wenqing, Xi's security chief, met Nikolai Patrushev in Moscow on Monday.\n\n"
    "Chen leads the party's central political and legal affairs commission.\n\n"
    "Patrushev was born in Leningrad in 1951.\n"
)
# an inserted paragraph, curly apostrophes, a word inserted, a sentence gone
NEW = (
    "UPDATED with a correction.\n\nMoscow, Tuesday.\n\n"
    "Chen Wenqing, Xi’s security chief, met Nikolai Patrushev in Moscow on Monday.\n\n"
    "Chen now leads the party’s central political and legal affairs commission.\n"
)
ROLE = "Chen leads the party's central political and legal affairs commission"
MET = "met Nikolai Patrushev in Moscow on Monday"
CHIEF = "Xi's security chief"
BORN = "born in Leningrad in 1951"


def span(text: str, quote: str) -> tuple[int, int]:
    start = text.index(quote)
    return start, start + len(quote)


# -- the re-anchoring rules -------------------------------------------------------
def test_text_inserted_before_keeps_the_quote_exact():
    found = reanchor(OLD, "A new first paragraph.\n\n" + OLD, *span(OLD, ROLE))
    assert found.state == "exact" and found.quote == ROLE and found.start == span(OLD, ROLE)[0] + 24


def test_typography_changed_is_found_after_folding():
    found = reanchor(OLD, OLD.replace("'", "’"), *span(OLD, CHIEF))
    assert found.state == "normalised" and found.quote == "Xi’s security chief"


def test_a_word_inserted_moves_the_citation_to_the_new_words():
    new = OLD.replace("Chen leads", "Chen now leads")
    found = reanchor(OLD, new, *span(OLD, ROLE))
    assert found.state == "moved" and found.quote == ROLE.replace("Chen leads", "Chen now leads")
    assert new[found.start : found.end] == found.quote


def test_a_word_deleted_moves_it_too():
    new = OLD.replace("central political and legal", "political and legal")
    found = reanchor(OLD, new, *span(OLD, ROLE))
    assert found.state == "moved" and found.quote == "Chen leads the party's political and legal affairs commission"


def test_a_removed_passage_is_orphaned():
    found = reanchor(OLD, OLD.replace("Patrushev was born in Leningrad in 1951.\n", ""), *span(OLD, BORN))
    assert found.state == "orphaned" and found.start == -1


def test_a_rewritten_passage_is_orphaned_not_repointed():
    new = OLD.replace(ROLE, "Chen heads the legal commission of the party")
    assert reanchor(OLD, new, *span(OLD, ROLE)).state == "orphaned"


def test_two_passages_alike_orphan_rather_than_guess():
    # the quote changed, and two passages are equally close to it
    new = OLD.replace(MET, "met Nikolai Patrushev in Moscow on Sunday. He met Nikolai Patrushev in Moscow on Friday")
    assert reanchor(OLD, new, *span(OLD, MET)).state == "orphaned"
    # the quote kept, but now twice with the same surroundings
    twice = OLD.replace(f"{MET}.", f"{MET}. It {MET}.")
    assert reanchor(OLD, twice, *span(OLD, MET)).state in ("exact", "orphaned")


def test_one_of_several_occurrences_is_picked_by_its_surroundings():
    old = "Intro. Chen left. The talks were useful. Chen left.\nEnd."
    new = "Chen left. Intro. Chen left. The talks were useful. Chen left.\nEnd."
    first = old.index("Chen left.")
    found = reanchor(old, new, first, first + 10)
    assert found.state == "exact" and found.start == new.index("Intro. Chen left.") + 7
    # the context it carries picks the same one on import
    assert found.prefix.endswith("Intro. ")


# -- kbtui add version ---------------------------------------------------------------
@pytest.fixture
def setup(tmp_path: Path, mini_db: Path):
    """A curated bundle with source `art` (OLD) cited four ways."""
    runner = CliRunner()
    kb = tmp_path / "kb.db"
    shutil.copy(mini_db, kb)
    shutil.copy(mini_db, tmp_path / "base.db")

    def run(*args: str):
        return runner.invoke(main, ["--db", str(kb), *args], catch_exceptions=False)

    bundle = tmp_path / "notes"
    old = tmp_path / "old.txt"
    old.write_text(OLD, encoding="utf-8")
    new = tmp_path / "new.txt"
    new.write_text(NEW, encoding="utf-8")
    for args in (
        ("new", str(bundle)),
        ("add", "source", str(old), "--bundle", str(bundle), "--id", "art", "--published", "2024-05-07"),
        (
            "add",
            "role",
            "--bundle",
            str(bundle),
            "--source",
            "art",
            "--holder",
            "chen-wenqing",
            "--title",
            "Head",
            "--organisation",
            "cplac",
            "--quote",
            ROLE,
            "--id",
            "role",
        ),
        (
            "add",
            "relation",
            "--bundle",
            str(bundle),
            "--source",
            "art",
            "--type",
            "met",
            "--subject",
            "chen-wenqing",
            "--object",
            "nikolai-patrushev",
            "--quote",
            MET,
            "--quote",
            CHIEF,
            "--id",
            "met",
        ),
        (
            "add",
            "property",
            "--bundle",
            str(bundle),
            "--source",
            "art",
            "--entity",
            "nikolai-patrushev",
            "--property",
            "birth-date",
            "--value",
            "1951",
            "--quote",
            BORN,
            "--id",
            "born",
        ),
    ):
        r = run(*args)
        assert r.exit_code == 0, (args, r.output)
    return run, kb, bundle, new


def test_add_version_re_anchors_every_citation_and_keeps_the_old_text(setup, tmp_path):
    run, kb, bundle, new = setup
    r = run("add", "version", "art", str(new), "--json")
    assert r.exit_code == 0, r.output
    rec = json.loads(r.stdout)["record"]
    assert rec["version"] == 2 and rec["exact"] == 2
    assert [m["quote"] for m in rec["moved"]] == [ROLE]
    assert [o["quote"] for o in rec["orphaned"]] == [BORN]
    # the bundle: the old text archived with its sha256, the new one in place
    assert (bundle / "sources" / "art.txt").read_text(encoding="utf-8") == NEW
    assert (bundle / "sources" / "art.v1.txt").read_text(encoding="utf-8") == OLD
    (src,) = tomllib.loads((bundle / "sources.toml").read_text())["source"]
    assert src["versions"][0]["sha256"] == hashlib.sha256(OLD.encode()).hexdigest()
    assert src["capture_sha256"] == hashlib.sha256(NEW.encode()).hexdigest()
    cites = {
        t["id"]: t["cite"]
        for k in ("role", "relation", "property")
        for t in tomllib.loads((bundle / "kb.toml").read_text())[k]
    }
    assert cites["role"] == [
        {
            "source": "art",
            "quote": ROLE.replace("Chen leads", "Chen now leads").replace("'", "’"),
            "anchor": "moved",
            "was": ROLE,
            "was_version": 1,
        }
    ]
    assert cites["born"] == [{"source": "art", "quote": BORN, "version": 1}]
    assert cites["met"] == [{"source": "art", "quote": MET}, {"source": "art", "quote": CHIEF}]
    # the KB: version 2, version 1 kept, each citation's state
    assert rows(kb, "SELECT version, text FROM sources WHERE id = 'art'") == [(2, NEW)]
    assert rows(kb, "SELECT version, text FROM source_versions WHERE source_id = 'art'") == [(1, OLD)]
    states = dict(
        rows(
            kb,
            "SELECT claim_id || ':' || substr(quote, 1, 10), anchor || ':' || ifnull(version, 'now')"
            " FROM citations WHERE source_id = 'art'",
        )
    )
    assert states == {
        "role:Chen now l": "moved:now",
        "met:met Nikola": "exact:now",
        "met:Xi’s secur": "normalised:now",
        "born:born in Le": "orphaned:1",
    }
    assert rows(kb, "SELECT m.version, m.quote FROM citation_moves m") == [(1, ROLE)]
    # check: nothing broken, two citations to review
    r = run("check", "--json")
    assert r.exit_code == 0, r.output
    review = json.loads(r.stdout)["review"]
    assert [x["check"] for x in review] == ["moved", "orphaned"]
    # the log: the version and the re-anchoring
    assert [e["action"] for e in json.loads(run("log", "--json", "--limit", "2").stdout)] == ["reanchor", "version"]
    # an import of the bundle makes the same citations
    fresh = tmp_path / "fresh.db"
    shutil.copy(tmp_path / "base.db", fresh)
    import_bundle(bundle, fresh)
    want = (
        "SELECT claim_id, quote, start, \"end\", anchor, version FROM citations WHERE source_id = 'art' ORDER BY 1, 2"
    )
    assert rows(fresh, want) == rows(kb, want)
    assert rows(fresh, 'SELECT version, quote, start, "end" FROM citation_moves') == rows(
        kb, 'SELECT version, quote, start, "end" FROM citation_moves'
    )


def test_the_old_text_and_its_highlight_stay_viewable(setup):
    run, kb, _, new = setup
    run("add", "version", "art", str(new))
    ((cid,),) = rows(kb, "SELECT id FROM citations WHERE claim_id = 'born'")
    detail = json.loads(run("cite", str(cid), "--json").stdout)
    assert detail["version"] == 1 and detail["matches"] and detail["quote"] == BORN
    r = run("cite", str(cid))
    assert "orphaned: in version 1 of the source" in r.stdout
    view = tuidata.source_view(kb, "art", cid)
    assert view["shown_version"] == 1 and view["text"] == OLD
    assert [c["quote"] for c in view["citations"]] == [BORN] and view["citations"][0]["matches"]
    current = tuidata.source_view(kb, "art")
    assert "shown_version" not in current and current["text"] == NEW
    assert all(c["matches"] for c in current["citations"]) and len(current["citations"]) == 3


def test_confirming_a_move_in_the_bundle_clears_it_from_review(setup, tmp_path):
    run, kb, bundle, new = setup
    run("add", "version", "art", str(new))
    kb_toml = bundle / "kb.toml"
    text = kb_toml.read_text(encoding="utf-8")
    confirmed = text.replace(f', anchor = "moved", was = "{ROLE}", was_version = 1', "")
    assert confirmed != text
    kb_toml.write_text(confirmed, encoding="utf-8")
    assert run("import", str(bundle)).exit_code == 0
    review = json.loads(run("check", "--json").stdout)["review"]
    assert [x["check"] for x in review] == ["orphaned"]
    assert rows(kb, "SELECT anchor FROM citations WHERE claim_id = 'role'") == [("exact",)]


def test_a_second_version_keeps_orphans_where_they_are(setup, tmp_path):
    run, kb, bundle, new = setup
    run("add", "version", "art", str(new))
    third = tmp_path / "third.txt"
    third.write_text(NEW + "\nA third paragraph.\n", encoding="utf-8")
    r = run("add", "version", "art", str(third), "--json")
    assert r.exit_code == 0, r.output
    rec = json.loads(r.stdout)["record"]
    assert rec["version"] == 3 and rec["orphaned"] == []
    assert rows(kb, "SELECT version FROM citations WHERE claim_id = 'born'") == [(1,)]
    assert rows(kb, "SELECT version FROM source_versions ORDER BY 1") == [(1,), (2,)]
    assert (bundle / "sources" / "art.v2.txt").read_text(encoding="utf-8") == NEW
    assert run("check").exit_code == 0


def test_refusals_change_nothing(setup, tmp_path):
    run, kb, bundle, _ = setup
    before = {p: p.read_bytes() for p in bundle.rglob("*") if p.is_file() and ".kbtui" not in p.parts}
    same = tmp_path / "same.txt"
    same.write_text(OLD, encoding="utf-8")
    r = run("add", "version", "art", str(same))
    assert r.exit_code == 1 and "is the source's current text" in r.stderr
    r = run("add", "version", "nope", str(same))
    assert r.exit_code == 1 and "no source `nope`" in r.stderr
    after = {p: p.read_bytes() for p in bundle.rglob("*") if p.is_file() and ".kbtui" not in p.parts}
    assert after == before
    assert rows(kb, "SELECT version FROM sources WHERE id = 'art'") == [(1,)]


def test_a_new_web_page_version_keeps_the_old_page(tmp_path, mini_db):
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(main, ["--db", str(mini_db), *args], catch_exceptions=False)

    page = (
        "<html><head><title>T</title></head><body><article><p>{}</p>"
        "<p>Second paragraph of the article.</p></article></body></html>"
    )
    v1, v2 = tmp_path / "v1.html", tmp_path / "v2.html"
    v1.write_text(page.format("Chen Wenqing met Nikolai Patrushev in Moscow."), encoding="utf-8")
    v2.write_text(page.format("Chen Wenqing met Nikolai Patrushev in Moscow on Monday."), encoding="utf-8")
    bundle = tmp_path / "web"
    run("new", str(bundle))
    assert run("add", "source", str(v1), "--bundle", str(bundle), "--id", "page").exit_code == 0
    r = run("add", "version", "page", str(v2))
    assert r.exit_code == 0, r.output
    assert (bundle / "sources" / "page.v1.html").read_bytes() == v1.read_bytes()
    assert (bundle / "sources" / "page.html").read_bytes() == v2.read_bytes()
    (src,) = tomllib.loads((bundle / "sources.toml").read_text())["source"]
    assert src["versions"][0]["capture_file"] == "sources/page.v1.html"
    assert src["versions"][0]["capture_sha256"] == hashlib.sha256(v1.read_bytes()).hexdigest()
    assert run("check").exit_code == 0


def test_the_same_words_in_another_passage_are_moved_not_exact():
    """The defence minister's sentence is deleted; the foreign minister said
    the same words elsewhere. Never 'exact': a human must look."""
    old = (
        "On Monday the foreign minister said the talks were useful. "
        "On Tuesday the defence minister said the talks were useful. The end."
    )
    new = "On Monday the foreign minister said the talks were useful. The end."
    quote = "said the talks were useful"
    second = old.index(quote, old.index("Tuesday"))
    found = reanchor(old, new, second, second + len(quote), prefix="On Tuesday the defence minister")
    assert found.state in ("moved", "orphaned")
    # a sentence that is alone in both texts, with its surroundings kept, stays exact
    found = reanchor(old, new, 17, 47)
    assert found.state == "exact"


def test_a_moved_quote_that_was_ambiguous_in_the_old_text_is_found_again(setup, tmp_path):
    """`was` (the old words) occurred twice in version 1: the citation
    carries the context that picks it, so an import re-finds it."""
    run, _, bundle, _ = setup
    src = tmp_path / "twice.txt"
    src.write_text("Chen left early. Later Chen left early again.\n", encoding="utf-8")
    assert (
        run("add", "source", str(src), "--bundle", str(bundle), "--id", "twice", "--published", "2024").exit_code == 0
    )
    r = run(
        "add",
        "relation",
        "--bundle",
        str(bundle),
        "--source",
        "twice",
        "--type",
        "met",
        "--subject",
        "chen-wenqing",
        "--object",
        "nikolai-patrushev",
        "--quote",
        "Chen left early",
        "--prefix",
        "Later",
        "--id",
        "twice-rel",
    )
    assert r.exit_code == 0, r.output
    v2 = tmp_path / "twice2.txt"
    v2.write_text("Later Chen left very early again.\n", encoding="utf-8")
    r = run("add", "version", "twice", str(v2), "--json")
    assert r.exit_code == 0, r.output
    relations = tomllib.loads((bundle / "kb.toml").read_text())["relation"]
    (cite,) = next(t for t in relations if t["id"] == "twice-rel")["cite"]
    assert cite["anchor"] == "moved" and cite["was"] == "Chen left early" and cite["was_prefix"].endswith("Later ")
    assert run("import", str(bundle)).exit_code == 0
    assert run("check").exit_code == 0
