"""Read-side queries, returning the typed dicts of kbtui.kb.models: the
JSON shapes of the CLI contract (see README, "JSON output"). The CLI prints
them and the TUI renders the very same dicts."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from typing import Any, cast

from kbtui.kb import attest, dates
from kbtui.kb.errors import NotFound
from kbtui.kb.models import (
    AliasInfo,
    AtDate,
    Attested,
    Citation,
    CitationDetail,
    Conflict,
    Entity,
    EntityRef,
    Erratum,
    Event,
    Evidence,
    MarkedCitation,
    Mention,
    Property,
    Relation,
    Role,
    RolesAs,
    SourceDetail,
    SourceMentioning,
    SourceSummary,
    Speaker,
    Stats,
)
from kbtui.kb.search import search
from kbtui.kb.vocab import iso_interval


def _ref(id_: str | None, name: str | None) -> EntityRef | None:
    return {"id": id_, "name": name or ""} if id_ else None


def _holder(id_: str, name: str) -> EntityRef:
    return {"id": id_, "name": name}


def names_and_kinds(conn: sqlite3.Connection, ids: Iterable[str]) -> dict[str, tuple[str, str]]:
    """id -> (name, kind) of these entities, read by primary key in batches."""
    out: dict[str, tuple[str, str]] = {}
    listed = sorted(set(ids))
    for i in range(0, len(listed), 500):
        part = listed[i : i + 500]
        for id_, name, kind in conn.execute(
            f"SELECT id, name, kind FROM entities WHERE id IN ({','.join('?' * len(part))})", part
        ):
            out[id_] = (name, kind)
    return out


def named(names: dict[str, tuple[str, str]], id_: str) -> dict[str, str]:
    """{"id", "name", "kind"} from names_and_kinds (the id for a name it lacks)."""
    name, kind = names.get(id_, (id_, ""))
    return {"id": id_, "name": name, "kind": kind}


def resolve(conn: sqlite3.Connection, ref: str, kind: str | None = None) -> str:
    """An entity id from an id or a name that resolves unambiguously."""
    row = conn.execute("SELECT id FROM entities WHERE id = ?", (ref,)).fetchone()
    if row:
        return str(row[0])
    merged = redirected(conn, ref)
    if merged is not None:
        return merged
    # a descriptor ("Xi's security chief") or a metonym ("Beijing" for
    # China) names the entity only at a date or by figure of speech: found
    # by search, never the answer to a name on the command line
    exact = conn.execute(
        "SELECT DISTINCT n.entity_id FROM names n JOIN entities e ON e.id = n.entity_id "
        "WHERE n.name = ? COLLATE NOCASE AND (n.is_primary = 1 OR NOT EXISTS (SELECT 1 FROM aliases a"
        " WHERE a.entity_id = n.entity_id AND a.alias = n.name AND a.kind IN ('descriptor', 'metonym')))"
        + (" AND e.kind = ?" if kind else ""),
        (ref, kind) if kind else (ref,),
    ).fetchall()
    if len(exact) == 1:
        return str(exact[0][0])
    hits = search(conn, ref, kind=kind, limit=8)
    strong = [h for h in hits if h.score >= 95 and not _unresolving(conn, h.id, h.matched)]
    if len(strong) == 1 and not exact:
        return strong[0].id
    candidates = [h.as_json() for h in (hits if not exact else [h for h in hits if h.id in {r[0] for r in exact}])]
    if not candidates:
        raise NotFound(f"no entity matches {ref!r}", "try `kbtui search` to find its id")
    if len(candidates) == 1:
        raise NotFound(
            f"no entity is called {ref!r}; the closest is listed above",
            "pass its id if it is the one you mean",
            candidates,
        )
    raise NotFound(f"{ref!r} is ambiguous ({len(candidates)} candidates)", "pass one of the ids listed", candidates)


def redirected(conn: sqlite3.Connection, entity_id: str) -> str | None:
    """The entity a merged id now names (kbtui.kb.merge), None if it names none."""
    row = conn.execute("SELECT new_id FROM redirects WHERE old_id = ?", (entity_id,)).fetchone()
    if row is None:
        return None
    from kbtui.kb.merge import resolve  # (merge reads the index, which reads this module)

    return resolve(conn, entity_id)


def _unresolving(conn: sqlite3.Connection, entity_id: str, matched: str | None) -> bool:
    if not matched:
        return False
    return (
        conn.execute(
            "SELECT 1 FROM aliases WHERE entity_id = ? AND alias = ? AND kind IN ('descriptor', 'metonym')",
            (entity_id, matched),
        ).fetchone()
        is not None
    )


_CITATION_SQL = (
    'SELECT c.id, c.claim_id, c.quote, c.start, c."end", c.anchor, s.id AS sid, s.title,'
    " s.outlet, s.author, s.published, c.as_of, c.as_of_note, c.stance, c.certainty, c.mode,"
    " c.speaker_id, sp.name AS speaker_name, c.speaker"
    " FROM citations c JOIN sources s ON s.id = c.source_id LEFT JOIN entities sp ON sp.id = c.speaker_id"
)


def citations_for(conn: sqlite3.Connection, claim_ids: list[str]) -> dict[str, list[Citation]]:
    out: dict[str, list[Citation]] = {c: [] for c in claim_ids}
    for i in range(0, len(claim_ids), 500):
        part = claim_ids[i : i + 500]
        rows = conn.execute(
            _CITATION_SQL + f" WHERE c.claim_id IN ({','.join('?' * len(part))}) ORDER BY c.id",
            part,
        )
        for r in rows:
            found = out.get(r["claim_id"])
            if found is not None:  # a damaged index can return rows not asked for
                found.append(_citation(r))
    return out


def _citation(r: sqlite3.Row) -> Citation:
    speaker: Speaker | None = None
    if r["speaker_id"]:
        speaker = {"id": r["speaker_id"], "name": r["speaker_name"] or r["speaker_id"]}
    elif r["speaker"]:
        speaker = {"id": None, "name": r["speaker"]}
    return {
        "id": r["id"],
        "source": {
            "id": r["sid"],
            "title": r["title"],
            "outlet": r["outlet"],
            "author": r["author"],
            "published": r["published"],
        },
        "quote": r["quote"],
        "span": [r["start"], r["end"]],
        "anchor": r["anchor"],
        "as_of": r["as_of"],
        "as_of_note": r["as_of_note"],
        "stance": r["stance"],
        "certainty": r["certainty"],
        "mode": r["mode"],
        "speaker": speaker,
    }


def _dated(cites: list[Citation]) -> list[attest.Dated]:
    return [attest.Dated(c["as_of"], c["stance"], c["mode"]) for c in cites]


def attested(cites: list[Citation]) -> Attested:
    first, last = attest.window(_dated(cites))
    return {"first": first, "last": last}


def independence_keys(conn: sqlite3.Connection, source_ids: set[str]) -> dict[str, str]:
    """Each source's original: the end of its chain of `relays`, or the
    `origin` it names. Sources with one key count as one source."""
    keys: dict[str, str] = {}
    ids = sorted(source_ids)
    for i in range(0, len(ids), 500):
        part = ids[i : i + 500]
        rows = conn.execute(
            "WITH RECURSIVE chain(start, id, relays, origin, depth) AS ("
            " SELECT id, id, relays, origin, 0 FROM sources"
            f" WHERE id IN ({','.join('?' * len(part))})"
            " UNION ALL SELECT c.start, s.id, s.relays, s.origin, c.depth + 1 FROM chain c"
            " JOIN sources s ON s.id = c.relays WHERE c.depth < 50)"
            " SELECT start, id, origin FROM chain ORDER BY start, depth",
            part,
        )
        for start, sid, origin in rows:  # the last row per start is the chain's end
            keys[start] = f"origin:{origin.strip().casefold()}" if origin else f"source:{sid}"
    return keys


def independent_sources(cites: list[Citation], keys: dict[str, str]) -> int:
    """How many independent sources give evidence for the claim."""
    return len({keys.get(c["source"]["id"], c["source"]["id"]) for c in cites if attest.is_evidence(_dated([c])[0])})


def conflicts_of(conn: sqlite3.Connection, claim_ids: list[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {c: [] for c in claim_ids}
    for i in range(0, len(claim_ids), 400):
        part = claim_ids[i : i + 400]
        marks = ",".join("?" * len(part))
        for a, b in conn.execute(
            f"SELECT claim_id, other_id FROM conflicts WHERE claim_id IN ({marks})"
            f" UNION SELECT other_id, claim_id FROM conflicts WHERE other_id IN ({marks})",
            part + part,
        ):
            if a in out:  # a damaged index can return rows not asked for (kbtui check names it)
                out[a].append(b)
    return out


class _Evidence:
    """The citations of a batch of claims, with what is derived from them
    (attestation window, independent sources, conflicts), loaded at once."""

    def __init__(self, conn: sqlite3.Connection, claim_ids: list[str]) -> None:
        self.cites = citations_for(conn, claim_ids)
        sources = {c["source"]["id"] for cs in self.cites.values() for c in cs}
        self.keys = independence_keys(conn, sources)
        self.conflicts = conflicts_of(conn, claim_ids)
        partners = sorted({o for others in self.conflicts.values() for o in others})
        self.wrong: set[str] = set()  # partners marked disputed: conflicts settled against them
        for i in range(0, len(partners), 500):
            part = partners[i : i + 500]
            self.wrong.update(
                r[0]
                for r in conn.execute(
                    f"SELECT id FROM claims WHERE disputed IS NOT NULL AND id IN ({','.join('?' * len(part))})", part
                )
            )

    def record(self, claim_id: str, disputed: str | None, note: str | None) -> Evidence:
        """What every claim carries, for one claim of the batch."""
        return {
            "id": claim_id,
            "citations": self.cites[claim_id],
            "disputed": disputed,
            "note": note,
            "attested": self.attested(claim_id),
            "independent_sources": self.independent(claim_id),
            "conflicts": self.conflicts[claim_id],
            "contested": self.contested(claim_id),
        }

    def contested(self, claim_id: str) -> bool:
        """In a conflict that is not settled: a partner not itself marked
        disputed (Xi as China's leader is not made doubtful by RT's "premier",
        which is marked disputed; two unmarked claims in conflict both are)."""
        return any(o not in self.wrong for o in self.conflicts[claim_id])

    def attested(self, claim_id: str) -> Attested:
        return attested(self.cites[claim_id])

    def independent(self, claim_id: str) -> int:
        return independent_sources(self.cites[claim_id], self.keys)


_ROLE_SQL = (
    "SELECT r.claim_id, r.title, r.holder_id, h.name AS holder, r.organisation_id, o.name AS org,"
    ' r.start, r."end", r.status, c.disputed, c.note FROM roles r JOIN claims c ON c.id = r.claim_id'
    " JOIN entities h ON h.id = r.holder_id LEFT JOIN entities o ON o.id = r.organisation_id"
)
# current first, then by date (latest first), then by name: the order people scan in
_ROLE_ORDER = (
    " ORDER BY CASE r.status WHEN 'current' THEN 0 WHEN 'unknown' THEN 1 ELSE 2 END,"
    " coalesce(r.start, '') DESC, h.name, r.claim_id"
)


def roles(
    conn: sqlite3.Connection,
    holder: str | None = None,
    organisation: str | None = None,
    as_of: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[Role]:
    """Roles of a holder and/or organisation (or all), in reading order.

    With `as_of`, every role carries `at`: its state at that date (see
    kbtui.kb.attest), and the list is ordered by state, held first; the
    state comes from citations, so the page is cut after ordering."""
    where: list[str] = []
    args: list[str | int] = []
    if holder:
        where.append("r.holder_id = ?")
        args.append(holder)
    if organisation:
        where.append("r.organisation_id = ?")
        args.append(organisation)
    sql = _ROLE_SQL + (" WHERE " + " AND ".join(where) if where else "") + _ROLE_ORDER
    if limit is not None and not as_of:
        sql += " LIMIT ? OFFSET ?"
        args += [limit, offset]
    rows = conn.execute(sql, args).fetchall()
    ev = _Evidence(conn, [r["claim_id"] for r in rows])
    out: list[Role] = []
    for r in rows:
        # (a cast: mypy will not build a TypedDict with a NotRequired key
        # from ** items; the keys are Role's, checked by tests/test_cli*.py)
        role = cast(
            Role,
            dict(
                **ev.record(r["claim_id"], r["disputed"], r["note"]),
                title=r["title"],
                holder=_holder(r["holder_id"], r["holder"]),
                organisation=_ref(r["organisation_id"], r["org"]),
                start=r["start"],
                end=r["end"],
                status=r["status"],
            ),
        )
        if as_of:
            role["at"] = state_at(role, as_of)
        out.append(role)
    if as_of:
        out.sort(key=lambda role: attest.STATE_ORDER[role["at"]["state"]] if "at" in role else 0)
        if limit is not None:
            out = out[offset : offset + limit]
    return out


def state_at(role: Role, at: str) -> AtDate:
    """The role's state at `at` (an ISO prefix the caller has validated)."""
    day = dates.span(at)
    disputed = bool(role["disputed"]) or role["contested"] or attest.contradicted_by(_dated(role["citations"]), day)
    verdict = attest.role_state(
        at,
        role["start"],
        role["end"],
        role["status"],
        role["attested"]["first"],
        role["attested"]["last"],
        disputed,
    )
    return {"date": at, "state": verdict.state, "days_before": verdict.days_before}


def roles_of(
    conn: sqlite3.Connection, entity_id: str, roles_as: RolesAs, limit: int | None = None, offset: int = 0
) -> list[Role]:
    """A page of an entity's roles, from the side queries.show chose
    (Entity["roles_as"]): the roles it holds, or the roles held in it."""
    if roles_as == "organisation":
        return roles(conn, organisation=entity_id, limit=limit, offset=offset)
    return roles(conn, holder=entity_id, limit=limit, offset=offset)


def count_roles(conn: sqlite3.Connection, entity_id: str, roles_as: RolesAs) -> int:
    column = "organisation_id" if roles_as == "organisation" else "holder_id"
    found: int = conn.execute(f"SELECT count(*) FROM roles WHERE {column} = ?", (entity_id,)).fetchone()[0]
    return found


def evidence(conn: sqlite3.Connection, claim_ids: list[str]) -> dict[str, Evidence]:
    """The evidence record of any claims by id (citations, attestation
    window, independent sources, conflicts, disputed, note), loaded at once."""
    ids = sorted(set(claim_ids))
    ev = _Evidence(conn, ids)
    out: dict[str, Evidence] = {}
    for i in range(0, len(ids), 500):
        part = ids[i : i + 500]
        for cid, disputed, note in conn.execute(
            f"SELECT id, disputed, note FROM claims WHERE id IN ({','.join('?' * len(part))})", part
        ):
            out[cid] = ev.record(cid, disputed, note)
    return out


# the entity whose pane a claim belongs in, for each kind of claim
_OWNER_SQL = {
    "role": "SELECT e.id, e.name FROM roles x JOIN entities e ON e.id = x.holder_id WHERE x.claim_id = ?",
    "relation": "SELECT e.id, e.name FROM relations x JOIN entities e ON e.id = x.subject_id WHERE x.claim_id = ?",
    "property": "SELECT e.id, e.name FROM properties x JOIN entities e ON e.id = x.entity_id WHERE x.claim_id = ?",
    "alias": "SELECT e.id, e.name FROM aliases x JOIN entities e ON e.id = x.entity_id WHERE x.claim_id = ?",
    "event": "SELECT e.id, e.name FROM events x JOIN entities e ON e.id = x.entity_id WHERE x.claim_id = ?",
    "participation": (
        "SELECT e.id, e.name FROM participations x JOIN entities e ON e.id = x.entity_id WHERE x.claim_id = ?"
    ),
}


def claim_owner(conn: sqlite3.Connection, claim_id: str) -> EntityRef | None:
    """The entity a claim is about (a role's holder, a relation's subject,
    a property's entity, an event), whose pane shows it; None if unknown."""
    kind = conn.execute("SELECT kind FROM claims WHERE id = ?", (claim_id,)).fetchone()
    sql = _OWNER_SQL.get(kind[0]) if kind else None
    row = conn.execute(sql, (claim_id,)).fetchone() if sql else None
    return {"id": row[0], "name": row[1]} if row else None


def relations(conn: sqlite3.Connection, entity_id: str) -> list[Relation]:
    rows = conn.execute(
        "SELECT r.claim_id, r.type, r.label, r.subject_id, s.name AS sname, r.object_id, o.name AS oname,"
        ' r.start, r."end", c.disputed, c.note FROM relations r JOIN claims c ON c.id = r.claim_id'
        " JOIN entities s ON s.id = r.subject_id JOIN entities o ON o.id = r.object_id"
        " WHERE r.subject_id = ? OR r.object_id = ? ORDER BY r.type, sname, oname",
        (entity_id, entity_id),
    ).fetchall()
    ev = _Evidence(conn, [r["claim_id"] for r in rows])
    return [
        {
            "id": r["claim_id"],
            "type": r["type"],
            "label": r["label"],
            "subject": _holder(r["subject_id"], r["sname"]),
            "object": _holder(r["object_id"], r["oname"]),
            "start": r["start"],
            "end": r["end"],
            **ev.record(r["claim_id"], r["disputed"], r["note"]),
        }
        for r in rows
    ]


def events(conn: sqlite3.Connection, entity_id: str) -> list[Event]:
    """Events the entity took part in, was the place of, or is."""
    ids = [
        r[0]
        for r in conn.execute(
            "SELECT entity_id FROM events WHERE entity_id = ? OR place_id = ? "
            "UNION SELECT event_id FROM participations WHERE entity_id = ?",
            (entity_id, entity_id, entity_id),
        )
    ]
    found = [ev for i in ids if (ev := _event_if_readable(conn, i)) is not None]
    return sorted(found, key=lambda e: (e["start"] or "", e["name"]), reverse=True)


def _event_if_readable(conn: sqlite3.Connection, event_id: str) -> Event | None:
    """event(), or None when a damaged file hides its row: a list of an
    entity's events shows the rest rather than failing."""
    try:
        return event(conn, event_id)
    except NotFound:
        return None


def event(conn: sqlite3.Connection, event_id: str) -> Event:
    r = conn.execute(
        'SELECT e.entity_id, en.name, e.type, e.start, e."end", e.place_id, p.name AS place,'
        " e.claim_id, c.disputed, c.note FROM events e JOIN entities en ON en.id = e.entity_id"
        " JOIN claims c ON c.id = e.claim_id LEFT JOIN entities p ON p.id = e.place_id"
        " WHERE e.entity_id = ?",
        (event_id,),
    ).fetchone()
    if r is None:
        # listed by an index but not found by the row's own key: the file is
        # damaged (an ordinary missing id never gets here)
        raise NotFound(f"event {event_id!r} is listed but its row cannot be read", "run `kbtui check`")
    parts = conn.execute(
        "SELECT p.claim_id, p.entity_id, en.name, en.kind, p.capacity FROM participations p"
        " JOIN entities en ON en.id = p.entity_id WHERE p.event_id = ? ORDER BY en.name",
        (event_id,),
    ).fetchall()
    ev = _Evidence(conn, [r["claim_id"]] + [p["claim_id"] for p in parts])
    cites = ev.cites
    return {
        "id": r["entity_id"],
        "name": r["name"],
        "type": r["type"],
        "date": iso_interval(r["start"], r["end"]),
        "start": r["start"],
        "end": r["end"],
        "place": _ref(r["place_id"], r["place"]),
        "disputed": r["disputed"],
        "note": r["note"],
        "participants": [
            {
                "id": p["entity_id"],
                "name": p["name"],
                "kind": p["kind"],
                "capacity": p["capacity"],
                "claim_id": p["claim_id"],
                "citations": cites[p["claim_id"]],
                "attested": ev.attested(p["claim_id"]),
                "independent_sources": ev.independent(p["claim_id"]),
            }
            for p in parts
        ],
        **ev.record(r["claim_id"], r["disputed"], r["note"]),
    }


def _roles_as(conn: sqlite3.Connection, entity_id: str, kind: str) -> RolesAs:
    """People hold roles; anything else that roles are held in lists its
    holders (an organisation's people), else the roles it holds itself."""
    if kind == "person":
        return "holder"
    held_in = conn.execute("SELECT 1 FROM roles WHERE organisation_id = ? LIMIT 1", (entity_id,)).fetchone()
    return "organisation" if held_in else "holder"


def show(conn: sqlite3.Connection, entity_id: str, limit: int | None = None, offset: int = 0) -> Entity:
    e = conn.execute("SELECT id, kind, name, summary FROM entities WHERE id = ?", (entity_id,)).fetchone()
    if e is None:
        merged = redirected(conn, entity_id)  # a merged id shows the entity it merged into
        if merged is not None and merged != entity_id:
            found = show(conn, merged, limit, offset)
            found["merged_from"] = entity_id
            return found
        raise NotFound(f"no entity with id {entity_id!r}", "try `kbtui search`")
    aliases: list[AliasInfo] = [
        {"name": a["alias"], "kind": a["kind"], "as_of": a["as_of"], "claim_id": a["claim_id"]}
        for a in conn.execute(
            "SELECT alias, kind, as_of, claim_id FROM aliases WHERE entity_id = ? ORDER BY alias", (entity_id,)
        )
    ]
    if e["kind"] == "event":
        own = _event_if_readable(conn, entity_id)
        evs = [own] if own is not None else []
    else:
        evs = events(conn, entity_id)
    roles_as = _roles_as(conn, entity_id, e["kind"])
    return {
        "id": e["id"],
        "kind": e["kind"],
        "name": e["name"],
        # (a cited alias that is the name itself records where it is named; not another name)
        "aliases": [a["name"] for a in aliases if a["name"] != e["name"]],
        "alias_kinds": aliases,
        "summary": e["summary"],
        "roles": roles_of(conn, entity_id, roles_as, limit=limit, offset=offset),
        "roles_total": count_roles(conn, entity_id, roles_as),
        "roles_offset": offset,
        "roles_as": roles_as,
        "relations": relations(conn, entity_id),
        "events": evs,
        "sources": sources_mentioning(conn, entity_id),
        "properties": properties(conn, entity_id),
    }


def properties(conn: sqlite3.Connection, entity_id: str) -> list[Property]:
    """An entity's cited properties, grouped by property."""
    rows = conn.execute(
        "SELECT p.claim_id, p.property, p.value, p.qualifier, v.name AS vname, c.disputed, c.note"
        " FROM properties p JOIN claims c ON c.id = p.claim_id"
        " LEFT JOIN entities v ON v.id = p.value AND p.property IN ('nationality', 'affiliation')"
        " WHERE p.entity_id = ? ORDER BY p.property, p.value",
        (entity_id,),
    ).fetchall()
    ev = _Evidence(conn, [r["claim_id"] for r in rows])
    return [
        {
            "id": r["claim_id"],
            "property": r["property"],
            "value": r["value"],
            "value_entity": _ref(r["value"], r["vname"]) if r["vname"] else None,
            "qualifier": r["qualifier"],
            **ev.record(r["claim_id"], r["disputed"], r["note"]),
        }
        for r in rows
    ]


_CONFLICT_SQL = (
    "SELECT f.claim_id, a.kind AS akind, a.disputed AS adisp, f.other_id, b.kind AS bkind,"
    " b.disputed AS bdisp, f.note FROM conflicts f JOIN claims a ON a.id = f.claim_id"
    " JOIN claims b ON b.id = f.other_id"
)


def conflicts(conn: sqlite3.Connection, pairs: list[tuple[str, str]] | None = None) -> list[Conflict]:
    """Every recorded conflict (or those of `pairs`, (claim id, other id) as
    stored), both sides with their quotes."""
    if pairs is None:
        rows = conn.execute(_CONFLICT_SQL + " ORDER BY f.claim_id, f.other_id").fetchall()
    else:
        rows = [
            r
            for a, b in sorted(pairs)
            for r in conn.execute(_CONFLICT_SQL + " WHERE f.claim_id = ? AND f.other_id = ?", (a, b))
        ]
    cites = citations_for(conn, sorted({r["claim_id"] for r in rows} | {r["other_id"] for r in rows}))
    return [
        {
            "note": r["note"],
            "claims": [
                {
                    "id": r[side],
                    "kind": r[kind],
                    "summary": claim_summary(conn, r[side]),
                    "disputed": r[disp],
                    "citations": cites[r[side]],
                }
                for side, kind, disp in (("claim_id", "akind", "adisp"), ("other_id", "bkind", "bdisp"))
            ],
        }
        for r in rows
    ]


def disputed_mark(conn: sqlite3.Connection, claim_id: str) -> str | None:
    """Why the KB marks a claim disputed (None: it does not)."""
    row = conn.execute("SELECT disputed FROM claims WHERE id = ?", (claim_id,)).fetchone()
    return row[0] if row else None


def disputed_claims(conn: sqlite3.Connection) -> list[tuple[str, str, str]]:
    """(claim id, in words, why) for claims marked disputed or contradicted
    by one of their citations: the other half of the conflicts view."""
    rows = conn.execute(
        "SELECT id, disputed FROM claims WHERE disputed IS NOT NULL"
        " UNION SELECT DISTINCT claim_id, NULL FROM citations"
        " WHERE stance = 'contradicts' ORDER BY 1"
    ).fetchall()
    why: dict[str, str] = {}
    for cid, disputed in rows:
        why[cid] = disputed or why.get(cid) or "a citation contradicts it"
    return [(cid, claim_summary(conn, cid), text) for cid, text in why.items()]


def errata(conn: sqlite3.Connection, source_id: str | None = None, ids: list[str] | None = None) -> list[Erratum]:
    """Every erratum, or a source's, or those with `ids`, in id order."""
    sql = (
        'SELECT x.id, x.quote, x.start, x."end", x.says, x.correct, x.about, x.shown_by,'
        " s.id AS sid, s.title, s.outlet, s.author, s.published FROM errata x JOIN sources s ON s.id = x.source_id"
    )
    if ids is not None:
        rows = [r for i in sorted(ids) for r in conn.execute(sql + " WHERE x.id = ?", (i,))]
    else:
        rows = conn.execute(
            sql + (" WHERE x.source_id = ?" if source_id else "") + " ORDER BY x.id", (source_id,) if source_id else ()
        ).fetchall()
    return [
        {
            "id": r["id"],
            "source": {
                "id": r["sid"],
                "title": r["title"],
                "outlet": r["outlet"],
                "author": r["author"],
                "published": r["published"],
            },
            "quote": r["quote"],
            "span": [r["start"], r["end"]],
            "says": r["says"],
            "correct": r["correct"],
            "about": r["about"],
            "shown_by": r["shown_by"],
        }
        for r in rows
    ]


def sources_mentioning(conn: sqlite3.Connection, entity_id: str) -> list[SourceMentioning]:
    return [
        {
            "id": r["id"],
            "title": r["title"],
            "outlet": r["outlet"],
            "mentions": r["mentions"],
            "confidential": bool(r["confidential"]),
        }
        for r in conn.execute(
            "SELECT s.id, s.title, s.outlet, s.confidential, count(*) AS mentions FROM mentions m"
            " JOIN sources s ON s.id = m.source_id WHERE m.entity_id = ? GROUP BY s.id ORDER BY s.title",
            (entity_id,),
        )
    ]


def citation(conn: sqlite3.Connection, citation_id: int, context: int = 240) -> CitationDetail:
    r = conn.execute(
        _CITATION_SQL.replace(" FROM citations", ", s.text, c.version AS pinned FROM citations", 1) + " WHERE c.id = ?",
        (citation_id,),
    ).fetchone()
    if r is None:
        raise NotFound(f"no citation with id {citation_id}", "citation ids appear in `kbtui show --json`")
    # an orphaned citation points into the older text it was made in
    text: str = r["text"] if r["pinned"] is None else (version_text(conn, r["sid"], r["pinned"]) or "")
    start: int = r["start"]
    end: int = r["end"]
    para_start = text.rfind("\n", 0, start) + 1
    para_end = text.find("\n", end)
    para_end = len(text) if para_end == -1 else para_end
    cite = _citation(r)
    return {
        "id": cite["id"],
        "source": cite["source"],
        "quote": cite["quote"],
        "span": cite["span"],
        "anchor": cite["anchor"],
        "as_of": cite["as_of"],
        "as_of_note": cite["as_of_note"],
        "stance": cite["stance"],
        "certainty": cite["certainty"],
        "mode": cite["mode"],
        "speaker": cite["speaker"],
        "claim_id": r["claim_id"],
        "matches": text[start:end] == r["quote"],
        "context_before": text[max(0, start - context) : start],
        "context_after": text[end : end + context],
        "paragraph": {"start": para_start, "end": para_end},
        "paragraph_text": text[para_start:para_end],
        **({"version": r["pinned"]} if r["pinned"] is not None else {}),  # type: ignore[typeddict-item]
    }


def version_text(conn: sqlite3.Connection, source_id: str, version: int) -> str | None:
    """An older version of a source's text (None if it has no such version)."""
    row = conn.execute(
        "SELECT text FROM source_versions WHERE source_id = ? AND version = ?", (source_id, version)
    ).fetchone()
    return None if row is None else str(row[0])


def claim_summary(conn: sqlite3.Connection, claim_id: str) -> str:
    """One line in words for any claim, for evidence panes and citations."""
    kind = conn.execute("SELECT kind FROM claims WHERE id = ?", (claim_id,)).fetchone()
    if kind is None:
        return claim_id
    if kind[0] == "role":
        r = conn.execute(_ROLE_SQL + " WHERE r.claim_id = ?", (claim_id,)).fetchone()
        if r is None:
            return claim_id
        org = f" of {r['org']}" if r["org"] else ""
        # the status word alone ("current") would claim more than the
        # evidence's dates do; only "former" says something lasting
        return f"{r['holder']}: {r['title']}{org}" + (" (former)" if r["status"] == "former" else "")
    if kind[0] == "relation":
        r = conn.execute(
            "SELECT s.name, r.type, o.name FROM relations r JOIN entities s ON s.id = r.subject_id"
            " JOIN entities o ON o.id = r.object_id WHERE r.claim_id = ?",
            (claim_id,),
        ).fetchone()
        return f"{r[0]} {r[1]} {r[2]}" if r else claim_id
    if kind[0] == "property":
        r = conn.execute(
            "SELECT e.name, p.property, coalesce(v.name, p.value), p.qualifier FROM properties p"
            " JOIN entities e ON e.id = p.entity_id LEFT JOIN entities v ON v.id = p.value"
            " AND p.property IN ('nationality', 'affiliation') WHERE p.claim_id = ?",
            (claim_id,),
        ).fetchone()
        return f"{r[0]}: {r[1]} {r[2]}" + (f" ({r[3]})" if r[3] else "") if r else claim_id
    if kind[0] == "alias":
        r = conn.execute(
            "SELECT e.name, a.alias, a.kind FROM aliases a JOIN entities e ON e.id = a.entity_id WHERE a.claim_id = ?",
            (claim_id,),
        ).fetchone()
        if r and r[0] == r[1]:  # its own name, cited where a source writes it
            return f"{r[0]}, named here"
        return f"{r[0]} called “{r[1]}” ({r[2]})" if r else claim_id
    if kind[0] == "event":
        r = conn.execute(
            "SELECT en.name FROM events e JOIN entities en ON en.id = e.entity_id WHERE e.claim_id = ?",
            (claim_id,),
        ).fetchone()
        return f"Event: {r[0]}" if r else claim_id
    r = conn.execute(
        "SELECT en.name, ev.name FROM participations p JOIN entities en ON en.id = p.entity_id"
        " JOIN entities ev ON ev.id = p.event_id WHERE p.claim_id = ?",
        (claim_id,),
    ).fetchone()
    # (a row a damaged file hides: the id, not a crash)
    return f"{r[0]} took part in {r[1]}" if r else claim_id


_SOURCE_COLUMNS = (
    "id",
    "title",
    "outlet",
    "author",
    "published",
    "via",
    "via_date",
    "url",
    "note",
    "date_basis",
    "not_before",
    "not_after",
    "relays",
    "origin",
    "format",
    "input_id",
    "confidential",
)


def sources(conn: sqlite3.Connection, records: bool = False) -> list[SourceSummary]:
    """The stored texts, oldest first; with `records`, also every imported
    FtM/CSV record (a million of them, after a big import)."""
    where = "" if records else " WHERE format = 'text'"
    return [
        {
            "id": r["id"],
            "title": r["title"],
            "outlet": r["outlet"],
            "author": r["author"],
            "published": r["published"],
            "via": r["via"],
            "via_date": r["via_date"],
            "url": r["url"],
            "note": r["note"],
            "length": r["length"],
            "date_basis": r["date_basis"],
            "not_before": r["not_before"],
            "not_after": r["not_after"],
            "relays": r["relays"],
            "origin": r["origin"],
            "format": r["format"],
            "input": r["input_id"],
            "confidential": bool(r["confidential"]),
        }
        for r in conn.execute(
            f"SELECT {', '.join(_SOURCE_COLUMNS)}, length(text) AS length"
            f" FROM sources{where} ORDER BY coalesce(published, via_date, ''), id"
        )
    ]


def record_counts(conn: sqlite3.Connection) -> dict[str, int]:
    """Imported records (FtM/CSV sources) per input, from the index alone."""
    return {
        f"{r[0] or '?'} ({r[1]})": r[2]
        for r in conn.execute(
            "SELECT input_id, format, count(*) FROM sources WHERE format != 'text' GROUP BY format, input_id"
        )
    }


def source(conn: sqlite3.Connection, ref: str) -> SourceDetail:
    r = conn.execute(
        f"SELECT {', '.join(_SOURCE_COLUMNS)}, text, sha256, meta, version FROM sources WHERE id = ?",
        (ref,),
    ).fetchone()
    if r is None:
        ids = [
            x[0]
            for x in conn.execute(
                "SELECT id FROM sources WHERE id LIKE ? OR title LIKE ? LIMIT 10",
                (f"%{ref}%", f"%{ref}%"),
            )
        ]
        if len(ids) == 1:
            return source(conn, ids[0])
        hint = f"did you mean: {', '.join(ids)}" if ids else "list them with `kbtui sources`"
        raise NotFound(f"no source {ref!r}", hint)
    return {
        "id": r["id"],
        "title": r["title"],
        "outlet": r["outlet"],
        "author": r["author"],
        "published": r["published"],
        "via": r["via"],
        "via_date": r["via_date"],
        "url": r["url"],
        "note": r["note"],
        "text": r["text"],
        "sha256": r["sha256"],
        "length": len(r["text"]),
        "date_basis": r["date_basis"],
        "not_before": r["not_before"],
        "not_after": r["not_after"],
        "relays": r["relays"],
        "origin": r["origin"],
        "format": r["format"],
        "input": r["input_id"],
        "confidential": bool(r["confidential"]),
        "meta": _meta(r["meta"]),
        "version": r["version"],
    }


def _meta(raw: str) -> dict[str, Any]:
    try:
        value = json.loads(raw)
    except ValueError:  # a hand-edited KB: shown as it is, not a crash
        return {"unreadable": raw[:200]}
    return value if isinstance(value, dict) else {"value": value}


def source_marks(
    conn: sqlite3.Connection, source_id: str, version: int | None = None
) -> tuple[list[MarkedCitation], list[Mention]]:
    """(citations, mentions) of a source, each sorted by start, for the
    viewer: of its current text, or of an older `version` (the citations
    left there, and no mentions: those are found in the current text)."""
    cites: list[MarkedCitation] = [
        {"id": r["id"], "claim_id": r["claim_id"], "start": r["start"], "end": r["end"], "quote": r["quote"]}
        for r in conn.execute(
            'SELECT id, claim_id, start, "end", quote FROM citations WHERE source_id = ? AND version IS ?'
            " ORDER BY start",
            (source_id, version),
        )
    ]
    if version is not None:
        return cites, []
    mentions: list[Mention] = [
        {"entity_id": r["entity_id"], "name": r["name"], "kind": r["kind"], "start": r["start"], "end": r["end"]}
        for r in conn.execute(
            'SELECT m.entity_id, e.name, e.kind, m.start, m."end" FROM mentions m'
            " JOIN entities e ON e.id = m.entity_id WHERE m.source_id = ? ORDER BY m.start",
            (source_id,),
        )
    ]
    return cites, mentions


EXACT_COUNT_LIMIT = 200_000
_COUNTED = ("roles", "relations", "events", "participations", "citations", "sources")


def stats(conn: sqlite3.Connection) -> Stats:
    """Counts for a summary line. Tables past EXACT_COUNT_LIMIT rows are
    estimated from max(rowid) (listed under "approximate"): an exact count
    of 5M citations takes seconds and the summary does not need it."""
    kinds = {str(k): int(n) for k, n in conn.execute("SELECT kind, count(*) FROM entities GROUP BY kind")}
    counts: dict[str, int] = {}
    approximate: list[str] = []
    for table in _COUNTED:
        top = conn.execute(f"SELECT max(rowid) FROM {table}").fetchone()[0] or 0
        if top > EXACT_COUNT_LIMIT:
            counts[table] = top
            approximate.append(table)
        else:
            counts[table] = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    return {
        "entities": kinds,
        "approximate": approximate,
        "roles": counts["roles"],
        "relations": counts["relations"],
        "events": counts["events"],
        "participations": counts["participations"],
        "citations": counts["citations"],
        "sources": counts["sources"],
    }
