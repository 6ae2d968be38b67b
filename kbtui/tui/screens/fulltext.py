"""The whole of a value that a pane showed cut short (a summary, a note, a
disputed reason): in a WrappedText, which lays a long text out in a worker
and draws only the lines on screen, so even 10 MB opens at once and
scrolls freely. Not a place in history: Escape (or q, or v again) closes
it and the pane is as it was."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from kbtui.tui.clip import SHOW_ALL_KEY, shown
from kbtui.tui.look import Look
from kbtui.tui.widgets.wrapped_text import WrappedText


class FullTextScreen(ModalScreen[None]):
    BINDINGS = [Binding(f"escape,q,{SHOW_ALL_KEY}", "dismiss", "close", id="fulltext.close")]

    def __init__(self, title: str, text: str, look: Look) -> None:
        super().__init__()
        self.title_text = title
        self.text = text
        self.look = look

    def compose(self) -> ComposeResult:
        with Vertical(id="fulltext-box"):
            head = Text(shown(self.title_text, 200), style=Style(bold=True))
            head.append(f"  {len(self.text):,} characters", style=Style(dim=True))
            yield Static(head, id="fulltext-title")
            yield WrappedText(id="fulltext-text")
            yield Static(
                Text("↑ ↓ PgUp PgDn Home End scroll · Escape closes", style=Style(dim=True)), id="fulltext-foot"
            )

    def on_mount(self) -> None:
        viewer = self.query_one(WrappedText)
        viewer.look = self.look
        viewer.set_text(self.text)
        viewer.focus()
