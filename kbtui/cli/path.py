"""`kbtui path A B`: the shortest evidence paths between two entities, then
longer ones when they are too few (the search and the ranking are
kbtui.kb.paths_between's; this parses, resolves the two REFs as every
command does, and prints)."""

from __future__ import annotations

import click

from kbtui.cli.errors import fail, handles_errors
from kbtui.cli.output import emit_json
from kbtui.kb import db as kbdb
from kbtui.kb.vocab import is_iso_prefix


@click.command()
@click.argument("a")
@click.argument("b")
@click.option(
    "--max-hops",
    "max_hops",
    type=int,
    default=4,
    show_default=True,
    help="Longest path to look for (at most 6).",
)
@click.option(
    "--via",
    help="Only these kinds or types of claim, comma-separated: role, relation, participation, place, "
    "a relation type (part-of, family-of, …), an event type (meeting, visit, …).",
)
@click.option("--as-of", "as_of", help="Only claims that held at this ISO date (2024, 2024-04-20).")
@click.option(
    "--limit",
    default=5,
    show_default=True,
    type=click.IntRange(1, 50),
    help="Paths to list (longer ones fill up what the shortest leave).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the scripting contract).")
@click.pass_context
@handles_errors
def path(
    ctx: click.Context, a: str, b: str, max_hops: int, via: str | None, as_of: str | None, limit: int, as_json: bool
) -> None:
    """The shortest evidence paths between entities A and B: through roles
    (holder ↔ organisation), relations, shared events (A took part in an
    event B took part in: two hops) and events' places.

    The shortest paths first; when they are fewer than --limit, the list
    goes on with longer ones (no entity twice, at most --max-hops), after a
    line "longer alternatives". Fewer hops first, then fewer disputed hops,
    then the most independent sources for its weakest hop (a repost and its
    original count once), then for all hops. Each hop gives its
    claim, its dates and its best citation (`kbtui cite ID` shows it in its
    paragraph). With --as-of, a role or relation counts where `kbtui roles
    --as-of` says "held", an event once it has begun.

    \b
    Examples:
      kbtui path chen-wenqing nikolai-patrushev
      kbtui path "Federal Security Service" "Ministry of State Security" --json
      kbtui path chen-wenqing wang-yi --via role,relation --max-hops 5
      kbtui path chen-wenqing nikolai-patrushev --via meeting --as-of 2024-06
    """
    from kbtui.kb import dates, queries
    from kbtui.kb.paths_between import MAX_HOPS, find_paths, parse_via

    if not 1 <= max_hops <= MAX_HOPS:
        fail(f"--max-hops {max_hops} is out of range", f"use 1 to {MAX_HOPS} (paths grow with every hop)", 2)
    if as_of and not is_iso_prefix(as_of):
        fail(f"--as-of {as_of!r} is not an ISO date", "use YYYY, YYYY-MM or YYYY-MM-DD", 2)
    if as_of and (wrong := dates.problem(as_of)):
        fail(f"--as-of {wrong}", "use a real date: YYYY, YYYY-MM or YYYY-MM-DD", 2)
    from kbtui.kb.paths_between import PathError

    try:
        chosen = parse_via(via)
    except PathError as exc:
        fail(exc.message, exc.hint, 2)
    conn = kbdb.connect_readonly(ctx.obj["db"], snapshot=True)
    ctx.call_on_close(conn.close)
    start = queries.resolve(conn, a)
    goal = queries.resolve(conn, b)
    if start == goal:
        fail(f"{a!r} and {b!r} are the same entity ({start})", "name two different entities", 2)
    found = find_paths(conn, start, goal, max_hops=max_hops, via=chosen, as_of=as_of, limit=limit)
    if as_json:
        emit_json(found)
    else:
        from kbtui.cli.path_render import paths

        paths(found)
