"""The entity pane: who or what it is, then its roles, relations, events and
the sources that mention it, each section a ClaimTable.

Attributes down: `show_entity(data)` with the dict of kbtui.kb.queries.show,
`append_roles(rows, total)` for the next page, `show_home(stats)` for the
start page. It keeps one fixed set of widgets and refills them, so moving
between entities never mounts or unmounts anything.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from rich.style import Style
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from kbtui.kb.models import (
    AliasInfo,
    Citation,
    Entity,
    EntityRef,
    Event,
    Evidence,
    Relation,
    Role,
    SourceMentioning,
    Stats,
)
from kbtui.kb.vocab import compact_range, date_range
from kbtui.safetext import one_line, visible
from kbtui.tui.data import CsvCell
from kbtui.tui.look import Look, plural
from kbtui.tui.messages import LeaveTable
from kbtui.tui.widgets.tables import Cell, ClaimTable, Link, RowInfo, TableRow

T = TypeVar("T")

SECTIONS = ("roles", "relations", "events", "sources")
NAME_MAX = 36
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
        "disputed",
        "citations",
    ],
    "events": ["event_id", "event", "type", "date", "place", "participant_id", "participant", "capacity", "citations"],
    "sources": ["source_id", "title", "outlet", "mentions"],
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
        r.get("disputed"),
        len(r.get("citations") or []),
    ]


def _cites(citations: Sequence[Citation] | None) -> Text:
    n = len(citations or [])
    return Text(str(n) if n else "–", style=Style(dim=not n))


class EntityPane(VerticalScroll, can_focus=False):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.data: Entity | None = None
        self.look = Look()
        self._role_dates = True

    def compose(self) -> ComposeResult:
        yield Static("", id="welcome")
        yield Static("", id="entity-header")
        for name in SECTIONS:
            yield Static("", id=f"{name}-title", classes="section-title")
            yield ClaimTable(id=name, export_header=EXPORT_HEADERS[name])

    def table(self, name: str) -> ClaimTable:
        return self.query_one(f"#{name}", ClaimTable)

    def visible_tables(self) -> list[ClaimTable]:
        return [t for t in self.query(ClaimTable) if t.display and t.row_count]

    # --- home -----------------------------------------------------------------

    def show_home(self, db_name: str, stats: Stats | None) -> None:
        self.data = None
        self._entity_widgets(False)
        text = Text()
        text.append("kbtui", style=Style(bold=True))
        text.append(" — who holds which position, who meets whom, and on what evidence\n\n", style=Style(dim=True))
        text.append(one_line(db_name), style=Style(bold=True))
        if stats:
            kinds = stats["entities"]
            total = sum(kinds.values())
            text.append(f"  {plural(total, 'entity')}")
            detail = ", ".join(f"{n:,} {k}" for k, n in sorted(kinds.items(), key=lambda kv: -kv[1]))
            if detail:
                text.append(f" ({detail})", style=Style(dim=True))
            approx = set(stats["approximate"])
            text.append(
                "\n"
                + " · ".join(
                    ("~" if k in approx else "") + plural(n, w)
                    for k, n, w in (
                        ("roles", stats["roles"], "role"),
                        ("relations", stats["relations"], "relation"),
                        ("events", stats["events"], "event"),
                        ("sources", stats["sources"], "source"),
                        ("citations", stats["citations"], "citation"),
                    )
                ),
                style=Style(dim=True),
            )
        text.append("\n\nType a name in the search box; typos and other name forms are fine.\n")
        for key, what in (
            ("↑ ↓", "move through results"),
            ("Enter", "open"),
            ("Tab", "next pane"),
            ("/", "search from anywhere"),
            ("ctrl+p", "jump to anything"),
            ("F1 ?", "all keys"),
            ("ctrl+q", "quit"),
        ):
            text.append(f"\n  {key:<8}", style=self.look.fg("accent", bold=True))
            text.append(what)
        self.query_one("#welcome", Static).update(text)
        self.scroll_home(animate=False)

    def _entity_widgets(self, on: bool) -> None:
        self.query_one("#welcome").display = not on
        self.query_one("#entity-header").display = on
        for name in SECTIONS:
            self.query_one(f"#{name}-title").display = on
            self.table(name).display = on

    # --- an entity --------------------------------------------------------------

    def show_entity(self, data: Entity) -> None:
        self.data = data
        self._entity_widgets(True)
        self.query_one("#entity-header", Static).update(self._header(data))
        self._fill_roles(data)
        self._fill("relations", data["relations"], self._relation_rows, "Relations")
        self._fill("events", data["events"], self._event_rows, "Events")
        self._fill("sources", data["sources"], self._source_rows, "Sources that mention it")
        self.scroll_home(animate=False)

    def _header(self, data: Entity) -> Text:
        look = self.look
        text = Text.assemble(
            look.badge(data["kind"]),
            " ",
            (one_line(data["name"]), Style(bold=True)),
            (f"  {data['kind']} · {data['id']}", Style(dim=True)),
        )
        aliases: list[AliasInfo] = data["alias_kinds"] or [{"name": a, "kind": "alias"} for a in data["aliases"]]
        if aliases:
            text.append("\nalso: ", style=Style(dim=True))
            for n, alias in enumerate(aliases):
                if n:
                    text.append(" · ", style=Style(dim=True))
                text.append(one_line(alias["name"]))
                if alias.get("kind") and alias["kind"] != "alias":
                    text.append(f" ({alias['kind']})", style=Style(dim=True))
        if data.get("summary"):
            text.append("\n" + visible(data["summary"]).strip())
        return text

    def _title(self, name: str, label: str, shown: int, total: int | None = None) -> None:
        title = Text(label, style=Style(bold=True))
        total = shown if total is None else total
        title.append(f"  {total:,}", style=Style(dim=True))
        if total > shown:
            title.append(f" (showing {shown:,})", style=Style(dim=True))
        widget = self.query_one(f"#{name}-title", Static)
        widget.update(title)
        widget.display = bool(total)
        self.table(name).display = bool(total)

    def _fill(self, name: str, items: list[T], build: Callable[[list[T]], list[TableRow]], label: str) -> None:
        table = self.table(name)
        rows = build(items)
        table.set_rows(rows)
        self._title(name, label, len(items))

    # --- roles ----------------------------------------------------------------

    @property
    def roles_in_it(self) -> bool:
        """True when the roles listed are held by others in this entity."""
        return self.data is not None and self.data["roles_as"] == "organisation"

    def _fill_roles(self, data: Entity) -> None:
        table = self.table("roles")
        # an empty column only costs width: show Dates when some role has one
        # (always for paged lists, whose later pages are not known yet)
        self._role_dates = data["roles_total"] > len(data["roles"]) or any(
            r["start"] or r["end"] for r in data["roles"]
        )
        dates = ["Dates"] if self._role_dates else []
        if self.roles_in_it:
            table.set_columns("Status", "Holder", "Title", *dates, "Cites")
        else:
            table.set_columns("Status", "Title", "Organisation", *dates, "Cites")
        table.set_rows(self._role_rows(data["roles"]), total=data["roles_total"])
        self._roles_title()

    def _roles_title(self) -> None:
        table = self.table("roles")
        label = "People in roles here (current first)" if self.roles_in_it else "Roles held"
        self._title("roles", label, table.loaded, table.total)

    def append_roles(self, roles: list[Role], total: int | None = None) -> None:
        if self.data is None:
            return
        self.data["roles"].extend(roles)
        self.table("roles").append_rows(self._role_rows(roles), total=total)
        self._roles_title()

    def _role_rows(self, roles: list[Role]) -> list[TableRow]:
        look = self.look
        in_it = self.roles_in_it
        rows: list[TableRow] = []
        for r in roles:
            holder, org = r["holder"], r["organisation"]
            status = look.status(r["status"], r.get("disputed"))
            dates = [Text(date_range(r["start"], r["end"], r["status"]))] if self._role_dates else []
            title = Text(one_line(r["title"], 40))
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
            summary = f"{holder['name']} — {r['title']}{of} ({r['status']})"
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

    # --- relations --------------------------------------------------------------

    def _relation_rows(self, relations: list[Relation]) -> list[TableRow]:
        look = self.look
        me = self.data["id"] if self.data else ""
        with_dates = any(r["start"] or r["end"] for r in relations)
        self.table("relations").set_columns("Relation", "With", *(["Dates"] if with_dates else []), "Cites")
        rows: list[TableRow] = []
        for r in relations:
            verb = r["type"].replace("-", " ")
            outgoing = r["subject"]["id"] == me
            other = r["object"] if outgoing else r["subject"]
            rel = Text(f"{verb} →" if outgoing else f"← {verb}")
            if r.get("label"):
                rel.append(f" ({one_line(r['label'], 20)})", style=Style(dim=True))
            if r.get("disputed"):
                rel.append(" ⚠ disputed", style=look.fg("warning", bold=True))
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
                r.get("disputed"),
                len(r.get("citations") or []),
            ]
            rows.append(
                (cells, RowInfo(claim=r, summary=summary, link=_ref(other), cell_links={1: _ref(other)}, export=export))
            )
        return rows

    # --- events -------------------------------------------------------------------

    def _event_rows(self, events: list[Event]) -> list[TableRow]:
        look = self.look
        me = self.data["id"] if self.data else ""
        self.table("events").set_columns("Date", "Event · who else took part", "Details", "Cites")
        rows: list[TableRow] = []
        for ev in events:
            mine = next((p for p in ev["participants"] if p["id"] == me), None)
            details = Text(ev["type"], style=Style(dim=True))
            place = ev.get("place")
            links: dict[int, Link] = {}
            if place and place["id"] != me:
                details.append(" · at ", style=Style(dim=True))
                details.append_text(look.link(place["name"], 24))
                links[2] = (place["id"], place["name"])
            if mine and mine.get("capacity"):
                details.append(" · as " + one_line(mine["capacity"], 40))
            name = (
                Text(one_line(ev["name"], NAME_MAX), style=Style(bold=True))
                if ev["id"] == me
                else look.link(ev["name"], NAME_MAX)
            )
            if ev.get("disputed"):
                name.append(" ⚠ disputed", style=look.fg("warning", bold=True))
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
                        summary=f"Event: {ev['name']}",
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
                cap = Text(one_line(p.get("capacity"), 40))
                # a participation is a claim of its own, with only citations to show
                claim: Evidence = {
                    "id": p["claim_id"],
                    "citations": p.get("citations") or [],
                    "disputed": None,
                    "note": "",
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
        return rows

    # --- sources --------------------------------------------------------------------

    def _source_rows(self, sources: list[SourceMentioning]) -> list[TableRow]:
        self.table("sources").set_columns("Source", "Outlet", "Names")
        look = self.look
        me = self.data["id"] if self.data else None
        rows: list[TableRow] = []
        for s in sources:
            outlet = Text(one_line(s.get("outlet"), 24)) if s.get("outlet") else look.muted("unattributed")
            cells: list[Cell] = [Text(one_line(s["title"], 48)), outlet, Text(str(s["mentions"]))]
            rows.append(
                (
                    cells,
                    RowInfo(
                        claim=None,
                        summary=one_line(s["title"]),
                        source_id=s["id"],
                        focus_entity=me,
                        export=[s["id"], s["title"], s.get("outlet"), s["mentions"]],
                    ),
                )
            )
        return rows

    # --- moving between sections, remembering where we were ---------------------

    @on(LeaveTable)
    def _leave(self, event: LeaveTable) -> None:
        event.stop()
        tables = self.visible_tables()
        left = event.table
        if not isinstance(left, ClaimTable) or left not in tables:
            return
        index = tables.index(left) + event.direction
        if 0 <= index < len(tables):
            target = tables[index]
            target.move_cursor(row=0 if event.direction > 0 else target.row_count - 1, animate=False)
            target.focus()
            if event.direction < 0 and index == 0:
                self.scroll_home(animate=False)

    def capture(self) -> dict[str, Any]:
        return {"cursors": {name: self.table(name).cursor_row for name in SECTIONS}, "scroll_y": self.scroll_y}

    def restore(self, state: dict[str, Any]) -> None:
        for name, row in state.get("cursors", {}).items():
            table = self.table(name)
            if 0 <= row < table.row_count:
                table.move_cursor(row=row, animate=False)
        self.call_after_refresh(self.scroll_to, y=state.get("scroll_y", 0), animate=False)
