"""`kbtui neighbours REF`: what an entity is linked to, counted, then listed
(the data layer is kbtui.kb.neighbours; this parses, resolves and prints)."""

from __future__ import annotations

from typing import Any

import click

from kbtui.cli.errors import fail, handles_errors
from kbtui.cli.output import emit_json
from kbtui.kb import db as kbdb


@click.command()
@click.argument("ref")
@click.option("--hops", default=1, show_default=True, type=int, help="1, or 2 for the neighbours' neighbours.")
@click.option("--limit", default=50, show_default=True, type=int, help="Neighbours listed (1-1000).")
@click.option("--offset", default=0, show_default=True, type=int, help="Skip this many (the next page).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the scripting contract).")
@click.pass_context
@handles_errors
def neighbours(ctx: click.Context, ref: str, hops: int, limit: int, offset: int, as_json: bool) -> None:
    """What an entity is linked to by claims (roles, relations, events and
    their places): counted by link and by kind, then listed, the most linked
    first. With --hops 2, also what those are linked to, each with the
    neighbours it is reached through (--json names each link's claim;
    `kbtui path` finds longer chains, with their evidence).

    \b
    Examples:
      kbtui neighbours nikolai-patrushev
      kbtui neighbours "Nikolai Patrushev" --hops 2
      kbtui neighbours fsb --limit 20 --offset 20 --json
    """
    from kbtui.kb import neighbours as kbneighbours
    from kbtui.kb import queries

    conn = kbdb.connect_readonly(ctx.obj["db"], snapshot=True)
    ctx.call_on_close(conn.close)
    entity_id = queries.resolve(conn, ref)
    try:
        reached = kbneighbours.reach(conn, entity_id, hops)
        listed = kbneighbours.page(conn, entity_id, hops, limit, offset, reached)
        counted = kbneighbours.counts(conn, entity_id, hops, reached)
    except kbneighbours.Refused as exc:
        fail(str(exc), "see kbtui neighbours --help", 2)
    if as_json:
        emit_json(listed | {"counts": counted})
        return
    _print(listed, counted)


def _print(listed: dict[str, Any], counted: dict[str, Any]) -> None:
    from rich.text import Text

    from kbtui.cli.layout import prose, token
    from kbtui.cli.render import T, console
    from kbtui.cli.tables import Listing

    name = listed["entity"]["name"]
    if not listed["total"]:
        console.print(Text(f"{name} is linked to nothing by a claim", style="dim"))
        return
    hops = "" if listed["hops"] == 1 else f" within {listed['hops']} hops"
    console.print(Text(f"{name}: {counted['total']:,} neighbours{hops}", style="bold"))
    links = ", ".join(f"{n:,} {what}" for what, n in counted["links"].items())
    kinds = ", ".join(f"{n:,} {kind}" for kind, n in counted["kinds"].items())
    console.print(Text(f"  by link{' (first hop)' if listed['hops'] == 2 else ''}: {links}", style="dim"))
    console.print(Text(f"  by kind: {kinds}", style="dim"))
    table = Listing(token("hop"), prose("neighbour"), token("kind"), prose("linked by"))
    for row in listed["neighbours"]:
        table.add_row(T(str(row["hop"])), T(row["entity"]["name"]), T(row["entity"]["kind"]), _links(row, T))
    console.print(table)
    shown_to = listed["offset"] + len(listed["neighbours"])
    if shown_to < listed["total"]:
        console.print(Text(f"… {listed['total'] - shown_to:,} more: --offset {shown_to}", style="dim"))


def _links(row: dict[str, Any], T: Any) -> Any:
    out = T("")
    for n, link in enumerate(row["links"]):
        if n:
            out.append("; ")
        if "through" in link:
            out.append(f"via {link['through']['name']} ")
            out.append(f"({link['reads']})", style="dim")
        else:
            label = link["claim"]["label"]
            out.append(link["reads"] + (f" ({label})" if label and link["claim"]["kind"] == "role" else ""))
    more = row["link_count"] - len(row["links"])
    if more > 0:
        out.append(f"; … {more:,} more", style="dim")
    return out
