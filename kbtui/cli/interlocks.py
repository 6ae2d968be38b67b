"""`kbtui interlocks ORG [ORG2]`: the people who tie organisations together
(the data layer is kbtui.kb.interlocks; this parses, resolves and prints)."""

from __future__ import annotations

from typing import Any

import click

from kbtui.cli.errors import fail, handles_errors
from kbtui.cli.output import emit_json
from kbtui.kb import db as kbdb


@click.command()
@click.argument("org")
@click.argument("org2", required=False)
@click.option("--limit", default=50, show_default=True, type=int, help="Rows to show (1-1000).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the scripting contract).")
@click.pass_context
@handles_errors
def interlocks(ctx: click.Context, org: str, org2: str | None, limit: int, as_json: bool) -> None:
    """Who links two organisations: the people who hold a role in (or work
    with or for) both, each tie with its best citation. With one
    organisation: every body, outlet or state it shares people with, most
    shared first.

    \b
    Examples:
      kbtui interlocks "Central Political and Legal Affairs Commission" "Ministry of State Security"
      kbtui interlocks ministry-of-state-security
      kbtui interlocks fsb svr --json
    """
    from kbtui.kb import interlocks as kbinterlocks
    from kbtui.kb import queries

    conn = kbdb.connect_readonly(ctx.obj["db"], snapshot=True)
    ctx.call_on_close(conn.close)
    a = queries.resolve(conn, org)
    b = queries.resolve(conn, org2) if org2 is not None else None
    try:
        found = kbinterlocks.between(conn, a, b, limit) if b else kbinterlocks.shared(conn, a, limit)
    except kbinterlocks.Refused as exc:
        fail(str(exc), "see kbtui interlocks --help", 2)
    if as_json:
        emit_json(found)
    elif b:
        _between(found)
    else:
        _shared(found)


def _between(found: dict[str, Any]) -> None:
    from rich.text import Text

    from kbtui.cli.layout import prose
    from kbtui.cli.render import T, console
    from kbtui.cli.tables import Listing

    a, b = found["a"]["name"], found["b"]["name"]
    if not found["people"]:
        console.print(Text(f"no one is known to link {a} and {b}", style="dim"))
        return
    table = Listing(
        prose("person"), prose(f"in {a}"), prose(f"in {b}"), title=f"{found['count']:,} linking {a} and {b}"
    )
    for p in found["people"]:
        table.add_row(T(p["entity"]["name"]), _ties(p["ties"]["a"], T), _ties(p["ties"]["b"], T))
    console.print(table)
    if found["count"] > len(found["people"]):
        console.print(Text(f"… {found['count'] - len(found['people']):,} more (--limit)", style="dim"))


def _ties(ties: list[dict[str, Any]], T: Any) -> Any:
    """Each tie: what, its dates or status, and the citation to drill to."""
    from kbtui.kb.vocab import date_range

    out = T("")
    for n, tie in enumerate(ties):
        if n:
            out.append("; ")
        label = tie["claim"]["label"]
        out.append(label if tie["claim"]["kind"] == "role" else f"{label} (relation)")
        when = date_range(tie["start"], tie["end"]) if tie["start"] or tie["end"] else tie["status"] or ""
        if when:
            out.append(f", {when}", style="dim")
        if tie["citation"]:
            quote = tie["citation"]["quote"]
            quote = quote if len(quote) <= 60 else quote[:59] + "…"
            out.append(f" “{quote}”", style="italic")
            out.append(f" [{tie['citation']['id']}]", style="dim")
    return out


def _shared(found: dict[str, Any]) -> None:
    from rich.text import Text

    from kbtui.cli.layout import prose, token
    from kbtui.cli.render import T, console
    from kbtui.cli.tables import Listing

    name = found["organisation"]["name"]
    if not found["interlocks"]:
        console.print(Text(f"no one links {name} to another organisation", style="dim"))
        return
    table = Listing(prose("organisation"), token("kind"), token("people"), prose("who"), title=f"Interlocks of {name}")
    for row in found["interlocks"]:
        who = ", ".join(p["name"] for p in row["people"])
        if row["count"] > len(row["people"]):
            who += f", … {row['count'] - len(row['people']):,} more"
        table.add_row(T(row["organisation"]["name"]), T(row["organisation"]["kind"]), T(f"{row['count']:,}"), T(who))
    console.print(table)
    if found["count"] > len(found["interlocks"]):
        console.print(Text(f"… {found['count'] - len(found['interlocks']):,} more (--limit)", style="dim"))
    console.print(Text(f"the roles behind a row: kbtui interlocks {found['organisation']['id']} ORG2", style="dim"))
