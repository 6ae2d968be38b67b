"""The conflicts view: where the KB disagrees with itself. Every conflict
(both claims, the note, their quotes), every disputed or contradicted
claim, every erratum; the evidence of the claim under the cursor below.
Enter opens the claim's entity (or the source at its error), `c` goes to
the evidence, where Enter opens a quote in its source. A place in the
app's history, like the source viewer: Escape goes back.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.style import Style
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import Static

from kbtui.tui import data as kbdata
from kbtui.tui.clip import SHOW_ALL_KEY
from kbtui.tui.history import Location
from kbtui.tui.look import Look, plural
from kbtui.tui.screens.base import EvidenceScreen
from kbtui.tui.widgets.breadcrumb import Breadcrumb
from kbtui.tui.widgets.conflicts import ConflictList
from kbtui.tui.widgets.evidence import EvidencePane
from kbtui.tui.widgets.footer import KeyBar


class ConflictsScreen(EvidenceScreen):
    BINDINGS = [
        Binding("escape", "step_out", "back", id="conflicts.back"),
        Binding("c", "focus_evidence", "evidence", tooltip="go to the citations of the claim", id="conflicts.evidence"),
        Binding("y", "copy_citation", "copy", tooltip="copy the selected citation as text", id="conflicts.copy"),
        Binding("slash", "app.focus_search", "search", show=False, id="conflicts.search"),
        Binding(
            SHOW_ALL_KEY,
            "show_all",
            "show all",
            show=False,
            tooltip="show all of a note cut short",
            id="conflicts.show_all",
        ),
    ]
    NO_EVIDENCE = "This item has no citations to show."

    def __init__(self, db_path: Path, location: Location) -> None:
        super().__init__(db_path)
        self.location = location
        self.view: kbdata.ConflictsView | None = None

    def compose(self) -> ComposeResult:
        yield Breadcrumb(id="crumbs")
        yield Static("", id="conflicts-head")
        yield ConflictList(id="conflict-list")
        yield EvidencePane(id="evidence")
        yield KeyBar()

    @property
    def items(self) -> ConflictList:
        return self.query_one(ConflictList)

    def item_list(self) -> Widget:
        return self.items

    def on_mount(self) -> None:
        self.show_breadcrumb(*self._crumbs)
        self.query_one("#conflicts-head", Static).update(Text("Reading conflicts, disputed claims and errata…"))
        self.evidence.today = self.context.today
        self.evidence.conflicts_hint = False
        self.items.look = self.evidence.look = self.context.look
        self.evidence.show_claim(None)
        self.set_focus(self.items)  # now: a deferred focus() could land after the restore
        self.load(self.location)

    def apply_look(self, look: Look) -> None:
        self.items.look = self.evidence.look = look
        if self.view is not None:
            state = self.capture()
            self.items.show(self.view)
            self._restore(state)
        self.evidence.show_claim(self.evidence.claim, self.evidence.summary)

    def show_location(self, location: Location) -> None:
        """History came back here, or to another claim in the view."""
        if location is self.location:
            return
        self.location = location
        if self.view is not None:
            self._populate(location, self.view)
        else:
            self.load(location)

    @work(thread=True, exclusive=True, group="conflicts")
    def load(self, location: Location) -> None:
        view = self.guarded(kbdata.conflicts_view, self.db_path)
        if view is not None:
            self.app.call_from_thread(self._populate, location, view)

    def _populate(self, location: Location, view: kbdata.ConflictsView) -> None:
        if location is not self.location:
            return
        self.view = view
        head = Text("Where the sources disagree", style=Style(bold=True))
        head.append(
            f"  {plural(len(view.conflicts), 'conflict')} · {len(view.disputed):,} disputed or contradicted"
            f" · {plural(len(view.errata), 'erratum', 'errata')}",
            style=Style(dim=True),
        )
        head.append("\nEnter opens the claim's entity (an erratum: its source) · c its evidence", style=Style(dim=True))
        self.query_one("#conflicts-head", Static).update(head)
        self.items.show(view)
        if location.state:
            self._restore(location.state)
        elif location.claim_id:
            self.items.highlight_claim(location.claim_id)
        self.refocus(location.state)

    def _restore(self, state: dict[str, Any]) -> None:
        index = state.get("item")
        if isinstance(index, int) and 0 <= index < self.items.option_count:
            self.items.highlighted = index
        item = self.items.current
        if item is not None:  # at once: the citation and the focus below need its citations there
            self.evidence.show_claim(self.items.claim_of(item), item.summary)
        self.evidence.restore(state.get("evidence"))
        self.items.call_after_refresh(self.items.scroll_to, y=state.get("scroll_y", 0), animate=False)

    def capture(self) -> dict[str, Any]:
        focused = self.focused
        return {
            "focus": focused.id if focused is not None else None,
            "item": self.items.highlighted,
            "evidence": self.evidence.highlighted_index,
            "scroll_y": self.items.scroll_y,
        }
