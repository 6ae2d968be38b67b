"""Merging two entities a curator judged the same, with nothing lost.

`merge(conn, keep, other)` moves every row that names `other` onto `keep`
(roles, relations, participations, properties and their entity values,
aliases, mentions, event places, speakers, the inputs that name it),
gives `keep` the other's name as an alias, deletes `other` and records
`other -> keep` in `redirects`, so the old id still resolves everywhere.

The bundles are not rewritten: a merge is a judgement stored in a bundle
(resolutions.toml, loaded into `judgements`), and apply_judgements() runs
after every write, so re-importing a bundle that still says `other`
merges it again. Refusals change nothing and say why in one line.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from kbtui.kb import index
from kbtui.kb.errors import ImportFailed

REDIRECT_DEPTH = 20  # a chain longer than this is a cycle in a crafted file


@dataclass
class Merged:
    keep: str
    other: str
    moved: dict[str, int]  # rows moved per table


def resolve(conn: sqlite3.Connection, entity_id: str) -> str:
    """The id `entity_id` now goes by: itself while it is an entity (an
    import may have written a merged id again, to be merged again), else
    where its redirects lead."""
    seen = {entity_id}
    at = entity_id
    for _ in range(REDIRECT_DEPTH):
        if conn.execute("SELECT 1 FROM entities WHERE id = ?", (at,)).fetchone():
            return at
        row = conn.execute("SELECT new_id FROM redirects WHERE old_id = ?", (at,)).fetchone()
        if row is None or row[0] in seen:
            return at
        at = row[0]
        seen.add(at)
    return at


def _entity(conn: sqlite3.Connection, entity_id: str) -> tuple[str, str] | None:
    row = conn.execute("SELECT kind, name FROM entities WHERE id = ?", (entity_id,)).fetchone()
    return (row[0], row[1]) if row else None


def refusal(conn: sqlite3.Connection, keep: str, other: str) -> str | None:
    """Why `other` cannot be merged into `keep`, or None if it can."""
    if keep == other:
        return f"`{keep}` is one entity: there is nothing to merge"
    a, b = _entity(conn, keep), _entity(conn, other)
    if a is None or b is None:
        return f"no entity `{keep if a is None else other}` in the KB"
    if a[0] != b[0]:
        return f"`{keep}` is a {a[0]} and `{other}` a {b[0]}: only entities of one kind are merged"
    if a[0] == "event":
        return "events are claims with their own citations: merge two events by editing the bundle"
    both = conn.execute(
        "SELECT p.event_id FROM participations p JOIN participations q ON q.event_id = p.event_id"
        " WHERE p.entity_id = ? AND q.entity_id = ? LIMIT 1",
        (keep, other),
    ).fetchone()
    if both is not None:
        return (
            f"`{keep}` and `{other}` both took part in `{both[0]}`: remove one participation"
            " from its bundle (kbtui rm), then merge"
        )
    return None


def merge(conn: sqlite3.Connection, keep: str, other: str) -> Merged:
    """Merge `other` into `keep` inside the caller's transaction."""
    why = refusal(conn, keep, other)
    if why is not None:
        raise ImportFailed(why, "nothing was changed")
    other_name = conn.execute("SELECT name FROM entities WHERE id = ?", (other,)).fetchone()[0]
    moved: dict[str, int] = {}

    def move(table: str, column: str, where: str = "") -> None:
        cur = conn.execute(f"UPDATE {table} SET {column} = ? WHERE {column} = ?{where}", (keep, other))
        if cur.rowcount:
            moved[f"{table}.{column}"] = cur.rowcount

    for table, column in REFERENCES:
        move(table, column)
    move("properties", "value", " AND property IN ('nationality', 'affiliation')")
    _move_keyed(conn, keep, other, moved)
    _aliases(conn, keep, other, other_name, moved)
    # chains collapse: what pointed at `other` points at `keep`
    conn.execute("UPDATE redirects SET new_id = ? WHERE new_id = ?", (keep, other))
    index.forget_names(conn, [other])
    conn.execute("DELETE FROM entities WHERE id = ?", (other,))
    conn.execute("INSERT OR REPLACE INTO redirects (old_id, new_id) VALUES (?, ?)", (other, keep))
    index.refresh_names(conn, [keep])
    return Merged(keep, other, moved)


def _move_keyed(conn: sqlite3.Connection, keep: str, other: str, moved: dict[str, int]) -> None:
    """Rows whose key holds the entity: moved unless `keep` has the same
    one already (a mention of both at one place, an input naming both)."""
    for table, column in (("mentions", "entity_id"), ("entity_inputs", "entity_id")):
        cur = conn.execute(f"UPDATE OR IGNORE {table} SET {column} = ? WHERE {column} = ?", (keep, other))
        if cur.rowcount:
            moved[f"{table}.{column}"] = cur.rowcount
        conn.execute(f"DELETE FROM {table} WHERE {column} = ?", (other,))


def _aliases(conn: sqlite3.Connection, keep: str, other: str, other_name: str, moved: dict[str, int]) -> None:
    """The other's aliases become keep's; one keep already has is kept
    once, and if both were cited, the citations of the other's alias claim
    join keep's alias claim (nothing cited is dropped)."""
    keep_name = conn.execute("SELECT name FROM entities WHERE id = ?", (keep,)).fetchone()[0]
    for alias, kind, as_of, claim_id, input_id in conn.execute(
        "SELECT alias, kind, as_of, claim_id, input_id FROM aliases WHERE entity_id = ?", (other,)
    ).fetchall():
        mine = conn.execute("SELECT claim_id FROM aliases WHERE entity_id = ? AND alias = ?", (keep, alias)).fetchone()
        if mine is None and alias != keep_name:
            conn.execute(
                "INSERT INTO aliases (entity_id, alias, kind, as_of, claim_id, input_id) VALUES (?, ?, ?, ?, ?, ?)",
                (keep, alias, kind, as_of, claim_id, input_id),
            )
            moved["aliases"] = moved.get("aliases", 0) + 1
        elif claim_id is not None:
            if mine is not None and mine[0] is None:
                conn.execute(
                    "UPDATE aliases SET claim_id = ? WHERE entity_id = ? AND alias = ?", (claim_id, keep, alias)
                )
            elif mine is not None and mine[0] != claim_id:
                conn.execute("UPDATE citations SET claim_id = ? WHERE claim_id = ?", (mine[0], claim_id))
                conn.execute("DELETE FROM claims WHERE id = ?", (claim_id,))
            elif alias == keep_name:
                # keep's own name, cited as the other's alias: keep it as an alias, cited
                conn.execute(
                    "INSERT OR IGNORE INTO aliases (entity_id, alias, kind, as_of, claim_id, input_id)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (keep, alias, kind, as_of, claim_id, input_id),
                )
    conn.execute("DELETE FROM aliases WHERE entity_id = ?", (other,))
    taken = conn.execute("SELECT 1 FROM aliases WHERE entity_id = ? AND alias = ?", (keep, other_name)).fetchone()
    if other_name != keep_name and taken is None:
        conn.execute("INSERT INTO aliases (entity_id, alias, kind) VALUES (?, ?, 'alias')", (keep, other_name))
        moved["aliases"] = moved.get("aliases", 0) + 1


# the columns that name an entity, by table (aliases, mentions and
# entity_inputs hold it in their key: moved with OR IGNORE, see _move_keyed)
REFERENCES = (
    ("roles", "holder_id"),
    ("roles", "organisation_id"),
    ("relations", "subject_id"),
    ("relations", "object_id"),
    ("participations", "entity_id"),
    ("properties", "entity_id"),
    ("events", "place_id"),
    ("citations", "speaker_id"),
)


def follow_redirects(conn: sqlite3.Connection) -> int:
    """Rows just written that name a merged id (a bundle still says the
    old one) are pointed at the id it merged into; returns how many. The
    importer's references to check (temp.pending_refs) follow too.

    One statement per column whatever the number of redirects: each reads
    the merged ids still named through the column's index, so a curation
    write does not pay for every merge ever made."""
    if conn.execute("SELECT 1 FROM redirects LIMIT 1").fetchone() is None:
        return 0
    to = "(SELECT new_id FROM redirects WHERE old_id = {c})"
    gone = "(SELECT old_id FROM redirects r WHERE NOT EXISTS (SELECT 1 FROM entities e WHERE e.id = r.old_id))"
    n = 0
    for table, column in REFERENCES:
        n += conn.execute(f"UPDATE {table} SET {column} = {to.format(c=column)} WHERE {column} IN {gone}").rowcount
    n += conn.execute(
        f"UPDATE properties SET value = {to.format(c='value')}"
        f" WHERE property IN ('nationality', 'affiliation') AND value IN {gone}"
    ).rowcount
    for table in ("aliases", "mentions", "entity_inputs"):
        n += conn.execute(
            f"UPDATE OR IGNORE {table} SET entity_id = {to.format(c='entity_id')} WHERE entity_id IN {gone}"
        ).rowcount
        conn.execute(f"DELETE FROM {table} WHERE entity_id IN {gone}")
    if conn.execute("SELECT 1 FROM temp.sqlite_master WHERE name = 'pending_refs'").fetchone():
        conn.execute(f"UPDATE temp.pending_refs SET entity_id = {to.format(c='entity_id')} WHERE entity_id IN {gone}")
    return n


def pending(conn: sqlite3.Connection) -> list[tuple[str, str, str, str]]:
    """(a, b, kept, other) for each pair judged the same whose merged-away
    id is an entity again (an import wrote it), `kept` and `other` as
    they now resolve."""
    out = []
    for a, b, keep in conn.execute(
        "SELECT a, b, coalesce(keep, a) FROM judgements j WHERE verdict = 'same' AND EXISTS"
        " (SELECT 1 FROM entities WHERE id = CASE WHEN coalesce(j.keep, j.a) = j.a THEN j.b ELSE j.a END)"
        " ORDER BY a, b"
    ).fetchall():
        kept, other = resolve(conn, keep), resolve(conn, b if keep == a else a)
        if kept != other:
            out.append((a, b, kept, other))
    return out


def apply_judgements(conn: sqlite3.Connection) -> list[Merged]:
    """Merge every pair judged the same that is two entities again. A pair
    that cannot be merged now (a refusal) is left as it is: `kbtui check`
    reports it."""
    return [merge(conn, kept, other) for _, _, kept, other in pending(conn) if refusal(conn, kept, other) is None]
