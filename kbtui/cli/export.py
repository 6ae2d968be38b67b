"""`kbtui export`: the whole KB in another format (see kbtui.kb.exporting)."""

from __future__ import annotations

from pathlib import Path

import click

from kbtui.cli.errors import handles_errors
from kbtui.cli.output import emit_json
from kbtui.kb.exporting import FORMATS


@click.command()
@click.option(
    "--format",
    "format_name",
    required=True,
    type=click.Choice(sorted(FORMATS)),
    help="; ".join(f"{f.name}: {f.what}" for f in FORMATS.values()),
)
@click.option(
    "--out",
    "-o",
    required=True,
    type=click.Path(path_type=Path, dir_okay=True),
    help="The file (a folder for csv) to write; - writes a one-file format to standard output.",
)
@click.option("--force", is_flag=True, help="Replace what is at --out.")
@click.option("--json", "as_json", is_flag=True, help="Print what was written as JSON.")
@click.pass_context
@handles_errors
def export(ctx: click.Context, format_name: str, out: Path, force: bool, as_json: bool) -> None:
    """Write the whole KB in another format, every claim with its evidence.
    The file is written beside --out under a hidden name and renamed when
    complete: a failed export leaves nothing behind. Rows come in a stable
    order, so the same KB gives the same file.

    \b
    Examples:
      kbtui export --format annotations --out kb.jsonld
      kbtui export --format gexf --out kb.gexf
      kbtui export --format dot --out - | dot -Tsvg > kb.svg
      kbtui export --format csv --out kb-csv
    """
    from kbtui.kb.exporting import export as run

    done = run(ctx.obj["db"], format_name, "-" if str(out) == "-" else out, force)
    if done.path == "-":
        return
    if as_json:
        emit_json(done.as_dict())
        return
    counted = ", ".join(f"{n:,} {what}" for what, n in done.counts.items())
    click.echo(f"wrote {done.path} ({done.bytes:,} bytes): {counted}")
