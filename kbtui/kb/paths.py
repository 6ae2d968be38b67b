"""Where the bundled files live, in a checkout and in an installed wheel.

The wheel carries schema.sql and sample.db inside the package (see
pyproject.toml); in a source checkout they sit at the repository's top level.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent


def _bundled(name: str) -> Path:
    inside = PACKAGE_DIR / name
    if inside.exists():
        return inside
    return PACKAGE_DIR.parent / name


def schema_path() -> Path:
    return _bundled("schema.sql")


def sample_db_path() -> Path:
    return _bundled("sample.db")


def sample_bundle_path() -> Path:
    return PACKAGE_DIR / "sample"


def default_db_path() -> Path:
    """`KBTUI_DB` if set, else the bundled sample."""
    env = os.environ.get("KBTUI_DB")
    return Path(env) if env else sample_db_path()
