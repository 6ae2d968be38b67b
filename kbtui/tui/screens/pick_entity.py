"""Choose an entity by typing its name: the claim form's picker, alone in a
box, with the KB's matches listed under it (↓ ↑ move, Enter picks, Esc
cancels). The path view asks it for the other end of a path.

Only entities the KB has can be picked (nothing is made here), and never
the one the question starts from.
"""

from __future__ import annotations

from pathlib import Path

from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from kbtui.kb import search as kbsearch
from kbtui.tui import curate_data
from kbtui.tui.clip import shown
from kbtui.tui.curate_data import Pick
from kbtui.tui.widgets.picker import Picker

LINE = 66  # the box's width inside its border and padding


class PickEntityScreen(ModalScreen[Pick | None]):
    BINDINGS = [
        Binding("escape", "cancel", "cancel", id="pick.cancel"),
        Binding("down", "choice(1)", show=False, id="pick.next"),
        Binding("up", "choice(-1)", show=False, id="pick.previous"),
    ]

    DEFAULT_CSS = """
    PickEntityScreen { align: center middle; }
    #pick-box {
        width: 72; max-width: 100%; height: auto; max-height: 100%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    #pick-box Picker { width: 1fr; }
    #pick-choices { height: auto; max-height: 8; border: none; padding: 0; background: $surface; }
    #pick-foot { color: $text-muted; }
    """

    def __init__(self, db_path: Path, question: str, exclude: str) -> None:
        super().__init__()
        self.db_path = db_path
        self.question = question  # what the box asks ("Path from Chen Wenqing to…")
        self.exclude = exclude
        self.hits: list[kbsearch.Hit] = []
        self.done = False  # picked or cancelled: nothing more to search or offer

    def compose(self) -> ComposeResult:
        with Vertical(id="pick-box"):
            yield Static(Text(self.question, style=Style(bold=True)), id="pick-question")
            yield Picker((), "person", id="pick-name")
            yield OptionList(id="pick-choices")
            yield Static("type a name · ↓ ↑ choose · Enter picks · esc cancels", id="pick-foot", markup=False)

    @property
    def picker(self) -> Picker:
        return self.query_one(Picker)

    @property
    def choices(self) -> OptionList:
        return self.query_one("#pick-choices", OptionList)

    def on_mount(self) -> None:
        self.choices.display = False
        self.picker.focus()

    @on(Input.Changed, "#pick-name")
    def _typed(self, event: Input.Changed) -> None:
        if not self.done:
            self._search(event.value)

    @work(thread=True, exclusive=True, group="pick")
    def _search(self, typed: str) -> None:
        try:
            hits = curate_data.pick(self.db_path, typed)
        except Exception:  # a slow or broken read: nothing offered, the box stays
            hits = []
        self.app.call_from_thread(self._offer, typed, [h for h in hits if h.id != self.exclude])

    def _offer(self, typed: str, hits: list[kbsearch.Hit]) -> None:
        # picked or cancelled meanwhile (the box may be gone), or typed on: a newer search is coming
        if self.done or self.picker.value != typed:
            return
        self.hits = hits
        choices = self.choices
        choices.clear_options()
        for n, h in enumerate(hits):
            # one line each: the id only as far as it fits (wrapped, a hit read as two)
            line = Text(shown(h.name, 50), style=Style(bold=True))
            line.append(f"  {shown(h.kind, 20)}", style=Style(dim=True))
            room = LINE - line.cell_len - 3
            if room >= 8:
                line.append(f" · {shown(h.id, room)}", style=Style(dim=True))
            choices.add_option(Option(line, id=str(n)))
        if not hits and typed.strip():
            choices.add_option(Option(Text("no entity matches", style=Style(dim=True, italic=True)), disabled=True))
        choices.highlighted = 0 if hits else None
        choices.display = bool(typed.strip())

    def action_choice(self, step: int) -> None:
        if self.hits:
            current = self.choices.highlighted if self.choices.highlighted is not None else -1
            self.choices.highlighted = (current + step) % len(self.hits)

    @on(Input.Submitted, "#pick-name")
    def _submitted(self) -> None:
        index = self.choices.highlighted
        if index is not None and index < len(self.hits):
            self._take(index)

    @on(OptionList.OptionSelected, "#pick-choices")
    def _clicked(self, event: OptionList.OptionSelected) -> None:
        if event.option_index < len(self.hits):
            self._take(event.option_index)

    def _take(self, index: int) -> None:
        h = self.hits[index]
        self.done = True
        self.picker.choose(Pick(h.name, h.kind, h.id))
        self.dismiss(self.picker.pick)

    def action_cancel(self) -> None:
        self.done = True
        self.dismiss(None)
