"""Overviews: every source, claim, event or entity of a KB as a list to
browse, narrowed by what the user types.

What is typed is words and `key:value` terms ("met patrushev from:2023",
"kind:person country:china"). Each word must start a word of a name the
row involves (a source: appear in its title, outlet, author or repost);
each term narrows by one field. A term a view does not know is said back, never
silently ignored.

Pages are read in an index's order (schema v7: entities by kind and name,
events and sources by date; claims as stored), so the first page of a
million rows costs what the first page of a hundred does. Counting is
separate: exact up to COUNT_CAP matching rows, an estimate above it, exact
again on demand (`count(..., cap=None)`).
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from typing import NamedTuple

from kbtui.kb import db
from kbtui.kb.normalize import norm
from kbtui.kb.overview_rows import ClaimRow, EntityRow, EventRow, Row, SourceRow, View, fill
from kbtui.kb.titles import distinct_titles, title_norm
from kbtui.kb.vocab import CLAIM_KINDS, ENTITY_KINDS, EVENT_TYPES, RELATION_TYPES, ROLE_STATUSES

__all__ = ["ClaimRow", "EntityRow", "EventRow", "Row", "SourceRow", "View"]

VIEWS: tuple[View, ...] = ("sources", "claims", "events", "entities")

PAGE = 100  # rows read at a time
COUNT_CAP = 100_000  # counted exactly up to this many; estimated above
COUNT_BUDGET = 0.25  # seconds a count may take while the user types
SAMPLE_WINDOWS = 16  # rowid windows an estimate samples
SAMPLE_WIDTH = 1_000  # rowids per window
FEW_NAMES = 20_000  # a word held by at most this many names drives the query
DATE = re.compile(r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?")  # from: and to: (2024-5 compared as text misses May)

# the terms each view understands (flags take no value)
TERMS: dict[View, tuple[str, ...]] = {
    "sources": ("outlet", "author", "via", "from", "to"),
    "claims": ("kind", "status", "outlet", "source", "from", "to"),
    "events": ("type", "country", "from", "to"),
    "entities": ("kind", "country"),
}
FLAGS: dict[View, tuple[str, ...]] = {
    "sources": ("repost", "errata"),
    "claims": ("disputed", "conflict"),
    "events": (),
    "entities": (),
}
KIND_TABLES = {
    "role": "roles",
    "relation": "relations",
    "event": "events",
    "participation": "participations",
    "property": "properties",
}
ALIASES = {"type": "kind", "conflicts": "conflict", "reposts": "repost", "erratum": "errata"}


@dataclass(frozen=True)
class Narrowing:
    """What the user typed, understood: free words, terms and flags, and
    what could not be understood (said to the user)."""

    words: tuple[str, ...] = ()
    terms: tuple[tuple[str, str], ...] = ()
    flags: frozenset[str] = frozenset()
    problems: tuple[str, ...] = ()

    def values(self, key: str) -> list[str]:
        return [v for k, v in self.terms if k == key]

    def last(self, key: str) -> str | None:
        """A term given twice means its last value (as typed over)."""
        values = self.values(key)
        return values[-1] if values else None

    @property
    def empty(self) -> bool:
        return not (self.words or self.terms or self.flags)


def narrowing(view: View, text: str) -> Narrowing:
    terms, flags, words, problems = [], set(), [], []
    known = TERMS[view]
    for token in text.split():
        key, colon, value = token.partition(":")
        key = typed = key.lower()
        if colon:
            key = ALIASES.get(key, key)
            # `type:` is a view's own word for kind where it has one
            if key == "kind" and view == "events":
                key = "type"
            if key not in known:
                problems.append(f"{typed}: is not a filter here (try {', '.join(k + ':' for k in known)})")
            elif value:
                terms.append((key, value))
            continue
        flag = ALIASES.get(token.lower(), token.lower())
        if flag in FLAGS[view]:
            flags.add(flag)
            continue
        if w := norm(token):
            words.extend(w.split())
    for key, value in terms:
        if problem := _bad_value(key, value):
            problems.append(problem)
    return Narrowing(tuple(words), tuple(terms), frozenset(flags), tuple(problems))


def _bad_value(key: str, value: str) -> str | None:
    if key in ("from", "to") and not DATE.fullmatch(value):
        return f"{key}:{value}: a date is written 2023, 2023-05 or 2023-05-17"
    if key == "status" and value.lower() not in ROLE_STATUSES:
        return f"status:{value}: one of {', '.join(ROLE_STATUSES)}"
    return None


# --- the rows -------------------------------------------------------------------


class Count(NamedTuple):
    n: int | None  # None: not known (counting took too long; exact on demand)
    exact: bool


# --- where clauses ----------------------------------------------------------------


class _Query:
    """A view's FROM, its WHERE clauses with their parameters, its order."""

    def __init__(self, source: str, rowid: str, order: str) -> None:
        self.source = source
        self.rowid = rowid
        self.order = order
        self.where: list[str] = []
        self.params: list[object] = []
        self.order_fixed = False  # the order the query is fastest in, not the user's

    def add(self, clause: str, *params: object) -> None:
        self.where.append(clause)
        self.params.extend(params)

    @property
    def ordered(self) -> str:
        return f" ORDER BY {self.order}" if self.order else ""

    def sql(self, select: str, extra: str = "") -> str:
        where = " AND ".join([*self.where, extra] if extra else self.where) or "1"
        return f"SELECT {select} FROM {self.source} WHERE {where}"


def _like(value: str) -> str:
    return "%" + value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _overlaps(start: str, end: str, frm: str | None, to: str | None) -> tuple[str, list[object]]:
    """Dates `start`..`end` (ISO prefixes, either may be NULL) meet the range:
    compared on the range bound's own precision, so to:2023 takes 2023-12."""
    parts: list[str] = [f"coalesce({start}, {end}) IS NOT NULL"]
    params: list[object] = []
    if to:
        parts.append(f"substr(coalesce({start}, {end}), 1, ?) <= ?")
        params += [len(to), to]
    if frm:
        parts.append(f"substr(coalesce({end}, CASE WHEN {end} IS NULL THEN '9999' END), 1, ?) >= ?")
        params += [len(frm), frm]
    return " AND ".join(parts), params


def _names_holding(conn: sqlite3.Connection, word: str) -> tuple[str, list[object]] | None:
    """Entity ids whose names hold a word starting with `word`: as a
    subquery when few names do (it drives the query), None when many do
    (each row is then checked by _holds_word instead)."""
    term = '"' + word.replace('"', "") + '"*'
    many = conn.execute(
        f"SELECT count(*) FROM (SELECT 1 FROM names_words WHERE names_words MATCH ? LIMIT {FEW_NAMES + 1})", (term,)
    ).fetchone()[0]
    if many > FEW_NAMES:
        return None
    return "SELECT entity_id FROM names WHERE id IN (SELECT rowid FROM names_words WHERE names_words MATCH ?)", [term]


def _holds_word(entity: str) -> str:
    """`entity` (an id expression) has a name with a word starting with ?."""
    return f"EXISTS (SELECT 1 FROM names n WHERE n.entity_id = {entity} AND (' ' || n.norm) LIKE ? ESCAPE '\\')"


def _in_countries(entity: str, n: int) -> str:
    """`entity` belongs to one of n countries (?, …): is one, has it as
    nationality or country, is part of / located in / a citizen of it, or
    holds a role at an organisation that is part of it."""
    marks = ",".join("?" * n)
    return (
        f"({entity} IN ({marks})"
        f" OR EXISTS (SELECT 1 FROM properties p WHERE p.entity_id = {entity}"
        f" AND p.property IN ('nationality', 'country') AND p.value IN ({marks}))"
        f" OR EXISTS (SELECT 1 FROM relations l WHERE l.subject_id = {entity}"
        f" AND l.type IN ('part-of', 'located-in', 'citizen-of') AND l.object_id IN ({marks}))"
        f" OR EXISTS (SELECT 1 FROM roles r JOIN relations l ON l.subject_id = r.organisation_id"
        f" WHERE r.holder_id = {entity} AND l.type IN ('part-of', 'located-in') AND l.object_id IN ({marks})))"
    )


def countries(conn: sqlite3.Connection, typed: str) -> list[str]:
    """The ids of the countries `typed` names (id, name or alias)."""
    key = norm(typed)
    return [
        r[0]
        for r in conn.execute(
            "SELECT DISTINCT e.id FROM entities e JOIN names n ON n.entity_id = e.id"
            " WHERE e.kind = 'country' AND (e.id = ? OR n.norm = ?)",
            (typed.lower(), key),
        )
    ]


class Unknown(ValueError):
    """A term names something the KB does not hold (a country, a kind)."""


def _titles_holding(conn: sqlite3.Connection, word: str) -> list[str]:
    """The distinct role titles with a word starting with `word` (read by
    skipping through the roles_title index: one seek per distinct title)."""
    return [t for t in distinct_titles(conn) if f" {word}" in " " + title_norm(t)]


def _claim_involves(conn: sqlite3.Connection, q: _Query, word: str) -> None:
    """The claim involves an entity with a name word starting with `word`,
    or is a role whose title holds it."""
    titles = _titles_holding(conn, word)
    by_title = f"SELECT claim_id FROM roles WHERE title IN ({','.join('?' * len(titles))})"
    few = _names_holding(conn, word)
    if few is None:
        # too many names hold it to gather their claims: check row by row
        like = "% " + _like(word)[1:]
        q.add(
            f"(c.id IN ({by_title})"
            f" OR EXISTS (SELECT 1 FROM roles r WHERE r.claim_id = c.id AND"
            f" ({_holds_word('r.holder_id')} OR {_holds_word('r.organisation_id')}))"
            f" OR EXISTS (SELECT 1 FROM relations r WHERE r.claim_id = c.id AND"
            f" ({_holds_word('r.subject_id')} OR {_holds_word('r.object_id')}))"
            f" OR EXISTS (SELECT 1 FROM properties r WHERE r.claim_id = c.id AND {_holds_word('r.entity_id')})"
            f" OR EXISTS (SELECT 1 FROM participations r WHERE r.claim_id = c.id AND"
            f" ({_holds_word('r.entity_id')} OR {_holds_word('r.event_id')}))"
            f" OR EXISTS (SELECT 1 FROM events r WHERE r.claim_id = c.id AND {_holds_word('r.entity_id')}))",
            *titles,
            *[like] * 8,
        )
        return
    ids, params = few
    q.add(
        f"c.id IN ({by_title} UNION ALL"
        f" SELECT claim_id FROM roles WHERE holder_id IN ({ids}) UNION ALL"
        f" SELECT claim_id FROM roles WHERE organisation_id IN ({ids}) UNION ALL"
        f" SELECT claim_id FROM relations WHERE subject_id IN ({ids}) UNION ALL"
        f" SELECT claim_id FROM relations WHERE object_id IN ({ids}) UNION ALL"
        f" SELECT claim_id FROM properties WHERE entity_id IN ({ids}) UNION ALL"
        f" SELECT claim_id FROM participations WHERE entity_id IN ({ids}) UNION ALL"
        f" SELECT claim_id FROM participations WHERE event_id IN ({ids}) UNION ALL"
        f" SELECT claim_id FROM events WHERE entity_id IN ({ids}))",
        *titles,
        *params * 8,
    )


def _claim_dates(frm: str | None, to: str | None) -> tuple[str, list[object]]:
    """A claim's stated dates meet the range; a claim without any meets it
    through the publication dates of the sources citing it."""
    parts, params = [], []
    for table, start, end in (
        ("roles", "x.start", 'x."end"'),
        ("relations", "x.start", 'x."end"'),
        # an event with a start alone is that one date, not ongoing as a role is
        ("events", "x.start", 'coalesce(x."end", x.start)'),
    ):
        cond, p = _overlaps(start, end, frm, to)
        parts.append(f"EXISTS (SELECT 1 FROM {table} x WHERE x.claim_id = c.id AND {cond})")
        params += p
    cond, p = _overlaps("e.start", 'coalesce(e."end", e.start)', frm, to)
    parts.append(
        f"EXISTS (SELECT 1 FROM participations x JOIN events e ON e.entity_id = x.event_id"
        f" WHERE x.claim_id = c.id AND {cond})"
    )
    params += p
    cond, p = _overlaps("s.published", "s.published", frm, to)
    parts.append(
        '(NOT EXISTS (SELECT 1 FROM roles x WHERE x.claim_id = c.id AND coalesce(x.start, x."end") IS NOT NULL)'
        " AND NOT EXISTS (SELECT 1 FROM relations x WHERE x.claim_id = c.id"
        ' AND coalesce(x.start, x."end") IS NOT NULL)'
        " AND c.kind IN ('role', 'relation', 'property', 'alias')"
        f" AND EXISTS (SELECT 1 FROM citations ci JOIN sources s ON s.id = ci.source_id"
        f" WHERE ci.claim_id = c.id AND {cond}))"
    )
    params += p
    return "(" + " OR ".join(parts) + ")", params


# the orders a view can be read in, the first its default; each is an
# index's order (schema v7) except where said
ORDERS: dict[View, dict[str, str]] = {
    "sources": {"newest first": "s.published DESC, s.rowid", "oldest first": "s.published, s.rowid"},
    # undated events last: a sort, but of the events alone (a thousand in the 1M bench KB)
    "events": {"earliest first": "v.start IS NULL, v.start, v.rowid", "latest first": "v.start DESC, v.rowid"},
    "claims": {"as stored": ""},
    "entities": {"by kind and name": "e.kind, e.name COLLATE NOCASE"},
}


def query(conn: sqlite3.Connection, view: View, narrow: Narrowing, order: str = "") -> _Query:
    """The view's query for what was typed, in `order` (a key of
    ORDERS[view]; the default if unknown); Unknown if a term names nothing
    the KB holds."""
    q = _query(conn, view, narrow)
    orders = ORDERS[view]
    if not q.order_fixed:
        q.order = orders.get(order) or next(iter(orders.values()))
    return q


def _query(conn: sqlite3.Connection, view: View, narrow: Narrowing) -> _Query:
    frm = narrow.last("from")
    to = narrow.last("to")
    if view == "sources":
        q = _Query("sources s", "s.rowid", "s.published DESC, s.rowid")
        for word in narrow.words:
            like = _like(word)
            q.add(
                "(s.title LIKE ? ESCAPE '\\' OR s.outlet LIKE ? ESCAPE '\\'"
                " OR s.author LIKE ? ESCAPE '\\' OR s.via LIKE ? ESCAPE '\\')",
                *[like] * 4,
            )
        for key, column in (("outlet", "s.outlet"), ("author", "s.author"), ("via", "s.via")):
            for value in narrow.values(key):
                q.add(f"{column} LIKE ? ESCAPE '\\'", _like(value))
        if "repost" in narrow.flags:
            q.add("(s.via IS NOT NULL OR s.relays IS NOT NULL OR s.origin IS NOT NULL)")
        if "errata" in narrow.flags:
            q.add("EXISTS (SELECT 1 FROM errata x WHERE x.source_id = s.id)")
        if frm or to:
            cond, p = _overlaps("s.published", "s.published", frm, to)
            q.add(cond, *p)
        return q
    if view == "claims":
        # no ORDER BY: claims in whatever order the most selective condition
        # reads them (ordering by rowid made "kind:met" walk 2.5M claims)
        q = _Query("claims c", "c.rowid", "")
        for value in narrow.values("kind"):
            kind = value.lower()
            if kind in CLAIM_KINDS:
                table = KIND_TABLES.get(kind)
                few = (table and conn.execute(f"SELECT max(rowid) FROM {table}").fetchone()[0]) or 0
                if table and few < FEW_NAMES:
                    q.add(f"c.id IN (SELECT claim_id FROM {table})")  # a rare kind drives the query
                else:
                    q.add("c.kind = ?", kind)
            elif kind in RELATION_TYPES:
                q.add("c.id IN (SELECT claim_id FROM relations WHERE type = ?)", kind)
            else:
                raise Unknown(f"kind:{value}: a claim kind ({', '.join(CLAIM_KINDS)}) or a relation type (met, owns…)")
        for value in narrow.values("status"):
            q.add("EXISTS (SELECT 1 FROM roles x WHERE x.claim_id = c.id AND x.status = ?)", value.lower())
        for value in narrow.values("source"):
            q.add("c.id IN (SELECT claim_id FROM citations WHERE source_id = ?)", value)
        for value in narrow.values("outlet"):
            q.add(
                "EXISTS (SELECT 1 FROM citations ci JOIN sources s ON s.id = ci.source_id"
                " WHERE ci.claim_id = c.id AND (s.outlet LIKE ? ESCAPE '\\' OR s.via LIKE ? ESCAPE '\\'))",
                _like(value),
                _like(value),
            )
        if "disputed" in narrow.flags:
            q.add("c.disputed IS NOT NULL")
        if "conflict" in narrow.flags:
            q.add(
                "(EXISTS (SELECT 1 FROM conflicts x WHERE x.claim_id = c.id)"
                " OR EXISTS (SELECT 1 FROM conflicts x WHERE x.other_id = c.id))"
            )
        if frm or to:
            cond, p = _claim_dates(frm, to)
            q.add(cond, *p)
        for word in narrow.words:
            _claim_involves(conn, q, word)
        return q
    if view == "events":
        q = _Query("events v JOIN entities en ON en.id = v.entity_id", "v.rowid", "v.start, v.rowid")
        for value in narrow.values("type"):
            if value.lower() not in EVENT_TYPES:
                raise Unknown(f"type:{value}: one of {', '.join(EVENT_TYPES)}")
            q.add("v.type = ?", value.lower())
        for value in narrow.values("country"):
            ids = countries(conn, value)
            if not ids:
                raise Unknown(f"country:{value}: no country of that name or id in this KB")
            q.add(
                "EXISTS (SELECT 1 FROM participations x WHERE x.event_id = v.entity_id"
                f" AND {_in_countries('x.entity_id', len(ids))})",
                *ids * 4,
            )
        if frm or to:
            cond, p = _overlaps("v.start", 'coalesce(v."end", v.start)', frm, to)  # one date: that day
            q.add(cond, *p)
        for word in narrow.words:
            like = "% " + _like(word)[1:]
            q.add(
                f"({_holds_word('v.entity_id')} OR {_holds_word('v.place_id')} OR EXISTS"
                f" (SELECT 1 FROM participations x WHERE x.event_id = v.entity_id AND {_holds_word('x.entity_id')}))",
                like,
                like,
                like,
            )
        return q
    q = _Query("entities e", "e.rowid", "e.kind, e.name COLLATE NOCASE")
    kinds = [v.lower() for v in narrow.values("kind")]
    for kind in kinds:
        if kind not in ENTITY_KINDS:
            raise Unknown(f"kind:{kind}: one of {', '.join(ENTITY_KINDS)}")
    if kinds:
        q.add(f"e.kind IN ({','.join('?' * len(kinds))})", *kinds)
    for value in narrow.values("country"):
        ids = countries(conn, value)
        if not ids:
            raise Unknown(f"country:{value}: no country of that name or id in this KB")
        q.add(_in_countries("e.id", len(ids)), *ids * 4)
    for word in narrow.words:
        few = _names_holding(conn, word)
        if few is None:
            q.add(_holds_word("e.id"), "% " + _like(word)[1:])
        else:
            q.add(f"e.id IN ({few[0]})", *few[1])
            # read the few names, then sort them: walking the (kind, name)
            # index for them checked every entity ("pat": 0.3 s at 1M)
            q.order = "+e.kind, e.name COLLATE NOCASE"
            q.order_fixed = True
    return q


# --- reading ----------------------------------------------------------------------


def count(conn: sqlite3.Connection, q: _Query, budget: float | None = COUNT_BUDGET) -> Count:
    """How many rows match. Within `budget` seconds: exact up to COUNT_CAP,
    else an estimate from evenly spaced samples of the table's rowids, else
    unknown (n None). With no budget: exact, however long it takes."""
    if budget is None:
        return Count(conn.execute(q.sql("count(*)"), q.params).fetchone()[0], True)
    if not q.where:  # everything: the table's size is its rowid span, read at once
        size = _estimate(conn, q)
        if size > COUNT_CAP:
            return Count(size, False)
    capped = f"SELECT count(*) FROM ({q.sql('1')} LIMIT {COUNT_CAP + 1})"
    n = db.within(conn, budget, lambda: int(conn.execute(capped, q.params).fetchone()[0]))
    if n is not None and n <= COUNT_CAP:
        return Count(n, True)
    guess = db.within(conn, budget, lambda: _estimate(conn, q))
    if guess is None:
        return Count(None, False)
    return Count(max(guess, COUNT_CAP + 1) if n is not None else guess, False)


def _estimate(conn: sqlite3.Connection, q: _Query) -> int:
    table = q.source.split()[0]
    # two statements: SQLite reads min() or max() alone from the B-tree's
    # edge, but both in one statement by scanning every row (0.4 s)
    lo = conn.execute(f"SELECT min(rowid) FROM {table}").fetchone()[0]
    hi = conn.execute(f"SELECT max(rowid) FROM {table}").fetchone()[0]
    if lo is None or hi is None:
        return 0
    span = hi - lo + 1
    step = max(span // SAMPLE_WINDOWS, 1)
    seen = hit = 0
    for w in range(SAMPLE_WINDOWS):
        a = lo + w * step
        window = f"{q.rowid} BETWEEN {a} AND {a + SAMPLE_WIDTH - 1}"
        hit += conn.execute(q.sql("count(*)", window), q.params).fetchone()[0]
        seen += conn.execute(
            f"SELECT count(*) FROM {table} WHERE rowid BETWEEN ? AND ?", (a, a + SAMPLE_WIDTH - 1)
        ).fetchone()[0]
    total = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] if span <= COUNT_CAP else span
    return round(total * hit / seen) if seen else 0


def page(conn: sqlite3.Connection, view: View, q: _Query, offset: int = 0, limit: int = PAGE) -> list[Row]:
    """Rows offset..offset+limit in the view's order, filled in."""
    key = {"sources": "s.id", "claims": "c.id", "events": "v.entity_id", "entities": "e.id"}[view]
    ids = [r[0] for r in conn.execute(f"{q.sql(key)}{q.ordered} LIMIT ? OFFSET ?", [*q.params, limit, offset])]
    return fill(conn, view, ids)
