"""Help, generated from the real bindings of each part of the app, so it
can never drift from what the keys do."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

HelpSection = tuple[str, list[Binding]]


def _bindings(cls: type) -> list[Binding]:
    return [b for b in getattr(cls, "BINDINGS", []) if isinstance(b, Binding)]


def sections() -> list[HelpSection]:
    """(title, bindings) for every context, from the classes' BINDINGS."""
    from kbtui.tui.app import KbtuiApp
    from kbtui.tui.screens.explorer import ExplorerScreen
    from kbtui.tui.screens.source import SourceScreen
    from kbtui.tui.widgets.evidence import EvidenceList
    from kbtui.tui.widgets.search import ResultsList, SearchPanel
    from kbtui.tui.widgets.source_text import SourceText
    from kbtui.tui.widgets.tables import ClaimTable

    palette = Binding("ctrl+p", "command_palette", "command palette: jump to any entity or action")
    focus = Binding("tab,shift+tab", "focus_next", "next / previous pane")
    return [
        ("Everywhere", [palette, *_bindings(KbtuiApp), focus]),
        ("Explorer", _bindings(ExplorerScreen)),
        ("Search box", _bindings(SearchPanel)),
        ("Results", _bindings(ResultsList)),
        ("Roles, relations, events, sources", _bindings(ClaimTable)),
        ("Evidence", _bindings(EvidenceList)),
        ("Source viewer", _bindings(SourceScreen) + _bindings(SourceText)),
    ]


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,q,f1,question_mark", "dismiss", "close help", id="help.close"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Static(Text("kbtui keys", style=Style(bold=True)), id="help-title")
            with VerticalScroll(id="help-body"):
                yield Static(self._text(), id="help-text")
            yield Static(Text("Escape, q or F1 closes", style=Style(dim=True)), id="help-foot")

    def _text(self) -> Text:
        text = Text()
        for n, (title, bindings) in enumerate(sections()):
            if n:
                text.append("\n")
            text.append(title + "\n", style=Style(bold=True, underline=True))
            seen: set[str] = set()
            for b in bindings:
                keys = " ".join(self.app.get_key_display(b.with_key(k.strip()))
                                for k in b.key.split(","))
                if (keys, b.description) in seen or not b.description:
                    continue
                seen.add(keys)
                text.append(f"  {keys:<22}", style=Style(bold=True))
                text.append(b.description + "\n")
        return text
