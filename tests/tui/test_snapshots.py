"""Snapshots of the main screens at a fixed size (pytest-textual-snapshot).

Deterministic by construction: the sample is rebuilt from its bundle, no
clocks or random content are shown, the cursor does not blink, and every
run_before waits for the workers before the picture is taken.
Regenerate with `pytest tests/tui --snapshot-update` and inspect the SVGs.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from kbtui.tui.app import create_app
from kbtui.tui.widgets.search import SearchInput
from tests.helpers import settle

pytestmark = pytest.mark.tui

SIZE = (100, 30)
# evidence ages against the app's today: fixed, so the pictures never drift
# (a month after the sample's newest articles; older evidence reads "last attested")
TODAY = "2024-06-01"


async def _start(pilot: Pilot, query: str = "") -> None:
    await settle(pilot)
    box = pilot.app.screen.query_one(Input)
    box.cursor_blink = False
    if query:
        box.value = query
        await settle(pilot)


async def _open(pilot: Pilot, query: str) -> None:
    await _start(pilot, query)
    await pilot.press("enter")
    await settle(pilot)


def test_snapshot_search_results(kb_path: Path, snap_compare):
    async def run_before(pilot: Pilot) -> None:
        await _start(pilot, "patrushv")

    assert snap_compare(create_app(kb_path, today=TODAY), terminal_size=SIZE, run_before=run_before)


def test_snapshot_entity_with_evidence(kb_path: Path, snap_compare):
    async def run_before(pilot: Pilot) -> None:
        await _open(pilot, "chen wenqing")

    assert snap_compare(create_app(kb_path, today=TODAY), terminal_size=SIZE, run_before=run_before)


def test_snapshot_organisation_at_80x24(kb_path: Path, snap_compare):
    async def run_before(pilot: Pilot) -> None:
        await _open(pilot, "central political and legal affairs commission")

    assert snap_compare(create_app(kb_path, today=TODAY), terminal_size=(80, 24), run_before=run_before)


def test_snapshot_source_viewer(kb_path: Path, snap_compare):
    async def run_before(pilot: Pilot) -> None:
        await _open(pilot, "patrushev")
        await pilot.press("c", "enter")
        await settle(pilot)

    assert snap_compare(create_app(kb_path, today=TODAY), terminal_size=SIZE, run_before=run_before)


def test_snapshot_help(kb_path: Path, snap_compare):
    async def run_before(pilot: Pilot) -> None:
        await _start(pilot)
        pilot.app.screen.query_one(SearchInput).blur()
        await pilot.press("f1")
        await settle(pilot)

    assert snap_compare(create_app(kb_path, today=TODAY), terminal_size=SIZE, run_before=run_before)


def test_snapshot_evidence_as_of_stance_certainty_speaker(evidence_kb_path: Path, snap_compare):
    """Patrushev's role: dated, undated and contradicting citations, a
    reported one by a speaker who is no entity."""

    async def run_before(pilot: Pilot) -> None:
        await _open(pilot, "patrushev")
        await pilot.press("c")
        await settle(pilot)

    assert snap_compare(create_app(evidence_kb_path, today=TODAY), terminal_size=SIZE, run_before=run_before)


def test_snapshot_conflicts_view(evidence_kb_path: Path, snap_compare):
    async def run_before(pilot: Pilot) -> None:
        await _start(pilot)
        pilot.app.screen.query_one(SearchInput).blur()
        await pilot.press("exclamation_mark")
        await settle(pilot)

    assert snap_compare(create_app(evidence_kb_path, today=TODAY), terminal_size=SIZE, run_before=run_before)


# Each overview at 80×24 and 120×36, with a filter typed and a row below
# the first highlighted (the detail line and, for claims and events, the
# evidence show what the table cuts short).
OVERVIEWS = [
    ("f2", "repost"),
    ("f3", "patrushev"),
    ("f4", "type:meeting country:china country:russia"),
    ("f5", "kind:person"),
]


@pytest.mark.parametrize("size", [(80, 24), (120, 36)], ids=["80x24", "120x36"])
@pytest.mark.parametrize(("key", "typed"), OVERVIEWS, ids=["sources", "claims", "events", "entities"])
def test_snapshot_overview(kb_path: Path, snap_compare, key: str, typed: str, size: tuple[int, int]):
    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press(key)
        await settle(pilot)
        box = pilot.app.screen.query_one("#overview-filter", Input)
        box.cursor_blink = False
        box.value = typed
        await settle(pilot)
        await pilot.press("down", "j")
        await settle(pilot)

    assert snap_compare(create_app(kb_path, today=TODAY), terminal_size=size, run_before=run_before)


def test_snapshot_disagreement_side_by_side_at_80x24(kb_path: Path, snap_compare):
    """Xi Jinping: RT's "premier" against the leader, both quoted, the
    other side chosen (its evidence below)."""

    async def run_before(pilot: Pilot) -> None:
        await _open(pilot, "xi jinping")
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("right")
        await settle(pilot)

    assert snap_compare(create_app(kb_path, today=TODAY), terminal_size=(80, 24), run_before=run_before)
