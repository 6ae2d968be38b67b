"""Help, generated from the real bindings of each part of the app, so it
can never drift from what the keys do. The app hands in its own bindings
(`sections(app_bindings)`), so this module never imports the app."""

from __future__ import annotations

from collections.abc import Sequence

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from kbtui.tui.screens.conflicts import ConflictsScreen
from kbtui.tui.screens.disagreement import DisagreementScreen
from kbtui.tui.screens.explorer import ExplorerScreen
from kbtui.tui.screens.interlocks import InterlocksScreen
from kbtui.tui.screens.neighbours import NeighboursScreen
from kbtui.tui.screens.path import PathScreen
from kbtui.tui.screens.source import SourceScreen
from kbtui.tui.screens.timeline import TimelineScreen
from kbtui.tui.widgets.conflicts import ConflictList
from kbtui.tui.widgets.evidence import EvidenceList
from kbtui.tui.widgets.path_hops import HopList
from kbtui.tui.widgets.search import ResultsList, SearchPanel
from kbtui.tui.widgets.side_by_side import PairList
from kbtui.tui.widgets.source_text import SourceText
from kbtui.tui.widgets.tables import ClaimTable

HelpSection = tuple[str, list[Binding]]


def bindings_of(cls: type) -> list[Binding]:
    """The Binding objects in a class's BINDINGS (tuples are skipped)."""
    return [b for b in getattr(cls, "BINDINGS", []) if isinstance(b, Binding)]


def sections(app_bindings: Sequence[Binding]) -> list[HelpSection]:
    """(title, bindings) for every context, from the classes' BINDINGS;
    `app_bindings` are the app's own, the keys that work everywhere."""
    focus = Binding("tab,shift+tab", "focus_next", "next / previous pane")
    return [
        ("Everywhere", [*app_bindings, focus]),
        ("Explorer", bindings_of(ExplorerScreen)),
        ("Search box", bindings_of(SearchPanel)),
        ("Results", bindings_of(ResultsList)),
        ("Roles, relations, events, sources", bindings_of(ClaimTable)),
        ("Evidence", bindings_of(EvidenceList)),
        ("Path view (p on an entity)", bindings_of(PathScreen) + bindings_of(HopList)),
        ("Source viewer", bindings_of(SourceScreen) + bindings_of(SourceText)),
        ("Conflicts view (ctrl+p Conflicts, or !)", bindings_of(ConflictsScreen) + bindings_of(ConflictList)),
        ("Disagreement view (d on an entity)", bindings_of(DisagreementScreen) + bindings_of(PairList)),
        ("Interlocks view (Enter on an organisation's interlocks)", bindings_of(InterlocksScreen)),
        ("Neighbours view (n on an entity)", bindings_of(NeighboursScreen)),
        ("Timeline (t on an entity, F7 for the whole KB)", bindings_of(TimelineScreen)),
    ]


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,q,f1,question_mark", "dismiss", "close help", id="help.close"),
    ]

    def __init__(self, sections: Sequence[HelpSection]) -> None:
        super().__init__()
        self.sections = sections
        self.text = Text()

    def compose(self) -> ComposeResult:
        self.text = self._text()
        with Vertical(id="help-box"):
            yield Static(Text("kbtui keys", style=Style(bold=True)), id="help-title")
            with VerticalScroll(id="help-body"):
                yield Static(self.text, id="help-text")
            yield Static(Text("Escape, q or F1 closes", style=Style(dim=True)), id="help-foot")

    def _text(self) -> Text:
        """One line per action and context: all its keys, then what it does."""
        text = Text()
        for n, (title, bindings) in enumerate(self.sections):
            if n:
                text.append("\n")
            text.append(title + "\n", style=Style(bold=True, underline=True))
            lines: dict[str, list[str]] = {}
            for b in bindings:
                description = b.tooltip or b.description
                if not description:
                    continue
                keys = lines.setdefault(description, [])
                for key in b.key.split(","):
                    shown = self.app.get_key_display(b.with_key(key.strip()))
                    if shown not in keys:
                        keys.append(shown)
            for description, keys in lines.items():
                text.append(f"  {' '.join(keys):<22}", style=Style(bold=True))
                text.append(description + "\n")
        return text
