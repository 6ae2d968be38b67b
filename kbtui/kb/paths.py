"""Where the bundled files live, in a checkout and in an installed wheel.

The wheel carries schema.sql and sample.db inside the package (see
pyproject.toml); in a source checkout they sit at the repository's top level.
"""

from __future__ import annotations

import os
import re
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


# --- file names built from data --------------------------------------------------

_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
NAME_MAX = 100  # characters of a slugged stem; file systems allow 255 bytes


def slug_name(stem: str, fallback: str = "export") -> str:
    """`stem` as a plain file-name stem: ASCII letters, digits, '.', '_' and
    '-' only (anything else, '/' and '\\' included, becomes '-'), no leading
    dots or dashes (so never '..' nor a hidden file), at most NAME_MAX long."""
    name = _UNSAFE_NAME.sub("-", stem).strip("-.")[:NAME_MAX].rstrip("-.")
    return name or fallback


def confined_path(directory: Path, stem: str, suffix: str) -> Path:
    """A new file in `directory` named after data (an entity id, a view's
    name): slugged, never absolute, never outside `directory`, and never an
    existing file (`stem-2.csv`, `stem-3.csv`, …). Every file name kbtui
    builds from KB content goes through here: a KB from someone else may
    hold an id such as `../../x` or `/tmp/x`."""
    base = directory.resolve()
    name = slug_name(stem)
    candidate = base / f"{name}{suffix}"
    n = 2
    while candidate.exists() or candidate.is_symlink():
        candidate = base / f"{name}-{n}{suffix}"
        n += 1
    if candidate.parent != base:  # cannot happen after slug_name; checked, not assumed
        raise ValueError(f"{candidate} is outside {base}")
    return candidate
