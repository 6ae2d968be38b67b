"""`kbtui dedupe`: candidate duplicate entities, scored and explained."""

from __future__ import annotations

import math
import sqlite3
import time
from typing import TYPE_CHECKING

import click

from kbtui.cli.errors import fail, handles_errors
from kbtui.cli.lazy import LazyGroup
from kbtui.cli.output import emit_json
from kbtui.kb import db as kbdb
from kbtui.kb.vocab import ENTITY_KINDS

if TYPE_CHECKING:
    from kbtui.kb.dedupe import Pair

DEFAULT_SHOWN = 50


@click.group(cls=LazyGroup, lazy={"judge": "kbtui.cli.judge:judge"}, invoke_without_command=True)
@click.option("--kind", "kinds", multiple=True, metavar="KIND", help="Only this kind (repeatable; default: all).")
@click.option("--limit", default=DEFAULT_SHOWN, show_default=True, type=int, help="Pairs to list, best first.")
@click.option("--min-score", default=None, type=float, help="Leave out pairs scoring less (0-1; default 0.5).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the scripting contract).")
@click.pass_context
@handles_errors
def dedupe(ctx: click.Context, kinds: tuple[str, ...], limit: int, min_score: float | None, as_json: bool) -> None:
    """List pairs of entities of the same kind that may be one entity
    recorded twice, best first, each with a score (0-1) and why: the
    names' relation (same name, words in another order, an edit or two
    apart, an initial, an acronym) and the evidence for and against
    (roles at the same organisation, the same identifier, birth dates,
    countries). Pairs judged not the same (`kbtui dedupe judge`) are left
    out. Nothing is written.

    \b
    Examples:
      kbtui dedupe
      kbtui dedupe --kind person --limit 20
      kbtui dedupe --min-score 0.8 --json
      kbtui --db my.db dedupe judge fsb fsb-2 not-same --bundle research
    """
    if ctx.invoked_subcommand is not None:
        return  # `kbtui dedupe judge …`: the listing's options do not apply
    from kbtui.kb.dedupe import DEFAULT_MIN_SCORE, candidates

    for kind in kinds:
        if kind not in ENTITY_KINDS:
            fail(f"--kind {kind!r} is not a kind of entity", f"use one of {', '.join(ENTITY_KINDS)}", 2)
    if limit < 1:
        fail(f"--limit {limit} lists nothing", "give a number of pairs, 1 or more", 2)
    if min_score is None:
        min_score = DEFAULT_MIN_SCORE
    if not (math.isfinite(min_score) and 0 <= min_score <= 1):
        fail(f"--min-score {min_score!r} is not a score", "give a number from 0 to 1, e.g. 0.5", 2)
    conn = kbdb.connect_readonly(ctx.obj["db"], snapshot=True)
    ctx.call_on_close(conn.close)
    started = time.perf_counter()
    judged = _not_same(conn)
    pairs = candidates(
        conn, kinds=list(dict.fromkeys(kinds)) or None, limit=limit + 1, min_score=min_score, exclude=judged
    )
    more = len(pairs) > limit
    pairs = pairs[:limit]
    if as_json:
        emit_json(
            [
                {
                    "a": {"id": p.a, "name": p.a_name},
                    "b": {"id": p.b, "name": p.b_name},
                    "kind": p.kind,
                    "score": p.score,
                    "reasons": list(p.reasons),
                }
                for p in pairs
            ]
        )
    elif pairs:
        _table(pairs)
    seconds = time.perf_counter() - started
    if not pairs:
        click.echo(f"kbtui: no candidate pairs scoring {min_score:g} or more ({seconds:.1f} s)", err=True)
        return
    tail = f"; the best {limit:,} shown (--limit for more)" if more else ""
    click.echo(f"kbtui: {len(pairs):,} candidate pairs scoring {min_score:g} or more ({seconds:.1f} s){tail}", err=True)


def _table(pairs: list[Pair]) -> None:
    """score, kind, a, its name, b, its name, why: the reasons one a line."""
    from rich.text import Text  # here: Rich costs ~40 ms, and --json never needs it

    from kbtui.cli.layout import prose, token
    from kbtui.cli.render import T, console
    from kbtui.cli.tables import Listing

    table = Listing(token("score"), token("kind"), token("a"), prose("name"), token("b"), prose("name"), prose("why"))
    for p in pairs:
        why = Text("\n").join(T(r, "dim") for r in p.reasons)
        table.add_row(
            f"{p.score:.2f}",
            T(p.kind, "cyan"),
            T(p.a, "dim"),
            T(p.a_name, "bold"),
            T(p.b, "dim"),
            T(p.b_name, "bold"),
            why,
        )
    console.print(table)


def _not_same(conn: sqlite3.Connection) -> set[tuple[str, str]]:
    """The pairs a curator judged not the same (kbtui dedupe judge): never
    proposed again. A KB from before judgements has none."""
    try:
        return {(r[0], r[1]) for r in conn.execute("SELECT a, b FROM judgements WHERE verdict = 'not-same'")}
    except sqlite3.OperationalError:
        return set()
