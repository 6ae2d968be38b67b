"""Typo-tolerant name search that stays fast at a million entities.

Brute-force fuzzy matching over every name costs ~1.6 s per query at a
million entities. Instead, a bounded set of candidates comes from indexes
inside SQLite and only those are scored with rapidfuzz. Query and names go
through the same normalisation (kbtui.kb.normalize: casefold, accents,
transliteration, punctuation, spacing); the index works on the `compact`
form, so "F.S.B." = "fsb" and "chen wen qing" = "chenwenqing".

Candidates, cheapest first:

1. exact and prefix matches of the compact form (B-tree on names.compact);
2. for several words, names starting with the first or last word and
   containing the others ("Wenqing Chen", "Nikolay Patrushev" without the
   patronymic); for one word, names containing it anywhere (FTS5 trigram);
3. typo candidates by pass-join (Li, Deng, Wang, Feng: "Pass-Join: a
   partition-based method for similarity joins", VLDB 2011). Every compact
   name of length l is cut into 3 pieces stored in `name_grams`. If a name
   is within 2 edits of the query, one of its pieces occurs intact in the
   query, shifted by at most 2, and the query's length bounds l to |q| +- 2.
   So a query looks up a few dozen exact keys ('11:1:nwe') instead of
   scanning; the typo budget is close to Elasticsearch's AUTO fuzziness (no
   typo under 5 letters, 1 up to 7, then 2).

Candidates are scored with rapidfuzz: the better of an edit similarity of the
compact forms (optimal string alignment: a swap of two letters is one typo)
and WRatio of the spaced forms (word order, dropped words, partial names).
Exact and prefix matches rank first; each entity appears once, with the
alias that matched when it was not the main name.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from kbtui.kb.models import SearchHit
from kbtui.kb.normalize import compact, norm

MAX_QUERY_CHARS = 120  # longer input is cut: no name is that long
PREFIX_LIMIT = 100  # rows taken from the prefix range
WORDS_LIMIT = 200  # rows taken from the all-words probe
SEGMENTS = 3  # pieces per name in name_grams (kbtui.kb.index)
MAX_EDITS = SEGMENTS - 1
TYPO_NAMES_LIMIT = 400  # distinct compact names kept from the typo stage
TYPO_ROWS_LIMIT = 300  # name rows fetched for them (common names repeat)
CANDIDATE_CAP = 1500  # upper bound on rows scored with rapidfuzz
MIN_SCORE = 50.0
_COLS = "n.id, n.entity_id, n.name, n.norm, n.compact, n.is_primary"


@dataclass(frozen=True)
class Hit:
    id: str
    kind: str
    name: str
    score: float
    matched: str | None = None  # the alias that matched, when not the main name

    def as_json(self) -> SearchHit:
        return {
            "id": self.id,
            "kind": self.kind,
            "name": self.name,
            "score": round(self.score, 1),
            "matched": self.matched,
        }


def typo_budget(length: int) -> int:
    """Edits tolerated in a compact query of this many letters."""
    if length < 5:
        return 0
    return 1 if length < 8 else MAX_EDITS


def _pieces(length: int) -> list[tuple[int, int]]:
    """(start, length) of each piece of a name of `length` letters, as index.py cuts it."""
    q, r = divmod(length, SEGMENTS)
    out, start = [], 0
    for i in range(SEGMENTS):
        size = q + (1 if i >= SEGMENTS - r else 0)
        out.append((start, size))
        start += size
    return out


def segment_keys(qc: str, edits: int) -> list[str]:
    """name_grams keys that every name within `edits` of `qc` has one of.

    For each possible name length l and each piece i, the query substrings
    that can equal the piece. With the index's full budget (MAX_EDITS) they
    start within the multi-match-aware window of Pass-Join (Li et al. 2011,
    section 4.2); with a smaller budget, within the position-aware window:
    an intact piece shifted by s needs |s| edits before it and |l - |q| + s|
    after it."""
    keys: list[str] = []
    n = len(qc)
    for length in range(max(SEGMENTS, n - edits), n + edits + 1):
        delta = n - length
        slack = (edits - abs(delta)) // 2
        for i, (start, size) in enumerate(_pieces(length)):
            if size == 0:
                continue
            if edits == MAX_EDITS:
                lo = max(0, start - i, start + delta - (edits - i))
                hi = min(n - size, start + i, start + delta + (edits - i))
            else:
                lo = max(0, start + min(0, delta) - slack)
                hi = min(n - size, start + max(0, delta) + slack)
            for p in range(lo, hi + 1):
                keys.append(f"{length}:{i}:{qc[p : p + size]}")
    return list(dict.fromkeys(keys))


def _phrase(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


Row = tuple[int, str, str, str, str, int]  # id, entity_id, name, norm, compact, is_primary


def candidates(conn: sqlite3.Connection, qn: str, qc: str, want: int = 20) -> dict[int, Row]:
    """name row id -> row, at most CANDIDATE_CAP of them. Typo candidates are
    skipped when `want` names match exactly already."""
    found: dict[int, Row] = {}

    def take(sql: str, args: Sequence[object]) -> None:
        for row in conn.execute(sql, args):
            if len(found) >= CANDIDATE_CAP:
                return
            found.setdefault(row[0], row)

    take(f"SELECT {_COLS} FROM names n WHERE n.compact >= ? AND n.compact < ? LIMIT {PREFIX_LIMIT}", (qc, qc + "\x7f"))
    words = [w for w in dict.fromkeys(qn.split()) if len(w) >= 2]
    if len(words) >= 2:
        # "nikolay patrushev" for Nikolay Platonovich Patrushev, "wenqing chen"
        # for Chen Wenqing: names starting with the first (or last) word that
        # contain the others. A B-tree range on names.compact, filtered in
        # SQLite, is far cheaper than FTS phrases of common words.
        for lead in dict.fromkeys((words[0], words[-1])):
            rest = [w for w in words if w != lead]
            take(
                f"SELECT {_COLS} FROM names n WHERE n.compact >= ? AND n.compact < ? AND "
                + " AND ".join("instr(n.compact, ?)" for _ in rest)
                + f" LIMIT {WORDS_LIMIT}",
                (lead, lead + "\x7f", *rest),
            )
    elif len(qc) >= 3:
        # one word: names containing it anywhere ("patrushev")
        take(
            f"SELECT {_COLS} FROM names_fts f JOIN names n ON n.id = f.rowid "
            f"WHERE names_fts MATCH ? LIMIT {WORDS_LIMIT}",
            (_phrase(qc),),
        )
    edits = typo_budget(len(qc))
    exact = sum(1 for r in found.values() if r[4] == qc)
    if exact:
        edits = min(edits, 1)  # typed right: near names are a courtesy, keep it cheap
    if edits and exact < want:
        close = typo_neighbours(conn, qc, edits, want)
        # closest first, in small batches: a common name can have hundreds of
        # rows, and they must not crowd out a rarer, closer one
        budget = len(found) + TYPO_ROWS_LIMIT
        for i in range(0, len(close), 25):
            part = close[i : i + 25]
            take(
                f"SELECT {_COLS} FROM names n WHERE n.compact IN ({','.join('?' * len(part))}) LIMIT {TYPO_ROWS_LIMIT}",
                part,
            )
            if len(found) >= budget:
                break
    return found


def _keys_with_swaps(qc: str, edits: int) -> list[str]:
    # Pass-join guarantees names within `edits` Levenshtein edits. A swap of
    # two letters is two such edits and can break two pieces at once, so the
    # query with each neighbouring pair swapped back is looked up too: its
    # extra keys are few, and mostly absent from the index.
    keys = segment_keys(qc, edits)
    for i in range(len(qc) - 1):
        if qc[i] != qc[i + 1]:
            keys += segment_keys(qc[:i] + qc[i + 1] + qc[i] + qc[i + 2 :], edits)
    return list(dict.fromkeys(keys))


def _pool(conn: sqlite3.Connection, keys: list[str]) -> set[str]:
    if not keys:
        return set()
    try:
        blob = conn.execute(
            f"SELECT group_concat(compact, ' ') FROM name_grams WHERE gram IN ({','.join('?' * len(keys))})", keys
        ).fetchone()[0]
    except sqlite3.OperationalError:
        return set()  # a KB indexed before name_grams held pieces: no typo candidates
    return set(blob.split(" ")) if blob else set()


def typo_neighbours(conn: sqlite3.Connection, qc: str, edits: int, want: int = 20) -> list[str]:
    """Distinct compact names within `edits` edits of `qc`, closest first.

    The pass-join keys bring every name that could be that close (thousands
    for short, common names); their compact forms come straight from the
    keys' B-tree as one string, and rapidfuzz keeps those really close
    (optimal string alignment: a swap is one edit), allowing one edit more
    than the budget, as two typos on neighbouring letters often make three.

    Short queries go in two steps: names one edit away first (few keys), and
    two edits only if fewer than `want` were found, since otherwise no name
    two edits away could rank among the first `want` anyway."""
    steps = [1, edits] if edits > 1 and len(qc) <= 12 else [edits]
    seen_keys: set[str] = set()
    pool: set[str] = set()
    close: list[tuple[str, int, int]] = []
    for budget in steps:
        keys = [k for k in _keys_with_swaps(qc, budget) if k not in seen_keys]
        seen_keys.update(keys)
        pool |= _pool(conn, keys)
        close = process.extract(qc, list(pool), scorer=OSA.distance, score_cutoff=edits + 1, limit=None)
        if sum(1 for c in close if c[1] <= budget) >= want:
            break
    close.sort(key=lambda c: (c[1], c[0]))
    return [c[0] for c in close[:TYPO_NAMES_LIMIT]]


def search(conn: sqlite3.Connection, query: str, kind: str | None = None, limit: int = 20) -> list[Hit]:
    """Best-first entities whose name or an alias matches `query`."""
    qn = norm(query[:MAX_QUERY_CHARS])
    qc = compact(qn)
    if not qc or limit <= 0:
        return []
    # Typo candidates stop early when this many names are one edit away; a
    # long result list (the TUI shows 50) need not pay for its tail.
    found = candidates(conn, qn, qc, max(5, min(limit, 20)))
    if not found:
        return []
    rows = list(found.values())
    compacts = [r[4] for r in rows]
    typo = [0.0] * len(rows)
    for _, sim, j in process.extract(qc, compacts, scorer=OSA.normalized_similarity, limit=None):
        typo[j] = sim
    shape = [0.0] * len(rows)
    for _, sim, j in process.extract(qn, [r[3] for r in rows], scorer=fuzz.WRatio, limit=None):
        shape[j] = sim
    best: dict[str, tuple[tuple[bool, bool, float, int, int], float, str, int]] = {}
    for j, row in enumerate(rows):
        _, entity_id, name, _, nc, primary = row
        exact = nc == qc
        prefix = nc.startswith(qc)
        # Shown: the better of the two views. Ranked: their mean, so that of
        # two names WRatio finds equally close, the one fewer typos away wins.
        score = max(typo[j] * 100.0, shape[j])
        rank = (typo[j] * 100.0 + shape[j]) / 2
        if exact:
            score = 100.0
        elif prefix:
            score = max(score, 95.0)
        elif score < MIN_SCORE:
            continue
        key = (exact, prefix, round(rank, 1), primary, -len(nc))
        if entity_id not in best or key > best[entity_id][0]:
            best[entity_id] = (key, score, name, primary)
    if not best:
        return []
    ranked = sorted(best.items(), key=lambda kv: (kv[1][0], kv[0]), reverse=True)
    hits: list[Hit] = []
    # entity rows are fetched for the best few only; with a kind filter, in
    # pages until enough of that kind are found
    step = max(limit * 2, 50)
    for i in range(0, len(ranked), step):
        page = ranked[i : i + step]
        meta = _entity_meta(conn, [eid for eid, _ in page])
        for entity_id, (_, score, name, primary) in page:
            kind_, main = meta.get(entity_id, ("", name))
            if kind and kind_ != kind:
                continue
            hits.append(Hit(entity_id, kind_, main, round(score, 1), None if primary else name))
            if len(hits) >= limit:
                return hits
    return hits


def browse(conn: sqlite3.Connection, limit: int = 200, kind: str | None = None) -> list[Hit]:
    """Entities in alphabetical order of their main name (compact form), for
    the list shown before anything is typed.

    Reads the names_compact B-tree in order, so the first page costs the
    same at a million entities as at a hundred (ORDER BY name over
    `entities` would sort them all)."""
    # Walk names_compact in order (CROSS JOIN keeps names as the outer loop)
    # unless the kind is a rare one, whose few rows are quicker to sort.
    join = "CROSS JOIN" if kind in (None, "person", "organisation") else "JOIN"
    sql = (
        f"SELECT n.entity_id, e.kind, e.name FROM names n {join} entities e ON e.id = n.entity_id "
        "WHERE n.is_primary = 1" + (" AND e.kind = ?" if kind else "") + " ORDER BY n.compact LIMIT ?"
    )
    rows = conn.execute(sql, (kind, limit) if kind else (limit,))
    return [Hit(r[0], r[1], r[2], 0.0) for r in rows]


def _entity_meta(conn: sqlite3.Connection, ids: list[str]) -> dict[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {}
    for i in range(0, len(ids), 500):
        part = ids[i : i + 500]
        rows = conn.execute(f"SELECT id, kind, name FROM entities WHERE id IN ({','.join('?' * len(part))})", part)
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
