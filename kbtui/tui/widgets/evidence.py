"""The evidence pane: "how do we know?" for the selected claim.

It shows the claim in words (and, loudly, if it is disputed and why), then
each citation: the quote, and who said it where and when. Enter opens the
citation in the source viewer. The screen hands claims down with
`show_claim`; the pane never looks anything up itself.
"""

from __future__ import annotations

from rich.console import Group
from rich.padding import Padding
from rich.style import Style
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from kbtui.kb.models import Citation, Evidence
from kbtui.safetext import one_line, visible
from kbtui.tui.look import Look, source_line
from kbtui.tui.messages import OpenCitation

QUOTE_MAX = 400


class EvidenceList(OptionList):
    BINDINGS = [
        Binding("enter", "select", "open source", id="evidence.open"),
        Binding("j", "cursor_down", "down", show=False, id="evidence.down"),
        Binding("k", "cursor_up", "up", show=False, id="evidence.up"),
    ]


class EvidencePane(Vertical):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.claim: Evidence | None = None
        self.summary = ""
        self.look = Look()

    def compose(self) -> ComposeResult:
        yield Static("", id="evidence-title")
        yield EvidenceList(id="evidence-list")

    @property
    def citations(self) -> list[Citation]:
        return list(self.claim["citations"] or []) if self.claim else []

    @property
    def current_citation(self) -> Citation | None:
        cites = self.citations
        index = self.query_one(EvidenceList).highlighted
        if not cites:
            return None
        return cites[index] if index is not None and 0 <= index < len(cites) else cites[0]

    def show_claim(self, claim: Evidence | None, summary: str = "") -> None:
        self.claim = claim
        self.summary = summary
        title = self.query_one("#evidence-title", Static)
        options = self.query_one(EvidenceList)
        options.clear_options()
        if claim is None:
            self.border_title = "Evidence"
            text = Text("Select a role, relation or event to see how we know it.", style=Style(dim=True))
            if summary:
                text = Text.assemble(
                    (one_line(summary), Style(bold=True)),
                    "\n",
                    ("Not a claim: press Enter to read the source.", Style(dim=True)),
                )
            title.update(text)
            return
        cites = self.citations
        self.border_title = f"Evidence · {len(cites)} citation{'s' if len(cites) != 1 else ''}"
        text = Text(one_line(summary), style=Style(bold=True))
        if claim.get("disputed"):
            text.append("\n")
            text.append_text(self.look.disputed(claim["disputed"]))
        if claim.get("note"):
            text.append("\nnote: " + visible(claim["note"]).strip(), style=Style(dim=True, italic=True))
        if not cites:
            text.append("\nNo citation recorded for this claim.", style=self.look.fg("warning"))
        title.update(text)
        options.add_options(Option(self._prompt(c), id=str(c["id"])) for c in cites)
        if cites:
            options.highlighted = 0

    def _prompt(self, cite: Citation) -> Group:
        """The quote, then who said it where, indented under it."""
        src = cite["source"]
        quote = Text("“", style=Style(dim=True))
        quote.append(one_line(cite["quote"], QUOTE_MAX), style=Style(italic=True))
        quote.append("”", style=Style(dim=True))
        meta = Text("— ")
        meta.append(source_line(src), style=self.look.fg("accent"))
        meta.append(" · " + one_line(src["title"], 90), style=Style(dim=True))
        if cite.get("anchor") not in (None, "exact", "normalised"):
            meta.append(f"  ({cite['anchor']})", style=self.look.fg("warning", bold=True))
        return Group(quote, Padding(meta, (0, 0, 0, 2)))

    def restore(self, index: int | None) -> None:
        options = self.query_one(EvidenceList)
        if index is not None and 0 <= index < options.option_count:
            options.highlighted = index

    @property
    def highlighted_index(self) -> int | None:
        return self.query_one(EvidenceList).highlighted

    @on(OptionList.OptionSelected, "#evidence-list")
    def _open(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        cites = self.citations
        if 0 <= event.option_index < len(cites):
            cite = cites[event.option_index]
            self.post_message(OpenCitation(cite["id"], cite["source"]["id"]))
