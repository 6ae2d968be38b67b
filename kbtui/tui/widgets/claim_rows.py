"""The rows of the entity pane's tables, built from the data layer's
dicts: the cells a table shows, and behind each row a RowInfo (the claim for
the evidence pane, the entity Enter opens, which cells are links, the CSV
export row).

Pure functions of data and a Look, with no widget state, so a worker thread
can build thousands of them and a test can check them without an app.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from rich.style import Style
from rich.text import Text

from kbtui.kb.models import (
    AliasInfo,
    Citation,
    EntityRef,
    Event,
    Evidence,
    Property,
    Relation,
    Role,
    SourceMentioning,
)
from kbtui.kb.vocab import compact_range, date_range
from kbtui.tui.clip import shown
from kbtui.tui.data import CsvCell
from kbtui.tui.evidence_text import attested_words, standing, with_trouble
from kbtui.tui.look import Look

Link = tuple[str, str]  # (entity id, name)
Cell = Text | str
Columns = list[str]


@dataclass
class RowInfo:
    claim: Evidence | None = None
    summary: str = ""
    link: Link | None = None
    cell_links: dict[int, Link] = field(default_factory=dict)
    source_id: str | None = None
    focus_entity: str | None = None
    citation: tuple[int, str] | None = None  # (citation id, source id): Enter opens it in the viewer
    export: list[CsvCell] = field(default_factory=list)
    more: bool = False
    # (a id, a name, b id, b name): Enter opens the people who link the two
    interlock: tuple[str, str, str, str] | None = None
    hint: str | None = None  # no claim: what the evidence pane says Enter does
    heading: bool = False  # a heading between rows (a year): the cursor steps over it


TableRow = tuple[Sequence[Cell], RowInfo]  # what a table shows in a row, and what is behind it

# names and titles are cut to the table's width when it is drawn (tui.fit);
# these bounds only keep a pathological value from being measured whole
NAME_MAX = 80
CELL_MAX = 100
# the columns that give way when a table is wider than its pane (names,
# titles, details; never dates, statuses or the citation count)
PROSE_COLUMNS = frozenset(
    {
        "Holder",
        "Title",
        "Organisation",
        "Relation",
        "With",
        "Event · who else took part",
        "Details",
        "Source",
        "Outlet",
        "Value",
        "Who",
    }
)
EXPORT_HEADERS = {
    "roles": [
        "role_id",
        "holder_id",
        "holder",
        "title",
        "organisation_id",
        "organisation",
        "start",
        "end",
        "status",
        "attested_first",
        "attested_last",
        "independent_sources",
        "disputed",
        "citations",
    ],
    "relations": [
        "relation_id",
        "subject_id",
        "subject",
        "type",
        "object_id",
        "object",
        "label",
        "start",
        "end",
        "attested_first",
        "attested_last",
        "independent_sources",
        "disputed",
        "citations",
    ],
    "events": ["event_id", "event", "type", "date", "place", "participant_id", "participant", "capacity", "citations"],
    "sources": ["source_id", "title", "outlet", "mentions"],
    "interlocks": ["organisation_id", "organisation", "kind", "people", "who"],
    "properties": [
        "claim_id",
        "entity_id",
        "property",
        "value",
        "value_name",
        "qualifier",
        "attested_first",
        "attested_last",
        "independent_sources",
        "disputed",
        "citations",
    ],
}


def _ref(ref: EntityRef) -> Link:
    return (ref["id"], ref["name"])


def role_export(r: Role) -> list[CsvCell]:
    """One role as a CSV row (EXPORT_HEADERS["roles"]); pure, so a worker
    thread can build thousands of them."""
    holder, org = r["holder"], r["organisation"]
    return [
        r["id"],
        holder["id"],
        holder["name"],
        r["title"],
        org["id"] if org else "",
        org["name"] if org else "",
        r["start"],
        r["end"],
        r["status"],
        *_attested(r),
        r.get("disputed"),
        len(r.get("citations") or []),
    ]


def _attested(claim: Evidence) -> list[CsvCell]:
    """attested_first, attested_last, independent_sources."""
    return [claim["attested"]["first"], claim["attested"]["last"], claim["independent_sources"]]


def _cites(citations: Sequence[Citation] | None) -> Text:
    n = len(citations or [])
    return Text(str(n) if n else "–", style=Style(dim=not n))


# --- roles ------------------------------------------------------------------------


def role_columns(in_it: bool, with_dates: bool) -> Columns:
    """An organisation lists its holders; a person lists the organisations.
    "Attested" is the status as the sources state it, at their dates."""
    dates = ["Dates"] if with_dates else []
    if in_it:
        return ["Attested", "Holder", "Title", *dates, "Cites"]
    return ["Attested", "Title", "Organisation", *dates, "Cites"]


def role_rows(roles: list[Role], look: Look, in_it: bool, with_dates: bool, today: str) -> list[TableRow]:
    """`in_it`: the roles are held by others in the entity shown; `today`
    is what the age of their evidence is read against."""
    rows: list[TableRow] = []
    for r in roles:
        holder, org = r["holder"], r["organisation"]
        status = standing(r, look, today)
        # start–end as the sources give them; no "–now": the Attested cell says how far the evidence reaches
        dates = [Text(date_range(r["start"], r["end"]))] if with_dates else []
        title = Text(shown(r["title"], CELL_MAX))
        org_cell = look.link(org["name"], NAME_MAX) if org else look.muted("—")
        link: Link | None
        if in_it:
            cells = [status, look.link(holder["name"], NAME_MAX), title, *dates, _cites(r["citations"])]
            link, links = _ref(holder), {1: _ref(holder)}
        else:
            cells = [status, title, org_cell, *dates, _cites(r["citations"])]
            link = _ref(org) if org else None
            links = {2: link} if link else {}
        of = f", {org['name']}" if org else ""
        former = " (former)" if r["status"] == "former" else ""
        summary = f"{holder['name']} — {r['title']}{of}{former}"
        rows.append(
            (
                cells,
                RowInfo(
                    claim=r,
                    summary=summary,
                    link=link,
                    cell_links=links,
                    export=role_export(r),
                ),
            )
        )
    return rows


# --- relations --------------------------------------------------------------------


def relation_section(relations: list[Relation], look: Look, me: str) -> tuple[Columns, list[TableRow]]:
    """Columns and rows for `me`'s relations, each seen from `me`'s side."""
    with_dates = any(r["start"] or r["end"] for r in relations)
    columns = ["Relation", "With", *(["Dates"] if with_dates else []), "Cites"]
    rows: list[TableRow] = []
    for r in relations:
        verb = shown(r["type"], 40).replace("-", " ")
        outgoing = r["subject"]["id"] == me
        other = r["object"] if outgoing else r["subject"]
        rel = Text(f"{verb} →" if outgoing else f"← {verb}")
        if r.get("label"):
            rel.append(f" ({shown(r['label'], 20)})", style=Style(dim=True))
        with_trouble(rel, r, look)
        dates = [Text(date_range(r["start"], r["end"]))] if with_dates else []
        cells = [rel, look.link(other["name"], NAME_MAX), *dates, _cites(r["citations"])]
        summary = f"{r['subject']['name']} {verb} {r['object']['name']}"
        export: list[CsvCell] = [
            r["id"],
            r["subject"]["id"],
            r["subject"]["name"],
            r["type"],
            r["object"]["id"],
            r["object"]["name"],
            r.get("label"),
            r["start"],
            r["end"],
            *_attested(r),
            r.get("disputed"),
            len(r.get("citations") or []),
        ]
        rows.append(
            (cells, RowInfo(claim=r, summary=summary, link=_ref(other), cell_links={1: _ref(other)}, export=export))
        )
    return columns, rows


# --- events ---------------------------------------------------------------------


def event_section(events: list[Event], look: Look, me: str) -> tuple[Columns, list[TableRow]]:
    """Columns and rows for events: one row per event, then one per other
    participant (a participation is a claim with citations of its own)."""
    columns = ["Date", "Event · who else took part", "Details", "Cites"]
    rows: list[TableRow] = []
    for ev in events:
        mine = next((p for p in ev["participants"] if p["id"] == me), None)
        details = Text(shown(ev["type"], CELL_MAX), style=Style(dim=True))
        place = ev.get("place")
        links: dict[int, Link] = {}
        if place and place["id"] != me:
            details.append(" · at ", style=Style(dim=True))
            details.append_text(look.link(place["name"], 24))
            links[2] = (place["id"], place["name"])
        if mine and mine.get("capacity"):
            details.append(" · as " + shown(mine["capacity"], CELL_MAX))
        name = (
            Text(shown(ev["name"], NAME_MAX), style=Style(bold=True))
            if ev["id"] == me
            else look.link(ev["name"], NAME_MAX)
        )
        with_trouble(name, ev, look)
        ev_link: Link | None = None if ev["id"] == me else (ev["id"], ev["name"])
        if ev_link:
            links[1] = ev_link
        date = compact_range(ev.get("start"), ev.get("end")) or (ev.get("date") or "")
        export: list[CsvCell] = [
            ev["id"],
            ev["name"],
            ev["type"],
            ev.get("date") or "",
            place["name"] if place else "",
        ]
        rows.append(
            (
                [Text(date, style=Style(bold=True)), name, details, _cites(ev["citations"])],
                RowInfo(
                    claim=ev,
                    # what the Details cell cuts short, whole above the evidence
                    summary=f"Event: {ev['name']}"
                    + (f" · at {place['name']}" if place else "")
                    + (f" · as {mine['capacity']}" if mine and mine.get("capacity") else ""),
                    link=ev_link,
                    cell_links=links,
                    export=[*export, "", "", "", len(ev.get("citations") or [])],
                ),
            )
        )
        for p in ev["participants"]:
            if p["id"] == me:
                continue
            who = Text.assemble("  with ", look.link(p["name"], NAME_MAX - 7))
            cap = Text(shown(p.get("capacity"), CELL_MAX))
            # a participation is a claim of its own, with only citations to show
            claim: Evidence = {
                "id": p["claim_id"],
                "citations": p.get("citations") or [],
                "disputed": None,
                "note": "",
                "attested": p["attested"],
                "independent_sources": p["independent_sources"],
                "conflicts": [],
                "contested": False,
            }
            capacity = f" ({p['capacity']})" if p.get("capacity") else ""
            rows.append(
                (
                    [Text(""), who, cap, _cites(p["citations"])],
                    RowInfo(
                        claim=claim,
                        summary=f"{p['name']} took part in {ev['name']}{capacity}",
                        link=(p["id"], p["name"]),
                        cell_links={1: (p["id"], p["name"])},
                        export=[
                            *export,
                            p["id"],
                            p["name"],
                            p.get("capacity") or "",
                            len(p.get("citations") or []),
                        ],
                    ),
                )
            )
    return columns, rows


# --- sources --------------------------------------------------------------------


def source_section(sources: list[SourceMentioning], look: Look, me: str) -> tuple[Columns, list[TableRow]]:
    """Columns and rows for the sources that mention `me` (Enter reads one)."""
    columns = ["Source", "Outlet", "Names"]
    rows: list[TableRow] = []
    for s in sources:
        outlet = Text(shown(s.get("outlet"), 24)) if s.get("outlet") else look.muted("unattributed")
        cells: list[Cell] = [Text(shown(s["title"], CELL_MAX)), outlet, Text(str(s["mentions"]))]
        rows.append(
            (
                cells,
                RowInfo(
                    claim=None,
                    summary=shown(s["title"]),
                    source_id=s["id"],
                    focus_entity=me,
                    export=[s["id"], s["title"], s.get("outlet"), s["mentions"]],
                ),
            )
        )
    return columns, rows


# --- properties -------------------------------------------------------------------

# what a cited alias says, as a property: "called" for a descriptor true at a date
ALIAS_LABELS = {"descriptor": "called", "misspelling-in-source": "misspelt as", "metonym": "metonym"}


def property_section(
    props: list[Property], aliases: list[AliasInfo], alias_claims: dict[str, Evidence], look: Look, me: str
) -> tuple[Columns, list[TableRow]]:
    """Columns and rows for an entity's cited properties (a nationality
    links to its country), then its cited aliases (a descriptor such as
    "Xi's security chief" is a claim true at a date), each with evidence."""
    columns = ["Property", "Value", "Attested", "Cites"]
    rows: list[TableRow] = []
    for p in props:
        target = p["value_entity"]
        value = look.link(target["name"], NAME_MAX) if target else Text(shown(p["value"], CELL_MAX))
        if p["qualifier"]:
            value.append(f" ({shown(p['qualifier'], 16)})", style=Style(dim=True))
        link: Link | None = _ref(target) if target else None
        said = target["name"] if target else p["value"]
        qualifier = f" ({p['qualifier']})" if p["qualifier"] else ""
        rows.append(
            (
                [
                    Text(shown(p["property"]).replace("-", " "), style=Style(bold=True)),
                    value,
                    with_trouble(Text(attested_words(p)), p, look),
                    _cites(p["citations"]),
                ],
                RowInfo(
                    claim=p,
                    summary=f"{p['property'].replace('-', ' ')}: {said}{qualifier}",
                    link=link,
                    cell_links={1: link} if link else {},
                    export=[
                        p["id"],
                        me,
                        p["property"],
                        p["value"],
                        target["name"] if target else "",
                        p["qualifier"],
                        *_attested(p),
                        p.get("disputed"),
                        len(p["citations"]),
                    ],
                ),
            )
        )
    for a in aliases:
        claim = alias_claims.get(a["claim_id"] or "")
        if claim is None:
            continue
        label = ALIAS_LABELS.get(a["kind"]) or shown(a["kind"], 40).replace("-", " ")
        as_of = f" (as of {a['as_of']})" if a["as_of"] else ""
        rows.append(
            (
                [
                    Text(label, style=Style(bold=True)),
                    Text(f"“{shown(a['name'], 46)}”"),
                    with_trouble(Text(attested_words(claim)), claim, look),
                    _cites(claim["citations"]),
                ],
                RowInfo(
                    claim=claim,
                    summary=f"{label} “{a['name']}”{as_of}",
                    export=[
                        claim["id"],
                        me,
                        a["kind"],
                        a["name"],
                        "",
                        "",
                        *_attested(claim),
                        claim.get("disputed"),
                        len(claim["citations"]),
                    ],
                ),
            )
        )
    return columns, rows
