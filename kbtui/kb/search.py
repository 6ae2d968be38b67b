"""Name search that finds what people type, fast at a million entities.

Brute-force fuzzy matching over every name costs ~1.6 s per query at a
million entities. Instead, a bounded set of candidates comes from indexes
inside SQLite and only those are scored with rapidfuzz. Query and names go
through the same normalisation (kbtui.kb.normalize: casefold, accents,
transliteration, punctuation, spacing).

Candidates, cheapest first:

1. whole names: exact and prefix matches of the compact form (B-tree on
   names.compact), so "F.S.B." = "fsb" and "chen wen qing" = "chenwenqing";
   for one word, names containing it anywhere (FTS5 trigram);
2. words (kbtui.kb.words): every word of the query against the words of
   names, in any order, exactly, as a prefix, within 1-2 edits per word or
   as an initial: "Legal Affairs Commission", "Tsvetkov, Oleg", "O.
   Tsvetkov", "Federal Securty";
3. whole-name typos by pass-join (kbtui.kb.passjoin): names within 2 edits
   of the query as a whole ("chen wenquing", "patrushv"); the budget is close
   to Elasticsearch's AUTO fuzziness (no typo under 5 letters, 1 up to 7,
   then 2);
4. role titles (kbtui.kb.titles): "director of national intelligence", or a
   title with its organisation, finds the holders.

Ranking, best first: the exact name, then names starting with the query,
then names holding every word of the query, then the rest; within each, a
score mixing an edit similarity of the compact forms (optimal string
alignment: a swap is one typo), WRatio of the spaced forms and how well the
name's words cover the query's. Each entity appears once, with the name
form that matched and the reason it ranks where it does.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from kbtui.kb import db, passjoin, titles, words
from kbtui.kb.models import SearchHit
from kbtui.kb.normalize import compact, norm
from kbtui.kb.vocab import NAME_PROPERTIES_SQL

MAX_QUERY_CHARS = 120  # longer input is cut: no name is that long
PREFIX_LIMIT = 100  # rows taken from the prefix range
WORDS_LIMIT = 200  # rows taken from the one-word substring probe
TYPO_NAMES_LIMIT = 400  # distinct compact names kept from the typo stage
TYPO_ROWS_LIMIT = 300  # name rows fetched for them (common names repeat)
CANDIDATE_CAP = 3000  # upper bound on rows scored with rapidfuzz
MIN_SCORE = 50.0
_COLS = "n.id, n.entity_id, n.name, n.norm, n.compact, n.is_primary"


@dataclass(frozen=True)
class Hit:
    id: str
    kind: str
    name: str
    score: float
    matched: str | None = None  # the name form that matched, when not the main name
    reason: str = ""  # what matched and how, in a few words
    detail: str = ""  # what sets it apart from a namesake in the same list (kbtui.kb.namesakes)

    def as_json(self) -> SearchHit:
        return {
            "id": self.id,
            "kind": self.kind,
            "name": self.name,
            "score": round(self.score, 1),
            "matched": self.matched,
            "reason": self.reason,
        }


def typo_budget(length: int) -> int:
    """Edits tolerated in a compact query of this many letters."""
    if length < 5:
        return 0
    return 1 if length < 8 else passjoin.MAX_EDITS


def _phrase(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


Row = tuple[int, str, str, str, str, int]  # id, entity_id, name, norm, compact, is_primary


class _Rows(dict[int, Row]):
    """Candidate name rows by id, at most CANDIDATE_CAP."""

    def take(self, conn: sqlite3.Connection, sql: str, args: Sequence[object]) -> None:
        self._add(conn.execute(sql, args))

    def take_ids(self, conn: sqlite3.Connection, ids: list[int]) -> None:
        self._add(
            db.rows_in(
                conn, f"SELECT {_COLS} FROM names n WHERE n.id IN ({{marks}})", [i for i in ids if i not in self]
            )
        )

    def _add(self, rows: Iterable[Row]) -> None:
        for row in rows:
            if len(self) >= CANDIDATE_CAP:
                return
            self.setdefault(row[0], row)


def candidates(conn: sqlite3.Connection, qn: str, qc: str, want: int = 20) -> _Rows:
    """Whole-name candidates: name row id -> row. Typo candidates are
    skipped when `want` names match exactly already."""
    found = _Rows()
    found.take(
        conn,
        f"SELECT {_COLS} FROM names n WHERE n.compact >= ? AND n.compact < ? LIMIT {PREFIX_LIMIT}",
        (qc, qc + "\x7f"),
    )
    if " " not in qn and len(qc) >= 3:
        # one word: names containing it anywhere ("patrushev", "wenqing")
        found.take(
            conn,
            f"SELECT {_COLS} FROM names_fts f JOIN names n ON n.id = f.rowid"
            f" WHERE names_fts MATCH ? LIMIT {WORDS_LIMIT}",
            (_phrase(qc),),
        )
    _typo_rows(conn, qc, want, found)
    return found


def _typo_rows(conn: sqlite3.Connection, qc: str, want: int, found: _Rows) -> None:
    edits = typo_budget(len(qc))
    exact = sum(1 for r in found.values() if r[4] == qc)
    if exact:
        edits = min(edits, 1)  # typed right: near names are a courtesy, keep it cheap
    if not edits or exact >= want:
        return
    close = typo_neighbours(conn, qc, edits, want)
    # closest first, in small batches: a common name can have hundreds of
    # rows, and they must not crowd out a rarer, closer one
    budget = len(found) + TYPO_ROWS_LIMIT
    for i in range(0, len(close), 25):
        part = close[i : i + 25]
        found.take(
            conn,
            f"SELECT {_COLS} FROM names n WHERE n.compact IN ({','.join('?' * len(part))}) LIMIT {TYPO_ROWS_LIMIT}",
            part,
        )
        if len(found) >= budget:
            break


def typo_neighbours(conn: sqlite3.Connection, qc: str, edits: int, want: int = 20) -> list[str]:
    """Distinct compact names within `edits` edits of `qc`, closest first,
    allowing one edit more than the budget for the names the keys bring (two
    typos on neighbouring letters often make three)."""
    near = passjoin.neighbours(conn, "name_grams", "compact", qc, edits, want, TYPO_NAMES_LIMIT, extra=1)
    return [name for name, _ in near]


# Ranking key: exact, prefix, every word, every word without a typo, score,
# main name, shorter first
Key = tuple[bool, bool, bool, bool, float, int, int]


@dataclass
class _Best:
    key: Key
    score: float
    name: str
    primary: int
    reason: str


def search(conn: sqlite3.Connection, query: str, kind: str | None = None, limit: int = 20) -> list[Hit]:
    """Best-first entities whose names, aliases or role titles match `query`."""
    qn = norm(query[:MAX_QUERY_CHARS])
    qc = compact(qn)
    if not qc or limit <= 0:
        return []
    # Typo candidates stop early when this many names are one edit away; a
    # long result list (the explorer shows 30) need not pay for its tail.
    want = max(5, min(limit, 20))
    qwords = words.parse(qn)
    held = titles.holders(conn, qwords, want)
    found = candidates(conn, qn, qc, want)
    # a title and its organisation that account for every word: names
    # holding only some of the words would rank below its holders anyway
    some = not any(h.complete for h in held)
    word_ids, _ = words.Candidates(conn, qwords).gather(want, some_words=some)
    found.take_ids(conn, word_ids)
    best = _rank(qn, qc, qwords, list(found.values()))
    for held_by in held:
        # (a holder is below a name that matches every word as typed: that
        # query names the organisation itself)
        key: Key = (False, False, held_by.complete, False, held_by.score, 0, 0)
        if held_by.entity_id not in best or key > best[held_by.entity_id].key:
            best[held_by.entity_id] = _Best(key, held_by.score, "", 1, held_by.reason)
    if not best:
        return []
    ranked = sorted(best.items(), key=lambda kv: (kv[1].key, kv[0]), reverse=True)
    return _hits(conn, ranked, kind, limit)


def _rank(qn: str, qc: str, qwords: list[words.QueryWord], rows: list[Row]) -> dict[str, _Best]:
    """The best name row of each entity among `rows`, with its ranking key."""
    if not rows:
        return {}
    # imported here: the explorer's first frame needs this module (Hit) but
    # not rapidfuzz, ~20 ms of a start
    from rapidfuzz import fuzz, process
    from rapidfuzz.distance import OSA

    typo = [0.0] * len(rows)
    for _, sim, j in process.extract(qc, [r[4] for r in rows], scorer=OSA.normalized_similarity, limit=None):
        typo[j] = sim
    shape = [0.0] * len(rows)
    for _, sim, j in process.extract(qn, [r[3] for r in rows], scorer=fuzz.WRatio, limit=None):
        shape[j] = sim
    matcher = words.Matcher(qwords)
    best: dict[str, _Best] = {}
    for j, row in enumerate(rows):
        _, entity_id, name, name_norm, nc, primary = row
        exact = nc == qc
        prefix = nc.startswith(qc)
        wm = matcher.match(name_norm)
        # Shown: the better view. Ranked: a mix, so that of two names WRatio
        # finds equally close, the one fewer typos away and whose words cover
        # more of the query wins.
        spelled = (typo[j] * 100.0 + shape[j]) / 2
        worded = 100.0 * (0.75 * wm.quality + 0.25 * wm.coverage)
        rank = (spelled + worded) / 2
        score = max(typo[j] * 100.0, shape[j], worded if wm.complete else 0.0)
        if exact:
            score = 100.0
        elif prefix:
            score = max(score, 95.0)
        elif score < MIN_SCORE:
            continue
        # every word as typed beats every word with a typo: "Yibin, Chen" is
        # Chen Yibin before Shen Yibin, however alike their spellings
        key: Key = (exact, prefix, wm.complete, wm.as_typed, round(rank, 1), primary, -len(nc))
        if entity_id not in best or key > best[entity_id].key:
            best[entity_id] = _Best(key, score, name, primary, _reason(exact, prefix, wm))
    return best


def _reason(exact: bool, prefix: bool, wm: words.WordMatch) -> str:
    if exact:
        return "exact"
    if prefix:
        return "starts with the query"
    if wm.complete:
        extra = []
        if wm.typos:
            extra.append(f"{wm.typos} typo{'s' if wm.typos > 1 else ''}")
        if wm.initials:
            extra.append("initial" + ("s" if wm.initials > 1 else ""))
        what = "the word" if wm.required == 1 else f"all {wm.required} words"
        return what + (f" ({', '.join(extra)})" if extra else "")
    if wm.matched:
        return f"{wm.matched} of {wm.required} words"
    return "similar spelling"


def _hits(conn: sqlite3.Connection, ranked: list[tuple[str, _Best]], kind: str | None, limit: int) -> list[Hit]:
    """Hits for the best `limit` entities (of `kind`): entity rows are
    fetched for those only; with a kind filter, in pages until enough of
    that kind are found."""
    hits: list[Hit] = []
    step = max(limit * 2, 50)
    for i in range(0, len(ranked), step):
        page = ranked[i : i + step]
        meta = _entity_meta(conn, [eid for eid, _ in page])
        for entity_id, b in page:
            kind_, main = meta.get(entity_id, ("", b.name))
            if kind and kind_ != kind:
                continue
            matched = None if b.primary else b.name
            reason = b.reason
            if matched:
                reason = f"{_name_label(conn, entity_id, matched)}: {reason}"
            hits.append(Hit(entity_id, kind_, main, round(b.score, 1), matched, reason))
            if len(hits) >= limit:
                return hits
    return hits


def _name_label(conn: sqlite3.Connection, entity_id: str, name: str) -> str:
    """What a name form other than the main name is: an alias, or the
    property (official name, identifier…) it was recorded as."""
    row = conn.execute(
        "SELECT property FROM properties WHERE entity_id = ? AND value = ?"
        f" AND property IN {NAME_PROPERTIES_SQL} LIMIT 1",
        (entity_id, name),
    ).fetchone()
    return row[0] if row else "alias"


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
    return {
        r[0]: (r[1], r[2]) for r in db.rows_in(conn, "SELECT id, kind, name FROM entities WHERE id IN ({marks})", ids)
    }


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
