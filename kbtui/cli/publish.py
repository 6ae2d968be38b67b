"""`kbtui publish`: Datasette metadata for the KB (see kbtui.kb.publish)."""

from __future__ import annotations

from pathlib import Path

import click

from kbtui.cli.errors import handles_errors
from kbtui.cli.output import emit_json
from kbtui.safetext import visible


@click.command()
@click.option(
    "--out",
    "-o",
    default="metadata.json",
    show_default=True,
    type=click.Path(path_type=Path, dir_okay=True),
    help="The metadata file to write.",
)
@click.option("--force", is_flag=True, help="Replace the file at --out.")
@click.option(
    "--redact",
    "redacted",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write a copy of the KB with its confidential sources redacted to this new file, and serve that copy.",
)
@click.option("--json", "as_json", is_flag=True, help="Print what was written as JSON.")
@click.pass_context
@handles_errors
def publish(ctx: click.Context, out: Path, force: bool, redacted: Path | None, as_json: bool) -> None:
    """Write Datasette metadata for the KB, so a team can browse it read-only
    in a web browser: every table and view described, facets, and the
    README's SQL examples as canned queries. Then serve it with Datasette
    (`pip install -e '.[web]'` in a checkout), as the command prints. The file is
    written under a hidden name and renamed when complete; the same KB
    gives the same file.

    \b
    Examples:
      kbtui --db kb.db publish --out metadata.json
      datasette -i kb.db -m metadata.json
      kbtui --db kb.db publish --redact kb-public.db --out metadata.json
      datasette -i kb-public.db -m metadata.json
    """
    from kbtui.kb.publish import publish as run

    done = run(ctx.obj["db"], out, force, redacted)
    if done.confidential:
        click.echo(
            f"kbtui: warning: {done.confidential:,} confidential source(s) in the KB; "
            "Datasette serves them as they are, text included, to whoever reaches it",
            err=True,
        )
    if as_json:
        emit_json(done.as_dict())
        return
    counted = ", ".join(f"{n:,} {what}" for what, n in done.counts.items())
    if redacted is not None:
        click.echo(f"wrote {visible(str(redacted))}: the KB with {done.redacted:,} confidential source(s) redacted")
    click.echo(f"wrote {visible(done.path)} ({done.bytes:,} bytes): {counted}")
    click.echo(f"serve {visible(done.database)} read-only with Datasette (the database keeps its file name):")
    for command in done.commands:
        click.echo(f"  {visible(command)}")
