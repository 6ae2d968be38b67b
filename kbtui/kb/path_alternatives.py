"""Longer alternatives to the shortest paths (`kbtui path`, after
kbtui.kb.paths_between's search).

When fewer than `limit` shortest paths exist, the answer goes on with the
simple paths (no entity twice) of one hop more, then two, up to
--max-hops. This pass starts where the shortest search stopped: its two
sides have read every entity nearer than their depths d1 (from A) and d2
(from B), and every entity read stays in `_Graph.known`, so nothing is read
twice.

Which edges a path of L hops needs. On a simple path x0 = A … xL = B, the
entity at position i is at most i hops from A and at most L - i from B. So
with everything nearer than d1 to A read, and everything nearer than d2 to
B, every hop of the path touches an entity read, except possibly hop d1
(from x[d1] to x[d1+1]) when d1 + d2 + 1 = L, and only when both its ends
are exactly d1 from A and d2 from B: between the two frontiers. For each
L, the pass therefore:

1. grows the cheaper side by a level (as the shortest search does, costed
   by `_Graph.cost`, an entity already read costing nothing) until
   d1 + d2 + 1 = L;
2. reads the cheapest set of frontier entities that touches every pair of
   them, one from each frontier: the whole of either frontier, or both but
   one entity that is in both (the hub both ends hold a role in, typically,
   is never read for that); the edges between the two frontiers are then
   known;
3. enumerates the simple paths of exactly L hops over the edges read, by a
   depth-first walk from A in id order, taking a step only to an entity
   whose distance to B (over the same edges: a path of L hops lies in
   them) still fits the hops left, not counting a way back through the
   entity it comes from (a hub's holders reach B through the hub, which the
   path holds already). A hub's neighbours are filtered once per hops-left,
   not once per path through it.

Bounds: reading stops at READ_BUDGET (in `_Graph.cost`'s units: edges read,
PROBE per entity; checked on the estimate before a read, and on what was
really read after each _PART entities, so one part may pass it) and the
walk at STEPS entities visited; the answer then says `longer_cut_short`,
since a path not listed may exist. At most WEIGHED paths of each length are
weighed (the first in id order), as for the shortest ones.

Cost: the budget lets one hub be read. When both ends hold a role in one
hub and it joins them (a shortest path of 2 hops), 3 hops never read it,
but 4 hops do (s – hub – holder – x – g needs the hub's holders): about
0.1 s at 1M entities (12,758 holders), the slowest case that completes.

Pure Python over the same _Graph: nothing here reads the KB itself.
"""

from __future__ import annotations

from collections.abc import Iterator

# (paths_between imports this module only when it runs the pass: no cycle)
from kbtui.kb.paths_between import PROBE, Edge, PathError, _expand, _Graph, _Side

_PART = 64  # entities read at a time, the budget checked after each
READ_BUDGET = 20_000  # about one hub of 12,000 holders and its neighbours (~0.1 s at 1M entities)
STEPS = 200_000  # entities visited by the walk, all lengths together
WEIGHED = 200  # paths of one length weighed by their evidence, at most

# (here, there, edge): one hop, in the path's direction
Hop = tuple[str, str, Edge]


class _Partial:
    """The edges read so far, from both ends of each (an edge whose two
    ends were both read comes once)."""

    def __init__(self) -> None:
        self.adjacent: dict[str, list[tuple[str, Edge]]] = {}
        self.taken: set[str] = set()

    def take(self, known: dict[str, list[Edge]]) -> None:
        adjacent, taken = self.adjacent, self.taken
        for node, edges in known.items():
            if node in taken:
                continue
            taken.add(node)
            for edge in edges:
                other = edge.b if edge.a == node else edge.a
                if other in taken:
                    continue  # both ends read: taken with the other end already
                adjacent.setdefault(node, []).append((other, edge))
                adjacent.setdefault(other, []).append((node, edge))

    def distances(self, root: str, depth: int) -> dict[str, int]:
        """Hops from `root` over these edges, up to `depth`."""
        dist = {root: 0}
        level = [root]
        for d in range(1, depth + 1):
            nxt = []
            for node in level:
                for other, _ in self.adjacent.get(node, ()):
                    if other not in dist:
                        dist[other] = d
                        nxt.append(other)
            level = nxt
        return dist


class _Search:
    def __init__(self, graph: _Graph, fwd: _Side, back: _Side, start: str, goal: str) -> None:
        self.graph = graph
        self.sides = (fwd, back)
        self.start = start
        self.goal = goal
        self.spent = 0.0
        self.steps = STEPS
        self.partial = _Partial()

    def _read(self, nodes: list[str]) -> bool:
        """Read `nodes` whole, unless the estimate says that would pass
        READ_BUDGET; in parts, counting what each really read (the estimate
        of a large set comes from a sample, and can miss a hub)."""
        graph = self.graph
        fresh = [n for n in nodes if n not in graph.known]
        if self.spent + graph.cost(fresh) > READ_BUDGET:
            return False
        for i in range(0, len(fresh), _PART):
            part = fresh[i : i + _PART]
            before = graph.read
            graph.around(part)
            self.spent += graph.read - before + PROBE * len(part)
            if self.spent > READ_BUDGET:
                return False
        return True

    def ready(self, hops: int) -> bool:
        """Read what every simple path of `hops` hops needs (see the module
        docstring); False when that would pass READ_BUDGET."""
        graph, (fwd, back) = self.graph, self.sides
        try:
            while fwd.depth + back.depth + 1 < hops:
                costs = [graph.cost(s.frontier) for s in self.sides]
                grow = fwd if costs[0] <= costs[1] else back
                if not self._read(grow.frontier):
                    return False
                _expand(graph, grow)  # (all read now)
            if fwd.depth + back.depth + 1 == hops and not self._read(self._cover()):
                return False
        except PathError:  # past the search's EDGE_BUDGET: the shortest paths still stand
            return False
        self.partial.take(graph.known)
        return True

    def _cover(self) -> list[str]:
        """The cheapest set of unread frontier entities that has one end of
        every (A-side, B-side) pair of two different entities."""
        graph = self.graph
        x = [n for n in self.sides[0].frontier if n not in graph.known]
        y = [n for n in self.sides[1].frontier if n not in graph.known]
        if not x or not y:
            return []
        options = [x, y]
        both = set(x) & set(y)
        if both and len(both) <= 64:
            # leave out the dearest entity on both frontiers: a pair needs
            # two different entities, so every pair still has a read end
            dearest = max(sorted(both), key=graph.degree)
            options.append(sorted((set(x) | set(y)) - {dearest}))
        return min(options, key=graph.cost)

    def paths(self, hops: int) -> Iterator[list[Hop]]:
        """Simple paths of exactly `hops` hops over the edges read, in id
        order, while the step budget lasts."""
        adjacent = self.partial.adjacent
        far = hops + 1
        to_goal = self.partial.distances(self.goal, hops)
        fits: dict[tuple[str, int], list[tuple[str, Edge]]] = {}
        on_path = {self.start}
        trail: list[Hop] = []

        # per entity: its neighbours' best distance to B, which neighbour
        # gives it, and the best among the others (read once: asked for each
        # of a hub's 12,000 holders, a loop over the hub's neighbours would be
        # quadratic)
        best_two: dict[str, tuple[int, str | None, int]] = {}

        def avoiding(other: str, node: str) -> int:
            # hops from `other` to B on a route that does not go back through
            # `node` (the path holds it already): a hub's holders reach B
            # through the hub, and that route is closed to them
            if other == self.goal:
                return 0
            got = best_two.get(other)
            if got is None:
                first, nearest, second = far, None, far
                for m, _ in adjacent.get(other, ()):
                    d = to_goal.get(m, far)
                    if d < first:
                        if m != nearest:
                            second = first
                        first, nearest = d, m
                    elif m != nearest and d < second:
                        second = d
                got = best_two[other] = (first, nearest, second)
            first, nearest, second = got
            return (second if nearest == node else first) + 1

        def nexts(node: str, left: int) -> list[tuple[str, Edge]]:
            # the neighbours whose distance to B fits in the hops left after
            # the step, once per (entity, hops left): a hub is filtered once
            key = (node, left)
            if key not in fits:
                fits[key] = sorted(
                    (
                        (o, e)
                        for o, e in adjacent.get(node, ())
                        if to_goal.get(o, far) <= left - 1 and avoiding(o, node) <= left - 1
                    ),
                    key=lambda oe: (oe[0], oe[1].claim_id, oe[1].kind),
                )
            return fits[key]

        def walk(node: str, left: int) -> Iterator[list[Hop]]:
            for other, edge in nexts(node, left):
                self.steps -= 1
                if self.steps < 0:
                    return
                if other in on_path or (other == self.goal) != (left == 1):
                    continue
                trail.append((node, other, edge))
                if left == 1:
                    yield list(trail)
                else:
                    on_path.add(other)
                    yield from walk(other, left - 1)
                    on_path.discard(other)
                trail.pop()

        if to_goal.get(self.start, hops + 1) <= hops:
            yield from walk(self.start, hops)


def longer_paths(
    graph: _Graph, fwd: _Side, back: _Side, start: str, goal: str, shortest: int, max_hops: int, need: int
) -> tuple[list[list[Hop]], bool]:
    """(paths longer than `shortest`, cut short): every simple path of
    shortest + 1 hops, then + 2, … up to `max_hops`, until the lengths
    searched give at least `need` (each length capped at WEIGHED). `cut
    short` when READ_BUDGET or STEPS stopped the pass before that: a path
    not listed may then exist. `fwd` and `back` are the shortest search's
    sides, grown further here."""
    search = _Search(graph, fwd, back, start, goal)
    out: list[list[Hop]] = []
    for hops in range(shortest + 1, max_hops + 1):
        if len(out) >= need:
            return out, False
        if not search.ready(hops):
            return out, True
        for n, path in enumerate(search.paths(hops)):
            if n >= WEIGHED:
                break
            out.append(path)
        if search.steps < 0:
            return out, True
    return out, False
