"""Typo-tolerant name search that stays fast at millions of names.

Brute-force fuzzy matching over every name costs ~1.6 s per query at a
million entities. Instead, candidates come from indexes inside SQLite and
only a bounded set is scored with rapidfuzz:

1. exact and prefix matches of the compact form (B-tree on names.compact);
2. substring matches of the whole query (FTS5 trigram phrase);
3. typo candidates by the pigeonhole principle: the compact query is cut
   into k chunks; with at most e edits, at least k - e chunks survive intact,
   so every name within e edits contains some (k - e)-subset of the chunks as
   substrings. Each subset is one selective FTS5 query.

The candidates are then scored with rapidfuzz's WRatio (with exact and
prefix matches ranked first) and folded per entity, reporting which alias
matched.
"""

from __future__ import annotations

import itertools
import sqlite3
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from kbtui.kb.normalize import compact, norm

MAX_QUERY_CHARS = 200       # longer input is cut: no name is that long
PER_QUERY_LIMIT = 400       # rows taken from each index probe
CANDIDATE_CAP = 4000        # upper bound on rows scored with rapidfuzz
MIN_SCORE = 50.0


@dataclass(frozen=True)
class Hit:
    id: str
    kind: str
    name: str
    score: float
    matched: str | None = None  # the alias that matched, when not the main name

    def as_json(self) -> dict:
        return {"id": self.id, "kind": self.kind, "name": self.name,
                "score": round(self.score, 1), "matched": self.matched}


def _fts_phrase(chunk: str) -> str:
    # compact forms hold only [a-z0-9], so quoting is safe; doubled quotes
    # would be needed for anything else.
    return '"' + chunk.replace('"', '""') + '"'


def chunks(text: str, k: int) -> list[str]:
    size, extra = divmod(len(text), k)
    out, i = [], 0
    for n in range(k):
        step = size + (1 if n < extra else 0)
        out.append(text[i:i + step])
        i += step
    return out


def _typo_probes(qc: str) -> list[str]:
    """FTS5 queries whose union holds every name within the typo budget."""
    length = len(qc)
    if length < 6:
        return []
    edits = 1 if length < 9 else 2
    k = min(length // 3, edits + 2)   # chunks of >= 3 chars (trigram minimum)
    parts = chunks(qc, k)
    keep = max(k - edits, 1)
    return [" AND ".join(_fts_phrase(p) for p in combo)
            for combo in itertools.combinations(parts, keep)]


def candidates(conn: sqlite3.Connection, qc: str) -> dict[int, tuple[str, str, str, int]]:
    """name row id -> (entity_id, name, norm, is_primary), bounded in size."""
    found: dict[int, tuple[str, str, str, int]] = {}

    def take(sql: str, args: tuple) -> None:
        for row in conn.execute(sql, args):
            if len(found) >= CANDIDATE_CAP:
                return
            found.setdefault(row[0], (row[1], row[2], row[3], row[4]))

    cols = "n.id, n.entity_id, n.name, n.norm, n.is_primary"
    take(f"SELECT {cols} FROM names n WHERE n.compact >= ? AND n.compact < ? "
         f"ORDER BY length(n.compact) LIMIT {PER_QUERY_LIMIT}", (qc, qc + "\x7f"))
    if len(qc) >= 3:
        probe = f"SELECT {cols} FROM names_fts f JOIN names n ON n.id = f.rowid " \
                f"WHERE names_fts MATCH ? LIMIT {PER_QUERY_LIMIT}"
        take(probe, (_fts_phrase(qc),))
        for match in _typo_probes(qc):
            take(probe, (match,))
    return found


def search(conn: sqlite3.Connection, query: str, kind: str | None = None,
           limit: int = 20) -> list[Hit]:
    """Best-first entities whose name or an alias matches `query`."""
    qn = norm(query[:MAX_QUERY_CHARS])
    qc = compact(qn)
    if not qc:
        return []
    found = candidates(conn, qc)
    if not found:
        return []
    ids = list(found)
    choices = [found[i][2] for i in ids]
    scored = process.extract(qn, choices, scorer=fuzz.WRatio, limit=None, score_cutoff=MIN_SCORE)
    best: dict[str, tuple[tuple, float, str, int]] = {}
    for _, score, pos in scored:
        entity_id, name, normed, primary = found[ids[pos]]
        nc = compact(normed)
        exact = nc == qc
        prefix = nc.startswith(qc)
        shown = 100.0 if exact else max(float(score), 95.0 if prefix else 0.0)
        key = (exact, prefix, round(shown, 1), primary, -len(nc))
        if entity_id not in best or key > best[entity_id][0]:
            best[entity_id] = (key, shown, name, primary)
    if not best:
        return []
    meta = _entity_meta(conn, list(best))
    ranked = sorted(best.items(), key=lambda kv: (kv[1][0], kv[0]), reverse=True)
    hits: list[Hit] = []
    for entity_id, (_, shown, name, primary) in ranked:
        kind_, main = meta.get(entity_id, ("", name))
        if kind and kind_ != kind:
            continue
        hits.append(Hit(entity_id, kind_, main, shown, None if primary else name))
        if len(hits) >= limit:
            break
    return hits


def _entity_meta(conn: sqlite3.Connection, ids: list[str]) -> dict[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {}
    for i in range(0, len(ids), 500):
        part = ids[i:i + 500]
        rows = conn.execute(
            f"SELECT id, kind, name FROM entities WHERE id IN ({','.join('?' * len(part))})", part)
        out.update({r[0]: (r[1], r[2]) for r in rows})
    return out


def match_spans(query: str, name: str) -> list[tuple[int, int]]:
    """Character spans of `name` that match `query`, for highlighting.

    Works on the casefolded display name (same length for the scripts we
    index), so spans index the name as shown."""
    from rapidfuzz.distance import Indel

    folded = name.casefold()
    if len(folded) != len(name):
        return []
    q = " ".join(query.casefold().split())
    spans = []
    for op in Indel.opcodes(q, folded):
        if op.tag == "equal" and (op.dest_end - op.dest_start >= 2 or len(q) <= 2):
            spans.append((op.dest_start, op.dest_end))
    return spans
