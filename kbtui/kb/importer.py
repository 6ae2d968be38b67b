"""Writing a validated bundle into a KB, all or nothing.

The bundle is parsed and every quote anchored before the database is opened
for writing; the write itself is one IMMEDIATE transaction, so a failure
leaves the file as it was and a second importer waits (busy timeout) or
fails cleanly. Records are upserted by id, so re-importing a bundle is
idempotent and a bundle can add to a KB that already holds others.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from kbtui.kb import bundle as bundle_mod
from kbtui.kb import db, records, transact
from kbtui.kb.errors import ImportFailed, UnusableDatabase
from kbtui.kb.sink import Advance, Report, Sink, quiet
from kbtui.kb.vocab import SLUG

T = TypeVar("T")


def import_bundle(
    bundle_dir: Path | str,
    db_path: Path | str,
    advance: Advance = quiet,
    input_id: str | None = None,
    prune: bool = False,
) -> dict[str, int]:
    """Import `bundle_dir` into `db_path` (created if missing). Returns the
    bundle's counts; bundle_report() returns the whole report.
    `advance(phase, n, total)` reports progress (see kbtui.cli.progress).
    The rows belong to input `input_id` (default: the folder's name as a
    slug); with `prune`, this input's rows the bundle no longer has go.

    A new KB is built in a temporary file beside `db_path` and linked into
    place only when complete, so `db_path` never exists half-made and a
    failed import leaves nothing behind. An existing KB is changed in one
    transaction or not at all."""
    return bundle_report(bundle_dir, db_path, advance, input_id, prune).summary


def bundle_report(
    bundle_dir: Path | str,
    db_path: Path | str,
    advance: Advance = quiet,
    input_id: str | None = None,
    prune: bool = False,
    dry_run: bool = False,
) -> Report:
    """import_bundle, returning what the import did (and, with `dry_run`,
    what it would do: nothing is written).

    kb.toml is read a piece at a time (bundle.load_chunks) and each piece
    written as it comes, inside the one transaction: a bundle of a million
    entities is never in memory whole. A problem anywhere (reported after
    the whole file is read, every one with its file:line) rolls it all back."""
    name = checked_input(input_id or input_name(Path(bundle_dir).resolve().name))

    def run(conn: sqlite3.Connection) -> Report:
        chunks = bundle_mod.load_chunks(bundle_dir, known=kb_kinds(conn))

        def then(conn: sqlite3.Connection) -> None:
            load_log(conn, Path(bundle_dir), name)
            from kbtui.kb import judge  # (it writes through the curation session, which imports this module)

            judge.load(conn, Path(bundle_dir), name)

        try:
            return write(conn, chunks, advance, name, str(bundle_dir), prune, dry_run, then)
        except bundle_mod.BundleError as exc:
            raise ImportFailed("\n".join(exc.problems), "nothing was written; fix the bundle and retry") from exc

    with transact.settled(Path(bundle_dir)):
        return into(Path(db_path), run, publish=not dry_run)


LOG_ACTIONS = frozenset({"new", "add", "edit", "rm", "version", "reanchor", "merge", "judge"})


def load_log(conn: sqlite3.Connection, bundle_dir: Path, input_id: str) -> None:
    """The bundle's curation log (log.jsonl, written by `kbtui add` and the
    rest) becomes this input's rows of the KB's log, replacing those it had.
    A line that is not a log entry is refused with its line number."""
    path = bundle_dir / "log.jsonl"
    if not path.is_file():
        return
    rows = []
    keys = ("at", "user", "action", "target", "file", "diff", "write_id")
    with path.open(encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
                ok = isinstance(entry, dict) and all(isinstance(entry.get(k, ""), str) for k in keys)
            except ValueError:
                ok = False
            if not ok or entry["action"] not in LOG_ACTIONS:
                raise ImportFailed(
                    f"{path}:{n}: not a curation log entry (a JSON object with {', '.join(keys[:-1])})",
                    "restore the line from git, or delete it; nothing was written",
                )
            rows.append((*(entry.get(k, "") for k in keys), input_id))
    conn.execute("DELETE FROM log WHERE input_id = ?", (input_id,))
    conn.executemany(
        "INSERT INTO log (at, user, action, target, file, diff, write_id, input_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )


def kb_kinds(conn: sqlite3.Connection) -> bundle_mod.Known:
    """The kind of an entity already in the KB (None if it is not): a
    bundle may name entities another input defined."""

    def kind(entity_id: str) -> str | None:
        row = conn.execute("SELECT kind FROM entities WHERE id = ?", (entity_id,)).fetchone()
        if row is None:  # a merged id still names its entity (kbtui.kb.merge)
            row = conn.execute(
                "SELECT e.kind FROM redirects r JOIN entities e ON e.id = r.new_id WHERE r.old_id = ?", (entity_id,)
            ).fetchone()
        return row[0] if row else None

    return kind


# an input id's length: record ids are '<input>--<record id>' (FtM) and
# '<input>--<file>-<row>' (CSV), so it must leave room within vocab.MAX_ID
INPUT_CHARS = 100


def checked_input(name: str) -> str:
    """`name` if it can be an input id (a slug of at most INPUT_CHARS)."""
    if not SLUG.match(name) or len(name) > INPUT_CHARS:
        raise ImportFailed(
            f"input id {name[:INPUT_CHARS]!r} must be a slug (a-z, 0-9, '-') of at most {INPUT_CHARS} characters",
            "name the input with --input NAME",
        )
    return name


def checked_on_error(on_error: str) -> None:
    if on_error not in ("stop", "skip"):
        raise ImportFailed(f"on_error = {on_error!r} must be 'stop' or 'skip'")


def input_name(stem: str) -> str:
    """An input id from a file or folder name: 'OpenSanctions 2024.json' ->
    'opensanctions-2024-json' (callers strip the suffixes they know)."""
    return re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")[:80].strip("-") or "input"


def into(db_path: Path, run: Callable[[sqlite3.Connection], T], publish: bool = True) -> T:
    """Run an import's `run(conn)` (which opens and commits its own
    transaction) against `db_path`: a new KB is built in a temporary file
    and published whole (unless not `publish`: a dry run); an existing one
    is changed by `run` alone. SQLite's failures become one readable error."""
    db_path = Path(db_path)
    remove_stale_temps(db_path)
    if not db_path.exists():
        done, result = _import_new(db_path, run, publish)
        if done:
            return result  # type: ignore[return-value]
        # another process created db_path meanwhile: add to theirs
    conn = db.connect_writable(db_path)
    try:
        return mapped(db_path, lambda: run(conn))
    finally:
        conn.close()


def remove_stale_temps(db_path: Path) -> list[Path]:
    """Delete the temporary files an import into `db_path` left when it was
    killed (SIGKILL, power cut) before it could clean up: they are named
    `.<name>.<pid>.<random>.importing` (db.temp_beside), and one whose
    process is gone is nobody's."""
    removed: list[Path] = []
    try:
        candidates = list(db_path.parent.glob(f".{glob_escape(db_path.name)}.*.importing"))
    except OSError:
        return removed
    for tmp in candidates:
        parts = tmp.name[len(db_path.name) + 2 :].split(".")
        if len(parts) != 3 or not parts[0].isdigit() or _alive(int(parts[0])):
            continue
        db.discard(tmp)
        removed.append(tmp)
    return removed


def glob_escape(name: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in name)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # someone else's process, or not a pid: leave it
    return True


def _import_new(db_path: Path, run: Callable[[sqlite3.Connection], T], publish: bool) -> tuple[bool, T | None]:
    """Build a new KB with `run` at a temporary path and publish it as
    `db_path`. (False, None) if `db_path` appeared meanwhile (nothing was
    changed)."""
    tmp = db.temp_beside(db_path, "importing")
    try:
        try:
            conn = sqlite3.connect(db._uri(tmp, "rwc"), uri=True, isolation_level=None)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA foreign_keys = ON")
            db.apply_schema(conn)
            # a new KB is a private temporary file until published, and is
            # deleted if anything fails: a rollback journal and syncing on
            # every commit would only slow a million-row build down (it is
            # synced once, whole, before it gets its name)
            conn.execute("PRAGMA journal_mode = OFF")
            conn.execute("PRAGMA synchronous = OFF")
            conn.execute(f"PRAGMA cache_size = {db.IMPORT_CACHE}")
        except sqlite3.Error as exc:
            raise UnusableDatabase(
                f"{db_path}: cannot be created ({exc})", "check that the folder exists and is writable"
            ) from exc
        try:
            result = mapped(db_path, lambda: run(conn))
        finally:
            conn.close()
        if not publish:
            return True, result
        try:
            transact.fsync(tmp)
            db.publish(tmp, db_path)
        except FileExistsError:
            return False, None
        except OSError as exc:
            raise UnusableDatabase(
                f"{db_path}: cannot be created ({exc.strerror})", "check that the folder is writable"
            ) from exc
        return True, result
    finally:
        db.discard(tmp)


def mapped(db_path: Path, run: Callable[[], T]) -> T:
    """run(), with SQLite's failures turned into one readable error."""
    try:
        return run()
    except sqlite3.Error as exc:
        if "readonly" in str(exc):
            raise UnusableDatabase(
                f"{db_path}: is read-only; nothing was written", "check the file and folder permissions"
            ) from exc
        if "locked" in str(exc) or "busy" in str(exc):
            raise UnusableDatabase(
                f"{db_path}: is locked by another program; nothing was written",
                "wait for it (another import?) to finish and retry",
            ) from exc
        raise ImportFailed(
            f"{db_path}: import failed ({exc}); nothing was written",
            "run `kbtui check` on the KB, and check the bundle",
        ) from exc


def write(
    conn: sqlite3.Connection,
    chunks: bundle_mod.Bundle | Iterable[bundle_mod.Bundle],
    advance: Advance = quiet,
    input_id: str = "bundle",
    location: str = "",
    prune: bool = False,
    dry_run: bool = False,
    then: Callable[[sqlite3.Connection], None] | None = None,
) -> Report:
    """Write a bundle (or the pieces load_chunks yields, sources in the
    first) in one transaction through a Sink, which owns the rows by input,
    keeps unchanged citation ids and re-indexes; with `dry_run`, roll it
    back and report what it would have done. `then` runs last, inside the
    transaction."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        report = write_in(conn, chunks, advance, input_id, location, prune)
        if then is not None:
            then(conn)
        conn.execute("ROLLBACK" if dry_run else "COMMIT")
    except BaseException:
        if conn.in_transaction:  # some errors (disk full, I/O) already rolled back
            conn.execute("ROLLBACK")
        raise
    return report


def write_in(
    conn: sqlite3.Connection,
    chunks: bundle_mod.Bundle | Iterable[bundle_mod.Bundle],
    advance: Advance = quiet,
    input_id: str = "bundle",
    location: str = "",
    prune: bool = False,
    full: bool = True,
) -> Report:
    """write() inside the caller's transaction. `full`: the chunks are the
    whole bundle (rows of the input they lack are stale); a curation that
    writes one table passes False."""
    pieces = [chunks] if isinstance(chunks, bundle_mod.Bundle) else chunks
    sink: Sink | None = None
    at_risk: list[tuple[int, str, str | None, str]] = []
    errata: set[str] = set()
    summary: Counter[str] = Counter()
    for data in pieces:
        if sink is None:  # the first piece holds every source
            at_risk = _spans_a_new_text_breaks(conn, data.sources)
            sink = Sink(conn, input_id, "bundle", location, "stop", advance)
        _write_piece(sink, data, advance)
        errata.update(x["id"] for x in data.errata)
        summary.update(_summary(data))
    if sink is None:
        raise ImportFailed(f"{location}: the bundle has nothing to import")
    _keep_other_citations(conn, at_risk, errata, input_id, prune)
    report = sink.finish(prune=prune, full=full)
    report.summary = {k: summary[k] for k in SUMMARY}
    return report


SUMMARY = ("sources", "entities", "roles", "relations", "events", "properties", "conflicts", "errata", "citations")


def _summary(data: bundle_mod.Bundle) -> dict[str, int]:
    return {
        "sources": len(data.sources),
        "entities": len(data.entities),
        "roles": len(data.roles),
        "relations": len(data.relations),
        "events": len(data.events),
        "properties": len(data.properties),
        "conflicts": len(data.conflicts),
        "errata": len(data.errata),
        "citations": sum(len(c["cites"]) for c in data.claims()),
    }


def _write_piece(sink: Sink, data: bundle_mod.Bundle, advance: Advance) -> None:
    for s in data.sources:
        sink.source(_source(s))
        sink.source_extra(s["id"], {k: s[k] for k in SOURCE_EXTRA})
    alias_cites = {a["id"]: a["cites"] for a in data.alias_claims}
    for e in data.entities:
        if e["kind"] != "event":  # events are written with their claim
            sink.entity(records.Entity(e["id"], e["kind"], e["name"], e["summary"], _aliases(e, alias_cites)))
    event_aliases = {e["id"]: _aliases(e, alias_cites) for e in data.entities if e["kind"] == "event"}
    for c in _claims(data, event_aliases):
        sink.claim(c)
    for x in data.conflicts:
        sink.conflict(x["claim_id"], x["other_id"], x["note"])
    for x in data.errata:
        sink.erratum(x)
    advance("writing records", len(data.sources) + len(data.entities) + len(data.claims()), None)


# (`confidential` is always written, so a source taken out of confidence
# in its bundle is public again after a re-import)
SOURCE_EXTRA = (
    "via",
    "via_date",
    "not_before",
    "not_after",
    "relays",
    "origin",
    "confidential",
    *bundle_mod.CAPTURE_FIELDS,
)


def _source(s: dict[str, Any]) -> records.Source:
    return records.Source(
        id=s["id"],
        title=s["title"],
        text=s["text"],
        outlet=s["outlet"],
        author=s["author"],
        published=s["published"],
        url=s["url"],
        note=s["note"],
        date_basis=s["date_basis"],
        as_of_note=s["as_of_note"],
        version=s["version"],
        versions=s["versions"],
    )


def _aliases(e: dict[str, Any], alias_cites: dict[str, list[records.Cite]]) -> list[records.Alias]:
    return [
        records.Alias(
            a["name"], a["kind"], a["as_of"], alias_cites.get(a["claim_id"], []) if a["claim_id"] else [], a["claim_id"]
        )
        for a in e["aliases"]
    ]


def _claims(data: bundle_mod.Bundle, event_aliases: dict[str, list[records.Alias]]) -> Iterator[records.AnyClaim]:
    def base(c: dict[str, Any]) -> dict[str, Any]:
        return {"id": c["id"], "cites": c["cites"], "disputed": c["disputed"], "note": c["note"]}

    for r in data.roles:
        yield records.Role(
            **base(r),
            holder=r["holder"],
            organisation=r["organisation"],
            title=r["title"],
            start=r["start"],
            end=r["end"],
            status=r["status"],
        )
    for r in data.relations:
        yield records.Relation(
            **base(r),
            type=r["type"],
            subject=r["subject"],
            object=r["object"],
            start=r["start"],
            end=r["end"],
            label=r["label"],
        )
    names = {e["id"]: e for e in data.entities}
    for e in data.events:
        entity = names[e["id"]]
        yield records.Event(
            **base(e),
            name=entity["name"],
            type=e["type"],
            summary=entity["summary"],
            aliases=event_aliases.get(e["id"], []),
            start=e["start"],
            end=e["end"],
            place=e["place"],
            participants=[
                records.Participant(**base(p), entity=p["entity"], capacity=p["capacity"]) for p in e["participants"]
            ],
        )
    for p in data.properties:
        yield records.Property(
            **base(p), entity=p["entity"], property=p["property"], value=p["value"], qualifier=p["qualifier"]
        )


def _spans_a_new_text_breaks(
    conn: sqlite3.Connection, sources: list[dict[str, Any]]
) -> list[tuple[int, str, str | None, str]]:
    """(citation id, claim id, its input, source id) of every stored citation
    (and erratum, id 0) whose span would no longer hold its quote under the
    bundle's text of that source. Read before anything is written; whether
    the bundle restates those claims is known only at the end.
    (Compared in Python: SQLite's substr() stops at an embedded NUL.)"""
    out = []
    for src in sources:
        text = src["text"]
        for cid, claim_id, owner, start, end, quote in conn.execute(
            'SELECT c.id, c.claim_id, l.input_id, c.start, c."end", c.quote FROM citations c'
            " JOIN claims l ON l.id = c.claim_id WHERE c.source_id = ? AND c.version IS NULL"
            ' UNION ALL SELECT 0, id, NULL, start, "end", quote FROM errata WHERE source_id = ?',
            (src["id"], src["id"]),
        ):
            if text[start:end] != quote:
                out.append((cid, claim_id, owner, src["id"]))
    return out


def _keep_other_citations(
    conn: sqlite3.Connection,
    at_risk: list[tuple[int, str, str | None, str]],
    errata: set[str],
    input_id: str,
    prune: bool,
) -> None:
    """Refuse to replace a source text under citations this bundle does not
    re-anchor (claims of another input, or dropped from this bundle without
    --prune): their spans would silently point at the wrong words."""
    broken = []
    for cid, claim_id, owner, source_id in at_risk:
        restated = (
            claim_id in errata
            if cid == 0
            else conn.execute("SELECT 1 FROM temp.seen_claims WHERE id = ?", (claim_id,)).fetchone() is not None
        )
        if not restated and not (prune and owner == input_id):
            broken.append(f"citation {cid} of claim `{claim_id}` in source `{source_id}`")
    if broken:
        raise ImportFailed(
            f"the bundle changes the text of a source that other claims cite ({', '.join(broken[:5])}"
            f"{', …' if len(broken) > 5 else ''}); nothing was written",
            "keep the source text as it was, give the changed text a new source id, or drop those claims with --prune",
        )


def init(db_path: Path | str) -> None:
    """Create an empty KB; refuse to touch an existing file."""
    db_path = Path(db_path)
    exists = UnusableDatabase(f"{db_path}: already exists", "choose a new path; init never overwrites")
    if db_path.exists():
        raise exists
    try:
        db._create(db_path)
    except FileExistsError:
        raise exists from None
    except (sqlite3.Error, OSError) as exc:
        raise UnusableDatabase(
            f"{db_path}: cannot be created ({exc})", "check that the folder exists and is writable"
        ) from exc
