"""The search box and its results: find an entity by a few letters.

The panel owns both children (parent to child is allowed; siblings never
talk). It does not search by itself: the screen runs the search in a worker
and hands the results down with `show_results`. Up/down and ctrl+n in the
box move the highlight, Enter opens; if Enter comes before the results for
the latest keystroke, the panel opens the best hit as soon as they land.
"""

from __future__ import annotations

from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from kbtui.kb.search import Hit, match_spans
from kbtui.safetext import UNSAFE, one_line
from kbtui.tui.look import Look, plural
from kbtui.tui.messages import EntitySelected


def clean_query(text: str) -> str:
    """A query as the search box may hold it: tabs and line breaks become
    spaces; other control characters, bidi marks and invisible format
    characters are dropped. A pasted OSC title sequence or a bidi override
    would otherwise be drawn raw by the Input and reach the terminal; no
    name needs them to be found."""
    return UNSAFE.sub("", text.replace("\t", " ").replace("\r", " ").replace("\n", " "))


class SearchInput(Input):
    """The search box. Plain keys type; navigation is on arrows and chords.

    Whatever enters the box, by keys, paste or `value = …`, is cleaned
    (`clean_query`) before it is stored or drawn."""

    def validate_value(self, value: str) -> str:
        return clean_query(value)

    def replace(self, text: str, start: int, end: int) -> None:
        # clean the inserted text first, so the cursor lands after what was kept
        super().replace(clean_query(text), start, end)


class ResultsList(OptionList):
    """Results, best first: one option per entity (never a widget per row)."""

    BINDINGS = [
        Binding("j", "cursor_down", "down", show=False, id="results.down"),
        Binding("k", "cursor_up", "up", show=False, id="results.up"),
        Binding("ctrl+n", "cursor_down", "down", show=False, id="results.next"),
        Binding("enter", "select", "open", id="results.open"),
    ]


class SearchPanel(Vertical):
    """Search box + results + a one-line status."""

    BINDINGS = [
        Binding("down,ctrl+n", "move(1)", "next result", show=False, id="search.next"),
        Binding("up", "move(-1)", "previous result", show=False, id="search.previous"),
        Binding("pagedown", "move(10)", "page down", show=False, id="search.page_down"),
        Binding("pageup", "move(-10)", "page up", show=False, id="search.page_up"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.hits: list[Hit] = []
        self._pending = False  # results for the latest keystroke not in yet
        self._open_when_ready = False  # Enter was pressed while pending
        self.look = Look()

    def compose(self) -> ComposeResult:
        yield SearchInput(placeholder="Search names…", id="search")
        yield Static("", id="results-status")
        yield ResultsList(id="results")

    @property
    def input(self) -> SearchInput:
        return self.query_one(SearchInput)

    @property
    def results(self) -> ResultsList:
        return self.query_one(ResultsList)

    # --- attributes down ------------------------------------------------------

    @on(Input.Changed, "#search")
    def _typed(self, event: Input.Changed) -> None:
        # The event bubbles on to the screen, which starts the search.
        self._pending = True

    def show_results(self, query: str, hits: list[Hit], browsing: bool = False, total: int | None = None) -> None:
        """Replace the results with `hits` for `query` (from the screen's worker)."""
        if query != self.input.value:
            return  # stale: the user has typed on
        self.hits = hits
        self._pending = False
        results = self.results
        previous = results.highlighted_option.id if results.highlighted_option else None
        results.clear_options()
        results.add_options(Option(self._prompt(h, query, browsing), id=h.id) for h in hits)
        if hits:
            index = 0
            if browsing and previous:
                ids = [h.id for h in hits]
                index = ids.index(previous) if previous in ids else 0
            results.highlighted = index
        status = self.query_one("#results-status", Static)
        if browsing:
            count = total if total is not None else len(hits)
            shown = f"First {len(hits):,} of {count:,}" if count > len(hits) else f"All {count:,}"
            status.update(Text(f"{shown} entities · type to search", style=Style(dim=True)))
        elif hits:
            status.update(
                Text(plural(len(hits), "match") + (" (best first)" if len(hits) > 1 else ""), style=Style(dim=True))
            )
        else:
            status.update(Text(f"No match for “{one_line(query, 40)}”. Try fewer letters.", style=Style(dim=True)))
        if self._open_when_ready:
            self._open_when_ready = False
            self._open_highlighted()

    def restore(self, highlighted: str | None) -> None:
        ids = [h.id for h in self.hits]
        if highlighted in ids:
            self.results.highlighted = ids.index(highlighted)

    @property
    def highlighted_id(self) -> str | None:
        option = self.results.highlighted_option
        return option.id if option else None

    def _prompt(self, hit: Hit, query: str, browsing: bool) -> Table:
        """Badge, then the name (matched letters marked) with a hanging
        indent; the alias that matched, when it was not the name, below."""
        look = self.look
        spans = [] if browsing or hit.matched else match_spans(query, hit.name)
        name = look.highlighted(hit.name, spans)
        if hit.matched:
            alias = look.highlighted(hit.matched, match_spans(query, hit.matched), base=Style(italic=True))
            name.append_text(Text.assemble("\n≈ ", alias))
        grid = Table.grid(padding=(0, 1))
        grid.add_column(width=3, no_wrap=True)
        grid.add_column(ratio=1)
        grid.add_row(look.badge(hit.kind), name)
        return grid

    # --- keys -----------------------------------------------------------------

    def action_move(self, delta: int) -> None:
        results = self.results
        if not self.hits:
            return
        current = results.highlighted if results.highlighted is not None else -1
        results.highlighted = max(0, min(len(self.hits) - 1, current + delta))

    @on(Input.Submitted, "#search")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self._pending:
            self._open_when_ready = True
        else:
            self._open_highlighted()

    @on(OptionList.OptionSelected, "#results")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._open_highlighted()

    def _open_highlighted(self) -> None:
        option = self.results.highlighted_option
        if option is None or option.id is None:
            if self.input.value.strip():
                self.app.bell()
            return
        name = next((h.name for h in self.hits if h.id == option.id), option.id)
        self.post_message(EntitySelected(option.id, name))
