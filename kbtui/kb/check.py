"""`kbtui check`: prove the KB is internally consistent and its evidence
still stands: schema version, foreign keys, source hashes, every citation's
span equal to its quote, every claim cited, SQLite's own integrity check."""

from __future__ import annotations

import hashlib
import sqlite3
from contextlib import suppress
from dataclasses import asdict, dataclass
from pathlib import Path

from kbtui.kb import dates, db
from kbtui.kb.db import SCHEMA_VERSION
from kbtui.kb.index import MIN_TYPO_WORD
from kbtui.kb.passjoin import SEGMENTS
from kbtui.kb.shapes import property_problem


@dataclass(frozen=True)
class Finding:
    check: str
    where: str
    message: str

    def as_json(self) -> dict[str, str]:
        return asdict(self)


def run(conn: sqlite3.Connection) -> tuple[list[Finding], dict[str, int]]:
    """All findings (empty means healthy) and the counts that were checked.

    A damaged file is reported, not raised: SQLite's own findings are kept
    and, if the damage stops the later checks, that is one more finding."""
    findings: list[Finding] = []
    counts: dict[str, int] = {}
    try:
        _run(conn, findings, counts)
    except sqlite3.DatabaseError as exc:
        findings.append(Finding("integrity", "sqlite", f"checking stopped: {exc}"))
    return findings, counts


BASE_TABLES = (
    "entities",
    "aliases",
    "claims",
    "roles",
    "relations",
    "events",
    "participations",
    "sources",
    "citations",
    "mentions",
    "properties",
    "conflicts",
    "errata",
    "inputs",
    "entity_inputs",
    "source_versions",
    "citation_moves",
    "log",
    "judgements",
)


def wrong_types(conn: sqlite3.Connection) -> list[Finding]:
    """Values whose SQLite type is not the column's (a text stored as a
    BLOB, an offset stored as text): schema.sql's columns are not STRICT,
    so a file edited outside kbtui can hold them, and code reading it would
    trip over them. Cheap: typeof() reads no content."""
    found = []
    for table in BASE_TABLES:
        for _, col, decl, *_ in conn.execute(f"PRAGMA table_info({table})").fetchall():
            expected = {"TEXT": "text", "INTEGER": "integer"}.get(decl.upper())
            if expected is None:
                continue
            bad = conn.execute(
                f'SELECT typeof("{col}"), count(*) FROM {table} WHERE typeof("{col}")'
                f" NOT IN ('{expected}', 'null') GROUP BY 1"
            ).fetchall()
            for kind, n in bad:
                found.append(Finding("type", f"{table}.{col}", f"{n} row(s) hold {kind} where {expected} belongs"))
    return found


def _run(conn: sqlite3.Connection, findings: list[Finding], counts: dict[str, int]) -> None:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version != SCHEMA_VERSION:
        findings.append(
            Finding("schema", "PRAGMA user_version", f"schema version {version}, expected {SCHEMA_VERSION}")
        )

    for row in conn.execute("PRAGMA integrity_check"):
        if row[0] != "ok":
            findings.append(Finding("integrity", "sqlite", row[0]))

    findings.extend(wrong_types(conn))

    for table, rowid, parent, _ in conn.execute("PRAGMA foreign_key_check"):
        findings.append(Finding("foreign-key", f"{table} rowid {rowid}", f"refers to a missing row in {parent}"))

    counts["sources"] = 0
    texts: dict[str, str] = {}
    for sid, text, sha in conn.execute("SELECT id, text, sha256 FROM sources"):
        counts["sources"] += 1
        if not isinstance(text, str):
            findings.append(
                Finding("source-hash", f"source {sid}", f"text is {type(text).__name__}, not text: the row was changed")
            )
            continue
        texts[sid] = text
        if hashlib.sha256(text.encode("utf-8")).hexdigest() != sha:
            findings.append(
                Finding("source-hash", f"source {sid}", "text does not match its sha256: the stored text was changed")
            )

    old_texts = _versions(conn, findings)
    counts["citations"] = 0
    for cid, sid, quote, start, end, version in conn.execute(
        'SELECT id, source_id, quote, start, "end", version FROM citations'
    ):
        counts["citations"] += 1
        text = texts.get(sid) if version is None else old_texts.get((sid, version))
        if text is None:
            if version is not None and sid in texts:
                findings.append(Finding("citation-span", f"citation {cid}", f"source {sid} has no version {version}"))
            continue  # else reported by the foreign-key or source checks
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
            findings.append(
                Finding(
                    "citation-span",
                    f"citation {cid} (source {sid}, {start!r}-{end!r})",
                    f"span is outside the source text ({len(text)} characters)",
                )
            )
        elif text[start:end] != quote:
            findings.append(
                Finding(
                    "citation-span",
                    f"citation {cid} (source {sid}, {start}-{end})",
                    f"span reads {text[start:end][:60]!r}, quote is {str(quote)[:60]!r}",
                )
            )

    counts["claims"] = 0
    for cid, kind in conn.execute(
        "SELECT c.id, c.kind FROM claims c WHERE NOT EXISTS (SELECT 1 FROM citations ci WHERE ci.claim_id = c.id)"
    ):
        findings.append(Finding("uncited-claim", f"{kind} {cid}", "has no citation"))
    counts["claims"] = conn.execute("SELECT count(*) FROM claims").fetchone()[0]

    for table, col in (
        ("roles", "claim_id"),
        ("relations", "claim_id"),
        ("events", "claim_id"),
        ("participations", "claim_id"),
    ):
        for (cid,) in conn.execute(
            f"SELECT {col} FROM {table} t WHERE NOT EXISTS (SELECT 1 FROM claims c WHERE c.id = t.{col})"
        ):
            findings.append(Finding("dangling", f"{table} {cid}", "has no claims row"))
    for cid, kind in conn.execute(
        "SELECT id, kind FROM claims c WHERE NOT EXISTS (SELECT 1 FROM roles WHERE claim_id = c.id)"
        " AND NOT EXISTS (SELECT 1 FROM relations WHERE claim_id = c.id)"
        " AND NOT EXISTS (SELECT 1 FROM events WHERE claim_id = c.id)"
        " AND NOT EXISTS (SELECT 1 FROM participations WHERE claim_id = c.id)"
        " AND NOT EXISTS (SELECT 1 FROM properties WHERE claim_id = c.id)"
        " AND NOT EXISTS (SELECT 1 FROM aliases WHERE claim_id = c.id)"
    ):
        findings.append(Finding("dangling", f"claim {cid}", f"{kind} claim with no {kind} row"))
    counts["entities"] = conn.execute("SELECT count(*) FROM entities").fetchone()[0]
    _evidence(conn, findings, counts, texts)
    findings.extend(derived(conn))


def _versions(conn: sqlite3.Connection, findings: list[Finding]) -> dict[tuple[str, int], str]:
    """The sources' older texts, each checked against its sha256, and the
    places moved citations were in them."""
    texts: dict[tuple[str, int], str] = {}
    for sid, version, text, sha in conn.execute("SELECT source_id, version, text, sha256 FROM source_versions"):
        if not isinstance(text, str) or hashlib.sha256(text.encode("utf-8")).hexdigest() != sha:
            findings.append(Finding("source-hash", f"source {sid} version {version}", "text does not match its sha256"))
            continue
        texts[(sid, version)] = text
    for cid, sid, version, quote, start, end in conn.execute(
        'SELECT m.citation_id, c.source_id, m.version, m.quote, m.start, m."end" FROM citation_moves m'
        " JOIN citations c ON c.id = m.citation_id"
    ):
        text = texts.get((sid, version))
        if text is None or text[start:end] != quote:
            findings.append(
                Finding(
                    "citation-span",
                    f"citation {cid}",
                    f"where it moved from (version {version}) does not read its quote",
                )
            )
    return texts


def review(conn: sqlite3.Connection) -> list[Finding]:
    """What needs a human, though nothing is broken: citations moved to a
    changed passage of a new source version (confirm them), and citations
    left in an old version because their words are gone (fix or drop).
    A damaged file gives none (run() reports the damage)."""
    try:
        return _review(conn)
    except sqlite3.DatabaseError:
        return []


def _review(conn: sqlite3.Connection) -> list[Finding]:
    found = []
    for cid, claim, kind, sid, quote, old_quote, version in conn.execute(
        "SELECT c.id, c.claim_id, l.kind, c.source_id, c.quote, m.quote, m.version FROM citations c"
        " JOIN claims l ON l.id = c.claim_id JOIN citation_moves m ON m.citation_id = c.id"
        " WHERE c.anchor = 'moved' ORDER BY c.id"
    ):
        found.append(
            Finding(
                "moved",
                f"citation {cid} ({kind} {claim}, source {sid})",
                f"re-anchored from version {version}: was {old_quote[:60]!r}, now {quote[:60]!r};"
                " confirm it by deleting anchor, was and was_version from the citation in the bundle",
            )
        )
    for cid, claim, kind, sid, quote, version, current in conn.execute(
        "SELECT c.id, c.claim_id, l.kind, c.source_id, c.quote, c.version, s.version FROM citations c"
        " JOIN claims l ON l.id = c.claim_id JOIN sources s ON s.id = c.source_id"
        " WHERE c.version IS NOT NULL ORDER BY c.id"
    ):
        found.append(
            Finding(
                "orphaned",
                f"citation {cid} ({kind} {claim}, source {sid})",
                f"{quote[:60]!r} is not in version {current}; it still cites version {version}:"
                " quote the new text instead, or remove the citation",
            )
        )
    with suppress(sqlite3.OperationalError):  # a KB from before judgements (check says to migrate)
        found.extend(_unmerged(conn))
    return found


def _unmerged(conn: sqlite3.Connection) -> list[Finding]:
    """Pairs judged the same that are still two entities: the merge was
    refused when data came in (both took part in one event, say)."""
    from kbtui.kb import merge  # (merge rebuilds the index, which check reads)

    found = []
    for a, b, kept, other in merge.pending(conn):
        why = merge.refusal(conn, kept, other)
        if why is not None:
            found.append(Finding("unmerged", f"judgement {a} same {b}", f"not merged: {why}"))
    return found


REINDEX_HINT = "rebuild the search indexes with `kbtui reindex --db PATH` (the data is not touched)"


def derived(conn: sqlite3.Connection) -> list[Finding]:
    """The search indexes agree with the data they are built from: every
    entity has its name row, every pass-join key matches its name, and the
    name and text full-text indexes pass FTS5's own integrity check."""
    found = []
    missing = conn.execute(
        "SELECT count(*) FROM entities e WHERE name GLOB '*[A-Za-z0-9]*' AND NOT EXISTS"
        " (SELECT 1 FROM names n WHERE n.entity_id = e.id AND n.is_primary = 1)"
    ).fetchone()[0]
    if missing:
        found.append(Finding("index", "names", f"{missing} entities are missing from the name index; {REINDEX_HINT}"))
    keys, expect = conn.execute(
        "SELECT (SELECT count(*) FROM name_grams),"
        f" (SELECT {SEGMENTS} * count(*) FROM names WHERE length(compact) >= {SEGMENTS})"
    ).fetchone()
    stale = conn.execute(
        "SELECT count(*) FROM name_grams g LEFT JOIN names n ON n.id = g.name_id WHERE n.compact IS NOT g.compact"
    ).fetchone()[0]
    if keys != expect or stale:
        found.append(
            Finding("index", "name_grams", f"{keys} typo keys for {expect} expected, {stale} stale; {REINDEX_HINT}")
        )
    found.extend(_word_grams(conn))
    found.extend(_fts_integrity(conn))
    return found


def _word_grams(conn: sqlite3.Connection) -> list[Finding]:
    """word_grams holds SEGMENTS pieces of each word of the names long
    enough to tolerate a typo, and of no other word."""
    try:
        keys, expect = conn.execute(
            "SELECT (SELECT count(*) FROM word_grams),"
            f" (SELECT {SEGMENTS} * count(*) FROM names_vocab WHERE length(term) >= {MIN_TYPO_WORD})"
        ).fetchone()
        stale = conn.execute(
            "SELECT count(*) FROM word_grams g WHERE NOT EXISTS (SELECT 1 FROM names_vocab v WHERE v.term = g.word)"
        ).fetchone()[0]
    except sqlite3.DatabaseError as exc:
        return [Finding("index", "names_words", f"the word index cannot be read ({exc}); {REINDEX_HINT}")]
    if keys == expect and not stale:
        return []
    return [
        Finding("index", "word_grams", f"{keys} word typo keys for {expect} expected, {stale} stale; {REINDEX_HINT}")
    ]


def _fts_integrity(conn: sqlite3.Connection) -> list[Finding]:
    """FTS5's integrity check is written as an INSERT, which a read-only
    connection may not run, so it runs on a second connection inside a
    transaction that is rolled back: it reads and never writes. A file that
    cannot be opened for writing is left unverified here (no finding)."""
    (path,) = [row[2] for row in conn.execute("PRAGMA database_list") if row[1] == "main"]
    if not path:
        return []
    try:
        rw = sqlite3.connect(db._uri(Path(path), "rw"), uri=True, timeout=1, isolation_level=None)
    except sqlite3.Error:
        return []
    found = []
    try:
        rw.execute("BEGIN")
        for table in ("names_fts", "names_words", "sources_fts"):
            try:
                rw.execute(f"INSERT INTO {table}({table}, rank) VALUES ('integrity-check', 1)")
            except sqlite3.DatabaseError as exc:
                if "readonly" in str(exc) or "locked" in str(exc) or "busy" in str(exc):
                    break
                found.append(Finding("index", table, f"the full-text index is damaged ({exc}); {REINDEX_HINT}"))
    except sqlite3.Error:
        pass
    finally:
        if rw.in_transaction:
            rw.execute("ROLLBACK")
        rw.close()
    return found


def _evidence(conn: sqlite3.Connection, findings: list[Finding], counts: dict[str, int], texts: dict[str, str]) -> None:
    """Schema v3's rules: dated evidence, claims that something asserts,
    well-formed property values, errata that still point at their words."""
    for (cid,) in conn.execute("SELECT id FROM citations WHERE as_of IS NULL AND trim(as_of_note) = ''"):
        findings.append(Finding("undated-citation", f"citation {cid}", "has neither an as-of date nor a reason"))
    for cid, as_of in conn.execute("SELECT id, as_of FROM citations WHERE as_of IS NOT NULL"):
        if isinstance(as_of, str) and (wrong := dates.problem(as_of)):
            findings.append(Finding("date", f"citation {cid}", f"as_of {wrong}"))
    for cid, kind in conn.execute(
        "SELECT c.id, c.kind FROM claims c WHERE EXISTS (SELECT 1 FROM citations ci WHERE ci.claim_id = c.id)"
        " AND NOT EXISTS (SELECT 1 FROM citations ci WHERE ci.claim_id = c.id AND ci.stance != 'contradicts')"
    ):
        findings.append(Finding("contradicted-claim", f"{kind} {cid}", "every citation contradicts it"))
    for cid, kind in conn.execute(
        "SELECT c.id, c.kind FROM claims c WHERE EXISTS (SELECT 1 FROM citations ci WHERE ci.claim_id = c.id"
        " AND ci.stance != 'contradicts') AND NOT EXISTS (SELECT 1 FROM citations ci WHERE ci.claim_id = c.id"
        " AND ci.stance != 'contradicts' AND ci.mode = 'asserts')"
    ):
        findings.append(
            Finding("unasserted-claim", f"{kind} {cid}", "no citation asserts it (only demands, forecasts or denials)")
        )
    kinds = dict(conn.execute("SELECT id, kind FROM entities"))
    counts["properties"] = 0
    for cid, prop, value, qualifier in conn.execute("SELECT claim_id, property, value, qualifier FROM properties"):
        counts["properties"] += 1
        shape = property_problem(str(prop), str(value), str(qualifier), kinds)
        if shape:
            findings.append(Finding("property-value", f"property {cid}", shape[1]))
    for xid, sid, quote, start, end in conn.execute('SELECT id, source_id, quote, start, "end" FROM errata'):
        text = texts.get(sid)
        if text is not None and (not isinstance(start, int) or not isinstance(end, int) or text[start:end] != quote):
            findings.append(
                Finding("citation-span", f"erratum {xid} (source {sid})", "its span does not read its quote")
            )
    relays = dict(conn.execute("SELECT id, relays FROM sources"))
    for sid in relays:
        seen, at = {sid}, relays[sid]
        while at is not None and at not in seen:
            seen.add(at)
            at = relays.get(at)
        if at is not None:
            findings.append(Finding("source-relays", f"source {sid}", "its chain of `relays` loops"))
