"""The key bar: compact below COMPACT_BELOW columns, where the explorer's
nine keys and the palette did not fit in 100 columns ("f2 overv")."""

from __future__ import annotations

from textual import events
from textual.widgets import Footer

COMPACT_BELOW = 120


class KeyBar(Footer):
    def on_resize(self, event: events.Resize) -> None:
        self.compact = event.size.width < COMPACT_BELOW
