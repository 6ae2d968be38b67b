"""Which KB a writing command may change."""

from __future__ import annotations

from pathlib import Path

import click

from kbtui.cli.errors import fail


def writable_target(ctx: click.Context) -> Path:
    """The KB a writing command may change: one the user named. Writing into
    the bundled sample by default would silently change what every later
    `kbtui` shows (and, installed, a file inside site-packages)."""
    root = ctx.find_root()
    if not root.obj.get("db_named"):
        fail(
            f"`kbtui {ctx.command_path.removeprefix(root.info_name or 'kbtui').strip()}` writes a knowledge base,"
            " and none was named",
            "pass --db PATH (created if missing) or set KBTUI_DB; the bundled sample is never written",
            2,
        )
    target: Path = root.obj["db"]
    return target
