"""Every dated item of the KB (or of one entity) in date order, a page at a time.

An item is one thing that happened at one date, drawn from one claim:

- a role's start ("became Head of …") and end ("ceased to be …");
- an event's start and end (one row at the start when the end is not given
  or is the same date), with its type, place and participants;
- a relation's start and end ("Russia banned WeChat", 2017);
- a dated property: birth, death, incorporation, dissolution;
- an *attestation*: a role, relation or event that has no dates of its own
  is placed where its evidence last says it held (the latest as-of date of
  the citations that support or qualify it and assert it, as `v_roles`'
  attested_last). One row per claim, at the latest date only, so a claim
  cited fifty times is one row, not fifty; the first attestation is named
  in the row's text when it differs. A claim with dates of its own gets no
  attestation row: its dates say more than its sources' dates.

Order. Dates are ISO prefixes kept at the precision the source gives, and
an item is sorted by its date *as stored*: string order, which places a
coarse date at the start of its period ("2024" before "2024-01" before
"2024-01-15" before "2024-02"). That reads right (a year's items open with
what is only known to the year) and is the order of the stored strings, so
it needs no computed keys. Within one date items follow claim id, and a
claim's start before its end. The full key is (date, claim id, rank): a
page ends at a key and the next page starts after it (a keyset cursor), so
paging never re-reads what went before and rows cannot shift between pages.

Range. `--from`/`--to` keep an item when its date *overlaps* the range: a
date is an interval (kbtui.kb.dates), so "2024" is kept by --from 2024-04
(April is within it) and by --to 2024-04; "2024-03" is not kept by --from
2024-04. Each item is one date: an event is kept by the dates of its start
and end rows, not by the days between them.

Cost. The schema has no index on a role's start or end, and none may be
added, so each claim kind is read as one bounded query: the claims whose
next item lies after the cursor, ordered by that item's key, LIMIT the page
size (SQLite keeps only that many rows while it scans). Every claim's first
item after the cursor ranks no later than its other items, so the first N
claims of each kind hold the first N items of that kind; the kinds' items
are merged in Python. For an entity the claims come through its indexes
(roles_holder, roles_organisation, relations_subject/object,
participations_entity, events_place, properties_entity): a hub of 12,758
role holders is about 13,000 index rows. For the whole KB the roles table
is scanned once per page (about 0.4 s at 1.7M roles), since nothing orders
roles by date; the benchmark (benchmarks/timeline.py) has the figures.
Undated claims read their citations (citations_claim) for their
attestation date, which costs a lookup per undated claim in the scan.
Names, participants and citations are then read for the page's claims only.

No Textual, Rich or click here: the CLI and the explorer both page through
`page()`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypedDict

from kbtui.kb import attest, dates
from kbtui.kb.models import Citation
from kbtui.kb.queries import citations_for

DATE_PROPERTIES: dict[str, str] = {
    "birth-date": "born",
    "death-date": "died",
    "incorporation-date": "incorporated",
    "dissolution-date": "dissolved",
}
# a claim's items in the order they happen: its start (or its only date)
# before its end
RANK: dict[str, int] = {
    "role-start": 0,
    "role-end": 1,
    "event-start": 0,
    "event-end": 1,
    "relation-start": 0,
    "relation-end": 1,
    "attested": 0,
    **dict.fromkeys(DATE_PROPERTIES, 0),
}
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
_NONE = "~"  # sorts after every date: "no item" in min() over a claim's items


class EntityName(TypedDict):
    id: str
    name: str


class ClaimInfo(TypedDict):
    id: str
    kind: str  # role | relation | event | property
    type: str  # the role's title, the relation's or event's type, the property
    label: str  # the claim in words, as `kbtui cite` and the evidence panes say it
    disputed: str | None


class Item(TypedDict):
    """One row of a timeline (the JSON contract, see README)."""

    date: str  # as stored: "2024", "2024-04", "2024-04-20"
    precision: str  # year | month | day
    kind: str  # a key of RANK
    text: str  # what happened, in words
    claim: ClaimInfo
    entities: list[EntityName]
    citation: Citation | None  # the quote that dates it best (see _best)
    citations: int
    cursor: str  # pass as `after` for the items that follow this one


@dataclass(frozen=True)
class Cursor:
    """The key of the last item shown: the next page starts after it."""

    date: str
    claim_id: str
    rank: int

    def __str__(self) -> str:
        return f"{self.date}:{self.claim_id}:{self.rank}"

    @classmethod
    def parse(cls, text: str) -> Cursor:
        """ValueError for anything a page did not print."""
        parts = text.split(":")
        if len(parts) != 3 or not parts[0] or not parts[1] or parts[2] not in {"0", "1"}:
            raise ValueError(f"{text!r} is not a timeline cursor")
        return cls(parts[0], parts[1], int(parts[2]))


@dataclass
class Page:
    items: list[Item]
    next: Cursor | None  # None: this was the last page
    entity_id: str | None = None
    bounds: tuple[str | None, str | None] = (None, None)


@dataclass(frozen=True)
class Bounds:
    """--from/--to as the comparisons of the module docstring, the same in
    SQL and in Python."""

    lo: str = ""  # the --from date ("" none)
    lo_year: str = ""  # its year and month: coarser dates that contain it
    lo_month: str = ""
    hi: str = _NONE  # the --to date followed by "~": every date it contains sorts before

    @classmethod
    def of(cls, start: str | None, end: str | None) -> Bounds:
        lo = start or ""
        return cls(lo, lo[:4], lo[:7], (end + _NONE) if end else _NONE)

    def keeps(self, d: str) -> bool:
        return d >= self.lo_year and (d >= self.lo or d in (self.lo_year, self.lo_month)) and d < self.hi


def precision(d: str) -> str:
    """By the stored shape (kbtui check refuses other shapes)."""
    return {4: "year", 7: "month"}.get(len(d), "day")


@dataclass
class _Raw:
    """A claim picked by a kind's query: its dates, before names are read."""

    kind: str  # role | relation | event | property
    claim_id: str
    start: str | None
    end: str | None
    attested: str | None  # latest attestation, for an undated claim
    extra: dict[str, Any] = field(default_factory=dict)

    def dates(self) -> list[tuple[str, str]]:
        """(item kind, date) for every item this claim makes."""
        if self.kind == "property":
            return [(str(self.extra["property"]), self.start)] if self.start else []
        out: list[tuple[str, str]] = []
        if self.start:
            out.append((f"{self.kind}-start", self.start))
        if self.end and (self.end != self.start or self.kind != "event"):
            out.append((f"{self.kind}-end", self.end))
        if not self.start and not self.end and self.attested:
            out.append(("attested", self.attested))
        return out


# the latest as-of date of a claim's evidence: the one whose last day is
# latest, the finer of two that end the same day ("2024-02-29" over
# "2024-02"), exactly as kbtui.kb.attest.window picks it (v_roles' padded
# key calls every month 31 days long)
def _attested_sql(claim: str) -> str:
    return (
        "(SELECT ci.as_of FROM citations ci WHERE ci.claim_id = " + claim + " AND ci.as_of IS NOT NULL"
        " AND ci.stance != 'contradicts' AND ci.mode = 'asserts'"
        " ORDER BY CASE length(ci.as_of) WHEN 4 THEN ci.as_of || '-12-31'"
        " WHEN 7 THEN date(ci.as_of || '-01', '+1 month', '-1 day') ELSE ci.as_of END DESC,"
        " length(ci.as_of) DESC LIMIT 1)"
    )


@dataclass(frozen=True)
class _Shape:
    """Which conditions a page's SQL needs. A condition that cannot fail is
    left out, not passed an empty bound: the whole-KB page scans every role,
    and each comparison per row is paid 1.7 million times at 1M entities."""

    entity: bool
    lo: bool
    hi: bool
    cursor: bool


def _due(col: str, rank: int, shape: _Shape) -> str:
    """SQL: the item's date if it is in the range and after the cursor, else NULL."""
    tests = []
    if shape.lo:
        tests.append(f"{col} >= :lo_year AND ({col} >= :lo OR {col} = :lo_year OR {col} = :lo_month)")
    if shape.hi:
        tests.append(f"{col} < :hi")
    if shape.cursor:
        tests.append(f"({col} > :cd OR ({col} = :cd AND (claim_id > :cc OR (claim_id = :cc AND {rank} > :cr))))")
    return f"CASE WHEN {' AND '.join(tests)} THEN {col} END" if tests else col


def _picked(inner: str, items: list[tuple[str, int]], shape: _Shape) -> str:
    """The claims of `inner` (a SELECT with claim_id, start, end, att) in the
    order of their first item after the cursor, the first :n of them.

    Claims with no such item sort last (key "~") and are dropped by the
    item-by-item test in page(): a WHERE on the key would make SQLite
    compute it (and an undated claim's attestation subquery) again."""
    due = ", ".join(f"coalesce({_due(col, rank, shape)}, '{_NONE}')" for col, rank in items)
    key = f"min({due}, '{_NONE}')"  # (min() of one argument is an aggregate: pad it)
    return f"SELECT q.*, {key} AS k FROM ({inner}) q ORDER BY k, claim_id LIMIT :n"


_DATED = [("start", 0), ('"end"', 1), ("att", 0)]


def _roles_sql(shape: _Shape) -> str:
    where = " WHERE r.holder_id = :e OR r.organisation_id = :e" if shape.entity else ""
    return _picked(
        'SELECT r.claim_id, r.start, r."end",'
        ' CASE WHEN r.start IS NULL AND r."end" IS NULL THEN ' + _attested_sql("r.claim_id") + " END AS att"
        " FROM roles r" + where,
        _DATED,
        shape,
    )


def _relations_sql(shape: _Shape) -> str:
    where = " WHERE r.subject_id = :e OR r.object_id = :e" if shape.entity else ""
    return _picked(
        'SELECT r.claim_id, r.start, r."end",'
        ' CASE WHEN r.start IS NULL AND r."end" IS NULL THEN ' + _attested_sql("r.claim_id") + " END AS att"
        " FROM relations r" + where,
        _DATED,
        shape,
    )


def _events_sql(shape: _Shape) -> str:
    where = (
        " WHERE e.entity_id = :e OR e.place_id = :e"
        " OR e.entity_id IN (SELECT event_id FROM participations WHERE entity_id = :e)"
        if shape.entity
        else ""
    )
    # an end on the start's date is no second row (see _Raw.dates)
    return _picked(
        'SELECT e.claim_id, e.start, CASE WHEN e."end" = e.start THEN NULL ELSE e."end" END AS "end",'
        ' CASE WHEN e.start IS NULL AND e."end" IS NULL THEN ' + _attested_sql("e.claim_id") + " END AS att"
        " FROM events e" + where,
        _DATED,
        shape,
    )


def _properties_sql(shape: _Shape) -> str:
    marks = ", ".join(f"'{p}'" for p in DATE_PROPERTIES)
    where = f"p.entity_id = :e AND p.property IN ({marks})" if shape.entity else f"p.property IN ({marks})"
    return _picked(
        'SELECT p.claim_id, p.value AS start, NULL AS "end", NULL AS att, p.property FROM properties p'
        f" WHERE {where} AND p.value GLOB '[0-9][0-9][0-9][0-9]*'",
        [("start", 0)],
        shape,
    )


_KINDS: dict[str, Callable[[_Shape], str]] = {
    "role": _roles_sql,
    "relation": _relations_sql,
    "event": _events_sql,
    "property": _properties_sql,
}


def page(
    conn: sqlite3.Connection,
    entity_id: str | None = None,
    start: str | None = None,
    end: str | None = None,
    after: Cursor | None = None,
    limit: int = DEFAULT_LIMIT,
) -> Page:
    """The first `limit` items after `after` (from the beginning when None),
    of one entity (`entity_id`, already resolved) or of the whole KB, whose
    dates overlap `start`..`end` (either open). Dates must be valid ISO
    prefixes (the caller checks, with its own words for the option)."""
    if not 1 <= limit <= MAX_LIMIT:
        raise ValueError(f"limit {limit} is outside 1..{MAX_LIMIT}")
    bounds = Bounds.of(start, end)
    params: dict[str, object] = {
        "e": entity_id,
        "lo": bounds.lo,
        "lo_year": bounds.lo_year,
        "lo_month": bounds.lo_month,
        "hi": bounds.hi,
        "cd": after.date if after else "",
        "cc": after.claim_id if after else "",
        "cr": after.rank if after else -1,
        "n": limit + 1,  # one more than shown: is there a next page?
    }
    shape = _Shape(entity_id is not None, bool(start), bool(end), after is not None)
    raws: list[_Raw] = []
    for kind, sql in _KINDS.items():
        for r in conn.execute(sql(shape), params):
            extra = {"property": r["property"]} if kind == "property" else {}
            raws.append(_Raw(kind, r["claim_id"], r["start"], r["end"], r["att"], extra))
    keyed: list[tuple[tuple[str, str, int], str, _Raw]] = []
    for raw in raws:
        for item_kind, d in raw.dates():
            key = (d, raw.claim_id, RANK[item_kind])
            # the same test the SQL made, item by item: a claim's other item
            # may be out of range or before the cursor
            if bounds.keeps(d) and (after is None or key > (after.date, after.claim_id, after.rank)):
                keyed.append((key, item_kind, raw))
    keyed.sort(key=lambda t: t[0])
    more = len(keyed) > limit
    keyed = keyed[:limit]
    items = _describe(conn, keyed)
    last = keyed[-1][0] if keyed else None
    return Page(items, Cursor(*last) if more and last else None, entity_id, (start, end))


def iterate(
    conn: sqlite3.Connection,
    entity_id: str | None = None,
    start: str | None = None,
    end: str | None = None,
    page_size: int = DEFAULT_LIMIT,
) -> Iterable[Item]:
    """Every item, a page at a time."""
    after: Cursor | None = None
    while True:
        p = page(conn, entity_id, start, end, after, page_size)
        yield from p.items
        if p.next is None:
            return
        after = p.next


def _in(ids: list[str]) -> str:
    return ",".join("?" * len(ids))


def _describe(conn: sqlite3.Connection, keyed: list[tuple[tuple[str, str, int], str, _Raw]]) -> list[Item]:
    """Names, participants and citations for the page's claims only."""
    by_kind: dict[str, list[str]] = {}
    for _, _, raw in keyed:
        by_kind.setdefault(raw.kind, []).append(raw.claim_id)
    info: dict[str, tuple[ClaimInfo, list[EntityName], dict[str, str]]] = {}
    for kind, ids in by_kind.items():
        ids = sorted(set(ids))
        info.update(_LOADERS[kind](conn, ids))
    cites = citations_for(conn, sorted({raw.claim_id for _, _, raw in keyed}))
    out: list[Item] = []
    for key, item_kind, raw in keyed:
        if raw.claim_id not in info:  # a row a damaged file hides (kbtui check names it)
            continue
        claim, entities, words = info[raw.claim_id]
        found = cites.get(raw.claim_id, [])
        d = key[0]
        text = _text(item_kind, claim, words, raw, found)
        out.append(
            {
                "date": d,
                "precision": precision(d),
                "kind": item_kind,
                "text": text,
                "claim": claim,
                "entities": entities,
                "citation": _best(found, d if item_kind == "attested" else None),
                "citations": len(found),
                "cursor": str(Cursor(*key)),
            }
        )
    return out


def _best(cites: list[Citation], as_of: str | None) -> Citation | None:
    """The citation to drill to: for an attestation, the evidence dated that
    day (it is what places the row); otherwise the first evidence (supports
    or qualifies, asserts), else the first citation."""
    evidence = [c for c in cites if attest.is_evidence(attest.Dated(c["as_of"], c["stance"], c["mode"]))]
    if as_of is not None:
        dated = [c for c in evidence if c["as_of"] == as_of]
        if dated:
            return dated[0]
    chosen = evidence or cites
    return chosen[0] if chosen else None


def _text(item_kind: str, claim: ClaimInfo, words: dict[str, str], raw: _Raw, cites: list[Citation]) -> str:
    """What happened, in words."""
    label = claim["label"]
    if item_kind == "role-start":
        return f"{words['holder']} became {words['position']}"
    if item_kind == "role-end":
        return f"{words['holder']} ceased to be {words['position']}"
    if item_kind == "event-start":
        what = f" ({words['what']})" if words["what"] else ""
        return f"{words['name']}{' begins' if raw.end else ''}{what}"
    if item_kind == "event-end":
        return f"{words['name']} ends" + (f" ({words['what']})" if words["what"] else "")
    if item_kind == "relation-start":
        return label + (" (begins)" if raw.end else "")
    if item_kind == "relation-end":
        return label + " (ends)"
    if item_kind in DATE_PROPERTIES:
        return f"{words['name']} {DATE_PROPERTIES[item_kind]}"
    first, _ = attest.window(attest.Dated(c["as_of"], c["stance"], c["mode"]) for c in cites)
    since = f" (first attested {first})" if first and first != raw.attested else ""
    return f"attested: {label}{since}"


_Loaded = dict[str, tuple[ClaimInfo, list[EntityName], dict[str, str]]]


def _claim(claim_id: str, kind: str, type_: str, label: str, disputed: str | None) -> ClaimInfo:
    return {"id": claim_id, "kind": kind, "type": type_, "label": label, "disputed": disputed}


def _load_roles(conn: sqlite3.Connection, ids: list[str]) -> _Loaded:
    out: _Loaded = {}
    for i in range(0, len(ids), 500):
        part = ids[i : i + 500]
        for r in conn.execute(
            "SELECT r.claim_id, r.title, r.holder_id, h.name AS holder, r.organisation_id, o.name AS org,"
            " r.status, c.disputed FROM roles r JOIN claims c ON c.id = r.claim_id"
            " JOIN entities h ON h.id = r.holder_id LEFT JOIN entities o ON o.id = r.organisation_id"
            f" WHERE r.claim_id IN ({_in(part)})",
            part,
        ):
            position = r["title"] + (f" of {r['org']}" if r["org"] else "")
            # as kbtui.kb.queries.claim_summary says it: only "former" is lasting
            label = f"{r['holder']}: {position}" + (" (former)" if r["status"] == "former" else "")
            entities: list[EntityName] = [{"id": r["holder_id"], "name": r["holder"]}]
            if r["organisation_id"]:
                entities.append({"id": r["organisation_id"], "name": r["org"] or r["organisation_id"]})
            claim = _claim(r["claim_id"], "role", r["title"], label, r["disputed"])
            out[r["claim_id"]] = (claim, entities, {"holder": r["holder"], "position": position})
    return out


def _load_relations(conn: sqlite3.Connection, ids: list[str]) -> _Loaded:
    out: _Loaded = {}
    for i in range(0, len(ids), 500):
        part = ids[i : i + 500]
        for r in conn.execute(
            "SELECT r.claim_id, r.type, r.label, r.subject_id, s.name AS subject, r.object_id, o.name AS object,"
            " c.disputed FROM relations r JOIN claims c ON c.id = r.claim_id"
            " JOIN entities s ON s.id = r.subject_id JOIN entities o ON o.id = r.object_id"
            f" WHERE r.claim_id IN ({_in(part)})",
            part,
        ):
            # 'other' says nothing: the relation's own label does ("met with"), else "linked to"
            verb = (r["label"] or "linked to") if r["type"] == "other" else r["type"].replace("-", " ")
            label = f"{r['subject']} {verb} {r['object']}"
            entities: list[EntityName] = [
                {"id": r["subject_id"], "name": r["subject"]},
                {"id": r["object_id"], "name": r["object"]},
            ]
            out[r["claim_id"]] = (_claim(r["claim_id"], "relation", r["type"], label, r["disputed"]), entities, {})
    return out


def _load_events(conn: sqlite3.Connection, ids: list[str]) -> _Loaded:
    out: _Loaded = {}
    for i in range(0, len(ids), 500):
        part = ids[i : i + 500]
        rows = conn.execute(
            "SELECT e.claim_id, e.entity_id, en.name, e.type, e.place_id, pl.name AS place, c.disputed"
            " FROM events e JOIN claims c ON c.id = e.claim_id JOIN entities en ON en.id = e.entity_id"
            f" LEFT JOIN entities pl ON pl.id = e.place_id WHERE e.claim_id IN ({_in(part)})",
            part,
        ).fetchall()
        events = [r["entity_id"] for r in rows]
        people: dict[str, list[EntityName]] = {}
        for p in conn.execute(
            "SELECT p.event_id, p.entity_id, en.name FROM participations p JOIN entities en ON en.id = p.entity_id"
            f" WHERE p.event_id IN ({_in(events)}) ORDER BY en.name COLLATE NOCASE, p.entity_id",
            events,
        ):
            people.setdefault(p["event_id"], []).append({"id": p["entity_id"], "name": p["name"]})
        for r in rows:
            what = ", ".join(x for x in (r["type"] if r["type"] != "other" else "", r["place"] or "") if x)
            entities: list[EntityName] = [{"id": r["entity_id"], "name": r["name"]}]
            if r["place_id"]:
                entities.append({"id": r["place_id"], "name": r["place"] or r["place_id"]})
            entities.extend(people.get(r["entity_id"], []))
            label = f"{r['name']} ({what})" if what else r["name"]
            claim = _claim(r["claim_id"], "event", r["type"], label, r["disputed"])
            out[r["claim_id"]] = (claim, entities, {"name": r["name"], "what": what})
    return out


def _load_properties(conn: sqlite3.Connection, ids: list[str]) -> _Loaded:
    out: _Loaded = {}
    for i in range(0, len(ids), 500):
        part = ids[i : i + 500]
        for r in conn.execute(
            "SELECT p.claim_id, p.entity_id, e.name, p.property, p.value, c.disputed FROM properties p"
            " JOIN claims c ON c.id = p.claim_id JOIN entities e ON e.id = p.entity_id"
            f" WHERE p.claim_id IN ({_in(part)})",
            part,
        ):
            label = f"{r['name']}: {r['property']} {r['value']}"
            entities: list[EntityName] = [{"id": r["entity_id"], "name": r["name"]}]
            claim = _claim(r["claim_id"], "property", r["property"], label, r["disputed"])
            out[r["claim_id"]] = (claim, entities, {"name": r["name"]})
    return out


_LOADERS: dict[str, Callable[[sqlite3.Connection, list[str]], _Loaded]] = {
    "role": _load_roles,
    "relation": _load_relations,
    "event": _load_events,
    "property": _load_properties,
}


# --- a range typed by a person ---------------------------------------------------

RANGE_SEPARATORS = ("..", " to ", "–", "—")


def parse_range(text: str) -> tuple[str | None, str | None]:
    """(start, end) from what the explorer's date box holds: "2024-04" (that
    month: from and to it), "2022..2024-06", "2022 to 2024-06", "2022–2024"
    (an en dash), "2024.." (from 2024 on), "..2021" (up to 2021); empty for
    all. ValueError with a sentence for the user otherwise (a hyphen cannot
    separate: it is inside every date)."""
    typed = text.strip()
    if not typed:
        return None, None
    start: str | None
    end: str | None
    for sep in RANGE_SEPARATORS:
        if sep in typed:
            left, _, right = typed.partition(sep)
            start, end = left.strip() or None, right.strip() or None
            break
    else:
        start = end = typed
    for value in (start, end):
        if value is None:
            continue
        if not dates.is_valid(value):
            raise ValueError(
                f"{value!r} is not a date: use YYYY, YYYY-MM or YYYY-MM-DD, or a range such as 2022..2024-06"
            )
    if start and end and dates.span(start).first > dates.span(end).last:
        raise ValueError(f"{start} is after {end}: give the earlier date first")
    return start, end
