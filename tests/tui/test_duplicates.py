"""Curate mode's duplicates screen (F6): a planted duplicate is proposed
with why, `s` merges it (bundle and KB), `n` records not-same, the plain
explorer has no F6."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from kbtui.kb import curate, judge
from kbtui.kb.importer import import_bundle
from kbtui.tui.app import create_app
from kbtui.tui.screens.duplicates import DuplicatesScreen
from tests.helpers import screen_text, settle

pytestmark = pytest.mark.tui

SAMPLE = Path(__file__).resolve().parents[2] / "kbtui" / "sample"
TODAY = "2024-06-01"


@pytest.fixture
def curated(tmp_path: Path) -> tuple[Path, Path]:
    """The sample as a bundle, with Wang Yi entered a second time by another name form."""
    bundle = tmp_path / "bundle"
    shutil.copytree(SAMPLE, bundle)
    db = tmp_path / "kb.db"
    import_bundle(bundle, db)
    curate.add_entity(bundle, db, "person", "Wang Yi", entity_id="wang-yi-2", distinct=True)
    return bundle, db


def rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


async def open_duplicates(pilot) -> DuplicatesScreen:  # type: ignore[no-untyped-def]
    await settle(pilot)
    await pilot.press("f6")
    await settle(pilot)
    for _ in range(50):
        screen = pilot.app.screen
        if isinstance(screen, DuplicatesScreen) and screen.pairs:
            return screen
        await pilot.pause(0.1)
    raise AssertionError("no candidate pairs were shown")


async def test_same_merges_the_planted_duplicate(curated: tuple[Path, Path]) -> None:
    bundle, db = curated
    app = create_app(db, today=TODAY, bundle=bundle)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_duplicates(pilot)
        ids = [(v.pair.a, v.pair.b) for v in screen.pairs]
        assert ("wang-yi", "wang-yi-2") in ids
        while screen.current is not None and {screen.current.pair.a, screen.current.pair.b} != {"wang-yi", "wang-yi-2"}:
            await pilot.press("right")
        text = screen_text(app)
        assert "Wang Yi" in text and "same name" in text.lower()
        left = screen._sides()
        assert left is not None
        await pilot.press("s")
        for _ in range(50):
            await pilot.pause(0.1)
            if rows(db, "SELECT count(*) FROM redirects")[0][0]:
                break
        kept, gone = left[0].id, left[1].id
        assert rows(db, "SELECT old_id, new_id FROM redirects") == [(gone, kept)]
        assert 'verdict = "same"' in (bundle / judge.RESOLUTIONS_FILE).read_text(encoding="utf-8")
        assert screen.judged == 1


async def test_not_same_is_recorded_and_nothing_merges(curated: tuple[Path, Path]) -> None:
    bundle, db = curated
    app = create_app(db, today=TODAY, bundle=bundle)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_duplicates(pilot)
        first = screen.current
        assert first is not None
        await pilot.press("n")
        for _ in range(50):
            await pilot.pause(0.1)
            if screen.judged:
                break
        assert rows(db, "SELECT a, b, verdict FROM judgements") == [
            (min(first.pair.a, first.pair.b), max(first.pair.a, first.pair.b), "not-same")
        ]
        assert rows(db, "SELECT count(*) FROM redirects") == [(0,)]
        # z takes the judgement back: out of the bundle and the KB, the pair proposed again
        await pilot.press("z")
        await settle(pilot)
        assert rows(db, "SELECT count(*) FROM judgements") == [(0,)]
        assert "[[judgement]]" not in (bundle / judge.RESOLUTIONS_FILE).read_text(encoding="utf-8")
        assert screen.current is not None and screen.current.pair == first.pair
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, DuplicatesScreen)


async def test_the_plain_explorer_has_no_duplicates_key(curated: tuple[Path, Path]) -> None:
    _, db = curated
    app = create_app(db, today=TODAY)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("f6")
        await settle(pilot)
        assert not isinstance(app.screen, DuplicatesScreen)
        assert rows(db, "SELECT count(*) FROM judgements") == [(0,)]


@pytest.mark.parametrize("size", [(80, 24), (120, 36)], ids=["80x24", "120x36"])
def test_snapshot_duplicates(curated: tuple[Path, Path], snap_compare, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    bundle, db = curated

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await open_duplicates(pilot)
        await settle(pilot)

    app = create_app(db, today=TODAY, bundle=bundle)
    app.sub_title = "kb.db"  # tmp paths differ from run to run
    assert snap_compare(app, terminal_size=size, run_before=run_before)
