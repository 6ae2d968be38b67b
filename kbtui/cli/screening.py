"""`kbtui match FILE.csv`: screen a list of names against the KB."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import click

from kbtui.cli.errors import handles_errors
from kbtui.cli.output import to_json
from kbtui.cli.progress import progress

COLUMNS = ("row", "query", "rank", "id", "name", "kind", "score", "matched", "reason")


@click.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--name-column", help="Column of names (default: one headed name, else the first).")
@click.option("--birth-column", help="Column of birth dates, YYYY[-MM[-DD]] (default: one headed dob, birth date…).")
@click.option("--country-column", help="Column of countries (default: one headed country, nationality…).")
@click.option("--top", default=3, show_default=True, type=click.IntRange(1, 50), help="Candidates per row.")
@click.option("--json", "as_json", is_flag=True, help="One JSON array: each row with its candidates.")
@click.option("--workers", type=click.IntRange(1, 64), help="Processes searching at once (default: one per CPU).")
@click.option("--any-kind", is_flag=True, help="Candidates of every kind, not only people and organisations.")
@click.pass_context
@handles_errors
def match(
    ctx: click.Context,
    file: Path,
    name_column: str | None,
    birth_column: str | None,
    country_column: str | None,
    top: int,
    as_json: bool,
    workers: int | None,
    any_kind: bool,
) -> None:
    """Screen every name of a CSV list against the KB: the best candidates
    of each row with scores and reasons, as CSV (a line per candidate; a
    row with none gets one line with no id) or JSON.

    A birth date or country column, when present, weighs each candidate's
    recorded birth date and nationality: the reason says what matched and
    what differs. Nothing is written to the KB.

    \b
    Examples:
      kbtui match sanctions.csv > candidates.csv
      kbtui match list.csv --name-column "Full name" --top 5 --json
    """
    from kbtui.kb.screen import SCREENED_KINDS, read_list, screen

    cols, rows = read_list(file, name_column, birth_column, country_column)
    used = ", ".join(
        f"{what} {c!r}"
        for what, c in (("names", cols.name), ("birth dates", cols.birth), ("countries", cols.country))
        if c
    )
    click.echo(f"kbtui: screening {file}: {used}", err=True)
    out = csv.writer(sys.stdout, lineterminator="\n") if not as_json else None
    if out:
        out.writerow(COLUMNS)
    results = []
    count = 0
    with progress() as advance:
        kinds = None if any_kind else SCREENED_KINDS
        for row, found in screen(ctx.obj["db"], rows, top, workers, lambda n: advance("screening", n, None), kinds):
            count += 1
            if out is None:
                results.append(
                    {
                        "row": row.number,
                        "query": row.name,
                        "birth": row.birth or None,
                        "country": row.country or None,
                        "candidates": [c.as_json() for c in found],
                    }
                )
                continue
            if not found:
                out.writerow((row.number, row.name, "", "", "", "", "", "", "no match"))
            for rank, c in enumerate(found, start=1):
                j = c.as_json()
                out.writerow(
                    (
                        row.number,
                        row.name,
                        rank,
                        j["id"],
                        j["name"],
                        j["kind"],
                        j["score"],
                        j["matched"] or "",
                        j["reason"],
                    )
                )
    if out is None:
        click.echo(to_json(results, indent=2))
    click.echo(f"kbtui: {count:,} rows screened", err=True)
