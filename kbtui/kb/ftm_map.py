"""One FollowTheMoney record -> kbtui's neutral records (kbtui.kb.records).

Every record becomes one source (its exact text) and every value it
contributes cites the characters that carry it, so `kbtui cite` shows the
very JSON a fact came from. The table of what maps to what is
kbtui.kb.ftm_tables; what this module decides:

  * ids: an entity's id is its FtM id as a slug, shared by every input that
    names it; a record's source is owned by its input (`<input>--<id>`); a
    link record (Ownership, Directorship, ...) is one claim whose id is the
    record's id. A slug that had to change the id gets 8 hex digits of the
    id's SHA-1, so two FtM ids never become one kbtui id.
  * nothing is dropped in silence: a value kbtui has no field for is kept
    as an 'other' property (qualifier: the FtM property), a link's extra
    values go into its claim's note (and are cited), and what is skipped
    (derived fields, empty values, dates that are not dates) is counted in
    the Tally with why.
  * an Occupancy's title is its Position's name, which may come later in
    the file: the Role is returned with a placeholder title and `post` set,
    and kbtui.kb.ftm fills the title in once the file is read.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from hashlib import sha1
from typing import Any

from kbtui.kb import dates, ftm_tables, vocab
from kbtui.kb.ftm_read import Line, Span, spans
from kbtui.kb.records import Alias, AnyClaim, Cite, Entity, Event, Participant, Property, Relation, Role, Source
from kbtui.kb.vocab import MAX_ID

AFFIX = 32  # characters of prefix and suffix kept with each quote
UNDATED = "the FtM record has no last_change or last_seen date"

_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_UPPER = re.compile(r"[A-Z]")
_CAMEL = re.compile(r"[a-z][a-zA-Z0-9]*")
_NUMBER = re.compile(r"[0-9]+(\.[0-9]+)?")


# -- ids ----------------------------------------------------------------------------
def _digest(text: str) -> str:
    return sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]


def slug(text: str) -> str:
    """`text` as an id: kept if it already is a slug (a-z, 0-9, single '-',
    at most 200), else lowercased with runs of anything else as '-' and
    8 hex digits of its SHA-1 appended, so distinct texts stay distinct.
    A slug never contains '--', so ids joined with '--' stay unambiguous."""
    if len(text) <= MAX_ID and _SLUG.fullmatch(text):
        return text  # most ids already are one
    plain = _NOT_SLUG.sub("-", text.lower()).strip("-")
    if plain == text and len(plain) <= MAX_ID:
        return plain
    head = plain[: MAX_ID - 9].rstrip("-")
    return f"{head}-{_digest(text)}" if head else _digest(text)


@lru_cache(maxsize=4096)  # a few dozen property names, asked for millions of times
def key_slug(name: str) -> str:
    """An FtM property name as an id part: camelCase as kebab-case
    ('birthDate' -> 'birth-date', reversible), anything else by slug()."""
    if _CAMEL.fullmatch(name) and len(name) * 2 <= MAX_ID:
        return _UPPER.sub(lambda m: "-" + m.group().lower(), name)
    return slug(name)


def join_ids(*parts: str) -> str:
    """Slugs joined with '--'; past 200 characters, cut and hashed."""
    joined = "--".join(parts)
    if len(joined) <= MAX_ID:
        return joined
    return f"{joined[: MAX_ID - 9].rstrip('-')}-{_digest(joined)}"


def prefixed(prefix: str, text: str) -> str:
    """'<prefix>-<slug of text>' within 200 characters: 'country-ru'."""
    whole = f"{prefix}-{slug(text)}"
    if len(whole) <= MAX_ID:
        return whole
    return f"{whole[: MAX_ID - 9].rstrip('-')}-{_digest(text)}"


def source_id(input_id: str, record_id: str) -> str:
    return join_ids(input_id, slug(record_id))


def property_id(entity_id: str, prop: str, qualifier: str, value: str) -> str:
    """Unique per (entity, property, qualifier, value), and the same on every
    import: 'p1--birth-date--1951-07-06', 'p1--identifier-tax--7707083893'."""
    label = f"{prop}-{key_slug(qualifier)}" if qualifier else prop
    return join_ids(entity_id, label, slug(value))


def country_id(code: str) -> str:
    return prefixed("country", code.strip().lower())


def country_name(code: str) -> str:
    code = code.strip()
    return ftm_tables.COUNTRY_NAMES.get(code.lower()) or (code.upper() if len(code) <= 4 else code)


def iso_date(value: str) -> str | None:
    """An FtM date as an ISO prefix ('2014-03-01T10:00:00' -> '2014-03-01'),
    or None if it is not a real date."""
    cut = value.strip().split("T", 1)[0]
    return cut if dates.problem(cut) is None else None


# -- the report ---------------------------------------------------------------------
BUCKETS = ("records", "schemata", "mapped", "kept as is", "skipped")


@dataclass
class Tally:
    """What an import did with each schema and property, for its report:
    records (read, added, deleted, bad, ...), schemata (records by schema),
    mapped (values that became a kbtui field, by Schema.property), kept as
    is ('other' properties, notes, unknown schemata), skipped (with why)."""

    # a bucket is made when first used: a tally per record, a million records
    counts: dict[str, Counter[str]] = field(default_factory=dict)

    def add(self, bucket: str, key: str, n: int = 1) -> None:
        self.bucket(bucket)[key] += n

    def bucket(self, name: str) -> Counter[str]:
        counter = self.counts.get(name)
        if counter is None:
            counter = self.counts[name] = Counter()
        return counter

    def merge(self, other: Tally) -> None:
        for bucket, counter in other.counts.items():
            self.bucket(bucket).update(counter)

    def summary(self) -> dict[str, dict[str, int]]:
        return {b: dict(sorted(self.counts[b].items())) for b in BUCKETS if self.counts.get(b)}


# -- what one record becomes ----------------------------------------------------------
@dataclass
class Mapped:
    source: Source
    entity: Entity | None = None  # the record's own entity (None for a link or an event)
    extra: list[Entity] = field(default_factory=list)  # countries, sanctioning authorities: write each once
    claims: list[AnyClaim] = field(default_factory=list)
    # (role claim id, post entity id): an Occupancy's Role, titled by its Position later
    post: tuple[str, str] | None = None
    # (entity id, name, organisation id): a Position, for the Occupancies that name it
    position: tuple[str, str, str | None] | None = None
    tally: Tally = field(default_factory=Tally)
    problems: list[str] = field(default_factory=list)  # the record is bad: skip it whole


class _Record:
    """One record being mapped: its values with their cites, and what was used."""

    def __init__(self, line: Line, input_id: str) -> None:
        self.line = line
        self.raw = line.raw
        self.where = line.where
        self.schema = line.schema
        self.spans = spans(line.raw, delta=line.op is not None)
        props = line.entity.get("properties")
        self.props: dict[str, list[Any]] = props if isinstance(props, dict) else {}
        self.used: set[str] = set()
        self.tally = Tally()
        self.source = self._source(input_id)
        self.properties: dict[str, Property] = {}
        self.notes: list[str] = []
        self.note_cites: list[Cite] = []

    # -- the source -------------------------------------------------------------
    def _source(self, input_id: str) -> Source:
        e = self.line.entity
        published = None
        for key in ("last_change", "last_seen"):
            if isinstance(e.get(key), str) and (published := iso_date(e[key])):
                break
        meta: dict[str, Any] = {"schema": self.schema}
        for key in ("datasets", "first_seen", "last_seen", "last_change"):
            if key in e:
                meta[key] = e[key]
        if e.get("referents"):
            meta["referents"] = e["referents"]
        if "target" in e:
            meta["target"] = e["target"]
        if self.line.op:
            meta["op"] = self.line.op
        datasets = (
            [d for d in e.get("datasets") or [] if isinstance(d, str)] if isinstance(e.get("datasets"), list) else []
        )
        outlet = ", ".join(datasets)[:200] or None
        # the record's own address, when it has one; the value itself is also kept (and cited)
        urls = [u for u in self.props.get("sourceUrl") or [] if isinstance(u, str) and u.strip()]
        return Source(
            id=source_id(input_id, self.line.id),
            title=self.title(),
            text=self.raw,
            format="ftm",
            outlet=outlet,
            url=urls[0].strip() if urls else None,
            published=published,
            date_basis="stated" if published else "unknown",
            as_of_note="" if published else UNDATED,
            meta=meta,
            where=self.where,
        )

    def title(self) -> str:
        """'Person Ivan Petrov (FtM record p-1)'; a link's caption is often
        its schema ('Family'), said once then."""
        caption = self.caption()
        named = self.schema if caption == self.schema else f"{self.schema} {caption}"
        return f"{named} (FtM record {self.line.id})"

    def caption(self) -> str:
        caption = self.line.entity.get("caption")
        if isinstance(caption, str) and caption.strip():
            return caption.strip()
        for value in self.props.get("name") or []:
            if isinstance(value, str) and value.strip():
                return value.strip()
        return self.line.id

    # -- values and cites -------------------------------------------------------------
    def cite(self, span: Span) -> Cite:
        s, e = span
        published = self.source.published
        return Cite(
            self.source.id,
            s,
            e,
            self.raw[s:e],
            prefix=self.raw[max(0, s - AFFIX) : s],
            suffix=self.raw[e : e + AFFIX],
            as_of=published,
            as_of_note="" if published else UNDATED,
        )

    def id_cite(self) -> Cite:
        """The record's own id: what every claim of a record can cite when
        nothing more telling is there."""
        return self.cite(self.spans.top["id"])

    def values(self, prop: str) -> list[tuple[str, Cite]]:
        """A property's values with their cites; items that are not usable
        strings are counted as skipped. Marks the property used."""
        self.used.add(prop)
        out: list[tuple[str, Cite]] = []
        where = self.spans.props.get(prop, [])
        for j, item in enumerate(self.props.get(prop) or []):
            span = where[j] if j < len(where) else None
            if isinstance(item, dict):
                # a "nested" export: the value is the entity itself; its id is the reference
                self.tally.add("skipped", f"{self.schema}.{prop} (nested entity: only its id is read)")
                item = item.get("id")
            if not isinstance(item, str):
                self.tally.add("skipped", f"{self.schema}.{prop} (not a string)")
                continue
            if span is None or span[0] == span[1] or not item.strip():
                self.tally.add("skipped", f"{self.schema}.{prop} (empty)")
                continue
            out.append((item, self.cite(span)))
        return out

    def first(self, prop: str) -> tuple[str, Cite] | None:
        """The first value of a property used as one field; any further ones
        go into the claim's note."""
        found = self.values(prop)
        for value, c in found[1:]:
            self.note(prop, value, c)
        return found[0] if found else None

    def note(self, prop: str, value: str, c: Cite) -> None:
        self.notes.append(f"{prop}: {value}")
        self.note_cites.append(c)
        self.tally.add("kept as is", f"{self.schema}.{prop} (in the claim's note)")

    def date(self, prop: str) -> tuple[str, Cite] | None:
        found = self.first(prop)
        if found is None:
            return None
        value = iso_date(found[0])
        if value is None:
            self.notes.append(f"{prop}: {found[0]}")
            self.note_cites.append(found[1])
            self.tally.add("skipped", f"{self.schema}.{prop} (not an ISO date; kept in the note)")
            return None
        self.tally.add("mapped", f"{self.schema}.{prop}")
        return value, found[1]

    def rest_into_note(self) -> None:
        """Every property not used yet: into the note, cited."""
        for prop in self.props:
            if prop in self.used:
                continue
            if prop in ftm_tables.SKIPPED:
                self.used.add(prop)
                self.tally.add("skipped", f"{self.schema}.{prop} ({ftm_tables.SKIPPED[prop]})")
                continue
            for value, c in self.values(prop):
                self.note(prop, value, c)

    def note_text(self) -> str:
        return "; ".join(self.notes)

    def mapped(self, prop: str, n: int = 1) -> None:
        self.tally.add("mapped", f"{self.schema}.{prop}", n)

    def add_property(self, entity_id: str, prop: str, value: str, qualifier: str, c: Cite) -> None:
        """One Property claim per (entity, property, qualifier, value); a
        value stated twice (nationality and citizenship) gets both cites."""
        cid = property_id(entity_id, prop, qualifier, value)
        if cid in self.properties:
            self.properties[cid].cites.append(c)
            return
        self.properties[cid] = Property(
            id=cid, cites=[c], where=self.where, entity=entity_id, property=prop, value=value, qualifier=qualifier
        )


def map_record(line: Line, input_id: str) -> Mapped:
    """Map one ADD/MOD or plain record (not a DEL: the importer retracts)."""
    rec = _Record(line, input_id)
    out = Mapped(rec.source, tally=rec.tally)
    schema = rec.schema
    rec.tally.add("schemata", schema)
    if schema in ftm_tables.ROLE_LINKS:
        _role_link(rec, out)
    elif schema in ftm_tables.RELATION_LINKS:
        _relation_link(rec, out)
    elif schema == "Occupancy":
        _occupancy(rec, out)
    elif schema == "Sanction":
        _sanction(rec, out)
    elif schema == "Event":
        _event(rec, out)
    elif schema in ("Identification", "Passport"):
        _identification(rec, out)
    else:
        _thing(rec, out)
    return out


# -- things ----------------------------------------------------------------------------
def _thing(rec: _Record, out: Mapped) -> None:
    schema = rec.schema
    kind = ftm_tables.ENTITY_KINDS.get(schema)
    if kind is None:
        kind = "concept"
        rec.tally.add("kept as is", f"{schema} (unknown schema: kept as a concept)")
    elif kind == "product":
        rec.tally.add("kept as is", f"{schema} (as a product: kbtui has no kind for craft)")
    entity_id = slug(rec.line.id)
    entity = Entity(entity_id, kind, _entity_name(rec), where=rec.where)
    names = {entity.name}
    for prop, alias_kind in ftm_tables.ALIAS_KINDS.items():
        for value, c in rec.values(prop):
            rec.mapped(prop)
            if value.strip() not in names:
                names.add(value.strip())
                entity.aliases.append(_alias(value, alias_kind, c))
    organisation: str | None = None
    for prop in rec.props:
        if prop in rec.used:
            continue
        if schema == "Position" and prop == "organization":
            for value, c in rec.values(prop):
                organisation = organisation or slug(value)
                rec.add_property(entity_id, "affiliation", slug(value), "", c)
                rec.mapped(prop)
            continue
        _thing_property(rec, out, entity_id, prop)
    out.entity = entity
    out.claims.extend(rec.properties.values())
    if schema == "Position":
        out.position = (entity_id, entity.name, organisation)


def _alias(value: str, kind: str, c: Cite) -> Alias:
    return Alias(value.strip(), kind, cites=[c])


def _entity_name(rec: _Record) -> str:
    """The first `name` (for an address: its full form, or its city); else
    the caption; else the name parts joined (first, middle, father's,
    last); else the id."""
    for prop in ("full", "city", "name") if rec.schema == "Address" else ("name",):
        for value in rec.props.get(prop) or []:
            if isinstance(value, str) and value.strip():
                return value.strip()
    caption = rec.line.entity.get("caption")
    if isinstance(caption, str) and caption.strip():
        return caption.strip()
    parts = [v.strip() for p in ftm_tables.NAME_PARTS for v in (rec.props.get(p) or [])[:1] if isinstance(v, str)]
    if any(parts):
        return " ".join(p for p in parts if p)
    return rec.line.id


def _thing_property(rec: _Record, out: Mapped, entity_id: str, prop: str) -> None:
    schema = rec.schema
    if prop in ftm_tables.SKIPPED:
        rec.used.add(prop)
        rec.tally.add("skipped", f"{schema}.{prop} ({ftm_tables.SKIPPED[prop]})")
        return
    for value, c in rec.values(prop):
        target = _property_for(rec, out, prop, value)
        if isinstance(target, str):
            rec.add_property(entity_id, "other", value, prop, c)
            rec.tally.add("kept as is", f"{schema}.{prop}{target}")
            continue
        name, val, qualifier = target
        rec.add_property(entity_id, name, val, qualifier, c)
        rec.mapped(prop)


def _property_for(rec: _Record, out: Mapped, prop: str, value: str) -> tuple[str, str, str] | str:
    """(kbtui property, value, qualifier) for an FtM property's value, or
    why it is kept as an 'other' property ('' when kbtui has no field)."""
    if prop in ftm_tables.DATES:
        day = iso_date(value)
        return (ftm_tables.DATES[prop], day, "") if day else " (not an ISO date)"
    if prop in ftm_tables.NATIONALITY:
        cid = country_id(value)
        if all(e.id != cid for e in out.extra):
            out.extra.append(Entity(cid, "country", country_name(value), where=rec.where))
        return "nationality", cid, ""
    if prop in ftm_tables.COUNTRY:
        return "country", value.strip().lower(), ""
    if prop == "gender":
        g = value.strip().lower()
        return ("gender", g, "") if g in vocab.GENDERS else f" (not {'/'.join(vocab.GENDERS)})"
    if prop in ftm_tables.SIMPLE:
        return ftm_tables.SIMPLE[prop], value, ""
    if rec.schema == "Address" and prop == "full":
        return "address", value, ""
    scheme = ftm_tables.IDENTIFIERS.get(prop)
    if scheme is None and prop.endswith(("Number", "Code")) and prop not in ftm_tables.NOT_IDENTIFIERS:
        scheme = "other"
    if scheme:
        return "identifier", value.strip(), scheme
    return ""


# -- links ------------------------------------------------------------------------------
def _endpoint(rec: _Record, out: Mapped, prop: str, what: str) -> tuple[str, Cite] | None:
    found = rec.first(prop)
    if found is None:
        out.problems.append(
            f"{rec.schema} has no `{prop}` (a {rec.schema} needs {what}; add it, or skip the record with"
            " --on-error skip)"
        )
        return None
    rec.mapped(prop)
    return found


def _dates(rec: _Record, start_props: tuple[str, ...]) -> tuple[str | None, str | None, list[Cite]]:
    start = end = None
    cites: list[Cite] = []
    for prop in start_props:
        if prop in rec.props and start is None:
            found = rec.date(prop)
            if found:
                start = found[0]
                cites.append(found[1])
    found = rec.date("endDate") if "endDate" in rec.props else None
    if found:
        end = found[0]
        cites.append(found[1])
    return start, end, cites


def _label(rec: _Record, prop: str | None) -> tuple[str, list[Cite]]:
    if prop is None or prop not in rec.props:
        return "", []
    found = rec.first(prop)
    if found is None:
        return "", []
    rec.mapped(prop)
    return found[0], [found[1]]


def _status(rec: _Record) -> tuple[str, list[Cite]]:
    found = rec.first("status") if "status" in rec.props else None
    if found is None:
        return "unknown", []
    status = ftm_tables.ROLE_STATUS.get(found[0].strip().lower())
    if status is None:
        rec.note("status", found[0], found[1])
        return "unknown", []
    rec.mapped("status")
    return status, [found[1]]


def _finish(rec: _Record, claim: AnyClaim, cites: list[Cite]) -> None:
    rec.rest_into_note()
    claim.cites = [*cites, *rec.note_cites] or [rec.id_cite()]
    claim.note = rec.note_text()
    claim.where = rec.where


def _role_link(rec: _Record, out: Mapped) -> None:
    holder_prop, org_prop, default = ftm_tables.ROLE_LINKS[rec.schema]
    holder = _endpoint(rec, out, holder_prop, f"a `{holder_prop}`")
    org = _endpoint(rec, out, org_prop, f"an `{org_prop}`")
    if holder is None or org is None:
        return
    title, title_cites = _label(rec, "role")
    start, end, date_cites = _dates(rec, ("startDate", "date"))
    status, status_cites = _status(rec)
    role = Role(
        slug(rec.line.id),
        [],
        holder=slug(holder[0]),
        organisation=slug(org[0]),
        title=title.strip() or default,
        start=start,
        end=end,
        status=status,
    )
    _finish(rec, role, [holder[1], org[1], *title_cites, *date_cites, *status_cites])
    out.claims.append(role)


def _relation_link(rec: _Record, out: Mapped) -> None:
    rel_type, subject_prop, object_prop, label_prop = ftm_tables.RELATION_LINKS[rec.schema]
    subject = _endpoint(rec, out, subject_prop, f"a `{subject_prop}`")
    obj = _endpoint(rec, out, object_prop, f"an `{object_prop}`")
    if subject is None or obj is None:
        return
    rel = Relation(slug(rec.line.id), [], type=rel_type, subject=slug(subject[0]), object=slug(obj[0]))
    cites = [subject[1], obj[1]]
    if rec.schema == "Ownership" and "percentage" in rec.props and (share := rec.first("percentage")):
        rec.mapped("percentage")
        value = share[0].strip()
        rel.share = f"{value}%" if _NUMBER.fullmatch(value) else value
        cites.append(share[1])
    if rec.schema == "Payment":
        for prop in ("amount", "currency"):
            if prop in rec.props and (found := rec.first(prop)):
                rec.mapped(prop)
                setattr(rel, prop, found[0])
                cites.append(found[1])
    rel.label, label_cites = _label(rec, label_prop)
    rel.start, rel.end, date_cites = _dates(rec, ("startDate", "date"))
    _finish(rec, rel, [*cites, *label_cites, *date_cites])
    out.claims.append(rel)


def _occupancy(rec: _Record, out: Mapped) -> None:
    holder = _endpoint(rec, out, "holder", "a `holder`")
    post = _endpoint(rec, out, "post", "a `post` (a Position)")
    if holder is None or post is None:
        return
    start, end, date_cites = _dates(rec, ("startDate",))
    status, status_cites = _status(rec)
    post_id = slug(post[0])
    role = Role(
        slug(rec.line.id), [], holder=slug(holder[0]), title=f"post {post_id}", start=start, end=end, status=status
    )
    _finish(rec, role, [holder[1], post[1], *date_cites, *status_cites])
    out.claims.append(role)
    out.post = (role.id, post_id)


def _sanction(rec: _Record, out: Mapped) -> None:
    target = _endpoint(rec, out, "entity", "an `entity` (who is sanctioned)")
    if target is None:
        return
    cites = [target[1]]
    found = rec.first("authority") if "authority" in rec.props else None
    if found:
        rec.mapped("authority")
        authority = Entity(prefixed("authority", found[0]), "organisation", found[0].strip(), where=rec.where)
        cites.append(found[1])
    elif "country" in rec.props and (country := rec.first("country")):
        rec.mapped("country")
        authority = Entity(
            prefixed("authority", country[0].lower()), "organisation", f"{country_name(country[0])} authorities"
        )
        cites.append(country[1])
    else:
        authority = Entity("authority-unknown", "organisation", "unknown authority")
        rec.tally.add("kept as is", "Sanction (no authority or country: 'unknown authority')")
    authority.where = rec.where
    out.extra.append(authority)
    rel = Relation(slug(rec.line.id), [], type="sanctioned", subject=authority.id, object=slug(target[0]))
    found = rec.first("program") if "program" in rec.props else None
    if found:
        rec.mapped("program")
        rel.program = found[0]
        cites.append(found[1])
    rel.start, rel.end, date_cites = _dates(rec, ("startDate", "listingDate", "date"))
    reason = rec.values("reason")
    for value, c in reason:
        rec.notes.append(f"reason: {value}")
        rec.note_cites.append(c)
        rec.mapped("reason")
    _finish(rec, rel, [*cites, *date_cites])
    out.claims.append(rel)


def _event(rec: _Record, out: Mapped) -> None:
    event_id = slug(rec.line.id)
    names = rec.values("name")
    if names:
        rec.mapped("name", len(names))
    name = names[0][0].strip() if names else rec.caption()
    ev = Event(event_id, [], name=name, where=rec.where)
    lowered = name.lower()
    ev.type = next((t for word, t in ftm_tables.EVENT_WORDS if word in lowered), "other")
    ev.aliases = [_alias(v, "alias", c) for v, c in names[1:] if v.strip() != name]
    ev.start, ev.end, date_cites = _dates(rec, ("date", "startDate"))
    place = rec.first("addressEntity") if "addressEntity" in rec.props else None
    if place:
        rec.mapped("addressEntity")
        ev.place = slug(place[0])
    seen: set[str] = set()
    for prop, capacity in (("organizer", "organizer"), ("involved", "")):
        for value, c in rec.values(prop):
            who = slug(value)
            rec.mapped(prop)
            if who in seen:
                continue
            seen.add(who)
            ev.participants.append(
                Participant(join_ids(event_id, who), [c], where=rec.where, entity=who, capacity=capacity)
            )
    _finish(rec, ev, [*(c for _, c in names[:1]), *date_cites, *([place[1]] if place else [])])
    out.claims.append(ev)


def _identification(rec: _Record, out: Mapped) -> None:
    number_prop = "number" if "number" in rec.props or rec.schema != "Passport" else "passportNumber"
    if not rec.props.get(number_prop):
        # real lists say a passport exists without its number (GB FCDO):
        # the record is kept as a source, with nothing to claim from it
        rec.tally.add("skipped", f"{rec.schema} (no `{number_prop}`: nothing to claim)")
        rec.used.update(rec.props)
        return
    holder = _endpoint(rec, out, "holder", "a `holder`")
    number = _endpoint(rec, out, number_prop, "a `number`")
    if holder is None or number is None:
        return
    scheme = "passport" if rec.schema == "Passport" else "id-card"
    kind = rec.first("type") if "type" in rec.props else None
    if kind and rec.schema != "Passport":
        words = kind[0].lower()
        scheme = next((s for w, s in ftm_tables.DOCUMENT_TYPES if w in words), "other")
        rec.mapped("type")
    prop = Property(
        slug(rec.line.id), [], entity=slug(holder[0]), property="identifier", value=number[0].strip(), qualifier=scheme
    )
    _finish(rec, prop, [number[1], holder[1], *([kind[1]] if kind else [])])
    out.claims.append(prop)
