"""The rows of an overview page, filled in from their ids: names, dates,
counts and what a row needs to be told apart or opened. One page is at
most a few hundred ids, each looked up through a primary key or index."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Literal

from kbtui.kb import queries
from kbtui.kb.db import rows_in

View = Literal["sources", "claims", "events", "entities"]

RELAY_DEPTH = 5  # links of a repost chain followed (a crafted file may loop)


@dataclass
class SourceRow:
    id: str
    title: str
    outlet: str | None
    author: str | None
    published: str | None
    date_basis: str
    via: str | None
    via_date: str | None
    relays: str | None
    origin: str | None
    note: str
    format: str
    citations: int = 0
    errata: int = 0
    relay_chain: list[str] = field(default_factory=list)  # titles of what it relays, nearest first


@dataclass
class ClaimRow:
    id: str
    kind: str
    summary: str = ""
    owner_id: str | None = None
    owner_name: str = ""
    start: str | None = None
    end: str | None = None
    status: str | None = None
    citations: int = 0
    disputed: str | None = None
    conflicts: int = 0


@dataclass
class EventRow:
    id: str
    claim_id: str
    name: str
    type: str
    start: str | None
    end: str | None
    place: str | None
    participants: list[str] = field(default_factory=list)
    citations: int = 0
    disputed: str | None = None


@dataclass
class EntityRow:
    id: str
    name: str
    kind: str
    summary: str
    countries: list[str] = field(default_factory=list)


Row = SourceRow | ClaimRow | EventRow | EntityRow


def fill(conn: sqlite3.Connection, view: View, ids: list[str]) -> list[Row]:
    if not ids:
        return []
    if view == "sources":
        return list(_sources(conn, ids))
    if view == "claims":
        return list(_claims(conn, ids))
    if view == "events":
        return list(_events(conn, ids))
    return list(_entities(conn, ids))


def _counts(conn: sqlite3.Connection, sql: str, ids: list[str]) -> dict[str, int]:
    return {k: n for k, n in rows_in(conn, sql, ids)}


def _sources(conn: sqlite3.Connection, ids: list[str]) -> list[SourceRow]:
    found = {
        r[0]: SourceRow(*r)
        for r in rows_in(
            conn,
            "SELECT id, title, outlet, author, published, date_basis, via, via_date, relays, origin, note, format"
            " FROM sources WHERE id IN ({marks})",
            ids,
        )
    }
    cites = _counts(conn, "SELECT source_id, count(*) FROM citations WHERE source_id IN ({marks}) GROUP BY 1", ids)
    errata = _counts(conn, "SELECT source_id, count(*) FROM errata WHERE source_id IN ({marks}) GROUP BY 1", ids)
    for row in found.values():
        row.citations = cites.get(row.id, 0)
        row.errata = errata.get(row.id, 0)
        at, seen = row.relays, {row.id}
        while at and at not in seen and len(row.relay_chain) < RELAY_DEPTH:
            seen.add(at)
            up = conn.execute("SELECT title, relays FROM sources WHERE id = ?", (at,)).fetchone()
            if up is None:
                break
            row.relay_chain.append(up[0])
            at = up[1]
    return [found[i] for i in ids if i in found]


def _claims(conn: sqlite3.Connection, ids: list[str]) -> list[ClaimRow]:
    rows = {
        r[0]: ClaimRow(r[0], r[1], disputed=r[2])
        for r in rows_in(conn, "SELECT id, kind, disputed FROM claims WHERE id IN ({marks})", ids)
    }
    cites = _counts(conn, "SELECT claim_id, count(*) FROM citations WHERE claim_id IN ({marks}) GROUP BY 1", ids)
    conflicts: dict[str, int] = defaultdict(int)
    for side in ("claim_id", "other_id"):
        for (cid,) in rows_in(conn, f"SELECT {side} FROM conflicts WHERE {side} IN ({{marks}})", ids):
            conflicts[cid] += 1
    for sql in (
        'SELECT claim_id, start, "end", status FROM roles WHERE claim_id IN ({marks})',
        'SELECT claim_id, start, "end", NULL FROM relations WHERE claim_id IN ({marks})',
        'SELECT claim_id, start, "end", NULL FROM events WHERE claim_id IN ({marks})',
        'SELECT p.claim_id, e.start, e."end", NULL FROM participations p JOIN events e ON e.entity_id = p.event_id'
        " WHERE p.claim_id IN ({marks})",
    ):
        for cid, start, end, status in rows_in(conn, sql, ids):
            row = rows[cid]
            row.start, row.end, row.status = start, end, status
    for row in rows.values():
        row.summary = queries.claim_summary(conn, row.id)
        owner = queries.claim_owner(conn, row.id)
        if owner is not None:
            row.owner_id, row.owner_name = owner["id"], owner["name"]
        row.citations = cites.get(row.id, 0)
        row.conflicts = conflicts.get(row.id, 0)
    return [rows[i] for i in ids if i in rows]


def _events(conn: sqlite3.Connection, ids: list[str]) -> list[EventRow]:
    rows = {
        r[0]: EventRow(*r)
        for r in rows_in(
            conn,
            'SELECT v.entity_id, v.claim_id, en.name, v.type, v.start, v."end", pl.name FROM events v'
            " JOIN entities en ON en.id = v.entity_id LEFT JOIN entities pl ON pl.id = v.place_id"
            " WHERE v.entity_id IN ({marks})",
            ids,
        )
    }
    for event_id, name in rows_in(
        conn,
        "SELECT p.event_id, e.name FROM participations p JOIN entities e ON e.id = p.entity_id"
        " WHERE p.event_id IN ({marks}) ORDER BY p.rowid",
        ids,
    ):
        rows[event_id].participants.append(name)
    claim_ids = [r.claim_id for r in rows.values()]
    cites = _counts(conn, "SELECT claim_id, count(*) FROM citations WHERE claim_id IN ({marks}) GROUP BY 1", claim_ids)
    disputed = dict(rows_in(conn, "SELECT id, disputed FROM claims WHERE id IN ({marks})", claim_ids))
    for row in rows.values():
        row.citations = cites.get(row.claim_id, 0)
        row.disputed = disputed.get(row.claim_id)
    return [rows[i] for i in ids if i in rows]


def _entities(conn: sqlite3.Connection, ids: list[str]) -> list[EntityRow]:
    rows = {
        r[0]: EntityRow(*r)
        for r in rows_in(conn, "SELECT id, name, kind, summary FROM entities WHERE id IN ({marks})", ids)
    }
    for sql in (
        "SELECT p.entity_id, c.name FROM properties p JOIN entities c ON c.id = p.value AND c.kind = 'country'"
        " WHERE p.entity_id IN ({marks}) AND p.property IN ('nationality', 'country')",
        "SELECT l.subject_id, c.name FROM relations l JOIN entities c ON c.id = l.object_id AND c.kind = 'country'"
        " WHERE l.subject_id IN ({marks}) AND l.type IN ('part-of', 'located-in', 'citizen-of')",
    ):
        for entity_id, country in rows_in(conn, sql, ids):
            if country not in rows[entity_id].countries:
                rows[entity_id].countries.append(country)
    return [rows[i] for i in ids if i in rows]
