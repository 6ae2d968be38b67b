"""The people who link two organisations (Enter on a row of an
organisation's interlocks table): each person's ties to either side, a role
held there or a relation with it, every tie a cited claim whose evidence
shows below. Enter (or a click on the name) opens the person; `c` goes to
the tie's citations, where Enter opens the quote in its source. A place in
history: Escape goes back to the organisation, at the same row.
"""

from __future__ import annotations

from pathlib import Path

from rich.style import Style
from rich.text import Text
from textual import work
from textual.binding import Binding
from textual.widgets import Static

from kbtui.tui import data as kbdata
from kbtui.tui.clip import shown
from kbtui.tui.history import Location
from kbtui.tui.look import Look, plural
from kbtui.tui.messages import ExportTable
from kbtui.tui.screens.export import TableExport
from kbtui.tui.screens.table_screen import TableScreen
from kbtui.tui.widgets import interlock_rows


class InterlocksScreen(TableScreen):
    BINDINGS = [
        Binding("escape", "step_out", "back", id="interlocks.back"),
        Binding("c", "focus_evidence", "evidence", tooltip="go to the tie's citations", id="interlocks.evidence"),
        Binding("y", "copy_citation", "copy", show=False, id="interlocks.copy"),
    ]
    NO_EVIDENCE = "Highlight a tie first: its citations show below."
    NAME = "interlocks"
    COLUMNS = interlock_rows.PAIR_COLUMNS
    PROSE = interlock_rows.PAIR_PROSE
    EXPORT_HEADER = interlock_rows.PAIR_EXPORT

    def __init__(self, db_path: Path, location: Location) -> None:
        super().__init__(db_path, location)
        self.pair: kbdata.InterlockPair | None = None

    def _head(self, text: Text) -> None:
        self.query_one("#interlocks-head", Static).update(text)

    def enter(self, location: Location) -> None:
        self.pair = None
        self.table.set_rows([])
        self.evidence.show_claim(None)
        self._head(Text("Reading who links them…", style=Style(dim=True)))
        self.load(location)

    def apply_look(self, look: Look) -> None:
        if self.pair is not None:
            state = self.capture()
            self._show(self.pair)
            self.put_back(state)
        super().apply_look(look)

    @work(thread=True, exclusive=True, group="interlocks")
    def load(self, location: Location) -> None:
        assert location.entity_id is not None and location.goal_id is not None
        pair = self.guarded(kbdata.interlock_pair, self.db_path, location.entity_id, location.goal_id)
        if pair is not None:
            self.app.call_from_thread(self._loaded, location, pair)

    def _loaded(self, location: Location, pair: kbdata.InterlockPair) -> None:
        if location is not self.location:
            return
        self.pair = pair
        self._show(pair)
        self.put_back(location.state)

    def _show(self, pair: kbdata.InterlockPair) -> None:
        found = pair.found
        a, b, count = found["a"]["name"], found["b"]["name"], found["count"]
        if count == 1:
            head = Text(shown(found["people"][0]["entity"]["name"], 80), style=Style(bold=True))
            head.append(" links ")
        else:
            head = Text(f"{plural(count, 'person', 'people')} ", style=Style(bold=True))
            head.append("link ")
        head.append(shown(a, 80), style=Style(bold=True))
        head.append(" and ")
        head.append(shown(b, 80), style=Style(bold=True))
        if count:
            head.append("  ⏎ person · c citations of the tie", style=Style(dim=True))
        else:
            head.append("  nobody holds a role in (or works with) both", style=Style(dim=True))
        self._head(head)
        self.table.fit_width = self.table_width()
        self.table.set_rows(interlock_rows.pair_rows(found, pair.evidence, self.context.look))

    def table_to_export(self, event: ExportTable) -> TableExport | None:
        loc = self.location
        stem = f"{loc.entity_id}-{loc.goal_id}-interlocks"
        return TableExport(stem, loc.title, event.header, len(event.rows), rows=event.rows)
