"""Fixtures for the TUI tests: the sample KB and a private copy of it under
the names these tests use, and a KB with one very large organisation. The async test runner is
in tests/conftest.py; settle, screen_text and type_text in tests/helpers.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from kbtui.kb.importer import import_bundle
from tests.helpers import BIG_HOLDERS


@pytest.fixture(scope="session")
def kb_path(sample_db: Path) -> Path:
    """The sample KB (tests/conftest.py builds it once per session)."""
    return sample_db


@pytest.fixture
def sample_copy_path(sample_copy: Path) -> Path:
    """A private copy of the sample that a test may change or delete
    (tests/conftest.py's sample_copy, under the name these tests use)."""
    return sample_copy


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
