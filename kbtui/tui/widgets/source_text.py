"""A stored source, wrapped to the window, with its spans marked.

A Line-API widget: the text is wrapped here (so the widget knows which
screen line holds which character offset) and only visible lines are
rendered, so the cited span can be scrolled into view exactly and a long
source costs nothing extra. Marks: the current citation (reverse, bold),
other cited spans (underlined), and entity mentions (links: click, or Tab
to one and press Enter).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Any

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from kbtui.safetext import visible
from kbtui.tui.look import Look
from kbtui.tui.messages import EntitySelected


@dataclass
class CitationFocused(Message):
    """n / N moved to another citation; the screen updates its info line."""

    index: int


def wrap_offsets(text: str, width: int) -> list[int]:
    """Start offsets of the wrapped lines of one paragraph (greedy, on
    spaces; words wider than the line are cut)."""
    width = max(width, 8)
    starts = [0]
    line_start, cells, last_space = 0, 0, -1
    i = 0
    while i < len(text):
        ch = text[i]
        w = cell_len(ch)
        if cells + w > width and i > line_start and ch == " ":
            line_start = i + 1
            starts.append(line_start)
            cells, last_space = 0, -1
            i += 1
            continue
        if cells + w > width and i > line_start:
            if last_space >= line_start and last_space + 1 > line_start and last_space + 1 <= i:
                line_start = last_space + 1
            else:
                line_start = i
            starts.append(line_start)
            cells = cell_len(text[line_start:i])
            last_space = -1
        if ch == " ":
            last_space = i
        cells += w
        i += 1
    return starts


class SourceText(ScrollView, can_focus=True):
    BINDINGS = [
        Binding("n", "cite(1)", "next cited", id="source.next_citation"),
        Binding("N", "cite(-1)", "previous cited", show=False, id="source.previous_citation"),
        Binding("tab,m", "link(1)", "next name", id="source.next_link"),
        Binding("shift+tab,M", "link(-1)", "previous name", show=False, id="source.previous_link"),
        Binding("enter", "open_link", "open name", show=False, id="source.open_link"),
        Binding("j", "scroll_down", "down", show=False, id="source.down"),
        Binding("k", "scroll_up", "up", show=False, id="source.up"),
        Binding("space", "page_down", "page down", show=False, id="source.page_down"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.text = ""
        self.citations: list[dict[str, Any]] = []
        self.mentions: list[dict[str, Any]] = []
        self.current = -1          # index into citations
        self.link = -1             # index into mentions (keyboard cursor)
        self.look = Look()
        self._lines: list[tuple[int, int]] = []   # (start, end) offsets of each screen line
        self._starts: list[int] = []
        self._width = 0
        self._cache: dict[int, Strip] = {}

    # --- attributes down -----------------------------------------------------

    def load(self, text: str, citations: list[dict[str, Any]], mentions: list[dict[str, Any]],
             current: int = -1) -> None:
        self.text = text
        self.citations = citations
        self.mentions = mentions
        self.current = current
        self.link = -1
        self._width = 0
        self._rewrap()

    def on_resize(self) -> None:
        self._rewrap()
        self.scroll_to_current()

    def _rewrap(self) -> None:
        width = max(self.scrollable_content_region.width, 20)
        if width == self._width and self._lines:
            return
        self._width = width
        self._lines = []
        offset = 0
        for para in self.text.split("\n"):
            starts = wrap_offsets(para, width)
            ends = [*starts[1:], len(para)]
            for s, e in zip(starts, ends, strict=True):
                self._lines.append((offset + s, offset + e))
            offset += len(para) + 1
        self._starts = [s for s, _ in self._lines]
        self._cache.clear()
        self.virtual_size = Size(width, len(self._lines))
        self.refresh()

    def line_of(self, offset: int) -> int:
        return max(0, bisect.bisect_right(self._starts, offset) - 1)

    # --- rendering --------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        index = int(self.scroll_offset.y) + y
        width = self.scrollable_content_region.width
        base = self.rich_style
        if not 0 <= index < len(self._lines):
            return Strip.blank(width, base)
        strip = self._cache.get(index)
        if strip is None:
            strip = self._render_screen_line(index)
            self._cache[index] = strip
        return strip.adjust_cell_length(width, base).apply_style(base)

    def _render_screen_line(self, index: int) -> Strip:
        start, end = self._lines[index]
        text = Text(visible(self.text[start:end]).replace("\t", " "), end="")
        if len(text.plain) != end - start:   # stand-ins changed the length: no marks
            return Strip(list(text.render(self.app.console)))
        look = self.look
        # other cited spans: a calm background; names: bold links; the
        # current citation last, so it wins: reversed in the accent colour
        # (reverse keeps it visible under NO_COLOR too)
        current: tuple[int, int] | None = None
        for n, c in enumerate(self.citations):
            a, b = max(c["start"], start), min(c["end"], end)
            if a < b:
                if n == self.current:
                    current = (a - start, b - start)
                else:
                    text.stylize(Style(bgcolor=look.colour("panel"), underline=look.colour("panel") is None),
                                 a - start, b - start)
        for n, m in enumerate(self.mentions):
            a, b = max(m["start"], start), min(m["end"], end)
            if a < b:
                style = look.fg("primary", bold=True, underline=True) + \
                    Style.from_meta({"@click": f"open_mention({n})"})
                if n == self.link:
                    style += Style(reverse=True, underline=True)
                text.stylize(style, a - start, b - start)
        if current is not None:
            text.stylize(Style(color=look.colour("accent"), reverse=True, bold=True), *current)
        segments = [Segment(s.text, s.style, s.control) for s in text.render(self.app.console)
                    if s.text != "\n"]
        return Strip(segments)

    def _invalidate(self) -> None:
        self._cache.clear()
        self.refresh()

    # --- moving ----------------------------------------------------------------------

    def scroll_to_offset(self, offset: int) -> None:
        line = self.line_of(offset)
        height = self.scrollable_content_region.height
        top = self.scroll_offset.y
        if not top <= line < top + height - 1:
            self.scroll_to(y=max(0, line - max(height // 3, 1)), animate=False)

    def scroll_to_current(self) -> None:
        if 0 <= self.current < len(self.citations):
            self.scroll_to_offset(self.citations[self.current]["start"])

    def action_cite(self, step: int) -> None:
        if not self.citations:
            self.app.bell()
            return
        self.current = (self.current + step) % len(self.citations) if self.current >= 0 else \
            (0 if step > 0 else len(self.citations) - 1)
        self._invalidate()
        self.scroll_to_current()
        self.post_message(CitationFocused(self.current))

    def action_link(self, step: int) -> None:
        if not self.mentions:
            self.app.bell()
            return
        if self.link < 0:
            # start from what is on screen
            first = self._lines[int(self.scroll_offset.y)][0] if self._lines else 0
            starts = [m["start"] for m in self.mentions]
            self.link = bisect.bisect_left(starts, first) % len(self.mentions)
            if step < 0:
                self.link = (self.link - 1) % len(self.mentions)
        else:
            self.link = (self.link + step) % len(self.mentions)
        self._invalidate()
        self.scroll_to_offset(self.mentions[self.link]["start"])

    def action_open_link(self) -> None:
        if 0 <= self.link < len(self.mentions):
            self.action_open_mention(self.link)
        else:
            self.app.bell()

    def action_open_mention(self, index: int) -> None:
        m = self.mentions[index]
        self.link = index
        self.post_message(EntitySelected(m["entity_id"], m["name"]))

    def focus_mention_of(self, entity_id: str) -> None:
        for n, m in enumerate(self.mentions):
            if m["entity_id"] == entity_id:
                self.link = n
                self._invalidate()
                self.scroll_to_offset(m["start"])
                return
