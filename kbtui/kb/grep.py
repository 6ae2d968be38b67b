"""Search in the sources' text: passages, with the words that matched.

The stored texts are indexed by sources_fts (FTS5, unicode61: case and
accents folded). A query is words, "quoted phrases" and prefixes (secur*),
all of which a source must hold; typos are not tolerated here, since a
text is searched for what it says. Each source found gives its passages:
the hits FTS5 marks (its `highlight`, so exactly the tokens it matched,
whatever their case or accents), as offsets into the stored text, with the
words around them. Those offsets are what the source viewer opens at.

Ranking: bm25 (FTS5's `rank`) when at most RANK_LIMIT sources match; above
that, ranking them all costs more than the answer is worth (170 ms for
70,000 at a million entities), so the latest imported come first, and the
result says so.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass

RANK_LIMIT = 10_000  # sources matched beyond which they are not ranked
CONTEXT = 70  # characters shown on each side of a hit
MAX_QUERY_CHARS = 500
PASSAGES_PER_SOURCE = 3
# highlight() markers: control characters a text hardly holds (one that
# does is detected: its passages fall back to the text's start)
_OPEN, _CLOSE = "\x01", "\x02"
_TOKEN = re.compile(r'"([^"]*)"?(\*?)|(\S+)')
# what the unicode61 tokenizer keeps: letters and digits (an underscore separates)
_WORD = re.compile(r"[^\W_]+")
_SPACE = re.compile(r"\s+")


class BadQuery(ValueError):
    """The query has no word to look for."""


@dataclass(frozen=True)
class Passage:
    source_id: str
    title: str
    outlet: str
    published: str
    start: int  # offset of the hit in the source's text
    end: int
    before: str  # text before the hit, up to CONTEXT characters, on one line
    hit: str
    after: str
    more: int  # further hits in the same source not shown as passages

    def as_json(self) -> dict[str, object]:
        return {
            "source": self.source_id,
            "title": self.title,
            "outlet": self.outlet,
            "published": self.published,
            "start": self.start,
            "end": self.end,
            "before": self.before,
            "hit": self.hit,
            "after": self.after,
            "more_hits": self.more,
        }


@dataclass(frozen=True)
class Result:
    passages: list[Passage]
    sources: int  # sources that matched in all
    ranked: bool  # by relevance (else latest imported first)


def fts_query(text: str) -> str:
    """The FTS5 expression for a user's query: every word, phrase and
    prefix ANDed, each quoted, so no user input is FTS5 syntax (a word like
    NOT or NEAR, a stray parenthesis or colon means itself)."""
    parts = []
    for m in _TOKEN.finditer(text[:MAX_QUERY_CHARS]):
        if m.group(1) is not None:  # "a phrase", or "a phrase"* for its last word as a prefix
            words = _WORD.findall(m.group(1))
            if words:
                parts.append('"' + " ".join(words) + '"' + m.group(2))
            continue
        raw = m.group(3)
        words = _WORD.findall(raw)
        if not words:
            continue
        prefix = raw.endswith("*")
        # "wen-ching" or "F.S.B." are one phrase of their words, as the tokenizer splits them
        parts.append('"' + " ".join(words) + '"' + ("*" if prefix else ""))
    if not parts:
        raise BadQuery(f"no word to look for in {text[:80]!r}")
    return " AND ".join(parts)


def grep(conn: sqlite3.Connection, query: str, limit: int = 20, text_only: bool = False) -> Result:
    """Passages of the sources holding every word of `query`, best source
    first, at most PASSAGES_PER_SOURCE per source and `limit` in all."""
    expr = fts_query(query)
    where = "sources_fts MATCH ?" + (" AND s.format = 'text'" if text_only else "")
    join = "JOIN sources s ON s.rowid = f.rowid" if text_only else ""
    total = conn.execute(f"SELECT count(*) FROM sources_fts f {join} WHERE {where}", (expr,)).fetchone()[0]
    if not total:
        return Result([], 0, True)
    ranked = total <= RANK_LIMIT
    order = "rank" if ranked else "f.rowid DESC"
    rows = conn.execute(
        f"SELECT f.rowid, highlight(sources_fts, 1, '{_OPEN}', '{_CLOSE}') FROM sources_fts f {join}"
        f" WHERE {where} ORDER BY {order} LIMIT ?",
        (expr, limit),
    ).fetchall()
    passages: list[Passage] = []
    for rowid, marked in rows:
        meta = conn.execute(
            "SELECT id, coalesce(title, ''), coalesce(outlet, ''), coalesce(published, ''), text"
            " FROM sources WHERE rowid = ?",
            (rowid,),
        ).fetchone()
        if meta is None:
            continue
        passages += _passages(meta, marked, min(PASSAGES_PER_SOURCE, limit - len(passages)))
        if len(passages) >= limit:
            break
    return Result(passages, total, ranked)


def _passages(meta: tuple[str, str, str, str, str], marked: str, room: int) -> list[Passage]:
    """The hits of one source as at most `room` passages; hits close
    together (within a passage's context) share one, its span from the
    first to the last. The last passage counts the hits left out."""
    source_id, title, outlet, published, text = meta
    # a text that itself holds a marker character: offsets unknown
    spans = [] if _OPEN in text or _CLOSE in text else _spans(marked)
    if not spans:  # the title matched, not the text (or the offsets are unknown)
        head = _line(text[:CONTEXT]) + ("…" if len(text) > CONTEXT else "")
        return [Passage(source_id, title, outlet, published, 0, 0, "", "", head, 0)]
    groups: list[list[tuple[int, int]]] = []
    for span in spans:
        if groups and span[0] - groups[-1][-1][1] <= CONTEXT:
            groups[-1].append(span)
        else:
            groups.append([span])
    out = []
    shown = groups[:room]
    more = sum(len(g) for g in groups[room:])
    for i, group in enumerate(shown):
        start, end = group[0][0], group[-1][1]
        before = text[max(0, start - CONTEXT) : start]
        after = text[end : end + CONTEXT]
        out.append(
            Passage(
                source_id,
                title,
                outlet,
                published,
                start,
                end,
                ("…" if start > CONTEXT else "") + _line(before),
                _line(text[start:end]),
                _line(after) + ("…" if end + CONTEXT < len(text) else ""),
                more if i == len(shown) - 1 else 0,
            )
        )
    return out


def _spans(marked: str) -> list[tuple[int, int]]:
    """Offsets in the unmarked text of each highlighted run."""
    spans: list[tuple[int, int]] = []
    removed = 0
    pos = 0
    while True:
        a = marked.find(_OPEN, pos)
        if a < 0:
            return spans
        b = marked.find(_CLOSE, a)
        if b < 0:
            return spans
        spans.append((a - removed, b - removed - 1))
        removed += 2
        pos = b + 1


def _line(text: str) -> str:
    """On one line: each run of whitespace one space (the edges kept, they
    separate the hit from its context)."""
    return _SPACE.sub(" ", text)
