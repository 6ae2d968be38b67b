"""A DataTable whose rows are claims, with links to entities.

One class serves roles, relations, events and sources. Each row carries a
RowInfo: the claim behind it (for the evidence pane), the entity that Enter
opens, and which cells are links (a click on a name opens that name, a
click elsewhere only selects the row). Long role lists are paged: the table
shows what is loaded plus a "load more" row, and asks for the next page
when the cursor or the scrollbar reaches the end.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.widgets import DataTable

from kbtui.kb.table_export import ExportRow
from kbtui.tui import fit
from kbtui.tui.messages import (
    ClaimHighlighted,
    EntitySelected,
    ExportTable,
    LeaveTable,
    LoadMoreRoles,
    OpenCitation,
    OpenInterlocks,
    OpenSource,
)
from kbtui.tui.widgets.claim_rows import Cell, Link, RowInfo, TableRow


class ClaimTable(DataTable[Cell]):
    BINDINGS = [
        Binding("enter", "select_cursor", "open", id="table.open"),
        Binding("j", "cursor_down", "down", show=False, id="table.down"),
        Binding("k", "cursor_up", "up", show=False, id="table.up"),
        Binding(
            "e",
            "export",
            "export",
            tooltip="export the table's rows with their citations (CSV or JSON; asks where)",
            id="table.export",
        ),
        Binding("home,g", "first_row", "first row", show=False, id="table.first"),
        Binding("end,G", "last_row", "last row (loads more)", show=False, id="table.last"),
    ]

    def __init__(self, *, id: str | None = None, export_header: Sequence[str] = ()) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=False, show_row_labels=False)
        self.infos: list[RowInfo] = []
        self.export_header = list(export_header)
        self.total = 0  # rows that exist (> len(loaded) when paged)
        # the rows that exist are not counted yet (an overview reads pages
        # before its count comes): the "more" row does not say how many
        self.open_ended = False
        self._loading = False
        # fitting the columns to the width (kbtui.tui.fit): the rows as built,
        # the prose columns that give way, the width to fit and the result
        self.labels: list[str] = []
        self.prose: frozenset[int] = frozenset()
        self.built: list[Sequence[Cell]] = []
        self.fit_width = 0  # 0: columns as wide as their cells
        self._widths: list[int] | None = None

    # --- attributes down ------------------------------------------------------

    def set_columns(self, *labels: str, prose: Collection[str] = ()) -> None:
        """The columns; those named in `prose` give way when the table is
        wider than fit_width (names, titles: never dates or counts)."""
        self.clear(columns=True)
        self.labels = list(labels)
        self.prose = frozenset(i for i, label in enumerate(labels) if label in prose)
        for label in labels:
            self.add_column(Text(label, style=Style(bold=True)), key=label)

    def _clear_rows(self) -> None:
        """clear() keeps each column as wide as the widest cell it ever
        held: back to its label, so a refit can make it narrower."""
        self.clear()
        for column in self.columns.values():
            column.content_width = column.label.cell_len

    def set_rows(self, rows: Sequence[TableRow], total: int | None = None) -> None:
        self._clear_rows()
        self.infos = []
        self.built = [cells for cells, _ in rows]
        self._widths = self._fit()
        self._loading = False
        self._add(rows, total)

    def append_rows(self, rows: Sequence[TableRow], total: int | None = None) -> None:
        """Add a page: the "load more" row goes, the page and perhaps a new one come."""
        if not rows:
            # a page that brought nothing ends the list: a damaged KB can count
            # more rows than it returns, and asking again would never end
            total = self.loaded
        row = self.cursor_row
        if self.infos and self.infos[-1].more:
            self.remove_row(str(len(self.infos) - 1))
            self.infos.pop()
        self._loading = False
        self.built.extend(cells for cells, _ in rows)
        widths = self._fit()
        if widths != self._widths:  # the page moved the columns: every row again
            self._widths = widths
            self._refill(total, [info for _, info in rows])
        else:
            self._add(rows, total)
        if row < self.row_count:
            self.move_cursor(row=row, animate=False, scroll=False)

    def fit_to(self, width: int) -> None:
        """Fit the columns in `width` cells from now on (the pane resized)."""
        if width == self.fit_width:
            return
        self.fit_width = width
        widths = self._fit()
        if widths != self._widths:
            self._widths = widths
            if self.built:
                row, scroll = self.cursor_row, self.scroll_y
                self._refill(self.total)
                if row < self.row_count:
                    self.move_cursor(row=row, animate=False, scroll=False)
                self.scroll_to(y=scroll, animate=False)

    def _fit(self) -> list[int] | None:
        if not self.fit_width or not self.prose or not self.labels:
            return None
        return fit.widths(self.labels, self.built, self.fit_width, self.prose)

    def _refill(self, total: int | None, added: Sequence[RowInfo] = ()) -> None:
        """Every row again; `added`: the infos of rows in self.built not added yet."""
        infos = [i for i in self.infos if not i.more] + list(added)
        self._clear_rows()
        self.infos = []
        self._add(list(zip(self.built, infos, strict=True)), total)

    @property
    def loaded(self) -> int:
        return sum(1 for i in self.infos if not i.more)

    def _add(self, rows: Sequence[TableRow], total: int | None) -> None:
        for cells, info in rows:
            if self._widths is not None:
                cells = fit.fitted(cells, self._widths)
            self.add_row(*cells, key=str(len(self.infos)))
            self.infos.append(info)
        self.total = total if total is not None else self.loaded
        left = self.total - self.loaded
        if left > 0:
            more = Style(dim=True, italic=True)
            said = "more: Enter loads" if self.open_ended else f"{left:,} more: Enter loads"
            # the words go in the first prose column: in a short one (a
            # count) they made it as wide as themselves
            at = min(self.prose, default=1)
            note: list[Cell] = [""] * len(self.columns)
            if note:
                note[0] = Text("  ⋯", style=more)
                note[min(max(at, 1), len(note) - 1)] = Text(said, style=more)
            self.add_row(*note, key=str(len(self.infos)))
            self.infos.append(RowInfo(more=True))

    @property
    def current(self) -> RowInfo | None:
        if not self.infos or not 0 <= self.cursor_row < len(self.infos):
            return None
        return self.infos[self.cursor_row]

    # --- messages up ----------------------------------------------------------

    def _request_more(self) -> None:
        if not self._loading and self.infos and self.infos[-1].more:
            self._loading = True
            self.post_message(LoadMoreRoles(self.loaded))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table is not self:
            return
        row = self.cursor_row
        if self._heading(row):  # reached by a page key or a click: on to the nearest item
            below = next((r for r in range(row + 1, self.row_count) if not self._heading(r)), None)
            above = next((r for r in range(row - 1, -1, -1) if not self._heading(r)), None)
            target = below if below is not None else above
            if target is not None:
                self.move_cursor(row=target)
                return  # its own highlight announces it
        self._announce()
        info = self.current
        if info is not None and info.more:
            self._request_more()

    def on_focus(self) -> None:
        self._announce(focused=True)

    def _announce(self, focused: bool = False) -> None:
        """Only the focused table speaks for the evidence pane (refilling the
        other tables moves their cursors too)."""
        info = self.current
        if info is not None and not info.more and (focused or self.screen.focused is self):
            self.post_message(ClaimHighlighted(info.claim, info.summary, self.id, info.hint))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table is not self:
            return
        event.stop()
        self._open(self.current)

    def _open(self, info: RowInfo | None, link: Link | None = None) -> None:
        if info is None:
            return
        target = link or info.link
        if info.more:
            self._request_more()
        elif target:
            entity_id, name = target
            self.post_message(EntitySelected(entity_id, name))
        elif info.interlock:
            self.post_message(OpenInterlocks(*info.interlock))
        elif info.citation:
            self.post_message(OpenCitation(*info.citation))
        elif info.source_id:
            self.post_message(OpenSource(info.source_id, info.focus_entity))

    async def _on_click(self, event: events.Click) -> None:
        meta = event.style.meta
        row, column = meta.get("row"), meta.get("column")
        if isinstance(row, int) and isinstance(column, int) and 0 <= row < len(self.infos):
            link = self.infos[row].cell_links.get(column)
            if link is not None:
                event.stop()
                self.move_cursor(row=row)
                self._open(self.infos[row], link)
                return
        await super()._on_click(event)

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        if self.max_scroll_y and new >= self.max_scroll_y - 1:
            self._request_more()

    def _heading(self, row: int) -> bool:
        return 0 <= row < len(self.infos) and self.infos[row].heading

    def action_cursor_down(self) -> None:
        row = self.cursor_row + 1
        while self._heading(row):  # step over headings (a year in the timeline)
            row += 1
        if self.row_count and row > self.row_count - 1:
            self.post_message(LeaveTable(self, 1))
            return
        self.move_cursor(row=row)

    def action_cursor_up(self) -> None:
        row = self.cursor_row - 1
        while self._heading(row):
            row -= 1
        if row < 0:
            if self.cursor_row > 0:  # only headings above: they stay in view, the cursor where it is
                self.scroll_home(animate=False)
            else:
                self.post_message(LeaveTable(self, -1))
            return
        self.move_cursor(row=row)

    def action_first_row(self) -> None:
        if self.row_count:
            row = 0
            while self._heading(row) and row < self.row_count - 1:
                row += 1
            self.move_cursor(row=row)
            if row:
                self.scroll_home(animate=False)

    def action_last_row(self) -> None:
        if self.row_count:
            self.move_cursor(row=self.row_count - 1)

    def action_export(self) -> None:
        """Ask the screen to export the loaded rows, each with the claim (or
        source) behind it, so the export can carry their citations."""
        rows = [ExportRow(i.export, i.claim["id"] if i.claim else None, i.source_id) for i in self.infos if not i.more]
        self.post_message(ExportTable(self.id or "table", rows, self.export_header))
