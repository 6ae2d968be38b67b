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
from textual.binding import Binding
from textual.widgets import Static

from kbtui.tui import data as kbdata
from kbtui.tui.clip import shown
from kbtui.tui.history import Location
from kbtui.tui.look import plural
from kbtui.tui.messages import ExportTable, LoadMoreRoles, TitleLearned
from kbtui.tui.screens.export import TableExport
from kbtui.tui.screens.table_screen import TableScreen
from kbtui.tui.widgets import neighbour_rows

KINDS_SHOWN = 6


class NeighboursScreen(TableScreen):
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
    NAME = "neighbours"
    COLUMNS = neighbour_rows.COLUMNS
    PROSE = neighbour_rows.PROSE
    EXPORT_HEADER = neighbour_rows.EXPORT_HEADER

    def __init__(self, db_path: Path, location: Location) -> None:
        super().__init__(db_path, location)
        self._shown = 0  # neighbours listed so far

    @property
    def hops(self) -> int:
        return self.location.hops or 2

    def enter(self, location: Location) -> None:
        self._shown = 0
        self.table.set_rows([])
        self.evidence.show_claim(None)
        self._head(Text("Reading the neighbourhood…", style=Style(dim=True)))
        self.load(location, 0)

    def _head(self, text: Text) -> None:
        self.query_one("#neighbours-head", Static).update(text)

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
            self.table.fit_width = self.table_width()
            self.table.set_rows(built, page["total"])
            state = location.state
            row = state.get("row")
            if isinstance(row, int) and row >= self._shown and self._shown < page["total"]:
                self.load(location, self._shown)  # the row was on a later page: read on to it
                return
            self.put_back(state)
        else:
            self.table.append_rows(built, page["total"])
            if "row" in location.state and location.state["row"] >= self._shown - len(built):
                self.put_back(location.state)

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

    # --- actions -------------------------------------------------------------------

    def action_hops(self, hops: int) -> None:
        if hops == self.hops:
            return
        self.location.hops = hops
        self.location.state = {}
        self.enter(self.location)

    def table_to_export(self, event: ExportTable) -> TableExport | None:
        stem = f"{self.location.entity_id}-neighbours"
        return TableExport(stem, self.location.title, event.header, len(event.rows), rows=event.rows)
