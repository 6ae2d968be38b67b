"""Progress for long work: a Rich bar (count, rate, ETA) on a terminal,
nothing at all when stderr is piped or redirected (logs stay clean).

Rich is imported only when a bar is actually shown.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

Advance = Callable[[int], None]


class Phases:
    """One bar per phase of a long job; timings are kept either way."""

    def __init__(self, enabled: bool | None = None) -> None:
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self._progress: Any = None
        self.timings: dict[str, float] = {}

    def __enter__(self) -> Phases:
        if self.enabled:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self._progress = Progress(
                TextColumn("{task.description:<22}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("[progress.data.speed]{task.fields[rate]:>12}"),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                transient=False,
            )
            self._progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.__exit__(*exc)
            self._progress = None

    @contextmanager
    def phase(self, name: str, total: int | None = None) -> Iterator[Advance]:
        import time

        start = time.perf_counter()
        if self._progress is None:
            yield lambda n: None
        else:
            task = self._progress.add_task(name, total=total, rate="")
            done = [0]

            def advance(n: int) -> None:
                done[0] += n
                elapsed = max(time.perf_counter() - start, 1e-9)
                self._progress.update(task, advance=n, rate=f"{done[0] / elapsed:,.0f}/s")

            yield advance
            self._progress.update(
                task, completed=total if total is not None else done[0], total=total if total is not None else done[0]
            )
        self.timings[name] = round(time.perf_counter() - start, 2)
