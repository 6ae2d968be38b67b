"""Shared fixtures and hooks for the whole suite: a tiny hand-written
bundle, the real sample KB (built once per test session, i.e. once per
pytest-xdist worker), and the runner for `async def` tests.

Helpers that tests import by name (settle, screen_text, ...) live in
tests/helpers.py: a conftest holds fixtures and hooks only."""

from __future__ import annotations

import asyncio
import inspect
import os
import shutil
from pathlib import Path

import pytest

from kbtui.kb.importer import import_bundle
from kbtui.kb.paths import sample_bundle_path

MINI_TEXT = (
    "Moscow, Monday.\n"
    "Nikolai Patrushev is secretary of Russia’s national security council, and "
    "Chen Wenqing leads China’s Central Political and Legal Affairs Commission.\n"
    "The two men met in Moscow. Chen said the talks were “useful.” Chen left.\n"
)

MINI_SOURCES = """\
[[source]]
id = "mini"
file = "sources/mini.txt"
title = "Spy chiefs meet"
outlet = "Example Times"
author = "A. Writer"
published = "2024-05-03"
"""

MINI_KB = """\
[[entity]]
id = "nikolai-patrushev"
kind = "person"
name = "Nikolai Patrushev"
summary = "Secretary of Russia's Security Council."
aliases = [{ name = "Patrushev", kind = "surname" }]

[[entity]]
id = "chen-wenqing"
kind = "person"
name = "Chen Wenqing"
aliases = ["Chen"]

[[entity]]
id = "russian-security-council"
kind = "organisation"
name = "Security Council of Russia"

[[entity]]
id = "cplac"
kind = "organisation"
name = "Central Political and Legal Affairs Commission"

[[entity]]
id = "moscow"
kind = "place"
name = "Moscow"

[[role]]
id = "patrushev-secretary"
holder = "nikolai-patrushev"
organisation = "russian-security-council"
title = "Secretary"
status = "current"
cite = [{ source = "mini", quote = "Nikolai Patrushev is secretary of Russia's national security council" }]

[[role]]
id = "chen-head-cplac"
holder = "chen-wenqing"
organisation = "cplac"
title = "Head"
status = "current"
cite = [{ source = "mini", quote = "Chen Wenqing leads China's Central Political and Legal Affairs Commission" }]

[[event]]
id = "moscow-meeting"
name = "Patrushev–Chen meeting in Moscow"
type = "meeting"
place = "moscow"
cite = [{ source = "mini", quote = "The two men met in Moscow." }]
participants = [
  { entity = "nikolai-patrushev", capacity = "Secretary" },
  { entity = "chen-wenqing", capacity = "Head of the commission" },
]
"""


def write_bundle(root: Path, kb: str = MINI_KB, sources: str = MINI_SOURCES, text: str | bytes = MINI_TEXT) -> Path:
    (root / "sources").mkdir(parents=True, exist_ok=True)
    (root / "sources.toml").write_text(sources, encoding="utf-8")
    (root / "kb.toml").write_text(kb, encoding="utf-8")
    data = text.encode("utf-8") if isinstance(text, str) else text
    (root / "sources" / "mini.txt").write_bytes(data)
    return root


@pytest.fixture
def mini_bundle(tmp_path: Path) -> Path:
    return write_bundle(tmp_path / "bundle")


@pytest.fixture
def mini_db(tmp_path: Path, mini_bundle: Path) -> Path:
    path = tmp_path / "mini.db"
    import_bundle(mini_bundle, path)
    return path


@pytest.fixture(autouse=True)
def _no_kbtui_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts without the caller's KBTUI_* variables (a KBTUI_DB
    naming the developer's own KB would otherwise be opened by any command
    run without --db, child processes included). Tests set what they need."""
    for name in [k for k in os.environ if k.startswith("KBTUI_")]:
        monkeypatch.delenv(name)


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run `async def` tests in a fresh event loop (no asyncio plugin is a
    project dependency; Textual's run_test only needs a running loop)."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    args = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
    asyncio.run(pyfuncitem.obj(**args))
    return True


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample KB rebuilt from the bundle, once per session (never the
    committed file, so a test can never change it). The one place the suite
    builds it: other names for it (kb_path in tests/tui) are aliases.

    Under pytest-xdist each worker is its own session and builds its own
    copy; the build takes under 0.1 s, so sharing one across workers (a
    file lock in getbasetemp().parent) would save nothing measurable."""
    path = tmp_path_factory.mktemp("sample") / "sample.db"
    import_bundle(sample_bundle_path(), path)
    return path


@pytest.fixture
def sample_copy(tmp_path: Path, sample_db: Path) -> Path:
    """A private copy of the sample a test may break."""
    path = tmp_path / "copy.db"
    shutil.copy(sample_db, path)
    return path
