"""CSV import: the position-keeping scanner (against csv.reader), the
mapping file's messages, and whole imports through kbtui.kb.csvin."""

from __future__ import annotations

import csv
import hashlib
import io
import shutil
import textwrap
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from kbtui.cli import main
from kbtui.kb import check, csvin, db, search
from kbtui.kb.errors import ImportFailed
from tests.kbdata import kb_data

FIXTURES = Path(__file__).parent / "fixtures" / "csv"


# -- the scanner ------------------------------------------------------------------


def rows(text: str, delimiter: str = ",", max_row: int | None = None) -> list[csvin.Row]:
    return list(csvin.scan(io.StringIO(text, newline=""), delimiter, max_row))


def values(text: str, delimiter: str = ",") -> list[list[str]]:
    return [[c.value for c in r.cells] for r in rows(text, delimiter)]


def reference(text: str, delimiter: str = ",") -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


@contextmanager
def chunk(size: int) -> Iterator[None]:
    """A tiny read size, so rows, cells, quotes and CRLFs straddle reads."""
    old = csvin.CHUNK
    csvin.CHUNK = size
    try:
        yield
    finally:
        csvin.CHUNK = old


def assert_exact(text: str, found: list[csvin.Row]) -> None:
    """Rows put back together are the text; each cell's span reads its value."""
    assert "".join(r.text + r.newline for r in found) == text
    for r in found:
        for c in r.cells:
            raw = r.text[c.start : c.end]
            assert (raw.replace('""', '"') if c.quoted else raw) == c.value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a,b\nc,d\n", [["a", "b"], ["c", "d"]]),
        ("a,b\r\nc,d", [["a", "b"], ["c", "d"]]),
        ("a\rb\r", [["a"], ["b"]]),
        ('"Smith, John",x\n', [["Smith, John", "x"]]),
        ('"two\nlines",x\r\n"crlf\r\ninside",y\n', [["two\nlines", "x"], ["crlf\r\ninside", "y"]]),
        ('"say ""hi""",""\n', [['say "hi"', ""]]),
        ("a,\n,\n", [["a", ""], ["", ""]]),
        ("a\n\n\nb\n", [["a"], [], [], ["b"]]),
        ('x,a"b,c\n', [["x", 'a"b', "c"]]),  # a quote inside an unquoted cell is a character
        (' "a",b\n', [[' "a"', "b"]]),
        ("", []),
    ],
)
def test_scanner_hand_cases(text: str, expected: list[list[str]]):
    assert values(text) == expected == reference(text)
    for size in (1, 2, 3):
        with chunk(size):
            found = rows(text)
            assert [[c.value for c in r.cells] for r in found] == expected
            assert_exact(text, found)


def test_scanner_spans_and_row_numbers():
    text = 'id,name\r\n1,"Smith, John"\r\n2,"A ""B"" C"\r\n3,"x\ny"\r\n4,z'
    found = rows(text)
    assert [r.number for r in found] == [1, 2, 3, 4, 5]
    assert found[2].text == '2,"A ""B"" C"'
    cell = found[2].cells[1]
    assert (cell.value, found[2].text[cell.start : cell.end], cell.quoted) == ('A "B" C', 'A ""B"" C', True)
    assert found[3].text == '3,"x\ny"' and found[3].newline == "\r\n"
    assert found[4].newline == ""


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_scanner_other_delimiters(delimiter: str):
    text = f'a{delimiter}"b{delimiter}c"{delimiter}d\n'
    assert values(text, delimiter) == [["a", f"b{delimiter}c", "d"]] == reference(text, delimiter)


def test_scanner_refuses_a_bad_delimiter():
    with pytest.raises(ValueError):
        rows("a", '"')


def test_scanner_bom_is_not_part_of_the_first_column(tmp_path: Path):
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbfid,name\n1,x\n")
    with csvin._open(path) as stream:
        found = list(csvin.scan(stream))
    assert found[0].cells[0].value == "id" and found[0].text == "id,name"


def test_scanner_malformed_quoting_is_a_problem_not_a_guess():
    after = rows('a,"b"c,d\nok\n')
    assert "text after its closing quote" in after[0].problem and not after[0].last
    assert after[1].cells[0].value == "ok"  # the next row is read as csv.reader reads it
    open_ = rows('a\n"never closed,\nb\n')
    assert open_[1].last and "never closed" in open_[1].problem and len(open_) == 2


def test_scanner_row_limit_bounds_memory():
    found = rows("ab\n" + "x" * 50 + "\nc\n", max_row=10)
    assert "over 10 characters" in found[1].problem and not found[1].last and found[2].cells[0].value == "c"
    with chunk(4):  # a row that would have to grow past the limit in memory ends the scan
        found = rows("ab\n" + '"' + "x" * 50 + '"\nc\n', max_row=10)
    assert found[1].last and "the rest of the file was not read" in found[1].problem


cells = st.text(alphabet=st.sampled_from('ab ,;\t"\r\né\u2028'), max_size=8)


@settings(max_examples=300, deadline=None)
@given(
    table=st.lists(st.lists(cells, min_size=1, max_size=5), max_size=6),
    delimiter=st.sampled_from([",", ";", "\t"]),
    quoting=st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC]),
    newline=st.sampled_from(["\r\n", "\n"]),
)
def test_scanner_reads_what_csv_writer_wrote(table: list[list[str]], delimiter: str, quoting: int, newline: str):
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter, quoting=quoting, lineterminator=newline).writerows(table)
    text = out.getvalue()
    expected = reference(text, delimiter)
    for size in (1, 7, csvin.CHUNK):
        with chunk(size):
            found = rows(text, delimiter)
        assert not any(r.problem for r in found)
        assert [[c.value for c in r.cells] for r in found] == expected
        assert_exact(text, found)


@settings(max_examples=500, deadline=None)
@given(text=st.text(alphabet=st.sampled_from('ab,;"\r\n '), max_size=24), delimiter=st.sampled_from([",", ";"]))
def test_scanner_agrees_with_csv_reader_on_any_text(text: str, delimiter: str):
    """On any text: the same rows as csv.reader, the same values wherever
    the scanner finds nothing wrong, and the text recovered exactly."""
    expected = reference(text, delimiter)
    for size in (1, 3, csvin.CHUNK):
        with chunk(size):
            found = rows(text, delimiter)
        assert len(found) == len(expected)
        for r, e in zip(found, expected, strict=True):
            if not r.problem:
                assert [c.value for c in r.cells] == e
        if not any(r.last for r in found):
            assert_exact(text, found)


def test_scanner_streams_in_bounded_memory(tmp_path: Path):
    path = tmp_path / "big.csv"
    line = 'p-{n},"Name {n}, Jr.",1970-01-01,"a ""quoted"" note"\n'
    with path.open("w", encoding="utf-8", newline="") as out:
        for n in range(0, 200_000, 1000):
            out.write("".join(line.format(n=n + k) for k in range(1000)))
    size = path.stat().st_size
    tracemalloc.start()
    try:
        with csvin._open(path) as stream:
            count = sum(1 for _ in csvin.scan(stream))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert count == 200_000
    assert peak < size / 10, f"peak {peak:,} bytes for a {size:,}-byte file"


# -- the mapping file -----------------------------------------------------------------


def copy_fixtures(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(FIXTURES, folder)
    return folder


def mapping_problems(folder: Path, toml: str) -> str:
    path = folder / "mapping.toml"
    path.write_text(textwrap.dedent(toml), encoding="utf-8")
    with pytest.raises(ImportFailed) as err:
        csvin.load_mapping(path)
    return str(err.value)


def test_docstring_example_is_the_fixture_mapping():
    example = csvin.__doc__.split("::\n\n", 1)[1].split("\n\nEvery value", 1)[0]
    assert textwrap.dedent(example) + "\n" == (FIXTURES / "mapping.toml").read_text(encoding="utf-8")


def test_fixture_mapping_loads():
    mapping = csvin.load_mapping(FIXTURES / "mapping.toml")
    assert [(t.file, t.kind) for t in mapping.tables] == [
        ("people.csv", "entities"),
        ("companies.csv", "entities"),
        ("ownership.csv", "relations"),
        ("roles.csv", "roles"),
    ]
    people = mapping.tables[0]
    assert people.header == ["id", "name", "aliases", "birth_date", "inn", "notes"]  # the BOM is gone
    assert [(p.property, p.qualifier) for p in people.properties] == [("birth-date", ""), ("identifier", "tax")]
    assert people.as_of == "2024-05" and people.separator == ";"


@pytest.mark.parametrize(
    ("toml", "line", "words"),
    [
        ('colour = "red"\n[[table]]\nfile = "people.csv"\n', 1, "unknown key `colour`"),
        (
            '[[table]]\nfile = "people.csv"\nkind = "entities"\nname = "name"\nentity_kind = "person"\nnmae = "x"\n',
            6,
            "unknown key `nmae`",
        ),
        ('[[table]]\nfile = "people.csv"\nkind = "people"\n', 3, "must be one of entities, roles"),
        (
            '[[table]]\nfile = "people.csv"\nkind = "entities"\nname = "full_name"\nentity_kind = "person"\n',
            4,
            "column `full_name` is not in the header of people.csv (id, name, aliases",
        ),
        (
            '[[table]]\nfile = "people.csv"\nkind = "entities"\nname = "name"\n',
            1,
            "missing `entity_kind` (one value for every row) or `entity_kind_column`",
        ),
        (
            '[[table]]\nfile = "people.csv"\nkind = "entities"\nname = "name"\nentity_kind = "human"\n',
            5,
            "`entity_kind` = 'human' must be one of person, organisation",
        ),
        (
            '[[table]]\nfile = "ownership.csv"\nkind = "relations"\nsubject = "owner_id"\nobject = "company_id"\n'
            'type = "owner-of"\n',
            6,
            "`type` = 'owner-of' must be one of",
        ),
        ('[[table]]\nfile = "ownership.csv"\nkind = "relations"\nsubject = "owner_id"\n', 1, "missing `object`"),
        (
            '[[table]]\nfile = "../secret.csv"\nkind = "roles"\nholder = "a"\ntitle = "b"\n',
            2,
            "outside the mapping's folder",
        ),
        ('[[table]]\nfile = "nope.csv"\nkind = "roles"\nholder = "a"\ntitle = "b"\n', 2, "'nope.csv' not found"),
        (
            'delimiter = ";;"\n[[table]]\nfile = "roles.csv"\nkind = "roles"\nholder = "person_id"\ntitle = "title"\n',
            1,
            "must be one character",
        ),
        (
            '[[table]]\nfile = "people.csv"\nkind = "entities"\nname = "name"\nentity_kind = "person"\n'
            'properties = { inn = "identifier" }\n',
            6,
            "`qualifier` = '' must name the identifier's scheme",
        ),
        (
            '[[table]]\nfile = "people.csv"\nkind = "entities"\nname = "name"\nentity_kind = "person"\n'
            'properties = { inn = "tax-number" }\n',
            6,
            "property 'tax-number' is not one of",
        ),
        (
            '[[table]]\nfile = "roles.csv"\nkind = "roles"\nholder = "person_id"\ntitle = "title"\nas_of = "2024-13"\n',
            6,
            "month 13 does not exist",
        ),
        (
            '[[table]]\nfile = "roles.csv"\nkind = "roles"\nholder = { column = "person_id", slug = "yes" }\n'
            'title = "title"\n',
            4,
            "must be a column name or { column",
        ),
        ("[[table]]\nfile = 'roles.csv'\nkind = \"roles\n", 3, "bad TOML"),
        ("", 1, "no [[table]]"),
        ('# people\n[table]\nfile = "people.csv"\n', 2, "write each table as [[table]]"),
    ],
)
def test_mapping_problems_name_the_line(tmp_path: Path, toml: str, line: int, words: str):
    message = mapping_problems(copy_fixtures(tmp_path), toml)
    assert f"mapping.toml:{line}: " in message, message
    assert words in message, message


def test_mapping_refuses_two_files_that_would_share_source_ids(tmp_path: Path):
    folder = copy_fixtures(tmp_path)
    shutil.copy(folder / "roles.csv", folder / "Roles!.csv")
    toml = """\
        [[table]]
        file = "roles.csv"
        kind = "roles"
        holder = "person_id"
        title = "title"

        [[table]]
        file = "Roles!.csv"
        kind = "roles"
        holder = "person_id"
        title = "title"
        """
    assert "would get the same source ids as those of `roles.csv`" in mapping_problems(folder, toml)


def test_mapping_refuses_an_ambiguous_header(tmp_path: Path):
    folder = copy_fixtures(tmp_path)
    (folder / "dup.csv").write_text("id,name,name\n1,a,b\n", encoding="utf-8")
    toml = '[[table]]\nfile = "dup.csv"\nkind = "entities"\nname = "name"\nentity_kind = "person"\n'
    assert "mapping.toml:4: table `dup.csv`: column `name` is in the header of dup.csv 2 times" in mapping_problems(
        folder, toml
    )


# -- importing ----------------------------------------------------------------------


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def dump(path: Path) -> list[str]:
    """The KB's rows, but for when each input was last imported (and how
    its full-text indexes are laid out)."""
    return kb_data(path)


@pytest.fixture
def fixture_kb(tmp_path: Path) -> tuple[Path, dict]:
    target = tmp_path / "kb.db"
    report = csvin.import_csv(FIXTURES / "mapping.toml", target)
    return target, report


def test_fixture_import_counts(fixture_kb: tuple[Path, dict]):
    _, report = fixture_kb
    assert report["input"] == "csv"  # mapping.toml: the folder's name
    assert report["problems"] == 0
    assert report["summary"]["rows read"] == {"people.csv": 5, "companies.csv": 3, "ownership.csv": 4, "roles.csv": 4}
    assert report["summary"]["blank rows"] == {"people.csv": 1}
    written = report["written"]
    assert (written["sources"], written["entities"], written["relations"], written["roles"]) == (16, 8, 4, 4)
    assert written["properties"] == 13  # 5 birth dates, 3 INNs, 2 OGRNs, 3 founding dates
    assert written["aliases"] == 6


def test_every_citation_reads_its_quote_and_check_passes(fixture_kb: tuple[Path, dict]):
    target, _ = fixture_kb
    conn = db.connect_readonly(target)
    rows_ = conn.execute(
        'SELECT c.quote, c.start, c."end", s.text, s.format, c.as_of FROM citations c'
        " JOIN sources s ON s.id = c.source_id"
    ).fetchall()
    assert len(rows_) == 53
    for quote, start, end, text, fmt, as_of in rows_:
        assert text[start:end] == quote and fmt == "csv" and as_of == "2024-05"
    findings, _ = check.run(conn)
    assert findings == []
    result = CliRunner().invoke(main, ["--db", str(target), "check"])
    assert result.exit_code == 0, result.output


def test_rows_are_stored_exactly_and_numbered_as_a_spreadsheet_shows_them(fixture_kb: tuple[Path, dict]):
    target, _ = fixture_kb
    conn = db.connect_readonly(target)
    source = dict(conn.execute("SELECT id, text FROM sources WHERE title = 'people.csv row 5'").fetchone())
    assert source == {
        "id": "csv--people-5",
        "text": 'maria-lopez,"María\nLópez",Maria Lopez,1990-07-04,,Name split over two lines in the registry export.',
    }
    # row 6 is blank and row 7 is Oleg: numbers are rows, not lines or records
    meta = conn.execute("SELECT meta FROM sources WHERE id = 'csv--people-7'").fetchone()[0]
    assert meta == '{"file": "people.csv", "header": ["id", "name", "aliases", "birth_date", "inn", "notes"], "row": 7}'
    assert conn.execute("SELECT name FROM entities WHERE id = 'maria-lopez'").fetchone()[0] == "María\nLópez"
    assert conn.execute("SELECT name FROM entities WHERE id = 'john-smith'").fetchone()[0] == "Smith, John"
    # CRLF rows are stored without their line break, the BOM is not in row 1's text
    assert conn.execute("SELECT count(*) FROM sources WHERE text LIKE '%' || char(13) || '%'").fetchone()[0] == 0
    assert conn.execute("SELECT text FROM sources WHERE id = 'csv--people-2'").fetchone()[0].startswith("ivan-petrov,")
    share, start = conn.execute(
        "SELECT share, start FROM relations WHERE subject_id = 'beta-holding' AND object_id = 'alfa-stroy'"
    ).fetchone()
    assert (share, start) == ("75%", "2011-03-01")
    title = conn.execute("SELECT title FROM roles WHERE holder_id = 'ivan-petrov'").fetchone()[0]
    assert title == "Генеральный директор"
    # an alias trimmed of its spaces is cited at its own characters
    quote, text, start = conn.execute(
        "SELECT c.quote, s.text, c.start FROM aliases a JOIN citations c ON c.claim_id = a.claim_id"
        " JOIN sources s ON s.id = c.source_id WHERE a.alias = 'Johnny'"
    ).fetchone()
    assert quote == "Johnny" and text[start - 2 : start + 7] == "; Johnny "


def test_cyrillic_names_are_searchable(fixture_kb: tuple[Path, dict]):
    target, _ = fixture_kb
    conn = db.connect_readonly(target)
    for query, found in [
        ("Иван Петров", "ivan-petrov"),
        ("ivan petrov", "ivan-petrov"),  # transliterated
        ("Смирнова", "anna-smirnova"),
        ("ООО «Альфа-Строй»", "alfa-stroy"),
        ("Vanya Petrov", "ivan-petrov"),  # an alias from the `aliases` column
    ]:
        hits = search.search(conn, query)
        assert hits and hits[0].id == found, query


def test_reimport_is_idempotent(fixture_kb: tuple[Path, dict]):
    target, _ = fixture_kb
    before = dump(target)
    report = csvin.import_csv(FIXTURES / "mapping.toml", target)
    assert dump(target) == before
    assert report["stale"] == {"sources": 0, "claims": 0, "entities": 0}


def test_dry_run_writes_nothing(tmp_path: Path, fixture_kb: tuple[Path, dict]):
    fresh = tmp_path / "fresh.db"
    report = csvin.import_csv(FIXTURES / "mapping.toml", fresh, dry_run=True)
    assert report["written"]["entities"] == 8 and not fresh.exists()
    target, _ = fixture_kb
    before = sha(target)
    csvin.import_csv(FIXTURES / "mapping.toml", target, input_id="other", dry_run=True)
    assert sha(target) == before


def test_cli_imports_a_mapping(tmp_path: Path):
    target = tmp_path / "kb.db"
    result = CliRunner().invoke(main, ["import", str(FIXTURES / "mapping.toml"), "--db", str(target)])
    assert result.exit_code == 0, result.output
    assert "rows read  5 people.csv, 3 companies.csv" in result.output


BROKEN_PEOPLE = (
    "id,name,aliases,birth_date,inn,notes\n"
    "ivan-petrov,Иван Петров,,1970-03-15,770123456789,\n"
    "anna-smirnova,Анна Смирнова\n"  # row 3: missing columns
    "Oleg Ivanov,Олег Иванов,,,,\n"  # row 4: not a slug
    "olga,Ольга,,15.03.1970,,\n"  # row 5: not an ISO date
    "pavel,,,,,\n"  # row 6: no name
    "petr,Пётр,,,,,,extra\n"  # row 7: more cells than the header
    'vera,"Вера ""В""",,,,\n'  # row 8: fine
)


def broken_problems() -> list[str]:
    return [
        "people.csv:row 3: 2 cells where the header has 6: missing columns",
        "people.csv:row 4: `id` = 'Oleg Ivanov' is not an id (a-z, 0-9 and '-'",
        "people.csv:row 5: `birth_date` = '15.03.1970' is not an ISO date (YYYY, YYYY-MM or YYYY-MM-DD)",
        "people.csv:row 6: `name` is empty (a name is required)",
        "people.csv:row 7: 8 cells where the header has 6 (a ',' inside a value? put the value in double quotes)",
    ]


def test_bad_rows_stop_the_import_and_leave_the_kb_as_it_was(tmp_path: Path, fixture_kb: tuple[Path, dict]):
    target, _ = fixture_kb
    folder = copy_fixtures(tmp_path)
    (folder / "people.csv").write_text(BROKEN_PEOPLE, encoding="utf-8")
    before = sha(target)
    with pytest.raises(ImportFailed) as err:
        csvin.import_csv(folder / "mapping.toml", target, input_id="csv")
    assert sha(target) == before
    message = str(err.value)
    for line in broken_problems():
        assert line in message, message
    assert "nothing was written" in message


def test_bad_rows_are_skipped_and_reported(tmp_path: Path):
    folder = copy_fixtures(tmp_path)
    (folder / "people.csv").write_text(BROKEN_PEOPLE, encoding="utf-8")
    target = tmp_path / "kb.db"
    report = csvin.import_csv(folder / "mapping.toml", target, on_error="skip")
    lines = report["problem_lines"]
    for expected in broken_problems():
        assert any(line.startswith(expected) for line in lines), (expected, lines)
    assert report["summary"]["bad rows"]["people.csv"] == 5
    # the links naming the people refused now name no entity (the KB is new)
    assert any(line.startswith("ownership.csv:row 3: `owner_id` = 'anna-smirnova': no entity") for line in lines)
    conn = db.connect_readonly(target)
    people = {r[0] for r in conn.execute("SELECT id FROM entities WHERE kind = 'person'")}
    assert people == {"ivan-petrov", "vera"}
    # a doubled quote inside a quoted cell: the value has one, the citation the text as written
    assert conn.execute("SELECT name FROM entities WHERE id = 'vera'").fetchone()[0] == 'Вера "В"'
    assert conn.execute("SELECT count(*) FROM sources WHERE id LIKE 'data--people-%'").fetchone()[0] == 2
    assert check.run(conn)[0] == []


def write_mapping(folder: Path, toml: str, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8", newline="")
    path = folder / "map.toml"
    path.write_text(textwrap.dedent(toml), encoding="utf-8")
    return path


def test_link_rows_problems(tmp_path: Path):
    """Closed sets, dates, limits and references in link tables."""
    mapping = write_mapping(
        tmp_path,
        """\
        delimiter = ";"
        [[table]]
        file = "people.csv"
        kind = "entities"
        name = "name"
        entity_kind_column = "type"

        [[table]]
        file = "links.csv"
        kind = "relations"
        subject = { column = "from", slug = true }
        object = { column = "to", slug = true }
        type_column = "how"
        start = "since"
        label = "label"
        """,
        {
            "people.csv": "name;type\nИван Петров;Person\nAcme, Inc.;organisation\nBad Kind;human\n",
            "links.csv": (
                "from;to;how;since;label\n"
                "Иван Петров;Acme, Inc.;owns;2010;founder\n"
                "Иван Петров;Acme, Inc.;owner-of;;\n"
                "Иван Петров;Nobody;owns;;\n"
                "Иван Петров;Acme, Inc.;family-of;2010-02-30;\n"
                "Иван Петров;Acme, Inc.;paid;;" + "x" * 30 + "\n"
            ),
        },
    )
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KBTUI_LIMIT_VALUE_CHARS", "20")
        report = csvin.import_csv(mapping, tmp_path / "kb.db", on_error="skip")
    assert report["input"] == "map"
    lines = report["problem_lines"]
    assert lines[0] == (
        "people.csv:row 4: `type` = 'human' is not one of person, organisation, country, place, product,"
        " publication, concept"
    )
    assert lines[1].startswith("links.csv:row 3: `how` = 'owner-of' is not one of supervises, part-of, owns")
    assert lines[2].startswith("links.csv:row 4: `to` = 'Nobody': no entity `nobody` in the entity tables")
    assert lines[3] == "links.csv:row 5: `since` = '2010-02-30': February 2010 has no day 30 (it has 28)"
    assert lines[4] == "links.csv:row 6: `label` is 30 characters, over the limit of 20 (KBTUI_LIMIT_VALUE_CHARS)"
    conn = db.connect_readonly(tmp_path / "kb.db")
    assert [tuple(r) for r in conn.execute("SELECT subject_id, type, object_id, label FROM relations")] == [
        ("ivan-petrov", "owns", "acme-inc", "founder")
    ]
    kinds = {r[0]: r[1] for r in conn.execute("SELECT id, kind FROM entities")}
    assert kinds == {"ivan-petrov": "person", "acme-inc": "organisation"}
    # the relation cites the four cells it was made from
    assert conn.execute("SELECT group_concat(quote, '|') FROM citations").fetchone()[0] == (
        "Иван Петров|Acme, Inc.|owns|2010|founder"
    )


def test_one_file_as_entities_and_roles_and_entity_valued_properties(tmp_path: Path):
    """people.csv is an entity table and a role table; nationality names a
    country from a table read after it; a properties table with a scheme column."""
    mapping = write_mapping(
        tmp_path,
        """\
        [[table]]
        file = "staff.csv"
        kind = "entities"
        id = "id"
        name = "name"
        entity_kind = "person"
        aliases = { column = "aka", separator = "|", kind = "transliteration" }
        properties = { country = "nationality" }

        [[table]]
        file = "staff.csv"
        kind = "roles"
        holder = "id"
        organisation = "employer"
        title = "job"
        status = "current"

        [[table]]
        file = "orgs.csv"
        kind = "entities"
        id = "id"
        name = "name"
        entity_kind_column = "kind"

        [[table]]
        file = "ids.csv"
        kind = "properties"
        entity = "who"
        property = "identifier"
        value = "number"
        qualifier_column = "scheme"
        """,
        {
            "staff.csv": (
                "id,name,aka,country,employer,job\n"
                'p1,Пётр,"Pyotr|""Petya"" P.",ru,acme,Chief\n'
                "p2,Ann,,acme,acme,Clerk\n"
            ),
            "orgs.csv": "id,name,kind\nacme,Acme,organisation\nru,Russia,country\n",
            "ids.csv": "who,number,scheme\np1,4510 123456,passport\np2,77,shoe-size\n",
        },
    )
    report = csvin.import_csv(mapping, tmp_path / "kb.db", on_error="skip")
    assert report["problem_lines"] == [
        "staff.csv:row 3: `country` = 'acme' must be the id of a country entity (the value was left out)",
        "ids.csv:row 3: `scheme` = 'shoe-size' must name the identifier's scheme: registry, tax, passport, id-card,"
        " lei, wikidata, imo, isin, swift, vat, other",
    ]
    conn = db.connect_readonly(tmp_path / "kb.db")
    assert [
        tuple(r) for r in conn.execute("SELECT entity_id, value FROM properties WHERE property = 'nationality'")
    ] == [("p1", "ru")]
    assert [
        tuple(r) for r in conn.execute("SELECT holder_id, organisation_id, title, status FROM roles ORDER BY 1")
    ] == [
        ("p1", "acme", "Chief", "current"),
        ("p2", "acme", "Clerk", "current"),
    ]
    assert [
        tuple(r) for r in conn.execute("SELECT value, qualifier FROM properties WHERE property = 'identifier'")
    ] == [("4510 123456", "passport")]
    # one source per row, though two tables read it
    assert conn.execute("SELECT count(*) FROM sources WHERE id LIKE 'map--staff-%'").fetchone()[0] == 2
    quote, kind = conn.execute(
        "SELECT c.quote, a.kind FROM aliases a JOIN citations c ON c.claim_id = a.claim_id WHERE a.alias = ?",
        ('"Petya" P.',),
    ).fetchone()
    assert (quote, kind) == ('""Petya"" P.', "transliteration")
    assert check.run(conn)[0] == []


def test_prune_removes_rows_the_files_no_longer_have(tmp_path: Path):
    folder = copy_fixtures(tmp_path)
    target = tmp_path / "kb.db"
    csvin.import_csv(folder / "mapping.toml", target)
    lines = (folder / "ownership.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (folder / "ownership.csv").write_text("".join(lines[:-1]), encoding="utf-8")
    report = csvin.import_csv(folder / "mapping.toml", target)
    assert report["stale"]["sources"] == 1 and report["stale"]["claims"] == 1
    report = csvin.import_csv(folder / "mapping.toml", target, prune=True)
    assert report["removed"]["claims"] == 1 and report["removed"]["sources"] == 1
    conn = db.connect_readonly(target)
    assert conn.execute("SELECT count(*) FROM relations").fetchone()[0] == 3
    assert check.run(conn)[0] == []


def test_input_ids(tmp_path: Path):
    assert csvin.default_input(FIXTURES / "mapping.toml") == "csv"
    assert csvin.default_input(tmp_path / "Registry 2024.toml") == "registry-2024"
    with pytest.raises(ImportFailed, match="must be a slug"):
        csvin.import_csv(FIXTURES / "mapping.toml", tmp_path / "kb.db", input_id="Not A Slug")
    with pytest.raises(ImportFailed, match="'stop' or 'skip'"):
        csvin.import_csv(FIXTURES / "mapping.toml", tmp_path / "kb.db", on_error="ignore")


def test_a_byte_that_is_not_utf8_spoils_only_its_row(tmp_path: Path):
    folder = copy_fixtures(tmp_path)
    good = (folder / "roles.csv").read_bytes()
    # far enough in that the decoder meets it in a later read than the rows around it
    padding = b"ivan-petrov,beta-holding,Adviser,2019,\n" * 2000
    bad = b"john-smith,alfa-stroy,Dir\xffector,2020,\n"
    (folder / "roles.csv").write_bytes(good + padding + bad + b"oleg-ivanov,beta-holding,Adviser,2021,\n")
    report = csvin.import_csv(folder / "mapping.toml", tmp_path / "kb.db", on_error="skip")
    assert report["problem_lines"] == [
        "roles.csv:row 2006: byte 0xFF after 'smith,alfa-stroy,Dir' is not UTF-8"
        " (save the file as UTF-8 CSV; a spreadsheet calls it 'CSV UTF-8')"
    ]
    conn = db.connect_readonly(tmp_path / "kb.db")
    assert conn.execute("SELECT count(*) FROM roles WHERE start = '2021'").fetchone()[0] == 1
