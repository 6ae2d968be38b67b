"""Fixtures and helpers for the TUI tests: the real sample KB, a KB with one
very large organisation, and deterministic ways to wait for the app."""

from __future__ import annotations

import asyncio
import inspect
from pathlib import Path

import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.worker import WorkerState

from kbtui.kb.importer import import_bundle
from kbtui.kb.paths import sample_bundle_path

BIG_HOLDERS = 1234


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
def kb_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample KB, built from its bundle once per session (never the
    committed sample.db, so a test can never change it)."""
    path = tmp_path_factory.mktemp("tui-sample") / "sample.db"
    import_bundle(sample_bundle_path(), path)
    return path


@pytest.fixture(scope="session")
def big_kb_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A KB whose one organisation has BIG_HOLDERS role holders, to prove
    the roles table pages instead of loading everything."""
    root = tmp_path_factory.mktemp("big-bundle")
    (root / "sources").mkdir()
    # Many small rosters rather than one long one: anchoring a quote costs
    # time proportional to its source's length.
    per = 25
    sources = []
    for s in range(0, BIG_HOLDERS, per):
        lines = [f"Member {n:04d} sits on the Grand Board." for n in range(s, min(s + per, BIG_HOLDERS))]
        (root / "sources" / f"r{s}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        sources.append(
            f'[[source]]\nid = "roster-{s}"\nfile = "sources/r{s}.txt"\n'
            f'title = "Board roster {s}"\noutlet = "Roster Weekly"\npublished = "2024-01-01"\n'
        )
    (root / "sources.toml").write_text("\n".join(sources), encoding="utf-8")
    kb = ['[[entity]]\nid = "grand-board"\nkind = "organisation"\nname = "Grand Board"\n']
    for n in range(BIG_HOLDERS):
        kb.append(f'[[entity]]\nid = "member-{n:04d}"\nkind = "person"\nname = "Member {n:04d}"\n')
        status = "current" if n % 3 else "former"
        src = f"roster-{n - n % per}"
        kb.append(
            f'[[role]]\nid = "member-{n:04d}-board"\nholder = "member-{n:04d}"\n'
            f'organisation = "grand-board"\ntitle = "Member"\nstatus = "{status}"\n'
            f'cite = [{{ source = "{src}", quote = "Member {n:04d} sits on the Grand Board." }}]\n'
        )
    (root / "kb.toml").write_text("\n".join(kb), encoding="utf-8")
    path = tmp_path_factory.mktemp("big") / "big.db"
    import_bundle(root, path)
    return path


async def settle(pilot: Pilot) -> None:
    """Wait until every worker has finished and its results are on screen.

    Workers hand results back with call_from_thread, which returns only
    after the main loop ran the callback, so a finished worker means its
    result is applied; the pauses let the resulting messages and refreshes
    run. No sleeping: this waits on the workers themselves."""
    app = pilot.app
    await pilot.pause()
    for _ in range(20):
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
    await pilot.press(*[{" ": "space"}.get(ch, ch) for ch in text])


@pytest.fixture
def sample_copy_path(tmp_path: Path, kb_path: Path) -> Path:
    """A private copy of the sample that a test may change or delete."""
    import shutil

    path = tmp_path / "copy.db"
    shutil.copy(kb_path, path)
    return path
