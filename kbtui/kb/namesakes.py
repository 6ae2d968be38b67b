"""What tells namesakes apart: a short line for each entity of a result
list whose name another entity in the list shares.

On a big KB "federal" lists fifty "Federal Agency of Agriculture": rows a
user cannot choose between. Each gets what the KB knows that differs: a
person's latest role and nationality, an organisation's country and how
many people hold roles in it with one of them, else the id. Every look-up
goes through an index (roles_holder, roles_organisation_order,
properties_entity), a few rows per entity.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Sequence

from kbtui.kb.normalize import norm


def shared_names(names: Sequence[tuple[str, str]]) -> list[str]:
    """Ids among (id, name) whose name, as search folds it, occurs twice or more."""
    counts = Counter(norm(name) for _, name in names)
    return [entity_id for entity_id, name in names if counts[norm(name)] > 1]


def details(conn: sqlite3.Connection, entity_ids: Sequence[str]) -> dict[str, str]:
    """entity id -> a short line that sets it apart."""
    return {entity_id: _detail(conn, entity_id) for entity_id in entity_ids}


def _detail(conn: sqlite3.Connection, entity_id: str) -> str:
    parts: list[str] = []
    role = conn.execute(
        "SELECT r.title, o.name FROM roles r LEFT JOIN entities o ON o.id = r.organisation_id"
        " WHERE r.holder_id = ? ORDER BY r.status = 'current' DESC, coalesce(r.start, '') DESC LIMIT 1",
        (entity_id,),
    ).fetchone()
    if role:
        parts.append(f"{role[0]}, {role[1]}" if role[1] else role[0])
    place = conn.execute(
        "SELECT coalesce(e.name, p.value) FROM properties p LEFT JOIN entities e ON e.id = p.value"
        " WHERE p.entity_id = ? AND p.property IN ('nationality', 'country') LIMIT 1",
        (entity_id,),
    ).fetchone()
    if place:
        parts.append(place[0])
    held = conn.execute(
        "SELECT count(*) FROM (SELECT 1 FROM roles WHERE organisation_id = ? LIMIT 1000)", (entity_id,)
    ).fetchone()[0]
    if held:
        first = conn.execute(
            "SELECT h.name FROM roles r JOIN entities h ON h.id = r.holder_id WHERE r.organisation_id = ?"
            " ORDER BY (CASE r.status WHEN 'current' THEN 0 WHEN 'unknown' THEN 1 ELSE 2 END),"
            " coalesce(r.start, '') DESC LIMIT 1",
            (entity_id,),
        ).fetchone()
        people = "1,000+" if held >= 1000 else f"{held:,}"
        parts.append(f"{people} role holder{'s' if held != 1 else ''}" + (f", e.g. {first[0]}" if first else ""))
    return " · ".join(parts) or entity_id
