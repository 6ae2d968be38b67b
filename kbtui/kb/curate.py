"""Curation: change a bundle and the KB built from it, together.

Bundles stay the source of truth (plain text a team reviews in git); each
curation command writes one table into the bundle, checks it exactly as an
import would (ids, references, closed sets, every quote anchored), and
writes only that table's rows into the KB through the importer's Sink, so
a million-entity KB is not rebuilt. Bundle files and KB change together or
not at all (kbtui.kb.transact), and every change is logged with who made
it, when, the file and a diff: in the KB (`log`) and in the bundle
(`log.jsonl`, which an import of the bundle loads).

A refusal changes nothing and says which option is wrong and what to do:
a quote that is not in the source gives the nearest passage, an unknown
entity the closest names in the KB.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process

from kbtui.kb import db, search, tomlw, transact, vocab
from kbtui.kb.anchor import AnchorError, anchor
from kbtui.kb.capture import Captured, capture
from kbtui.kb.errors import ImportFailed, NotFound
from kbtui.kb.records import derived_id
from kbtui.kb.session import KB_FILE, SOURCES_FILE, Change, Session, added, checked, home, hunk, session

CLAIM_TABLES = ("role", "relation", "event", "property")
# which options name entities, per table (checked against the KB first, so
# a typo gets suggestions rather than a bundle error)
ENTITY_FIELDS = {
    "role": ("holder", "organisation"),
    "relation": ("subject", "object"),
    "event": ("place",),
    "property": ("entity",),
    "entity": (),
}
# fields `kbtui edit` may change, per table (ids and citations are not
# edited in place: remove the claim and add it again)
EDITABLE = {
    "role": ("holder", "organisation", "title", "start", "end", "status", "note", "disputed"),
    "relation": ("type", "subject", "object", "start", "end", "label", "note", "disputed"),
    "event": ("name", "type", "summary", "start", "end", "place", "note", "disputed"),
    "property": ("value", "qualifier", "note", "disputed"),
    # an entity this bundle defines (its kind stays: claims rely on it)
    "entity": ("name", "summary"),
}
KB_HEADER = """\
# kbtui bundle: entities and the claims made about them, each with its
# citations. Written by `kbtui add` and by hand alike; see the README,
# "Curating a KB", for the format.
"""
SOURCES_HEADER = """\
# kbtui bundle: the stored texts its claims cite, with where they came from.
"""


# -- new bundle -----------------------------------------------------------------
def new_bundle(bundle: Path, kb: Path, input_id: str | None = None) -> Change:
    """An empty bundle at `bundle` (a new folder, or an empty one), known to
    the KB as an input (the KB is created if missing)."""
    bundle = Path(bundle)
    if bundle.exists() and not bundle.is_dir():
        raise ImportFailed(f"{bundle}: already exists and is not a folder", "choose a new folder name")
    full = ImportFailed(f"{bundle}: already exists and is not empty", "choose a new folder name")
    if bundle.is_dir() and _holds_files(bundle) and not (bundle / transact.STATE / "pending").is_dir():
        raise full  # (before any lock: a folder of someone's files gets no state folder)
    try:
        bundle.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ImportFailed(f"{bundle}: cannot be created ({exc.strerror})", "check the parent folder") from exc
    with session(bundle, kb, input_id, create=True) as s:
        # asked with the lock held and any half-done write settled: a `new`
        # killed midway leaves only its state and empty folders behind
        if _holds_files(s.bundle):
            raise full
        s.put(KB_FILE, KB_HEADER)
        s.put(SOURCES_FILE, SOURCES_HEADER)
        s.put("sources/.keep", "")
        from kbtui.kb.sink import ensure_input

        ensure_input(s.conn, s.input_id, "bundle", str(s.bundle))
        change = Change("new", "bundle", s.input_id, s.shown, diff="")
        s.log(change, KB_FILE)
    return change


def _holds_files(folder: Path) -> bool:
    """Any file in the folder, outside kbtui's own state."""
    return any(p.is_file() for p in folder.rglob("*") if transact.STATE not in p.relative_to(folder).parts)


# -- add source -----------------------------------------------------------------
def add_source(
    bundle: Path,
    kb: Path,
    file: Path,
    fields: dict[str, str | None],
    source_id: str | None = None,
    input_id: str | None = None,
    confidential: bool = False,
) -> Change:
    """Add FILE (text or a web page) as a source of the bundle, with its
    capture provenance; the text goes to sources/<id>.txt (a page's main
    text; the page itself to sources/<id>.html). A `confidential` source is
    marked so in the bundle (`confidential = true`), and redacted exports
    leave it out."""
    got = capture(Path(file))
    with session(bundle, kb, input_id) as s:
        table = _source_table(s, got, Path(file), fields, source_id)
        if confidential:
            table["confidential"] = True
        sid = table["id"]
        staged = {table["file"]: got.text.encode("utf-8")}
        if got.html:
            staged[table["capture_file"]] = got.original
        for rel in staged:
            if (s.bundle / rel).exists():
                raise ImportFailed(f"{s.bundle / rel}: already exists", "give the source another id with --id")
        block = tomlw.table("source", table)
        text = s.read(SOURCES_FILE)
        new_text = tomlw.appended(text, block)
        chunk = checked(s, "", new_text, staged)
        for rel, data in staged.items():
            s.write.put(rel, data)
        s.put(SOURCES_FILE, new_text)
        s.store(chunk)
        change = Change("add", "source", sid, s.shown, diff=added(new_text, block), record=table)
        s.log(change, SOURCES_FILE)
    return change


def _source_table(
    s: Session, got: Captured, file: Path, fields: dict[str, str | None], source_id: str | None
) -> dict[str, Any]:
    given = {k: v for k, v in fields.items() if v}
    found = got.found
    title = given.get("title") or found.get("title") or file.stem
    sid = source_id or _free_id(s, _slug(title)[:60] or "source", "sources")
    if source_id:
        _check_slug(source_id, "--id")
        if _exists(s.conn, "sources", source_id) or _in_file(s, SOURCES_FILE, "source", source_id):
            raise ImportFailed(f"--id: a source `{source_id}` already exists", "choose another id")
    table: dict[str, Any] = {
        "id": sid,
        "file": f"sources/{sid}.txt",
        "title": title,
        "outlet": given.get("outlet") or found.get("outlet"),
        "author": given.get("author") or found.get("author"),
        "url": given.get("url") or found.get("url"),
        "archive_url": given.get("archive_url"),
        "retrieved": given.get("retrieved") or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "capture_sha256": got.sha256,
    }
    published = given.get("published") or found.get("published")
    if published:
        table["published"] = published
        # a date from the page's own metadata, not read by the curator
        table["date_basis"] = "stated" if given.get("published") else "byline"
    else:
        table["as_of_note"] = given.get("as_of_note") or "the text gives no date"
    if got.html:
        table["capture_file"] = f"sources/{sid}.html"
    else:
        table["capture_file"] = table["file"]
    if given.get("note"):
        table["note"] = given["note"]
    return table


# -- add entity -----------------------------------------------------------------
def add_entity(
    bundle: Path,
    kb: Path,
    kind: str,
    name: str,
    entity_id: str | None = None,
    summary: str = "",
    aliases: tuple[str, ...] = (),
    input_id: str | None = None,
    distinct: bool = False,
    cites: list[dict[str, str]] | None = None,
    cited_as: str | None = None,
) -> Change:
    """Add an entity. Refused when the KB has one of that kind and exactly
    that name (a duplicate in the making) unless `distinct`; near names of
    that kind come back in `similar`. `cites` are where a source names it
    `cited_as` (default: its name), recorded as a cited alias (a claim with
    those citations)."""
    with session(bundle, kb, input_id) as s:
        change = entity_in(s, kind, name, entity_id, summary, aliases, distinct, cites, cited_as)
    return change


def entity_in(
    s: Session,
    kind: str,
    name: str,
    entity_id: str | None = None,
    summary: str = "",
    aliases: tuple[str, ...] = (),
    distinct: bool = False,
    cites: list[dict[str, str]] | None = None,
    cited_as: str | None = None,
) -> Change:
    """add_entity within a session already open (curate mode makes a
    claim and the entities it names in one)."""
    if kind not in vocab.ENTITY_KINDS or kind == "event":
        kinds = ", ".join(k for k in vocab.ENTITY_KINDS if k != "event")
        raise ImportFailed(
            f"--kind: {kind!r} is not an entity kind ({kinds})", "events are added with `kbtui add event`"
        )
    if not name.strip():
        raise ImportFailed("--name: must not be empty", "give the entity's name as the sources write it")
    if entity_id:
        _check_slug(entity_id, "--id")
        if s.known(entity_id) is not None or _in_file(s, KB_FILE, "entity", entity_id):
            raise ImportFailed(
                f"--id: an entity `{entity_id}` already exists",
                f"see it with `kbtui show {entity_id}`; refer to it by that id",
            )
    hits = [h for h in search.search(s.conn, name, kind=kind, limit=5) if h.score >= 90]
    same = [h for h in hits if h.name.casefold() == name.strip().casefold()]
    if same and not distinct:
        raise ImportFailed(
            f"--name: the KB already has a {kind} named {name.strip()!r}: {same[0].id}",
            f"name it by that id in claims; if this is another {kind} of the same name, pass --distinct",
        )
    eid = entity_id or _free_entity_id(s, _slug(name)[:80] or "entity")
    similar = [{"id": h.id, "name": h.name, "kind": h.kind, "score": h.score} for h in hits]
    table: dict[str, Any] = {"id": eid, "kind": kind, "name": name.strip(), "summary": summary}
    as_written = " ".join((cited_as or name).split())
    named: list[dict[str, Any]] = [{"name": as_written, "cite": cites}] if cites else []
    if named or aliases:
        table["aliases"] = named + [{"name": a} for a in aliases if a.strip()]
    for c in cites or []:
        _check_quote(s, c)
    change = _append(s, "entity", table)
    change.similar = similar
    if cites:
        claim = s.conn.execute(
            "SELECT claim_id FROM aliases WHERE entity_id = ? AND alias = ?", (eid, as_written)
        ).fetchone()
        change.citations = _citations(s.conn, claim[0]) if claim and claim[0] else []
    return change


# -- add an alias ---------------------------------------------------------------
def add_alias(
    bundle: Path,
    kb: Path,
    entity_id: str,
    name: str,
    kind: str = "alias",
    as_of: str | None = None,
    cites: list[dict[str, str]] | None = None,
    input_id: str | None = None,
) -> Change:
    """Give an entity (this bundle's or another input's) another name, cited
    or not. The bundle's [[entity]] table for it gets the alias; an entity
    defined elsewhere is restated there by id, kind and name (its owner's
    name and summary stay the owner's)."""
    if not name.strip():
        raise ImportFailed("NAME: must not be empty", "give the other name as the sources write it")
    if kind not in vocab.ALIAS_KINDS:
        raise ImportFailed(f"--kind: {kind!r} is not an alias kind", f"one of {', '.join(vocab.ALIAS_KINDS)}")
    with session(bundle, kb, input_id) as s:
        _check_entity(s, "entity", entity_id)
        for c in cites or []:
            _check_quote(s, c)
        row = s.conn.execute("SELECT kind, name, summary, input_id FROM entities WHERE id = ?", (entity_id,)).fetchone()
        if row is not None and row[0] == "event":
            raise ImportFailed(f"`{entity_id}` is an event", "give an event other names in its [[event]] table")
        taken = {r[0] for r in s.conn.execute("SELECT alias FROM aliases WHERE entity_id = ?", (entity_id,))}
        if name.strip() in taken or (row is not None and name.strip() == row[1]):
            raise ImportFailed(f"`{entity_id}` is already called {name.strip()!r}", "nothing to add")
        text = s.read(KB_FILE)
        span = tomlw.find(s.bundle / KB_FILE, text, "entity", entity_id)
        if span is not None:
            table = dict(span.fields)
        elif row is not None:
            table = {"id": entity_id, "kind": row[0], "name": row[1]}
            if row[3] is None and row[2]:  # an entity no input owns is adopted: its summary must come along
                table["summary"] = row[2]
        else:  # pragma: no cover - _check_entity found it in the KB or the bundle
            raise ImportFailed(f"no entity `{entity_id}`")
        alias: dict[str, Any] = {"name": name.strip(), "kind": kind, "as_of": as_of, "cite": cites or []}
        table["aliases"] = [*table.get("aliases", []), {k: v for k, v in alias.items() if v}]
        block = tomlw.table("entity", table)
        chunk = checked(s, block)
        before = "" if span is None else tomlw.written(text, span)
        new_text = tomlw.appended(text, block) if span is None else tomlw.replaced(text, span, block)
        s.put(KB_FILE, new_text)
        s.store(chunk)
        diff = added(new_text, block) if span is None else hunk(span.first, before, block)
        change = Change("add", "alias", f"{entity_id}: {name.strip()}", s.shown, diff=diff, record=table)
        claim = s.conn.execute(
            "SELECT claim_id FROM aliases WHERE entity_id = ? AND alias = ?", (entity_id, name.strip())
        ).fetchone()
        if claim and claim[0]:
            change.citations = _citations(s.conn, claim[0])
        s.log(change, KB_FILE)
    return change


# -- add a claim ----------------------------------------------------------------
def add_claim(
    bundle: Path,
    kb: Path,
    table_name: str,
    fields: dict[str, Any],
    cites: list[dict[str, str]],
    claim_id: str | None = None,
    input_id: str | None = None,
) -> Change:
    """Add a role, relation, event or property with its citations (each a
    quote of a source of this bundle)."""
    with session(bundle, kb, input_id) as s:
        change = claim_in(s, table_name, fields, cites, claim_id)
    return change


def claim_in(
    s: Session, table_name: str, fields: dict[str, Any], cites: list[dict[str, str]], claim_id: str | None = None
) -> Change:
    """add_claim within a session already open."""
    if table_name not in CLAIM_TABLES:
        raise ValueError(table_name)
    if not cites:
        raise ImportFailed("--quote: a claim needs at least one", 'give the exact words: --quote "…" --source ID')
    for key in ENTITY_FIELDS[table_name]:
        if fields.get(key):
            _check_entity(s, key, fields[key])
    if table_name == "event":
        for p in fields.get("participants", []):
            _check_entity(s, "participant", p["entity"])
    if table_name == "property" and fields.get("property") in vocab.ENTITY_VALUED:
        _check_entity(s, "value", fields["value"])
    for c in cites:
        _check_quote(s, c)
    cid = claim_id or _claim_id(s, table_name, fields)
    if claim_id:
        _check_slug(claim_id, "--id")
    if (
        _exists(s.conn, "claims", cid)
        or (table_name == "event" and s.known(cid) is not None)
        or _in_file(s, KB_FILE, table_name, cid)
    ):
        raise ImportFailed(f"--id: a claim `{cid}` already exists", f"change it with `kbtui edit {cid}`")
    table = {"id": cid, **{k: v for k, v in fields.items() if v not in (None, "")}, "cite": cites}
    return _append(s, table_name, table)


def _append(s: Session, table_name: str, table: dict[str, Any]) -> Change:
    """Check `table`, append it to kb.toml, write its rows, log it."""
    block = tomlw.table(table_name, table)
    chunk = checked(s, block)
    text = s.read(KB_FILE)
    new_text = tomlw.appended(text, block)
    s.put(KB_FILE, new_text)
    s.store(chunk)
    change = Change("add", table_name, table["id"], s.shown, diff=added(new_text, block), record=table)
    change.citations = _citations(s.conn, table["id"])
    s.log(change, KB_FILE)
    return change


# -- remove and edit ------------------------------------------------------------
def remove(kb: Path, claim_id: str, bundle: Path | None = None) -> Change:
    """Remove a claim from its bundle and the KB."""
    table_name, owner, where = _claim_home(kb, claim_id, bundle)
    if table_name == "entity":
        raise ImportFailed(
            f"`{claim_id}` is an entity, not a claim", "rm removes claims; an entity goes with its bundle's import"
        )
    with session(where, kb, owner, owned=True) as s:
        _still_there(s, claim_id)
        _refuse_if_referred(s.conn, claim_id)
        text = s.read(KB_FILE)
        span = find(s, text, table_name, claim_id)
        before = tomlw.written(text, span)
        sink = s.sink()
        sink.remove_claim(claim_id)
        sink.finish(full=False)
        s.put(KB_FILE, tomlw.replaced(text, span, None))
        change = Change("rm", table_name, claim_id, s.shown, diff=hunk(span.first, before, ""), record=span.fields)
        s.log(change, KB_FILE)
    return change


def edit(kb: Path, claim_id: str, changes: dict[str, str], bundle: Path | None = None) -> Change:
    """Change fields of a claim, or the name or summary of an entity the
    bundle defines (an empty value removes the field)."""
    if not changes:
        raise ImportFailed("nothing to change", "give at least one --field VALUE (see kbtui edit --help)")
    table_name, owner, where = _claim_home(kb, claim_id, bundle)
    allowed = EDITABLE[table_name]
    for key in changes:
        if key not in allowed:
            raise ImportFailed(
                f"--{key}: a {table_name} has no field `{key}` that can be edited",
                f"editable: {', '.join(allowed)}; to change citations, remove the claim and add it again",
            )
    with session(where, kb, owner, owned=True) as s:
        _still_there(s, claim_id, "entities" if table_name == "entity" else "claims")
        for key in ENTITY_FIELDS[table_name]:
            if changes.get(key):
                _check_entity(s, key, changes[key])
        text = s.read(KB_FILE)
        span = find(s, text, table_name, claim_id)
        fields = dict(span.fields)
        fields.setdefault("id", claim_id)
        for key, value in changes.items():
            if value:
                fields[key] = value
            else:
                fields.pop(key, None)
        block = tomlw.table(table_name, fields)
        chunk = checked(s, block)
        s.store(chunk)
        before = tomlw.written(text, span)
        s.put(KB_FILE, tomlw.replaced(text, span, block))
        change = Change("edit", table_name, claim_id, s.shown, diff=hunk(span.first, before, block), record=fields)
        change.citations = _citations(s.conn, claim_id)
        s.log(change, KB_FILE)
    return change


def _claim_home(kb: Path, claim_id: str, bundle: Path | None) -> tuple[str, str, Path]:
    """(table, input, bundle folder) of a claim a curator may change."""
    conn = db.connect_readonly(kb)
    try:
        row = conn.execute(
            "SELECT c.kind, c.input_id, i.kind, i.location FROM claims c LEFT JOIN inputs i ON i.id = c.input_id"
            " WHERE c.id = ?",
            (claim_id,),
        ).fetchone()
        if row is None:  # an entity's own fields, then
            row = conn.execute(
                "SELECT 'entity', e.input_id, i.kind, i.location FROM entities e"
                " LEFT JOIN inputs i ON i.id = e.input_id WHERE e.id = ? AND e.kind != 'event'",
                (claim_id,),
            ).fetchone()
        if row is None:
            hint = _claim_suggestions(conn, claim_id)
            raise NotFound(f"no claim `{claim_id}` in {kb}", hint or "list claims with `kbtui show ENTITY`")
    finally:
        conn.close()
    kind, owner, input_kind, location = row
    if kind == "participation":
        event = claim_id.split("--", 1)[0]
        raise ImportFailed(
            f"`{claim_id}` is a participation, part of event `{event}`", "edit the event's participants in its bundle"
        )
    if kind == "alias":
        raise ImportFailed(f"`{claim_id}` is a cited alias, part of its entity", "edit the entity in its bundle")
    if owner is None or input_kind != "bundle":
        raise ImportFailed(
            f"claim `{claim_id}` came from {'no input' if owner is None else f'{input_kind} input `{owner}`'},"
            " not a bundle",
            "only bundles are curated; re-import its data, or restate it in a bundle",
        )
    where = home(f"claim `{claim_id}`", str(owner), str(location), bundle)
    return str(kind), str(owner), where


def find(s: Session, text: str, table_name: str, claim_id: str) -> tomlw.Span:
    span = tomlw.find(s.bundle / KB_FILE, text, table_name, claim_id)
    if span is None and table_name == "property":
        span = _find_property(s, text, claim_id)
    if span is None:
        raise ImportFailed(
            f"claim `{claim_id}` is in the KB but not in {s.bundle / KB_FILE}",
            "the KB is out of date with the bundle: re-import the bundle (kbtui import) and retry",
        )
    return span


def _find_property(s: Session, text: str, claim_id: str) -> tomlw.Span | None:
    """A property written without an id: found by the id its fields derive."""
    row = s.conn.execute("SELECT entity_id FROM properties WHERE claim_id = ?", (claim_id,)).fetchone()
    if row is None:
        return None
    entity = row[0]

    def derives(fields: dict[str, Any]) -> bool:
        q, v = str(fields.get("qualifier", "")).strip(), str(fields.get("value", "")).strip()
        return (
            fields.get("entity") == entity
            and derived_id(entity, str(fields.get("property")), f"{q} {v}" if q else v) == claim_id
        )

    return tomlw.find(s.bundle / KB_FILE, text, "property", entity, derives)


def _still_there(s: Session, claim_id: str, table: str = "claims") -> None:
    """Asked again once the bundle is locked: another curator may have
    removed the claim meanwhile."""
    if not _exists(s.conn, table, claim_id):
        raise NotFound(f"no claim `{claim_id}` in {s.kb} (it was just removed)", "see `kbtui log`")


def _refuse_if_referred(conn: sqlite3.Connection, claim_id: str) -> None:
    """Refuse to remove a claim that other tables name: the bundle would no
    longer import. An event's participations are claims too, and the event
    is an entity other claims may name."""
    event = conn.execute("SELECT entity_id FROM events WHERE claim_id = ?", (claim_id,)).fetchone()
    claims = [claim_id]
    if event:
        claims += [r[0] for r in conn.execute("SELECT claim_id FROM participations WHERE event_id = ?", (event[0],))]
    names: list[str] = []
    for cid in claims:
        names += [
            r[0]
            for r in conn.execute(
                "SELECT 'conflict ' || claim_id || ' / ' || other_id FROM conflicts"
                " WHERE claim_id = ?1 OR other_id = ?1"
                " UNION ALL SELECT 'erratum ' || id FROM errata WHERE about = ?1 OR shown_by = ?1",
                (cid,),
            )
        ]
    if event:
        names += referrers(conn, event[0])
    if names:
        raise ImportFailed(
            f"claim `{claim_id}` is named by {', '.join(names[:3])}{' …' if len(names) > 3 else ''}",
            "remove or change those first",
        )


def referrers(conn: sqlite3.Connection, entity_id: str) -> list[str]:
    """What names the entity ('role ID', 'citation 12'…): an entity with
    any cannot go without breaking them."""
    return [
        r[0]
        for r in conn.execute(
            "SELECT 'role ' || claim_id FROM roles WHERE holder_id = ?1 OR organisation_id = ?1"
            " UNION ALL SELECT 'relation ' || claim_id FROM relations WHERE subject_id = ?1 OR object_id = ?1"
            " UNION ALL SELECT 'property ' || claim_id FROM properties WHERE entity_id = ?1"
            "   OR (property IN ('nationality', 'affiliation') AND value = ?1)"
            " UNION ALL SELECT 'event ' || claim_id FROM events WHERE place_id = ?1"
            " UNION ALL SELECT 'participation ' || claim_id FROM participations WHERE entity_id = ?1"
            " UNION ALL SELECT 'citation ' || id FROM citations WHERE speaker_id = ?1",
            (entity_id,),
        )
    ]


# -- checks with suggestions ----------------------------------------------------
def _check_entity(s: Session, option: str, entity_id: str) -> None:
    if (
        s.known(entity_id) is not None
        or _in_file(s, KB_FILE, "entity", entity_id)
        or _in_file(s, KB_FILE, "event", entity_id)
    ):
        return
    hint = "; ".join(f"{eid} ({name})" for eid, name in _near_entities(s.conn, entity_id))
    raise ImportFailed(
        f"--{option}: no entity `{entity_id}` in the KB or the bundle",
        f"did you mean {hint}?" if hint else "add it with `kbtui add entity`",
    )


def _near_entities(conn: sqlite3.Connection, entity_id: str, want: int = 3) -> list[tuple[str, str]]:
    """Entities a mistyped id may have meant: ids spelt alike (among those
    sharing its first letters, so a million ids are not all compared), then
    names alike."""
    stem = entity_id[:3]
    ids = [
        r[0]
        for r in conn.execute("SELECT id FROM entities WHERE id >= ? AND id < ? LIMIT 5000", (stem, stem + "\uffff"))
    ]
    close = [m[0] for m in process.extract(entity_id, ids, scorer=fuzz.ratio, limit=want, score_cutoff=70)]
    close += [h.id for h in search.search(conn, entity_id.replace("-", " "), limit=want) if h.id not in close]
    names = dict(
        conn.execute(f"SELECT id, name FROM entities WHERE id IN ({', '.join('?' * len(close))})", close).fetchall()
    )
    return [(eid, names.get(eid, "")) for eid in close[:want]]


def _check_quote(s: Session, c: dict[str, str]) -> None:
    source_id = c["source"]
    row = s.conn.execute("SELECT text, input_id FROM sources WHERE id = ?", (source_id,)).fetchone()
    if row is None:
        raise ImportFailed(f"--source: no source `{source_id}` in the KB", "add it with `kbtui add source FILE`")
    if row[1] != s.input_id:
        raise ImportFailed(
            f"--source: source `{source_id}` belongs to input `{row[1]}`, not this bundle (`{s.input_id}`)",
            "cite sources of the bundle the claim goes into (add the text to it with `kbtui add source`)",
        )
    try:
        anchor(row[0], c["quote"], c.get("prefix", ""), c.get("suffix", ""))
    except AnchorError as exc:
        near = f"; nearest match: {exc.nearest!r}" if exc.nearest else ""
        raise ImportFailed(
            f"--quote {c['quote'][:80]!r}: {exc} `{source_id}`{near}",
            "quote the source's exact words (or add --prefix/--suffix to pick one of several)",
        ) from None


def _claim_suggestions(conn: sqlite3.Connection, claim_id: str) -> str:
    stem = claim_id[: max(4, len(claim_id) // 2)]
    rows = conn.execute("SELECT id FROM claims WHERE id >= ? AND id < ? LIMIT 3", (stem, stem + "\uffff")).fetchall()
    return f"did you mean {', '.join(r[0] for r in rows)}?" if rows else ""


# -- ids ------------------------------------------------------------------------
def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _check_slug(value: str, option: str) -> None:
    if not vocab.SLUG.fullmatch(value) or len(value) > vocab.MAX_ID:
        raise ImportFailed(f"{option}: {value!r} is not an id", "use lowercase letters, digits and '-'")


def _claim_id(s: Session, table_name: str, f: dict[str, Any]) -> str:
    if table_name == "role":
        base = "-".join(x for x in (f["holder"], _slug(f["title"]), f.get("organisation") or "") if x)
    elif table_name == "relation":
        base = f"{f['subject']}-{f['type']}-{f['object']}"
    elif table_name == "event":
        base = _slug(f["name"])
    else:
        qualifier = f.get("qualifier") or ""
        return derived_id(f["entity"], f["property"], f"{qualifier} {f['value']}" if qualifier else f["value"])
    return _free_id(s, base[:150].strip("-") or table_name, "claims")


def _free_id(s: Session, base: str, table: str) -> str:
    """`base`, or `base-2`, `-3`…: an id neither the KB nor the bundle's
    file uses (a table written by hand may not be imported yet)."""
    rel = KB_FILE if table == "claims" else SOURCES_FILE
    candidate, n = base, 1
    while (
        _exists(s.conn, table, candidate)
        or (table == "claims" and s.known(candidate) is not None)
        or _quoted_in(s, rel, candidate)
    ):
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def _free_entity_id(s: Session, base: str) -> str:
    candidate, n = base, 1
    while s.known(candidate) is not None or _in_file(s, KB_FILE, "entity", candidate):
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def _exists(conn: sqlite3.Connection, table: str, id_: str) -> bool:
    return conn.execute(f"SELECT 1 FROM {table} WHERE id = ?", (id_,)).fetchone() is not None


def _quoted_in(s: Session, rel: str, id_: str) -> bool:
    """The id appears as a TOML string anywhere in the file (cheap, and
    cautious: a generated id is never one the file mentions at all)."""
    text = s.read(rel)
    return tomlw.string(id_) in text or f"'{id_}'" in text


def _in_file(s: Session, rel: str, table_name: str, id_: str) -> bool:
    """Written in the bundle though not (yet) in the KB."""
    text = s.read(rel)
    return _quoted_in(s, rel, id_) and tomlw.find(s.bundle / rel, text, table_name, id_) is not None


# -- what changed ---------------------------------------------------------------
def _citations(conn: sqlite3.Connection, claim_id: str) -> list[dict[str, Any]]:
    return [
        dict(r)
        for r in conn.execute(
            'SELECT id, source_id, quote, start, "end", anchor FROM citations WHERE claim_id = ? ORDER BY id',
            (claim_id,),
        )
    ]
