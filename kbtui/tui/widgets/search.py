"""The search box and its results: find an entity by a few letters, or
(ctrl+t) a passage of the sources' text by its words.

The panel owns both children (parent to child is allowed; siblings never
talk). It does not search by itself: the screen runs the search in a worker
and hands the results down with `show_results`. Up/down and ctrl+n in the
box move the highlight, Enter opens; if Enter comes before the results for
the latest keystroke, the panel opens the best hit as soon as they land.
"""

from __future__ import annotations

import time

from rich.style import Style
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from kbtui.kb.grep import Passage
from kbtui.kb.grep import Result as GrepResult
from kbtui.kb.search import Hit, match_spans
from kbtui.safetext import UNSAFE, visible
from kbtui.tui.clip import shown
from kbtui.tui.keys import SteadyInput
from kbtui.tui.look import Look, plural
from kbtui.tui.messages import EntitySelected, OpenSource, SearchScopeChanged

# The longest query the box holds. Names are short (the sample's longest is
# under 60 characters; a search needs a few letters of one), and every
# keystroke re-runs the search on the whole query and redraws the box: a
# pasted megabyte froze the explorer for tens of seconds. What is pasted
# beyond this is dropped.
SEARCH_MAX = 200
# what is looked at of a paste: enough to find SEARCH_MAX characters that
# survive cleaning even in escape-laden text, without cleaning megabytes
PASTE_LOOK = 16 * SEARCH_MAX
BADGE_WIDTH = 4  # "PER " before each result
PASSAGE_CONTEXT = 40  # characters of text shown each side of a hit in the list
BELL_GAP_S = 0.5  # a full box rings at most this often


def clean_query(text: str) -> str:
    """A query as the search box may hold it: tabs and line breaks become
    spaces; other control characters, bidi marks and invisible format
    characters are dropped. A pasted OSC title sequence or a bidi override
    would otherwise be drawn raw by the Input and reach the terminal; no
    name needs them to be found. At most SEARCH_MAX characters."""
    text = text[:PASTE_LOOK]
    return UNSAFE.sub("", text.replace("\t", " ").replace("\r", " ").replace("\n", " "))[:SEARCH_MAX]


class SearchInput(SteadyInput):
    """The search box. Plain keys type; navigation is on arrows and chords.

    Whatever enters the box, by keys, paste or `value = …`, is cleaned
    (`clean_query`) and cut to SEARCH_MAX characters before it is stored
    or drawn."""

    def __init__(self, *, placeholder: str = "", id: str | None = None) -> None:
        super().__init__(placeholder=placeholder, id=id, max_length=SEARCH_MAX)
        self._rang = 0.0

    def focus_at_end(self) -> None:
        """Focus with the cursor after the query and nothing selected:
        stepping back here (Escape) must not arm the next key to erase
        the whole query, as a selection would (`/` still selects it all,
        to type a new one)."""
        self.select_on_focus = False
        self.focus()
        self.call_after_refresh(self._select_on_focus_again)

    def _select_on_focus_again(self) -> None:
        self.select_on_focus = True
        self.cursor_position = len(self.value)

    def restricted(self) -> None:
        # one bell per burst: a terminal that types a paste out as keys (tmux
        # does, for text with control characters) would ring once a character
        now = time.monotonic()
        if now - self._rang > BELL_GAP_S:
            self._rang = now
            super().restricted()

    def validate_value(self, value: str) -> str:
        return clean_query(value)

    def _on_paste(self, event: events.Paste) -> None:
        # Input keeps the first line of a paste; splitting a megabyte into
        # lines first costs more than looking at its start
        event.stop()
        event.prevent_default()
        line = event.text[:PASTE_LOOK].splitlines()
        if line:
            self.replace(line[0], *self.selection)

    def replace(self, text: str, start: int, end: int) -> None:
        # clean the inserted text first, so the cursor lands after what was
        # kept; a paste keeps what fits (Input would refuse it whole)
        room = SEARCH_MAX - (len(self.value) - abs(end - start))
        kept = clean_query(text)
        if kept and room <= 0:
            self.restricted()  # full: the bell, as for a refused key
            return
        super().replace(kept[: max(room, 0)], start, end)


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
        Binding(
            "ctrl+t",
            "toggle_scope",
            "names/texts",
            tooltip="search names, or the words of the sources' text",
            id="search.scope",
        ),
    ]
    PLACEHOLDERS = {"names": "Search names…", "sources": "Search the sources' text…"}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.scope = "names"  # or "sources": passages of the stored texts
        self.hits: list[Hit] = []
        self.passages: list[Passage] = []
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
        # a damaged index can list an entity twice, and an option list
        # refuses a repeated id: the first of each is shown
        first: dict[str, Hit] = {}
        for h in hits:
            first.setdefault(h.id, h)
        hits = list(first.values())
        self.hits = hits
        self._pending = False
        results = self.results
        previous = results.highlighted_option.id if results.highlighted_option else None
        if self.scope != "names":
            return  # a names search that finished after the switch to texts
        self.passages = []
        results.clear_options()
        results.add_options(Option(self._prompt(h, query, browsing), id=h.id) for h in hits)
        if hits:
            index = 0
            if browsing and previous:
                ids = [h.id for h in hits]
                index = ids.index(previous) if previous in ids else 0
            results.highlighted = index
        # (the status line is one row high in any case: its updates need no layout)
        status = self.query_one("#results-status", Static)
        if browsing:
            count = total if total is not None else len(hits)
            listed = f"First {len(hits):,} of {count:,}" if count > len(hits) else f"All {count:,}"
            status.update(Text(f"{listed} entities", style=Style(dim=True)), layout=False)
        elif hits:
            status.update(
                Text(plural(len(hits), "match") + (" (best first)" if len(hits) > 1 else ""), style=Style(dim=True)),
                layout=False,
            )
        else:
            status.update(
                # the status line is the column's width: the query is in the box above
                Text("No match: try fewer letters.", style=Style(dim=True)),
                layout=False,
            )
        if self._open_when_ready:
            self._open_when_ready = False
            self._open_highlighted()

    def show_passages(self, query: str, result: GrepResult) -> None:
        """Replace the results with passages of the sources' text."""
        if query != self.input.value or self.scope != "sources":
            return
        self.hits = []
        self.passages = result.passages
        self._pending = False
        results = self.results
        results.clear_options()
        results.add_options(Option(self._passage_prompt(p), id=str(n)) for n, p in enumerate(result.passages))
        if result.passages:
            results.highlighted = 0
        status = self.query_one("#results-status", Static)
        if not query.strip():
            note = 'Type words to find in the sources\' text; "a phrase", prefix*'
        elif result.passages:
            order = "best first" if result.ranked else "latest first"
            note = f"{plural(result.sources, 'source')} hold it · {plural(len(result.passages), 'passage')}, {order}"
        else:
            note = "No source holds these words."
        status.update(Text(note, style=Style(dim=True)), layout=False)
        if self._open_when_ready:
            self._open_when_ready = False
            self._open_highlighted()

    def _passage_prompt(self, p: Passage) -> Text:
        look = self.look
        head = Text(shown(p.source_id, 60), style=look.fg("primary", bold=True))
        meta = ", ".join(x for x in (p.outlet, p.published) if x)
        if meta:
            head.append(f"  {shown(meta, 40)}", style=Style(dim=True))
        # a little context each side, the spaces at its edges kept (shown()
        # would strip them and glue the hit to its neighbours)
        before = p.before[-PASSAGE_CONTEXT:]
        after = p.after[:PASSAGE_CONTEXT]
        body = Text("\n")
        body.append(("…" if len(p.before) > len(before) else "") + visible(before))
        body.append(shown(p.hit, 60), style=look.fg("warning", bold=True) + Style(reverse=True))
        body.append(visible(after) + ("…" if len(p.after) > len(after) else ""))
        return head + body

    def action_toggle_scope(self) -> None:
        """Names <-> the sources' text; the screen searches again."""
        self.scope = "sources" if self.scope == "names" else "names"
        self.input.placeholder = self.PLACEHOLDERS[self.scope]
        self.hits, self.passages = [], []
        self.results.clear_options()
        self._pending = True
        self.post_message(SearchScopeChanged(self.scope))

    def show_failure(self, query: str) -> None:
        """The search for `query` failed (the screen's notice says why): the
        list empties and says so, so it never reads as "no match"."""
        if query != self.input.value:
            return
        self.hits = []
        self._pending = self._open_when_ready = False
        self.results.clear_options()
        status = self.query_one("#results-status", Static)
        status.update(Text("Search failed: see the notice", style=self.look.fg("error", bold=True)), layout=False)

    def restore(self, highlighted: str | None) -> None:
        ids = [h.id for h in self.hits]
        if highlighted in ids:
            self.results.highlighted = ids.index(highlighted)

    @property
    def highlighted_id(self) -> str | None:
        option = self.results.highlighted_option
        return option.id if option else None

    def _prompt(self, hit: Hit, query: str, browsing: bool) -> Text:
        """Badge, then the name (matched letters marked) with a hanging
        indent; the alias that matched, when it was not the name, below.

        Wrapped here, to the list's width, into one Text: a Rich table per
        row did the same layout at three times the cost, and a list of 50
        is drawn on every keystroke (re-wrapped when the list is resized)."""
        look = self.look
        spans = [] if browsing or hit.matched else match_spans(query, hit.name)
        body = look.highlighted(hit.name, spans)
        if hit.matched:
            alias = look.highlighted(hit.matched, match_spans(query, hit.matched), base=Style(italic=True))
            body.append_text(Text.assemble("\n≈ ", alias))
        if hit.detail:  # a namesake in this list: what sets it apart
            body.append("\n" + shown(hit.detail, 120), style=Style(dim=True))
        width = max(8, self._text_width() - BADGE_WIDTH)
        out = look.badge(hit.kind)
        out.pad_right(BADGE_WIDTH - out.cell_len)
        for i, line in enumerate(body.wrap(self.app.console, width)):
            if i:
                out.append("\n" + " " * BADGE_WIDTH)
            out.append_text(line)
        return out

    def _text_width(self) -> int:
        """Cells a result's text gets: the list's content width less a
        vertical scrollbar, whether or not one shows yet (it appears once
        the options overflow, after they are wrapped; a line wrapped for
        the wider list would then lose its end), less the gutter. Before
        the first layout, when sizes are not known, the column's usual."""
        results = self.results
        width = results.content_region.width - results.styles.scrollbar_size_vertical - results._get_left_gutter_width()
        return width if width > 0 else 24

    def on_resize(self) -> None:
        # the results were wrapped to the old width
        if self.hits and self.results.option_count:
            highlighted = self.results.highlighted
            query = self.input.value
            self.results.clear_options()
            browsing = not query.strip()
            self.results.add_options(Option(self._prompt(h, query, browsing), id=h.id) for h in self.hits)
            if highlighted is not None:
                self.results.highlighted = highlighted

    # --- keys -----------------------------------------------------------------

    def action_move(self, delta: int) -> None:
        results = self.results
        count = len(self.hits) or len(self.passages)
        if not count:
            return
        current = results.highlighted if results.highlighted is not None else -1
        results.highlighted = max(0, min(count - 1, current + delta))

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
        if self.scope == "sources":
            p = self.passages[int(option.id)]
            self.post_message(OpenSource(p.source_id, span=(p.start, p.end) if p.end > p.start else None))
            return
        name = next((h.name for h in self.hits if h.id == option.id), option.id)
        self.post_message(EntitySelected(option.id, name))
