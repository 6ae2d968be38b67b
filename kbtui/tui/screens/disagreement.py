"""Where the sources disagree about one entity (`d` on its pane, or a click
on its "sources disagree" marker): every conflict, disputed claim and
erratum that concerns it, both sides lined up with their quotes; the chosen
side's evidence below. ← → choose a side; `c` (or Enter) goes to its
citations, where Enter opens a quote in its source; Enter on an erratum's
words opens the source at its error. A place in history: Escape goes back.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import Static

from kbtui.kb.disagreement import SIDE_TITLES, count_of, words
from kbtui.tui import data as kbdata
from kbtui.tui.clip import shown
from kbtui.tui.history import Location
from kbtui.tui.look import Look
from kbtui.tui.messages import OpenSource, TitleLearned
from kbtui.tui.screens.base import EvidenceScreen
from kbtui.tui.widgets.breadcrumb import Breadcrumb
from kbtui.tui.widgets.evidence import EvidencePane
from kbtui.tui.widgets.footer import KeyBar
from kbtui.tui.widgets.side_by_side import PairList, SideChosen, SideShown


class DisagreementScreen(EvidenceScreen):
    BINDINGS = [
        Binding("escape", "step_out", "back", id="disagree.back"),
        Binding("c", "focus_evidence", "evidence", tooltip="go to the chosen side's citations", id="disagree.evidence"),
        Binding("y", "copy_citation", "copy", show=False, id="disagree.copy"),
    ]
    NO_EVIDENCE = "This side has no citations to show."

    def __init__(self, db_path: Path, location: Location) -> None:
        super().__init__(db_path)
        self.location = location
        self.view: kbdata.DisagreementView | None = None

    def compose(self) -> ComposeResult:
        yield Breadcrumb(id="crumbs")
        yield Static("", id="disagree-head")
        yield PairList(id="pair-list")
        yield Static("", id="side-line")
        yield EvidencePane(id="evidence")
        yield KeyBar()

    @property
    def pairs(self) -> PairList:
        return self.query_one(PairList)

    def item_list(self) -> Widget:
        return self.pairs

    def on_mount(self) -> None:
        self.show_breadcrumb(*self._crumbs)
        self._head(Text("Reading where the sources disagree…", style=Style(dim=True)))
        self.evidence.today = self.context.today
        self.pairs.look = self.evidence.look = self.context.look
        self.evidence.show_claim(None)
        self.set_focus(self.pairs)  # now: a deferred focus() could land after the restore
        self.load(self.location)

    def _head(self, text: Text) -> None:
        self.query_one("#disagree-head", Static).update(text)

    def apply_look(self, look: Look) -> None:
        self.pairs.look = self.evidence.look = look
        if self.view is not None:
            state = self.capture()
            self.pairs.show(self.view)
            self._restore(state)
        self.evidence.show_claim(self.evidence.claim, self.evidence.summary)

    def show_location(self, location: Location) -> None:
        if location is not self.location:
            self.location = location
            self.view = None
            self.load(location)

    def kb_changed(self) -> None:
        self.location.state = {**self.location.state, **self.capture()}
        self.load(self.location)

    @work(thread=True, exclusive=True, group="disagreement")
    def load(self, location: Location) -> None:
        assert location.entity_id is not None
        view = self.guarded(kbdata.disagreement_view, self.db_path, location.entity_id)
        if view is not None:
            self.app.call_from_thread(self._populate, location, view)

    def _populate(self, location: Location, view: kbdata.DisagreementView) -> None:
        if location is not self.location:
            return
        self.view = view
        name = view.found["entity"]["name"]
        self.post_message(TitleLearned(location, f"Disagree: {name}"))
        head = Text(f"Where the sources disagree about {shown(name, 120)}", style=Style(bold=True))
        said = words(count_of(view.found))
        head.append(
            f"  {said}" if said else "  they agree: nothing is in conflict, disputed or an erratum",
            style=Style(dim=True),
        )
        if view.pairs:
            head.append(
                "\n← → choose a side · c its citations · Enter on an erratum's words: the source", style=Style(dim=True)
            )
        self._head(head)
        self.pairs.show(view)
        if location.state:
            self._restore(location.state)
        self.refocus(location.state)

    def _restore(self, state: dict[str, Any]) -> None:
        index, side = state.get("pair"), state.get("side", 0)
        if isinstance(index, int) and isinstance(side, int):
            self.pairs.highlight_pair(index, side)
        # at once, not when the highlight's message comes: the citation and
        # the focus below need the claim's citations there
        self.evidence.show_claim(*self.pairs.chosen())
        self._side_line()
        self.evidence.restore(state.get("evidence"))
        self.pairs.call_after_refresh(self.pairs.scroll_to, y=state.get("scroll_y", 0), animate=False)

    @on(SideShown)
    def _side_shown(self, event: SideShown) -> None:
        event.stop()
        self._side_line()
        if event.pair["kind"] == "disputed":  # one claim both sides: its first quote for, or against
            against = event.side == 1
            cites = self.evidence.citations
            first = next((n for n, c in enumerate(cites) if (c["stance"] == "contradicts") == against), None)
            self.evidence.restore(first)

    def _side_line(self) -> None:
        pair, side = self.pairs.pair, self.pairs.side
        line = Text()
        if pair is not None:
            title = SIDE_TITLES.get(pair["kind"], ("", ""))[side]
            line.append(f"{'◀' if side == 0 else '▶'} {title}", style=self.context.look.fg("accent", bold=True))
            words = pair["sides"][side]["heading"]
            if words:
                line.append(f": {shown(words, 200)}")
        self.query_one("#side-line", Static).update(line)

    @on(SideChosen)
    def _chosen(self, event: SideChosen) -> None:
        event.stop()
        x = event.pair["sides"][event.side]["erratum"]
        if x is not None:  # the words in error, in their source (c still reaches the claim's citations)
            self.post_message(OpenSource(x["source"]["id"], erratum_id=x["id"]))
        else:
            self.action_focus_evidence()

    def capture(self) -> dict[str, Any]:
        focused = self.focused
        return {
            "focus": focused.id if focused is not None else None,
            "pair": self.pairs.highlighted,
            "side": self.pairs.side,
            "evidence": self.evidence.highlighted_index,
            "scroll_y": self.pairs.scroll_y,
        }
