"""Curate mode's state: the bundle changes go to, what each change added
(newest last, for undo), whether a write is under way, and a counter of
changes. Held by the app, read by its screens through
ExplorerContext.curation (None in the plain, read-only explorer).

One write at a time: a second `a`, a `z` while a claim is saved, would
race the first (two entities for one name, an undo of the wrong step), so
each starts only when `begin()` says no other is running. A step is
recorded as soon as its write commits, by the worker, so it can be undone
even if the screen that made it has gone.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from kbtui.kb.undo import Step

BUSY = "Still writing the last change: a moment."


@dataclass
class Curation:
    bundle: Path
    steps: list[Step] = field(default_factory=list)
    changed: int = 0  # moves on every change and undo: a screen showing KB data reads again when it has moved
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _busy: bool = False

    @property
    def busy(self) -> bool:
        return self._busy

    def begin(self) -> bool:
        """Claim the one write slot; False if a write is under way."""
        with self._lock:
            if self._busy:
                return False
            self._busy = True
            return True

    def end(self) -> None:
        with self._lock:
            self._busy = False

    def made(self, step: Step) -> None:
        """A change committed (called by the worker that wrote it)."""
        with self._lock:
            self.steps.append(step)
            self.changed += 1

    def undone(self) -> None:
        with self._lock:
            self.changed += 1
