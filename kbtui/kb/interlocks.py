"""Interlocks: the people who tie organisations together, with the evidence.

A person is tied to an organisation by a role they hold there (holder ->
organisation) or by a relation between the two, in either direction
("advises", "leads", "member-of"…). Two organisations are interlocked by
every person tied to both: LittleSis' board interlocks, with each tie a
cited claim.

- between(a, b): the people tied to both, each with their ties to each
  side and the best citation of every tie;
- shared(a): every other organisation interlocked with `a`, ranked by how
  many people they share, with those people named.

Only people (kind 'person') tie: an organisation that owns two others is a
relation, not an interlock; and only relations of working with or for
(TIE_TYPES), not of opinion or adversity. What shared() lists is bodies,
outlets and states (SIDES): a country whose president is a person is
linked to the bodies that person sits on, labelled by kind.

Reads go through the indexes on roles(organisation_id), roles(holder_id)
and relations(subject_id / object_id): a hub's 12,758 holders are read in
one indexed join, not a scan. Citations are read for the page shown only.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from typing import Any

from kbtui.kb import attest
from kbtui.kb.models import Citation
from kbtui.kb.queries import citations_for, named, names_and_kinds

MAX_LIMIT = 1_000
CERTAINTY = {"stated": 0, "reported": 1, "likely": 2, "inferred": 3}

# The relations that tie a person to an organisation: working with or for
# it. Opinion and adversity (supports, opposes, monitors, sanctioned) are
# claims about the person, not ties; citizenship and location tie everyone.
TIE_TYPES = (
    "part-of",
    "leads",
    "advises",
    "supervises",
    "represents",
    "operates",
    "owns",
    "partner-of",
    "allied-with",
    "associate-of",
    "paid",
    "linked-to",
)
_TYPES = ", ".join(f"'{t}'" for t in TIE_TYPES)
# what may be interlocked: bodies, outlets and states (not people, events,
# places, products or ideas)
SIDES = ("organisation", "publication", "country")

# (person, organisation, claim id, kind, what, start, end, status) of every
# tie of one organisation: roles held there, relations either way
TIES_SQL = f"""
SELECT r.holder_id, r.organisation_id, r.claim_id, 'role', r.title, r.start, r."end", r.status
  FROM roles r JOIN entities p ON p.id = r.holder_id AND p.kind = 'person'
 WHERE r.organisation_id = :org
UNION ALL
SELECT l.subject_id, l.object_id, l.claim_id, 'relation', l.type, l.start, l."end", ''
  FROM relations l JOIN entities p ON p.id = l.subject_id AND p.kind = 'person'
 WHERE l.object_id = :org AND l.type IN ({_TYPES})
UNION ALL
SELECT l.object_id, l.subject_id, l.claim_id, 'relation', l.type, l.start, l."end", ''
  FROM relations l JOIN entities p ON p.id = l.object_id AND p.kind = 'person'
 WHERE l.subject_id = :org AND l.type IN ({_TYPES})
"""

# the same ties from anyone: between() intersects the two sides first and
# checks who is a person after (12,758 lookups of a hub's holders cost
# ~120 ms at 1M; the few tied to both cost nothing)
TIES_ANY_SQL = (
    TIES_SQL.replace(" JOIN entities p ON p.id = r.holder_id AND p.kind = 'person'", "")
    .replace(" JOIN entities p ON p.id = l.subject_id AND p.kind = 'person'", "")
    .replace(" JOIN entities p ON p.id = l.object_id AND p.kind = 'person'", "")
)

# every (other entity, person) pair through a person tied to :org
SHARED_SQL = f"""
WITH ties AS ({TIES_SQL}), people AS (SELECT DISTINCT holder_id AS person FROM ties)
SELECT r.organisation_id, r.holder_id FROM people JOIN roles r ON r.holder_id = people.person
 WHERE r.organisation_id IS NOT NULL
UNION
SELECT l.object_id, l.subject_id FROM people JOIN relations l ON l.subject_id = people.person
 WHERE l.type IN ({_TYPES})
UNION
SELECT l.subject_id, l.object_id FROM people JOIN relations l ON l.object_id = people.person
 WHERE l.type IN ({_TYPES})
"""


class Refused(ValueError):
    """A request that cannot be answered as asked, in words."""


def _checked(limit: int) -> int:
    if not 1 <= limit <= MAX_LIMIT:
        raise Refused(f"--limit {limit}: give 1 to {MAX_LIMIT}")
    return limit


def best(cites: list[Citation]) -> Citation | None:
    """The citation to show for a tie: evidence (supports or qualifies, and
    asserts) before the rest; then the surest (stated, reported, likely,
    inferred); then the latest as-of (undated last); then the first."""
    ordered = sorted(cites, key=lambda c: c["id"])
    ordered.sort(key=lambda c: c["as_of"] or "", reverse=True)  # (stable sorts: the last key leads)
    ordered.sort(
        key=lambda c: (
            0 if attest.is_evidence(attest.Dated(c["as_of"], c["stance"], c["mode"])) else 1,
            CERTAINTY.get(c["certainty"], len(CERTAINTY)),
        )
    )
    return ordered[0] if ordered else None


def _ties(conn: sqlite3.Connection, org: str) -> dict[str, list[tuple[Any, ...]]]:
    """Whoever is tied to `org` (people or not: the caller checks)."""
    found: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    for row in conn.execute(TIES_ANY_SQL, {"org": org}):
        found[row[0]].append(tuple(row))
    return found


def _tie(row: tuple[Any, ...], cites: dict[str, list[Citation]]) -> dict[str, Any]:
    _, _, claim_id, kind, what, start, end, status = row
    found = cites.get(claim_id, [])
    return {
        "claim": {"id": claim_id, "kind": kind, "label": what},
        "start": start,
        "end": end,
        "status": status or None,
        "citation": best(found),
        "citations": len(found),
    }


def between(conn: sqlite3.Connection, a: str, b: str, limit: int = 50) -> dict[str, Any]:
    """The people tied to both `a` and `b`, by name, each with their ties to
    each side (every tie with its best citation)."""
    if a == b:
        raise Refused(f"`{a}` twice: give two different organisations, or one to list its interlocks")
    _checked(limit)
    ties_a, ties_b = _ties(conn, a), _ties(conn, b)
    both = set(ties_a) & set(ties_b)
    names = names_and_kinds(conn, both | {a, b})
    both = {p for p in both if names.get(p, ("", ""))[1] == "person"}
    people = sorted(both, key=lambda p: (names.get(p, (p, ""))[0].casefold(), p))
    shown = people[:limit]
    claims = [row[2] for p in shown for row in (*ties_a[p], *ties_b[p])]
    cites = citations_for(conn, list(dict.fromkeys(claims)))
    return {
        "a": named(names, a),
        "b": named(names, b),
        "count": len(people),
        "people": [
            {
                "entity": named(names, p),
                "ties": {
                    "a": [_tie(row, cites) for row in sorted(ties_a[p], key=lambda r: r[2])],
                    "b": [_tie(row, cites) for row in sorted(ties_b[p], key=lambda r: r[2])],
                },
            }
            for p in shown
        ],
    }


def shared(conn: sqlite3.Connection, a: str, limit: int = 50, people_shown: int = 5) -> dict[str, Any]:
    """The bodies, outlets and states interlocked with `a`, most people
    shared first, then by name; each with how many and the first
    `people_shown` of them by name."""
    _checked(limit)
    others: dict[str, set[str]] = defaultdict(set)
    for other, person in conn.execute(SHARED_SQL, {"org": a}):
        if other is not None and other != a:
            others[other].add(person)
    names = names_and_kinds(conn, set(others) | {a})
    kept = {o: ps for o, ps in others.items() if names.get(o, ("", ""))[1] in SIDES}
    ranked = sorted(kept, key=lambda o: (-len(kept[o]), names[o][0].casefold(), o))
    page = ranked[:limit]
    shown_people: set[str] = set()
    for o in page:
        shown_people.update(kept[o])
    pnames = names_and_kinds(conn, shown_people)
    rows = []
    for o in page:
        ps = sorted(kept[o], key=lambda p: (pnames.get(p, (p, ""))[0].casefold(), p))
        rows.append(
            {
                "organisation": named(names, o),
                "count": len(ps),
                "people": [named(pnames, p) for p in ps[:people_shown]],
            }
        )
    return {"organisation": named(names, a), "count": len(ranked), "interlocks": rows}
