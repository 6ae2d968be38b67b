"""Search in the sources' text (kbtui.kb.grep) and `kbtui grep`: passages
whose offsets are the hit, FTS5 syntax taken literally, limits, ranking,
the marker character, FtM records, and the command's output and exit codes."""

from __future__ import annotations

import itertools
import json
import re
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kbtui.cli import main
from kbtui.kb import grep as grep_module
from kbtui.kb.ftm import import_ftm
from kbtui.kb.grep import CONTEXT, PASSAGES_PER_SOURCE, BadQuery, Passage, fts_query, grep
from kbtui.kb.importer import import_bundle

FTM_SNAPSHOT = Path(__file__).parent / "fixtures" / "ftm" / "sanctions.ftm.json"
PASSAGE_KEYS = {"source", "title", "outlet", "published", "start", "end", "before", "hit", "after", "more_hits"}


# --- helpers ---------------------------------------------------------------------------


def build_kb(root: Path, texts: dict[str, str], titles: dict[str, str] | None = None) -> Path:
    """A KB of one source per entry of `texts` (imported in that order),
    no claims; each titled "Text <id>" unless `titles` says otherwise."""
    bundle = root / "bundle"
    (bundle / "sources").mkdir(parents=True)
    entries = []
    for source_id, text in texts.items():
        (bundle / "sources" / f"{source_id}.txt").write_bytes(text.encode("utf-8"))
        title = (titles or {}).get(source_id, f"Text {source_id}")
        entries.append(
            f'[[source]]\nid = "{source_id}"\nfile = "sources/{source_id}.txt"\n'
            f'title = "{title}"\noutlet = "Outlet {source_id}"\npublished = "2024-01-01"\n'
        )
    (bundle / "sources.toml").write_text("\n".join(entries), encoding="utf-8")
    (bundle / "kb.toml").write_text("", encoding="utf-8")
    path = root / "kb.db"
    import_bundle(bundle, path)
    return path


@pytest.fixture
def sample(sample_db: Path) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(sample_db)
    yield conn
    conn.close()


def texts_of(conn: sqlite3.Connection) -> dict[str, str]:
    return dict(conn.execute("SELECT id, text FROM sources"))


def sources_holding(conn: sqlite3.Connection, word: str) -> set[str]:
    """Ids of the sources whose title or text holds `word` as a whole word, any case."""
    pattern = re.compile(rf"(?<![^\W_]){re.escape(word)}(?![^\W_])", re.IGNORECASE)
    return {i for i, title, text in conn.execute("SELECT id, title, text FROM sources") if pattern.search(title + text)}


def collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def words(text: str) -> list[str]:
    return [w.casefold() for w in re.findall(r"[^\W_]+", text)]


def check_passage(p: Passage, text: str) -> None:
    """The passage's offsets are its hit in `text`; its context is the text
    around it on one line."""
    assert 0 <= p.start <= p.end <= len(text)
    assert p.hit == collapse(text[p.start : p.end])
    before = ("…" if p.start > CONTEXT else "") + collapse(text[max(0, p.start - CONTEXT) : p.start])
    after = collapse(text[p.end : p.end + CONTEXT]) + ("…" if p.end + CONTEXT < len(text) else "")
    assert (p.before, p.after) == (before, after)
    for part in (p.before, p.hit, p.after):
        assert "\n" not in part and "\r" not in part


def check_all(conn: sqlite3.Connection, passages: list[Passage]) -> None:
    texts = texts_of(conn)
    for p in passages:
        check_passage(p, texts[p.source_id])


def runs_from_word_to_word(text: str, start: int, end: int, word: str, prefix: bool = False) -> bool:
    """text[start:end] begins with the whole word `word` and ends with one
    (a prefix: with words it begins), any case: nothing else at its edges."""
    if start == end or (start > 0 and text[start - 1].isalnum()) or (end < len(text) and text[end].isalnum()):
        return False
    found: list[str] = re.findall(r"[^\W_]+", text[start:end])
    if not found or text[start : start + len(found[0])] != found[0] or text[end - len(found[-1]) : end] != found[-1]:
        return False  # something else than a word at an edge
    if prefix:
        return found[0].casefold().startswith(word.casefold()) and found[-1].casefold().startswith(word.casefold())
    return found[0].casefold() == found[-1].casefold() == word.casefold()


def hit_count(text: str, word: str) -> int:
    return words(text).count(word.casefold())


# --- offsets and context ------------------------------------------------------------------


@pytest.mark.parametrize("word", ["Patrushev", "patrushev", "SECURITY", "Moscow", "the"])
def test_each_passage_is_its_hit_in_the_text(sample: sqlite3.Connection, word: str) -> None:
    result = grep(sample, word, limit=100)
    assert result.passages and result.sources == len(sources_holding(sample, word))
    texts = texts_of(sample)
    for p in result.passages:
        check_passage(p, texts[p.source_id])
        # a passage runs from a hit to a hit (hits close together share one)
        assert runs_from_word_to_word(texts[p.source_id], p.start, p.end, word)


def test_a_phrase_matches_its_words_in_order_only(sample: sqlite3.Connection) -> None:
    result = grep(sample, '"state security"')
    assert result.sources == 2 and len(result.passages) == 2
    texts = texts_of(sample)
    for p in result.passages:
        check_passage(p, texts[p.source_id])
        assert collapse(texts[p.source_id][p.start : p.end]).casefold() == "state security"
    assert grep(sample, '"security state"').sources == 0
    # unquoted, the words may be anywhere in the source
    assert grep(sample, "security state").sources >= 2


def test_a_prefix_matches_the_words_it_begins(sample: sqlite3.Connection) -> None:
    result = grep(sample, "secur*", limit=100)
    assert result.sources == 4
    check_all(sample, result.passages)
    texts = texts_of(sample)
    for p in result.passages:
        assert runs_from_word_to_word(texts[p.source_id], p.start, p.end, "secur", prefix=True)
    assert grep(sample, "secur").sources == 0  # without the star, a whole word


def test_case_and_accents_are_folded(tmp_path: Path) -> None:
    gap = " and so on" * 10  # more than CONTEXT: hits on either side are passages of their own
    kb = build_kb(tmp_path, {"acc": f"Le Café Crème à Montréal.{gap}\nÉLÉPHANT and éléphant{gap}; cafe latte."})
    conn = sqlite3.connect(kb)
    text = texts_of(conn)["acc"]
    for query, expected in [
        ("cafe", ["Café", "cafe"]),
        ("CAFÉ", ["Café", "cafe"]),
        ("montreal", ["Montréal"]),
        ("MONTRÉAL", ["Montréal"]),
        ("elephant", ["ÉLÉPHANT and éléphant"]),  # close together: one passage
        ("crème à", ["Crème à"]),
    ]:
        result = grep(conn, query)
        assert [text[p.start : p.end] for p in result.passages] == expected, query
        check_all(conn, result.passages)


def test_case_does_not_matter_on_the_sample(sample: sqlite3.Connection) -> None:
    assert grep(sample, "PATRUSHEV") == grep(sample, "patrushev") == grep(sample, "Patrushev")


def test_a_hyphenated_word_is_found_whole(sample: sqlite3.Connection) -> None:
    texts = texts_of(sample)
    assert "Sino-Russian" in texts["examiner-spy-chiefs-moscow"]
    for query in ["Sino-Russian", "sino-russian", '"sino russian"', "Sino-Rus*"]:
        result = grep(sample, query)
        assert {p.source_id for p in result.passages} == {"examiner-spy-chiefs-moscow"}, query
        check_all(sample, result.passages)
        assert [texts[p.source_id][p.start : p.end] for p in result.passages] == ["Sino-Russian"], query


def test_hits_close_together_share_a_passage(tmp_path: Path) -> None:
    text = "Zebra zebra ZEBRA zebra and more zebra. " + "filler " * 50 + "zebra at the end."
    conn = sqlite3.connect(build_kb(tmp_path, {"many": text}))
    result = grep(conn, "zebra")
    assert [(p.start, p.end) for p in result.passages] == [(0, 38), (text.rindex("zebra"), text.rindex("zebra") + 5)]
    assert result.passages[0].hit == "Zebra zebra ZEBRA zebra and more zebra"
    check_all(conn, result.passages)


def test_passages_of_a_source_are_apart_on_the_sample(sample: sqlite3.Connection) -> None:
    result = grep(sample, "the", limit=1000)
    by_source: dict[str, list[Passage]] = {}
    for p in result.passages:
        by_source.setdefault(p.source_id, []).append(p)
    for passages in by_source.values():
        assert len(passages) <= PASSAGES_PER_SOURCE
        for a, b in itertools.pairwise(passages):
            assert b.start - a.end > CONTEXT  # else they would share one


def test_a_title_only_match_gives_the_text_start(tmp_path: Path) -> None:
    conn = sqlite3.connect(
        build_kb(tmp_path, {"titled": "Nothing about the animal here."}, titles={"titled": "Okapi report"})
    )
    result = grep(conn, "okapi")
    assert result.sources == 1
    (p,) = result.passages
    assert (p.start, p.end, p.hit, p.before) == (0, 0, "", "")
    assert p.after.startswith("Nothing about")


# --- FTS5 syntax is literal -------------------------------------------------------------------


@pytest.mark.parametrize("word", ["NOT", "OR", "AND", "NEAR", "not", "near"])
def test_operator_words_are_plain_words(sample: sqlite3.Connection, word: str) -> None:
    result = grep(sample, word, limit=1000)
    assert {p.source_id for p in result.passages} == sources_holding(sample, word)
    check_all(sample, result.passages)


@pytest.mark.parametrize(
    "query",
    [
        "state NOT security",
        "security OR xyzzy",
        "NEAR(state security)",
        "NEAR(state security, 5)",
        "state AND security",
        "(state",
        "security)",
        "text:Patrushev",
        "title:Patrushev",
        "{title}: Patrushev",
        "^Patrushev",
        "-Patrushev",
        "+Patrushev",
        "Patrushev*  *",
        '"state security',
        'state security"',
        '"state" "security',
        'Patrushev "',
        'a"b',
        "state*security",
        "Patrushev\x00",
        "\u202eevil",
        "x" * 1_000_000,
        "patrushev " * 100_000,
        '"' * 100 + "state",
    ],
    ids=lambda q: repr(q[:30]),
)
def test_fts5_syntax_never_raises(sample: sqlite3.Connection, query: str) -> None:
    result = grep(sample, query)
    check_all(sample, result.passages)


def test_fts5_syntax_means_itself(sample: sqlite3.Connection) -> None:
    # every word is required: NOT and OR are words to find, not operators
    assert grep(sample, "state NOT security").sources == len(
        sources_holding(sample, "state") & sources_holding(sample, "not") & sources_holding(sample, "security")
    )
    assert grep(sample, "security OR xyzzy").sources == 0
    # a colon is no column filter: "text" is a word to find beside Patrushev
    assert grep(sample, "Patrushev").sources == 2
    assert grep(sample, "text:Patrushev").sources == 0
    # ^ is no "first token" anchor, - and + are not operators
    for query in ["^Patrushev", "-Patrushev", "+Patrushev", "Patrushev:"]:
        assert grep(sample, query) == grep(sample, "Patrushev"), query
    # an unclosed quote still makes a phrase
    assert grep(sample, '"state security') == grep(sample, '"state security"')


@pytest.mark.parametrize(
    "query",
    # underscores separate words, as FTS5's tokenizer has it: "_" is no word
    [
        "",
        "   ",
        "(",
        ")",
        "()",
        ":",
        "^",
        "*",
        "**",
        '"',
        '""',
        '" "',
        "- + ^ *",
        "\n\t",
        "_",
        "__*",
        '"___"*',
        "( " * 500_000,
    ],
    ids=lambda q: repr(q[:30]),
)
def test_a_query_with_no_word_raises_bad_query(sample: sqlite3.Connection, query: str) -> None:
    with pytest.raises(BadQuery):
        fts_query(query)
    with pytest.raises(BadQuery):
        grep(sample, query)


def test_fts_query_quotes_every_part() -> None:
    assert fts_query('NOT "state security" secur* (x)') == '"NOT" AND "state security" AND "secur"* AND "x"'


# --- limits ---------------------------------------------------------------------------------


def spread_text(hits: int, word: str = "zebra") -> str:
    """`hits` occurrences of `word`, each far enough from the next
    (more than CONTEXT characters) to be a passage of its own."""
    gap = " ".join(["filler"] * (CONTEXT // 6 + 5))
    return f" {gap} ".join(f"{word} {n}" for n in range(hits)) + " end."


@pytest.fixture
def spread_kb(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    kb = build_kb(tmp_path, {"spread": spread_text(PASSAGES_PER_SOURCE + 2), "single": spread_text(1)})
    conn = sqlite3.connect(kb)
    yield conn
    conn.close()


def test_at_most_passages_per_source_and_more_counts_the_rest(spread_kb: sqlite3.Connection) -> None:
    result = grep(spread_kb, "zebra")
    spread = [p for p in result.passages if p.source_id == "spread"]
    assert len(spread) == PASSAGES_PER_SOURCE
    assert [p.more for p in spread] == [0] * (PASSAGES_PER_SOURCE - 1) + [2]
    assert [p.more for p in result.passages if p.source_id == "single"] == [0]
    check_all(spread_kb, result.passages)


@pytest.mark.parametrize("limit", [1, 2, 3, 4, 5, 20])
def test_limit_is_respected_and_more_counts_every_hit_not_shown(spread_kb: sqlite3.Connection, limit: int) -> None:
    """`more`: the hits of the source not shown as passages, whether the
    per-source cap or the limit left them out."""
    result = grep(spread_kb, "zebra", limit=limit)
    assert len(result.passages) == min(limit, PASSAGES_PER_SOURCE + 1)
    assert result.sources == 2
    texts = texts_of(spread_kb)
    for source_id, text in texts.items():
        shown = [p for p in result.passages if p.source_id == source_id]
        if not shown:
            continue
        hits_shown = sum(hit_count(text[p.start : p.end], "zebra") for p in shown)
        assert hits_shown + sum(p.more for p in shown) == hit_count(text, "zebra"), (source_id, shown)


@pytest.mark.parametrize("limit", [1, 2, 5, 1000])
def test_limit_on_the_sample(sample: sqlite3.Connection, limit: int) -> None:
    result = grep(sample, "the", limit=limit)
    assert len(result.passages) <= limit
    assert result.sources == 5
    assert len(result.passages) == min(limit, 5 * PASSAGES_PER_SOURCE)


# --- ranking -------------------------------------------------------------------------------

RANKING_TEXTS = {
    # imported in this order: "many" has the lowest rowid, "other" the highest
    "many": "Okapi okapi. The okapi is shy, and an okapi eats leaves; one okapi runs. Okapi!",
    "once": "One okapi was seen in the forest by a ranger, who noted it in the logbook then.",
    "none": "Nothing to see in this forest at all, only trees and birds and a very long path.",
    "other": "Another forest text with neither animal in it, only words about trees and rain.",
}


def test_most_hits_rank_first(tmp_path: Path) -> None:
    conn = sqlite3.connect(build_kb(tmp_path, RANKING_TEXTS))
    result = grep(conn, "okapi")
    assert result.ranked and result.sources == 2
    assert list(dict.fromkeys(p.source_id for p in result.passages)) == ["many", "once"]
    check_all(conn, result.passages)


def test_above_rank_limit_the_latest_imported_come_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    conn = sqlite3.connect(build_kb(tmp_path, RANKING_TEXTS))
    monkeypatch.setattr(grep_module, "RANK_LIMIT", 1)
    result = grep(conn, "okapi")
    assert not result.ranked and result.sources == 2
    rowids = dict(conn.execute("SELECT id, rowid FROM sources"))
    order = list(dict.fromkeys(p.source_id for p in result.passages))
    assert order == sorted(["many", "once"], key=rowids.__getitem__, reverse=True) == ["once", "many"]
    check_all(conn, result.passages)
    # at the limit itself, still ranked
    monkeypatch.setattr(grep_module, "RANK_LIMIT", 2)
    assert grep(conn, "okapi").ranked


# --- the marker character ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "a \x01 b zebra c",
        "a \x02 b zebra c",
        "a zebra \x01 b",
        "a zebra \x02 b",
        "a \x01 zebra \x02 b",
        "a \x02 zebra \x01 b",
        "\x01\x02 zebra",
        "zebra \x02\x01 zebra",
        "a \x01\x01 zebra then " + "far " * 30 + "zebra",
    ],
    ids=repr,
)
def test_a_text_holding_the_marker_gives_no_wrong_offsets(tmp_path: Path, text: str) -> None:
    """The highlight markers are \\x01 and \\x02: a text holding one either
    gets its exact hits or falls back to its start, never a span that is
    not a hit."""
    conn = sqlite3.connect(build_kb(tmp_path, {"ctrl": text}))
    assert texts_of(conn)["ctrl"] == text  # the importer keeps the characters
    result = grep(conn, "zebra")
    assert result.sources == 1 and result.passages
    for p in result.passages:
        check_passage(p, text)
        if (p.start, p.end) == (0, 0):
            continue  # the fallback: the text's start
        assert runs_from_word_to_word(text, p.start, p.end, "zebra"), (p.start, p.end, text[p.start : p.end])


# --- FtM records ----------------------------------------------------------------------------------


@pytest.fixture
def ftm_kb(tmp_path: Path, mini_db: Path) -> Path:
    kb = tmp_path / "ftm.db"
    shutil.copy(mini_db, kb)
    import_ftm(FTM_SNAPSHOT, kb)
    return kb


def test_text_only_leaves_out_imported_records(ftm_kb: Path) -> None:
    conn = sqlite3.connect(ftm_kb)
    formats = dict(conn.execute("SELECT id, format FROM sources"))
    every = grep(conn, "Moscow", limit=100)
    assert {formats[p.source_id] for p in every.passages} == {"text", "ftm"}
    check_all(conn, every.passages)  # a record's text is its JSON line: offsets hold there too
    texts = grep(conn, "Moscow", limit=100, text_only=True)
    assert {p.source_id for p in texts.passages} == {"mini"}
    assert texts.sources == 1 < every.sources
    assert texts.passages == [p for p in every.passages if p.source_id == "mini"]
    # only in records: nothing among the texts
    assert grep(conn, "Sidorov").sources >= 1
    assert grep(conn, "Sidorov", text_only=True) == grep_module.Result([], 0, True)


def test_text_only_unranked(ftm_kb: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(grep_module, "RANK_LIMIT", 0)
    conn = sqlite3.connect(ftm_kb)
    result = grep(conn, "Moscow", text_only=True)
    assert not result.ranked and {p.source_id for p in result.passages} == {"mini"}


# --- the command -------------------------------------------------------------------------------------


def run(db: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", str(db), "grep", *args], catch_exceptions=False, env={"COLUMNS": "200"})


def test_cli_table_shows_where_each_passage_is(sample_db: Path) -> None:
    r = run(sample_db, "Patrushev")
    assert r.exit_code == 0, r.stderr
    assert "examiner-spy-chiefs-moscow" in r.stdout and "Washington Examiner" in r.stdout
    assert "nr-chen-russia-trip" in r.stdout and "National Review" in r.stdout and "2024-05-03" in r.stdout
    assert "2 source(s) hold it" in r.stdout and "best first" in r.stdout
    conn = sqlite3.connect(sample_db)
    for p in grep(conn, "Patrushev").passages:
        assert f"{p.start}-{p.end}" in r.stdout


def test_cli_json_shape(sample_db: Path) -> None:
    r = run(sample_db, '"state security"', "--json")
    assert r.exit_code == 0, r.stderr
    data = json.loads(r.stdout)
    assert set(data) == {"sources", "ranked", "passages"}
    assert data["ranked"] is True and data["sources"] == 2 and len(data["passages"]) == 2
    conn = sqlite3.connect(sample_db)
    texts = texts_of(conn)
    assert data["passages"] == [p.as_json() for p in grep(conn, '"state security"').passages]
    for p in data["passages"]:
        assert set(p) == PASSAGE_KEYS
        assert collapse(texts[p["source"]][p["start"] : p["end"]]).casefold() == "state security"


def test_cli_words_are_one_query(sample_db: Path) -> None:
    r = run(sample_db, "state", "security", "moscow", "--json")
    assert r.exit_code == 0, r.stderr
    conn = sqlite3.connect(sample_db)
    expected = grep(conn, "state security moscow")
    assert json.loads(r.stdout) == {
        "sources": expected.sources,
        "ranked": expected.ranked,
        "passages": [p.as_json() for p in expected.passages],
    }


def test_cli_limit_and_texts(sample_db: Path, ftm_kb: Path) -> None:
    r = run(sample_db, "the", "--limit", "2", "--json")
    assert r.exit_code == 0 and len(json.loads(r.stdout)["passages"]) == 2
    r = run(ftm_kb, "Moscow", "--texts", "--json")
    assert r.exit_code == 0 and {p["source"] for p in json.loads(r.stdout)["passages"]} == {"mini"}
    r = run(ftm_kb, "Sidorov", "--texts")
    assert r.exit_code == 1


def test_cli_exit_1_when_nothing_found(sample_db: Path) -> None:
    r = run(sample_db, "xyzzyqq")
    assert r.exit_code == 1 and "no source holds" in r.stderr and "Traceback" not in r.output
    r = run(sample_db, "xyzzyqq", "--json")
    assert r.exit_code == 1 and json.loads(r.stdout) == {"sources": 0, "ranked": True, "passages": []}


@pytest.mark.parametrize("args", [["(("], ["*"], [":", "^"], ['"'], ["((", "--json"], ["--", "-"]])
def test_cli_exit_2_for_a_query_with_no_word(sample_db: Path, args: list[str]) -> None:
    r = run(sample_db, *args)
    assert r.exit_code == 2
    assert r.stdout == ""
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("kbtui:"), r.stderr
    assert "Traceback" not in r.output


def test_underscores_separate_as_the_tokenizer_does_and_a_quoted_prefix_keeps_its_star(sample_db: Path) -> None:
    conn = sqlite3.connect(sample_db)
    assert fts_query("Patrushev _") == '"Patrushev"'
    assert grep(conn, "Patrushev _").sources == grep(conn, "Patrushev").sources
    assert fts_query('"Security Coun"*') == '"Security Coun"*'
    assert grep(conn, '"Security Coun"*').sources >= 1
