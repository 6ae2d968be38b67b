"""FollowTheMoney import: the reader (exact record text, problems as
FILE:LINE, limits), the positional scanner (every value's span reads its
value), the mapping of each schema, and whole imports through the sink
(check passes, deltas, shared entities, skip/stop, idempotence)."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from kbtui.cli import main
from kbtui.kb import check, db
from kbtui.kb.errors import ImportFailed
from kbtui.kb.ftm import default_input, import_ftm
from kbtui.kb.ftm_map import Mapped, join_ids, map_record, property_id, slug, source_id
from kbtui.kb.ftm_read import Line, Problem, read, spans
from kbtui.kb.records import Event, Property, Relation, Role

FIXTURES = Path(__file__).parent / "fixtures" / "ftm"
SNAPSHOT = FIXTURES / "sanctions.ftm.json"
SNAPSHOT_V2 = FIXTURES / "v2" / "sanctions.ftm.json"
DELTA = FIXTURES / "sanctions.delta.json"
REGISTRY = FIXTURES / "registry.ftm.json"
SIDOROV = slug("NK-sidorov1")
VOLKOVA = slug("NK-volkova2")
ALPHA = "ru-ogrn-1047796000001"


# -- helpers ------------------------------------------------------------------------
def lines(path: Path) -> list[Line]:
    items = list(read(path))
    assert all(isinstance(i, Line) for i in items), [str(i) for i in items if isinstance(i, Problem)]
    return [i for i in items if isinstance(i, Line)]


def record_line(entity: dict[str, Any], op: str | None = None, ensure_ascii: bool = False) -> Line:
    obj = {"op": op, "entity": entity} if op else entity
    raw = json.dumps(obj, ensure_ascii=ensure_ascii)
    return Line("test.json:1", 1, raw, entity, op)


def mapped(schema: str, props: dict[str, list[Any]], id_: str = "rec-1", **extra: Any) -> Mapped:
    entity = {"id": id_, "schema": schema, "properties": props, "last_change": "2024-03-01T10:00:00", **extra}
    return map_record(record_line(entity), "in")


def only(m: Mapped, kind: type) -> Any:
    found = [c for c in m.claims if isinstance(c, kind)]
    assert len(found) == 1, m.claims
    return found[0]


def assert_cites_exact(m: Mapped) -> None:
    raw = m.source.text
    every = [c for claim in m.claims for c in claim.cites]
    every += [c for claim in m.claims if isinstance(claim, Event) for p in claim.participants for c in p.cites]
    every += [c for a in (m.entity.aliases if m.entity else []) for c in a.cites]
    assert every
    for c in every:
        assert c.source_id == m.source.id
        assert raw[c.start : c.end] == c.quote and c.end > c.start
        assert raw[max(0, c.start - 32) : c.start] == c.prefix and raw[c.end : c.end + 32] == c.suffix


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def rows(kb: Path, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(kb)
    try:
        return [tuple(r) for r in conn.execute(sql, args)]
    finally:
        conn.close()


def one(kb: Path, sql: str, *args: Any) -> Any:
    return rows(kb, sql, *args)[0][0]


def assert_healthy(kb: Path) -> None:
    with db.reading(kb) as conn:
        findings, _ = check.run(conn)
    assert findings == [], findings
    for cid, quote, text, start, end in rows(
        kb, 'SELECT c.id, c.quote, s.text, c.start, c."end" FROM citations c JOIN sources s ON s.id = c.source_id'
    ):
        assert text[start:end] == quote, cid


def table_counts(kb: Path) -> dict[str, int]:
    tables = ("entities", "aliases", "claims", "roles", "relations", "events", "participations", "properties")
    return {t: one(kb, f"SELECT count(*) FROM {t}") for t in (*tables, "sources", "citations", "entity_inputs")}


def write(tmp_path: Path, name: str, records: list[Any]) -> Path:
    path = tmp_path / name
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records) + "\n")
    return path


# -- the positional scanner ----------------------------------------------------------
# pieces that trip naive scanners: quotes, backslashes, escapes, JSON syntax
# inside values, astral and non-Latin text
TRICKY = st.lists(
    st.one_of(
        st.sampled_from(['"', "\\", "/", "\b", "\f", "\n", "\r", "\t", '"name": ["', "]}", "\\u0041", "\u2028"]),
        st.sampled_from(["é", "Иван", "中文", "😀", "\x00", ",", ":"]),
        st.characters(codec="utf-8", exclude_categories=("Cs",)),
    ),
    max_size=8,
).map("".join)
SEPARATORS = st.sampled_from([(",", ":"), (", ", ": "), (" , ", " : "), (",\n", ":\t")])


@st.composite
def records(draw: st.DrawFn) -> tuple[dict[str, Any], list[str]]:
    props = draw(st.dictionaries(TRICKY, st.lists(TRICKY, max_size=4), max_size=5))
    fields: dict[str, Any] = {
        "id": draw(TRICKY.filter(bool)),
        "schema": draw(st.sampled_from(["Person", "Company", "Ownership", "Ж"])),
        "properties": props,
        "caption": draw(TRICKY),
        "datasets": draw(st.lists(TRICKY, max_size=2)),
        "target": draw(st.booleans()),
    }
    order = draw(st.permutations(list(fields)))
    return {k: fields[k] for k in order}, order


@settings(max_examples=300, deadline=None)
@given(records(), st.booleans(), SEPARATORS, st.sampled_from([None, 0, 2]), st.booleans())
def test_spans_read_back_exactly_the_values(rec, ensure_ascii, separators, indent, delta):
    entity, _ = rec
    obj = {"op": "ADD", "entity": entity} if delta else entity
    raw = json.dumps(obj, ensure_ascii=ensure_ascii, separators=separators, indent=indent)
    found = spans(raw, delta=delta)
    assert set(found.props) == set(entity["properties"])
    for key, values in entity["properties"].items():
        assert len(found.props[key]) == len(values)
        for value, span in zip(values, found.props[key], strict=True):
            assert span is not None
            assert json.loads('"' + raw[span[0] : span[1]] + '"') == value
    s, e = found.top["id"]
    assert json.loads('"' + raw[s:e] + '"') == entity["id"]


def test_spans_keep_escapes_as_written_and_skip_what_is_not_a_string():
    raw = (
        '{"id":"x","properties":{"note":["say \\"name\\": [\\"no\\"]","\\u0418\\u0432\\u0430\\u043d","a\\\\b"],'
        '"name":["中文 Иван"],"n":[1,null,{"id":"nested-1","schema":"Person","properties":{"name":["inner"]}},"ok"]},'
        '"schema":"Person"}'
    )
    found = spans(raw)
    assert [raw[s:e] for s, e in found.props["note"]] == [
        'say \\"name\\": [\\"no\\"]',
        "\\u0418\\u0432\\u0430\\u043d",
        "a\\\\b",
    ]
    assert [raw[s:e] for s, e in found.props["name"]] == ["中文 Иван"]
    n = found.props["n"]
    assert n[0] is None and n[1] is None and n[2] is not None and raw[n[2][0] : n[2][1]] == "nested-1"
    assert raw[n[3][0] : n[3][1]] == "ok"
    assert raw[slice(*found.top["schema"])] == "Person"


def test_spans_last_duplicate_key_wins_like_json_loads():
    raw = '{"id":"x","schema":"P","properties":{"name":["first"],"name":["second","third"]}}'
    found = spans(raw)
    assert json.loads(raw)["properties"]["name"] == ["second", "third"]
    assert [raw[s:e] for s, e in found.props["name"]] == ["second", "third"]


def test_spans_are_linear():
    values = ['\\"' * 50 + "Ж" * 50] * 4000  # 400,000+ characters, thousands of escapes
    entity = {"id": "big", "schema": "Person", "properties": {f"p{i}": values[i::40] for i in range(40)}}
    raw = json.dumps(entity, ensure_ascii=True)
    started = time.perf_counter()
    found = spans(raw)
    assert time.perf_counter() - started < 2.0
    assert sum(len(v) for v in found.props.values()) == 4000


# -- the reader ---------------------------------------------------------------------
def test_read_keeps_each_line_exactly():
    got = lines(SNAPSHOT)
    text = SNAPSHOT.read_text(encoding="utf-8").splitlines()
    assert [g.number for g in got] == list(range(1, len(text) + 1)) and len(got) == 33
    assert [g.raw for g in got] == text
    assert got[0].where == f"{SNAPSHOT}:1" and got[0].schema == "Person" and got[0].op is None


def test_read_deltas_and_array_files():
    delta = lines(DELTA)
    assert [d.op for d in delta] == ["ADD", "ADD", "MOD", "DEL", "DEL"]
    assert delta[3].entity == {"id": "ru-kuznetsov"}
    array = lines(FIXTURES / "registry-array.json")
    assert [a.id for a in array] == ["ru-kuznetsov", "ru-ogrn-1027700000002", "dir-kuznetsov-delta"]
    text = (FIXTURES / "registry-array.json").read_text(encoding="utf-8")
    for a in array:
        assert json.loads(a.raw) == a.entity and text.splitlines()[a.number - 1].strip() == "{"
    assert array[0].number == 2


def test_read_problems_are_file_line_messages():
    path = FIXTURES / "bad" / "malformed.ftm.json"
    got = list(read(path))
    problems = {p.number: str(p) for p in got if isinstance(p, Problem)}
    assert [g.id for g in got if isinstance(g, Line)] == ["ok-1", "ok-2"]
    assert set(problems) == {2, 3, 4, 6}
    assert problems[2].startswith(f"{path}:2: is not valid JSON")
    assert "is a JSON array, not an FtM entity object" in problems[3]
    assert "has no `schema`" in problems[4]
    assert "delta `op` is 'UPSERT'" in problems[6]


def test_read_refuses_deep_nesting_without_a_traceback(tmp_path):
    deep = "[" * 100_000 + "]" * 100_000
    path = write(tmp_path, "deep.json", ['{"id": "a", "schema": "Person"}', deep, '{"id": "b", "schema": "Person"}'])
    got = list(read(path))
    assert isinstance(got[1], Problem) and "nested deeper than 32 levels" in got[1].message
    assert [g.id for g in got if isinstance(g, Line)] == ["a", "b"]
    # and in a JSON array, where the record's end is found by balancing brackets
    arr = tmp_path / "deep-array.json"
    arr.write_text('[{"id": "a", "schema": "P"},\n' + deep + ',\n{"id": "b", "schema": "P"}]')
    got = list(read(arr))
    assert isinstance(got[1], Problem) and got[1].number == 2
    assert [g.id for g in got if isinstance(g, Line)] == ["a", "b"]
    # brackets inside strings do not count
    ok = {"id": "c", "schema": "P", "properties": {"note": ["[[[[" * 50]}}
    (only_line,) = list(read(write(tmp_path, "ok.json", [ok])))
    assert isinstance(only_line, Line)


def test_read_limits_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("KBTUI_LIMIT_VALUE_CHARS", "200")
    monkeypatch.setenv("KBTUI_LIMIT_NAME_CHARS", "40")
    long_value = {"id": "a", "schema": "Person", "properties": {"notes": ["x" * 300]}}
    long_name = {"id": "b", "schema": "Person", "properties": {"name": ["N" * 41]}}
    long_id = {"id": "i" * 41, "schema": "Person"}
    path = write(tmp_path, "limits.json", [long_value, long_name, long_id, {"id": "ok", "schema": "Person"}])
    got = list(read(path))
    assert isinstance(got[0], Problem) and "longer than 200 characters" in got[0].message
    assert "KBTUI_LIMIT_VALUE_CHARS" in got[0].message
    assert isinstance(got[1], Problem) and "`name` value is longer than 40" in got[1].message
    assert isinstance(got[2], Problem) and "`id` is longer than 40" in got[2].message
    assert isinstance(got[3], Line) and got[3].number == 4


def test_read_skips_an_endless_line_unread(tmp_path, monkeypatch):
    monkeypatch.setenv("KBTUI_LIMIT_VALUE_CHARS", "1000")
    path = tmp_path / "endless.json"
    path.write_bytes(b'{"id": "' + b"x" * 50_000 + b'", "schema": "P"}\n{"id": "ok", "schema": "P"}\n')
    got = list(read(path))
    assert isinstance(got[0], Problem) and got[0].number == 1
    assert isinstance(got[1], Line) and got[1].number == 2


def test_read_bytes_bom_crlf_and_half_characters(tmp_path):
    path = tmp_path / "odd.json"
    path.write_bytes(
        b'\xef\xbb\xbf{"id": "a", "schema": "P"}\r\n'
        b'{"id": "\xff\xfe", "schema": "P"}\r\n'
        b"\r\n"
        b'{"id": "c", "schema": "P", "properties": {"name": ["\\ud800"]}}\n'
        b'{"id": "d", "schema": "P", "properties": {"name": ["\\ud83d\\ude00"]}}'
    )
    got = list(read(path))
    assert isinstance(got[0], Line) and got[0].raw == '{"id": "a", "schema": "P"}'
    assert isinstance(got[1], Problem) and "not UTF-8" in got[1].message
    assert isinstance(got[2], Problem) and got[2].number == 4 and "half a character" in got[2].message
    assert isinstance(got[3], Line) and got[3].entity["properties"]["name"] == ["😀"]


def test_read_a_whole_array_only_up_to_its_limit(tmp_path, monkeypatch):
    monkeypatch.setenv("KBTUI_LIMIT_TOML_BYTES", "100")
    path = tmp_path / "big.json"
    path.write_text(json.dumps([{"id": str(i), "schema": "P"} for i in range(20)]))
    (problem,) = list(read(path))
    assert (
        isinstance(problem, Problem) and "read whole" in problem.message and "KBTUI_LIMIT_TOML_BYTES" in problem.message
    )


def test_read_an_unreadable_file_is_one_error(tmp_path):
    with pytest.raises(ImportFailed, match="cannot be read"):
        list(read(tmp_path / "missing.json"))


# -- ids ----------------------------------------------------------------------------
def test_slug_keeps_slugs_and_hashes_what_it_changes():
    assert slug("ru-orlov") == "ru-orlov"
    assert slug("NK-sidorov1") == "nk-sidorov1-" + hashlib.sha1(b"NK-sidorov1").hexdigest()[:8]
    assert slug("nk-sidorov1") != slug("NK-sidorov1") != slug("NK-Sidorov1")
    assert slug("a--b") != "a--b" and "--" not in slug("a--b")
    assert slug("Иван") == hashlib.sha1("Иван".encode()).hexdigest()[:8]
    long = slug("x" * 500)
    assert len(long) <= 200 and long == slug("x" * 500) and long != slug("x" * 499)
    assert len(join_ids("i" * 100, slug("y" * 300))) <= 200


def test_ids_of_sources_and_properties():
    assert source_id("sanctions", "NK-sidorov1") == f"sanctions--{SIDOROV}"
    assert property_id("p", "birth-date", "", "1951-07-06") == "p--birth-date--1951-07-06"
    assert property_id("p", "identifier", "tax", "77") == "p--identifier-tax--77"
    assert property_id("p", "identifier", "tax", "77") != property_id("p", "identifier", "passport", "77")
    assert property_id("p", "other", "birthDate", "1958-02-30") == "p--other-birth-date--1958-02-30"
    assert property_id("p", "other", "x", "A b") != property_id("p", "other", "x", "a-b")


def test_default_input_drops_ftm_suffixes():
    assert default_input(Path("sanctions.ftm.json")) == "sanctions"
    assert default_input(Path("sanctions.delta.json")) == "sanctions"
    assert default_input(Path("Open Sanctions 2024.ijson")) == "open-sanctions-2024"
    assert default_input(Path(".json")) == "json"


# -- mapping: things ------------------------------------------------------------------
def test_person_names_dates_countries_identifiers_and_the_rest():
    m = map_record(lines(SNAPSHOT)[0], "sanctions")
    assert_cites_exact(m)
    s = m.source
    assert s.id == f"sanctions--{SIDOROV}" and s.format == "ftm" and s.text == SNAPSHOT.read_text().splitlines()[0]
    assert s.title == "Person Иван Петрович Сидоров (FtM record NK-sidorov1)"
    assert s.published == "2024-03-01" and s.date_basis == "stated" and s.url == "https://example.org/sanctions/sidorov"
    assert s.meta["schema"] == "Person" and s.meta["referents"] == ["ofac-98765", "eu-fsf-1234"]
    assert s.meta["target"] is True and s.meta["datasets"] == ["xx_demo_sanctions"]
    e = m.entity
    assert e is not None and (e.id, e.kind, e.name) == (SIDOROV, "person", "Иван Петрович Сидоров")
    assert [(a.name, a.kind) for a in e.aliases] == [
        ("Ivan Petrovich Sidorov", "alias"),
        ("Ivan Sidorov", "alias"),
        ("Vanya", "alias"),
    ]
    props = {(p.property, p.qualifier, p.value): p for p in m.claims if isinstance(p, Property)}
    assert ("birth-date", "", "1961-03-14") in props
    nationality = props[("nationality", "", "country-ru")]
    assert [c.quote for c in nationality.cites] == ["ru", "ru"]  # nationality and citizenship, one claim
    assert [(x.id, x.kind, x.name) for x in m.extra] == [("country-ru", "country", "Russia")]
    assert ("identifier", "tax", "771234567890") in props and ("identifier", "passport", "4509 123456") in props
    assert ("gender", "", "male") in props and ("topic", "", "role.oligarch") in props
    assert ("other", "education", "Moscow State University") in props
    assert ("other", "birthPlace", "Leningrad") in props
    assert m.tally.counts["skipped"]["Person.indexText (derived: a copy of other values for search)"] == 1
    assert all(c.as_of == "2024-03-01" for p in props.values() for c in p.cites)


def test_person_without_name_and_with_values_kbtui_cannot_take():
    m = map_record(lines(SNAPSHOT)[2], "sanctions")
    assert m.entity is not None and m.entity.name == "Dmitry Alekseyevich Orlov"
    props = {(p.property, p.qualifier, p.value) for p in m.claims if isinstance(p, Property)}
    assert ("other", "birthDate", "1958-02-30") in props  # not a real day: kept as written
    assert ("other", "gender", "m") in props
    assert ("country", "", "ru") in props and ("other", "lastName", "Orlov") in props
    assert m.tally.counts["kept as is"]["Person.birthDate (not an ISO date)"] == 1


def test_escaped_cyrillic_is_cited_as_written():
    m = map_record(lines(SNAPSHOT)[4], "sanctions")
    assert m.entity is not None and m.entity.name == "Сергей Николаевич Лебедев"
    assert_cites_exact(m)
    assert m.entity.aliases[0].name == "Sergei Lebedev"
    assert "\\u0421" in m.source.text
    assert {x.id for x in m.extra} == {"country-ru", "country-cy"}


def test_company_identifiers_and_dates():
    m = map_record(lines(SNAPSHOT)[5], "sanctions")
    props = {(p.property, p.qualifier, p.value) for p in m.claims if isinstance(p, Property)}
    assert {
        ("identifier", "registry", "1047796000001"),
        ("identifier", "tax", "7701234567"),
        ("identifier", "registry", "770101001"),
        ("identifier", "lei", "2534001ABCDEFGH12345"),
        ("incorporation-date", "", "2004-05-17"),
        ("legal-form", "", "Limited liability company"),
        ("status", "", "active"),
        ("website", "", "https://alpha-holding.example"),
        ("email", "", "info@alpha-holding.example"),
        ("phone", "", "+7 495 000 00 00"),
        ("address", "", "ул. Тверская, 7, Москва"),
        ("country", "", "ru"),
    } <= props
    assert m.entity is not None and ("AH", "abbreviation") in [(a.name, a.kind) for a in m.entity.aliases]
    beta = map_record(lines(SNAPSHOT)[6], "sanctions")
    beta_props = {(p.property, p.value) for p in beta.claims if isinstance(p, Property)}
    assert ("incorporation-date", "2009-11-02") in beta_props  # the time cut off
    assert beta.entity is not None and beta.entity.aliases[0].kind == "former-name"


def test_other_kinds_of_things():
    vessel = mapped("Vessel", {"name": ["Polaris Star"], "imoNumber": ["9123456"], "mmsiCode": ["273"]})
    assert vessel.entity is not None and vessel.entity.kind == "product"
    assert {(p.qualifier, p.value) for p in vessel.claims if isinstance(p, Property)} == {
        ("imo", "9123456"),
        ("other", "273"),
    }
    assert vessel.tally.counts["kept as is"]["Vessel (as a product: kbtui has no kind for craft)"] == 1
    address = mapped(
        "Address", {"full": ["ul. Tverskaya 7"], "city": ["Moscow"], "postalCode": ["125009"]}, caption="Tverskaya"
    )
    assert address.entity is not None and (address.entity.kind, address.entity.name) == ("place", "ul. Tverskaya 7")
    assert ("other", "postalCode", "125009") in {
        (p.property, p.qualifier, p.value) for p in address.claims if isinstance(p, Property)
    }
    public = mapped("PublicBody", {"name": ["State Duma"]})
    assert public.entity is not None and public.entity.kind == "organisation"
    unnamed = mapped("Company", {}, caption="Caption Co")
    assert unnamed.entity is not None and unnamed.entity.name == "Caption Co"


def test_unknown_schema_is_kept_as_a_concept():
    m = map_record(lines(SNAPSHOT)[26], "sanctions")
    assert m.entity is not None and (m.entity.kind, m.entity.name) == ("concept", "Zarya-9")
    props = {(p.property, p.qualifier, p.value) for p in m.claims if isinstance(p, Property)}
    assert props == {("country", "", "ru"), ("other", "orbit", "LEO"), ("other", "operator", "pa-gamma")}
    assert m.tally.counts["kept as is"]["Satellite (unknown schema: kept as a concept)"] == 1


def test_nested_entities_give_their_id_and_odd_values_are_counted():
    m = mapped(
        "Person",
        {
            "name": ["N"],
            "addressEntity": [{"id": "addr-1", "schema": "Address", "properties": {"full": ["x"]}}],
            "notes": [3, "", "real"],
        },
    )
    props = {(p.qualifier, p.value) for p in m.claims if isinstance(p, Property)}
    assert props == {("addressEntity", "addr-1"), ("notes", "real")}
    skipped = m.tally.counts["skipped"]
    assert skipped["Person.addressEntity (nested entity: only its id is read)"] == 1
    assert skipped["Person.notes (not a string)"] == 1 and skipped["Person.notes (empty)"] == 1
    assert_cites_exact(m)


def test_an_undated_record_says_why():
    entity = {"id": "u", "schema": "Person", "properties": {"name": ["U"], "birthDate": ["1990"]}}
    m = map_record(record_line(entity), "in")
    assert m.source.published is None and m.source.date_basis == "unknown" and m.source.as_of_note
    assert all(c.as_of is None and c.as_of_note for p in m.claims for c in p.cites)
    dated = {**entity, "last_seen": "2023-05-06T00:00:00"}
    assert map_record(record_line(dated), "in").source.published == "2023-05-06"


# -- mapping: links -------------------------------------------------------------------
def test_ownership_chain_with_shares():
    got = [map_record(line, "s") for line in lines(SNAPSHOT)[9:13]]
    rels = [only(m, Relation) for m in got]
    assert [(r.subject, r.object, r.share) for r in rels] == [
        (SIDOROV, ALPHA, "75%"),
        (ALPHA, "cy-he-123456", "51.5%"),
        ("cy-he-123456", "pa-gamma", "100%"),
        ("pa-gamma", "imo-9123456", None),
    ]
    assert all(r.type == "owns" for r in rels) and rels[0].id == "own-sidorov-alpha" and rels[0].start == "2010"
    assert [c.quote for c in rels[0].cites] == ["NK-sidorov1", ALPHA, "75", "2010"]
    assert rels[1].note == "sharesCount: 5150"
    assert rels[2].start is None and rels[2].note == "startDate: circa 2012"
    assert got[2].tally.counts["skipped"]["Ownership.startDate (not an ISO date; kept in the note)"] == 1
    for m in got:
        assert_cites_exact(m)
        assert m.entity is None


def test_roles_from_directorship_membership_employment():
    snap = lines(SNAPSHOT)
    director = only(map_record(snap[13], "s"), Role)
    assert (director.holder, director.organisation, director.title, director.start) == (
        VOLKOVA,
        ALPHA,
        "General Director",
        "2015-06-01",
    )
    member = only(map_record(snap[31], "s"), Role)
    assert (member.holder, member.organisation, member.title) == (ALPHA, "org-chamber", "Member")
    employee = only(map_record(snap[32], "s"), Role)
    assert (employee.title, employee.end, employee.status) == ("Chief Accountant", "2014", "unknown")
    bare = only(mapped("Directorship", {"director": ["a"], "organization": ["b"], "status": ["ended"]}), Role)
    assert (bare.title, bare.status) == ("Director", "former")


def test_occupancy_waits_for_its_position():
    snap = lines(SNAPSHOT)
    occ = map_record(snap[15], "s")
    role = only(occ, Role)
    assert occ.post == ("occ-orlov-duma", "pos-duma-member")
    assert (role.holder, role.organisation, role.start, role.status) == ("ru-orlov", None, "2021-09-19", "current")
    pos = map_record(snap[16], "s")
    assert pos.position == ("pos-duma-member", "Member of the State Duma", "ru-duma")
    assert pos.entity is not None and pos.entity.kind == "concept"
    assert ("affiliation", "ru-duma") in {(p.property, p.value) for p in pos.claims if isinstance(p, Property)}


def test_family_associate_link_representation_payment():
    snap = lines(SNAPSHOT)
    family = only(map_record(snap[17], "s"), Relation)
    assert (family.type, family.subject, family.object, family.label) == ("family-of", SIDOROV, VOLKOVA, "spouse")
    assoc = only(map_record(snap[18], "s"), Relation)
    assert (assoc.type, assoc.label) == ("associate-of", "business partner")
    pay = only(map_record(snap[19], "s"), Relation)
    assert (pay.type, pay.amount, pay.currency, pay.start, pay.label) == (
        "paid",
        "1250000",
        "USD",
        "2019-04-02",
        "Charter fee",
    )
    link = only(map_record(snap[27], "s"), Relation)
    assert (link.type, link.subject, link.object, link.label) == ("linked-to", "pa-gamma", "sat-zarya-9", "operator")
    rep = only(map_record(snap[29], "s"), Relation)
    assert (rep.type, rep.subject, rep.object, rep.label) == ("represents", "ru-orlov", "cy-he-123456", "lawyer")


def test_sanctions_and_their_authorities():
    snap = lines(SNAPSHOT)
    ofac = map_record(snap[20], "s")
    rel = only(ofac, Relation)
    (authority,) = ofac.extra
    assert authority.kind == "organisation" and authority.name == "Office of Foreign Assets Control"
    assert authority.id.startswith("authority-office-of-foreign-assets-control")
    assert (rel.type, rel.subject, rel.object, rel.program, rel.start) == (
        "sanctioned",
        authority.id,
        SIDOROV,
        "RUSSIA-EO14024",
        "2022-04-06",
    )
    assert rel.note.startswith("reason: Operating in the financial services sector")
    assert "country: us" in rel.note
    uk = map_record(snap[21], "s")
    assert [(x.id, x.name) for x in uk.extra] == [("authority-gb", "United Kingdom authorities")]
    assert only(uk, Relation).start == "2022-03-15"  # listingDate
    nobody = mapped("Sanction", {"entity": ["x"]})
    assert [x.id for x in nobody.extra] == ["authority-unknown"]


def test_event_with_participants():
    m = map_record(lines(SNAPSHOT)[23], "s")
    ev = only(m, Event)
    assert (ev.id, ev.name, ev.type, ev.start) == (
        "ev-limassol-2018",
        "Board meeting in Limassol",
        "meeting",
        "2018-06-12",
    )
    assert [(p.entity, p.capacity) for p in ev.participants] == [
        ("cy-he-123456", "organizer"),
        (SIDOROV, ""),
        (VOLKOVA, ""),
    ]
    assert "location: Limassol" in ev.note and ev.cites[0].quote == "Board meeting in Limassol"
    assert_cites_exact(m)
    talks = only(mapped("Event", {"name": ["Round of talks"]}), Event)
    assert talks.type == "talks"


def test_identification_and_passport():
    snap = lines(SNAPSHOT)
    idn = only(map_record(snap[24], "s"), Property)
    assert (idn.id, idn.entity, idn.property, idn.qualifier, idn.value) == (
        "idn-volkova",
        VOLKOVA,
        "identifier",
        "passport",  # its type says "Internal passport"
        "72 0987654",
    )
    passport = only(map_record(snap[25], "s"), Property)
    assert (passport.entity, passport.qualifier, passport.value) == (SIDOROV, "passport", "75 1234567")
    plain = only(mapped("Identification", {"holder": ["h"], "number": ["1"]}), Property)
    assert plain.qualifier == "id-card"


def test_a_link_without_its_ends_is_a_problem():
    m = mapped("Ownership", {"owner": ["a"]})
    assert m.claims == [] and len(m.problems) == 1 and "has no `asset`" in m.problems[0]
    assert mapped("Occupancy", {"holder": ["a"]}).problems
    assert mapped("Identification", {"number": ["123"]}).problems  # whose number?
    # a document without its number is not malformed: see the passport test below
    assert not mapped("Identification", {"holder": ["a"]}).problems


def test_every_record_of_the_fixtures_cites_exactly():
    for path in (SNAPSHOT, SNAPSHOT_V2, REGISTRY, FIXTURES / "registry-array.json"):
        for line in lines(path):
            m = map_record(line, "s")
            assert not m.problems
            assert_cites_exact(m)
            assert all(c.cites for c in m.claims)


# -- whole imports ----------------------------------------------------------------------
@pytest.fixture
def kb(tmp_path: Path) -> Path:
    path = tmp_path / "kb.db"
    import_ftm(SNAPSHOT, path)
    return path


def test_snapshot_import_counts_and_check(kb):
    assert_healthy(kb)
    counts = table_counts(kb)
    # 16 FtM entities, 3 countries (ru, cy, pa is a code only), 3 authorities, 1 event
    assert one(kb, "SELECT count(*) FROM entities WHERE kind = 'country'") == 2
    assert one(kb, "SELECT count(*) FROM entities WHERE id LIKE 'authority-%'") == 3
    assert counts["sources"] == 33 and counts["roles"] == 4 and counts["relations"] == 12
    assert counts["events"] == 1 and counts["participations"] == 3
    assert one(kb, "SELECT count(*) FROM sources WHERE format = 'ftm' AND input_id = 'sanctions'") == 33
    assert rows(kb, "SELECT kind FROM inputs") == [("ftm",)]
    meta = json.loads(one(kb, "SELECT meta FROM sources WHERE id = ?", f"sanctions--{SIDOROV}"))
    assert meta["schema"] == "Person" and meta["last_change"] == "2024-03-01T10:15:00"


def test_occupancy_is_titled_by_its_later_position(kb):
    assert rows(
        kb, "SELECT holder_id, title, organisation_id, status FROM roles WHERE claim_id = 'occ-orlov-duma'"
    ) == [("ru-orlov", "Member of the State Duma", "ru-duma", "current")]


def test_cyrillic_names_are_searchable(kb):
    for query, expect in (("Сидоров", SIDOROV), ("Волкова", VOLKOVA), ("sidorov", SIDOROV), ("Лебедев", "ru-lebedev")):
        r = CliRunner().invoke(main, ["--db", str(kb), "search", query, "--json"])
        assert r.exit_code == 0, r.output
        assert json.loads(r.stdout)[0]["id"] == expect


def test_the_report_carries_the_tally(tmp_path):
    report = import_ftm(SNAPSHOT, tmp_path / "kb.db")
    summary = report["summary"]
    assert summary["records"] == {"read": 33, "written": 33}
    assert summary["schemata"]["Person"] == 5 and summary["schemata"]["Satellite"] == 1
    assert summary["mapped"]["Ownership.percentage"] == 3
    assert summary["kept as is"]["Person.education"] == 1
    assert report["input"] == "sanctions" and report["problems"] == 0


def test_reimport_is_idempotent(kb):
    before = table_counts(kb)
    claims = rows(kb, "SELECT id FROM claims ORDER BY id")
    cites = rows(kb, 'SELECT id, claim_id, start, "end" FROM citations ORDER BY id')
    report = import_ftm(SNAPSHOT, kb)
    assert table_counts(kb) == before
    assert rows(kb, "SELECT id FROM claims ORDER BY id") == claims
    assert rows(kb, 'SELECT id, claim_id, start, "end" FROM citations ORDER BY id') == cites
    assert report["stale"] == {"sources": 0, "claims": 0, "entities": 0}
    assert_healthy(kb)


def test_delta_adds_modifies_and_deletes(kb):
    report = import_ftm(DELTA, kb)
    assert report["input"] == "sanctions"
    assert report["summary"]["records"] == {"read": 5, "delta": 5, "added": 2, "modified": 1, "deleted": 2}
    assert_healthy(kb)
    # DEL of a person nobody else names: the entity and the claims only it supported go
    assert rows(kb, "SELECT id FROM entities WHERE id = 'ru-kuznetsov'") == []
    assert rows(kb, "SELECT claim_id FROM properties WHERE entity_id = 'ru-kuznetsov'") == []
    assert rows(kb, "SELECT id FROM sources WHERE id = 'sanctions--ru-kuznetsov'") == []
    # DEL of a sanction: its relation goes, the person stays
    assert rows(kb, "SELECT claim_id FROM relations WHERE claim_id = 'ofac-sidorov'") == []
    assert rows(kb, "SELECT id FROM entities WHERE id = ?", SIDOROV) == [(SIDOROV,)]
    # MOD: a new name, and the old record's claims it no longer makes are gone
    assert one(kb, "SELECT name FROM entities WHERE id = 'ru-orlov'") == "Дмитрий Алексеевич Орлов"
    assert rows(kb, "SELECT value FROM properties WHERE entity_id = 'ru-orlov' AND property = 'birth-date'") == [
        ("1958",)
    ]
    assert rows(kb, "SELECT value FROM properties WHERE entity_id = 'ru-orlov' AND qualifier = 'gender'") == []
    # the roles and links that name Orlov are untouched
    assert one(kb, "SELECT title FROM roles WHERE claim_id = 'occ-orlov-duma'") == "Member of the State Duma"
    # ADD: a new person and the sanction naming him
    assert rows(kb, "SELECT subject_id FROM relations WHERE object_id = 'ru-zaitsev'") == [
        (rows(kb, "SELECT subject_id FROM relations WHERE claim_id = 'ofac-zaitsev'")[0][0],)
    ]
    assert one(kb, "SELECT count(*) FROM relations WHERE type = 'sanctioned'") == 3


def test_delete_an_event_and_a_link(kb, tmp_path):
    path = write(
        tmp_path, "del.delta.json", [{"op": "DEL", "entity": {"id": i}} for i in ("ev-limassol-2018", "own-alpha-beta")]
    )
    report = import_ftm(path, kb, input_id="sanctions")
    assert report["summary"]["records"]["deleted"] == 2
    assert rows(kb, "SELECT id FROM entities WHERE id = 'ev-limassol-2018'") == []
    assert rows(kb, "SELECT * FROM participations") == []
    assert rows(kb, "SELECT claim_id FROM relations WHERE claim_id = 'own-alpha-beta'") == []
    assert rows(kb, "SELECT id FROM entities WHERE id = 'cy-he-123456'") == [("cy-he-123456",)]
    assert_healthy(kb)


def test_a_shared_entity_survives_one_input_deleting_it(kb):
    import_ftm(REGISTRY, kb)
    assert rows(kb, "SELECT input_id FROM entity_inputs WHERE entity_id = 'ru-kuznetsov' ORDER BY 1") == [
        ("registry",),
        ("sanctions",),
    ]
    import_ftm(DELTA, kb)
    assert_healthy(kb)
    assert rows(kb, "SELECT input_id FROM entities WHERE id = 'ru-kuznetsov'") == [("registry",)]
    assert rows(kb, "SELECT input_id FROM entity_inputs WHERE entity_id = 'ru-kuznetsov'") == [("registry",)]
    assert one(kb, "SELECT title FROM roles WHERE claim_id = 'dir-kuznetsov-delta'") == "Director"
    # only the registry's evidence is left for him (its birth-date claim took over the same claim id)
    evidence = rows(
        kb,
        "SELECT DISTINCT s.input_id FROM properties p JOIN citations c ON c.claim_id = p.claim_id"
        " JOIN sources s ON s.id = c.source_id WHERE p.entity_id = 'ru-kuznetsov'",
    )
    assert evidence == [("registry",)]


def test_a_mod_keeps_a_shared_entity_with_its_owner(kb, tmp_path):
    # 'registry' sorts before 'sanctions': a MOD that unlinked and relinked
    # the entity would hand it to the registry at the end of the import
    import_ftm(REGISTRY, kb)
    line = SNAPSHOT.read_text(encoding="utf-8").splitlines()[3]
    entity = json.loads(line)
    entity["properties"]["alias"] = ["A. V. Kuznetsov"]
    path = write(tmp_path, "mod.delta.json", [{"op": "MOD", "entity": entity}])
    import_ftm(path, kb, input_id="sanctions")
    assert rows(kb, "SELECT input_id, name FROM entities WHERE id = 'ru-kuznetsov'") == [
        ("sanctions", "Кузнецов Андрей Викторович")
    ]
    aliases = rows(kb, "SELECT alias, input_id FROM aliases WHERE entity_id = 'ru-kuznetsov' ORDER BY alias")
    assert aliases == [("A. V. Kuznetsov", "sanctions"), ("Andrei Viktorovich Kuznetsov", "registry")]
    assert_healthy(kb)


def test_second_snapshot_renames_and_prunes(kb):
    report = import_ftm(SNAPSHOT_V2, kb)
    assert report["stale"]["sources"] == 1 and report["stale"]["claims"] == 1
    assert one(kb, "SELECT name FROM entities WHERE id = ?", VOLKOVA) == "Елена Сергеевна Смирнова"
    assert ("Elena Sergeyevna Volkova", "former-name") in rows(
        kb, "SELECT alias, kind FROM aliases WHERE entity_id = ?", VOLKOVA
    )
    assert rows(kb, "SELECT claim_id FROM relations WHERE claim_id = 'eu-volkova'") == [("eu-volkova",)]
    report = import_ftm(SNAPSHOT_V2, kb, prune=True)
    assert report["removed"]["sources"] == 1
    assert rows(kb, "SELECT claim_id FROM relations WHERE claim_id = 'eu-volkova'") == []
    assert rows(kb, "SELECT id FROM entities WHERE name = 'Council of the European Union'") == []
    assert_healthy(kb)


def test_on_error_skip_reports_line_numbers(tmp_path):
    path = FIXTURES / "bad" / "malformed.ftm.json"
    report = import_ftm(path, tmp_path / "kb.db", input_id="bad", on_error="skip")
    assert report["problems"] == 4
    assert [p.split(": ", 1)[0] for p in report["problem_lines"]] == [f"{path}:{n}" for n in (2, 3, 4, 6)]
    assert rows(tmp_path / "kb.db", "SELECT id FROM entities ORDER BY id") == [("ok-1",), ("ok-2",)]
    assert report["summary"]["records"]["bad"] == 4
    assert_healthy(tmp_path / "kb.db")


def test_on_error_stop_leaves_the_kb_byte_identical(kb):
    before = sha(kb)
    with pytest.raises(ImportFailed) as failed:
        import_ftm(FIXTURES / "bad" / "malformed.ftm.json", kb)
    assert "malformed.ftm.json:2: is not valid JSON" in str(failed.value) and "nothing was written" in str(failed.value)
    assert sha(kb) == before


def test_a_failed_import_creates_no_kb(tmp_path):
    with pytest.raises(ImportFailed):
        import_ftm(FIXTURES / "bad" / "malformed.ftm.json", tmp_path / "new.db")
    assert not (tmp_path / "new.db").exists()


def test_dangling_reference(tmp_path):
    path = FIXTURES / "bad" / "dangling.ftm.json"
    with pytest.raises(ImportFailed, match=r"dangling\.ftm\.json:2: `ghost-company-404`"):
        import_ftm(path, tmp_path / "kb.db")
    report = import_ftm(path, tmp_path / "kb.db", on_error="skip")
    assert report["problems"] == 1 and rows(tmp_path / "kb.db", "SELECT * FROM relations") == []
    assert_healthy(tmp_path / "kb.db")


def test_delta_for_an_unknown_id(kb):
    path = FIXTURES / "bad" / "unknown.delta.json"
    report = import_ftm(path, kb, input_id="sanctions", on_error="skip")
    assert report["problem_lines"] == [
        f"{path}:1: delta DEL for unknown id 'never-imported': input `sanctions` has no such record"
        " (import its snapshot first, or name the input with --input)",
        f"{path}:2: delta MOD for unknown id 'also-never-imported': input `sanctions` has no such record"
        " (import its snapshot first, or name the input with --input)",
    ]
    before = sha(kb)
    with pytest.raises(ImportFailed, match="delta DEL for unknown id"):
        import_ftm(path, kb, input_id="sanctions")
    assert sha(kb) == before


def test_deep_and_oversized_records_end_to_end(tmp_path, monkeypatch):
    monkeypatch.setenv("KBTUI_LIMIT_VALUE_CHARS", "500")
    big = {"id": "big", "schema": "Person", "properties": {"notes": ["x" * 600]}}
    deep = '{"id": "deep", "schema": "Person", "properties": {"x": [' + "[" * 5000 + "]" * 5000 + "]}}"
    path = write(
        tmp_path, "hostile.json", [{"id": "fine", "schema": "Person", "properties": {"name": ["Fine"]}}, big, deep]
    )
    report = import_ftm(path, tmp_path / "kb.db", on_error="skip")
    assert [p.split(": ")[0] for p in report["problem_lines"]] == [f"{path}:2", f"{path}:3"]
    assert "KBTUI_LIMIT_VALUE_CHARS" in report["problem_lines"][0]
    assert rows(tmp_path / "kb.db", "SELECT id FROM entities") == [("fine",)]


def test_occupancy_titled_from_the_kb_and_a_missing_post(tmp_path, kb):
    occ = {"id": "occ-2", "schema": "Occupancy", "properties": {"holder": ["ru-lebedev"], "post": ["pos-duma-member"]}}
    path = write(tmp_path, "more.delta.json", [{"op": "ADD", "entity": occ}])
    import_ftm(path, kb, input_id="sanctions")
    assert one(kb, "SELECT title FROM roles WHERE claim_id = 'occ-2'") == "Member of the State Duma"
    ghost = {"id": "occ-3", "schema": "Occupancy", "properties": {"holder": ["ru-lebedev"], "post": ["pos-nowhere"]}}
    path = write(tmp_path, "ghost.delta.json", [{"op": "ADD", "entity": ghost}])
    with pytest.raises(ImportFailed, match=r"ghost\.delta\.json:1: `pos-nowhere` \(the post of Occupancy `occ-3`\)"):
        import_ftm(path, kb, input_id="sanctions")
    report = import_ftm(path, kb, input_id="sanctions", on_error="skip")
    assert report["problems"] == 1 and rows(kb, "SELECT * FROM claims WHERE id = 'occ-3'") == []
    assert_healthy(kb)


def test_array_file_and_dry_run(tmp_path):
    target = tmp_path / "kb.db"
    report = import_ftm(FIXTURES / "registry-array.json", target, dry_run=True)
    assert report["written"]["sources"] == 3 and not target.exists()
    import_ftm(FIXTURES / "registry-array.json", target)
    assert one(target, "SELECT title FROM roles") == "Director"
    before = sha(target)
    import_ftm(SNAPSHOT, target, dry_run=True)
    assert sha(target) == before
    assert_healthy(target)


def test_prune_does_not_apply_to_deltas(kb):
    with pytest.raises(ImportFailed, match="--prune applies to a whole snapshot"):
        import_ftm(DELTA, kb, prune=True)


def test_bad_arguments(tmp_path):
    with pytest.raises(ImportFailed, match="no such file"):
        import_ftm(tmp_path / "none.json", tmp_path / "kb.db")
    with pytest.raises(ImportFailed, match="must be a slug"):
        import_ftm(SNAPSHOT, tmp_path / "kb.db", input_id="Not A Slug")
    with pytest.raises(ImportFailed, match="'stop' or 'skip'"):
        import_ftm(SNAPSHOT, tmp_path / "kb.db", on_error="maybe")


def test_cli_import_then_check(tmp_path):
    target = tmp_path / "kb.db"
    runner = CliRunner()
    r = runner.invoke(main, ["import", str(SNAPSHOT), "--db", str(target), "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["format"] == "ftm" and out["input"] == "sanctions" and out["written"]["sources"] == 33
    r = runner.invoke(main, ["import", str(DELTA), "--db", str(target)])
    assert r.exit_code == 0, r.output
    assert "records" in r.stderr
    r = runner.invoke(main, ["--db", str(target), "check"])
    assert r.exit_code == 0, r.output


def test_a_passport_without_a_number_is_kept_as_a_source_with_nothing_to_claim(tmp_path):
    # the GB FCDO list says a passport exists without giving its number
    m = mapped("Passport", {"holder": ["p-1"]})
    assert m.problems == [] and m.claims == []
    assert m.tally.counts["skipped"] == {"Passport (no `passportNumber`: nothing to claim)": 1}
    person = {"id": "p-1", "schema": "Person", "properties": {"name": ["Ivan Petrov"]}}
    passport = {"id": "pass-1", "schema": "Passport", "properties": {"holder": ["p-1"]}}
    kb = tmp_path / "kb.db"
    report = import_ftm(write(tmp_path, "f.json", [person, passport]), kb, input_id="f")
    assert report["problems"] == 0 and report["written"]["sources"] == 2
    assert_healthy(kb)
    # one with a number is still an identifier of its holder
    numbered = mapped("Passport", {"holder": ["p-1"], "passportNumber": ["7701 123456"]})
    assert only(numbered, Property).value == "7701 123456"


def test_a_record_titled_by_its_schema_says_it_once():
    family = mapped("Family", {"person": ["a"], "relative": ["b"]}, caption="Family")
    assert family.source.title == "Family (FtM record rec-1)"
    person = mapped("Person", {"name": ["Ivan Petrov"]}, caption="Ivan Petrov")
    assert person.source.title == "Person Ivan Petrov (FtM record rec-1)"
