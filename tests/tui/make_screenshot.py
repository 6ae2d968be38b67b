"""Regenerate docs/screenshot.svg (the README picture) from the sample.

    python -m tests.tui.make_screenshot

Not a test: it writes a file. It drives the app with Pilot exactly as the
tests do: open Chen Wenqing, whose roles and evidence are shown.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from kbtui.kb.importer import import_bundle
from kbtui.kb.paths import PACKAGE_DIR, sample_bundle_path
from kbtui.tui.app import create_app
from kbtui.tui.widgets.search import SearchInput
from tests.helpers import settle

TARGET = PACKAGE_DIR.parent / "docs" / "screenshot.svg"


async def main(size: tuple[int, int] = (120, 34)) -> Path:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "sample.db"
        import_bundle(sample_bundle_path(), db)
        app = create_app(db)
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            box = app.screen.query_one(SearchInput)
            box.cursor_blink = False
            box.value = "chen wenqing"
            await settle(pilot)
            await pilot.press("enter")
            await settle(pilot)
            TARGET.parent.mkdir(exist_ok=True)
            TARGET.write_text(app.export_screenshot(title="kbtui"), encoding="utf-8")
    return TARGET


if __name__ == "__main__":
    print(asyncio.run(main()))
