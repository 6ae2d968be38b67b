"""Disagreements side by side: each an option of two columns (a conflict's
two claims; a disputed claim's quotes for and against it; an erratum's
words in error and what is right), both quoted, with the note across.

One side of the highlighted pair is the chosen one (← → or h l; a click on
a column chooses it): the screen says which, and shows its claim's
evidence. Attributes down: `show(view)` with kbtui.tui.data.DisagreementView.
Messages up: ClaimHighlighted and SideShown when the pair or side changes;
SideChosen on Enter (the screen decides: evidence, or the source at an
erratum's words).
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from kbtui.kb.disagreement import SIDE_TITLES, Pair, Side
from kbtui.kb.models import Evidence
from kbtui.tui.clip import shown
from kbtui.tui.data import DisagreementView
from kbtui.tui.evidence_text import citation_facts
from kbtui.tui.look import Look, source_line
from kbtui.tui.messages import ClaimHighlighted

QUOTES_PER_SIDE = 3
# pairs listed: OptionList measures every option up front; the CLI lists all
SHOWN = 300
KIND_WORDS = {"conflict": "conflict", "disputed": "its own evidence disagrees", "erratum": "erratum"}


@dataclass
class SideShown(Message):
    """The highlighted pair, or its chosen side, changed."""

    pair: Pair
    side: int


@dataclass
class SideChosen(Message):
    """Enter on a side of a pair."""

    pair: Pair
    side: int


class PairList(OptionList):
    BINDINGS = [
        # one entry on the key bar for both (no room at 80 columns for two)
        Binding("left,h", "side(0)", "side", key_display="← →", tooltip="the left side's evidence", id="disagree.left"),
        Binding(
            "right,l", "side(1)", "right side", show=False, tooltip="the right side's evidence", id="disagree.right"
        ),
        Binding(
            "enter",
            "select",
            "open",
            tooltip="the side's citations; an erratum's words in its source",
            id="disagree.open",
        ),
        Binding("j", "cursor_down", "down", show=False, id="disagree.down"),
        Binding("k", "cursor_up", "up", show=False, id="disagree.up"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.look = Look()
        self.view: DisagreementView | None = None
        self.side = 0  # the chosen side of the highlighted pair
        self.listed: list[Pair | None] = []  # one per option; None for a "more" line

    # --- attributes down ----------------------------------------------------------

    def show(self, view: DisagreementView) -> None:
        self.view = view
        self.clear_options()
        self.listed = []
        options: list[Option] = []
        # up to SHOWN of each kind, so a hub's thousands of conflicts never
        # push its few errata out of reach
        for kind in SIDE_TITLES:
            of_kind = [p for p in view.pairs if p["kind"] == kind]
            for pair in of_kind[:SHOWN]:
                options.append(Option(self._prompt(sum(1 for p in self.listed if p is not None), pair)))
                self.listed.append(pair)
            if len(of_kind) > SHOWN:
                left = len(of_kind) - SHOWN
                more = f"… {left:,} more of this kind: `kbtui conflicts {view.found['entity']['id']}` lists them all"
                options.append(Option(Text(more, style=Style(dim=True)), disabled=True))
                self.listed.append(None)
        self.add_options(options)
        self.side = 0
        self.highlighted = 0 if self.listed else None

    def _prompt(self, n: int, pair: Pair) -> RenderableType:
        look = self.look
        head = Text(f"{n + 1}. {KIND_WORDS.get(pair['kind'], pair['kind'])}", style=look.fg("error", bold=True))
        if pair["note"]:
            head.append(": ")
            head.append(shown(pair["note"], 600), style=Style(bold=pair["kind"] == "disputed"))
        grid = Table.grid(expand=True, padding=(0, 2))
        grid.add_column(ratio=1)
        grid.add_column(ratio=1)
        titles = SIDE_TITLES.get(pair["kind"], ("", ""))
        grid.add_row(*(self._side(side, titles[i]) for i, side in enumerate(pair["sides"])))
        return Padding(Group(head, grid), (0 if n == 0 else 1, 0, 0, 0))

    def _side(self, side: Side, title: str) -> Group:
        look = self.look
        lines: list[RenderableType] = [Text(title, style=look.fg("accent", bold=True))]
        if side["heading"]:
            lines.append(Text(shown(side["heading"], 400), style=Style(bold=True)))
        if side["disputed"]:
            lines.append(
                Text.assemble(("⚠ marked disputed: ", look.fg("warning", bold=True)), shown(side["disputed"], 300))
            )
        x = side["erratum"]
        if x is not None:
            words = Text("its words: ", style=Style(dim=True))
            words.append(f"“{shown(x['quote'], 200)}”", style=look.fg("error", bold=True) + Style(strike=True))
            words.append(" — " + source_line(x["source"]), style=look.fg("accent"))
            lines.append(words)
        for cite in side["citations"][:QUOTES_PER_SIDE]:
            quote = Text(f"[{cite['id']}] ", style=Style(dim=True))
            quote.append(f"“{shown(cite['quote'], 240)}”", style=Style(italic=True))
            quote.append(" — " + source_line(cite["source"]), style=look.fg("accent"))
            lines.append(Group(quote, citation_facts(cite, look)))
        more = len(side["citations"]) - QUOTES_PER_SIDE
        if more > 0:
            lines.append(Text(f"+ {more} more (c: all its evidence)", style=Style(dim=True)))
        if not side["citations"] and x is None:
            lines.append(Text("no quote on this side", style=Style(dim=True, italic=True)))
        return Group(*lines)

    # --- the chosen side ------------------------------------------------------------
    # (shown by the screen, not in the options: replacing one option's prompt
    # makes OptionList measure every option again, a lag on every key)

    @property
    def pair(self) -> Pair | None:
        index = self.highlighted
        if index is None or not 0 <= index < len(self.listed):
            return None
        return self.listed[index]

    def chosen(self) -> tuple[Evidence | None, str]:
        """The chosen side's claim (None: it has none) and its words."""
        pair = self.pair
        if pair is None or self.view is None:
            return None, ""
        side = pair["sides"][self.side]
        claim = self.view.evidence.get(side["claim_id"]) if side["claim_id"] else None
        return claim, side["heading"] if pair["kind"] != "disputed" else pair["note"]

    def _announce(self) -> None:
        pair = self.pair
        if pair is None:
            return
        self.post_message(ClaimHighlighted(*self.chosen()))
        self.post_message(SideShown(pair, self.side))

    def action_side(self, side: int) -> None:
        if self.pair is None or side == self.side:
            return
        self.side = side
        self._announce()

    def highlight_pair(self, index: int, side: int = 0) -> None:
        """Put the cursor on a pair and side (going back here); the screen
        shows its evidence itself, and the highlight's own announcement
        then changes nothing."""
        if 0 <= index < len(self.listed) and self.listed[index] is not None:
            self.side = side
            self.highlighted = index

    def _on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self._announce()

    def _on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        pair = self.pair
        if pair is not None:
            self.post_message(SideChosen(pair, self.side))

    async def _on_click(self, event: events.Click) -> None:
        """A click chooses the pair and the side clicked (the right half: the
        right side); it opens nothing, as Enter does."""
        event.prevent_default()  # OptionList's own handler would select (open) it
        clicked = event.style.meta.get("option")
        if not isinstance(clicked, int) or not 0 <= clicked < self.option_count:
            return
        if self.get_option_at_index(clicked).disabled:
            return
        side = 1 if event.x >= self.size.width // 2 else 0
        if clicked != self.highlighted:
            self.side = side
            self.highlighted = clicked  # announced when the highlight message comes
        else:
            self.action_side(side)
