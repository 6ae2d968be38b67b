"""The conflicts list: every pair of claims that cannot both be true (both
sides in words, the note, their quotes), every claim marked disputed or
contradicted by one of its own citations, and every erratum (a source's
own error, with what is right).

Attributes down: `show(view)` with kbtui.tui.data.ConflictsView. Messages
up: ClaimHighlighted as the cursor moves (the screen shows that claim's
evidence), EntitySelected on Enter (the claim's entity pane), OpenSource
on Enter at an erratum (the source, at its error).
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from kbtui.kb.models import Citation, Erratum, Evidence
from kbtui.tui.clip import shown
from kbtui.tui.data import ConflictsView
from kbtui.tui.evidence_text import citation_facts
from kbtui.tui.look import Look, source_line
from kbtui.tui.messages import ClaimHighlighted, EntitySelected, OpenSource

QUOTES_PER_SIDE = 2
# items listed per section: OptionList measures every option up front (a
# generated 1M-entity KB has ~1,700 conflicts: seconds); the CLI lists all
SHOWN = 300


@dataclass
class Item:
    """What an option of the list stands for."""

    claim_id: str | None = None
    summary: str = ""
    erratum: Erratum | None = None


class ConflictList(OptionList):
    BINDINGS = [
        Binding(
            "enter",
            "select",
            "open",
            tooltip="open the claim's entity, or the source at its error",
            id="conflicts.open",
        ),
        Binding("j", "cursor_down", "down", show=False, id="conflicts.down"),
        Binding("k", "cursor_up", "up", show=False, id="conflicts.up"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.look = Look()
        self.view: ConflictsView | None = None
        self.items: list[Item | None] = []  # one per option; None for a heading

    # --- attributes down ----------------------------------------------------------

    def show(self, view: ConflictsView) -> None:
        self.view = view
        self.items = []
        self.clear_options()
        options: list[Option] = []

        def add(prompt: RenderableType, item: Item | None) -> None:
            options.append(Option(prompt, disabled=item is None))
            self.items.append(item)

        def add_more(total: int, what: str) -> None:
            if total > SHOWN:
                more = Text(f"… {total - SHOWN:,} more {what}: `kbtui conflicts` lists them all", style=Style(dim=True))
                add(more, None)

        look = self.look
        add(self._heading("Conflicts", len(view.conflicts), "two claims that cannot both be true"), None)
        for n, conflict in enumerate(view.conflicts[:SHOWN], 1):
            note = Text(f"⚔ {n} ", style=look.fg("error", bold=True))
            note.append(shown(conflict["note"], 600) or "(no note)")
            add(Padding(note, (1 if n > 1 else 0, 0, 0, 0)), None)
            for side in conflict["claims"]:
                claim = view.evidence.get(side["id"])
                add(
                    self._claim(side["summary"], side["id"], claim, side["citations"]),
                    Item(side["id"], side["summary"]),
                )
        add_more(len(view.conflicts), "conflicts")
        add(
            self._heading(
                "Disputed or contradicted", len(view.disputed), "marked disputed, or a citation says otherwise"
            ),
            None,
        )
        for d in view.disputed[:SHOWN]:
            why = Text("why: ", style=Style(dim=True))
            why.append(shown(d.why, 400))
            add(self._claim(d.summary, d.claim_id, view.evidence.get(d.claim_id), [], why), Item(d.claim_id, d.summary))
        add_more(len(view.disputed), "disputed or contradicted claims")
        add(self._heading("Errata", len(view.errata), "the sources' own errors"), None)
        for x in view.errata[:SHOWN]:
            add(self._erratum(x), Item(summary=f"Erratum in {x['source']['title']}", erratum=x))
        add_more(len(view.errata), "errata")
        self.add_options(options)
        first = next((i for i, item in enumerate(self.items) if item is not None), None)
        self.highlighted = first

    def _heading(self, title: str, count: int, what: str) -> Text:
        text = Text("\n" if self.items else "")
        text.append(f"{title} · {count}", style=Style(bold=True, underline=True))
        text.append(f"  {what}", style=Style(dim=True))
        if not count:
            text.append("\n  none recorded", style=Style(dim=True, italic=True))
        return text

    def _claim(
        self, summary: str, claim_id: str, claim: Evidence | None, cites: list[Citation], extra: Text | None = None
    ) -> Group:
        look = self.look
        head = Text("▸ ", style=Style(dim=True))
        head.append(shown(summary, 200), style=Style(bold=True))
        if claim is not None and claim.get("disputed"):
            head.append(" ⚠ disputed", style=look.fg("warning", bold=True))
        head.append(f"  {shown(claim_id, 200)}", style=Style(dim=True))
        lines: list[RenderableType] = [head]
        if extra is not None:
            lines.append(Padding(extra, (0, 0, 0, 2)))
        for cite in cites[:QUOTES_PER_SIDE]:
            quote = Text(f"“{shown(cite['quote'], 200)}”", style=Style(italic=True))
            quote.append(" — " + source_line(cite["source"]), style=look.fg("accent"))
            lines.append(Padding(Group(quote, citation_facts(cite, look)), (0, 0, 0, 2)))
        if len(cites) > QUOTES_PER_SIDE:
            more = len(cites) - QUOTES_PER_SIDE
            lines.append(Padding(Text(f"+ {more} more (c: all its evidence)", style=Style(dim=True)), (0, 0, 0, 2)))
        return Group(*lines)

    def _erratum(self, x: Erratum) -> Group:
        look = self.look
        head = Text("▸ ", style=Style(dim=True))
        head.append(source_line(x["source"]), style=look.fg("accent"))
        head.append(": ")
        head.append(f"“{shown(x['quote'], 120)}”", style=look.fg("error", bold=True) + Style(strike=True))
        says = Text("the source says: ", style=Style(dim=True))
        says.append(shown(x["says"], 300))
        correct = Text("correct: ", style=look.fg("success", bold=True))
        correct.append(shown(x["correct"], 500))
        return Group(head, Padding(Group(says, correct), (0, 0, 0, 2)))

    # --- messages up ----------------------------------------------------------------

    @property
    def current(self) -> Item | None:
        index = self.highlighted
        return self.items[index] if index is not None and 0 <= index < len(self.items) else None

    def claim_of(self, item: Item | None) -> Evidence | None:
        if item is None or item.claim_id is None or self.view is None:
            return None
        return self.view.evidence.get(item.claim_id)

    def highlight_claim(self, claim_id: str) -> None:
        """Put the cursor on the first item about `claim_id`."""
        for n, item in enumerate(self.items):
            if item is not None and item.claim_id == claim_id:
                self.highlighted = n
                return

    def _on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        item = self.current
        if item is not None:
            self.post_message(ClaimHighlighted(self.claim_of(item), item.summary))

    def _on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        item = self.current
        if item is None or self.view is None:
            return
        if item.erratum is not None:
            x = item.erratum
            self.post_message(OpenSource(x["source"]["id"], erratum_id=x["id"]))
        elif item.claim_id is not None:
            owner = self.view.owners.get(item.claim_id)
            if owner is not None:
                self.post_message(EntitySelected(owner["id"], owner["name"]))
