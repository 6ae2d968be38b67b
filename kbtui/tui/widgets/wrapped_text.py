"""A long text, wrapped to the window, drawn a screen line at a time.

A Line-API widget: the text is wrapped into screen lines by kbtui.tui.wrap
(so the widget knows which screen line holds which character offset) and
only the lines on screen are rendered, so a 10 MB text costs no more to
draw than a short one. A long text is laid out in a thread worker (and
shown when ready), so it never stalls input. Every character is drawn
through safetext.visible: escapes and bidi marks show as what they are.

The source viewer (SourceText) adds its marks over this (`marks`); the
full-text view of a value cut short in a pane uses it as it is.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from contextlib import suppress
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
from textual.worker import get_current_worker

from kbtui.safetext import visible
from kbtui.tui.look import Look
from kbtui.tui.wrap import wrap_text

# Texts longer than this are wrapped in a thread worker (and shown when
# ready), so even a text that needs the slow, per-character path cannot
# stall the UI; shorter ones are wrapped at once, which keeps small sources
# (and the snapshot tests) synchronous.
SYNC_WRAP_CHARS = 500_000

Mark = tuple[int, int, Style]  # (start, end) offsets into the text, and the style over them


class WrappedText(ScrollView, can_focus=True):
    BINDINGS = [
        Binding("j", "scroll_down", "down", show=False, id="text.down"),
        Binding("k", "scroll_up", "up", show=False, id="text.up"),
        Binding("space", "page_down", "page down", show=False, id="text.page_down"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.text = ""
        self.look = Look()
        self._lines: list[tuple[int, int]] = []  # (start, end) offsets of each screen line
        self._starts: list[int] = []
        self._width = 0
        self._cache: dict[int, Strip] = {}
        self._pending = False  # a wrap worker is laying the text out
        self._after_wrap: list[tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]] = []

    # --- attributes down -----------------------------------------------------

    def set_text(self, text: str) -> None:
        """Show `text` from its start (laid out again for the width)."""
        self.text = text
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
        self.resized()

    def resized(self) -> None:
        """After a resize (the layout may still be under way): for subclasses."""

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

    @work(thread=True, exclusive=True, group="text-wrap")
    def _wrap_in_thread(self, text: str, width: int) -> None:
        worker = get_current_worker()
        # a quit (or a newer text) cancels the worker: the wrap stops at once
        # instead of keeping the process alive for its last second or two
        lines = wrap_text(text, width, lambda: worker.is_cancelled)
        if worker.is_cancelled:
            return
        with suppress(RuntimeError):  # the app stopped meanwhile
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

    def marks(self, start: int, end: int) -> list[Mark]:
        """The styled spans within [start, end), in the order they apply
        (a later one wins): none here; the source viewer has its own."""
        return []

    def _render_screen_line(self, index: int) -> Strip:
        start, end = self._lines[index]
        marks = self.marks(start, end)
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
    # second, which in a long text only delays the reader (and renders
    # frames of text nobody reads on the way).
    def action_scroll_home(self) -> None:
        self.scroll_home(animate=False)

    def action_scroll_end(self) -> None:
        self.scroll_end(animate=False)

    def action_page_down(self) -> None:
        self.scroll_page_down(animate=False)

    def action_page_up(self) -> None:
        self.scroll_page_up(animate=False)
