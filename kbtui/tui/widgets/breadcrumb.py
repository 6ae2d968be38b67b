"""The header line: where the user came from, as in a browser.

Each crumb is clickable (it jumps there in history); when it does not fit,
the oldest crumbs give way to "…" so the current place is always shown.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual.widgets import Static

from kbtui.tui.clip import shown
from kbtui.tui.history import Crumb
from kbtui.tui.messages import HistoryJump

SEP = " › "
CRUMB_MAX = 32


class Breadcrumb(Static):
    """Attributes down: `show(trail, forward)`. Messages up: HistoryJump."""

    DEFAULT_CSS = """
    Breadcrumb { height: 1; width: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self._crumbs: Sequence[Crumb] = ()
        self._forward = 0

    def show(self, crumbs: Sequence[Crumb], forward: int = 0) -> None:
        """`crumbs`: oldest first, ending at the current place."""
        self._crumbs = crumbs
        self._forward = forward
        self._redraw()

    def on_resize(self) -> None:
        self._redraw()

    def _redraw(self) -> None:
        width = max(self.size.width, 20)
        tail = Text(f"   ] forward ({self._forward})", style=Style(dim=True)) if self._forward else Text()
        parts: list[Text] = []
        last = len(self._crumbs) - 1
        for n, (index, kind, title) in enumerate(self._crumbs):
            icon = {"home": "⌕ ", "source": "¶ ", "conflicts": "⚔ ", "disagreement": "⚔ "}.get(kind, "")
            label = icon + shown(title, CRUMB_MAX)
            style = Style(bold=True) if n == last else Style(dim=True)
            if n != last:
                style += Style.from_meta({"@click": f"jump({index})"})
            parts.append(Text(label, style=style))
        # drop the oldest crumbs until it fits; "…" says some were dropped
        ellipsis = [Text("…", style=Style(dim=True))]

        def trail(ps: list[Text], dropped: bool) -> list[Text]:
            return (ellipsis if dropped else []) + ps

        dropped = False
        while len(parts) > 1 and cell_len(SEP.join(p.plain for p in trail(parts, dropped))) + tail.cell_len + 2 > width:
            parts.pop(0)
            dropped = True
        text = Text(SEP, style=Style(dim=True)).join(trail(parts, dropped))
        text.append_text(tail)
        text.no_wrap = True
        text.overflow = "ellipsis"
        self.update(text)

    def action_jump(self, index: int) -> None:
        self.post_message(HistoryJump(index))
