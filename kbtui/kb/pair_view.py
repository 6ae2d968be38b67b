"""One entity as a judge of duplicates needs to see it beside another: its
names, what it is, where it works, where it belongs, how much evidence it
has. Bounded reads (a few rows of each), for one pair at a time."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

SHOWN = 5  # aliases, roles, properties listed per side


@dataclass
class Side:
    id: str
    name: str
    kind: str
    summary: str = ""
    aliases: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    properties: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    relations: int = 0
    events: int = 0
    inputs: list[str] = field(default_factory=list)


def side(conn: sqlite3.Connection, entity_id: str) -> Side | None:
    row = conn.execute("SELECT id, name, kind, summary FROM entities WHERE id = ?", (entity_id,)).fetchone()
    if row is None:
        return None
    s = Side(row[0], row[1], row[2], row[3] or "")
    s.aliases = [
        r[0]
        for r in conn.execute(
            f"SELECT alias FROM aliases WHERE entity_id = ? ORDER BY alias LIMIT {SHOWN}", (entity_id,)
        )
    ]
    s.roles = [
        f"{title}{', ' + org if org else ''}{' (' + status + ')' if status == 'former' else ''}"
        for title, org, status in conn.execute(
            "SELECT r.title, o.name, r.status FROM roles r LEFT JOIN entities o ON o.id = r.organisation_id"
            f" WHERE r.holder_id = ? OR r.organisation_id = ? LIMIT {SHOWN}",
            (entity_id, entity_id),
        )
    ]
    s.properties = [
        f"{prop}: {value_name or value}"
        for prop, value, value_name in conn.execute(
            "SELECT p.property, p.value, v.name FROM properties p LEFT JOIN entities v ON v.id = p.value"
            " AND p.property IN ('nationality', 'affiliation')"
            f" WHERE p.entity_id = ? ORDER BY p.property LIMIT {SHOWN}",
            (entity_id,),
        )
    ]
    s.countries = [
        r[0]
        for r in conn.execute(
            "SELECT DISTINCT c.name FROM relations l JOIN entities c ON c.id = l.object_id AND c.kind = 'country'"
            " WHERE l.subject_id = ? AND l.type IN ('part-of', 'located-in', 'citizen-of')",
            (entity_id,),
        )
    ]
    s.relations = conn.execute(
        "SELECT (SELECT count(*) FROM relations WHERE subject_id = ?) + (SELECT count(*) FROM relations"
        " WHERE object_id = ?)",
        (entity_id, entity_id),
    ).fetchone()[0]
    s.events = conn.execute("SELECT count(*) FROM participations WHERE entity_id = ?", (entity_id,)).fetchone()[0]
    s.inputs = [r[0] for r in conn.execute("SELECT input_id FROM entity_inputs WHERE entity_id = ?", (entity_id,))]
    return s


def weight(s: Side) -> int:
    """How much is known of an entity, to propose keeping the better known."""
    return len(s.roles) + len(s.aliases) + len(s.properties) + s.relations + s.events


def judged(conn: sqlite3.Connection) -> set[tuple[str, str]]:
    """Pairs with a judgement already (any verdict): not asked again."""
    try:
        return {(a, b) for a, b in conn.execute("SELECT a, b FROM judgements")}
    except sqlite3.OperationalError:  # a KB from before judgements
        return set()
