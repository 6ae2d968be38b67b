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
@click.option(
    "--redact",
    is_flag=True,
    help="Leave out the confidential sources: their text, title, outlet, author and id;"
    " the claims they support cite a placeholder that says a confidential source supports them.",
)
@click.option("--json", "as_json", is_flag=True, help="Print what was written as JSON.")
@click.pass_context
@handles_errors
def export(ctx: click.Context, format_name: str, out: Path, force: bool, redact: bool, as_json: bool) -> None:
    """Write the whole KB in another format, every claim with its evidence.
    The file is written beside --out under a hidden name and renamed when
    complete: a failed export leaves nothing behind. Rows come in a stable
    order, so the same KB gives the same file.

    Sources marked confidential (`confidential = true` in a bundle) are
    exported as they are unless --redact is given, which is said on
    stderr; with --redact, every format leaves them out.

    \b
    Examples:
      kbtui export --format annotations --out kb.jsonld
      kbtui export --format gexf --out kb.gexf
      kbtui export --format dot --out - | dot -Tsvg > kb.svg
      kbtui export --format csv --out kb-csv
      kbtui export --format annotations --out public.jsonld --redact
    """
    from kbtui.kb.exporting import export as run

    done = run(ctx.obj["db"], format_name, "-" if str(out) == "-" else out, force, redact)
    if done.confidential and not redact:
        n, them = done.confidential, "them" if done.confidential != 1 else "it"
        click.echo(
            f"kbtui: warning: this export holds {n:,} confidential source{'s' if n != 1 else ''}"
            f" (text, title, outlet, author); --redact leaves {them} out",
            err=True,
        )
    if done.path == "-":
        return
    if as_json:
        emit_json(done.as_dict())
        return
    counted = ", ".join(f"{n:,} {what}" for what, n in done.counts.items())
    redacted = f"; {done.redacted:,} confidential source(s) redacted" if done.redacted else ""
    click.echo(f"wrote {done.path} ({done.bytes:,} bytes): {counted}{redacted}")
