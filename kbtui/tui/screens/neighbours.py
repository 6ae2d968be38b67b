"""The neighbourhood of one entity (`n` on its pane): what it is linked to
by claims, two hops out by default — counted by kind and by link, then
listed, the most linked first, a second-hop entity with the first-hop one
it is reached through. The highlighted row's link claim shows its evidence
below; Enter (or a click on the name) opens the neighbour; `1` / `2` show
one hop or two. Rows come 200 at a time, more as the cursor reaches the
end. A place in history: Escape goes back.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Static

from kbtui.tui import data as kbdata
from kbtui.tui.clip import shown
from kbtui.tui.history import Location
from kbtui.tui.look import Look, plural
from kbtui.tui.messages import ExportTable, LoadMoreRoles, TitleLearned
from kbtui.tui.screens.base import EvidenceScreen
from kbtui.tui.screens.export import TableExport
from kbtui.tui.widgets import neighbour_rows
from kbtui.tui.widgets.breadcrumb import Breadcrumb
from kbtui.tui.widgets.evidence import EvidencePane
from kbtui.tui.widgets.footer import KeyBar
from kbtui.tui.widgets.tables import ClaimTable

TABLE_SCROLLBAR = 2
KINDS_SHOWN = 6


class NeighboursScreen(EvidenceScreen):
    BINDINGS = [
        Binding("escape", "step_out", "back", id="neighbours.back"),
        Binding("c", "focus_evidence", "evidence", tooltip="the link's citations", id="neighbours.evidence"),
        # one entry on the key bar for both
        Binding(
            "1", "hops(1)", "hops", key_display="1 2", tooltip="only what it is linked to directly", id="neighbours.one"
        ),
        Binding("2", "hops(2)", "2 hops", show=False, tooltip="and what those are linked to", id="neighbours.two"),
        Binding("y", "copy_citation", "copy", show=False, id="neighbours.copy"),
    ]
    NO_EVIDENCE = "Highlight a neighbour first: the claim that links it shows below."

    def __init__(self, db_path: Path, location: Location) -> None:
        super().__init__(db_path)
        self.location = location
        self._shown = 0  # neighbours listed so far
        self._head_text = Text()

    def compose(self) -> ComposeResult:
        yield Breadcrumb(id="crumbs")
        yield Static("", id="neighbours-head")
        with Vertical(id="neighbours-body"):
            yield ClaimTable(id="neighbours-table", export_header=neighbour_rows.EXPORT_HEADER)
            yield EvidencePane(id="evidence")
        yield KeyBar()

    @property
    def table(self) -> ClaimTable:
        return self.query_one("#neighbours-table", ClaimTable)

    def item_list(self) -> Widget:
        return self.table

    @property
    def hops(self) -> int:
        return self.location.hops or 2

    def on_mount(self) -> None:
        self.show_breadcrumb(*self._crumbs)
        self.evidence.today = self.context.today
        self.evidence.look = self.context.look
        self.table.set_columns(*neighbour_rows.COLUMNS, prose=neighbour_rows.PROSE)
        self._enter(self.location)

    def on_resize(self) -> None:
        self.table.fit_to(max(self.table.size.width - TABLE_SCROLLBAR, 0))

    def show_location(self, location: Location) -> None:
        if location is not self.location:
            self.location = location
            self._enter(location)

    def kb_changed(self) -> None:
        self.location.state = {**self.location.state, **self.capture()}
        self._enter(self.location)

    def _enter(self, location: Location) -> None:
        self._shown = 0
        self.table.set_rows([])
        self.evidence.show_claim(None)
        self._head(Text("Reading the neighbourhood…", style=Style(dim=True)))
        self.load(location, 0)

    def _head(self, text: Text) -> None:
        self.query_one("#neighbours-head", Static).update(text)

    def apply_look(self, look: Look) -> None:
        self.evidence.look = look
        self.evidence.show_claim(self.evidence.claim, self.evidence.summary)

    # --- reading -----------------------------------------------------------------

    @work(thread=True, exclusive=True, group="neighbours")
    def load(self, location: Location, offset: int) -> None:
        assert location.entity_id is not None
        found = self.guarded(kbdata.neighbours_page, self.db_path, location.entity_id, self.hops, offset)
        if found is not None:
            self.app.call_from_thread(self._loaded, location, offset, found)

    def _loaded(self, location: Location, offset: int, found: kbdata.NeighboursPage) -> None:
        if location is not self.location or offset != self._shown:
            return  # the user moved on, or this page was already read
        page = found.page
        built = neighbour_rows.rows(page, found.evidence, self.context.look)
        self._shown += len(page["neighbours"])
        if offset == 0:
            self.post_message(TitleLearned(location, f"Neighbours: {page['entity']['name']}"))
            self._head(self._words(page, found))
            self.table.fit_width = max(self.table.size.width - TABLE_SCROLLBAR, 0)
            self.table.set_rows(built, page["total"])
            state = location.state
            row = state.get("row")
            if isinstance(row, int) and row >= self._shown and self._shown < page["total"]:
                self.load(location, self._shown)  # the row was on a later page: read on to it
                return
            self._restore(state)
        else:
            self.table.append_rows(built, page["total"])
            if "row" in location.state and location.state["row"] >= self._shown - len(built):
                self._restore(location.state)

    def _words(self, page: dict[str, Any], found: kbdata.NeighboursPage) -> Text:
        counts = found.counts or {}
        name = shown(page["entity"]["name"], 80)
        text = Text(f"Neighbours of {name}", style=Style(bold=True))
        hops = page["hops"]
        total, first = counts.get("total", page["total"]), counts.get("first_hop", 0)
        text.append(f" · {total:,} within {plural(hops, 'hop')}", style=Style(dim=True))
        if hops == 2:
            text.append(f" ({first:,} direct)", style=Style(dim=True))
        kinds = counts.get("kinds") or {}
        if kinds:
            listed = ", ".join(f"{n:,} {shown(k, 20)}" for k, n in list(kinds.items())[:KINDS_SHOWN])
            text.append(f"\n{listed}", style=Style(dim=True))
        if found.refused:
            text.append(
                f"  · one hop only: a second from {first or total:,} neighbours is most of the KB",
                style=self.context.look.fg("warning"),
            )
        else:
            other = 1 if hops == 2 else 2
            text.append(f"  · ⏎ open · {other}: {plural(other, 'hop')}", style=Style(dim=True))
        return text

    @on(LoadMoreRoles)
    def _more(self, event: LoadMoreRoles) -> None:
        event.stop()
        self.load(self.location, self._shown)

    # --- history -------------------------------------------------------------------

    def capture(self) -> dict[str, Any]:
        focused = self.focused
        return {
            "row": self.table.cursor_row,
            "scroll_y": self.table.scroll_y,
            "focus": focused.id if focused is not None else None,
            "evidence": self.evidence.highlighted_index,
        }

    def _restore(self, state: dict[str, Any]) -> None:
        row = state.get("row", 0)
        if isinstance(row, int) and 0 <= row < self.table.row_count:
            self.table.move_cursor(row=row, animate=False, scroll=False)
        self.table.call_after_refresh(self.table.scroll_to, y=state.get("scroll_y", 0), animate=False)
        info = self.table.current
        if info is not None and not info.more:
            self.evidence.show_claim(info.claim, info.summary)
        self.evidence.restore(state.get("evidence"))
        self.refocus(state)

    # --- actions -------------------------------------------------------------------

    def action_hops(self, hops: int) -> None:
        if hops == self.hops:
            return
        self.location.hops = hops
        self.location.state = {}
        self._enter(self.location)

    def table_to_export(self, event: ExportTable) -> TableExport | None:
        stem = f"{self.location.entity_id}-neighbours"
        return TableExport(stem, self.location.title, event.header, len(event.rows), rows=event.rows)
