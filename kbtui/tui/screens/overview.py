"""The overviews: every source, claim, event or entity of the KB as a
table to browse, narrowed by typing (words and key:value terms, see
kbtui.kb.overview). F2–F5 switch between them from anywhere; each is a
place in history, so back returns to the same filter, row and citation.

Rows come a page at a time (scrolling to the end, or Enter on the last
row, reads the next). The count above the table follows the typing: exact
when quick, "≈" when estimated, `#` counts exactly. Under the table the
highlighted row is shown whole; for claims and events its citations too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar, cast

from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Input, Static

from kbtui.kb import overview
from kbtui.tui import data as kbdata
from kbtui.tui.clip import shown
from kbtui.tui.history import Location
from kbtui.tui.keys import SteadyInput
from kbtui.tui.look import Look
from kbtui.tui.messages import ClaimHighlighted, ExportTable, LeaveTable, LoadMoreRoles
from kbtui.tui.screens.base import ContentScreen
from kbtui.tui.screens.export import TableExport
from kbtui.tui.widgets import overview_rows as view_rows
from kbtui.tui.widgets.breadcrumb import Breadcrumb
from kbtui.tui.widgets.evidence import EvidenceList, EvidencePane
from kbtui.tui.widgets.footer import KeyBar
from kbtui.tui.widgets.tables import ClaimTable

# Focus moves with Screen.set_focus, at once: Widget.focus() waits for the
# message queue, and keys typed meanwhile ("↓ j j" sent together) went to
# the widget being left (the filter took the "jj").

TABS: tuple[tuple[overview.View, str, str], ...] = (
    ("sources", "Sources", "f2"),
    ("claims", "Claims", "f3"),
    ("events", "Events", "f4"),
    ("entities", "Entities", "f5"),
)
HINTS: dict[overview.View, str] = {
    "sources": "words · outlet: author: via: from: to: · repost errata",
    "claims": "names · kind: (role, met…) status: outlet: source: from: to: · disputed conflict",
    "events": "names · type: country: (repeat for each) from: to:",
    "entities": "names · kind: country:",
}


class FilterInput(SteadyInput):
    FOCUS_KEYS: ClassVar[dict[str, str]] = {"down": "focus_rows", "enter": "focus_rows"}

    def __init__(self, *, placeholder: str = "", id: str | None = None) -> None:
        # stepping back here (esc from the rows) must not select the filter:
        # the next key would replace it
        super().__init__(placeholder=placeholder, id=id, select_on_focus=False)


class OverviewScreen(ContentScreen):
    BINDINGS = [
        Binding("escape", "step_out", "back", id="overview.back"),
        Binding("c", "focus_evidence", "evidence", tooltip="go to the citations of the claim", id="overview.evidence"),
        Binding("s", "sort", "order", tooltip="read the list in another order", id="overview.sort"),
        Binding("number_sign", "exact_count", "count", tooltip="count the matching rows exactly", id="overview.count"),
        Binding("slash", "focus_filter", "filter", show=False, id="overview.filter"),
        Binding("y", "copy_citation", "copy", show=False, id="overview.copy"),
    ]
    NO_CITATION = "No citation selected: press c to go to the evidence."

    def __init__(self, db_path: Path, location: Location) -> None:
        super().__init__(db_path)
        self.location = location
        self.view: overview.View = cast(overview.View, location.view or "sources")
        self.order = ""
        self.found: list[overview.Row] = []
        self.evidence_of: dict[str, Any] = {}
        self._restoring: dict[str, Any] | None = None
        self._width = 0
        self._count: overview.Count | None = None  # None: being counted
        self._problem: str | None = None  # what could not be understood of the filter
        self._more = False  # the last page was full: there may be more

    def compose(self) -> ComposeResult:
        yield Breadcrumb(id="crumbs")
        yield Static("", id="overview-tabs")
        yield FilterInput(placeholder="type to narrow", id="overview-filter")
        yield Static("", id="overview-status")
        with Vertical(id="overview-body"):
            yield ClaimTable(id="overview-table")
            yield Static("", id="overview-detail")
            yield EvidencePane(id="evidence")
        yield KeyBar()

    @property
    def table(self) -> ClaimTable:
        return self.query_one("#overview-table", ClaimTable)

    @property
    def filter(self) -> Input:
        return self.query_one("#overview-filter", Input)

    @property
    def evidence(self) -> EvidencePane:
        return self.query_one(EvidencePane)

    def on_mount(self) -> None:
        self.show_breadcrumb(*self._crumbs)
        self.evidence.today = self.context.today
        self.evidence.look = self.context.look
        self.table.open_ended = True
        self._enter(self.location)

    # --- places ------------------------------------------------------------------

    def show_location(self, location: Location) -> None:
        """History came back here, or the user switched overview."""
        if location is self.location:
            return
        self.location = location
        self._enter(location)

    def kb_changed(self) -> None:
        """Curate mode changed the KB: the list is read again, at the same filter and row."""
        self.location.state = {**self.location.state, **self.capture()}
        self._enter(self.location)

    def _enter(self, location: Location) -> None:
        self.view = cast(overview.View, location.view or "sources")
        state = location.state
        self._restoring = dict(state) if state else None
        self.order = state.get("order", "") if state else ""
        self.table.export_header = view_rows.EXPORT_HEADERS[self.view]
        self.evidence.display = self.view in ("claims", "events")
        self.evidence.show_claim(None)
        self._tabs()
        text = state.get("text", "") if state else ""
        with self.filter.prevent(Input.Changed):
            self.filter.value = text
        self.filter.placeholder = f"type to narrow: {HINTS[self.view]}"
        self._reload()
        self.refresh_bindings()
        if not state or state.get("focus") == "overview-filter":
            self.set_focus(self.filter)

    def _tabs(self) -> None:
        line = Text()
        for view, label, key in TABS:
            current = view == self.view
            line.append(f" {label} ", style=Style(bold=True, reverse=True) if current else Style(dim=not current))
            line.append(f"{key.upper()}  ", style=Style(dim=True))
        self.query_one("#overview-tabs", Static).update(line)

    def apply_look(self, look: Look) -> None:
        self.evidence.look = look
        self._show_rows(keep=True)
        self.evidence.show_claim(self.evidence.claim, self.evidence.summary)

    # --- reading -----------------------------------------------------------------

    @on(Input.Changed, "#overview-filter")
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        self._restoring = None
        self._reload()

    def _reload(self) -> None:
        self._count = None
        self._status(Text("Reading…", style=Style(dim=True)))
        self.load(self.view, self.filter.value, self.order)
        self.count(self.view, self.filter.value, self.order)

    @work(thread=True, exclusive=True, group="overview")
    def load(self, view: overview.View, text: str, order: str, offset: int = 0) -> None:
        page = self.guarded(kbdata.overview_page, self.db_path, view, text, order, offset)
        if page is not None:
            self.app.call_from_thread(self._loaded, view, text, offset, page)

    @work(thread=True, exclusive=True, group="overview-count")
    def count(self, view: overview.View, text: str, order: str, exact: bool = False) -> None:
        n = self.guarded(kbdata.overview_count, self.db_path, view, text, order, exact)
        if n is not None:
            self.app.call_from_thread(self._counted, view, text, n)

    def _current(self, view: overview.View, text: str) -> bool:
        return view == self.view and text == self.filter.value

    def _loaded(self, view: overview.View, text: str, offset: int, page: kbdata.OverviewPage) -> None:
        if not self._current(view, text):
            return
        if offset == 0:
            self.found = list(page.rows)
            self.evidence_of = dict(page.evidence)
        else:
            self.found.extend(page.rows)
            self.evidence_of.update(page.evidence)
        self._more = len(page.rows) == overview.PAGE
        self._problem = page.problem
        # every row again, not just the page: the columns are fitted to all
        # rows read (a few hundred, a few milliseconds)
        self._show_rows(keep=offset > 0)
        self._status()
        if self._restoring is not None:
            self._restore(self._restoring)

    def _counted(self, view: overview.View, text: str, n: overview.Count) -> None:
        if self._current(view, text):
            self._count = n
            self._status()

    def _total(self) -> int:
        return len(self.found) + (1 if self._more else 0)

    def _rows(self, found: list[overview.Row]) -> list[Any]:
        width = self.table.size.width or self.size.width
        self._width = width
        return view_rows.rows(self.view, found, width - 2, self.context.look, self.evidence_of)

    def _show_rows(self, keep: bool = False) -> None:
        row, scroll = (self.table.cursor_row, self.table.scroll_y) if keep else (0, 0)
        columns = view_rows.COLUMNS[self.view]
        # (the prose column, for the table's "more" row; the cells are fitted here)
        self.table.set_columns(*(label for label, _ in columns), prose=[label for label, cap in columns if cap is None])
        self.table.set_rows(self._rows(self.found), self._total())
        if keep and 0 <= row < self.table.row_count:
            self.table.move_cursor(row=row, animate=False, scroll=False)
            self.table.scroll_to(y=scroll, animate=False)
        self._detail()

    def on_resize(self) -> None:
        if self.found and self.table.size.width != self._width:
            self._show_rows(keep=True)

    def _status(self, text: Text | None = None) -> None:
        status = self.query_one("#overview-status", Static)
        if text is not None:
            status.update(text)
            return
        if self._problem:
            status.update(Text(self._problem, style=self.context.look.fg("warning")))
            return
        n = self._count
        shown = len(self.found)
        line = Text()
        if n is None:
            line.append(
                f"{shown:,}{'+' if self._more else ''} {view_rows.noun(self.view, shown)}", style=Style(bold=True)
            )
            line.append(" · counting…", style=Style(dim=True))
        elif n.n is None:
            line.append(f"many {view_rows.noun(self.view, 2)}", style=Style(bold=True))
            line.append(" · # counts them", style=Style(dim=True))
        else:
            line.append(f"{'' if n.exact else '≈ '}{n.n:,} {view_rows.noun(self.view, n.n)}", style=Style(bold=True))
            if not n.exact:
                line.append(" · # counts exactly", style=Style(dim=True))
        order = self.order or next(iter(overview.ORDERS[self.view]))
        line.append(f" · {order}", style=Style(dim=True))
        status.update(line)

    # --- the selection -------------------------------------------------------------

    @on(DataTable.RowHighlighted, "#overview-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._detail()

    def _detail(self) -> None:
        row = self.found[self.table.cursor_row] if 0 <= self.table.cursor_row < len(self.found) else None
        self.query_one("#overview-detail", Static).update(view_rows.detail(row, self.context.look))
        if row is None or self.view not in ("claims", "events"):
            return
        info = self.table.current
        if info is not None and self.screen.focused is not self.table:
            self.evidence.show_claim(info.claim, info.summary)

    @on(ClaimHighlighted)
    def _claim(self, event: ClaimHighlighted) -> None:
        event.stop()
        if self.view in ("claims", "events"):
            self.evidence.show_claim(event.claim, event.summary)

    @on(LoadMoreRoles)
    def _load_more(self, event: LoadMoreRoles) -> None:
        event.stop()
        self.load(self.view, self.filter.value, self.order, len(self.found))

    @on(LeaveTable)
    def _leave(self, event: LeaveTable) -> None:
        event.stop()
        if event.direction < 0:
            self.set_focus(self.filter)

    def action_focus_rows(self) -> None:
        """Down or Enter in the filter: to the rows, as from the search box."""
        if self.table.row_count:
            self.set_focus(self.table)

    # --- history -------------------------------------------------------------------

    def capture(self) -> dict[str, Any]:
        focused = self.focused
        return {
            "text": self.filter.value,
            "order": self.order,
            "row": self.table.cursor_row,
            "loaded": len(self.found),
            "scroll_y": self.table.scroll_y,
            "focus": focused.id if focused is not None else None,
            "evidence": self.evidence.highlighted_index,
        }

    def _restore(self, state: dict[str, Any]) -> None:
        row = state.get("row", 0)
        if isinstance(row, int) and row >= len(self.found) and self._more and len(self.found) < state.get("loaded", 0):
            self.load(self.view, self.filter.value, self.order, len(self.found))  # the rows it was on: read on
            return
        self._restoring = None
        if isinstance(row, int) and 0 <= row < self.table.row_count:
            self.table.move_cursor(row=row, animate=False, scroll=False)
        self.table.call_after_refresh(self.table.scroll_to, y=state.get("scroll_y", 0), animate=False)
        self._detail()
        info = self.table.current
        if info is not None and info.claim is not None:
            self.evidence.show_claim(info.claim, info.summary)
            self.evidence.restore(state.get("evidence"))
        focus = state.get("focus")
        if focus == "evidence-list" and self.evidence.citations:
            self.set_focus(self.query_one(EvidenceList))
        elif focus == "overview-table":
            self.set_focus(self.table)
        else:
            self.set_focus(self.filter)

    # --- actions -------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # keys that do nothing in this view are not offered in the footer
        if action == "focus_evidence":
            return self.view in ("claims", "events")
        if action == "sort":
            return len(overview.ORDERS[self.view]) > 1
        return True

    def table_to_export(self, event: ExportTable) -> TableExport | None:
        """The rows read so far under this filter (paging on loads more), in
        a file named after the view and what was typed."""
        typed = self.filter.value.strip()
        stem = f"{self.view}-{typed}" if typed else self.view
        title = f"{self.view.capitalize()}" + (f" matching “{shown(typed, 60)}”" if typed else "")
        return TableExport(stem, title, event.header, len(event.rows), rows=event.rows)

    def cut_short(self) -> list[tuple[str, str]]:
        return self.evidence.cut_short()

    def current_citation(self) -> kbdata.CitedQuote | None:
        return self.evidence.cited_quote

    async def action_step_out(self) -> None:
        """Escape: from the evidence to the rows, from the rows to the
        filter, from the filter back to where the user came from."""
        if isinstance(self.focused, EvidenceList):
            self.set_focus(self.table)
        elif self.focused is self.table:
            self.set_focus(self.filter)
        else:
            await self.app.run_action("app.back")

    def action_focus_filter(self) -> None:
        self.set_focus(self.filter)

    def action_focus_evidence(self) -> None:
        if self.view in ("claims", "events") and self.evidence.citations:
            self.set_focus(self.query_one(EvidenceList))
        else:
            self.notify("Highlight a claim or event first: its citations show below.", severity="warning", timeout=3)

    def action_sort(self) -> None:
        orders = list(overview.ORDERS[self.view])
        if len(orders) < 2:
            self.notify(f"The {self.view} are read in one order: {orders[0]}.", timeout=3)
            return
        at = orders.index(self.order) if self.order in orders else 0
        self.order = orders[(at + 1) % len(orders)]
        self._reload()

    def action_exact_count(self) -> None:
        self._status(Text("Counting exactly…", style=Style(dim=True)))
        self.count(self.view, self.filter.value, self.order, exact=True)
