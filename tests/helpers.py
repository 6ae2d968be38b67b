"""Helpers the TUI tests import by name (conftest modules hold fixtures and
hooks and are not meant to be imported): one deterministic way to wait for
the app, one way to read the screen, one way to type, one way to open an entity.

Also imported by the child process of the 10 MB viewer test
(tests/hostile/test_tui_hostile.py), which runs with the repository on
PYTHONPATH, so this module must import nothing from pytest."""

from __future__ import annotations

from contextlib import suppress
from typing import TYPE_CHECKING

from textual.app import App
from textual.pilot import Pilot
from textual.worker import WorkerCancelled, WorkerState

if TYPE_CHECKING:
    from kbtui.tui.screens.explorer import ExplorerScreen

SETTLE_ROUNDS = 20

# role holders in the one organisation of the big_kb_path fixture (tests/tui)
BIG_HOLDERS = 1234


async def settle(pilot: Pilot) -> None:
    """Wait until every worker has finished and its results are on screen.

    Workers hand results back with call_from_thread, which returns only
    after the main loop ran the callback, so a finished worker means its
    result is applied; the pauses let the resulting messages and refreshes
    run. A result may start another worker (a search opens an entity, the
    entity loads its tables), so this repeats until none is pending or
    running. No sleeping: this waits on the workers themselves."""
    app = pilot.app
    await pilot.pause()
    for _ in range(SETTLE_ROUNDS):
        # a worker superseded (an exclusive one started again) is done, as far as the user can tell
        with suppress(WorkerCancelled):
            await app.workers.wait_for_complete()
        await pilot.pause()
        if not any(w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in app.workers):
            return
    raise AssertionError("workers kept starting: the app never settled")


def screen_text(app: App) -> str:
    """What the terminal shows, as plain text (one line per row)."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(seg.text for seg in strip).rstrip() for strip in strips)


async def type_text(pilot: Pilot, text: str) -> None:
    """Type `text` key by key, as a user would (spaces as the space key)."""
    await pilot.press(*[{" ": "space"}.get(ch, ch) for ch in text])


async def open_entity(pilot: Pilot, name: str) -> ExplorerScreen:
    """Type `name` in the search box as a user would, Enter on the best
    match, and wait: the explorer, showing that entity."""
    from kbtui.tui.screens.explorer import ExplorerScreen  # (the TUI only for the tests that drive it)

    await settle(pilot)
    await type_text(pilot, name)
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ExplorerScreen), type(screen).__name__
    return screen
