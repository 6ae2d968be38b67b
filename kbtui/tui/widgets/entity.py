"""The entity pane: who or what it is, then its roles, relations, events and
the sources that mention it, each section a ClaimTable.

Attributes down: `show_entity(data)` with the dict of kbtui.kb.queries.show,
`append_roles(rows, total)` for the next page, `show_home(stats)` for the
start page. It keeps one fixed set of widgets and refills them, so moving
between entities never mounts or unmounts anything.
"""

from __future__ import annotations

from typing import Any, TypeVar

from rich.style import Style
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import Static

from kbtui.kb.disagreement import words as disagreement_words
from kbtui.kb.models import (
    AliasInfo,
    Entity,
    Evidence,
    Role,
    Stats,
)
from kbtui.tui.clip import PANE_TEXT_MAX, clipped, more_words, shown
from kbtui.tui.look import Look, plural
from kbtui.tui.messages import LeaveTable
from kbtui.tui.widgets import interlock_rows
from kbtui.tui.widgets.claim_rows import (
    EXPORT_HEADERS,
    PROSE_COLUMNS,
    Columns,
    TableRow,
    event_section,
    property_section,
    relation_section,
    role_columns,
    role_rows,
    source_section,
)
from kbtui.tui.widgets.tables import ClaimTable

T = TypeVar("T")

# properties (nationality, names, positions as worded) after what the
# entity did: roles, relations and events are what a reader comes for; an
# organisation's interlocks (bodies it shares people with) right after the
# people in it, read after the rest (see show_interlocks)
SECTIONS = ("roles", "interlocks", "relations", "events", "properties", "sources")
TABLE_SCROLLBAR = 2  # a table longer than its max-height scrolls inside the pane
# names listed in the head: a crafted file can give one entity thousands
ALIASES_SHOWN = 50
INTERLOCKS_TITLE = "Interlocks: bodies sharing people with it"
NAME_MAX = 120


class EntityPane(VerticalScroll, can_focus=False):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.data: Entity | None = None
        self.alias_claims: dict[str, Evidence] = {}
        self.look = Look()
        self.today = ""  # set by the screen: the app's date, that evidence ages against
        self._role_dates = True
        self.built = False  # the sections' tables are mounted (see build)
        self.interlocks: dict[str, Any] | None = None  # the last read (see show_interlocks)

    def compose(self) -> ComposeResult:
        yield Static("", id="welcome")
        yield Static("", id="entity-header")

    def build(self) -> None:
        """Mount the sections' tables, hidden. Not in compose: the first
        frame shows the welcome text only, and five DataTables are a good
        part of the time to it; the screen calls this right after."""
        if self.built:
            return
        self.built = True
        widgets: list[Widget] = []
        for name in SECTIONS:
            widgets.append(Static("", id=f"{name}-title", classes="section-title"))
            widgets.append(ClaimTable(id=name, export_header=EXPORT_HEADERS[name]))
        for w in widgets:
            w.display = False
        self.mount_all(widgets)

    def _room(self) -> int:
        """The width a table has in the pane, less its own scroll bar."""
        return max(self.scrollable_content_region.width - TABLE_SCROLLBAR, 0)

    def on_resize(self) -> None:
        if self.built:
            for name in SECTIONS:
                self.table(name).fit_to(self._room())

    def table(self, name: str) -> ClaimTable:
        return self.query_one(f"#{name}", ClaimTable)

    def visible_tables(self) -> list[ClaimTable]:
        return [t for t in self.query(ClaimTable) if t.display and t.row_count]

    def first_table(self) -> ClaimTable | None:
        """Where reading an entity starts."""
        tables = self.visible_tables()
        return tables[0] if tables else None

    # --- home -----------------------------------------------------------------

    def show_home(self, db_name: str, stats: Stats | None) -> None:
        self.data = None
        self._entity_widgets(False)
        text = Text()
        text.append("kbtui", style=Style(bold=True))
        text.append(" — who holds which position, who meets whom, and on what evidence\n\n", style=Style(dim=True))
        text.append(shown(db_name), style=Style(bold=True))
        if stats:
            kinds = stats["entities"]
            total = sum(kinds.values())
            text.append(f"  {plural(total, 'entity')}")
            detail = ", ".join(f"{n:,} {shown(k, 40)}" for k, n in sorted(kinds.items(), key=lambda kv: -kv[1]))
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
        text.append(
            "\n\nType a name in the search box: a few of its words in any order, an initial and a"
            " surname, or a post (“director of national intelligence”); typos are fine.\n"
        )
        for key, what in (
            ("↑ ↓", "move through results"),
            ("Enter", "open"),
            ("ctrl+t", "search the words of the sources instead"),
            ("Tab", "next pane"),
            ("/", "search from anywhere"),
            ("ctrl+p", "jump to anything"),
            ("!", "where the sources disagree: conflicts, disputes, errata"),
            ("t p n d", "on an entity: its timeline, path to…, neighbours, where the sources disagree"),
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
        if not self.built:
            if not on:
                return
            self.build()
        for name in SECTIONS:
            self.query_one(f"#{name}-title").display = on
            self.table(name).display = on

    # --- an entity --------------------------------------------------------------

    def show_entity(self, data: Entity, alias_claims: dict[str, Evidence] | None = None) -> None:
        self.data = data
        if alias_claims is not None:
            self.alias_claims = alias_claims
        self._entity_widgets(True)
        self.query_one("#entity-header", Static).update(self._header(data))
        me, look = data["id"], self.look
        self._fill_roles(data)
        if self.interlocks is not None and self.interlocks["organisation"]["id"] == data["id"]:
            self.show_interlocks(self.interlocks)  # the same entity drawn again (a new theme): keep them
        else:
            self.interlocks = None
            self._fill("interlocks", INTERLOCKS_TITLE, 0, (interlock_rows.SECTION_COLUMNS, []))
        self._fill("relations", "Relations", len(data["relations"]), relation_section(data["relations"], look, me))
        self._fill("events", "Events", len(data["events"]), event_section(data["events"], look, me))
        props = property_section(data["properties"], data["alias_kinds"], self.alias_claims, look, me)
        self._fill("properties", "Properties and descriptions", len(props[1]), props)
        self._fill(
            "sources", "Sources that mention it", len(data["sources"]), source_section(data["sources"], look, me)
        )
        self.scroll_home(animate=False)

    def _header(self, data: Entity) -> Text:
        look = self.look
        text = Text.assemble(
            look.badge(data["kind"]),
            " ",
            (shown(data["name"]), Style(bold=True)),
            (f"  {shown(data['kind'], 40)} · {shown(data['id'], 200)}", Style(dim=True)),
        )
        counts = data.get("disagreement")
        if counts and any(counts.values()):
            # a link: a click does what `d` does
            marker = look.fg("error", bold=True) + Style.from_meta({"@click": "screen.disagreement"})
            text.append(f"\n⚔ sources disagree: {disagreement_words(counts)}", style=marker)
            text.append("  d: side by side", style=Style(dim=True))
        aliases: list[AliasInfo] = data["alias_kinds"] or [
            {"name": a, "kind": "alias", "as_of": None, "claim_id": None} for a in data["aliases"]
        ]
        # names it goes by; then descriptors (true at a date: "Xi's security
        # chief" as of 2024-05-03) and metonyms (a capital standing for its
        # state), which describe it but are not its names
        names = [a for a in aliases if a["kind"] not in ("descriptor", "metonym") and a["name"] != data["name"]]
        described = [a for a in aliases if a["kind"] in ("descriptor", "metonym")]
        if names:
            text.append("\nalso: ", style=Style(dim=True))
            for n, alias in enumerate(names[:ALIASES_SHOWN]):
                if n:
                    text.append(" · ", style=Style(dim=True))
                text.append(shown(alias["name"], NAME_MAX))
                if alias.get("kind") and alias["kind"] != "alias":
                    text.append(f" ({shown(alias['kind'], 40)})", style=Style(dim=True))
            if len(names) > ALIASES_SHOWN:
                text.append(f" · and {len(names) - ALIASES_SHOWN:,} more", style=Style(dim=True))
        if described:
            text.append("\ncalled: ", style=Style(dim=True))
            for n, alias in enumerate(described[:ALIASES_SHOWN]):
                if n:
                    text.append(" · ", style=Style(dim=True))
                text.append(f"“{shown(alias['name'], NAME_MAX)}”", style=Style(italic=True))
                if alias["kind"] == "metonym":
                    text.append(" (metonym)", style=Style(dim=True))
                elif alias["as_of"]:
                    text.append(f" (as of {shown(alias['as_of'], 40)})", style=Style(dim=True))
                else:
                    text.append(" (undated)", style=Style(dim=True))
            if len(described) > ALIASES_SHOWN:
                text.append(f" · and {len(described) - ALIASES_SHOWN:,} more", style=Style(dim=True))
        if data.get("summary"):
            summary = clipped(data["summary"])
            text.append("\n" + summary.text.strip())
            if summary.more:
                text.append("\n" + more_words(summary.more), style=look.fg("accent", bold=True))
        return text

    def show_interlocks(self, shared: dict[str, Any]) -> None:
        """The bodies this organisation shares people with: read after the
        pane, as a hub's take a third of a second at 1M entities."""
        if self.data is None or shared["organisation"]["id"] != self.data["id"]:
            return
        self.interlocks = shared
        section = interlock_rows.section(shared, self.look)
        self._fill("interlocks", INTERLOCKS_TITLE, len(section[1]), section)
        self._title("interlocks", INTERLOCKS_TITLE, len(section[1]), shared["count"])

    def cut_short(self) -> list[tuple[str, str]]:
        """(title, whole value) of each value the pane drew cut short."""
        data = self.data
        if data is None or len(data.get("summary") or "") <= PANE_TEXT_MAX:
            return []
        return [(f"Summary of {data['name']}", data["summary"])]

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

    def _fill(self, name: str, label: str, count: int, section: tuple[Columns, list[TableRow]]) -> None:
        columns, rows = section
        table = self.table(name)
        table.set_columns(*columns, prose=PROSE_COLUMNS)
        table.fit_width = self._room()
        table.set_rows(rows)
        self._title(name, label, count)

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
        table.set_columns(*role_columns(self.roles_in_it, self._role_dates), prose=PROSE_COLUMNS)
        table.fit_width = self._room()
        table.set_rows(self._role_rows(data["roles"]), total=data["roles_total"])
        self._roles_title()

    def _roles_title(self) -> None:
        table = self.table("roles")
        label = "People in roles here" if self.roles_in_it else "Roles held"
        self._title("roles", label, table.loaded, table.total)

    def append_roles(self, roles: list[Role], total: int | None = None) -> None:
        if self.data is None:
            return
        self.data["roles"].extend(roles)
        self.table("roles").append_rows(self._role_rows(roles), total=total)
        self._roles_title()

    def _role_rows(self, roles: list[Role]) -> list[TableRow]:
        return role_rows(roles, self.look, self.roles_in_it, self._role_dates, self.today)

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
