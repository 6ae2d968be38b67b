"""Confidential sources, kept out of what leaves the team.

A source marked `confidential` (sources.confidential = 1, from
`confidential = true` in its bundle) stays whole in the KB: curators read,
cite and check it as any other. What goes out, an export (`kbtui export
--redact`) or a published copy (`redacted_copy`), keeps every claim it
supports but not the source: each of its citations becomes a placeholder
that says a confidential source supports the claim.

How: the redaction is done to a copy of the KB file, in its real tables,
and exports read that copy. Not by views shadowing the tables on the
export's connection, which was tried and rejected:
- SQLite binds the names in a view of the main schema to main's tables,
  never to a temporary view of the same name, so the documented views
  (v_citations and the others, which the CSV export writes) would still
  read the real sources: each would need a temporary twin;
- sources_fts, an external-content FTS5 index, reads main.sources itself;
- a source id rewritten in a view is a computed value: `WHERE id = ?` and
  every join on it would scan all sources, once per citation;
- and the formats written elsewhere (FtM) would have to be trusted to use
  only the shadowed names.
A copy is redacted once, in one place, for every format and for
publishing; its bytes can be searched for what must not be there (the
tests do), and whatever a writer reads in it (tables, views, indexes) is
already redacted. The cost is a copy of the file, made only when the KB
has a confidential source (see kbtui.kb.exporting).

What a confidential source becomes (the same in every output):
- its id: `confidential-` and 12 hex digits of the sha256 of its text's
  sha256 and its id. Ids are written from titles ("fsb-informant-memo"),
  so the id goes too. Keyed by the text's digest, which is never written
  out, the opaque id cannot be confirmed by hashing guessed ids, and stays
  the same in every export while the text is unchanged. Every reference
  follows it: citations, other sources' `relays`, the log's targets.
- its text: PLACEHOLDER (sha256 and length to match); title TITLE;
  outlet, author, url, via and its date, note, relays, origin, the date
  note, capture provenance and the input that wrote it: empty; format
  'text' (a redacted record is not JSON); meta '{}'; version 1.
  Kept: published, date_basis, not_before and not_after, which date its
  evidence (each citation's as-of date says as much anyway).
- its citations: quote PLACEHOLDER at 0 to len(PLACEHOLDER), no prefix or
  suffix, anchor 'exact', in the current (placeholder) text, so a W3C
  annotation's quote and positions still agree with the text. Kept: the
  claim, stance, certainty, mode and as-of date (how the evidence bears on
  the claim and when). Dropped: the speaker, entity and words ("an FSB
  officer said"): who speaks inside a confidential source is what it says,
  and may name the informant; the as-of note (it often quotes the text).
- dropped: its earlier versions (source_versions), where its citations
  moved from (citation_moves), its errata (their words are its words),
  the mentions of names in it, and the log's diffs that name it (a diff is
  the bundle's text: its sources.toml table, the quotes cited from it).
- sources_fts, the full-text index of the texts, is rebuilt (a published
  copy) or emptied (an export's copy, which no format searches).

Not redacted: what curators wrote elsewhere (a claim's note, an entity's
summary, a conflict's note, a claim id made from the source's title), and
the claims themselves, which are the point of keeping the source.
"""

from __future__ import annotations

import contextlib
import hashlib
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from kbtui.kb import db
from kbtui.kb.errors import KBError

PLACEHOLDER = "[confidential source]"
TITLE = "confidential source"
PLACEHOLDER_SHA256 = hashlib.sha256(PLACEHOLDER.encode("utf-8")).hexdigest()
# a citation that had no as-of date must still say why (kbtui check)
UNDATED = "not given: the source is confidential"
OPAQUE_PREFIX = "confidential-"


class RedactFailed(KBError):
    exit_code = 1


@dataclass(frozen=True)
class Redacted:
    """What a redaction did, counted."""

    sources: int  # confidential sources redacted
    citations: int  # their citations, now placeholders

    def as_dict(self) -> dict[str, int]:
        return {"sources": self.sources, "citations": self.citations}


def confidential_count(conn: sqlite3.Connection) -> int:
    """How many sources are confidential (read from a partial index)."""
    return int(conn.execute("SELECT count(*) FROM sources WHERE confidential = 1").fetchone()[0])


def opaque_id(source_id: str, sha256: str, length: int = 12) -> str:
    """The id a confidential source has in what goes out (see the module)."""
    digest = hashlib.sha256(f"{sha256}:{source_id}".encode()).hexdigest()
    return OPAQUE_PREFIX + digest[:length]


def redact(conn: sqlite3.Connection, *, reindex: bool = True) -> Redacted:
    """Redact every confidential source in the KB `conn` writes, in one
    transaction. Only ever on a copy: the data is changed for good.

    With `reindex`, sources_fts is rebuilt from the redacted texts (a copy
    that `kbtui check` passes); without, it is emptied (faster; for a copy
    that is only exported). Secure delete is turned on, so the rows and
    index entries replaced are overwritten in the file, not left in free
    space."""
    conn.execute("PRAGMA foreign_keys = OFF")  # ids change in several tables at once; checked at the end
    conn.execute("PRAGMA secure_delete = ON")
    conn.execute("BEGIN IMMEDIATE")
    try:
        found = _map_ids(conn)
        cited = _redact_rows(conn) if found else 0
        if reindex:
            conn.execute("INSERT INTO sources_fts(sources_fts) VALUES ('rebuild')")
        elif found:
            conn.execute("INSERT INTO sources_fts(sources_fts) VALUES ('delete-all')")
        for table, column in _REFERENCES:
            # (by index, not PRAGMA foreign_key_check: that reads every row
            # of the KB, 1.5 s of the 2 s this took at 100k entities)
            left = f"SELECT 1 FROM {table} WHERE {column} IN (SELECT real FROM temp.redacted) LIMIT 1"
            if conn.execute(left).fetchone():
                raise RedactFailed(
                    f"the redacted copy still names a confidential source in {table}.{column}",
                    "nothing was written; please report this",
                )
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return Redacted(found, cited)


def _map_ids(conn: sqlite3.Connection) -> int:
    """temp.redacted (real id -> opaque id) for every confidential source."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS redacted (real TEXT PRIMARY KEY, opaque TEXT NOT NULL UNIQUE)")
    conn.execute("DELETE FROM temp.redacted")
    rows = conn.execute("SELECT id, sha256 FROM sources WHERE confidential = 1").fetchall()
    confidential = {r[0] for r in rows}
    taken = {r[0] for r in conn.execute("SELECT id FROM sources WHERE id LIKE 'confidential-%'")} - confidential
    pairs = []
    for real, sha in rows:
        length = 12
        # (a public source may hold an id of this shape, or two prefixes meet: take more digits)
        while (opaque := opaque_id(real, sha, length)) in taken:
            length += 4
        taken.add(opaque)
        pairs.append((real, opaque))
    conn.executemany("INSERT INTO temp.redacted (real, opaque) VALUES (?, ?)", pairs)
    return len(pairs)


# every column that names a source by id (the foreign keys to sources.id)
_REFERENCES = (
    ("sources", "id"),
    ("sources", "relays"),
    ("citations", "source_id"),
    ("source_versions", "source_id"),
    ("mentions", "source_id"),
    ("errata", "source_id"),
)

# Each statement reads the confidential sources through temp.redacted (a
# handful of rows) and an index of the table it changes, never a scan.
_STATEMENTS = (
    # where citations moved from: the old quote, in the old text
    "DELETE FROM citation_moves WHERE citation_id IN"
    " (SELECT c.id FROM temp.redacted r JOIN citations c ON c.source_id = r.real)",
    "DELETE FROM source_versions WHERE source_id IN (SELECT real FROM temp.redacted)",
    "DELETE FROM errata WHERE source_id IN (SELECT real FROM temp.redacted)",
    "DELETE FROM mentions WHERE source_id IN (SELECT real FROM temp.redacted)",
    # other sources that relay one (independence still counts them as one)
    "UPDATE sources SET relays = (SELECT opaque FROM temp.redacted WHERE real = sources.relays)"
    " WHERE relays IN (SELECT real FROM temp.redacted)",
    # the log: a target names the source by id; a diff is bundle text that
    # may hold its table or quotes cited from it
    "UPDATE log SET diff = '' WHERE diff != ''"
    " AND EXISTS (SELECT 1 FROM temp.redacted r WHERE instr(log.diff, r.real) > 0)",
    "UPDATE log SET target = (SELECT substr(log.target, 1, length(log.target) - length(r.real)) || r.opaque"
    " FROM temp.redacted r WHERE log.target LIKE '% ' || r.real)"
    " WHERE EXISTS (SELECT 1 FROM temp.redacted r WHERE log.target LIKE '% ' || r.real)",
    # where the input that wrote one was read from (a path on someone's disk)
    "UPDATE inputs SET location = '' WHERE id IN"
    " (SELECT s.input_id FROM temp.redacted r JOIN sources s ON s.id = r.real)",
)
_SOURCES = """
UPDATE sources SET
    id = (SELECT opaque FROM temp.redacted WHERE real = sources.id),
    title = :title, outlet = NULL, author = NULL, via = NULL, via_date = NULL, url = NULL, note = '',
    text = :text, sha256 = :sha256, relays = NULL, origin = NULL, as_of_note = '', input_id = NULL,
    format = 'text', meta = '{}', version = 1,
    retrieved = NULL, archive_url = NULL, capture_file = NULL, capture_sha256 = NULL
WHERE confidential = 1
"""
_CITATIONS = """
UPDATE citations SET
    source_id = (SELECT opaque FROM temp.redacted WHERE real = citations.source_id),
    quote = :text, prefix = '', suffix = '', start = 0, "end" = :length, anchor = 'exact', version = NULL,
    speaker_id = NULL, speaker = '',
    as_of_note = CASE WHEN as_of IS NULL THEN :undated ELSE '' END
WHERE source_id IN (SELECT real FROM temp.redacted)
"""


def _redact_rows(conn: sqlite3.Connection) -> int:
    for sql in _STATEMENTS:
        conn.execute(sql)
    values = {"text": PLACEHOLDER, "length": len(PLACEHOLDER), "undated": UNDATED}
    cited = conn.execute(_CITATIONS, values).rowcount
    conn.execute(_SOURCES, {"title": TITLE, "text": PLACEHOLDER, "sha256": PLACEHOLDER_SHA256})
    # ANALYZE's samples of index keys (sqlite_stat4, when SQLite was built
    # with it) can hold a source's id or title
    stats = "SELECT name FROM sqlite_master WHERE name IN ('sqlite_stat3', 'sqlite_stat4') ORDER BY name"
    for (table,) in conn.execute(stats).fetchall():
        conn.execute(f"DELETE FROM {table}")
    return int(cited)


def _copy(source: sqlite3.Connection, path: Path) -> sqlite3.Connection:
    """A writable copy at `path` of the KB `source` reads (in its snapshot,
    when it holds one), page by page, with SQLite's backup."""
    dest = sqlite3.connect(path, isolation_level=None)
    try:
        source.backup(dest)
        # a rollback journal would hold the pages before redaction in a file
        # beside it; a failed copy is thrown away anyway
        dest.execute("PRAGMA journal_mode = MEMORY")
    except BaseException:
        dest.close()
        raise
    return dest


@contextlib.contextmanager
def redacted_reader(conn: sqlite3.Connection, folder: Path | None = None) -> Iterator[sqlite3.Connection]:
    """A read-only snapshot connection to a redacted copy of the KB that
    `conn` reads (from its snapshot), for an export. The copy is made in a
    hidden folder in `folder` (default: the system's temporary folder,
    `TMPDIR`), emptied of its full-text index, and removed on exit,
    whatever happens."""
    try:
        scratch = Path(tempfile.mkdtemp(prefix=".kbtui-redacted.", dir=folder))
    except OSError as exc:
        raise RedactFailed(
            f"{folder or tempfile.gettempdir()}: cannot hold a redacted copy of the KB ({exc.strerror or exc})",
            "set TMPDIR to a folder you can write in",
        ) from exc
    try:
        path = scratch / "kb.db"
        try:
            writer = _copy(conn, path)
            try:
                redact(writer, reindex=False)
            finally:
                writer.close()
        except (OSError, sqlite3.OperationalError) as exc:
            raise RedactFailed(
                f"{scratch}: cannot hold a redacted copy of the KB ({getattr(exc, 'strerror', None) or exc})",
                "free space there, or set TMPDIR to a folder with room for the KB; nothing was exported",
            ) from exc
        reader = db.connect_readonly(path, snapshot=True, timeout=float("inf"))
        try:
            yield reader
        finally:
            reader.close()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def redacted_copy(db_path: Path | str, out_path: Path | str) -> Redacted:
    """Write a copy of the KB at `db_path` to `out_path` with every
    confidential source redacted in place, for publishing.

    Contract:
    - `db_path` is opened read-only (one snapshot) and never changed;
    - `out_path` must not exist (RedactFailed otherwise: nothing is
      replaced); the copy appears there whole or not at all: it is built
      under hidden names beside it, removed on any failure;
    - the copy is a kbtui KB of the same schema version, which `kbtui
      check` passes: each confidential source is redacted as this module
      says, the full-text index is rebuilt from the redacted texts, and the
      file is written afresh (VACUUM INTO), so no page of it, free or not,
      holds the texts, titles, outlets, authors or ids that were redacted;
    - a KB without confidential sources gives a plain, compacted copy;
    - returns what was redacted, counted.
    The intermediate file (the full copy, before redaction) sits beside
    `out_path` while this runs: it needs room for two copies of the KB."""
    out = Path(out_path)
    if out.exists() or out.is_symlink():
        raise RedactFailed(f"{out}: already exists", "choose another name, or remove it first")
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir():
        raise RedactFailed(f"{out}: no folder {parent}", "create it first, or choose another place")
    source = db.connect_readonly(Path(db_path), snapshot=True, timeout=float("inf"))
    work, final = db.temp_beside(out, "redacting"), db.temp_beside(out, "part")
    try:
        try:
            writer = _copy(source, work)
        finally:
            source.close()
        try:
            done = redact(writer, reindex=True)
            writer.execute("VACUUM INTO ?", (str(final),))
        finally:
            writer.close()
        db.publish(final, out)
        return done
    except FileExistsError as exc:
        raise RedactFailed(f"{out}: appeared meanwhile", "choose another name") from exc
    except OSError as exc:
        raise RedactFailed(f"{out}: cannot be written ({exc.strerror or exc})", "nothing was left behind") from exc
    except sqlite3.OperationalError as exc:
        raise RedactFailed(f"{out}: cannot be written ({exc})", "nothing was left behind; free space") from exc
    finally:
        db.discard(work)
        db.discard(final)
