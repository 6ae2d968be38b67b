"""What the parts of the explorer may read from the app they run in.

Screens and command palette providers get the app as `self.app`, typed by
Textual as a plain App. They need a few of its attributes (the database,
the theme-derived look, the places visited), but importing KbtuiApp to name
them would import the app back from the modules it imports. This Protocol
names just those attributes, read-only; KbtuiApp satisfies it without
naming it. Anything else a screen wants from the app it asks for with a
message (kbtui.tui.messages).
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol, runtime_checkable

from textual.app import App

from kbtui.tui.curation import Curation
from kbtui.tui.history import History
from kbtui.tui.look import Look


@runtime_checkable
class ExplorerContext(Protocol):
    @property
    def db_path(self) -> Path: ...

    @property
    def db_error(self) -> Exception | None:
        """Why the database cannot be used (the error screen is up), or None."""
        ...

    @property
    def look(self) -> Look: ...

    @property
    def history(self) -> History: ...

    @property
    def curation(self) -> Curation | None:
        """Curate mode's bundle and undo steps; None in the read-only explorer."""
        ...

    @property
    def today(self) -> str:
        """The date claims are read against (ISO): how long ago evidence is."""
        ...


def explorer_context(app: App[object]) -> ExplorerContext:
    """`app` as the explorer it must be (a TypeError names the mistake
    instead of an AttributeError later)."""
    if not isinstance(app, ExplorerContext):
        raise TypeError(f"{type(app).__name__} is not the kbtui explorer app")
    return app
