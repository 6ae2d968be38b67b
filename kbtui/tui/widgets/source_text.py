"""A stored source, wrapped to the window, with its spans marked.

A WrappedText (the text wrapped into screen lines with their character
offsets, only visible lines rendered), so the cited span can be scrolled
into view exactly and a long source costs nothing extra. Marks: the current
citation (reverse, bold), other cited spans (underlined), entity mentions
(links: click, or Tab to one and press Enter) and the source's own errors
(errata: struck through in the error colour; x / X visit them).
"""

from __future__ import annotations

import bisect

from rich.style import Style
from textual.binding import Binding

from kbtui.kb.models import Erratum, MarkedCitation, Mention
from kbtui.tui.messages import CitationFocused, EntitySelected, ErratumFocused
from kbtui.tui.widgets.wrapped_text import Mark, WrappedText


class SourceText(WrappedText):
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
        self.citations: list[MarkedCitation] = []
        self.mentions: list[Mention] = []
        self.errata: list[Erratum] = []
        self.current = -1  # index into citations
        self.link = -1  # index into mentions (keyboard cursor)
        self.erratum = -1  # index into errata (the one explained)
        self.found: tuple[int, int] | None = None  # the passage a text search opened

    # --- attributes down -----------------------------------------------------

    def load(
        self,
        text: str,
        citations: list[MarkedCitation],
        mentions: list[Mention],
        current: int = -1,
        errata: list[Erratum] | None = None,
        found: tuple[int, int] | None = None,
    ) -> None:
        self.citations = citations
        self.found = found
        self.mentions = mentions
        self.errata = errata or []
        self.refresh_bindings()
        self.current = current
        self.link = -1
        self.erratum = -1
        self.set_text(text)

    def resized(self) -> None:
        self.when_ready(self.scroll_to_current)

    # --- rendering --------------------------------------------------------------

    def marks(self, start: int, end: int) -> list[Mark]:
        """Other cited spans get a calm background, names bold links, the
        source's own errors are struck through, and the current citation
        comes last, so it wins: reversed in the accent colour (reverse keeps
        it visible under NO_COLOR too)."""
        look = self.look
        marks: list[Mark] = []
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
        if self.found is not None:
            a, b = max(self.found[0], start), min(self.found[1], end)
            if a < b:
                marks.append((a, b, look.fg("warning", bold=True) + Style(reverse=True)))
        if current is not None:
            marks.append((*current, Style(color=look.colour("accent"), reverse=True, bold=True)))
        return marks

    # --- moving ----------------------------------------------------------------------

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
