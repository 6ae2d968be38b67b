"""The path view's bridge to kbtui.kb.paths_between: what its worker calls.

Like kbtui.tui.data (whose reader it uses), nothing here imports Textual.
A search that finds nothing is an answer, not a failure: it comes back as
NoPathFound, saying whether more hops could help.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from kbtui.kb import queries
from kbtui.kb.models import Evidence
from kbtui.kb.paths_between import ALL, DEFAULT_HOPS, MAX_HOPS, NoPath, Paths, find_paths
from kbtui.tui.data import inert, reader

__all__ = ["DEFAULT_HOPS", "MAX_HOPS", "NoPathFound", "PathsFound", "shortest_paths"]

PATHS = 5  # alternatives listed, as `kbtui path` lists by default


class PathsFound(NamedTuple):
    """The best shortest paths (then longer alternatives when there are
    fewer than PATHS), and the evidence record of every hop's claim (what
    the evidence pane shows when a hop is selected)."""

    paths: Paths
    evidence: dict[str, Evidence]


class NoPathFound(NamedTuple):
    max_hops: int
    # the search reached everything it could from one end: no number of
    # hops would connect them (else a longer path may exist)
    exhausted: bool


def shortest_paths(
    path: Path | str, start: str, goal: str, max_hops: int, limit: int = PATHS
) -> PathsFound | NoPathFound:
    with reader(path) as conn:
        try:
            found = find_paths(conn, start, goal, max_hops=max_hops, via=ALL, limit=limit)
        except NoPath as exc:
            return NoPathFound(max_hops, not exc.connected)
        claim_ids = [hop["claim"]["id"] for p in found["paths"] for hop in p["hops"]]
        return inert(PathsFound(found, queries.evidence(conn, claim_ids)))
