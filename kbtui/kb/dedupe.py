"""Entity resolution: candidate duplicate pairs, scored and explained.

The same official recorded twice ("Chen Wenqing" and "Chen Wen-ching",
"N. Patrushev" and "Nikolai Patrushev"), the same agency under its
acronym and its full name: `candidates` lists such pairs of entities of
one kind, best first, each with a score 0..1 and the reasons for and
against ("names 1 edit apart: Patrushev/Patrushew", "both hold roles at
Security Council of Russia", "born 1951 vs 1955: different people?").

Three steps per kind, each in its own module:

1. blocking: only entities sharing an exact key are compared. First by
   evidence (kbtui.kb.dedupe_context: an identifier; an organisation,
   role holder, relation's end or event in common, for alike names),
   then by name (kbtui.kb.dedupe_blocks: the same name, the same words,
   an initial, an acronym, a shorter name; kbtui.kb.dedupe_spelling: one
   or two edits), from the search index. No key pairs more than BLOCK_CAP entities, and a name
   pair that cannot reach `min_score` with nothing in common is dropped
   before it is compared (dedupe_score.Threshold): what makes 100,000
   entities take seconds, not minutes;
2. the names' relation (kbtui.kb.dedupe_names);
3. the score (kbtui.kb.dedupe_score): the names' relation less their
   commonness, plus the evidence, as log-odds squashed to 0..1.

Nothing is written. One kind at a time is held in memory (its names and
links), never the whole KB. Pairs a curator has judged ("not the same")
are passed in `exclude` and skipped.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable

from kbtui.kb import dedupe_blocks, dedupe_context, dedupe_spelling
from kbtui.kb.dedupe_score import Pair, Threshold, score_pairs
from kbtui.kb.vocab import ENTITY_KINDS

__all__ = ["DEFAULT_LIMIT", "DEFAULT_MIN_SCORE", "Pair", "candidates"]

DEFAULT_LIMIT = 1000
DEFAULT_MIN_SCORE = 0.5


def candidates(
    conn: sqlite3.Connection,
    kinds: Iterable[str] | None = None,
    limit: int | None = DEFAULT_LIMIT,
    min_score: float = DEFAULT_MIN_SCORE,
    exclude: set[tuple[str, str]] | None = None,
    stats: dict[str, float] | None = None,
) -> list[Pair]:
    """Candidate duplicate pairs of entities of the same kind, scoring at
    least `min_score`, best first, at most `limit` (None: all).

    `kinds`: the kinds to look at (default: every kind). `exclude`: pairs
    of ids (either order) to leave out, such as pairs judged distinct.
    `stats`, if given, gets counts and seconds per step (benchmarks)."""
    exclude = exclude or set()
    stats = stats if stats is not None else {}
    out: list[Pair] = []
    for kind in kinds or ENTITY_KINDS:
        started = time.perf_counter()
        names = dedupe_blocks.load(conn, kind)
        if len(names.ids) < 2:
            continue
        found = dedupe_blocks.Found()
        identifiers = dedupe_context.by_identifier(conn, names, found)
        links = dedupe_context.by_context(conn, names, found)
        _count(stats, "evidence_pairs", len(found))
        _count(stats, "evidence_s", time.perf_counter() - started)
        # name blocks last, gated: a pair of names that cannot reach
        # min_score with nothing in common is not kept (and a block of
        # such names not compared), since the pairs with something in
        # common were paired by the evidence blocks above
        found.gate = Threshold(min_score, links, dedupe_context.dated(conn, names) | set(identifiers))
        dedupe_blocks.by_name(names, found)
        dedupe_spelling.near_spellings(names, found)
        _count(stats, "compared", len(found))
        blocked = time.perf_counter()
        pairs = score_pairs(conn, names, found, links, identifiers, min_score, limit, exclude)
        _count(stats, "block_s", blocked - started)
        _count(stats, "score_s", time.perf_counter() - blocked)
        out = sorted([*out, *pairs], key=lambda p: (-p.score, p.a, p.b))[:limit]
    _count(stats, "kept", len(out))
    return out


def _count(stats: dict[str, float], key: str, value: float) -> None:
    stats[key] = stats.get(key, 0) + value
