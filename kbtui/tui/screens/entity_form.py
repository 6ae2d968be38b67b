"""`A` in curate mode: the kind and name of the entity a selected name
becomes, chosen before it is made (`a` makes it at once, its kind
guessed). Enter makes it, Escape cancels.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Select, Static

from kbtui.kb import vocab
from kbtui.tui.clip import shown

KINDS = tuple(k for k in vocab.ENTITY_KINDS if k != "event")  # events are claims: `c`


class EntityForm(ModalScreen[tuple[str, str] | None]):
    BINDINGS = [Binding("escape", "cancel", "cancel", id="entity_form.cancel")]

    DEFAULT_CSS = """
    EntityForm { align: center middle; }
    #entity-box {
        width: 70; max-width: 100%; height: auto;
        border: round $accent; background: $surface; padding: 0 1;
    }
    #entity-box Select, #entity-box Input { margin-top: 1; }
    #entity-foot { color: $text-muted; margin-top: 1; }
    #entity-problem { color: $error; }
    """

    def __init__(self, name: str, kind: str) -> None:
        super().__init__()
        self.name_seen = name
        self.kind = kind

    def compose(self) -> ComposeResult:
        with Vertical(id="entity-box"):
            head = Text("New entity ", style=Style(bold=True))
            head.append(f"“{shown(self.name_seen, 80)}”, its name cited where it is selected", style=Style(dim=True))
            yield Static(head)
            yield Select([(k, k) for k in KINDS], value=self.kind, allow_blank=False, compact=True, id="entity-kind")
            yield Input(self.name_seen, id="entity-name", compact=True, select_on_focus=False)
            yield Static("", id="entity-problem", markup=False)
            yield Static("Enter makes it · tab moves · esc cancels", id="entity-foot")

    def on_mount(self) -> None:
        self.query_one("#entity-kind", Select).focus()

    @on(Input.Submitted)
    def _submit(self) -> None:
        name = self.query_one("#entity-name", Input).value.strip()
        if not name:
            self.query_one("#entity-problem", Static).update("Type the entity's name.")
            return
        self.dismiss((str(self.query_one("#entity-kind", Select).value), name))

    def action_cancel(self) -> None:
        self.dismiss(None)
