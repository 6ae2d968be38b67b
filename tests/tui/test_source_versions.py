"""The explorer shows an orphaned citation where it still stands: in the
older text of its source, with a line saying which version that is."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kbtui.kb import curate, versions
from kbtui.tui.app import create_app
from kbtui.tui.screens.source import SourceScreen
from kbtui.tui.widgets.source_text import SourceText
from tests.helpers import settle
from tests.test_versions import BORN, NEW, OLD
from tests.tui.test_evidence_model import flat, open_entity, select

pytestmark = pytest.mark.tui


@pytest.fixture
def versioned_kb(tmp_path: Path, mini_db: Path) -> Path:
    kb = tmp_path / "kb.db"
    shutil.copy(mini_db, kb)
    bundle = tmp_path / "notes"
    old, new = tmp_path / "old.txt", tmp_path / "new.txt"
    old.write_text(OLD, encoding="utf-8")
    new.write_text(NEW, encoding="utf-8")
    curate.new_bundle(bundle, kb)
    curate.add_source(bundle, kb, old, {"published": "2024-05-07"}, "art")
    cite = {"source": "art", "quote": BORN}
    curate.add_claim(
        bundle,
        kb,
        "property",
        {"entity": "nikolai-patrushev", "property": "birth-date", "value": "1951"},
        [cite],
        "born",
    )
    versions.add_version(kb, "art", new, {})
    return kb


async def test_an_orphaned_citation_opens_in_its_older_text(versioned_kb: Path):
    app = create_app(versioned_kb, today="2024-06-01")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await open_entity(pilot, "patrushev")
        await select(pilot, "properties", "born")
        assert "(orphaned)" in flat(app)
        await pilot.press("c", "enter")
        await settle(pilot)
        assert isinstance(app.screen, SourceScreen)
        text = flat(app)
        assert "version 1 of 2, an earlier text" in text
        assert "Citation 1 of 1" in text
        viewer = app.screen.query_one(SourceText)
        assert viewer.text == OLD
        (cite,) = viewer.citations
        assert viewer.text[cite["start"] : cite["end"]] == BORN
