"""`kbtui dedupe judge A B same|not-same|unsure --bundle B`: a curator's
judgement of a pair, kept in the bundle; "same" merges the two."""

from __future__ import annotations

from pathlib import Path

import click

from kbtui.cli.curate import bundle_option, input_option, json_option
from kbtui.cli.errors import handles_errors
from kbtui.cli.output import emit_json
from kbtui.cli.target import writable_target
from kbtui.safetext import visible

VERDICTS = ("same", "not-same", "unsure")


@click.command()
@click.argument("a")
@click.argument("b")
@click.argument("verdict", type=click.Choice(VERDICTS))
@bundle_option
@click.option("--keep", default=None, help="With same: the id that stays (default: A); the other redirects to it.")
@click.option("--note", default="", help="Why: kept with the judgement.")
@input_option
@json_option
@click.pass_context
@handles_errors
def judge(
    ctx: click.Context,
    /,
    a: str,
    b: str,
    verdict: str,
    bundle: Path,
    keep: str | None,
    note: str,
    input_id: str | None,
    as_json: bool,
) -> None:
    """Judge whether entities A and B are one: same, not-same or unsure.
    The judgement goes into the bundle's resolutions.toml (and the curation
    log), so it lasts through every re-import. "same" merges B into A (or
    into --keep): roles, relations, events, properties, aliases and
    citations all move, nothing is lost, and B's id still resolves.
    "not-same" keeps the pair out of `kbtui dedupe`.

    \b
    Examples:
      kbtui --db my.db dedupe judge chen-wenqing chen-wen-ching same --bundle research
      kbtui --db my.db dedupe judge fsb fsb-2 not-same --bundle research --note "two agencies"
    """
    from kbtui.kb import judge as kbjudge

    change, merged = kbjudge.judge(bundle, writable_target(ctx), a, b, verdict, keep, note, input_id)
    if as_json:
        out = change.as_dict()
        out["merged"] = None if merged is None else {"keep": merged.keep, "other": merged.other, "moved": merged.moved}
        emit_json(out)
        return
    click.echo(f"judged {visible(a)} and {visible(b)} {verdict} in bundle {visible(change.bundle)}", err=True)
    if merged is not None:
        moved = sum(merged.moved.values())
        rows = f"{moved} row{'' if moved == 1 else 's'}"
        click.echo(
            f"  merged `{visible(merged.other)}` into `{visible(merged.keep)}`: {rows} moved;"
            f" `{visible(merged.other)}` now redirects there",
            err=True,
        )
