"""What the user sees when the knowledge base cannot be used: the reason in
one sentence and what to do, never a traceback."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Middle, Vertical
from textual.screen import Screen
from textual.widgets import Static

from kbtui.safetext import visible


class ErrorScreen(Screen[None]):
    BINDINGS = [Binding("q,escape,enter", "app.exit_error", "quit", id="error.quit")]

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__()
        self.message = message
        self.hint = hint

    def compose(self) -> ComposeResult:
        text = Text("kbtui cannot open this knowledge base\n\n", style=Style(bold=True))
        text.append(visible(self.message) + "\n")
        if self.hint:
            text.append("\nhint: " + visible(self.hint) + "\n", style=Style(italic=True))
        text.append("\nPress q to quit.", style=Style(dim=True))
        with Middle(), Center(), Vertical(id="error-box"):
            yield Static(text, id="error-text")
