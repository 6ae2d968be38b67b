"""The shortest evidence paths between two entities (`kbtui path`), and
longer alternatives when the shortest are too few.

The graph is read from the claims, a node's edges at a time, through the
indexes the schema already has; it is never loaded whole. Its edges:

* a **role** joins its holder and its organisation (roles_holder,
  roles_organisation);
* a **relation** joins its subject and its object (relations_subject,
  relations_object);
* a **participation** joins a participant and the event (participations_entity,
  and the (event_id, entity_id) unique index), so two people at one meeting
  are two hops apart, through the event: A —took part in→ EVENT ←took part
  in— B;
* an event's **place** joins the event and the place it was held at
  (events_place); its claim is the event's own.

Every edge is read both ways (a path may go from an organisation to its
holder), and each hop says when it runs against the claim (`reversed`).

Search: a bidirectional breadth-first search, one whole level at a time,
growing the side whose next level is cheaper (the sum of its frontier's
degrees, counted on the indexes; a large frontier's is estimated from a
sample). A hub (an organisation with 12,000 holders) is then expanded only
when the other side costs more, and expanding it is one indexed query, not
12,000. The search stops at the first level where the two sides meet, which
is the shortest length (see `_search`), and keeps every edge that reaches a
node at its depth, so every shortest path is found, not just one.

Longer alternatives: when fewer than `limit` shortest paths exist, the
list goes on with the simple paths (no entity twice) of one hop more, then
two, never past max_hops, until the lengths searched give `limit`. That is
a second pass (kbtui.kb.path_alternatives), run only then: it grows this
search's two sides further, reading nothing twice (`_Graph.known`), under
a read budget of its own; `longer_cut_short` says when that budget, rather
than max_hops, ended it.

Ranking: fewer hops first (a longer path comes after every shorter one),
then fewer disputed hops (a claim marked disputed, or with a citation that
contradicts it), then the weakest hop's independent sources (a chain is as
strong as its weakest link; a repost or relay and its original count once,
as everywhere in kbtui), then the sum over hops, then the ids along the
path, so the order is stable. Up to WEIGHED shortest paths are weighed (the
first in id order) when there are more, and up to
path_alternatives.WEIGHED of each longer length; `shortest_paths` says how
many shortest ones exist.

Pure Python over sqlite3: the explorer can call `find_paths` as the CLI does.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple, TypedDict

from kbtui.kb import attest, dates, queries
from kbtui.kb.errors import KBError
from kbtui.kb.models import Citation, EntityRef
from kbtui.kb.vocab import EVENT_TYPES, RELATION_TYPES

MAX_HOPS = 6  # beyond this, nearly everything connects to everything and the search is a crawl
DEFAULT_HOPS = 4
WEIGHED = 500  # shortest paths weighed by their evidence, at most
CITATIONS_PER_HOP = 3  # the best first; `citations_total` says how many there are
EDGE_BUDGET = 3_000_000  # edges read before a search gives up (a dense KB at 6 hops)
_CHUNK = 500  # ids per IN (...) list: well under SQLite's variable limit
PROBE = 8  # the cost of a node's probes, in edges read (see _Graph.cost)
_SAMPLE = 64  # frontier nodes whose degree is counted to estimate a larger frontier's

EDGE_KINDS = ("role", "relation", "participation", "place")


class PathError(KBError):
    """Bad --via / --max-hops, or a search that ran out of budget."""


class NoPath(KBError):
    """The two entities are not connected within the hops asked for;
    `connected` False when no number of hops would connect them."""

    def __init__(self, message: str, hint: str = "", connected: bool = True) -> None:
        super().__init__(message, hint)
        self.connected = connected


class Edge(NamedTuple):
    """One claim joining two entities, in the claim's own direction:
    holder → organisation, subject → object, participant → event, event →
    place."""

    claim_id: str
    kind: str  # role | relation | participation | place
    type: str  # "role", the relation type, or the event type
    label: str  # a role's title, a relation's label, a participant's capacity
    a: str
    b: str
    start: str | None
    end: str | None
    status: str  # a role's status; "unknown" for the rest


class ClaimRef(TypedDict):
    id: str
    kind: str  # role | relation | participation | place (the event's claim: where it was held)
    type: str  # "role", the relation's type, or the event's type
    label: str  # a role's title, a relation's label, a participant's capacity; "" for a place
    words: str  # for an arrow: "Secretary of", "part-of", "took part in", "held at"
    start: str | None
    end: str | None
    disputed: bool


class Strength(TypedDict):
    weakest: int  # the fewest independent sources of any hop
    total: int  # summed over the hops


# (functional form: "from" is a keyword)
Hop = TypedDict(
    "Hop",
    {
        "from": EntityRef,
        "to": EntityRef,
        # read against the claim's direction: organisation → holder, object → subject
        "reversed": bool,
        "claim": ClaimRef,
        "citations": list[Citation],  # the best first, at most CITATIONS_PER_HOP
        "citations_total": int,
        "independent_sources": int,
    },
)


class Path(TypedDict):
    length: int  # its hops: the shortest length, or more for a longer alternative
    hops: list[Hop]
    independent_sources: Strength


Paths = TypedDict(
    "Paths",
    {
        "from": EntityRef,
        "to": EntityRef,
        "max_hops": int,
        "via": list[str],
        "as_of": str | None,
        "length": int,  # hops of the shortest paths (the first listed)
        "shortest_paths": int,  # how many shortest paths exist (more than are listed, often)
        # the search for longer alternatives stopped at its budget: with
        # fewer paths than asked, a longer one within max_hops may exist
        "longer_cut_short": bool,
        "paths": list[Path],
    },
)


# ---------------------------------------------------------------------------
# --via


@dataclass(frozen=True)
class Via:
    """Which edges a search may use. A claim kind alone (`role`, `relation`,
    `participation`, `place`) allows every edge of that kind; a relation type
    (`part-of`, `family-of`) allows relations of that type; an event type
    (`meeting`, `visit`) allows participations in events of that type.
    `other`, both a relation and an event type, is said `relation:other` or
    `event:other` (either prefix works for any type)."""

    kinds: frozenset[str]
    relation_types: frozenset[str]  # empty: all (when "relation" is in kinds)
    event_types: frozenset[str]  # for participations; empty: all
    words: tuple[str, ...]

    def allows(self, kind: str) -> bool:
        return kind in self.kinds


ALL = Via(frozenset(EDGE_KINDS), frozenset(), frozenset(), ())


def allowed_via() -> str:
    """The --via values, in words, for a message."""
    return (
        f"{', '.join(EDGE_KINDS)}; a relation type ({', '.join(t for t in RELATION_TYPES if t != 'other')}, "
        f"relation:other); an event type ({', '.join(t for t in EVENT_TYPES if t != 'other')}, event:other)"
    )


def parse_via(text: str | None) -> Via:
    """--via as a comma-separated list (see Via). PathError names the first
    value that is none of them, with the allowed ones."""
    if not text or not text.strip():
        return ALL
    kinds: set[str] = set()
    relation_types: set[str] = set()
    event_types: set[str] = set()
    words: list[str] = []
    for raw in text.split(","):
        word = raw.strip().lower()
        if not word:
            continue
        words.append(word)
        prefix, _, rest = word.partition(":")
        if rest and prefix == "relation" and rest in RELATION_TYPES:
            relation_types.add(rest)
        elif rest and prefix == "event" and rest in EVENT_TYPES:
            event_types.add(rest)
        elif word == "event":  # (the kind is participation; "event" is what people type)
            kinds.add("participation")
        elif word in EDGE_KINDS:
            kinds.add(word)
        elif word in RELATION_TYPES and word in EVENT_TYPES:
            raise PathError(
                f"--via {word!r} is both a relation type and an event type",
                f"say relation:{word} or event:{word}",
            )
        elif word in RELATION_TYPES:
            relation_types.add(word)
        elif word in EVENT_TYPES:
            event_types.add(word)
        else:
            raise PathError(f"--via {word!r} is not a kind of claim or a type", f"use: {allowed_via()}")
    if not words:
        return ALL
    # a kind named alone means all of it, whatever types are also named
    if relation_types and "relation" not in kinds:
        kinds.add("relation")
    else:
        relation_types = set() if "relation" in kinds else relation_types
    if event_types and "participation" not in kinds:
        kinds.add("participation")
    else:
        event_types = set() if "participation" in kinds else event_types
    return Via(frozenset(kinds), frozenset(relation_types), frozenset(event_types), tuple(words))


# ---------------------------------------------------------------------------
# the graph, read from the indexes


def _chunks(ids: Sequence[str]) -> Iterator[list[str]]:
    for i in range(0, len(ids), _CHUNK):
        yield list(ids[i : i + _CHUNK])


def _marks(n: int) -> str:
    return ",".join("?" * n)


class _Graph:
    """Edges of a node, read on demand from the indexes, filtered by --via
    and --as-of, and counted against EDGE_BUDGET."""

    def __init__(self, conn: sqlite3.Connection, via: Via, as_of: str | None) -> None:
        self.conn = conn
        self.via = via
        self.as_of = as_of
        self.day = dates.span(as_of) if as_of else None
        self.read = 0
        self.degrees: dict[str, int] = {}
        # node -> all its allowed edges, for every node read whole: each is
        # read once, whichever side (or the search for longer paths) asks
        self.known: dict[str, list[Edge]] = {}

    def around(self, nodes: Sequence[str]) -> list[Edge]:
        """The edges of `nodes`, as `edges` gives them, each node read from
        the KB once and then remembered in `known`."""
        fresh = [n for n in nodes if n not in self.known]
        if fresh:
            read: dict[str, list[Edge]] = {n: [] for n in fresh}
            both: set[tuple[str, str]] = set()
            for edge in self.edges(fresh):  # (past EDGE_BUDGET it raises, and nothing is remembered)
                if edge.a in read and edge.b in read:
                    # read once through each end's index: keep one
                    key = (edge.claim_id, edge.kind)
                    if key in both:
                        continue
                    both.add(key)
                    read[edge.b].append(edge)
                    read[edge.a].append(edge)
                elif edge.a in read:
                    read[edge.a].append(edge)
                else:
                    read[edge.b].append(edge)
            self.known.update(read)
        return [e for n in nodes for e in self.known[n]]

    def edges(self, nodes: Sequence[str]) -> list[Edge]:
        """Every allowed edge touching any of `nodes`. One with both ends
        among them comes twice; the search does not mind (both its ends are
        already reached)."""
        edges: list[Edge] = []
        cursor = self.conn.cursor()
        cursor.row_factory = None  # plain tuples, made into Edges as they are (a hub gives 12,000)
        for part in _chunks(nodes):
            for sql, args in self._queries(part):
                edges.extend(map(Edge._make, cursor.execute(sql, args)))
        self.read += len(edges)
        if self.read > EDGE_BUDGET:
            raise PathError(
                f"the search read more than {EDGE_BUDGET:,} claims without finishing",
                "narrow it: fewer --max-hops, or --via",
            )
        if self.day is not None:
            edges = self._held(edges)
        return edges

    def _queries(self, part: list[str]) -> Iterator[tuple[str, list[str]]]:
        """SELECTs of the Edge columns, in order, one per index to probe. A
        claim whose two ends are one entity joins nothing and is left out."""
        m = _marks(len(part))
        if self.via.allows("role"):
            for column in ("holder_id", "organisation_id"):
                yield (
                    "SELECT claim_id, 'role', 'role', title, holder_id, organisation_id, start, \"end\", status"
                    f" FROM roles WHERE {column} IN ({m}) AND organisation_id IS NOT NULL"
                    " AND organisation_id != holder_id",
                    part,
                )
        if self.via.allows("relation"):
            types = sorted(self.via.relation_types)
            narrow = f" AND type IN ({_marks(len(types))})" if types else ""
            for column in ("subject_id", "object_id"):
                yield (
                    "SELECT claim_id, 'relation', type, label, subject_id, object_id, start, \"end\", 'unknown'"
                    f" FROM relations WHERE {column} IN ({m}) AND subject_id != object_id{narrow}",
                    part + types,
                )
        if self.via.allows("participation"):
            types = sorted(self.via.event_types)
            narrow = f" AND e.type IN ({_marks(len(types))})" if types else ""
            for column in ("p.entity_id", "p.event_id"):
                yield (
                    "SELECT p.claim_id, 'participation', e.type, p.capacity, p.entity_id, p.event_id, e.start,"
                    " e.\"end\", 'unknown' FROM participations p JOIN events e ON e.entity_id = p.event_id"
                    f" WHERE {column} IN ({m}) AND p.entity_id != p.event_id{narrow}",
                    part + types,
                )
        if self.via.allows("place"):
            for where in (f"place_id IN ({m})", f"entity_id IN ({m}) AND place_id IS NOT NULL"):
                yield (
                    "SELECT claim_id, 'place', type, '', entity_id, place_id, start, \"end\", 'unknown'"
                    f" FROM events WHERE {where} AND place_id != entity_id",
                    part,
                )

    def _held(self, edges: list[Edge]) -> list[Edge]:
        """The edges that hold at --as-of (see `holds_at`), judged from
        their citations, read for the whole batch at once."""
        ids = sorted({e.claim_id for e in edges})
        cites: dict[str, list[attest.Dated]] = {i: [] for i in ids}
        marked: set[str] = set()
        for part in _chunks(ids):
            for cid, as_of, stance, mode in self.conn.execute(
                f"SELECT claim_id, as_of, stance, mode FROM citations WHERE claim_id IN ({_marks(len(part))})", part
            ):
                if cid in cites:
                    cites[cid].append(attest.Dated(as_of, stance, mode))
            marked.update(
                r[0]
                for r in self.conn.execute(
                    f"SELECT id FROM claims WHERE disputed IS NOT NULL AND id IN ({_marks(len(part))})", part
                )
            )
        assert self.as_of is not None
        return [e for e in edges if holds_at(e, cites[e.claim_id], e.claim_id in marked, self.as_of)]

    def degree(self, node: str) -> int:
        """How many edges touch `node`, of any kind (an estimate of the cost
        of expanding it: --via and --as-of would only make it smaller)."""
        known = self.degrees.get(node)
        if known is None:
            known = int(
                self.conn.execute(
                    "SELECT (SELECT count(*) FROM roles WHERE holder_id = :n)"
                    " + (SELECT count(*) FROM roles WHERE organisation_id = :n)"
                    " + (SELECT count(*) FROM relations WHERE subject_id = :n)"
                    " + (SELECT count(*) FROM relations WHERE object_id = :n)"
                    " + (SELECT count(*) FROM participations WHERE entity_id = :n)"
                    " + (SELECT count(*) FROM participations WHERE event_id = :n)"
                    " + (SELECT count(*) FROM events WHERE place_id = :n)"
                    " + (SELECT count(*) FROM events WHERE entity_id = :n AND place_id IS NOT NULL)",
                    {"n": node},
                ).fetchone()[0]
            )
            self.degrees[node] = known
        return known

    def cost(self, frontier: Sequence[str]) -> float:
        """What expanding `frontier` would take, in edges read: its edges
        (counted for a small frontier, estimated from an evenly spaced
        sample of a large one), plus PROBE for each node. Each node is 8
        index probes, most finding nothing: at 1M entities a node cost
        about as much as 8 edges of a hub's one index scan (75 µs against
        9 µs), so 4,000 people with 9,000 edges are dearer than one
        organisation with 12,000 holders. A node already read costs
        nothing."""
        frontier = [n for n in frontier if n not in self.known]
        if len(frontier) <= _SAMPLE:
            edges = float(sum(self.degree(n) for n in frontier))
        else:
            ordered = sorted(frontier)
            step = len(ordered) / _SAMPLE
            sample = [ordered[int(i * step)] for i in range(_SAMPLE)]
            edges = sum(self.degree(n) for n in sample) * len(frontier) / _SAMPLE
        return edges + PROBE * len(frontier)


def holds_at(edge: Edge, cites: Iterable[attest.Dated], marked_disputed: bool, at: str) -> bool:
    """Did the claim hold at `at`? Conservative: only what the evidence dates.

    * A role or a relation holds where `kbtui roles --as-of` would say
      "held": inside its start–end when the sources give them, else inside
      its attestation window (the as-of dates of its evidence); undated, or
      disputed at that date, it is left out.
    * A participation or an event's place holds once the event has begun:
      its start (else its end, else its earliest dated evidence) is not
      wholly after `at`. A meeting in April 2024 links its participants as of
      June 2024, and not as of March 2024; an undated one is left out.
    """
    cites = list(cites)
    day = dates.span(at)
    if marked_disputed or attest.contradicted_by(cites, day):
        return False
    first, last = attest.window(cites)
    if edge.kind in ("role", "relation"):
        verdict = attest.role_state(at, edge.start, edge.end, edge.status, first, last)
        return verdict.state == "held"
    began = next((d for d in (edge.start, edge.end, first) if d and dates.is_valid(d)), None)
    return began is not None and not dates.span(began).after(day)


# ---------------------------------------------------------------------------
# the search


@dataclass
class _Side:
    depth: int
    frontier: list[str]
    # node -> (neighbour one level nearer this side's root, edge) for every
    # edge that reaches the node at its depth
    parents: dict[str, list[tuple[str, Edge]]]


def _expand(graph: _Graph, side: _Side) -> None:
    """Grow `side` by one whole level."""
    fresh: dict[str, list[tuple[str, Edge]]] = {}
    frontier = set(side.frontier)
    reached = side.parents
    for edge in graph.around(side.frontier):
        a, b = edge.a, edge.b
        if a in frontier and b not in reached:
            fresh.setdefault(b, []).append((a, edge))
        if b in frontier and a not in reached:
            fresh.setdefault(a, []).append((b, edge))
    side.parents.update(fresh)
    side.frontier = sorted(fresh)
    side.depth += 1


def _search(graph: _Graph, start: str, goal: str, max_hops: int) -> tuple[int, list[str], _Side, _Side] | bool:
    """(length, meeting nodes, start side, goal side); else False when one
    side ran out of entities to reach (no path of any length), True when
    the search stopped at `max_hops` (a longer path may exist).

    Why the first meeting is the shortest: before the level just grown (to
    depth d on one side, the other at e), no node was on both sides, so
    every path is longer than (d - 1) + e. A node of the new level that the
    other side holds has a path of d + (its depth there, at most e): so
    exactly d + e, the shortest, and every shortest path crosses the new
    level at such a node. Each side keeps every edge into each node from
    the level before, so all shortest paths are read back from the two."""
    sides = (_Side(0, [start], {start: []}), _Side(0, [goal], {goal: []}))
    while sides[0].depth + sides[1].depth < max_hops:
        if not sides[0].frontier or not sides[1].frontier:
            return False  # one side has reached everything it can
        costs = [graph.cost(s.frontier) for s in sides]
        grow, other = (sides[0], sides[1]) if costs[0] <= costs[1] else (sides[1], sides[0])
        _expand(graph, grow)
        meet = [n for n in grow.frontier if n in other.parents]
        if meet:
            return sides[0].depth + sides[1].depth, meet, sides[0], sides[1]
    return bool(sides[0].frontier and sides[1].frontier)


def _count(side: _Side, node: str, memo: dict[str, int]) -> int:
    """Paths from the side's root to `node` along its parents."""
    if node not in memo:
        parents = side.parents[node]
        memo[node] = 1 if not parents else sum(_count(side, p, memo) for p, _ in parents)
    return memo[node]


def _walks(side: _Side, node: str, budget: list[int]) -> Iterator[list[tuple[str, Edge]]]:
    """Paths from the side's root to `node`: lists of (node before, edge),
    root first, in id order, while budget[0] lasts."""
    parents = side.parents[node]
    if not parents:
        yield []
        return
    for before, edge in sorted(parents, key=lambda pe: (pe[0], pe[1].claim_id, pe[1].kind)):
        for walk in _walks(side, before, budget):
            if budget[0] <= 0:
                return
            yield [*walk, (before, edge)]


@dataclass(frozen=True)
class _Step:
    here: str
    there: str
    edge: Edge


def _steps(walk: list[tuple[str, Edge]], node: str) -> list[_Step]:
    """A walk of `_walks` (root first) as steps ending at `node`."""
    nodes = [before for before, _ in walk] + [node]
    return [_Step(nodes[i], nodes[i + 1], edge) for i, (_, edge) in enumerate(walk)]


def _paths(meet: list[str], fwd: _Side, back: _Side) -> list[list[_Step]]:
    """Up to WEIGHED shortest paths through the meeting nodes, in id order."""
    out: list[list[_Step]] = []
    budget = [WEIGHED]
    for node in sorted(meet):
        for head in _walks(fwd, node, budget):
            steps = _steps(head, node)
            for tail in _walks(back, node, [WEIGHED]):
                # the goal side's walk runs goal → node: reversed, it continues the path
                rest = [_Step(s.there, s.here, s.edge) for s in reversed(_steps(tail, node))]
                out.append(steps + rest)
                budget[0] -= 1
                if budget[0] <= 0:
                    return out
    return out


# ---------------------------------------------------------------------------
# evidence and ranking

_STANCE = {"supports": 0, "qualifies": 1, "contradicts": 2}
_MODE = {"asserts": 0}
_CERTAINTY = {"stated": 0, "reported": 1, "likely": 2, "inferred": 3}


def best_first(cites: list[Citation]) -> list[Citation]:
    """The strongest evidence first: supporting before qualifying before
    contradicting, asserted before denied, demanded or predicted, stated
    before reported, likely, inferred; then the most recent as-of date (the
    latest state of knowledge; undated last), then the citation id."""

    def key(c: Citation) -> tuple[int, int, int, int, int]:
        as_of = c["as_of"]
        recent = -dates.span(as_of).last.toordinal() if as_of and dates.is_valid(as_of) else 0
        return (
            _STANCE.get(c["stance"], 3),
            _MODE.get(c["mode"], 1),
            _CERTAINTY.get(c["certainty"], 4),
            recent,
            c["id"],
        )

    return sorted(cites, key=key)


def _independent(conn: sqlite3.Connection, claim_ids: list[str]) -> tuple[dict[str, int], set[str]]:
    """(independent sources per claim, the claims disputed): what ranking
    needs, read without the citations' text."""
    sources: dict[str, list[tuple[str, attest.Dated]]] = {c: [] for c in claim_ids}
    disputed: set[str] = set()
    for part in _chunks(claim_ids):
        m = _marks(len(part))
        for cid, sid, stance, mode in conn.execute(
            f"SELECT claim_id, source_id, stance, mode FROM citations WHERE claim_id IN ({m})", part
        ):
            if cid in sources:
                sources[cid].append((sid, attest.Dated(None, stance, mode)))
                if stance == "contradicts":
                    disputed.add(cid)
        disputed.update(
            r[0] for r in conn.execute(f"SELECT id FROM claims WHERE disputed IS NOT NULL AND id IN ({m})", part)
        )
    keys = queries.independence_keys(conn, {s for cs in sources.values() for s, _ in cs})
    counts = {cid: len({keys.get(s, s) for s, d in cs if attest.is_evidence(d)}) for cid, cs in sources.items()}
    return counts, disputed


def _words(edge: Edge) -> str:
    """The claim in a few words, in its own direction, for an arrow between
    two names: a role's title, a relation's type (its label and a
    participant's capacity are the claim's `label`)."""
    if edge.kind == "role":
        return f"{edge.label} of" + (" (former)" if edge.status == "former" else "")
    if edge.kind == "relation":
        return edge.type
    return "took part in" if edge.kind == "participation" else "held at"


def _key(steps: list[_Step], counts: dict[str, int], disputed: set[str]) -> tuple[object, ...]:
    per_hop = [counts.get(s.edge.claim_id, 0) for s in steps]
    return (
        len(steps),
        sum(1 for s in steps if s.edge.claim_id in disputed),
        -min(per_hop),
        -sum(per_hop),
        [(s.there, s.edge.claim_id, s.edge.kind) for s in steps],
    )


# ---------------------------------------------------------------------------
# the answer


def find_paths(
    conn: sqlite3.Connection,
    start: str,
    goal: str,
    max_hops: int = DEFAULT_HOPS,
    via: Via = ALL,
    as_of: str | None = None,
    limit: int = 5,
) -> Paths:
    """The best `limit` paths from `start` to `goal` (entity ids, already
    resolved): the shortest, then, when they are fewer than `limit`, longer
    simple ones (see the module docstring), as the JSON of `kbtui path
    --json`: {"from", "to", "max_hops", "via", "as_of", "length",
    "shortest_paths", "longer_cut_short", "paths": [{"length", "hops":
    [Hop], "independent_sources": {"weakest", "total"}}]}.

    NoPath when there is none within `max_hops`; PathError for a bad
    `max_hops` or a search past EDGE_BUDGET. `as_of` must be a valid ISO
    prefix (the CLI checks it)."""
    if not 1 <= max_hops <= MAX_HOPS:
        raise PathError(f"--max-hops {max_hops} is out of range", f"use 1 to {MAX_HOPS}")
    if start == goal:
        raise PathError(f"both ends are the same entity ({start})", "name two different entities")
    graph = _Graph(conn, via, as_of)
    found = _search(graph, start, goal, max_hops)
    if isinstance(found, bool):
        words = f" through {', '.join(via.words)}" if via.words else ""
        dated = f" at {as_of}" if as_of else ""
        if not found:  # the search reached all it could: no number of hops would do
            hint = "they are not connected at all" + (" by these claims" if words or dated else "")
        elif max_hops < MAX_HOPS:
            hint = f"try --max-hops {max_hops + 1}"
        else:
            hint = f"there may be a longer path; {MAX_HOPS} hops is the most searched"
        raise NoPath(
            f"no path between {start} and {goal} within {max_hops} hop{'s' if max_hops != 1 else ''}{words}{dated}",
            hint,
            connected=found,
        )
    length, meet, fwd, back = found
    ahead: dict[str, int] = {}
    behind: dict[str, int] = {}
    total = sum(_count(fwd, n, ahead) * _count(back, n, behind) for n in meet)
    steps = _paths(meet, fwd, back)
    cut_short = False
    if total < limit and length < max_hops:
        # too few shortest ones: go on with the next-longest (a pass of its own)
        from kbtui.kb.path_alternatives import longer_paths

        longer, cut_short = longer_paths(graph, fwd, back, start, goal, length, max_hops, limit - len(steps))
        steps += [[_Step(here, there, edge) for here, there, edge in p] for p in longer]
    claim_ids = sorted({s.edge.claim_id for p in steps for s in p})
    counts, disputed = _independent(conn, claim_ids)
    steps.sort(key=lambda p: _key(p, counts, disputed))
    chosen = steps[:limit]
    shown = sorted({s.edge.claim_id for p in chosen for s in p})
    cites = queries.citations_for(conn, shown)
    names = _names(conn, {start, goal} | {s.there for p in chosen for s in p})
    return {
        "from": names[start],
        "to": names[goal],
        "max_hops": max_hops,
        "via": list(via.words),
        "as_of": as_of,
        "length": length,
        "shortest_paths": total,
        "longer_cut_short": cut_short,
        "paths": [
            {
                "length": len(p),
                "hops": [_hop(s, names, cites[s.edge.claim_id], counts, disputed) for s in p],
                "independent_sources": {
                    "weakest": min(counts.get(s.edge.claim_id, 0) for s in p),
                    "total": sum(counts.get(s.edge.claim_id, 0) for s in p),
                },
            }
            for p in chosen
        ],
    }


def _hop(
    step: _Step, names: dict[str, EntityRef], cites: list[Citation], counts: dict[str, int], disputed: set[str]
) -> Hop:
    e = step.edge
    ordered = best_first(cites)
    claim: ClaimRef = {
        "id": e.claim_id,
        "kind": e.kind,
        "type": e.type,
        "label": e.label,
        "words": _words(e),
        "start": e.start,
        "end": e.end,
        "disputed": e.claim_id in disputed,
    }
    return {
        "from": names[step.here],
        "to": names[step.there],
        "reversed": step.here != e.a,
        "claim": claim,
        "citations": ordered[:CITATIONS_PER_HOP],
        "citations_total": len(cites),
        "independent_sources": counts.get(e.claim_id, 0),
    }


def _names(conn: sqlite3.Connection, ids: set[str]) -> dict[str, EntityRef]:
    out: dict[str, EntityRef] = {i: {"id": i, "name": i} for i in ids}
    ordered = sorted(ids)
    for part in _chunks(ordered):
        for i, name in conn.execute(f"SELECT id, name FROM entities WHERE id IN ({_marks(len(part))})", part):
            out[i] = {"id": i, "name": name}
    return out
