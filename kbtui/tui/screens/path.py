"""The path view: how two entities are connected, on what evidence.

`p` on an entity asks for the other end (kbtui.tui.screens.pick_entity),
then this screen lists the shortest evidence paths between them, and when
there are fewer than five the longer alternatives after them, ranked as
`kbtui path` ranks them (kbtui.kb.paths_between): each path its chain,
each hop a row with its claim, dates, independent sources and best quote.
The selected hop's evidence is below, as everywhere in the explorer:
Enter (or `c`) goes to it, where Enter opens the quote in its source. A
click on a hop opens the entity it reaches. `+` searches again with one
more hop. A place in the app's history: Escape goes back.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from kbtui.tui import data as kbdata
from kbtui.tui import path_data
from kbtui.tui.clip import shown
from kbtui.tui.history import Location
from kbtui.tui.look import Look, plural
from kbtui.tui.messages import ClaimHighlighted, TitleLearned
from kbtui.tui.path_data import MAX_HOPS, NoPathFound, PathsFound
from kbtui.tui.screens.base import ContentScreen
from kbtui.tui.widgets.breadcrumb import Breadcrumb
from kbtui.tui.widgets.evidence import EvidenceList, EvidencePane
from kbtui.tui.widgets.footer import KeyBar
from kbtui.tui.widgets.path_hops import HopList


class PathScreen(ContentScreen):
    BINDINGS = [
        Binding("escape", "step_out", "back", id="path.back"),
        # Enter on a hop does the same; c as everywhere else
        Binding("c", "focus_evidence", "evidence", show=False, tooltip="go to the hop's citations", id="path.evidence"),
        Binding("plus", "more_hops", "one hop further", tooltip="search again, one hop further", id="path.more_hops"),
        Binding("y", "copy_citation", "copy", tooltip="copy the selected citation as text", id="path.copy"),
        Binding("slash", "app.focus_search", "search", show=False, id="path.search"),
    ]
    NO_CITATION = "No citation selected: select a hop (its best quote is copied from the evidence)."

    def __init__(self, db_path: Path, location: Location) -> None:
        super().__init__(db_path)
        self.location = location
        self.found: PathsFound | NoPathFound | None = None

    def compose(self) -> ComposeResult:
        yield Breadcrumb(id="crumbs")
        yield Static("", id="path-head")
        yield HopList(id="path-hops")
        yield EvidencePane(id="evidence")
        yield KeyBar()

    @property
    def hops(self) -> HopList:
        return self.query_one(HopList)

    @property
    def evidence(self) -> EvidencePane:
        return self.query_one(EvidencePane)

    @property
    def max_hops(self) -> int:
        return self.location.hops or path_data.DEFAULT_HOPS

    def on_mount(self) -> None:
        self.show_breadcrumb(*self._crumbs)
        self.evidence.today = self.context.today
        self.evidence.look = self.hops.look = self.context.look
        self.evidence.show_claim(None)
        self.hops.display = False
        self.hops.focus()
        self.search(self.location)

    def _names(self) -> str:
        return self.location.title

    # --- the search ---------------------------------------------------------------

    @work(thread=True, exclusive=True, group="path")
    def search(self, location: Location) -> None:
        assert location.entity_id is not None and location.goal_id is not None
        self.app.call_from_thread(self._searching, location)
        found = self.guarded(
            path_data.shortest_paths, self.db_path, location.entity_id, location.goal_id, self.max_hops
        )
        if found is not None:
            self.app.call_from_thread(self._show, location, found)

    def _searching(self, location: Location) -> None:
        if location is self.location:
            head = Text(f"Searching for paths within {plural(self.max_hops, 'hop')}…", style=Style(dim=True))
            self.query_one("#path-head", Static).update(head)

    def show_location(self, location: Location) -> None:
        """History came back here (the same search: kept), or to another pair."""
        if location is self.location:
            return
        self.location = location
        self.found = None
        self.search(location)

    def _show(self, location: Location, found: PathsFound | NoPathFound) -> None:
        if location is not self.location:
            return
        self.found = found
        self.refresh_bindings()  # + works after "no path" only
        head = self.query_one("#path-head", Static)
        if isinstance(found, NoPathFound):
            self.hops.display = False
            self.evidence.display = False
            head.update(self._no_path(found))
            return
        paths = found.paths
        self.post_message(TitleLearned(location, f"{paths['from']['name']} → {paths['to']['name']}"))
        self.hops.show(paths, found.evidence)
        self.hops.display = True
        self.evidence.display = True
        head.update(self._head(found))
        self._restore(location.state)

    def _head(self, found: PathsFound) -> Text:
        paths = found.paths
        total, hops = paths["shortest_paths"], paths["length"]
        shortest = sum(1 for p in paths["paths"] if p["length"] == hops)
        longer = len(paths["paths"]) - shortest
        text = Text(f"{shown(paths['from']['name'], 80)} → {shown(paths['to']['name'], 80)}", style=Style(bold=True))
        text.append(f"  {plural(total, 'shortest path')} of {plural(hops, 'hop')}", style=Style(dim=True))
        if shortest < total:
            text.append(f", the best {shortest} shown", style=Style(dim=True))
        if longer:
            text.append(f", then {longer} longer", style=Style(dim=True))
        if paths["longer_cut_short"]:
            text.append(" (the search for longer ones stopped at its budget)", style=Style(dim=True))
        elif len(paths["paths"]) < path_data.PATHS and paths["max_hops"] < MAX_HOPS:  # (as check_action)
            text.append(
                f"; none longer within {plural(paths['max_hops'], 'hop')}: + searches one further",
                style=Style(dim=True),
            )
        text.append(
            "\nbest first: fewest disputed hops, most independent sources · Enter: evidence",
            style=Style(dim=True),
        )
        return text

    def _no_path(self, found: NoPathFound) -> Text:
        text = Text(self._names(), style=Style(bold=True))
        if found.exhausted:
            text.append("\n\nNot connected: no chain of roles, relations or shared events joins them, at any length.")
        else:
            text.append(f"\n\nNo path within {plural(found.max_hops, 'hop')}.")
            if found.max_hops < MAX_HOPS:
                text.append(" Press + to search one hop further.", style=Style(bold=True))
            else:
                text.append(f" {MAX_HOPS} hops is the most searched: there may be a longer path.")
        text.append("\nEscape goes back.", style=Style(dim=True))
        return text

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "more_hops":
            # after "no path within N hops"; or when fewer paths than asked
            # are listed, every one within the hops searched: a longer
            # alternative may be a hop further (a full list would not change,
            # as longer paths rank after every one in it)
            found = self.found
            if isinstance(found, NoPathFound):
                return not found.exhausted and found.max_hops < MAX_HOPS
            if isinstance(found, PathsFound):
                paths = found.paths
                # (not after the search for longer ones ran out of its budget: a hop more would too)
                return (
                    paths["max_hops"] < MAX_HOPS
                    and len(paths["paths"]) < path_data.PATHS
                    and not paths["longer_cut_short"]
                )
            return False
        return True

    def action_more_hops(self) -> None:
        if not self.check_action("more_hops", ()):
            return
        self.location.hops = self.max_hops + 1
        self.location.state = {}
        self.found = None
        self.search(self.location)

    # --- the evidence below ------------------------------------------------------------

    @on(ClaimHighlighted)
    def _claim(self, event: ClaimHighlighted) -> None:
        event.stop()
        self.evidence.show_claim(event.claim, event.summary if event.claim else "")

    def action_focus_evidence(self) -> None:
        if self.evidence.citations:
            self.query_one(EvidenceList).focus()
        elif isinstance(self.found, PathsFound):
            self.notify("This hop has no citation recorded.", severity="warning", timeout=3)

    async def action_step_out(self) -> None:
        """Escape: from the evidence back to the hops; from the hops, back."""
        if isinstance(self.focused, EvidenceList):
            self.hops.focus()
        else:
            await self.app.run_action("app.back")

    # --- history, look, copy ----------------------------------------------------------

    def capture(self) -> dict[str, Any]:
        focused = self.focused
        return {
            "focus": focused.id if focused is not None else None,
            "item": self.hops.highlighted,
            "evidence": self.evidence.highlighted_index,
        }

    def _restore(self, state: dict[str, Any]) -> None:
        index = state.get("item")
        if isinstance(index, int) and 0 <= index < self.hops.option_count:
            self.hops.highlighted = index
        self.hops.focus()
        if state.get("focus") == "evidence-list":
            self.evidence.restore(state.get("evidence"))
            if self.evidence.citations:
                self.query_one(EvidenceList).focus()

    def apply_look(self, look: Look) -> None:
        self.evidence.look = self.hops.look = look
        if isinstance(self.found, PathsFound):
            index = self.hops.highlighted
            self.hops.show(self.found.paths, self.found.evidence)
            self.hops.highlighted = index
        self.evidence.show_claim(self.evidence.claim, self.evidence.summary)

    def cut_short(self) -> list[tuple[str, str]]:
        return self.evidence.cut_short()

    def current_citation(self) -> kbdata.CitedQuote | None:
        return self.evidence.cited_quote
