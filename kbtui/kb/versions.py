"""`kbtui add version`: a new text for a source, and every citation of it
re-anchored.

The old text is kept in the bundle (sources/<name>.v<N>.txt, listed under
the source's `versions` with its sha256 and capture provenance) and in the
KB (source_versions). Each citation of the source is found again in the new
text (kbtui.kb.reanchor): one found exactly keeps its words; one moved to a
passage that changed a little takes that passage's words and is marked
`anchor = "moved"` with `was`, its old quote, for a human to confirm; one
not found stays pinned to the old version (`version = N`, orphaned), where
its highlight can still be seen. The claims citing the source are written
again, through the same checks and Sink as an import, so the KB is what an
import of the bundle would make.
"""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from kbtui.kb import curate, db, session, tomlw
from kbtui.kb.anchor import CONTEXT_CHARS, AnchorError, anchor
from kbtui.kb.capture import capture
from kbtui.kb.errors import ImportFailed, NotFound
from kbtui.kb.reanchor import Found, reanchor


@dataclass
class Outcome:
    """What became of each citation (for the report and the log)."""

    exact: int = 0
    moved: list[dict[str, Any]] = field(default_factory=list)
    orphaned: list[dict[str, Any]] = field(default_factory=list)


def add_version(
    kb: Path, source_id: str, file: Path, fields: dict[str, str | None], bundle: Path | None = None
) -> session.Change:
    """Replace source `source_id`'s text with FILE's, keeping the old one."""
    owner, where = _source_home(kb, source_id, bundle)
    got = capture(Path(file))
    with session.session(where, kb, owner, owned=True) as s:
        sources_text = s.read(session.SOURCES_FILE)
        span = tomlw.find(s.bundle / session.SOURCES_FILE, sources_text, "source", source_id)
        if span is None:
            raise ImportFailed(
                f"source `{source_id}` is in the KB but not in {s.bundle / session.SOURCES_FILE}",
                "re-import the bundle (kbtui import) and retry",
            )
        table = dict(span.fields)
        old_bytes = _read(s, table["file"])
        try:
            old_text = old_bytes.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ImportFailed(
                f"{s.bundle / table['file']}: not valid UTF-8 at byte {exc.start}, so not the text the KB holds",
                "restore it from git (or re-import the bundle), then add the version",
            ) from None
        if got.text == old_text:
            raise ImportFailed(f"{file}: its text is the source's current text", "nothing to do")
        n = len(table.get("versions", [])) + 1
        staged = _archive(s, table, old_bytes, n)
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        staged[table["file"]] = got.text.encode("utf-8")
        if got.html:
            capture_file = str(PurePosixPath(table["file"]).with_suffix(".html"))
            staged[capture_file] = got.original
        else:
            capture_file = table["file"]
        table.update(
            capture_file=capture_file,
            capture_sha256=got.sha256,
            retrieved=fields.get("retrieved") or now,
            archive_url=fields.get("archive_url") or None,
        )
        if fields.get("url"):
            table["url"] = fields["url"]
        table = {k: v for k, v in table.items() if v is not None}
        new_sources = tomlw.replaced(sources_text, span, tomlw.table("source", table))
        outcome = Outcome()
        kb_text, blocks, hunks = _reanchored(s, source_id, old_text, got.text, n, outcome)
        chunk = session.checked(s, "\n".join(blocks), new_sources, staged)
        for rel, data in staged.items():
            s.write.put(rel, data)
        s.put(session.SOURCES_FILE, new_sources)
        if blocks:
            s.put(session.KB_FILE, kb_text)
        s.store(chunk)
        record = {"version": n + 1, "exact": outcome.exact, "moved": outcome.moved, "orphaned": outcome.orphaned}
        before = tomlw.written(sources_text, span)
        change = session.Change(
            "version",
            "source",
            source_id,
            s.shown,
            diff=session.hunk(span.first, before, tomlw.table("source", table)),
            record=record,
        )
        s.log(change, session.SOURCES_FILE)
        if blocks:
            s.log(session.Change("reanchor", "source", source_id, s.shown, diff="".join(hunks)), session.KB_FILE)
    return change


def _source_home(kb: Path, source_id: str, bundle: Path | None) -> tuple[str, Path]:
    conn = db.connect_readonly(kb)
    try:
        row = conn.execute(
            "SELECT s.input_id, s.format, i.kind, i.location FROM sources s LEFT JOIN inputs i ON i.id = s.input_id"
            " WHERE s.id = ?",
            (source_id,),
        ).fetchone()
    finally:
        conn.close()
    if row is None:
        raise NotFound(f"no source `{source_id}` in {kb}", "list them with `kbtui sources`")
    owner, fmt, input_kind, location = row
    if fmt != "text" or input_kind != "bundle":
        raise ImportFailed(
            f"source `{source_id}` is a {fmt} record of {input_kind or 'no'} input `{owner}`, not a bundle's text",
            "a record changes when its data is imported again",
        )
    where = session.home(f"source `{source_id}`", str(owner), str(location), bundle)
    return str(owner), where


def _read(s: session.Session, rel: str) -> bytes:
    try:
        return (s.bundle / rel).read_bytes()
    except OSError as exc:
        raise ImportFailed(f"{s.bundle / rel}: cannot be read ({exc.strerror})", "restore it from git") from exc


def _archive(s: session.Session, table: dict[str, Any], old_bytes: bytes, n: int) -> dict[str, bytes]:
    """Copies of version n's text (and captured file) under new names, and
    its entry in the source's `versions`."""
    text_rel = PurePosixPath(table["file"])
    archived = str(text_rel.with_name(f"{text_rel.stem}.v{n}{text_rel.suffix}"))
    staged = {archived: old_bytes}
    entry: dict[str, Any] = {"file": archived, "sha256": hashlib.sha256(old_bytes).hexdigest()}
    capture_rel = table.get("capture_file")
    if capture_rel and capture_rel != table["file"]:
        cap = PurePosixPath(capture_rel)
        archived_capture = str(cap.with_name(f"{cap.stem}.v{n}{cap.suffix}"))
        staged[archived_capture] = _read(s, capture_rel)
        entry["capture_file"] = archived_capture
    elif capture_rel:
        entry["capture_file"] = archived
    for key in ("retrieved", "archive_url", "capture_sha256"):
        if table.get(key):
            entry[key] = table[key]
    entry["replaced"] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    for rel in staged:
        if (s.bundle / rel).exists():
            raise ImportFailed(f"{s.bundle / rel}: already exists", "move it away; it would be overwritten")
    table["versions"] = [*table.get("versions", []), entry]
    return staged


# -- the claims citing the source ------------------------------------------------
def _reanchored(
    s: session.Session, source_id: str, old_text: str, new_text: str, n: int, outcome: Outcome
) -> tuple[str, list[str], list[str]]:
    """kb.toml with every table citing the source re-anchored, those
    tables' new text, and a diff hunk for each."""
    text = s.read(session.KB_FILE)
    spans = []
    for table_name, table_id in _citing_tables(s.conn, source_id):
        span = curate.find(s, text, table_name, table_id)
        spans.append((table_name, span))
    blocks, hunks, out = [], [], text
    # from the bottom up, so the line numbers of those above stay right
    for table_name, span in sorted(spans, key=lambda x: x[1].first, reverse=True):
        fields = dict(span.fields)
        where = f"{table_name} {fields.get('id', '')}".strip()
        if table_name == "erratum":
            _erratum(fields, source_id, old_text, new_text, where)
        else:
            for cite in _cites_in(fields):
                if cite.get("source") == source_id and "version" not in cite:
                    _move(cite, old_text, new_text, n, outcome, where)
        block = tomlw.table(table_name, fields)
        before = tomlw.written(out, span)
        out = tomlw.replaced(out, span, block)
        blocks.append(block)
        hunks.append(session.hunk(span.first, before, block))
    return out, blocks, list(reversed(hunks))


def _citing_tables(conn: sqlite3.Connection, source_id: str) -> list[tuple[str, str]]:
    """(table, id) of every kb.toml table holding a citation of the source."""
    rows = conn.execute(
        "SELECT DISTINCT CASE c.kind WHEN 'alias' THEN"
        "   CASE WHEN EXISTS (SELECT 1 FROM events e WHERE e.entity_id = a.entity_id) THEN 'event' ELSE 'entity' END"
        " WHEN 'participation' THEN 'event' ELSE c.kind END,"
        " CASE c.kind WHEN 'alias' THEN a.entity_id"
        " WHEN 'participation' THEN (SELECT e.claim_id FROM events e WHERE e.entity_id = p.event_id)"
        " ELSE c.id END"
        " FROM citations ci JOIN claims c ON c.id = ci.claim_id"
        " LEFT JOIN aliases a ON a.claim_id = c.id LEFT JOIN participations p ON p.claim_id = c.id"
        " WHERE ci.source_id = ?"
        " UNION SELECT 'erratum', id FROM errata WHERE source_id = ?",
        (source_id, source_id),
    ).fetchall()
    return sorted((str(t), str(i)) for t, i in rows)


def _cites_in(fields: dict[str, Any]) -> list[dict[str, Any]]:
    """The citation tables of a kb.toml table, its aliases' and participants' too."""
    out = [c for c in fields.get("cite", []) if isinstance(c, dict)]
    for key in ("aliases", "participants"):
        for item in fields.get(key, []):
            if isinstance(item, dict):
                out.extend(c for c in item.get("cite", []) if isinstance(c, dict))
    return out


def _old_span(old_text: str, cite: dict[str, Any], where: str) -> tuple[int, int]:
    try:
        a = anchor(old_text, cite["quote"], cite.get("prefix", ""), cite.get("suffix", ""))
    except AnchorError as exc:
        raise ImportFailed(
            f"{where}: its quote {cite['quote'][:60]!r} is not in the current text ({exc})",
            "the bundle and KB disagree: re-import the bundle, then add the version",
        ) from exc
    return a.start, a.end


def _move(cite: dict[str, Any], old_text: str, new_text: str, n: int, outcome: Outcome, where: str) -> None:
    start, end = _old_span(old_text, cite, where)
    found = reanchor(old_text, new_text, start, end, cite.get("prefix", ""), cite.get("suffix", ""))
    shown = {"in": where, "quote": old_text[start:end]}
    if found.state in ("exact", "normalised"):
        outcome.exact += 1
        _context(cite, found)
        return
    for key in ("anchor", "was", "was_version", "was_prefix", "was_suffix"):
        cite.pop(key, None)
    if found.state == "moved":
        cite.update(quote=found.quote, anchor="moved", was=old_text[start:end], was_version=n)
        try:  # `was` alone must find its place in version n again, or take its context
            anchor(old_text, old_text[start:end])
        except AnchorError:
            cite["was_prefix"] = old_text[max(0, start - CONTEXT_CHARS) : start]
            cite["was_suffix"] = old_text[end : end + CONTEXT_CHARS]
        _context(cite, found)
        outcome.moved.append({**shown, "now": found.quote, "score": round(found.score, 1)})
    else:
        cite["version"] = n
        outcome.orphaned.append(shown)


def _context(cite: dict[str, Any], found: Found) -> None:
    """The prefix and suffix that pick the occurrence (none if not needed)."""
    for key, value in (("prefix", found.prefix), ("suffix", found.suffix)):
        if value:
            cite[key] = value
        else:
            cite.pop(key, None)


def _erratum(fields: dict[str, Any], source_id: str, old_text: str, new_text: str, where: str) -> None:
    """An erratum's quote must be found as it is: an error that moved or
    went is a human's call (the new version may have corrected it)."""
    start, end = _old_span(old_text, fields, where)
    found = reanchor(old_text, new_text, start, end, fields.get("prefix", ""), fields.get("suffix", ""))
    if found.state not in ("exact", "normalised"):
        raise ImportFailed(
            f"{where}: the words in error ({fields['quote'][:60]!r}) are not in the new text of `{source_id}`",
            "remove or change the erratum (the new version may have corrected it), then add the version",
        )
    _context(fields, found)
