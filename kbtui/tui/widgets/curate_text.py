"""The source viewer in curate mode: a passage selected by words and
sentences, and the names the KB does not know yet, marked.

Before a selection there is a caret, one word wide: → and ← move it a
word, shift+→ and shift+← a sentence (it starts at the first word on
screen). `v` selects the caret's word; then → and shift+→ extend the
selection by a word or to the end of the sentence, ← and shift+← shrink
it, and `v` (or escape) lets it go. The mouse selects by dragging, whole
words at a time. `g` / `G` select the next or previous suggested name
(dotted underline). What is selected is what `c` (make claim) and `a`
(add entity) cite; the screen does those, told by SelectionChanged.
"""

from __future__ import annotations

import bisect

from rich.cells import cell_len
from rich.style import Style
from textual import events
from textual.binding import Binding

from kbtui.kb.suggest import Suggestion
from kbtui.safetext import visible
from kbtui.tui.curate_data import Units, units
from kbtui.tui.messages import SelectionChanged
from kbtui.tui.widgets.source_text import SourceText
from kbtui.tui.widgets.wrapped_text import Mark

# a text longer than this is read into words by the screen's worker: the
# caret waits for it rather than stall the screen (~0.6 s for 10 MB)
READ_HERE_CHARS = 500_000


class CurateText(SourceText):
    BINDINGS = [
        Binding("v", "select", "select", tooltip="select the word at the caret, or let go", id="curate.select"),
        Binding("right,l", "word(1)", "word", show=False, id="curate.word_next"),
        Binding("left,h", "word(-1)", "word back", show=False, id="curate.word_back"),
        Binding("shift+right,L,full_stop", "sentence(1)", "sentence", show=False, id="curate.sentence_next"),
        Binding("shift+left,H", "sentence(-1)", "sentence back", show=False, id="curate.sentence_back"),
        Binding("g", "suggestion(1)", "new name", tooltip="select the next name not in the KB", id="curate.suggest"),
        Binding("G", "suggestion(-1)", "previous new name", show=False, id="curate.suggest_back"),
        # the source viewer's keys stay, out of the key bar: curating needs its room
        Binding("n", "cite(1)", "next cited", show=False, id="curate.next_citation"),
        Binding("tab,m", "link(1)", "next name", show=False, id="curate.next_link"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.suggested: list[Suggestion] = []
        self.suggestion = -1  # index into suggested (the one selected by g)
        self.selection: tuple[int, int] | None = None
        self.caret = -1  # index into words: the caret word, or the selection's moving end
        self.start_word = -1  # index into words: where the selection started
        self._units: Units | None = None
        self._dragging = False

    # --- attributes down -------------------------------------------------------

    def set_text(self, text: str) -> None:
        if text != self.text:  # the same text read again (after a change) keeps the caret
            self._units = None
            self.caret = -1
            self.suggested = []  # another text's names would mark the wrong places
            self.suggestion = -1
        self.selection = None
        self.start_word = -1
        super().set_text(text)

    def read(self, text: str, read: Units, suggested: list[Suggestion]) -> None:
        """The worker read the text: its words, and the names to suggest."""
        if text != self.text:
            return
        self._units = read
        self.suggested = suggested
        self.suggestion = -1
        self._invalidate()

    def select_span(self, start: int, end: int) -> None:
        """Select the words within [start, end) (a citation just made)."""
        count = len(self.word_starts)
        first = bisect.bisect_left(self.word_ends, start + 1)
        last = max(first, bisect.bisect_left(self.word_starts, end) - 1)
        if first < count:
            self.start_word, self.caret = first, min(last, count - 1)
            self._selected()

    # --- words and sentences --------------------------------------------------------

    @property
    def read_ready(self) -> bool:
        """Its words are known (at once for a short text)."""
        if self._units is None and len(self.text) <= READ_HERE_CHARS:
            self._units = units(self.text)
        return self._units is not None

    @property
    def word_starts(self) -> list[int]:
        return self._units.starts if self.read_ready and self._units else []

    @property
    def word_ends(self) -> list[int]:
        return self._units.ends if self.read_ready and self._units else []

    @property
    def sentence_ends(self) -> list[int]:
        return self._units.sentence_ends if self.read_ready and self._units else []

    def word(self, index: int) -> tuple[int, int]:
        return self.word_starts[index], self.word_ends[index]

    def _first_visible_word(self) -> int:
        if not self._lines or not self.word_starts:
            return -1
        top = min(int(self.scroll_offset.y), len(self._lines) - 1)
        at = bisect.bisect_left(self.word_starts, self._lines[top][0])
        return min(at, len(self.word_starts) - 1)

    def _caret_on_screen(self) -> bool:
        if not 0 <= self.caret < len(self.word_starts):
            return False
        line = self.line_of(self.word_starts[self.caret])
        top = int(self.scroll_offset.y)
        return top <= line < top + self.scrollable_content_region.height

    def _sentence_end_after(self, index: int) -> int:
        """The word that ends the first sentence ending after word `index`
        (the last word if none does)."""
        ends, word_ends = self.sentence_ends, self.word_ends
        at = bisect.bisect_right(ends, word_ends[index])
        while at < len(ends):
            target = bisect.bisect_right(word_ends, ends[at]) - 1
            if target > index:
                return target
            at += 1
        return len(word_ends) - 1

    def _sentence_end_before(self, index: int) -> int:
        """The word that ends the last sentence ending before word `index`
        (-1 if none does)."""
        ends, word_ends = self.sentence_ends, self.word_ends
        at = bisect.bisect_right(ends, self.word_starts[index]) - 1
        while at >= 0:
            target = bisect.bisect_right(word_ends, ends[at]) - 1
            if target < index:
                return target
            at -= 1
        return -1

    # --- moving and selecting --------------------------------------------------------

    def action_select(self) -> None:
        if not self.read_ready:
            self.notify("Still reading this long text into words: a moment.", timeout=3)
            return
        if self.selection is not None:
            self.clear_selection()
            return
        if not self._caret_on_screen():
            self.caret = self._first_visible_word()
        if self.caret < 0:
            self.app.bell()
            return
        self.start_word = self.caret
        self._selected()

    def clear_selection(self) -> None:
        self.selection = None
        self.start_word = -1
        self.suggestion = -1
        self._invalidate()
        self.post_message(SelectionChanged())

    def action_word(self, step: int) -> None:
        self._move(self.caret + step if self._caret_on_screen() or self.selection else -1)

    def action_sentence(self, step: int) -> None:
        """With a selection: extend it to the end of the sentence, or shrink
        it to the end of the one before. Without: the caret goes to the
        start of the next sentence, or of this one (then the one before)."""
        if not self.word_starts:
            self.app.bell()
            return
        if not self._caret_on_screen() and self.selection is None:
            self._move(-1)
            return
        if self.selection is not None:
            target = self._sentence_end_after(self.caret) if step > 0 else self._sentence_end_before(self.caret)
            self._move(target, sentence=True)
        elif step > 0:
            self._move(self._sentence_end_after(self.caret) + 1)
        else:
            start = self._sentence_end_before(self.caret) + 1
            self._move(start if start < self.caret else self._sentence_end_before(max(start - 1, 0)) + 1)

    def _move(self, index: int, sentence: bool = False) -> None:
        if not self.word_starts:
            self.app.bell()
            return
        if index < 0 and self.selection is None and not self._caret_on_screen():
            index = self._first_visible_word()
        index = max(0, min(index, len(self.word_starts) - 1))
        if self.selection is not None:
            index = max(index, self.start_word)  # shrinking stops at the first word
            self.caret = index
            self._selected(sentence)
            return
        self.caret = index
        self._invalidate()
        self.scroll_to_offset(self.word_starts[index])

    def _selected(self, sentence: bool = False) -> None:
        a, b = sorted((self.start_word, self.caret))
        end = self.word_ends[b]
        # selected by sentence, its closing marks come with its last word ("said." not "said")
        at = bisect.bisect_left(self.sentence_ends, end)
        closing = at < len(self.sentence_ends) and self.text[end : self.sentence_ends[at]].strip('.!?"”’)]') == ""
        if sentence and closing:
            end = self.sentence_ends[at]
        self.selection = (self.word_starts[a], end)
        self.suggestion = next(
            (n for n, s in enumerate(self.suggested) if (s.start, s.end) == self.selection), self.suggestion
        )
        self._invalidate()
        self.scroll_to_offset(self.word_starts[self.caret])
        self.post_message(SelectionChanged())

    def action_suggestion(self, step: int) -> None:
        if not self.suggested:
            self.notify("No names here that the KB does not know.", timeout=3)
            return
        if self.suggestion < 0:
            first = self.word_starts[self.caret] if 0 <= self.caret < len(self.word_starts) else 0
            starts = [s.start for s in self.suggested]
            index = bisect.bisect_left(starts, first + (1 if step > 0 and self.selection else 0))
            index = index % len(self.suggested) if step > 0 else (index - 1) % len(self.suggested)
        else:
            index = (self.suggestion + step) % len(self.suggested)
        s = self.suggested[index]
        self.select_span(s.start, s.end)
        self.suggestion = index

    # --- the mouse: drag to select whole words -------------------------------------

    def offset_at(self, x: int, y: int) -> int | None:
        """The text offset under content coordinates (x, y), or None."""
        index = int(self.scroll_offset.y) + y
        if not 0 <= index < len(self._lines):
            return None
        start, end = self._lines[index]
        col = 0
        for at in range(start, end):
            col += cell_len(visible(self.text[at]).replace("\t", " "))
            if col > x:
                return at
        return max(start, end - 1)

    def _word_at(self, offset: int) -> int:
        starts = self.word_starts
        return max(0, bisect.bisect_right(starts, offset) - 1)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        where = event.get_content_offset(self)
        offset = None if where is None else self.offset_at(where.x, where.y)
        if offset is None or not self.word_starts:
            return
        self._dragging = True
        self.capture_mouse()
        self.caret = self._word_at(offset)
        if self.selection is not None:
            self.clear_selection()
        self._invalidate()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if not self._dragging or not event.button:
            return
        where = event.get_content_offset(self)
        offset = None if where is None else self.offset_at(where.x, where.y)
        if offset is None:
            return
        word = self._word_at(offset)
        if self.selection is None and word == self.caret:
            return
        if self.selection is None:
            self.start_word = self.caret
        self.caret = word
        self._selected()

    def on_mouse_up(self, event: events.MouseUp) -> None:
        if self._dragging:
            self._dragging = False
            self.release_mouse()
            if self.selection is not None and self.caret < self.start_word:
                # dragged backwards: the keys extend and shrink from its end, as after a drag forwards
                self.start_word, self.caret = self.caret, self.start_word

    # --- rendering ----------------------------------------------------------------------

    def marks(self, start: int, end: int) -> list[Mark]:
        marks = super().marks(start, end)
        look = self.look
        for s in self.suggested:  # a name the KB lacks: a dotted underline in the warning colour
            a, b = max(s.start, start), min(s.end, end)
            if a < b:
                marks.insert(0, (a, b, look.fg("warning") + Style(underline=True, italic=True)))
        if self.selection is not None:
            a, b = max(self.selection[0], start), min(self.selection[1], end)
            if a < b:
                marks.append((a, b, Style(color=look.colour("success"), reverse=True, bold=True)))
        elif 0 <= self.caret < len(self.word_starts):
            w0, w1 = self.word(self.caret)
            a, b = max(w0, start), min(w1, end)
            if a < b:
                marks.append((a, b, Style(reverse=True, underline=True)))
        return marks
