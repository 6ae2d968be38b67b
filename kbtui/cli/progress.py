"""Progress bars for long work (import, index building, generating).

A Rich bar with count, rate and ETA on stderr when it is a terminal; nothing
at all when output is piped or captured, so scripts and logs stay clean.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

Advance = Callable[[str, int, "int | None"], None]


@contextmanager
def progress(enabled: bool | None = None) -> Iterator[Advance]:
    """Yields `advance(phase, n, total)`: add n done to `phase` (a new phase
    starts a new bar). Disabled unless stderr is a terminal."""
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:
        yield lambda phase, n, total: None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        Task,
        TaskID,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.text import Text

    class RateColumn(ProgressColumn):
        def render(self, task: Task) -> Text:
            return Text(f"{task.speed:>10,.0f}/s" if task.speed else " " * 12, style="cyan")

    tasks: dict[str, TaskID] = {}
    with Progress(
        TextColumn("{task.description:<24}"),
        BarColumn(),
        MofNCompleteColumn(),
        RateColumn(),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
    ) as bar:

        def advance(phase: str, n: int, total: int | None) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task(phase, total=total)
            bar.update(tasks[phase], advance=n, total=total)

        yield advance
