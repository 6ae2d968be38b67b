"""`kbtui export --format ftm`: the KB as FollowTheMoney entities, with its evidence.

One JSON object per line, read by two kinds of reader:

- FtM tools (Aleph, yente, OpenSanctions' tooling) read the FtM part: each
  source is a `Document` carrying its full text (`bodyText`); entities are
  Person / Organization / Address / Event / ...; roles are Directorship,
  Membership, Employment or Occupancy (with a Position); relations are
  Ownership, Family, Associate, Representation, Payment, Sanction or
  UnknownLink; a participation in an event is an UnknownLink; properties
  FtM has (birthDate, idNumber, ...) are set on their entity; every
  citation is a `Documentation` linking the Document to the entity the
  claim is about, its quote as `summary`.
- `kbtui import` reads it back whole (kbtui.kb.ftm_restore): each record
  also has a `kbtui` member, which FtM tools ignore, holding kbtui's own
  fields (an entity's kind, a claim's id and typed columns, a citation's
  span, stance, certainty, mode, speaker). Long texts are written once, in
  FtM's own properties: a source's text in its Document's `bodyText`, a
  quote in its Documentation's `summary`; redirects (merged ids) are the
  entity's FtM `referents`. So a claim comes back cited to the very quote
  in the very source it was cited to, never to the exported record.

Ids: an entity keeps its id (kbtui ids are a-z, 0-9 and '-', which FtM
accepts); the other records get a prefix with a '.' no kbtui id has, so
they cannot collide with an entity: `source.ID`, `source.ID.vN` (an
earlier version of its text), `claim.ID`, `position.ID` (the post of a
role at no organisation), `cite.N` (the citation's number).

Order: each source's earlier versions, then the source; then every entity
in id order, each followed by the citations of its cited aliases and
properties (an event also by its own citations, then each participation and
its citations); then roles and relations in claim id order, each followed
by its citations. Rows stream from cursors (an entity's aliases, properties
and redirects are merged in from cursors in the same order), so memory
stays flat and the same KB gives the same bytes.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from typing import Any, TextIO

FETCH = 2_000
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")

# FtM has no schema for a country or a concept: the nearest that can be
# named and linked. The exact kind travels in the kbtui member.
KIND_SCHEMA = {
    "person": "Person",
    "organisation": "Organization",
    "country": "PublicBody",  # the state: what holds its offices
    "place": "Address",
    "event": "Event",
    "product": "Asset",
    "publication": "Organization",
    "concept": "LegalEntity",
}
ALIAS_PROPERTY = {"former-name": "previousName", "misspelling-in-source": "weakAlias"}  # else `alias`
# kbtui property -> FtM property, where FtM has one on every schema kbtui
# writes it to (a value FtM cannot hold stays in the kbtui member only)
PROPERTY_FTM = {
    "birth-date": "birthDate",
    "death-date": "deathDate",
    "incorporation-date": "incorporationDate",
    "dissolution-date": "dissolutionDate",
    "gender": "gender",
    "position": "position",
    "address": "address",
    "website": "website",
    "email": "email",
    "phone": "phone",
    "legal-form": "legalForm",
    "identifier": "idNumber",
    "topic": "keywords",
}
# properties FtM only has on some schemata
PROPERTY_SCHEMATA = {
    "birthDate": {"Person"},
    "deathDate": {"Person"},
    "gender": {"Person"},
    "position": {"Person"},
    "incorporationDate": {"Organization", "LegalEntity"},
    "dissolutionDate": {"Organization", "LegalEntity"},
    "legalForm": {"Organization", "LegalEntity"},
    "idNumber": {"Person", "Organization", "LegalEntity"},
    "website": {"Person", "Organization", "LegalEntity"},
    "email": {"Person", "Organization", "LegalEntity"},
    "phone": {"Person", "Organization", "LegalEntity"},
}
# relation type -> (schema, subject property, object property, label property)
RELATION_SCHEMA = {
    "owns": ("Ownership", "owner", "asset", "role"),
    "family-of": ("Family", "person", "relative", "relationship"),
    "associate-of": ("Associate", "person", "associate", "relationship"),
    "represents": ("Representation", "agent", "client", "role"),
    "paid": ("Payment", "payer", "beneficiary", "purpose"),
}
OTHER_RELATION = ("UnknownLink", "subject", "object", "role")
# The kinds an FtM range takes (a country is a PublicBody, so an
# Organization). A link whose ends are out of its schema's range is an
# UnknownLink instead (FtM's validators refuse the other).
LEGAL = frozenset({"person", "organisation", "country", "publication", "concept"})
ORGANISATION = frozenset({"organisation", "country", "publication"})
RANGES: dict[str, frozenset[str]] = {
    "LegalEntity": LEGAL,
    "Organization": ORGANISATION,
    "Person": frozenset({"person"}),
    "Asset": frozenset({"product"}),
}
# schema -> the ranges of its two ends
ENDS = {
    "Ownership": ("LegalEntity", "Asset"),
    "Family": ("Person", "Person"),
    "Associate": ("Person", "Person"),
    "Representation": ("LegalEntity", "LegalEntity"),
    "Payment": ("LegalEntity", "LegalEntity"),
    "Directorship": ("LegalEntity", "Organization"),
    "Membership": ("LegalEntity", "Organization"),
    "Employment": ("Person", "Organization"),
}
# the columns of a source that FtM's Document holds (the rest go into the kbtui member)
DOCUMENT_COLUMNS = {
    "title": "title",
    "text": "bodyText",
    "author": "author",
    "outlet": "publisher",
    "published": "publishedAt",
    "url": "sourceUrl",
    "retrieved": "retrievedAt",
}
# what the KB works out for itself on import, or owns
NOT_EXPORTED = {"sha256", "input_id"}
CITE_FIELDS = (
    "start",
    "end",
    "prefix",
    "suffix",
    "anchor",
    "as_of_note",
    "stance",
    "certainty",
    "mode",
    "speaker_id",
    "speaker",
    "version",
)


def source_ftm_id(source_id: str, version: int | None = None) -> str:
    return f"source.{source_id}" if version is None else f"source.{source_id}.v{version}"


def claim_ftm_id(claim_id: str) -> str:
    return f"claim.{claim_id}"


def write(conn: sqlite3.Connection, out: TextIO) -> dict[str, int]:
    """Write the KB on `conn` to `out` as FtM JSON lines; what was written, counted."""
    w = _Writer(conn, out)
    w.sources()
    w.entities()
    w.roles()
    w.relations()
    return w.counts


class _Writer:
    def __init__(self, conn: sqlite3.Connection, out: TextIO) -> None:
        self.conn = conn
        self.out = out
        self.counts = {"records": 0, "sources": 0, "entities": 0, "claims": 0, "citations": 0}
        self.dump = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
        self.cite_sql = f"SELECT id, source_id, quote, as_of, {', '.join(_q(f) for f in CITE_FIELDS)}" + (
            " FROM citations WHERE claim_id = ? ORDER BY id"
        )

    def emit(self, record: dict[str, Any]) -> None:
        self.out.write(self.dump(record))
        self.out.write("\n")
        self.counts["records"] += 1

    # -- sources ------------------------------------------------------------------
    def sources(self) -> None:
        vcur, vnames = _columns(self.conn, "SELECT * FROM source_versions ORDER BY source_id, version")
        versions = _Groups(_fetch(vcur))
        cur, columns = _columns(self.conn, "SELECT * FROM sources ORDER BY id")
        for row in _fetch(cur):
            source = dict(zip(columns, row, strict=True))
            for v in versions.take(source["id"], vnames):
                self._version(source, v)
            self.emit(_document(source))
            self.counts["sources"] += 1

    def _version(self, source: dict[str, Any], v: dict[str, Any]) -> None:
        props: dict[str, list[str]] = {
            "title": [f"{source['title']} (version {v['version']})"],
            "bodyText": [v["text"]],
            "fileName": [f"{source['id']}.v{v['version']}.txt"],
        }
        if v.get("retrieved"):
            props["retrievedAt"] = [v["retrieved"]]
        member = {"record": "version", "source": source["id"]}
        member |= {k: val for k, val in v.items() if k not in {"source_id", "text", "sha256", "retrieved"}}
        self.emit(
            {
                "id": source_ftm_id(source["id"], v["version"]),
                "schema": "Document",
                "properties": props,
                "kbtui": member,
            }
        )

    # -- entities ------------------------------------------------------------------
    def entities(self) -> None:
        conn = self.conn
        aliases = _Groups(
            _rows(
                conn,
                "SELECT a.entity_id, a.alias, a.kind, a.as_of, a.claim_id, c.disputed, c.note"
                " FROM aliases a LEFT JOIN claims c ON c.id = a.claim_id ORDER BY a.entity_id, a.alias",
            )
        )
        properties = _Groups(
            _rows(
                conn,
                "SELECT p.entity_id, p.claim_id, p.property, p.value, p.qualifier, c.disputed, c.note"
                " FROM properties p JOIN claims c ON c.id = p.claim_id ORDER BY p.entity_id, p.claim_id",
            )
        )
        redirects = _Groups(_rows(conn, "SELECT new_id, old_id FROM redirects ORDER BY new_id, old_id"))
        sql = (
            'SELECT e.id, e.kind, e.name, e.summary, ev.claim_id, ev.type, ev.start, ev."end", ev.place_id,'
            " pl.kind, c.disputed, c.note FROM entities e LEFT JOIN events ev ON ev.entity_id = e.id"
            " LEFT JOIN claims c ON c.id = ev.claim_id LEFT JOIN entities pl ON pl.id = ev.place_id ORDER BY e.id"
        )
        for row in _rows(conn, sql):
            eid, kind, name, summary = row[0], row[1], row[2], row[3]
            its_aliases = aliases.take(eid)
            its_properties = properties.take(eid)
            schema = KIND_SCHEMA.get(kind, "LegalEntity")
            props: dict[str, list[str]] = {"name": [name]}
            if summary:
                props["summary"] = [summary]
            member: dict[str, Any] = {"record": "entity", "kind": kind, "name": name, "summary": summary}
            member["aliases"] = [_alias(a, props) for a in its_aliases]
            member["properties"] = [_property(p, schema, props) for p in its_properties]
            participants: list[tuple[Any, ...]] = []
            if kind == "event" and row[4] is not None:
                participants = self._event(row, props, member)
            record: dict[str, Any] = {"id": eid, "schema": schema, "properties": props}
            referents = [r[1] for r in redirects.take(eid)]
            if referents:
                record["referents"] = referents
            record["kbtui"] = member
            self.emit(record)
            self.counts["entities"] += 1
            if kind == "event" and row[4] is not None:
                self._cites(row[4], eid)
            for a in its_aliases:
                if a[4] is not None:
                    self._cites(a[4], eid)
            for p in its_properties:
                self._cites(p[1], eid)
            for p in participants:
                self._participation(eid, p)

    def _event(
        self, row: tuple[Any, ...], props: dict[str, list[str]], member: dict[str, Any]
    ) -> list[tuple[Any, ...]]:
        claim_id, etype, start, end, place, place_kind, disputed, note = row[4:12]
        member.update(claim=claim_id, type=etype, start=start, end=end, place=place, disputed=disputed, note=note)
        _dates(props, start, end)
        if place and place_kind == "place":  # FtM's addressEntity is an Address
            props["addressEntity"] = [place]
        participants = self.conn.execute(
            "SELECT p.claim_id, p.entity_id, p.capacity, c.disputed, c.note, e.kind FROM participations p"
            " JOIN claims c ON c.id = p.claim_id JOIN entities e ON e.id = p.entity_id"
            " WHERE p.event_id = ? ORDER BY p.claim_id",
            (row[0],),
        ).fetchall()
        involved = sorted({p[1] for p in participants if p[5] in LEGAL})  # FtM: LegalEntity only
        if involved:
            props["involved"] = involved
        return [tuple(p[:5]) for p in participants]

    def _participation(self, event_id: str, p: tuple[Any, ...]) -> None:
        claim_id, entity_id, capacity, disputed, note = p
        member = {"record": "participation", "claim": claim_id, "event": event_id, "entity": entity_id}
        member |= {"capacity": capacity, "disputed": disputed, "note": note}
        props = {"subject": [entity_id], "object": [event_id], "role": [capacity or "participant"]}
        self.emit({"id": claim_ftm_id(claim_id), "schema": "UnknownLink", "properties": props, "kbtui": member})
        self._cites(claim_id, entity_id)

    # -- roles and relations ----------------------------------------------------------
    def roles(self) -> None:
        sql = (
            'SELECT r.claim_id, r.holder_id, r.organisation_id, r.title, r.start, r."end", r.status,'
            " c.disputed, c.note, h.kind, o.kind FROM roles r JOIN claims c ON c.id = r.claim_id"
            " JOIN entities h ON h.id = r.holder_id LEFT JOIN entities o ON o.id = r.organisation_id"
            " ORDER BY r.claim_id"
        )
        for claim_id, holder, org, title, start, end, status, disputed, note, holder_kind, org_kind in _rows(
            self.conn, sql
        ):
            member = {"record": "role", "claim": claim_id, "holder": holder, "organisation": org, "title": title}
            member |= {"start": start, "end": end, "status": status, "disputed": disputed, "note": note}
            schema, holder_prop, org_prop = _role_schema(title, holder_kind, org_kind)
            props: dict[str, list[str]] = {holder_prop: [holder]}
            if org_prop:
                props |= {org_prop: [str(org)], "role": [title]}
            else:  # a post named by the title (at its organisation, when FtM can say so)
                post = f"position.{claim_id}"
                position = {"name": [title]}
                if org_kind in ORGANISATION:
                    position["organization"] = [str(org)]
                self.emit(
                    {
                        "id": post,
                        "schema": "Position",
                        "properties": position,
                        "kbtui": {"record": "position", "claim": claim_id},
                    }
                )
                props["post" if schema == "Occupancy" else "object"] = [post]
                if schema == "UnknownLink":
                    props["role"] = [title]
            _dates(props, start, end)
            if status != "unknown" and schema != "UnknownLink":
                props["status"] = [status]
            self.emit({"id": claim_ftm_id(claim_id), "schema": schema, "properties": props, "kbtui": member})
            self._cites(claim_id, holder)

    def relations(self) -> None:
        sql = (
            'SELECT l.claim_id, l.type, l.subject_id, l.object_id, l.start, l."end", l.label, l.share,'
            " l.amount, l.currency, l.program, c.disputed, c.note, s.kind, o.kind FROM relations l"
            " JOIN claims c ON c.id = l.claim_id JOIN entities s ON s.id = l.subject_id"
            " JOIN entities o ON o.id = l.object_id ORDER BY l.claim_id"
        )
        for row in _rows(self.conn, sql):
            claim_id, rtype, subject, obj, start, end, label, share, amount, currency, program = row[:11]
            member = {"record": "relation", "claim": claim_id, "type": rtype, "subject": subject, "object": obj}
            member |= {"start": start, "end": end, "label": label, "share": share, "amount": amount}
            member |= {"currency": currency, "program": program, "disputed": row[11], "note": row[12]}
            props: dict[str, list[str]] = {}
            if rtype == "sanctioned":  # FtM names the sanctioned entity; the authority is words
                schema = "Sanction"
                props["entity"] = [obj]
                if program:
                    props["program"] = [program]
            else:
                schema, subject_prop, object_prop, label_prop = RELATION_SCHEMA.get(rtype, OTHER_RELATION)
                if not _fits(schema, row[13], row[14]):
                    schema, subject_prop, object_prop, label_prop = OTHER_RELATION
                props[subject_prop] = [subject]
                props[object_prop] = [obj]
                props[label_prop] = [label or rtype]
                if share and schema == "Ownership":
                    props["percentage"] = [share.rstrip("%").strip()]
                if schema == "Payment":
                    if amount and _NUMBER.fullmatch(amount.strip()):  # FtM's amount is a number
                        props["amount"] = [amount.strip()]
                    if currency:
                        props["currency"] = [currency]
            _dates(props, start, end)
            self.emit({"id": claim_ftm_id(claim_id), "schema": schema, "properties": props, "kbtui": member})
            self._cites(claim_id, obj if rtype == "sanctioned" else subject)

    # -- citations ----------------------------------------------------------------------
    def _cites(self, claim_id: str, about: str) -> None:
        """Each citation of a claim as a Documentation of `about` (FtM links
        a document to a thing, not to a link between things)."""
        self.counts["claims"] += 1
        for row in self.conn.execute(self.cite_sql, (claim_id,)):
            number, source_id, quote, as_of = row[0], row[1], row[2], row[3]
            fields = dict(zip(CITE_FIELDS, row[4:], strict=True))
            props = {
                "document": [source_ftm_id(source_id, fields["version"])],
                "entity": [about],
                "role": [f"{fields['stance']} claim {claim_id}"],
                "summary": [quote],
                "description": [_described(fields, as_of)],
            }
            if as_of:
                props["date"] = [as_of]
            member = {"record": "citation", "claim": claim_id} | fields
            self.emit({"id": f"cite.{number}", "schema": "Documentation", "properties": props, "kbtui": member})
            self.counts["citations"] += 1


# -- one record's parts ----------------------------------------------------------------
def _document(source: dict[str, Any]) -> dict[str, Any]:
    props = {ftm: [source[col]] for col, ftm in DOCUMENT_COLUMNS.items() if source.get(col)}
    props["fileName"] = [f"{source['id']}.txt"]  # FtM requires one; the text is plain
    member = {"record": "source"}
    member |= {k: v for k, v in source.items() if k not in DOCUMENT_COLUMNS and k not in NOT_EXPORTED}
    return {"id": source_ftm_id(source["id"]), "schema": "Document", "properties": props, "kbtui": member}


def _alias(row: tuple[Any, ...], props: dict[str, list[str]]) -> dict[str, Any]:
    _, alias, kind, as_of, claim_id, disputed, note = row
    props.setdefault(ALIAS_PROPERTY.get(kind, "alias"), []).append(alias)
    out: dict[str, Any] = {"alias": alias, "kind": kind, "as_of": as_of, "claim": claim_id}
    if claim_id is not None:
        out |= {"disputed": disputed, "note": note}
    return out


def _property(row: tuple[Any, ...], schema: str, props: dict[str, list[str]]) -> dict[str, Any]:
    _, claim_id, prop, value, qualifier, disputed, note = row
    ftm = PROPERTY_FTM.get(prop)
    if ftm and schema in PROPERTY_SCHEMATA.get(ftm, {schema}):
        props.setdefault(ftm, []).append(value)
    return {"claim": claim_id, "property": prop, "value": value, "qualifier": qualifier} | {
        "disputed": disputed,
        "note": note,
    }


def _role_schema(title: str, holder_kind: str, org_kind: str | None) -> tuple[str, str, str]:
    """(schema, holder property, organisation property) for a role: a
    Directorship, Membership or Employment at an organisation; else a
    person's Occupancy of a Position; else an UnknownLink to the Position
    ('' as the organisation property: the role links a Position)."""
    lowered = title.lower()
    if org_kind is not None:
        if "member" in lowered:
            found = ("Membership", "member", "organization")
        elif "employ" in lowered or "staff" in lowered:
            found = ("Employment", "employee", "employer")
        else:
            found = ("Directorship", "director", "organization")
        if not _fits(found[0], holder_kind, org_kind):
            found = ("Directorship", "director", "organization")
        if _fits(found[0], holder_kind, org_kind):
            return found
    if holder_kind == "person":
        return "Occupancy", "holder", ""
    return "UnknownLink", "subject", ""


def _fits(schema: str, first: str, second: str | None) -> bool:
    ends = ENDS.get(schema)
    return ends is None or (first in RANGES[ends[0]] and second in RANGES[ends[1]])


def _dates(props: dict[str, list[str]], start: str | None, end: str | None) -> None:
    if start:
        props["startDate"] = [start]
    if end:
        props["endDate"] = [end]


def _described(fields: dict[str, Any], as_of: str | None) -> str:
    """The citation in words, for a reader in Aleph."""
    where = f"characters {fields['start']}-{fields['end']}"
    if fields["version"] is not None:
        where += f" of version {fields['version']}"
    said = ", ".join((fields["stance"], fields["certainty"], fields["mode"]))
    speaker = fields["speaker"] or fields["speaker_id"]
    parts = [where, said, f"as of {as_of}" if as_of else fields["as_of_note"] or "undated"]
    if speaker:
        parts.append(f"speaker: {speaker}")
    return "; ".join(parts)


# -- streaming ------------------------------------------------------------------------
def _q(column: str) -> str:
    return f'"{column}"'


def _columns(conn: sqlite3.Connection, sql: str) -> tuple[sqlite3.Cursor, list[str]]:
    cur = conn.cursor()
    cur.row_factory = None
    cur.execute(sql)
    return cur, [d[0] for d in cur.description]


def _fetch(cur: sqlite3.Cursor) -> Iterator[tuple[Any, ...]]:
    try:
        while batch := cur.fetchmany(FETCH):
            yield from batch
    finally:
        cur.close()


def _rows(conn: sqlite3.Connection, sql: str) -> Iterator[tuple[Any, ...]]:
    cur, _ = _columns(conn, sql)
    yield from _fetch(cur)


class _Groups:
    """Rows ordered by their first column, taken a key at a time in step
    with another stream in the same order (a merge join: nothing held)."""

    def __init__(self, rows: Iterator[tuple[Any, ...]]) -> None:
        self.rows = rows
        self.head = next(rows, None)

    def take(self, key: str, columns: list[str] | None = None) -> list[Any]:
        found: list[Any] = []
        # ids are ASCII (a CHECK says so): Python's order is SQLite's
        while self.head is not None and self.head[0] < key:
            self.head = next(self.rows, None)
        while self.head is not None and self.head[0] == key:
            found.append(dict(zip(columns, self.head, strict=True)) if columns else self.head)
            self.head = next(self.rows, None)
        return found
