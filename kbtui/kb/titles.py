"""Role titles find their holders.

"director of national intelligence" names a post, not a person; "DNI"
is its acronym; "Adviser Matveev Chemicals JSC" is a title followed by
the organisation. For such queries search adds the people holding a role
whose title the query's words spell out, at the organisation the other
words name, if any, with the role as the reason.

Distinct titles are few (a few dozen in the million-entity benchmark, a
few thousand in real data): they are read by a skip-scan of roles_title,
one index seek per title, and matched in Python.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from functools import lru_cache

from kbtui.kb import db, words
from kbtui.kb.normalize import norm

TITLES_CAP = 5000  # distinct titles read per query
ORGS_LIMIT = 50  # organisations kept for the words that follow a title
HOLDERS_LIMIT = 50  # holders taken per title
TITLES_TRIED = 3  # titles looked for at the organisations named
WORD_QUALITY = 0.85  # a title's word counts as typed at this match quality or better
TITLE_ONLY = 0.9  # a title alone says less than a title at a named organisation

# the distinct titles in roles_title order: one index seek per title
_DISTINCT = f"""
WITH RECURSIVE t(title) AS (
    SELECT min(title) FROM roles
    UNION ALL
    SELECT (SELECT min(title) FROM roles WHERE title > t.title) FROM t WHERE t.title IS NOT NULL
)
SELECT title FROM t WHERE title IS NOT NULL LIMIT {TITLES_CAP}"""


@dataclass(frozen=True)
class Held:
    entity_id: str
    score: float  # 0-100
    complete: bool  # title and organisation account for every word of the query
    reason: str


@dataclass(frozen=True)
class _Title:
    title: str
    used: frozenset[str]  # the query words its words took
    quality: float  # sum of those words' match qualities


def acronym(title_norm: str) -> str:
    """ "director of national intelligence" -> "dni"."""
    return "".join(w[0] for w in title_norm.split() if w not in words.STOP_WORDS)


@lru_cache(maxsize=TITLES_CAP)
def _title_words(title: str) -> tuple[str, tuple[str, ...]]:
    """A title's search form and its words that count (every keystroke
    matches the query against every distinct title: normalised once)."""
    tn = norm(title)
    return tn, tuple(w for w in tn.split() if w not in words.STOP_WORDS)


def distinct_titles(conn: sqlite3.Connection) -> list[str]:
    """Up to TITLES_CAP distinct role titles, in order; none for a KB
    without roles_title (or without roles)."""
    try:
        return [r[0] for r in conn.execute(_DISTINCT)]
    except sqlite3.OperationalError:
        return []


def title_norm(title: str) -> str:
    return _title_words(title)[0]


def _titles(conn: sqlite3.Connection, content: list[words.QueryWord], matcher: words.Matcher) -> list[_Title]:
    """Titles whose every word the query holds (or whose acronym it is),
    the best-covering first; a title that takes a subset of another's
    query words is dropped ("Secretary" when "Deputy Secretary" matched)."""
    found: list[_Title] = []
    for title in distinct_titles(conn):
        tn, twords = _title_words(title)
        if not twords:
            continue
        used: set[str] = set()
        quality = 0.0
        for tw in twords:
            best = max(((_quality(matcher, q, tw), q.text) for q in content), default=(0.0, ""))
            if best[0] < WORD_QUALITY:
                break
            used.add(best[1])
            quality += best[0]
        else:
            found.append(_Title(title, frozenset(used), quality))
            continue
        if len(content) == 1 and len(twords) >= 2 and content[0].text == acronym(tn):
            found.append(_Title(title, frozenset({content[0].text}), 0.9 * len(content)))
    found = [t for t in found if not any(t.used < o.used for o in found)]
    return sorted(found, key=lambda t: (-len(t.used), -t.quality, t.title))[:TITLES_TRIED]


def _quality(matcher: words.Matcher, q: words.QueryWord, title_word: str) -> float:
    """How well a query word spells a title's word; a short prefix does
    not ("min" is not yet "Minister": it would bring every minister)."""
    if title_word.startswith(q.text) and q.text != title_word and len(q.text) < 4:
        return 0.0
    return matcher.pair(q, title_word)[0]


def holders(conn: sqlite3.Connection, qwords: list[words.QueryWord], want: int) -> list[Held]:
    """People holding a role whose title the query names, at the
    organisation its other words name (if any), best first."""
    content = [w for w in qwords if not w.stop and not w.initial]
    if not content:
        return []
    matcher = words.Matcher(content)
    out: dict[str, Held] = {}
    for t in _titles(conn, content, matcher):
        rest = [w for w in content if w.text not in t.used]
        title_q = t.quality / len(content)
        if not rest:
            rows = conn.execute(
                "SELECT r.holder_id, o.name FROM roles r LEFT JOIN entities o ON o.id = r.organisation_id"
                f" WHERE r.title = ? LIMIT {HOLDERS_LIMIT}",
                (t.title,),
            )
            for holder, org in rows:
                reason = f"role: {t.title}" + (f", {org}" if org else "")
                _keep(out, Held(holder, round(100.0 * TITLE_ONLY * title_q, 1), True, reason))
            continue
        for org_id, org_name, q, coverage, complete in _organisations(conn, rest, want):
            score = 100.0 * (0.75 * (title_q + q * len(rest) / len(content)) + 0.25 * coverage)
            rows = conn.execute(
                # +title: through roles_organisation; roles_title would read
                # every holder of a common title ("Director") to find a few
                "SELECT holder_id FROM roles WHERE organisation_id = ? AND +title = ? LIMIT ?",
                (org_id, t.title, HOLDERS_LIMIT),
            )
            for (holder,) in rows:
                _keep(out, Held(holder, round(score, 1), complete, f"role: {t.title}, {org_name}"))
    return sorted(out.values(), key=lambda h: (h.complete, h.score), reverse=True)


def _keep(out: dict[str, Held], held: Held) -> None:
    have = out.get(held.entity_id)
    if have is None or (held.complete, held.score) > (have.complete, have.score):
        out[held.entity_id] = held


def _organisations(
    conn: sqlite3.Connection, rest: list[words.QueryWord], want: int
) -> list[tuple[str, str, float, float, bool]]:
    """(id, main name, word quality, coverage, every word matched) of the
    entities whose names hold the words `rest`, best first."""
    ids, _ = words.Candidates(conn, rest).gather(want)
    if not ids:
        return []
    matcher = words.Matcher(rest)
    best: dict[str, tuple[float, float, bool]] = {}
    for entity_id, name_norm in db.rows_in(conn, "SELECT entity_id, norm FROM names WHERE id IN ({marks})", ids):
        wm = matcher.match(name_norm)
        if not wm.matched:
            continue
        got = (wm.quality, wm.coverage, wm.complete)
        if entity_id not in best or (got[2], got[0] + got[1]) > (best[entity_id][2], sum(best[entity_id][:2])):
            best[entity_id] = got
    top = sorted(best.items(), key=lambda kv: (kv[1][2], kv[1][0] + kv[1][1]), reverse=True)[:ORGS_LIMIT]
    names = dict(db.rows_in(conn, "SELECT id, name FROM entities WHERE id IN ({marks})", [eid for eid, _ in top]))
    return [(eid, names.get(eid, eid), q, cov, complete) for eid, (q, cov, complete) in top]
