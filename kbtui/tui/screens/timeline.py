"""The timeline: every dated item of one entity (`t` on its pane) or of
the whole KB (F7), in date order, grouped by year. A place in history, so
back returns to the same row.

Items come a page at a time from kbtui.kb.timeline (keyset paging: each
page asks for the items after the last one shown); scrolling to the end,
`G`, or Enter on the last row reads the next. Under the rows the
highlighted item's claim is shown with all its citations, as in the
overviews. Enter on an item opens the citation that dates it in the source
viewer, its quote highlighted: the same OpenCitation the evidence pane
sends, so the app's one drill-down serves both. `o` (or a click on what
happened) opens the entity the item is about.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Input, Static

from kbtui.kb import timeline
from kbtui.kb.timeline import Cursor
from kbtui.tui import data as kbdata
from kbtui.tui.clip import shown
from kbtui.tui.history import Location
from kbtui.tui.messages import EntitySelected, ExportTable, LoadMoreRoles
from kbtui.tui.screens.export import TableExport
from kbtui.tui.screens.table_screen import TableScreen
from kbtui.tui.widgets import timeline_rows


class TimelineScreen(TableScreen):
    BINDINGS = [
        Binding("escape", "step_out", "back", id="timeline.back"),
        Binding(
            "c", "focus_evidence", "evidence", tooltip="go to all the citations of the item", id="timeline.evidence"
        ),
        Binding(
            "o",
            "open_entity",
            "open entity",
            show=False,  # the status line says it: the footer has no room at 80 columns
            tooltip="open the entity the item names (a click on it too)",
            id="timeline.open",
        ),
        Binding("y", "copy_citation", "copy", show=False, id="timeline.copy"),
        Binding("f", "focus_dates", "dates", tooltip="only the items between two dates", id="timeline.dates"),
    ]

    NAME = "timeline"
    COLUMNS = timeline_rows.COLUMNS
    PROSE = timeline_rows.PROSE
    EXPORT_HEADER = timeline_rows.EXPORT_HEADER

    def __init__(self, db_path: Path, location: Location) -> None:
        super().__init__(db_path, location)
        self.items = 0  # items shown (the table also holds a row per year)
        self._year: str | None = None  # the year the rows shown end in
        self._next: Cursor | None = None
        self._restoring: dict[str, Any] | None = None
        self.dates: tuple[str | None, str | None] = (None, None)  # the range shown (either end open)

    def compose_head(self) -> ComposeResult:
        with Horizontal(id="timeline-top"):
            yield Static("", id="timeline-status")
            yield Input(placeholder="f dates: 2024-04, 2022..2024-06", id="timeline-dates")

    def on_mount(self) -> None:
        self.table.open_ended = True  # how many items are left is not counted
        super().on_mount()

    # --- places ------------------------------------------------------------------

    @property
    def dates_box(self) -> Input:
        return self.query_one("#timeline-dates", Input)

    def enter(self, location: Location) -> None:
        typed = str(location.state.get("dates") or "")
        self.dates_box.value = typed
        self.dates = timeline.parse_range(typed)  # what was applied before: valid
        # a place left at a row goes back to it; a new range starts at the top
        self._restoring = dict(location.state) if "row" in location.state else None
        self.items, self._year, self._next = 0, None, None
        self.table.set_rows([])
        self.evidence.show_claim(None)
        self._status(Text("Reading…", style=Style(dim=True)))
        self.load(location, None)

    # --- reading -----------------------------------------------------------------

    @work(thread=True, exclusive=True, group="timeline")
    def load(self, location: Location, after: Cursor | None) -> None:
        start, end = self.dates
        found = self.guarded(kbdata.timeline_page, self.db_path, location.entity_id, after, start, end)
        if found is not None:
            self.app.call_from_thread(self._loaded, location, after, found)

    def _loaded(self, location: Location, after: Cursor | None, found: kbdata.TimelinePage) -> None:
        if location is not self.location or after != self._next:
            return  # the user moved on, or this page was already read
        built = timeline_rows.rows(found.items, found.evidence, self.context.look, self._year, location.entity_id)
        if found.items:
            self._year = timeline_rows.year_of(found.items[-1])
        self.items += len(found.items)
        self._next = found.next
        # open-ended: one "more" row while there is a next page
        total = self.table.loaded + len(built) + (1 if found.next else 0)
        if after is None:
            self.table.fit_width = self.table_width()
            self.table.set_rows(built, total)
            if self.table.row_count > 1:
                self.table.move_cursor(row=1, animate=False)  # the first item, under its year
        else:
            self.table.append_rows(built, total)
        self._status()
        if self._restoring is not None:
            self._restore(self._restoring)
        elif after is None:
            self.set_focus(self.table)
            self.show_current()

    def _status(self, text: Text | None = None) -> None:
        status = self.query_one("#timeline-status", Static)
        if text is None:
            whose = self.location.title.removeprefix("Timeline: ") if self.location.entity_id else "the whole KB"
            text = Text(f"Timeline of {shown(whose, 120)}", style=Style(bold=True))
            text.append(range_words(*self.dates), style=Style(bold=True))
            more = "+" if self._next else ""
            text.append(f" · {self.items:,}{more} dated item{'' if self.items == 1 else 's'}", style=Style(dim=True))
            if not self.items:
                text.append(" · nothing here has a date, nor evidence that dates it", style=Style(dim=True))
            else:
                text.append(" · ⏎ quote · c citations · o entity", style=Style(dim=True))
        status.update(text)

    @on(LoadMoreRoles)
    def _more(self, event: LoadMoreRoles) -> None:
        event.stop()
        if self._next is not None:
            self.load(self.location, self._next)

    # --- history -------------------------------------------------------------------

    def capture(self) -> dict[str, Any]:
        return {**super().capture(), "rows": self.table.loaded, "dates": self._typed_range()}

    def _restore(self, state: dict[str, Any]) -> None:
        row = state.get("row", 0)
        if isinstance(row, int) and row >= self.table.loaded and self._next is not None:
            self.load(self.location, self._next)  # the row was on a later page: read on to it
            return
        self._restoring = None
        self.put_back(state)

    # --- actions -------------------------------------------------------------------

    def table_to_export(self, event: ExportTable) -> TableExport | None:
        """The items read so far, without the year rows."""
        rows = [r for r in event.rows if r.claim_id]
        entity = self.location.entity_id
        stem = f"{entity}-timeline" if entity else "timeline"
        return TableExport(stem, self.location.title, event.header, len(rows), rows=rows)

    # --- the range of dates ----------------------------------------------------------

    def _typed_range(self) -> str:
        start, end = self.dates
        if start is None and end is None:
            return ""
        return f"{start}" if start == end else f"{start or ''}..{end or ''}"

    def action_focus_dates(self) -> None:
        self.set_focus(self.dates_box)

    @on(Input.Submitted, "#timeline-dates")
    def _dates_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            timeline.parse_range(event.value)
        except ValueError as exc:
            self.notify(str(exc), title="Dates", severity="warning", timeout=6)
            return
        self.location.state = {"dates": event.value.strip()}
        self.enter(self.location)

    def action_open_entity(self) -> None:
        info = self.table.current
        link = info.cell_links.get(1) if info is not None else None
        if link is None:
            self.notify("Highlight an item first: o opens the entity it names.", timeout=3)
            return
        self.post_message(EntitySelected(*link))


def range_words(start: str | None, end: str | None) -> str:
    """ " in 2024-04", " from 2022 to 2024-06", " from 2024", " up to 2021", or ""."""
    if start is None and end is None:
        return ""
    if start == end:
        return f" in {start}"
    if end is None:
        return f" from {start}"
    if start is None:
        return f" up to {end}"
    return f" from {start} to {end}"
