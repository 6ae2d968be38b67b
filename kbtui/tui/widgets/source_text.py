"""A stored source, wrapped to the window, with its spans marked.

A Line-API widget: the text is wrapped into screen lines by kbtui.tui.wrap
(so the widget knows which screen line holds which character offset) and
only visible lines are rendered, so the cited span can be scrolled into
view exactly and a long source costs nothing extra. Marks: the current
citation (reverse, bold), other cited spans (underlined), entity mentions
(links: click, or Tab to one and press Enter) and the source's own errors
(errata: struck through in the error colour; x / X visit them).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from itertools import pairwise
from typing import Any

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import work
from textual.binding import Binding
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from kbtui.kb.models import Erratum, MarkedCitation, Mention
from kbtui.safetext import visible
from kbtui.tui.look import Look
from kbtui.tui.messages import CitationFocused, EntitySelected, ErratumFocused
from kbtui.tui.wrap import wrap_text

# Texts longer than this are wrapped in a thread worker (and shown when
# ready), so even a text that needs the slow, per-character path cannot
# stall the UI; shorter ones are wrapped at once, which keeps small sources
# (and the snapshot tests) synchronous.
SYNC_WRAP_CHARS = 500_000


class SourceText(ScrollView, can_focus=True):
    BINDINGS = [
        Binding("n", "cite(1)", "next cited", id="source.next_citation"),
        Binding("N", "cite(-1)", "previous cited", show=False, id="source.previous_citation"),
        Binding("tab,m", "link(1)", "next name", id="source.next_link"),
        Binding("shift+tab,M", "link(-1)", "previous name", show=False, id="source.previous_link"),
        Binding("enter", "open_link", "open name", show=False, id="source.open_link"),
        Binding("x", "erratum(1)", "next erratum", tooltip="next of the source's own errors", id="source.next_erratum"),
        Binding("X", "erratum(-1)", "previous erratum", show=False, id="source.previous_erratum"),
        Binding("j", "scroll_down", "down", show=False, id="source.down"),
        Binding("k", "scroll_up", "up", show=False, id="source.up"),
        Binding("space", "page_down", "page down", show=False, id="source.page_down"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.text = ""
        self.citations: list[MarkedCitation] = []
        self.mentions: list[Mention] = []
        self.errata: list[Erratum] = []
        self.current = -1  # index into citations
        self.link = -1  # index into mentions (keyboard cursor)
        self.erratum = -1  # index into errata (the one explained)
        self.look = Look()
        self._lines: list[tuple[int, int]] = []  # (start, end) offsets of each screen line
        self._starts: list[int] = []
        self._width = 0
        self._cache: dict[int, Strip] = {}
        self._pending = False  # a wrap worker is laying the text out
        self._after_wrap: list[tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]] = []

    # --- attributes down -----------------------------------------------------

    def load(
        self,
        text: str,
        citations: list[MarkedCitation],
        mentions: list[Mention],
        current: int = -1,
        errata: list[Erratum] | None = None,
    ) -> None:
        self.text = text
        self.citations = citations
        self.mentions = mentions
        self.errata = errata or []
        self.refresh_bindings()
        self.current = current
        self.link = -1
        self.erratum = -1
        self._width = 0
        self._lines = []
        self._starts = []
        self._cache.clear()
        self._after_wrap = []
        self._rewrap()

    @property
    def ready(self) -> bool:
        """The text is laid out for the current width."""
        return not self._pending

    def when_ready(self, callback: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """Run `callback` after the next refresh once the text is laid out
        (at once for short texts; after the wrap worker for long ones)."""
        if self._pending:
            self._after_wrap.append((callback, args, kwargs))
        else:
            self.call_after_refresh(callback, *args, **kwargs)

    def on_resize(self) -> None:
        self._rewrap()
        self.when_ready(self.scroll_to_current)

    def _rewrap(self) -> None:
        region = self.scrollable_content_region
        width = region.width
        if not self.show_vertical_scrollbar and len(self.text) > width * max(region.height, 1):
            # the text is sure to overflow: wrap for the width left beside the
            # scroll bar it is about to get, not once without it and again with
            width -= self.styles.scrollbar_size_vertical
        width = max(width, 20)
        if width == self._width and (self._lines or self._pending):
            return
        self._width = width
        if len(self.text) <= SYNC_WRAP_CHARS:
            self._pending = False
            self._apply_wrap(self.text, width, wrap_text(self.text, width))
        else:
            self._pending = True
            self.refresh()
            self._wrap_in_thread(self.text, width)

    @work(thread=True, exclusive=True, group="source-wrap")
    def _wrap_in_thread(self, text: str, width: int) -> None:
        lines = wrap_text(text, width)
        self.app.call_from_thread(self._apply_wrap, text, width, lines)

    def _apply_wrap(self, text: str, width: int, lines: list[tuple[int, int]]) -> None:
        if text is not self.text or width != self._width:
            return  # a newer load or resize took over
        self._pending = False
        self._lines = lines
        self._starts = [s for s, _ in lines]
        self._cache.clear()
        self.virtual_size = Size(width, len(lines))
        self.refresh()
        waiting, self._after_wrap = self._after_wrap, []
        for callback, args, kwargs in waiting:
            self.call_after_refresh(callback, *args, **kwargs)

    def line_of(self, offset: int) -> int:
        return max(0, bisect.bisect_right(self._starts, offset) - 1)

    # --- rendering --------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        index = int(self.scroll_offset.y) + y
        width = self.scrollable_content_region.width
        base = self.rich_style
        if not 0 <= index < len(self._lines):
            if self._pending and not self._lines and y == 0:
                return (
                    Strip([Segment("Laying out a long text…", Style(dim=True))])
                    .adjust_cell_length(width, base)
                    .apply_style(base)
                )
            return Strip.blank(width, base)
        strip = self._cache.get(index)
        if strip is None:
            strip = self._render_screen_line(index)
            self._cache[index] = strip
        return strip.adjust_cell_length(width, base).apply_style(base)

    def _render_screen_line(self, index: int) -> Strip:
        start, end = self._lines[index]
        look = self.look
        # (raw start, raw end, style) of every mark on this line, in the
        # order they are applied: other cited spans get a calm background,
        # names bold links, and the current citation last, so it wins:
        # reversed in the accent colour (reverse keeps it visible under
        # NO_COLOR too)
        marks: list[tuple[int, int, Style]] = []
        current: tuple[int, int] | None = None
        for n, c in enumerate(self.citations):
            a, b = max(c["start"], start), min(c["end"], end)
            if a < b:
                if n == self.current:
                    current = (a, b)
                else:
                    marks.append((a, b, Style(bgcolor=look.colour("panel"), underline=look.colour("panel") is None)))
        for n, m in enumerate(self.mentions):
            a, b = max(m["start"], start), min(m["end"], end)
            if a < b:
                style = look.fg("primary", bold=True, underline=True) + Style.from_meta(
                    {"@click": f"open_mention({n})"}
                )
                if n == self.link:
                    style += Style(reverse=True, underline=True)
                marks.append((a, b, style))
        # the source's own errors: struck through (readable, and plain
        # without colour too), reversed while one is being explained
        for n, x in enumerate(self.errata):
            a, b = max(x["span"][0], start), min(x["span"][1], end)
            if a < b:
                style = look.fg("error", bold=True) + Style(strike=True)
                style += Style.from_meta({"@click": f"focus_erratum({n})"})
                if n == self.erratum:
                    style += Style(reverse=True)
                marks.append((a, b, style))
        if current is not None:
            marks.append((*current, Style(color=look.colour("accent"), reverse=True, bold=True)))
        # The text is shown through visible(), whose stand-ins (␛, <U+202E>)
        # can be longer than what they replace; so it is built piece by piece
        # between mark boundaries, and each raw offset is mapped to its place
        # in the displayed text.
        bounds = sorted({start, end, *(a for a, _, _ in marks), *(b for _, b, _ in marks)})
        shown: dict[int, int] = {start: 0}
        text = Text(end="")
        for a, b in pairwise(bounds):
            text.append(visible(self.text[a:b]).replace("\t", " "))
            shown[b] = len(text.plain)
        for a, b, style in marks:
            text.stylize(style, shown[a], shown[b])
        segments = [Segment(s.text, s.style, s.control) for s in text.render(self.app.console) if s.text != "\n"]
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

    # Jumps are instant: Textual animates home/end/page moves for up to a
    # second, which in a long source only delays the reader (and renders
    # frames of text nobody reads on the way).
    def action_scroll_home(self) -> None:
        self.scroll_home(animate=False)

    def action_scroll_end(self) -> None:
        self.scroll_end(animate=False)

    def action_page_down(self) -> None:
        self.scroll_page_down(animate=False)

    def action_page_up(self) -> None:
        self.scroll_page_up(animate=False)

    def scroll_to_current(self) -> None:
        if 0 <= self.current < len(self.citations):
            self.scroll_to_offset(self.citations[self.current]["start"])

    def action_cite(self, step: int) -> None:
        if not self.citations:
            self.app.bell()
            return
        self.current = (
            (self.current + step) % len(self.citations)
            if self.current >= 0
            else (0 if step > 0 else len(self.citations) - 1)
        )
        self.erratum = -1  # the info line now speaks of the citation (and any erratum inside it)
        self._invalidate()
        self.scroll_to_current()
        self.post_message(CitationFocused(self.current))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """x / X only where the source has errata (the footer shows them then)."""
        if action == "erratum":
            return bool(self.errata)
        return True

    def erratum_at(self, start: int, end: int) -> list[int]:
        """The errata that overlap [start, end)."""
        return [n for n, x in enumerate(self.errata) if x["span"][0] < end and start < x["span"][1]]

    def action_erratum(self, step: int) -> None:
        if not self.errata:
            self.app.bell()
            return
        if self.erratum >= 0:
            index = (self.erratum + step) % len(self.errata)
        else:
            index = 0 if step > 0 else len(self.errata) - 1
        self.action_focus_erratum(index)

    def action_focus_erratum(self, index: int) -> None:
        if not 0 <= index < len(self.errata):
            return
        self.erratum = index
        self._invalidate()
        self.scroll_to_offset(self.errata[index]["span"][0])
        self.post_message(ErratumFocused(index))

    def action_link(self, step: int) -> None:
        if not self.mentions:
            self.app.bell()
            return
        if self.link < 0:
            # start from what is on screen
            top = min(int(self.scroll_offset.y), len(self._lines) - 1)
            first = self._lines[top][0] if self._lines else 0
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
