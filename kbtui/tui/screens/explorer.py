"""The main screen: search on the left, the entity pane on the right, the
evidence pane below it, the breadcrumb on top, the footer at the bottom.

The screen wires its widgets: it turns their messages into searches and
loads (thread workers, each with its own read-only connection, results
handed back with call_from_thread) and hands results down as attributes.
Navigation messages (EntitySelected, OpenCitation, OpenSource) bubble on to
the app, which owns the browser-like history; so do the screen's own
TitleLearned and LocationFailed, when a place has loaded or could not be.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.widgets import Input
from textual.worker import get_current_worker

from kbtui.kb.models import Entity, Role, Stats
from kbtui.kb.table_export import ExportRow
from kbtui.tui import data as kbdata
from kbtui.tui.clip import SHOW_ALL_KEY, shown
from kbtui.tui.curate_data import Pick
from kbtui.tui.history import Location
from kbtui.tui.look import Look
from kbtui.tui.messages import (
    ClaimHighlighted,
    ExportTable,
    LoadMoreRoles,
    LocationFailed,
    OpenDisagreement,
    OpenNeighbours,
    OpenPath,
    OpenTimeline,
    SearchScopeChanged,
    TitleLearned,
)
from kbtui.tui.screens.base import ContentScreen, ReadFailed
from kbtui.tui.screens.export import TableExport
from kbtui.tui.screens.pick_entity import PickEntityScreen
from kbtui.tui.widgets.breadcrumb import Breadcrumb
from kbtui.tui.widgets.claim_rows import role_export
from kbtui.tui.widgets.entity import SECTIONS, EntityPane
from kbtui.tui.widgets.evidence import EvidenceList, EvidencePane
from kbtui.tui.widgets.footer import KeyBar
from kbtui.tui.widgets.search import ResultsList, SearchInput, SearchPanel
from kbtui.tui.widgets.tables import ClaimTable

NARROW = 110  # below this, the search column gives way while reading an entity
WIDE = 150  # from this, evidence sits beside the entity instead of below


def all_role_rows(db_path: Path, entity: Entity) -> list[ExportRow]:
    """(In a worker.) Every role of `entity` as export rows, not only the
    pages the table has loaded."""
    return [ExportRow(role_export(r), r["id"]) for r in kbdata.all_roles(db_path, entity)]


class ExplorerScreen(ContentScreen):
    BINDINGS = [
        Binding("slash", "focus_search", "search", id="explorer.search"),
        # shown in the footer where it works (the search box keeps backspace)
        Binding("backspace", "app.back", "back", key_display="⌫", id="explorer.back"),
        Binding(
            "c",
            "focus_evidence",
            "evidence",
            tooltip="go to the citations of the selected claim",
            id="explorer.citations",
        ),
        Binding("y", "copy_citation", "copy", tooltip="copy the selected citation as text", id="explorer.copy"),
        # (off the key bar, as t: at 80 columns it would push out f1 help)
        Binding(
            "p",
            "path_to",
            "path to…",
            show=False,
            tooltip="how this entity is connected to another: the shortest evidence paths",
            id="explorer.path",
        ),
        Binding(
            "z",
            "zoom_evidence",
            "zoom",
            tooltip="the evidence pane at full height, and back",
            id="explorer.zoom_evidence",
        ),
        Binding(
            "t", "timeline", "timeline", show=False, tooltip="the entity's dated items, by year", id="explorer.timeline"
        ),
        Binding(
            "n",
            "neighbours",
            "neighbours",
            show=False,
            tooltip="what the entity is linked to, two hops out",
            id="explorer.neighbours",
        ),
        Binding(
            "d",
            "disagreement",
            "disagree",
            show=False,  # the pane's "sources disagree" marker says it where it applies
            tooltip="where the sources disagree about the entity, side by side",
            id="explorer.disagreement",
        ),
        Binding("escape", "step_out", "focus back towards the search box", show=False, id="explorer.step_out"),
        Binding(
            SHOW_ALL_KEY,
            "show_all",
            "show all",
            show=False,
            tooltip="show all of a summary or note cut short",
            id="explorer.show_all",
        ),
    ]

    def __init__(self, db_path: Path) -> None:
        super().__init__(db_path)
        self.shown: Location | None = None
        self.stats: Stats | None = None
        self._evidence = EvidencePane(id="evidence")  # mounted after the first frame
        # the table whose row the evidence pane shows (history records it)
        self._claim_table: str | None = None
        # a citation to select, and focus, once the restored claim is shown
        self._evidence_after: int | None = None

    def compose(self) -> ComposeResult:
        yield Breadcrumb(id="crumbs")
        with Horizontal(id="main"):
            yield SearchPanel(id="side")
            with Vertical(id="right"):
                yield EntityPane(id="entity")
        # The evidence pane (hidden until a claim is chosen), the entity's
        # tables and the footer (a key for every binding, restyled on each
        # focus change) come right after the first frame (see _fill): the
        # first paint shows the search box and the welcome text only, and
        # is ~40% sooner for it.

    @property
    def panel(self) -> SearchPanel:
        return self.query_one(SearchPanel)

    @property
    def pane(self) -> EntityPane:
        return self.query_one(EntityPane)

    @property
    def evidence(self) -> EvidencePane:
        return self._evidence

    def on_mount(self) -> None:
        self.show_breadcrumb(*self._crumbs)
        self.pane.today = self._evidence.today = self.context.today
        self._evidence.display = False
        self.apply_look(self.context.look)
        self.panel.input.focus()
        # the start list and the KB's counts come after the first frame too:
        # a million-entity KB's counts take ~100 ms of a worker thread, which
        # would compete with the first paint for the interpreter
        self.call_after_refresh(self._fill)

    async def _fill(self) -> None:
        await self.query_one("#right").mount(self._evidence)
        self._evidence.show_claim(None)
        await self.mount(KeyBar())
        self.refresh_bindings()  # the footer came after the focus: tell it the keys
        self.pane.build()
        if not self.panel.input.value:  # typed before the first frame: that search runs instead
            self.run_search("")
        self.load_stats()

    # --- responsive layout ---------------------------------------------------------

    def on_resize(self) -> None:
        self._layout()

    def on_descendant_focus(self) -> None:
        self._layout()

    def _layout(self) -> None:
        """Narrow terminals: while the user reads an entity (focus outside the
        search column) the column hides and the entity gets the width; `/`,
        Escape or a click on "Search" bring it back. Wide terminals put the
        evidence beside the entity."""
        width = self.size.width
        self.set_class(width < NARROW, "-narrow")  # no-ops unless the width crossed a line
        self.set_class(width >= WIDE, "-wide")
        reading = self.pane.data is not None and not self.panel.has_focus_within and self.focused is not None
        # display, not a screen class: a class change restyles every widget
        self.panel.display = not (reading and width < NARROW)

    def apply_look(self, look: Look) -> None:
        """The theme changed: re-render what was drawn with its colours."""
        for widget in (self.panel, self.pane, self.evidence):
            widget.look = look
        if self.pane.data is not None:
            state = self.pane.capture()
            self.pane.show_entity(self.pane.data, self.pane.alias_claims)
            self.pane.restore(state)
        elif self.shown is None or self.shown.kind == "home":
            self.pane.show_home(self.db_path.name, self.stats)
        if self._evidence.is_mounted:
            self._evidence.show_claim(self._evidence.claim, self._evidence.summary)

    # --- workers ---------------------------------------------------------------

    @on(Input.Changed, "#search")
    def _query_changed(self, event: Input.Changed) -> None:
        self.run_search(event.value)

    @on(SearchScopeChanged)
    def _scope_changed(self, event: SearchScopeChanged) -> None:
        event.stop()
        self.run_search(self.panel.input.value)

    @work(thread=True, exclusive=True, group="search")
    def run_search(self, query: str) -> None:
        if self.panel.scope == "sources":
            texts = self.attempt(kbdata.grep, self.db_path, query) if query.strip() else kbdata.GrepResult([], 0, True)
            if self._usable(query, texts):
                self.app.call_from_thread(self.panel.show_passages, query, texts)
            return
        browsing = not query.strip()
        found = (
            self.attempt(kbdata.browse, self.db_path) if browsing else self.attempt(kbdata.search, self.db_path, query)
        )
        if not self._usable(query, found):
            return
        total = None
        if browsing:
            stats = self.stats or self.guarded(kbdata.stats, self.db_path)
            total = sum(stats["entities"].values()) if stats else None
        self.app.call_from_thread(self.panel.show_results, query, found, browsing, total)

    def _usable(self, query: str, found: object) -> bool:
        """(In the search worker.) Whether to show `found`: not when a newer
        keystroke cancelled this search, nor when the read failed (then the
        list says the search failed, not "no match", and a notice says why)."""
        if get_current_worker().is_cancelled:
            return False
        if isinstance(found, ReadFailed):
            self.app.call_from_thread(self.panel.show_failure, query)
            self.tell_failure(found)
            return False
        return True

    @work(thread=True, group="stats")
    def load_stats(self) -> None:
        stats = self.guarded(kbdata.stats, self.db_path)
        if stats is not None:
            self.app.call_from_thread(self._stats_loaded, stats)

    def _stats_loaded(self, stats: Stats) -> None:
        self.stats = stats
        if self.pane.data is None:
            self.pane.show_home(self.db_path.name, stats)

    @work(thread=True, exclusive=True, group="entity")
    def load_entity(self, location: Location) -> None:
        assert location.entity_id is not None
        found = self.guarded(kbdata.entity_view, self.db_path, location.entity_id)
        if found is not None:
            self.app.call_from_thread(self._entity_loaded, location, found)
        elif not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._entity_failed, location)

    @work(thread=True, exclusive=True, group="interlocks")
    def load_interlocks(self, location: Location, entity_id: str) -> None:
        found = self.guarded(kbdata.interlocks_of, self.db_path, entity_id)
        if found is not None:
            self.app.call_from_thread(self._interlocks_loaded, location, found)

    def _interlocks_loaded(self, location: Location, found: dict[str, Any]) -> None:
        if location is not self.shown:
            return
        self.pane.show_interlocks(found)
        state = location.state
        row = state.get("pane", {}).get("cursors", {}).get("interlocks")
        table = self.pane.table("interlocks")
        if isinstance(row, int) and 0 <= row < table.row_count:
            table.move_cursor(row=row, animate=False)
        if state.get("focus") == "interlocks" and table.row_count and self.focused is None:
            table.focus()  # back from the people linking two of them: the same row

    @work(thread=True, exclusive=True, group="more")
    def load_more(self, entity: Entity, offset: int) -> None:
        rows = self.guarded(kbdata.more_roles, self.db_path, entity, offset)
        if rows is not None:
            self.app.call_from_thread(self._more_loaded, entity["id"], rows)

    # --- showing places ----------------------------------------------------------

    def show_location(self, location: Location) -> None:
        """Called by the app (attributes down) when history moves here."""
        if location is self.shown:
            self._restore_focus(location.state)
            return
        self.shown = location
        if location.kind == "home":
            self.pane.show_home(self.db_path.name, self.stats)
            self.evidence.show_claim(None)
            self.evidence.display = False
            self.panel.restore(location.state.get("result"))
            # Back at the results: the list has focus (so [ ] and j/k keep
            # working); / or Escape goes to the box.
            (self.panel.results if self.panel.hits else self.panel.input).focus()
        elif location.kind == "entity":
            self.load_entity(location)

    def kb_changed(self) -> None:
        """Curate mode changed the KB: the entity shown is read again, where the user was in it."""
        location = self.shown
        if location is not None and location.kind == "entity":
            location.state = {**location.state, **self.capture()}
            self.shown = None
            self.show_location(location)

    def _entity_loaded(self, location: Location, view: kbdata.EntityView) -> None:
        if location is not self.shown:
            return
        found = view.entity
        self.post_message(TitleLearned(location, found["name"]))
        self.evidence.show_claim(None)
        self.evidence.display = True
        # No table may speak for the evidence pane while the cursors are put
        # back: the one focused (the same widget, showing the entity left
        # just now) would announce its row, the wrong claim.
        self.set_focus(None)
        self._evidence_after = None
        self.pane.show_entity(found, view.alias_claims)
        self.load_interlocks(location, found["id"])
        state = location.state
        if state:
            self.pane.restore(state.get("pane", {}))
        # Back to an entity means back to reading it: focus returns to the
        # table (or evidence) the user was in, never to the search box
        # they last used to leave it. The table whose claim the evidence
        # showed is focused first, so the pane shows that claim again; a
        # citation selected in it is selected again once it is there.
        focus, table = state.get("focus"), state.get("table")
        if focus == "interlocks":
            pass  # its rows are read after the pane: _interlocks_loaded focuses them
        elif table in SECTIONS and focus == "evidence-list":
            self._evidence_after = state.get("evidence") or 0
            self._restore_focus({"focus": table})
        elif focus in SECTIONS or focus == "evidence-list":
            self._restore_focus(state)
        elif table in SECTIONS:
            self._restore_focus({"focus": table})  # left from the search column: its claim again
        else:
            (self.pane.first_table() or self.panel.results).focus()

    def _entity_failed(self, location: Location) -> None:
        """It could not be loaded (the notice says why): forget the attempt,
        so the breadcrumb matches what is on screen."""
        if location is self.shown:
            self.shown = None
            self.post_message(LocationFailed(location))

    def _restore_focus(self, state: dict[str, Any], default: str = "results") -> None:
        target = state.get("focus") or default
        try:
            widget = self.query_one(f"#{target}")
        except NoMatches:
            widget = self.panel.results
        if not widget.display or (isinstance(widget, ClaimTable) and not widget.row_count):
            tables = self.pane.visible_tables()
            widget = tables[0] if tables else self.panel.results
        widget.focus()

    def capture(self) -> dict[str, Any]:
        """Where the user is on this screen, for "back" to return to."""
        focused = self.focused
        return {
            "focus": focused.id if focused is not None else None,
            "pane": self.pane.capture(),
            "evidence": self.evidence.highlighted_index,
            "table": self._claim_table,
            "result": self.panel.highlighted_id,
        }

    # --- wiring ------------------------------------------------------------------

    @on(ClaimHighlighted)
    def _claim(self, event: ClaimHighlighted) -> None:
        event.stop()
        if event.table is not None:
            self._claim_table = event.table
        if self._evidence_after is None:
            self.evidence.follow(event.claim, event.summary, event.hint)
        else:  # going back: shown afresh, then the citation the user was on
            self.evidence.show_claim(event.claim, event.summary, event.hint)
        if self._evidence_after is not None:
            index, self._evidence_after = self._evidence_after, None
            self.evidence.restore(index)
            self._restore_focus({"focus": "evidence-list"})

    @on(LoadMoreRoles)
    def _more(self, event: LoadMoreRoles) -> None:
        event.stop()
        data = self.pane.data
        if data is not None:
            self.load_more(data, event.offset)

    def _more_loaded(self, entity_id: str, rows: list[Role]) -> None:
        data = self.pane.data
        if data is None or data["id"] != entity_id:
            return
        self.pane.append_roles(rows, data["roles_total"])

    def table_to_export(self, event: ExportTable) -> TableExport | None:
        """The entity's table, in a file named after the entity; a paged
        roles table is exported whole (the worker loads every role)."""
        data = self.pane.data
        if data is None:
            return None
        stem, title = f"{data['id']}-{event.table}", f"{data['name']}: {event.table}"
        table = self.pane.table(event.table)
        if event.table == "roles" and table.total > table.loaded:
            load = partial(all_role_rows, self.db_path, data)
            return TableExport(stem, title, event.header, table.total, load=load)
        return TableExport(stem, title, event.header, len(event.rows), rows=event.rows)

    # --- actions -----------------------------------------------------------------

    def action_focus_search(self) -> None:
        # at once, so letters typed right after `/` go to the box (from the
        # source viewer they went to the viewer's keys), and again when the
        # queue reaches it: going home restores the focus the home page had
        self.set_focus(self.panel.input)
        self.panel.input.focus()

    def action_focus_evidence(self) -> None:
        if self.evidence.citations:
            self.query_one(EvidenceList).focus()
        else:
            self.notify(
                "Select a role, relation or event first: its citations show below.", severity="warning", timeout=4
            )

    def _entity_for(self, what: str) -> Entity | None:
        """The entity shown, for a key that acts on one; without one, says
        so (`what`: what the key does) and gives None."""
        if self.pane.data is None:
            self.notify(f"Open an entity first: {what}.", timeout=3)
        return self.pane.data

    def action_timeline(self) -> None:
        data = self._entity_for("t shows its timeline (F7 the whole KB's)")
        if data is not None:
            self.post_message(OpenTimeline(data["id"], data["name"]))

    def action_neighbours(self) -> None:
        data = self._entity_for("n shows what it is linked to")
        if data is not None:
            self.post_message(OpenNeighbours(data["id"], data["name"]))

    def action_disagreement(self) -> None:
        data = self._entity_for("d shows where the sources disagree about it")
        if data is None:
            return
        counts = data.get("disagreement")
        if counts is not None and not any(counts.values()):
            self.notify(
                f"The sources agree about {shown(data['name'], 60)}: nothing about it is in conflict,"
                " disputed or an erratum. (! lists the whole KB's.)",
                timeout=4,
            )
            return
        self.post_message(OpenDisagreement(data["id"], data["name"]))

    def action_path_to(self) -> None:
        """`p`: ask for the other end, then show the paths to it (the app
        opens the path view as a new place in history)."""
        data = self._entity_for("p finds how it is connected to another")
        if data is None:
            return
        start_id, start_name = data["id"], data["name"]

        def picked(goal: Pick | None) -> None:
            if goal is not None and goal.id is not None:
                self.post_message(OpenPath(start_id, start_name, goal.id, goal.name))

        question = f"Path from {shown(start_name, 60)} to…"
        self.app.push_screen(PickEntityScreen(self.db_path, question, exclude=start_id), picked)

    def action_zoom_evidence(self) -> None:
        """The evidence at full height (the entity pane gives way), and back:
        a claim with many long citations reads whole, without scrolling a
        strip of the screen."""
        if not self.evidence.citations and not self.evidence.has_class("-zoomed"):
            self.notify("Select a role, relation or event first: its citations show below.", timeout=3)
            return
        zoomed = not self.evidence.has_class("-zoomed")
        self.evidence.set_class(zoomed, "-zoomed")
        self.pane.display = not zoomed
        if zoomed:
            self.query_one(EvidenceList).focus()
        self.evidence.refit()

    def cut_short(self) -> list[tuple[str, str]]:
        panes = [self.pane.cut_short(), self.evidence.cut_short()]
        if self.evidence.has_focus_within:
            panes.reverse()
        return panes[0] + panes[1]

    def current_citation(self) -> kbdata.CitedQuote | None:
        return self.evidence.cited_quote

    def action_step_out(self) -> None:
        """Escape walks focus back towards the search box."""
        focused = self.focused
        if isinstance(focused, EvidenceList):
            tables = self.pane.visible_tables()
            (self.pane.first_table() or self.panel.results).focus()
            for table in tables:
                if table.current and table.current.claim is self.evidence.claim:
                    table.focus()
        elif isinstance(focused, ClaimTable):
            self.panel.results.focus()
        elif isinstance(focused, ResultsList):
            self.panel.input.focus_at_end()
        elif isinstance(focused, SearchInput) and focused.value:
            focused.value = ""
