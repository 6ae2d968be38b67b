"""`kbtui timeline [REF]`: every dated item, in date order, grouped by year.

The data layer is kbtui.kb.timeline (the explorer pages through the same
function); this module parses the options, resolves REF and prints.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from kbtui.cli.errors import fail, handles_errors
from kbtui.cli.output import emit_json
from kbtui.kb import db as kbdb
from kbtui.kb.vocab import is_iso_prefix

if TYPE_CHECKING:
    from kbtui.kb.timeline import Page


def _date(option: str, value: str | None, example: str) -> str | None:
    """A valid ISO prefix, or one line naming the option and an example."""
    from kbtui.kb import dates

    if value is None:
        return None
    if not is_iso_prefix(value):
        fail(f"{option} {value!r} is not an ISO date", f"use YYYY, YYYY-MM or YYYY-MM-DD, e.g. {option} {example}", 2)
    wrong = dates.problem(value)
    if wrong:
        fail(f"{option} {wrong}", f"use a real date, e.g. {option} {example}", 2)
    return value


@click.command()
@click.argument("ref", required=False)
@click.option("--from", "start", metavar="DATE", help="Only items whose date overlaps this date or later (2024-04).")
@click.option("--to", "end", metavar="DATE", help="Only items whose date overlaps this date or earlier (2024).")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, 1000), help="Items on this page.")
@click.option("--after", metavar="CURSOR", help="Start after this item (the cursor the previous page printed).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the scripting contract).")
@click.pass_context
@handles_errors
def timeline(
    ctx: click.Context,
    ref: str | None,
    start: str | None,
    end: str | None,
    limit: int,
    after: str | None,
    as_json: bool,
) -> None:
    """Every dated item in date order: role starts and ends, events,
    relation dates, births and deaths, and, for a claim with no dates of
    its own, the latest date its evidence attests it. For one entity (REF,
    an id or a name) or for the whole KB.

    Dates keep their precision ("2024", "2024-04", "2024-04-20"); a coarse
    date sorts at the start of its period. --from and --to keep an item
    whose date overlaps the range, so --from 2024-04 keeps "2024". Each row
    names the citation behind it (`kbtui cite ID`).

    \b
    Examples:
      kbtui timeline chen-wenqing
      kbtui timeline --from 2024-04 --to 2024-04
      kbtui timeline "Federal Security Service" --limit 50 --json
      kbtui timeline fsb --after 2019-03:role-00012345:0
    """
    from kbtui.kb import dates, queries
    from kbtui.kb import timeline as kbtimeline

    start = _date("--from", start, "2024-04")
    end = _date("--to", end, "2024-12")
    if start and end and dates.span(start).first > dates.span(end).last:
        fail(f"--from {start} is after --to {end}", "give the earlier date to --from", 2)
    cursor = None
    if after is not None:
        try:
            cursor = kbtimeline.Cursor.parse(after)
        except ValueError:
            fail(f"--after {after!r} is not a cursor", "pass the cursor a previous page printed", 2)
    conn = kbdb.connect_readonly(ctx.obj["db"], snapshot=True)
    ctx.call_on_close(conn.close)
    entity_id = queries.resolve(conn, ref) if ref is not None else None
    page = kbtimeline.page(conn, entity_id, start, end, cursor, limit)
    if as_json:
        emit_json(page.items)
    else:
        name = None
        if entity_id is not None:
            row = conn.execute("SELECT name FROM entities WHERE id = ?", (entity_id,)).fetchone()
            name = row[0] if row else entity_id
        _print(page, name)
    if page.next is not None:
        more = ["kbtui", "timeline"] + ([entity_id] if entity_id else [])
        more += [f"--from {start}"] if start else []
        more += [f"--to {end}"] if end else []
        more += [f"--limit {limit}"] if limit != 100 else []
        click.echo(f"more: {' '.join(more)} --after {page.next}", err=True)


def _print(page: Page, name: str | None) -> None:
    """A year's header, then its rows: date, what happened, the citation."""
    from rich.table import Table
    from rich.text import Text

    from kbtui.cli.render import T, console, err_console
    from kbtui.safetext import one_line

    start, end = page.bounds
    scope = f"{one_line(name)} ({page.entity_id})" if name is not None else "the whole KB"
    span = f" from {start}" if start else ""
    span += f" to {end}" if end else ""
    console.print(Text(f"Timeline of {scope}{span}", style="bold"))
    if not page.items:
        err_console.print(Text("no dated items", style="dim"))
        return
    year = None
    grid = None
    for item in page.items:
        if item["date"][:4] != year:
            if grid is not None:
                console.print(grid)
            year = item["date"][:4]
            console.print(Text(f"\n{year}", style="bold cyan"))
            grid = Table.grid(padding=(0, 2))
            grid.add_column(no_wrap=True)  # a date is never wrapped
            grid.add_column()
        what = T(item["text"])
        if item["claim"]["disputed"]:
            what.append(" (disputed)", style="bold red")
        cite = item["citation"]
        if cite is not None:
            what.append(f" · cite {cite['id']}", style="dim")
            if item["citations"] > 1:
                what.append(f" (+{item['citations'] - 1})", style="dim")
        else:
            what.append(" · uncited", style="yellow")
        assert grid is not None
        grid.add_row(T(item["date"], "cyan"), what)
    if grid is not None:
        console.print(grid)
