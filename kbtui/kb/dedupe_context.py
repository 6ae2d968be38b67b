"""Blocks by evidence, and the links the scores weigh (kbtui.kb.dedupe).

Two records of one official rarely share their spelling but often share
an organisation, a colleague met, a meeting. So entities of one kind are
also put together by what they are linked to, each link type read once
in the order of an index (roles_organisation, roles_holder, the
participations key), one group at a time:

* people (and organisations) holding roles at the same organisation;
* organisations with the same person holding roles in both;
* entities related to the same third entity, taking part in the same event;
* entities with the same identifier, website, e-mail or phone number.

Within a group, pairs whose main names are alike (sharing word
beginnings, then related by kbtui.kb.dedupe_names.compare) become
candidates. Along the
way every entity's links and every neighbour's size are kept: the scores
weigh a shared organisation of ten holders above one of ten thousand.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter

from kbtui.kb.dedupe_blocks import BLOCK_CAP, Found, Names
from kbtui.kb.dedupe_names import NameMatch, compact, compare
from kbtui.kb.normalize import norm
from kbtui.kb.words import STOP_WORDS

CONTEXT_CAP = 5000  # members of one group compared by name (a hub's 15,000 holders are not)
BUCKET_CAP = 200  # members sharing a word beginning, beyond which it pairs nobody
# Properties whose equal values say "the same entity" (identifier) or
# nearly so (contacts), compared in their search form.
IDENTIFYING = ("identifier", "website", "email", "phone")

Key = tuple[int, int]


@dataclass
class Links:
    """What each entity (handle) of one kind is linked to, by link type,
    and how many entities each neighbour links (its size)."""

    at: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))  # organisations it holds roles at
    holders: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))  # who holds roles in it
    related: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))  # its relations' other ends
    events: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))
    # (organisation or holder, title) of its roles: the same post at the
    # same organisation says more than any post there
    posts: dict[int, set[tuple[str, str]]] = field(default_factory=lambda: defaultdict(set))
    size: dict[tuple[str, str], int] = field(default_factory=dict)  # (link type, neighbour) -> entities it links
    between: dict[Key, str] = field(default_factory=dict)  # pairs related to each other -> relation type

    def share(self, x: int, y: int) -> bool:
        """Whether x and y have an organisation, holder, relation's end or
        event in common."""
        for into in (self.at, self.holders, self.related, self.events):
            a, b = into.get(x), into.get(y)
            if a and b and not a.isdisjoint(b):
                return True
        return False


Row = tuple[str, str, str]  # neighbour, entity, role title ('' for other links)


def by_context(conn: sqlite3.Connection, names: Names, found: Found) -> Links:
    """Pairs of alike names among entities sharing a neighbour; returns
    every entity's links for the scores."""
    links = Links()
    cur = conn.cursor()
    cur.row_factory = None
    if _holds_roles(cur, names.kind):
        rows = cur.execute(
            "SELECT organisation_id, holder_id, title FROM roles WHERE organisation_id IS NOT NULL"
            " ORDER BY organisation_id"
        )
        _groups(names, found, links, "at", links.at, rows)
    if names.kind == "organisation":
        rows = cur.execute(
            "SELECT holder_id, organisation_id, title FROM roles WHERE organisation_id IS NOT NULL ORDER BY holder_id"
        )
        _groups(names, found, links, "holders", links.holders, rows)
    ends: dict[str, list[str]] = defaultdict(list)
    for subject, obj, type_ in cur.execute("SELECT subject_id, object_id, type FROM relations"):
        ends[obj].append(subject)
        ends[subject].append(obj)
        x, y = names.handle.get(subject), names.handle.get(obj)
        if x is not None and y is not None and x != y:
            links.between[(x, y) if x < y else (y, x)] = type_
    related = ((end, member, "") for end, members in sorted(ends.items()) for member in members)
    _groups(names, found, links, "related", links.related, related)
    rows = cur.execute("SELECT event_id, entity_id, '' FROM participations ORDER BY event_id")
    _groups(names, found, links, "events", links.events, rows)
    return links


def _holds_roles(cur: sqlite3.Cursor, kind: str) -> bool:
    """Whether any entity of `kind` holds a role (people do; an
    organisation may hold a stake or a seat): one look-up per role at
    worst, in SQLite, instead of a pass over every role in Python."""
    if kind == "person":
        return True
    got = cur.execute(
        "SELECT 1 FROM roles r JOIN entities e ON e.id = r.holder_id WHERE e.kind = ? LIMIT 1", (kind,)
    ).fetchone()
    return got is not None


def _groups(
    names: Names, found: Found, links: Links, link: str, into: dict[int, set[str]], rows: Iterable[Row]
) -> None:
    """`rows` are (neighbour, entity, title) in neighbour order: record
    each link, and pair the alike names within each neighbour's group."""
    for neighbour, run in groupby(rows, key=itemgetter(0)):
        members: set[str] = set()
        mine: set[int] = set()
        for _, member, title in run:
            members.add(member)
            h = names.handle.get(member)
            if h is not None:
                mine.add(h)
                if title:
                    links.posts[h].add((neighbour, title))
        links.size[(link, neighbour)] = len(members)
        for h in mine:
            into[h].add(neighbour)
        if 2 <= len(mine) <= CONTEXT_CAP:
            _alike(names, found, sorted(mine))


def _alike(names: Names, found: Found, group: list[int]) -> None:
    """Pairs of `group` whose main names share a word beginning (three
    letters: "Aleksandr Bortnikov" / "Alexander Bortnikow" share "bor")
    and that kbtui.kb.dedupe_names.compare relates. A beginning a hundred
    members share ("ale") pairs nobody by itself."""
    norms = names.main_norm
    buckets: dict[str, list[int]] = defaultdict(list)
    for h in group:
        for start in {w[:3] for w in norms[h].split() if len(w) > 1 and w not in STOP_WORDS}:
            buckets[start].append(h)
    tried: set[tuple[int, int]] = set()
    for members in buckets.values():
        if not 2 <= len(members) <= BUCKET_CAP:
            continue
        for i, x in enumerate(members):
            for y in members[i + 1 :]:
                if (x, y) in tried:
                    continue
                tried.add((x, y))
                a, b = norms[x], norms[y]
                match = compare(a, b, names.kind)
                if match is not None and match.weight > 0:
                    found.add(x, y, match, names.others(compact(a), compact(b)))


def dated(conn: sqlite3.Connection, names: Names) -> set[int]:
    """The entities with a birth or incorporation date: a date in common
    lifts a pair a lot, so their pairs are kept for the scores to weigh."""
    cur = conn.cursor()
    cur.row_factory = None
    rows = cur.execute(
        "SELECT DISTINCT p.entity_id FROM properties p JOIN entities e ON e.id = p.entity_id"
        " WHERE p.property IN ('birth-date', 'incorporation-date') AND e.kind = ?",
        (names.kind,),
    )
    return {names.handle[r[0]] for r in rows}


def by_identifier(conn: sqlite3.Connection, names: Names, found: Found) -> dict[int, list[tuple[str, str, str]]]:
    """Pairs holding the same identifier (or website, e-mail, phone), in
    its search form, whatever their names; returns each entity's
    (property, qualifier, value) for the scores."""
    cur = conn.cursor()
    cur.row_factory = None
    held: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
    groups: dict[tuple[str, str], set[int]] = defaultdict(set)
    marks = ", ".join("?" * len(IDENTIFYING))
    for entity_id, prop, value, qualifier in cur.execute(
        "SELECT p.entity_id, p.property, p.value, p.qualifier FROM properties p JOIN entities e ON e.id = p.entity_id"
        f" WHERE p.property IN ({marks}) AND e.kind = ?",
        (*IDENTIFYING, names.kind),
    ):
        h = names.handle[entity_id]
        value = compact(norm(value))
        if not value:
            continue
        held[h].append((prop, qualifier, value))
        groups[(prop, value)].add(h)
    mains = names.main_norm
    for members in groups.values():
        if not 2 <= len(members) <= BLOCK_CAP:
            continue
        ordered = sorted(members)
        for i, x in enumerate(ordered):
            for y in ordered[i + 1 :]:
                match = compare(mains[x], mains[y], names.kind) if mains[x] and mains[y] else None
                found.add(x, y, match or NameMatch(0.0, ""), 0)
    return held
