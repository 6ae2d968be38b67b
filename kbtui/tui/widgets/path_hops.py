"""The path view's list: each path its chain ("A —took part in→ EVENT ←took
part in— B"), then its hops, an option each: the claim in words, its dates,
its independent sources and its best quote, wrapped to the width (a chain
cut to fit a table column said nothing). The longer alternatives come
after a "longer alternatives" line, each chain marked with its hops.

Attributes down: `show(found, evidence)`. Messages up, as the conflicts
list does: ClaimHighlighted as the cursor moves (the screen shows the
hop's evidence below); Enter goes to that evidence (the screen's `c`),
where Enter opens the quote in its source; `o`, or a click on a name,
opens that entity's pane (EntitySelected).
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
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from kbtui.kb.models import EntityRef, Evidence
from kbtui.kb.paths_between import Hop, Paths
from kbtui.kb.vocab import date_range
from kbtui.tui.clip import shown
from kbtui.tui.look import Look, plural, source_line
from kbtui.tui.messages import ClaimHighlighted, EntitySelected

NAME_MAX = 120
QUOTE_MAX = 300


def arrow(hop: Hop) -> str:
    """The hop's claim as an arrow in the path's direction (as `kbtui path`
    draws it): → along the claim (holder → organisation), ← against it."""
    words = shown(hop["claim"]["words"], 60)
    return f" ←{words}— " if hop["reversed"] else f" —{words}→ "


def hop_words(hop: Hop) -> str:
    """The hop as one line: what the evidence pane calls it."""
    return f"{shown(hop['from']['name'], NAME_MAX)}{arrow(hop)}{shown(hop['to']['name'], NAME_MAX)}"


def when(hop: Hop) -> str:
    claim = hop["claim"]
    if claim["kind"] in ("participation", "place"):  # the event's dates
        start, end = claim["start"], claim["end"]
        return f"{start}–{end}" if start and end and end != start else start or end or ""
    return date_range(claim["start"], claim["end"])


def _hanging(mark: Text, body: RenderableType) -> Table:
    """`body` beside its number, every wrapped line indented under the first."""
    grid = Table.grid(padding=(0, 1, 0, 0))
    grid.add_column(no_wrap=True)
    grid.add_column(ratio=1)
    grid.add_row(mark, body)
    return grid


@dataclass
class HopItem:
    """What a hop's option stands for."""

    hop: Hop
    claim: Evidence | None


class HopList(OptionList):
    BINDINGS = [
        Binding("enter", "select", "evidence", tooltip="go to the hop's citations", id="path.hop_evidence"),
        Binding("o", "open_entity", "open", tooltip="open the pane of the entity the hop reaches", id="path.open"),
        Binding("j", "cursor_down", "down", show=False, id="path.down"),
        Binding("k", "cursor_up", "up", show=False, id="path.up"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.look = Look()
        self.items: list[HopItem | None] = []  # one per option; None for a path's chain

    # --- attributes down ----------------------------------------------------------

    def show(self, found: Paths, evidence: dict[str, Evidence]) -> None:
        self.items = []
        self.clear_options()
        options: list[Option] = []
        shortest = found["length"]
        for i, path in enumerate(found["paths"], 1):
            longer = path["length"] > shortest
            if longer and not any(p["length"] > shortest for p in found["paths"][: i - 1]):
                # where the shortest paths end: a line of its own, not a hop
                head = Text(f"longer alternatives (up to {plural(found['max_hops'], 'hop')})", style=Style(bold=True))
                options.append(Option(Padding(head, (1, 0, 0, 0)), disabled=True))
                self.items.append(None)
            weakest = path["independent_sources"]["weakest"]
            chain = self._chain(i, path["hops"], weakest, path["length"] if longer else None)
            options.append(Option(chain, disabled=True))
            self.items.append(None)
            for n, hop in enumerate(path["hops"], 1):
                options.append(Option(self._hop(n, hop, len(self.items))))
                self.items.append(HopItem(hop, evidence.get(hop["claim"]["id"])))
        self.add_options(options)
        self.highlighted = 1 if len(self.items) > 1 else None

    def _link(self, ref: EntityRef, index: int, bold: bool = False) -> Text:
        # a link: the click handler reads the meta (the option, and which end)
        style = Style(bold=bold) + Style.from_meta({"entity": ref["id"], "name": ref["name"], "option": index})
        return Text(shown(ref["name"], NAME_MAX), style=style)

    def _chain(self, number: int, hops: list[Hop], weakest: int, length: int | None = None) -> RenderableType:
        """The path as one chain; `length` marks a longer alternative (the
        shortest ones' is in the screen's header)."""
        text = Text(f"[{plural(length, 'hop')}] " if length else "", style=Style(bold=True))
        text.append(shown(hops[0]["from"]["name"], NAME_MAX), style=Style(bold=True))
        for hop in hops:
            text.append(arrow(hop), style=self.look.fg("accent"))
            text.append(shown(hop["to"]["name"], NAME_MAX), style=Style(bold=True))
        disputed = sum(1 for hop in hops if hop["claim"]["disputed"])
        note = f"  weakest hop: {plural(weakest, 'independent source')}"
        if disputed:
            note += f" · {disputed} disputed"
        text.append(note, style=Style(dim=True))
        chain = _hanging(Text(f"{number}.", style=Style(bold=True)), text)
        return Padding(chain, (1, 0, 0, 0)) if number > 1 else chain

    def _hop(self, number: int, hop: Hop, index: int) -> RenderableType:
        look, claim = self.look, hop["claim"]
        head = self._link(hop["from"], index)
        head.append(arrow(hop), style=look.fg("accent"))
        head.append_text(self._link(hop["to"], index))
        if claim["disputed"]:
            head.append(" ⚠ disputed", style=look.fg("warning", bold=True))
        facts = []
        if claim["label"] and claim["kind"] != "role":  # a role's label is its title, in the words already
            facts.append(("as " if claim["kind"] == "participation" else "") + shown(claim["label"], 120))
        if claim["kind"] in ("participation", "place"):
            facts.append(shown(claim["type"], 40))
        if dates := when(hop):
            facts.append(shown(dates, 40))
        n = hop["independent_sources"]
        about = Text(" · ".join(facts) + (" · " if facts else ""), style=Style(dim=True))
        about.append(plural(n, "independent source"))
        lines: list[RenderableType] = [about]
        if hop["citations"]:
            best = hop["citations"][0]
            quote = Text(f"“{shown(best['quote'], QUOTE_MAX)}”", style=Style(italic=True))
            quote.append(" — " + source_line(best["source"]), style=look.fg("accent"))
            more = hop["citations_total"] - 1
            if more:
                quote.append(f"  +{more} more", style=Style(dim=True))
            lines.append(quote)
        else:
            lines.append(Text("no citation", style=look.fg("warning")))
        return Padding(_hanging(Text(f"{number})", style=Style(dim=True)), Group(head, *lines)), (0, 0, 0, 2))

    # --- messages up ----------------------------------------------------------------

    @property
    def current(self) -> HopItem | None:
        index = self.highlighted
        return self.items[index] if index is not None and 0 <= index < len(self.items) else None

    def _on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        item = self.current
        if item is not None:
            self.post_message(ClaimHighlighted(item.claim, hop_words(item.hop), self.id))

    def on_focus(self) -> None:
        # back from the evidence or another place: the pane shows this hop again
        item = self.current
        if item is not None:
            self.post_message(ClaimHighlighted(item.claim, hop_words(item.hop), self.id))

    async def _on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        await self.run_action("screen.focus_evidence")

    def action_open_entity(self) -> None:
        item = self.current
        if item is not None:
            to = item.hop["to"]
            self.post_message(EntitySelected(to["id"], to["name"]))

    async def _on_click(self, event: events.Click) -> None:
        # a click on a name opens that entity; elsewhere it selects the hop
        meta = event.style.meta
        entity, index = meta.get("entity"), meta.get("option")
        if isinstance(entity, str) and isinstance(index, int):
            event.prevent_default()
            event.stop()
            self.highlighted = index
            self.post_message(EntitySelected(entity, str(meta.get("name", ""))))
