"""Reading back `kbtui export --format ftm`: a KB restored with its evidence.

A record with a `kbtui` member was written by kbtui.kb.export_ftm; `kbtui
import` hands it here rather than to the generic FtM mapping
(kbtui.kb.ftm_map), which would store each record as a source of its own
and cite the JSON. Here nothing is cited to the export: a Document is the
source it was exported from (its text from `bodyText`), and a
Documentation is a citation of a claim, at its span of that source (its
quote from `summary`, the document from `document`, the rest from the
member). Entities keep their ids; a merged id comes back as a redirect.

The export lists each claim's citations right after the record that holds
the claim (an entity holds its cited aliases and properties; an event its
own claim, then its participations each followed by theirs). So one group
is held at a time: written when the next record starts another.

The file is untrusted like any import: a value of the wrong type or out
of kbtui's vocabulary is one problem naming the record's line, and the
record is left out (with --on-error stop, nothing is written). A quote that
is not what its source holds at its span is refused the same way once the
file is read (finish()).
"""

from __future__ import annotations

import json
import sqlite3
from hashlib import sha256
from typing import Any

from kbtui.kb import dates, vocab
from kbtui.kb.ftm_read import Line
from kbtui.kb.records import Alias, AnyClaim, Cite, Entity, Event, Participant, Property, Relation, Role, Source
from kbtui.kb.sink import Sink

# source columns the Source record and the sink's INSERT carry themselves
SOURCE_OWN = {
    "id",
    "title",
    "text",
    "format",
    "outlet",
    "author",
    "published",
    "url",
    "note",
    "date_basis",
    "as_of_note",
    "meta",
    "version",
    "sha256",
    "input_id",
    "retrieved",  # (from the Document's retrievedAt, set with the extras)
}
DATE_COLUMNS = {"via_date", "not_before", "not_after"}


class Bad(Exception):
    """One record's problem, in words."""


def is_export(line: Line) -> bool:
    return line.op is None and isinstance(line.entity.get("kbtui"), dict)


class Restore:
    def __init__(self, conn: sqlite3.Connection, sink: Sink) -> None:
        self.conn = conn
        self.sink = sink
        self.extra_columns = {
            str(r[1]) for r in conn.execute("PRAGMA table_info(sources)") if str(r[1]) not in SOURCE_OWN
        }
        self.versions: dict[str, list[dict[str, Any]]] = {}
        self.redirects: list[tuple[str, str, str]] = []  # old, new, where
        # a cited alias's claim, disputed or noted: the sink writes alias claims bare
        self.alias_claims: list[tuple[str | None, str, str]] = []  # disputed, note, claim id
        self.counts = {"sources": 0, "entities": 0, "claims": 0, "citations": 0}
        self._clear()

    def _clear(self) -> None:
        self.entity: Entity | None = None
        self.event: Event | None = None
        self.claims: list[AnyClaim] = []
        # the claims of the group, by id, for the citations that follow
        self.open: dict[str, AnyClaim | Alias] = {}

    # -- records ------------------------------------------------------------------
    def take(self, line: Line) -> None:
        member: dict[str, Any] = line.entity["kbtui"]
        record = member.get("record")
        try:
            if record == "citation":
                self._citation(line, member)
            elif record == "participation" and self.event is not None and member.get("event") == self.event.id:
                self._participation(line, member)
            else:
                self.flush()
                if record == "source":
                    self._source(line, member)
                elif record == "version":
                    self._version(line, member)
                elif record == "entity":
                    self._entity(line, member)
                elif record == "role":
                    self._role(line, member)
                elif record == "relation":
                    self._relation(line, member)
                elif record == "participation":
                    raise Bad(f"participation `{member.get('claim')}` does not follow its event's record")
                elif record != "position":  # a role's post: the role holds its title
                    raise Bad(f"`kbtui.record` is {str(record)[:40]!r}: not a record kbtui exports")
        except Bad as exc:
            self.sink.problem(line.where, f"{line.entity.get('id')!s:.80}: {exc}")

    def flush(self) -> None:
        """Write the group held (its claims have all their citations now)."""
        if self.entity is not None:
            self.sink.entity(self.entity)
            self.counts["entities"] += 1
        if self.event is not None:
            self.sink.claim(self.event)
            self.counts["entities"] += 1
        for claim in self.claims:
            self.sink.claim(claim)
        self.counts["claims"] += len(self.open)
        self._clear()

    def _source(self, line: Line, m: dict[str, Any]) -> None:
        props = _props(line)
        sid = _id(m, "id")
        if line.entity.get("id") != f"source.{sid}":
            raise Bad(f"a source's FtM id is `source.{sid}`")
        text = _first(props, "bodyText", required=True)
        fmt = _choice(m, "format", ("text", "ftm", "csv"), "text")
        meta = _text(m, "meta") or "{}"
        try:
            meta_obj = json.loads(meta)
        except ValueError as exc:
            raise Bad("`kbtui.meta` is not a JSON object") from exc
        if not isinstance(meta_obj, dict):
            raise Bad("`kbtui.meta` is not a JSON object")
        version = _int(m, "version", 1)
        source = Source(
            id=sid,
            title=_first(props, "title", required=True),
            text=text,
            format=fmt,
            outlet=_first(props, "publisher") or None,
            author=_first(props, "author") or None,
            published=_date(_first(props, "publishedAt") or None, "publishedAt"),
            url=_first(props, "sourceUrl") or None,
            note=_text(m, "note"),
            date_basis=_choice(m, "date_basis", vocab.DATE_BASES, "unknown"),
            as_of_note=_text(m, "as_of_note"),
            meta=meta_obj,
            where=line.where,
            version=version,
            versions=self.versions.pop(sid, []),
        )
        if any(v["version"] >= version for v in source.versions):
            raise Bad(f"an earlier version of `{sid}` is numbered {version} or more")
        extra: dict[str, Any] = {}
        for key in sorted(self.extra_columns & m.keys()):
            value = m[key]
            if (value is not None and not isinstance(value, (str, int))) or isinstance(value, bool):
                raise Bad(f"`kbtui.{key}` is not text or a number")
            if key in DATE_COLUMNS:
                _date(value, key)
            extra[key] = value
        retrieved = _first(props, "retrievedAt")
        if retrieved:
            extra["retrieved"] = retrieved
        if self.sink.source(source):
            self.sink.source_extra(sid, extra)
            self.counts["sources"] += 1

    def _version(self, line: Line, m: dict[str, Any]) -> None:
        props = _props(line)
        sid = _id(m, "source")
        text = _first(props, "bodyText", required=True)
        version = _int(m, "version", None)
        v: dict[str, Any] = {"version": version, "text": text, "sha256": sha256(text.encode("utf-8")).hexdigest()}
        for key in ("archive_url", "capture_file", "capture_sha256"):
            v[key] = _text(m, key) or None
        v["replaced"] = _text(m, "replaced")
        v["retrieved"] = _first(props, "retrievedAt") or None
        self.versions.setdefault(sid, []).append(v)

    def _entity(self, line: Line, m: dict[str, Any]) -> None:
        eid = str(line.entity.get("id"))
        _check_id(eid, "id")
        kind = _choice(m, "kind", vocab.ENTITY_KINDS, None)
        name = _text(m, "name", required=True)
        summary = _text(m, "summary")
        aliases = [self._alias(a) for a in _list(m, "aliases")]
        for p in _list(m, "properties"):
            self._property(eid, p, line.where)
        for old in line.entity.get("referents") or []:
            if not isinstance(old, str):
                raise Bad("`referents` holds a value that is not an id")
            self.redirects.append((_check_id(old, "referents"), eid, line.where))
        if kind == "event" and m.get("claim") is not None:
            claim = _text(m, "claim", required=True)
            if claim != eid:
                raise Bad(f"an event's claim is the event (`{eid}`), not `{claim}`")
            event = Event(
                eid,
                [],
                disputed=_text(m, "disputed") or None,
                note=_text(m, "note"),
                where=line.where,
                name=name,
                type=_choice(m, "type", vocab.EVENT_TYPES, "other"),
                summary=summary,
                aliases=aliases,
                start=_date(m.get("start"), "start"),
                end=_date(m.get("end"), "end"),
                place=_opt_id(m, "place"),
            )
            self.event = event
            self.open[eid] = event
            return
        self.entity = Entity(eid, kind, name, summary, aliases, line.where)

    def _alias(self, a: Any) -> Alias:
        if not isinstance(a, dict):
            raise Bad("`kbtui.aliases` holds a value that is not an object")
        alias = Alias(
            _text(a, "alias", required=True),
            _choice(a, "kind", vocab.ALIAS_KINDS, "alias"),
            _date(a.get("as_of"), "as_of"),
            claim_id=_opt_id(a, "claim"),
        )
        if alias.claim_id is not None:
            self.open[alias.claim_id] = alias
            disputed, note = _text(a, "disputed") or None, _text(a, "note")
            if disputed or note:
                self.alias_claims.append((disputed, note, alias.claim_id))
        return alias

    def _property(self, entity_id: str, p: Any, where: str) -> None:
        if not isinstance(p, dict):
            raise Bad("`kbtui.properties` holds a value that is not an object")
        claim = Property(
            **_claim(p, where),
            entity=entity_id,
            property=_choice(p, "property", vocab.PROPERTIES, None),
            value=_text(p, "value", required=True),
            qualifier=_text(p, "qualifier"),
        )
        self._hold(claim)

    def _role(self, line: Line, m: dict[str, Any]) -> None:
        role = Role(
            **_claim(m, line.where),
            holder=_id(m, "holder"),
            organisation=_opt_id(m, "organisation"),
            title=_text(m, "title", required=True),
            start=_date(m.get("start"), "start"),
            end=_date(m.get("end"), "end"),
            status=_choice(m, "status", vocab.ROLE_STATUSES, "unknown"),
        )
        self._hold(role)

    def _relation(self, line: Line, m: dict[str, Any]) -> None:
        rel = Relation(
            **_claim(m, line.where),
            type=_choice(m, "type", vocab.RELATION_TYPES, None),
            subject=_id(m, "subject"),
            object=_id(m, "object"),
            start=_date(m.get("start"), "start"),
            end=_date(m.get("end"), "end"),
            label=_text(m, "label"),
        )
        for key in ("share", "amount", "currency", "program"):
            setattr(rel, key, _text(m, key) or None)
        self._hold(rel)

    def _participation(self, line: Line, m: dict[str, Any]) -> None:
        assert self.event is not None
        p = Participant(
            **_claim(m, line.where),
            entity=_id(m, "entity"),
            capacity=_text(m, "capacity"),
        )
        if p.id in self.open:
            raise Bad(f"claim `{p.id}` appears twice")
        self.event.participants.append(p)
        self.open[p.id] = p

    def _hold(self, claim: AnyClaim) -> None:
        if claim.id in self.open:
            raise Bad(f"claim `{claim.id}` appears twice")
        self.claims.append(claim)
        self.open[claim.id] = claim

    def _citation(self, line: Line, m: dict[str, Any]) -> None:
        props = _props(line)
        claim_id = _id(m, "claim")
        held = self.open.get(claim_id)
        if held is None:
            raise Bad(
                f"a citation of claim `{claim_id}`, which is not in the record before it"
                " (a kbtui export lists a claim's citations right after it)"
            )
        document = _first(props, "document", required=True)
        version = _int(m, "version", None) if m.get("version") is not None else None
        source_id = document.removeprefix("source.")
        if version is not None:
            source_id = source_id.removesuffix(f".v{version}")
        if not document.startswith("source.") or not _is_id(source_id):
            raise Bad(f"`document` {document[:80]!r} is not a source of this export")
        start, end = _int(m, "start", None), _int(m, "end", None)
        if start < 0 or end <= start:
            raise Bad(f"the span {start}-{end} is not a span of characters")
        cite = Cite(
            source_id,
            start,
            end,
            _first(props, "summary", required=True),
            prefix=_text(m, "prefix"),
            suffix=_text(m, "suffix"),
            anchor=_choice(m, "anchor", vocab.ANCHOR_METHODS, "exact"),
            as_of=_date(_first(props, "date") or None, "date"),
            as_of_note=_text(m, "as_of_note"),
            stance=_choice(m, "stance", vocab.STANCES, "supports"),
            certainty=_choice(m, "certainty", vocab.CERTAINTIES, "stated"),
            mode=_choice(m, "mode", vocab.MODES, "asserts"),
            speaker_id=_opt_id(m, "speaker_id"),
            speaker=_text(m, "speaker"),
            version=version,
            number=_number(str(line.entity.get("id"))),
        )
        held.cites.append(cite)
        self.counts["citations"] += 1

    # -- the end ------------------------------------------------------------------
    def finish(self) -> None:
        """Write the last group, then check every restored quote against its
        source (a quote is what its source holds at its span, or it is no
        citation): a mismatch is a problem naming the claim."""
        self.flush()
        if not self.counts["citations"]:
            return
        self.sink.release()
        bad = self.conn.execute(
            'SELECT c.claim_id, c.source_id, c.start, c."end" FROM citations c JOIN claims k ON k.id = c.claim_id'
            " LEFT JOIN sources s ON s.id = c.source_id AND c.version IS NULL"
            " LEFT JOIN source_versions v ON v.source_id = c.source_id AND v.version = c.version"
            " WHERE k.input_id = ? AND substr(coalesce(s.text, v.text, ''), c.start + 1, c.\"end\" - c.start)"
            " IS NOT c.quote LIMIT 100",
            (self.sink.input,),
        ).fetchall()
        for claim_id, source_id, start, end in bad:
            self.sink.problem(
                "",
                f"claim `{claim_id}`: its quote is not what `{source_id}` holds at {start}-{end}"
                " (the export was edited, or the source is not in it)",
            )

    def after(self) -> None:
        """After the sink's finish (which follows the KB's redirects): the
        redirects, and what the sink does not write of alias claims."""
        self.conn.executemany("UPDATE claims SET disputed = ?, note = ? WHERE id = ?", self.alias_claims)
        for old, new, where in self.redirects:
            if self.conn.execute("SELECT 1 FROM entities WHERE id = ?", (old,)).fetchone():
                self.sink.problem(where, f"`{old}` is an entity of the KB: it cannot also redirect to `{new}`")
                continue
            self.conn.execute("INSERT OR REPLACE INTO redirects (old_id, new_id) VALUES (?, ?)", (old, new))


# -- values --------------------------------------------------------------------------
def _props(line: Line) -> dict[str, Any]:
    props = line.entity.get("properties")
    return props if isinstance(props, dict) else {}


def _first(props: dict[str, Any], key: str, required: bool = False) -> str:
    values = props.get(key) or []
    value = values[0] if isinstance(values, list) and values else None
    if not isinstance(value, str) or not value:
        if required:
            raise Bad(f"has no `{key}`")
        return ""
    return value


def _text(m: dict[str, Any], key: str, required: bool = False) -> str:
    value = m.get(key)
    if value is None or value == "":
        if required:
            raise Bad(f"has no `kbtui.{key}`")
        return ""
    if not isinstance(value, str):
        raise Bad(f"`kbtui.{key}` is not text")
    return value


def _int(m: dict[str, Any], key: str, default: int | None) -> int:
    value = m.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise Bad(f"`kbtui.{key}` is not a whole number")
    return value


def _choice(m: dict[str, Any], key: str, allowed: tuple[str, ...], default: str | None) -> Any:
    value = m.get(key, default)
    if value not in allowed:
        raise Bad(f"`kbtui.{key}` is {str(value)[:40]!r}, not one of {', '.join(allowed)}")
    return value


def _date(value: Any, key: str) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or dates.problem(value) is not None:
        raise Bad(f"`{key}` is {str(value)[:40]!r}, not a date like 2024, 2024-05 or 2024-05-06")
    return value


def _is_id(value: str) -> bool:
    return 0 < len(value) <= vocab.MAX_ID and all(c in "abcdefghijklmnopqrstuvwxyz0123456789-" for c in value)


def _check_id(value: str, key: str) -> str:
    if not _is_id(value):
        raise Bad(f"`{key}` {value[:80]!r} is not a kbtui id (a-z, 0-9 and '-')")
    return value


def _id(m: dict[str, Any], key: str) -> str:
    return _check_id(_text(m, key, required=True), f"kbtui.{key}")


def _opt_id(m: dict[str, Any], key: str) -> str | None:
    value = _text(m, key)
    return _check_id(value, f"kbtui.{key}") if value else None


def _number(ftm_id: str) -> int | None:
    """The citation number of `cite.N`, if it is one."""
    digits = ftm_id.removeprefix("cite.")
    return int(digits) if digits != ftm_id and digits.isdigit() and len(digits) < 19 else None


def _claim(m: dict[str, Any], where: str) -> dict[str, Any]:
    """What every claim record has: its id, disputed and note (citations follow)."""
    return {
        "id": _id(m, "claim"),
        "cites": [],
        "disputed": _text(m, "disputed") or None,
        "note": _text(m, "note"),
        "where": where,
    }


def _list(m: dict[str, Any], key: str) -> list[Any]:
    value = m.get(key) or []
    if not isinstance(value, list):
        raise Bad(f"`kbtui.{key}` is not a list")
    return value
