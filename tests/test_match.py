"""Screening a CSV list of names against the KB (kbtui.kb.screen and
`kbtui match`): the right first candidate for typos, surname first and
aliases, a "no match" line for the rest, rows in input order; columns found
by their headers; a birth date and a country reordering two people of the
same name, with the reasons; bad files refused with one line and exit 2;
the parallel path giving exactly what the serial one gives."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kbtui.cli import main
from kbtui.kb import db, index, screen
from kbtui.kb.screen import Candidate, Columns, ListError, Row, read_list, screen_rows

HEADER = ["row", "query", "rank", "id", "name", "kind", "score", "matched", "reason"]
Run = Callable[..., Result]


# -- helpers -------------------------------------------------------------------


def write(tmp_path: Path, content: str | bytes, name: str = "list.csv") -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8", newline="")
    else:
        path.write_bytes(content)
    return path


def lines_of(r: Result) -> list[dict[str, str]]:
    text = r.stdout
    assert text.splitlines()[0].split(",") == HEADER
    return list(csv.DictReader(io.StringIO(text)))


def by_row(lines: list[dict[str, str]]) -> dict[int, list[dict[str, str]]]:
    out: dict[int, list[dict[str, str]]] = {}
    for line in lines:
        out.setdefault(int(line["row"]), []).append(line)
    return out


def assert_clean_failure(r: Result, *wanted: str, code: int = 2) -> str:
    """One message, the exit code, no traceback; the message's text."""
    assert r.exit_code == code, (r.exit_code, r.stdout, r.stderr, r.exception)
    assert isinstance(r.exception, SystemExit), repr(r.exception)
    assert "Traceback" not in r.stderr and "Traceback" not in r.stdout
    message = r.stderr.strip().splitlines()[-1]
    for w in wanted:
        assert w in message, (w, r.stderr)
    return message


@pytest.fixture
def run(sample_db: Path) -> Run:
    runner = CliRunner()

    def invoke(*args: str, kb: Path = sample_db) -> Result:
        return runner.invoke(main, ["--db", str(kb), "match", *args])

    return invoke


# -- a list against the sample -------------------------------------------------

LIST = (
    "name,note\n"
    "Nikolai Patrushv,a typo\n"  # 1
    "Patrushev Nikolai,surname first\n"  # 2
    "Haines,an alias\n"  # 3
    ",empty\n"  # 4
    "Zzyzx Quarmbly,not in the KB\n"  # 5
    "Xi Jinping,exact\n"  # 6
    "Chen Wenqing Patrushev meeting,an event\n"  # 7
    "   ,blank\n"  # 8
    "Chen Wenqing,exact\n"  # 9
)


def test_list_first_candidates_no_match_lines_and_input_order(run: Run, tmp_path: Path) -> None:
    r = run(str(write(tmp_path, LIST)), "--workers", "1")
    assert r.exit_code == 0, r.stderr
    lines = lines_of(r)
    rows = by_row(lines)
    # every row once, in input order, its lines together
    order = [int(line["row"]) for line in lines]
    assert order == sorted(order) and sorted(rows) == list(range(1, 10))
    first = {n: got[0] for n, got in rows.items()}
    assert first[1]["id"] == "nikolai-patrushev" and first[1]["query"] == "Nikolai Patrushv"
    assert first[2]["id"] == "nikolai-patrushev"
    assert first[3]["id"] == "avril-haines" and first[3]["matched"] == "Haines"
    assert first[6]["id"] == "xi-jinping" and float(first[6]["score"]) == 100.0 and first[6]["reason"] == "exact"
    assert first[9]["id"] == "chen-wenqing"
    for n in (4, 5, 8):  # empty, blank, unknown: one line, no candidate
        assert rows[n] == [
            {
                "row": str(n),
                "query": "" if n != 5 else "Zzyzx Quarmbly",
                "rank": "",
                "id": "",
                "name": "",
                "kind": "",
                "score": "",
                "matched": "",
                "reason": "no match",
            }
        ]
    # the typo is below an exact name; ranks count from 1, scores fall
    assert float(first[1]["score"]) < 100.0
    for got in rows.values():
        if got[0]["id"]:
            assert [int(g["rank"]) for g in got] == list(range(1, len(got) + 1))
            scores = [float(g["score"]) for g in got]
            assert scores == sorted(scores, reverse=True) and all(0 <= s <= 100 for s in scores)
            assert all(g["kind"] in ("person", "organisation") and g["reason"] for g in got)
    # a note on stderr, never in the CSV
    assert "screening" in r.stderr and "'name'" in r.stderr and "9 rows" in r.stderr
    assert "kbtui:" not in r.stdout


def test_top_is_respected(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path, "name\nXi\nChen\nSecurity Service\nnothing like it zzq\n")
    one = by_row(lines_of(run(str(path), "--top", "1", "--workers", "1")))
    five = by_row(lines_of(run(str(path), "--top", "5", "--workers", "1")))
    assert all(len(got) == 1 for got in one.values())
    assert all(len(got) <= 5 for got in five.values())
    assert len(five[1]) > 1  # "Xi" has more than one candidate
    # the first of each row is the same whatever --top
    assert {n: got[0]["id"] for n, got in one.items()} == {n: got[0]["id"] for n, got in five.items()}
    assert run(str(path), "--top", "0").exit_code == 2


def test_json_shape(run: Run, tmp_path: Path) -> None:
    r = run(str(write(tmp_path, LIST)), "--json", "--top", "2", "--workers", "1")
    assert r.exit_code == 0, r.stderr
    data = json.loads(r.stdout)
    assert [item["row"] for item in data] == list(range(1, 10))
    for item in data:
        assert set(item) == {"row", "query", "birth", "country", "candidates"}
        assert item["birth"] is None and item["country"] is None  # no such columns
        assert len(item["candidates"]) <= 2
        for c in item["candidates"]:
            assert set(c) == {"id", "kind", "name", "score", "matched", "reason"}
            assert isinstance(c["score"], float) and 0 <= c["score"] <= 100
            assert c["matched"] is None or isinstance(c["matched"], str)
    assert data[0]["query"] == "Nikolai Patrushv" and data[0]["candidates"][0]["id"] == "nikolai-patrushev"
    assert data[2]["candidates"][0] | {"score": 0} == {
        "id": "avril-haines",
        "kind": "person",
        "name": "Avril Haines",
        "score": 0,
        "matched": "Haines",
        "reason": data[2]["candidates"][0]["reason"],
    }
    assert data[3]["query"] == "" and data[3]["candidates"] == []
    assert data[4]["candidates"] == []


def test_json_carries_birth_and_country(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path, "Full Name,DOB,Nationality\nChen Wenqing,1960,China\nXi Jinping,,\n")
    data = json.loads(run(str(path), "--json", "--workers", "1").stdout)
    assert (data[0]["birth"], data[0]["country"]) == ("1960", "China")
    assert (data[1]["birth"], data[1]["country"]) == (None, None)
    assert "country China: matches" in data[0]["candidates"][0]["reason"]


def test_any_kind_lets_events_through(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path, "name\nChen Wenqing Patrushev meeting\nChen\n")
    default = lines_of(run(str(path), "--workers", "1", "--top", "10"))
    assert all(line["kind"] in ("person", "organisation", "") for line in default)
    anyk = by_row(lines_of(run(str(path), "--workers", "1", "--top", "10", "--any-kind")))
    assert anyk[1][0]["kind"] == "event" and anyk[1][0]["id"] == "chen-patrushev-moscow-meeting"
    assert any(line["kind"] == "event" for line in anyk[2])


# -- columns -------------------------------------------------------------------


def test_columns_found_by_header(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path, "ID,Full Name,DOB,Nationality\nx1,Xi Jinping,1953-06-15,China\n")
    cols, rows = read_list(path)
    assert cols == Columns("Full Name", "DOB", "Nationality")
    assert list(rows) == [Row(1, "Xi Jinping", "1953-06-15", "China")]
    r = run(str(path), "--workers", "1")
    assert r.exit_code == 0 and lines_of(r)[0]["id"] == "xi-jinping"
    assert "'Full Name'" in r.stderr and "'DOB'" in r.stderr and "'Nationality'" in r.stderr


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (" full name , Date of Birth ,COUNTRY", Columns(" full name ", " Date of Birth ", "COUNTRY")),
        ("caption,birth_date,citizenship", Columns("caption", "birth_date", "citizenship")),
        ("Nom,Pays", Columns("Nom", None, None)),  # nothing known: the first column
        ("ref,Nom,born", Columns("ref", "born", None)),
    ],
)
def test_column_detection_variants(tmp_path: Path, header: str, expected: Columns) -> None:
    cols, _ = read_list(write(tmp_path, header + "\n"))
    assert cols == expected


def test_first_column_fallback_and_named_columns(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path, "Nom,ref,Geburt,Land\nXi Jinping,z,1953,China\nHaines,y,,\n")
    r = run(str(path), "--workers", "1")
    assert r.exit_code == 0 and [line["id"] for line in lines_of(r)] == ["xi-jinping", "avril-haines"]
    cols, rows = read_list(path, "Nom", "Geburt", "Land")
    assert cols == Columns("Nom", "Geburt", "Land")
    assert next(rows) == Row(1, "Xi Jinping", "1953", "China")
    r = run(str(path), "--name-column", "ref", "--workers", "1", "--json")
    assert [item["query"] for item in json.loads(r.stdout)] == ["z", "y"]


@pytest.mark.parametrize("option", ["--name-column", "--birth-column", "--country-column"])
def test_a_named_column_that_does_not_exist(run: Run, tmp_path: Path, option: str) -> None:
    path = write(tmp_path, "name,dob,notes\nXi Jinping,1953,x\n")
    r = run(str(path), option, "Nom de famille", "--workers", "1")
    message = assert_clean_failure(r, str(path), "'Nom de famille'", "'name'", "'dob'", "'notes'")
    assert message.startswith("kbtui: ")
    assert r.stdout == ""  # refused before any output
    with pytest.raises(ListError):
        read_list(path, **{option[2:].split("-")[0]: "Nom de famille"})


# -- birth date and country ----------------------------------------------------

# (id, kind, name)
KB_ENTITIES = [
    ("russia", "country", "Russia"),
    ("ukraine", "country", "Ukraine"),
    ("ivan-petrov-1951", "person", "Ivan Petrov"),
    ("ivan-petrov-1975", "person", "Ivan Petrov"),
    ("ivan-petrov-nodata", "person", "Ivan Petrovich"),
    ("petrov-holdings", "organisation", "Petrov Holdings"),
]
KB_ALIASES = [("ivan-petrov-1951", "Vanya Petrov")]
KB_PROPERTIES = [
    ("ivan-petrov-1951", "birth-date", "1951-07-11"),
    ("ivan-petrov-1951", "nationality", "russia"),
    ("ivan-petrov-1975", "birth-date", "1975-03-02"),
    ("ivan-petrov-1975", "nationality", "ukraine"),
    ("petrov-holdings", "country", "Cyprus"),
]


@pytest.fixture(scope="module")
def petrov_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("petrov") / "kb.db"
    conn = db.connect_writable(path, create=True)
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO entities (id, kind, name) VALUES (?, ?, ?)", KB_ENTITIES)
    conn.executemany("INSERT INTO aliases (entity_id, alias, kind) VALUES (?, ?, 'alias')", KB_ALIASES)
    for i, (entity, prop, value) in enumerate(KB_PROPERTIES):
        conn.execute("INSERT INTO claims (id, kind) VALUES (?, 'property')", (f"prop-{i}",))
        conn.execute(
            "INSERT INTO properties (claim_id, entity_id, property, value) VALUES (?, ?, ?, ?)",
            (f"prop-{i}", entity, prop, value),
        )
    index.rebuild_names(conn)
    conn.execute("COMMIT")
    conn.close()
    return path


def screened(kb: Path, name: str, birth: str = "", country: str = "", top: int = 5) -> list[Candidate]:
    conn = db.connect_readonly(kb)
    try:
        [(_, found)] = screen_rows(conn, [Row(1, name, birth, country)], top)
    finally:
        conn.close()
    return found


def of(found: list[Candidate], entity_id: str) -> Candidate:
    return next(c for c in found if c.id == entity_id)


@pytest.mark.parametrize(
    ("birth", "country", "winner", "loser", "win_reason", "lose_reason"),
    [
        (
            "1975-03-02",
            "",
            "ivan-petrov-1975",
            "ivan-petrov-1951",
            "born 1975-03-02: matches",
            "born 1951-07-11, not 1975-03-02",
        ),
        (
            "1951-07-11",
            "",
            "ivan-petrov-1951",
            "ivan-petrov-1975",
            "born 1951-07-11: matches",
            "born 1975-03-02, not 1951-07-11",
        ),
        ("1951", "", "ivan-petrov-1951", "ivan-petrov-1975", "born 1951: fits", "born 1975-03-02, not 1951"),
        (
            "",
            "Ukraine",
            "ivan-petrov-1975",
            "ivan-petrov-1951",
            "country Ukraine: matches",
            "country Russia, not Ukraine",
        ),
        (
            "",
            "russia",
            "ivan-petrov-1951",
            "ivan-petrov-1975",
            "country Russia: matches",
            "country Ukraine, not russia",
        ),
        (
            "1975",
            "Ukraine",
            "ivan-petrov-1975",
            "ivan-petrov-1951",
            "country Ukraine: matches",
            "country Russia, not Ukraine",
        ),
    ],
)
def test_birth_and_country_reorder_two_same_named_people(
    petrov_db: Path, birth: str, country: str, winner: str, loser: str, win_reason: str, lose_reason: str
) -> None:
    found = screened(petrov_db, "Ivan Petrov", birth, country)
    assert found[0].id == winner
    w, lo = of(found, winner), of(found, loser)
    assert w.score > lo.score
    assert w.reasons[0] == "exact" and w.score == 100.0  # an exact name with agreeing facts
    assert any(reason.startswith(win_reason) for reason in w.reasons), w.reasons
    assert lose_reason in lo.reasons, lo.reasons
    # the person with no recorded facts is neither raised nor lowered
    bare = {c.id: c.score for c in screened(petrov_db, "Ivan Petrov")}
    if "ivan-petrov-nodata" in bare:
        assert of(found, "ivan-petrov-nodata").score == bare["ivan-petrov-nodata"]


def test_both_orders_from_the_cli_with_reasons(run: Run, tmp_path: Path, petrov_db: Path) -> None:
    path = write(
        tmp_path,
        "Full Name,DOB,Nationality\nIvan Petrov,1975-03-02,Ukraine\nIvan Petrov,1951-07-11,Russia\n",
    )
    rows = by_row(lines_of(run(str(path), "--workers", "1", kb=petrov_db)))
    petrovs = {"ivan-petrov-1951", "ivan-petrov-1975"}
    first, second = ([line for line in rows[n] if line["id"] in petrovs] for n in (1, 2))
    assert [line["id"] for line in first] == ["ivan-petrov-1975", "ivan-petrov-1951"]
    assert [line["id"] for line in second] == ["ivan-petrov-1951", "ivan-petrov-1975"]
    assert rows[1][0] == first[0] and rows[2][0] == second[0]
    assert first[0]["reason"] == "exact; born 1975-03-02: matches; country Ukraine: matches"
    assert first[1]["reason"] == "exact; born 1951-07-11, not 1975-03-02; country Russia, not Ukraine"
    assert (float(first[0]["score"]), float(first[1]["score"])) == (100.0, 70.0)
    assert "born 1975-03-02, not 1951-07-11" in second[1]["reason"]
    assert "country Ukraine, not Russia" in second[1]["reason"]


def test_a_different_birth_date_lowers_the_score(petrov_db: Path) -> None:
    base = of(screened(petrov_db, "Ivan Petrof"), "ivan-petrov-1951").score
    assert base < 100.0  # a typo
    other = of(screened(petrov_db, "Ivan Petrof", "1940-01-01"), "ivan-petrov-1951")
    assert other.score == pytest.approx(base - 20.0)
    assert "born 1951-07-11, not 1940-01-01" in other.reasons
    other_country = of(screened(petrov_db, "Ivan Petrof", "", "France"), "ivan-petrov-1951")
    assert other_country.score == pytest.approx(base - 10.0)
    assert "country Russia, not France" in other_country.reasons


def test_a_different_full_date_in_the_same_year_is_not_a_match(petrov_db: Path) -> None:
    """1951-02-01 and 1951-07-11 are two complete birth dates that differ:
    they cannot both be this person's. Not a reason to raise the score."""
    base = of(screened(petrov_db, "Ivan Petrof"), "ivan-petrov-1951").score
    c = of(screened(petrov_db, "Ivan Petrof", "1951-02-01"), "ivan-petrov-1951")
    assert c.score < base, c.reasons
    assert not any("same year" in r or "matches" in r for r in c.reasons), c.reasons


def test_a_typo_never_reaches_100_by_facts_alone(petrov_db: Path) -> None:
    found = screened(petrov_db, "Ivan Petrof", "1951-07-11", "Russia")
    c = of(found, "ivan-petrov-1951")
    assert c.reasons[0] != "exact"
    assert "born 1951-07-11: matches" in c.reasons and "country Russia: matches" in c.reasons
    assert 90.0 < c.score < 100.0
    assert found[0].id == "ivan-petrov-1951"
    # the exact name with the same facts is certain, and never above 100
    exact = of(screened(petrov_db, "Ivan Petrov", "1951-07-11", "Russia"), "ivan-petrov-1951")
    assert exact.score == 100.0


def test_scores_stay_between_0_and_100(petrov_db: Path) -> None:
    for name in ("Ivan Petrov", "Ivan Petrof", "Petrov", "I Petrov", "Vanya Petrov"):
        for birth, country in (("1900-01-01", "Atlantis"), ("1951-07-11", "Russia"), ("1975", "ukraine")):
            for c in screened(petrov_db, name, birth, country):
                assert 0.0 <= c.score <= 100.0, (name, birth, country, c)


def test_a_plain_country_property_is_compared(petrov_db: Path) -> None:
    [c] = screened(petrov_db, "Petrov Holdings", "", "cyprus")
    assert c.id == "petrov-holdings" and "country Cyprus: matches" in c.reasons
    [c] = screened(petrov_db, "Petrov Holdings", "", "Malta")
    assert "country Cyprus, not Malta" in c.reasons and c.score == 90.0


@pytest.mark.parametrize(("birth", "country"), [("1951-07-11", ""), ("", "Russia"), ("1951-07-11", "Russia")])
def test_agreeing_facts_never_lower_a_score(petrov_db: Path, birth: str, country: str) -> None:
    """An alias matched exactly reads 100; a birth date or country that
    agrees must not take it down to 99."""
    bare = of(screened(petrov_db, "Vanya Petrov"), "ivan-petrov-1951")
    assert bare.score == 100.0 and bare.matched == "Vanya Petrov"
    agreed = of(screened(petrov_db, "Vanya Petrov", birth, country), "ivan-petrov-1951")
    assert agreed.score >= bare.score, agreed


# -- bad input -----------------------------------------------------------------


def test_not_utf8_in_the_header(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path, b"n\xe4me\nXi Jinping\n")
    assert_clean_failure(run(str(path), "--workers", "1"), str(path), "not UTF-8")


@pytest.mark.parametrize("bad_row", [2, 5000])
def test_not_utf8_in_a_row_names_that_row(run: Run, tmp_path: Path, bad_row: int) -> None:
    names = [f"Person {i}".encode() for i in range(1, 6001)]
    names[bad_row - 1] = b"Pers\xffon"
    data = b"name\n" + b"\n".join(names) + b"\n"
    path = write(tmp_path, data)
    message = assert_clean_failure(run(str(path), "--workers", "1"), str(path), "not UTF-8")
    assert f"{path}:row {bad_row}:" in message


def test_a_nul_byte_is_refused_with_its_row(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path, b"name\nXi Jinping\nab\x00cd\nHaines\n")
    assert_clean_failure(run(str(path), "--workers", "1"), f"{path}:row 2")


def test_an_unclosed_quote_never_swallows_the_rows_after_it(run: Run, tmp_path: Path) -> None:
    """`"abc` opens a quote that never closes: the rows after it must not
    silently become part of one name (they would go unscreened)."""
    path = write(tmp_path, 'name\nXi Jinping\n"abc\nHaines\nWang Yi\n')
    assert_clean_failure(run(str(path), "--workers", "1"), f"{path}:row 2")


def test_an_over_long_name(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "name\nXi Jinping\n" + "a" * 2000 + "\n")
    assert_clean_failure(
        run(str(path), "--workers", "1"), f"{path}:row 2", "2,000 characters", "1,000", "KBTUI_LIMIT_NAME_CHARS"
    )
    monkeypatch.setenv("KBTUI_LIMIT_NAME_CHARS", "3000")
    r = run(str(path), "--workers", "1")
    assert r.exit_code == 0 and by_row(lines_of(r))[2][0]["reason"] == "no match"


def test_an_over_long_name_in_parallel(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(screen, "CHUNK", 7)
    names = ["Xi Jinping"] * 60
    names[39] = "b" * 2000
    path = write(tmp_path, "name\n" + "\n".join(names) + "\n")
    assert_clean_failure(run(str(path), "--workers", "2"), f"{path}:row 40", "over the limit")


def test_an_empty_file(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path, b"")
    assert_clean_failure(run(str(path), "--workers", "1"), str(path), "empty")
    with pytest.raises(ListError):
        read_list(path)


def test_a_header_and_no_rows_is_no_error(run: Run, tmp_path: Path) -> None:
    r = run(str(write(tmp_path, "name,dob\n")), "--workers", "1")
    assert r.exit_code == 0 and r.stdout == ",".join(HEADER) + "\n" and "0 rows" in r.stderr
    assert json.loads(run(str(tmp_path / "list.csv"), "--json", "--workers", "1").stdout) == []


def test_a_missing_file(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "nowhere.csv"
    assert_clean_failure(run(str(path)), str(path))
    with pytest.raises(ListError, match="cannot read"):
        read_list(path)


def test_a_directory(run: Run, tmp_path: Path) -> None:
    r = run(str(tmp_path))
    assert_clean_failure(r, "directory")
    with pytest.raises(ListError):
        read_list(tmp_path)


def test_a_bom_is_fine(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path, "\ufeffname,DOB\nXi Jinping,1953\n")
    cols, rows = read_list(path)
    assert cols == Columns("name", "DOB", None) and list(rows) == [Row(1, "Xi Jinping", "1953")]
    r = run(str(path), "--workers", "1")
    assert r.exit_code == 0 and lines_of(r)[0]["id"] == "xi-jinping"


# -- in parallel ---------------------------------------------------------------

QUERIES = [
    ("Nikolai Patrushv", "", "Russia"),
    ("Patrushev Nikolai", "", ""),
    ("Haines", "", "United States"),
    ("", "", ""),
    ("Zzyzx Quarmbly", "", ""),
    ("Xi Jinping", "1953", "China"),
    ("Chen", "", "Russia"),
    ("Xi", "", ""),
    ("Security Service", "", ""),
    ("Vladmir Putin", "1952-10-07", ""),
    ("Wang Yi", "", "China"),
    ("Olaf Scholz", "", "Germany"),
    ("Emmanuel Macron", "", "Russia"),
]


def many_rows(n: int = 61) -> list[Row]:
    return [Row(i + 1, *QUERIES[i % len(QUERIES)]) for i in range(n)]


def test_parallel_equals_serial_and_keeps_order(sample_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(screen, "CHUNK", 7)
    rows = many_rows()
    seen: dict[int, list[int]] = {1: [], 2: []}
    serial = list(screen.screen(sample_db, iter(rows), top=3, workers=1, progress=seen[1].append))
    parallel = list(screen.screen(sample_db, iter(rows), top=3, workers=2, progress=seen[2].append))
    assert [row for row, _ in serial] == rows
    assert [row for row, _ in parallel] == rows
    assert parallel == serial
    assert [[c.as_json() for c in found] for _, found in parallel] == [
        [c.as_json() for c in found] for _, found in serial
    ]
    assert seen[1] == seen[2] == [7] * 8 + [5]
    assert any(found for _, found in serial) and any(not found for _, found in serial)
    # any kind, too
    everything = list(screen.screen(sample_db, iter(rows), top=2, workers=2, kinds=None))
    assert everything == list(screen.screen(sample_db, iter(rows), top=2, workers=1, kinds=None))


def test_parallel_cli_output_is_the_serial_output(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(screen, "CHUNK", 7)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["name", "dob", "country"])
    writer.writerows((r.name, r.birth, r.country) for r in many_rows(55))
    path = write(tmp_path, out.getvalue())
    one = run(str(path), "--workers", "1")
    two = run(str(path), "--workers", "2")
    assert one.exit_code == two.exit_code == 0
    assert two.stdout == one.stdout
    assert [int(k) for k in by_row(lines_of(two))] == list(range(1, 56))


def test_a_country_matches_by_its_aliases_but_not_its_metonyms(sample_db: Path) -> None:
    """'US' is an abbreviation of the United States: a match; 'Washington'
    only stands for it (a metonym): a different country. A cell may name
    several countries."""
    conn = db.connect_readonly(sample_db)
    try:

        def first(name: str, country: str) -> Candidate:
            return screen_rows(conn, [Row(1, name, "", country)], 1)[0][1][0]

        assert first("Avril Haines", "US").reasons[-1] == "country United States: matches"
        assert first("Avril Haines", "Washington").reasons[-1].endswith("not Washington")
        assert first("Nikolai Patrushev", "France; Russia").reasons[-1] == "country Russia: matches"
    finally:
        conn.close()
