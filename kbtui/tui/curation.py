"""Curate mode's state: the bundle changes go to and what each change
added, newest last, for undo (`z`). Held by the app, read by its screens
through ExplorerContext.curation (None in the plain, read-only explorer).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from kbtui.kb.undo import Step


@dataclass
class Curation:
    bundle: Path
    steps: list[Step] = field(default_factory=list)
    changed: int = 0  # bumps on every change and undo: screens showing KB data reload when it moved
