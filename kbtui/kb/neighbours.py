"""Neighbourhoods: what an entity is linked to, one or two hops out.

A link is a claim between two entities, read both ways: a role (holder and
organisation), a relation (subject and object), a participation (an entity
and the event), an event's place. The same links `kbtui path` walks.

counts() says how many neighbours there are by link and by kind; page()
lists them, the most linked first (then by id, which is a slug of the name
at import), each with its links. Only the page's names are read: a hub's
12,758 holders are sorted by their link counts from the index rows, and
their kinds are looked up only for counts().

Two hops: the neighbours of every neighbour, with the first-hop entity they
are reached through. From more than HOP2_FROM neighbours that is refused:
every second hop of a hub is most of the KB, and the question is better
asked of one of them (or as `kbtui interlocks`).
"""

from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from kbtui.kb.queries import named, names_and_kinds

HOP2_FROM = 2_000  # first-hop neighbours a second hop may start from
MAX_LIMIT = 1_000
_CHUNK = 500

# (neighbour, claim id, link kind, label, direction) for entity :e
LINKS_SQL = """
SELECT organisation_id, claim_id, 'role', title, 'out' FROM roles WHERE holder_id = :e AND organisation_id IS NOT NULL
UNION ALL SELECT holder_id, claim_id, 'role', title, 'in' FROM roles WHERE organisation_id = :e
UNION ALL SELECT object_id, claim_id, 'relation', type, 'out' FROM relations WHERE subject_id = :e
UNION ALL SELECT subject_id, claim_id, 'relation', type, 'in' FROM relations WHERE object_id = :e
UNION ALL SELECT event_id, claim_id, 'participation', capacity, 'out' FROM participations WHERE entity_id = :e
UNION ALL SELECT entity_id, claim_id, 'participation', capacity, 'in' FROM participations WHERE event_id = :e
UNION ALL SELECT place_id, claim_id, 'place', '', 'out' FROM events WHERE entity_id = :e AND place_id IS NOT NULL
UNION ALL SELECT entity_id, claim_id, 'place', '', 'in' FROM events WHERE place_id = :e
"""

Link = tuple[str, str, str, str, str]  # neighbour, claim, kind, label, direction

# The first hop reads the roles held in the entity from the index of an
# organisation's holders alone (roles_organisation_holder): a hub's 12,758
# holders are ranked without a row read each; their claims and titles are
# read for the page shown (_fill). Every other link comes whole.
HOLDERS_SQL = "SELECT holder_id FROM roles WHERE organisation_id = :e"
OTHER_LINKS_SQL = LINKS_SQL.replace(
    "UNION ALL SELECT holder_id, claim_id, 'role', title, 'in' FROM roles WHERE organisation_id = :e\n", ""
)
UNREAD = ""  # the claim of a role link whose row is not read yet


class Refused(ValueError):
    """A request that cannot be answered as asked, in words."""


def link_name(kind: str, label: str, direction: str) -> str:
    """How a link reads from the entity asked about."""
    if kind == "role":
        return "holds a role at" if direction == "out" else "role holder"
    if kind == "relation":
        return f"{label} →" if direction == "out" else f"← {label}"
    if kind == "participation":
        return "took part in" if direction == "out" else "participant"
    return "took place in" if direction == "out" else "place of"


def links(conn: sqlite3.Connection, entity_id: str) -> list[Link]:
    """Every link of one entity (not to itself)."""
    return [(r[0], r[1], r[2], r[3], r[4]) for r in conn.execute(LINKS_SQL, {"e": entity_id}) if r[0] != entity_id]


def _first(conn: sqlite3.Connection, entity_id: str) -> list[Link]:
    """Every link of one entity, a role held in it with its claim UNREAD."""
    held: list[Link] = [(h, UNREAD, "role", "", "in") for (h,) in conn.execute(HOLDERS_SQL, {"e": entity_id})]
    rows = [(r[0], r[1], r[2], r[3], r[4]) for r in conn.execute(OTHER_LINKS_SQL, {"e": entity_id})]
    return [link for link in held + rows if link[0] != entity_id]


def _fill(conn: sqlite3.Connection, r: Reach, ids: list[str]) -> None:
    """Read the claims and titles of the roles the page's neighbours `ids`
    hold in the entity (UNREAD until now), in place."""
    want = [n for n in ids if any(link[1] == UNREAD for link in r.first.get(n, ()))]
    found: dict[str, list[Link]] = defaultdict(list)
    for i in range(0, len(want), _CHUNK):
        part = want[i : i + _CHUNK]
        sql = (
            "SELECT holder_id, claim_id, title FROM roles WHERE organisation_id = ?"
            f" AND holder_id IN ({','.join('?' * len(part))}) ORDER BY claim_id"
        )
        for holder, claim, title in conn.execute(sql, [r.entity_id, *part]):
            found[holder].append((holder, claim, "role", title, "in"))
    for n in want:
        r.first[n] = [link for link in r.first[n] if link[1] != UNREAD] + found[n]


def _second(
    conn: sqlite3.Connection, first: dict[str, list[Link]], entity_id: str
) -> dict[str, list[tuple[str, Link]]]:
    """Neighbours two hops out: (first-hop entity, its link) for each."""
    if len(first) > HOP2_FROM:
        raise Refused(
            f"`{entity_id}` has {len(first):,} neighbours: a second hop from all of them is most of the KB"
            f" (refused above {HOP2_FROM:,}); ask of one of them, or see `kbtui interlocks {entity_id}`"
        )
    found: dict[str, list[tuple[str, Link]]] = defaultdict(list)
    for via in sorted(first):
        for link in links(conn, via):
            other = link[0]
            if other != entity_id and other not in first:
                found[other].append((via, link))
    return found


def _grouped(rows: list[Link]) -> dict[str, list[Link]]:
    out: dict[str, list[Link]] = defaultdict(list)
    for row in rows:
        out[row[0]].append(row)
    return out


@dataclass
class Reach:
    """An entity's links one hop out, and two when asked: read once, for
    both counts() and page()."""

    entity_id: str
    hops: int
    first: dict[str, list[Link]]
    second: dict[str, list[tuple[str, Link]]]


def reach(conn: sqlite3.Connection, entity_id: str, hops: int = 1) -> Reach:
    if hops not in (1, 2):
        raise Refused(f"--hops {hops}: give 1 or 2 (`kbtui path` finds longer chains)")
    first = _grouped(_first(conn, entity_id))
    second = _second(conn, first, entity_id) if hops == 2 else {}
    return Reach(entity_id, hops, first, second)


def counts(conn: sqlite3.Connection, entity_id: str, hops: int = 1, reached: Reach | None = None) -> dict[str, Any]:
    """How many neighbours, by link (as link_name reads it) and by kind."""
    r = reached or reach(conn, entity_id, hops)
    by_link = Counter(link_name(k, lab, d) for rows in r.first.values() for _, _, k, lab, d in rows)
    ids = [*r.first, *r.second]
    kinds = Counter(kind for _, kind in names_and_kinds(conn, ids).values())
    return {
        "total": len(ids),
        "first_hop": len(r.first),
        "links": dict(by_link.most_common()),
        "kinds": dict(kinds.most_common()),
    }


def page(
    conn: sqlite3.Connection,
    entity_id: str,
    hops: int = 1,
    limit: int = 50,
    offset: int = 0,
    reached: Reach | None = None,
) -> dict[str, Any]:
    """The neighbours, most linked first (then by id): hop 1 before hop 2,
    `limit` of them from `offset`, each with its links (a second-hop one
    with the first-hop entities it is reached through, up to three)."""
    if not 1 <= limit <= MAX_LIMIT:
        raise Refused(f"--limit {limit}: give 1 to {MAX_LIMIT}")
    if offset < 0:
        raise Refused(f"--offset {offset}: give 0 or more")
    r = reached or reach(conn, entity_id, hops)
    first, second = r.first, r.second
    ranked = [(1, -len(rows), n) for n, rows in first.items()]
    ranked += [(2, -len(rows), n) for n, rows in second.items()]
    ranked.sort()
    shown = ranked[offset : offset + limit]
    _fill(conn, r, [n for hop, _, n in shown if hop == 1])
    vias = {via for _, _, n in shown if n in second for via, _ in _distinct(second[n])[:3]}
    names = names_and_kinds(conn, sorted({n for _, _, n in shown} | vias | {entity_id}))
    out = []
    for hop, _, n in shown:
        if hop == 1:
            items, count = [_link(row) for row in first[n]], len(first[n])
        else:
            items = [_link(row) | {"through": named(names, via)} for via, row in _distinct(second[n])[:3]]
            count = len(second[n])
        out.append({"entity": named(names, n), "hop": hop, "links": items, "link_count": count})
    return {
        "entity": named(names, entity_id),
        "hops": r.hops,
        "total": len(ranked),
        "offset": offset,
        "neighbours": out,
    }


def _distinct(reached: list[tuple[str, Link]]) -> list[tuple[str, Link]]:
    """The first link through each first-hop entity (one through several
    claims is one way there)."""
    seen: dict[str, Link] = {}
    for via, link in reached:
        seen.setdefault(via, link)
    return list(seen.items())


def _link(row: Link) -> dict[str, Any]:
    _, claim, kind, label, direction = row
    return {
        "claim": {"id": claim, "kind": kind, "label": label},
        "direction": direction,
        "reads": link_name(kind, label, direction),
    }
