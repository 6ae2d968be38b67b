"""The `kbtui` command line: parse, call kbtui.kb, render. Nothing else.

Data goes to stdout, messages to stderr. Exit codes: 0 ok; 1 a failed
query, check or lookup; 2 bad usage or an unusable database. Rich and
Textual are imported only when a command needs them, so `--json` one-shots
stay fast and scripts never pay for the TUI.
"""

from __future__ import annotations

import math
import sqlite3
import sys
from pathlib import Path
from types import ModuleType

import click

from kbtui import __version__
from kbtui.cli.errors import fail, handles_errors
from kbtui.cli.lazy import LazyGroup
from kbtui.cli.output import RowFormat, emit_json, emit_rows
from kbtui.cli.target import writable_target
from kbtui.kb import db as kbdb
from kbtui.kb.paths import default_db_path
from kbtui.kb.vocab import ENTITY_KINDS, is_iso_prefix
from kbtui.safetext import visible

# SQLite's INTEGER range: a larger number from the command line would raise
# OverflowError deep in a query instead of a usage error
SQLITE_INT = click.IntRange(-(2**63), 2**63 - 1)


def _open(ctx: click.Context) -> sqlite3.Connection:
    # one snapshot for the whole command: an import committing meanwhile
    # cannot mix old and new rows into one answer. Closed with the command,
    # not whenever it is garbage-collected: an open snapshot holds off writers.
    conn = kbdb.connect_readonly(ctx.obj["db"], snapshot=True)
    ctx.call_on_close(conn.close)
    return conn


def _render() -> ModuleType:
    from kbtui.cli import render  # lazy: Rich costs ~40 ms to import

    return render


def _finite(value: float) -> float:
    if not math.isfinite(value):  # nan passes FloatRange and would disable the limit
        raise click.BadParameter(f"{value!r} is not a number of seconds")
    return value


json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON (the scripting contract).")


@click.group(
    cls=LazyGroup,
    lazy={
        "new": "kbtui.cli.curate:new",
        "add": "kbtui.cli.curate:add",
        "rm": "kbtui.cli.curate:rm",
        "edit": "kbtui.cli.curate:edit",
        "log": "kbtui.cli.curate:log",
        "match": "kbtui.cli.screening:match",
        "dedupe": "kbtui.cli.dedupe:dedupe",
        "curate": "kbtui.cli.curate:curate_mode",
        "export": "kbtui.cli.export:export",
        "publish": "kbtui.cli.publish:publish",
        "timeline": "kbtui.cli.timeline:timeline",
        "path": "kbtui.cli.path:path",
        "interlocks": "kbtui.cli.interlocks:interlocks",
        "neighbours": "kbtui.cli.neighbours:neighbours",
    },
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option(
    "--db",
    "db_path",
    type=click.Path(path_type=Path, dir_okay=True),
    envvar="KBTUI_DB",
    help="Knowledge base file (default: $KBTUI_DB, else the bundled sample).",
)
@click.version_option(__version__, prog_name="kbtui")
@click.pass_context
def main(ctx: click.Context, db_path: Path | None) -> None:
    """Explore an evidence-backed knowledge base of people, organisations,
    roles, relations and meetings, with the citation behind every claim.

    With no command, opens the interactive explorer.

    \b
    Examples:
      kbtui                              # explore the bundled sample
      kbtui search patrushv              # typos are fine
      kbtui show chen-wenqing --json
      kbtui --db my.db sql "SELECT * FROM v_roles"
    """
    ctx.ensure_object(dict)
    ctx.obj["db"] = db_path or default_db_path()
    # named by --db or $KBTUI_DB (click reads the variable into db_path):
    # only a named KB may be written; the bundled sample never is by default
    ctx.obj["db_named"] = db_path is not None
    if ctx.invoked_subcommand is None:
        ctx.invoke(tui)


@main.command()
@click.pass_context
@handles_errors
def tui(ctx: click.Context) -> None:
    """Open the interactive explorer (the default command).

    \b
    Example:
      kbtui --db my.db tui
    """
    kbdb.connect_readonly(ctx.obj["db"]).close()  # fail here, plainly, not inside the TUI
    # without a terminal on both ends the explorer would write escape
    # sequences forever (`kbtui < /dev/null`, `kbtui | less`): refuse plainly
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        which = "stdin" if not sys.stdin.isatty() else "stdout"
        fail(
            f"the explorer needs a terminal ({which} is not one)",
            "run it in a terminal, or use the one-shot commands: kbtui search/show/...",
            2,
        )
    from kbtui.tui.app import create_app

    app = create_app(ctx.obj["db"])
    app.run()
    if app.return_code:  # e.g. 2: the KB became unusable after the check above
        sys.exit(app.return_code)


@main.command()
@click.argument("query")
@click.option("--kind", type=click.Choice(ENTITY_KINDS), help="Only entities of this kind.")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 1000))
@json_option
@click.pass_context
@handles_errors
def search(ctx: click.Context, query: str, kind: str | None, limit: int, as_json: bool) -> None:
    """Find entities by name, alias, identifier or role title, best first,
    each with why it matched.

    Typos, words in any order, initials ("N. Patrushev"), surname first and
    other scripts are fine; a post ("director of national intelligence",
    "DNI") finds its holders.

    \b
    Examples:
      kbtui search patrushv
      kbtui search "Legal Affairs Commission"
      kbtui search fsb --kind organisation --json
    """
    from kbtui.kb.search import search as run_search

    conn = _open(ctx)
    hits = [h.as_json() for h in run_search(conn, query, kind=kind, limit=limit)]
    if as_json:
        emit_json(hits)
    else:
        _render().search_table(query, hits)
    if not hits:
        sys.exit(1)


@main.command()
@click.argument("words", nargs=-1, required=True)
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 1000), help="Passages to show.")
@click.option("--texts", is_flag=True, help="Only text sources (articles), not imported FtM/CSV records.")
@json_option
@click.pass_context
@handles_errors
def grep(ctx: click.Context, words: tuple[str, ...], limit: int, texts: bool, as_json: bool) -> None:
    """Passages of the stored sources that hold all the WORDS.

    Words match whole words, any case and accents; "a phrase" in quotes
    matches those words in that order; secur* matches a prefix. Each
    passage gives the source, outlet and date, and the offsets of the hit
    (open it in the explorer, or `kbtui source ID`).

    \b
    Examples:
      kbtui grep patrushev
      kbtui grep '"state security"' moscow
      kbtui grep secur* --json
    """
    from kbtui.kb.grep import BadQuery
    from kbtui.kb.grep import grep as run_grep

    conn = _open(ctx)
    try:
        result = run_grep(conn, " ".join(words), limit=limit, text_only=texts)
    except BadQuery as exc:
        fail(str(exc), 'give a word, a "phrase" or a prefix*', 2)
    if as_json:
        emit_json(
            {
                "sources": result.sources,
                "ranked": result.ranked,
                "passages": [p.as_json() for p in result.passages],
            }
        )
    else:
        _render().grep_table(" ".join(words), result)
    if not result.passages:
        sys.exit(1)


@main.command()
@click.argument("ref")
@click.option("--limit", type=click.IntRange(1, 2**63 - 1), default=None, help="Roles to list (large organisations).")
@click.option("--offset", type=click.IntRange(0, 2**63 - 1), default=0, help="Skip this many roles.")
@json_option
@click.pass_context
@handles_errors
def show(ctx: click.Context, ref: str, limit: int | None, offset: int, as_json: bool) -> None:
    """Everything about one entity: aliases, roles, relations, events, sources.

    REF is an id (chen-wenqing) or a name that resolves unambiguously.

    \b
    Examples:
      kbtui show chen-wenqing
      kbtui show "Federal Security Service" --json
      kbtui show big-org --limit 50 --offset 100
    """
    from kbtui.kb import disagreement, queries

    conn = _open(ctx)
    entity_id = queries.resolve(conn, ref)
    data = queries.show(conn, entity_id, limit=limit, offset=offset)
    data["disagreement"] = disagreement.count(conn, data["id"])
    if entity_id != ref and queries.redirected(conn, ref) == entity_id:
        data["merged_from"] = ref  # an old id: say where it went
    if as_json:
        emit_json(data)
    else:
        _render().entity(data)


@main.command()
@click.option("--holder", help="Person (id or name).")
@click.option("--organisation", "--org", "organisation", help="Organisation (id or name).")
@click.option(
    "--as-of",
    "as_of",
    help="Each role's state at this ISO date (2024, 2024-04-20): held, last attested, ended, …",
)
@json_option
@click.pass_context
@handles_errors
def roles(ctx: click.Context, holder: str | None, organisation: str | None, as_of: str | None, as_json: bool) -> None:
    """Who holds which position, with the evidence's dates.

    A role is dated by its start and end when the sources give them, and
    otherwise by its evidence: held from its first to its last attestation.
    With --as-of, every role says where it stands at that date: held,
    disputed, last attested (and how long before), ended, not yet attested,
    or undated.

    \b
    Examples:
      kbtui roles --holder "Chen Wenqing"
      kbtui roles --organisation "Central Political and Legal Affairs Commission" --json
      kbtui roles --as-of 2024-05
    """
    from kbtui.kb import dates, queries

    if as_of and not is_iso_prefix(as_of):
        fail(f"--as-of {as_of!r} is not an ISO date", "use YYYY, YYYY-MM or YYYY-MM-DD", 2)
    if as_of and (wrong := dates.problem(as_of)):
        fail(f"--as-of {wrong}", "use a real date: YYYY, YYYY-MM or YYYY-MM-DD", 2)
    conn = _open(ctx)
    rows = queries.roles(
        conn,
        holder=queries.resolve(conn, holder) if holder else None,
        organisation=queries.resolve(conn, organisation) if organisation else None,
        as_of=as_of,
    )
    if as_json:
        emit_json(rows)
    else:
        _render().roles_table(rows)


@main.command()
@click.argument("ref", required=False)
@json_option
@click.pass_context
@handles_errors
def conflicts(ctx: click.Context, ref: str | None, as_json: bool) -> None:
    """Conflicting claims (both sides with their quotes), the sources' own
    errors (errata), and every claim marked disputed or contradicted.

    With REF (an id or a name), only those about that entity, each as two
    columns side by side: a conflict's two claims, a disputed claim's quotes
    for and against it, an erratum's words and what is right.

    \b
    Examples:
      kbtui conflicts
      kbtui conflicts xi-jinping
      kbtui conflicts --json
    """
    from kbtui.kb import queries

    conn = _open(ctx)
    if ref is not None:
        from kbtui.kb import disagreement

        about = disagreement.of_entity(conn, queries.resolve(conn, ref))
        if as_json:
            emit_json(about)
        else:
            from kbtui.cli.disagreement_render import entity_disagreements

            entity_disagreements(about, disagreement.side_by_side(about))
        return
    found = queries.conflicts(conn)
    errata = queries.errata(conn)
    disputed = queries.disputed_claims(conn)
    if as_json:
        emit_json(
            {
                "conflicts": found,
                "errata": errata,
                "disputed": [{"claim_id": c, "claim": s, "why": w} for c, s, w in disputed],
            }
        )
    else:
        _render().conflicts(found, errata, disputed)


@main.command()
@click.argument("citation_id", type=SQLITE_INT)
@json_option
@click.pass_context
@handles_errors
def cite(ctx: click.Context, citation_id: int, as_json: bool) -> None:
    """Show one citation: the quote highlighted in its paragraph.

    \b
    Examples:
      kbtui cite 1
      kbtui cite 1 --json
    """
    from kbtui.kb import queries

    conn = _open(ctx)
    data = queries.citation(conn, citation_id)
    data["claim"] = queries.claim_summary(conn, data["claim_id"])
    if as_json:
        emit_json({k: v for k, v in data.items() if k not in {"paragraph", "paragraph_text"}})
    else:
        _render().citation(data)
    if not data["matches"]:
        fail(f"citation {citation_id}: its span no longer matches the quote", "run `kbtui check`")


@main.command()
@click.option("--records", is_flag=True, help="Also list every imported FtM/CSV record (there may be millions).")
@json_option
@click.pass_context
@handles_errors
def sources(ctx: click.Context, records: bool, as_json: bool) -> None:
    """List the stored source texts (and, with --records, imported records).

    \b
    Examples:
      kbtui sources
      kbtui sources --records --json | jq 'map(select(.input == "sanctions")) | length'
    """
    from kbtui.kb import queries

    conn = _open(ctx)
    rows = queries.sources(conn, records)
    if as_json:
        emit_json(rows)
    else:
        _render().sources_table(rows, {} if records else queries.record_counts(conn))


@main.command()
@click.argument("ref")
@json_option
@click.pass_context
@handles_errors
def source(ctx: click.Context, ref: str, as_json: bool) -> None:
    """Print one source with its metadata and full text.

    \b
    Example:
      kbtui source rt-wang-yi-color-revolutions --json
    """
    from kbtui.kb import queries

    data = queries.source(_open(ctx), ref)
    if as_json:
        emit_json(data)
    else:
        _render().source(data)


@main.command()
@click.argument("query", required=False)
@click.option("--json", "fmt", flag_value="json", help="JSON array of objects.")
@click.option("--nl", "fmt", flag_value="nl", help="Newline-delimited JSON.")
@click.option("--csv", "fmt", flag_value="csv", help="CSV with a header row.")
@click.option("--tsv", "fmt", flag_value="tsv", help="TSV with a header row.")
@click.option("--table", "-t", "fmt", flag_value="table", default=True, help="A table (default).")
@click.option(
    "--timeout",
    type=click.FloatRange(0.001),
    default=5.0,
    show_default=True,
    callback=lambda _c, _p, v: _finite(v),
    help="Stop the query after this many seconds.",
)
@click.option(
    "--max-rows",
    type=click.IntRange(1),
    default=10_000,
    show_default=True,
    help="Stop after this many rows (says so on stderr).",
)
@click.option("--schema", is_flag=True, help="Print schema.sql (tables and views) and exit.")
@click.pass_context
@handles_errors
def sql(ctx: click.Context, query: str | None, fmt: RowFormat, timeout: float, max_rows: int, schema: bool) -> None:
    """Run read-only SQL against the KB. Nothing can write: the connection is
    read-only, and writes, ATTACH and load_extension are refused.

    \b
    Examples:
      kbtui sql "SELECT holder, title, organisation, status FROM v_roles"
      kbtui sql "SELECT * FROM v_citations WHERE outlet = 'RT'" --csv
      kbtui sql --schema
    """
    from kbtui.kb import sqlsafe

    if schema:
        from kbtui.kb.paths import schema_path

        click.echo(schema_path().read_text(encoding="utf-8"))
        return
    if not query:
        fail("missing QUERY", 'for example: kbtui sql "SELECT * FROM v_roles"', 2)
    result = sqlsafe.run(ctx.obj["db"], query, timeout=timeout, max_rows=max_rows)
    emit_rows(result.columns, result.rows, fmt)
    if result.truncated:
        click.echo(f"kbtui: stopped at {max_rows} rows (--max-rows); more rows matched", err=True)


@main.command()
@json_option
@click.pass_context
@handles_errors
def check(ctx: click.Context, as_json: bool) -> None:
    """Verify the KB: schema version, foreign keys, source hashes, every
    citation span equal to its quote, every claim cited. Exit 1 on problems.

    Citations a new source version moved or orphaned are listed to review
    (they are not problems: the exit code does not change).

    \b
    Example:
      kbtui --db my.db check
    """
    from kbtui.kb import check as kbcheck

    conn = _open(ctx)
    findings, counts = kbcheck.run(conn)
    review = kbcheck.review(conn)
    if as_json:
        emit_json(
            {
                "ok": not findings,
                "counts": counts,
                "problems": [f.as_json() for f in findings],
                "review": [f.as_json() for f in review],
            }
        )
    else:
        if review:
            _render().review_report(review)
        _render().check_report(str(ctx.obj["db"]), findings, counts)
    if findings:
        sys.exit(1)


@main.command(name="import")
@click.argument("path", type=click.Path(path_type=Path))
@click.option(
    "--db",
    "db_path",
    type=click.Path(path_type=Path),
    default=None,
    help="KB to import into (created if missing). Default: the global --db or $KBTUI_DB.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["auto", "bundle", "ftm", "csv"]),
    default="auto",
    show_default=True,
    help="What PATH is: a bundle folder, an FtM file (entities or deltas), a CSV mapping (.toml).",
)
@click.option("--input", "input_id", default=None, help="The input the rows belong to. Default: from PATH's name.")
@click.option(
    "--on-error",
    type=click.Choice(["stop", "skip"]),
    default="stop",
    show_default=True,
    help="A bad record: stop (nothing is written) or skip it (reported with its line).",
)
@click.option("--prune", is_flag=True, help="Remove this input's rows that PATH no longer has.")
@click.option("--dry-run", is_flag=True, help="Report what the import would do; write nothing.")
@json_option
@click.pass_context
@handles_errors
def import_(
    ctx: click.Context,
    path: Path,
    db_path: Path | None,
    fmt: str,
    input_id: str | None,
    on_error: str,
    prune: bool,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Import a bundle folder, a FollowTheMoney file or CSV files into a KB.

    Rows belong to an input (PATH's name, or --input): re-importing it
    replaces its rows; with --prune, its rows PATH no longer has are
    removed. A bundle is imported whole or not at all; FtM and CSV records
    that are bad stop the import (nothing written) or, with --on-error
    skip, are skipped and listed with their line.

    \b
    Examples:
      kbtui import kbtui/sample --db my.db
      kbtui import sanctions.ftm.json --db my.db
      kbtui import sanctions.delta.json --db my.db --input sanctions
      kbtui import people/mapping.toml --db my.db --on-error skip
      kbtui import kbtui/sample --db my.db --prune --dry-run
    """
    from kbtui.cli import imports
    from kbtui.cli.progress import progress

    target = db_path or writable_target(ctx)
    with progress() as advance:
        report = imports.run(path, target, fmt, input_id, on_error, prune, dry_run, advance)
    if as_json:
        emit_json(report)
    else:
        for line in imports.describe(report, visible(str(path)), visible(str(target))):
            click.echo(visible(line), err=True)


@main.command()
@click.argument("path", type=click.Path(path_type=Path))
@handles_errors
def init(path: Path) -> None:
    """Create a new, empty KB at PATH (never overwrites).

    \b
    Example:
      kbtui init my.db
    """
    from kbtui.kb.importer import init as run_init

    run_init(path)
    click.echo(f"created {visible(str(path))} (schema version {kbdb.SCHEMA_VERSION})", err=True)


@main.command()
@click.argument("path", type=click.Path(path_type=Path))
@handles_errors
def migrate(path: Path) -> None:
    """Upgrade a KB made by an older kbtui to this schema version. A backup
    copy is written next to it first; the upgrade is one transaction.

    \b
    Example:
      kbtui migrate old.db
    """
    from kbtui.kb.migrate import migrate as run_migrate

    old, new, backup = run_migrate(path)
    if backup is None:
        click.echo(f"{visible(str(path))} is already at schema version {new}; nothing to do", err=True)
    else:
        click.echo(
            f"migrated {visible(str(path))} from schema version {old} to {new} (backup: {visible(str(backup))})",
            err=True,
        )


@main.command()
@click.pass_context
@handles_errors
def reindex(ctx: click.Context) -> None:
    """Rebuild the search and full-text indexes from the data, in one
    transaction: the repair when `kbtui check` reports a damaged index.

    \b
    Example:
      kbtui --db my.db reindex
    """
    from kbtui.kb.migrate import reindex as run_reindex

    target = writable_target(ctx)
    run_reindex(target)
    click.echo(f"rebuilt the indexes of {visible(str(target))}", err=True)


if __name__ == "__main__":
    main()
