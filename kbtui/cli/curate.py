"""Curation commands: `kbtui new`, `kbtui add …`, `kbtui rm`, `kbtui edit`,
`kbtui log`. Each parses its options and calls kbtui.kb.curate, which
writes the bundle and the KB together; here only words and JSON."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from kbtui.cli.errors import fail, handles_errors
from kbtui.cli.output import emit_json
from kbtui.cli.target import writable_target
from kbtui.kb.vocab import (
    ALIAS_KINDS,
    CERTAINTIES,
    ENTITY_KINDS,
    EVENT_TYPES,
    MODES,
    RELATION_TYPES,
    ROLE_STATUSES,
    STANCES,
)
from kbtui.safetext import visible

json_option = click.option("--json", "as_json", is_flag=True, help="Print what was done as JSON.")
bundle_option = click.option(
    "--bundle",
    "bundle",
    type=click.Path(path_type=Path, file_okay=False),
    required=True,
    help="The bundle folder to write (made with `kbtui new`).",
)
home_option = click.option(
    "--bundle",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="The bundle folder (default: where the KB says it was imported from).",
)
input_option = click.option(
    "--input", "input_id", default=None, help="The bundle's input id (default: its folder's name)."
)


def _report(change: Any, as_json: bool) -> None:
    if as_json:
        emit_json(change.as_dict())
        return
    where = visible(change.bundle)
    if change.action == "new":
        click.echo(f"created bundle {where} (input `{visible(change.id)}`)", err=True)
    else:
        verb = {"add": "added", "rm": "removed", "edit": "changed"}[change.action]
        click.echo(f"{verb} {change.table} `{visible(change.id)}` in bundle {where}", err=True)
    for c in change.citations:
        quote = c["quote"] if len(c["quote"]) <= 70 else c["quote"][:69] + "…"
        click.echo(
            f"  cites {visible(c['source_id'])} {c['start']}-{c['end']} ({c['anchor']}): {visible(quote)!r}", err=True
        )
    for s in change.similar:
        click.echo(f"  note: similar name already in the KB: {visible(s['name'])} ({visible(s['id'])})", err=True)


# -- new ----------------------------------------------------------------------
@click.command()
@click.argument("bundle", type=click.Path(path_type=Path, file_okay=False))
@input_option
@json_option
@click.pass_context
@handles_errors
def new(ctx: click.Context, bundle: Path, input_id: str | None, as_json: bool) -> None:
    """Create an empty bundle BUNDLE (a folder) and register it in the KB.

    \b
    Examples:
      kbtui --db my.db new research/chen-2024
      kbtui --db my.db new research/chen-2024 --json
    """
    from kbtui.kb import curate

    _report(curate.new_bundle(bundle, writable_target(ctx), input_id), as_json)


# -- add ----------------------------------------------------------------------
@click.group()
def add() -> None:
    """Add a source, an entity or a cited claim to a bundle and the KB.

    \b
    Examples:
      kbtui --db my.db add source article.html --bundle research/chen-2024
      kbtui --db my.db add entity --bundle research/chen-2024 --kind person --name "Chen Wenqing"
      kbtui --db my.db add role --bundle research/chen-2024 --holder chen-wenqing --title Head \\
          --organisation central-political-and-legal-affairs-commission \\
          --source example-news-chen --quote "Chen leads the party’s central political and legal affairs commission"
    """


@add.command(name="source")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@bundle_option
@click.option("--id", "source_id", default=None, help="The source's id (default: from its title).")
@click.option("--title", default=None, help="Default: the page's title, else the file name.")
@click.option("--outlet", default=None, help="Who published it (default: the page's site name).")
@click.option("--author", default=None)
@click.option("--published", default=None, help="Publication date, ISO (2024-05-03, 2024-05, 2024).")
@click.option("--url", default=None, help="Where it was retrieved from (default: the page's canonical URL).")
@click.option("--archive-url", default=None, help="An archived copy (web.archive.org, archive.today).")
@click.option("--retrieved", default=None, help="When it was retrieved, UTC (default: now), e.g. 2024-05-03T10:00:00Z.")
@click.option("--note", default=None)
@click.option(
    "--confidential",
    is_flag=True,
    help="Never to be made public: `kbtui export --redact` cites it only as a confidential source.",
)
@input_option
@json_option
@click.pass_context
@handles_errors
def add_source(
    ctx: click.Context,
    /,
    file: Path,
    bundle: Path,
    source_id: str | None,
    input_id: str | None,
    confidential: bool,
    as_json: bool,
    **fields: Any,
) -> None:
    """Add FILE to the bundle as a source claims can cite.

    Plain text is stored as it is. A web page (.html) is stored as its main
    text, extracted without menus, adverts or scripts: that text is what is
    shown and cited, and the page itself is kept beside it. The file's
    sha256 as captured, when it was retrieved, its URL and an archive link
    are recorded with it.

    \b
    Examples:
      kbtui --db my.db add source article.html --bundle research/chen-2024
      kbtui --db my.db add source notes.txt --bundle research/chen-2024 \\
          --title "Interview notes" --author "J. Doe" --published 2024-05-03
      kbtui --db my.db add source page.html --bundle b --url https://example.org/a \\
          --archive-url https://web.archive.org/web/2024/https://example.org/a --json
      kbtui --db my.db add source memo.txt --bundle b --title "Informant memo" --confidential
    """
    from kbtui.kb import curate

    change = curate.add_source(bundle, writable_target(ctx), file, fields, source_id, input_id, confidential)
    _report(change, as_json)
    if not as_json:
        rec = change.record
        captured = f"{visible(rec['capture_file'])} sha256 {rec['capture_sha256'][:12]}…"
        click.echo(f"  text {visible(rec['file'])}; captured {captured}", err=True)


@add.command(name="version")
@click.argument("source_id")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@home_option
@click.option("--url", default=None, help="Where the new text was retrieved from.")
@click.option("--archive-url", default=None, help="An archived copy of the new text.")
@click.option("--retrieved", default=None, help="When it was retrieved, UTC (default: now).")
@json_option
@click.pass_context
@handles_errors
def add_version(
    ctx: click.Context, /, source_id: str, file: Path, bundle: Path | None, as_json: bool, **fields: Any
) -> None:
    """Give source SOURCE_ID a new text (FILE: text or a web page), keeping
    the old one, and re-anchor every citation of it.

    A quote found as it was keeps its words. One whose passage changed a
    little moves to it and is marked for review; one not found stays in
    the old version, orphaned. `kbtui check` lists both; the old text and
    its highlights stay viewable.

    \b
    Examples:
      kbtui --db my.db add version example-news-chen article-updated.html
      kbtui --db my.db add version notes notes-v2.txt --bundle research/chen-2024 --json
    """
    from kbtui.kb.versions import add_version as run

    change = run(writable_target(ctx), source_id, file, fields, bundle)
    if as_json:
        emit_json(change.as_dict())
        return
    rec = change.record
    click.echo(
        f"source `{visible(source_id)}` is now version {rec['version']} in bundle {visible(change.bundle)}:"
        f" {rec['exact']} citation(s) found as they were, {len(rec['moved'])} moved, {len(rec['orphaned'])} orphaned",
        err=True,
    )
    for m in rec["moved"]:
        click.echo(f"  moved ({visible(m['in'])}): {visible(m['quote'])!r} -> {visible(m['now'])!r}", err=True)
    for o in rec["orphaned"]:
        click.echo(f"  orphaned ({visible(o['in'])}): {visible(o['quote'])!r}", err=True)
    if rec["moved"] or rec["orphaned"]:
        click.echo("  review them: kbtui check lists what needs a human", err=True)


@add.command(name="entity")
@bundle_option
@click.option("--kind", type=click.Choice([k for k in ENTITY_KINDS if k != "event"]), required=True)
@click.option("--name", required=True, help="The name as sources write it.")
@click.option("--id", "entity_id", default=None, help="Default: from the name (chen-wenqing).")
@click.option("--summary", default="")
@click.option("--alias", "aliases", multiple=True, help="Another name (repeatable).")
@click.option("--distinct", is_flag=True, help="Add it though the KB has one of that kind and name.")
@input_option
@json_option
@click.pass_context
@handles_errors
def add_entity(
    ctx: click.Context,
    /,
    bundle: Path,
    kind: str,
    name: str,
    entity_id: str | None,
    summary: str,
    aliases: tuple[str, ...],
    distinct: bool,
    input_id: str | None,
    as_json: bool,
) -> None:
    """Add an entity (person, organisation, country, place, …) to a bundle.

    Claims in any bundle may then name it by its id. Names already in the
    KB that look the same are listed; one of the same kind and exactly the
    same name is refused (pass --distinct if it is another of that name).

    \b
    Examples:
      kbtui --db my.db add entity --bundle b --kind person --name "Chen Wenqing" --alias "Chen"
      kbtui --db my.db add entity --bundle b --kind organisation --name "Security Council of Russia" \\
          --id russian-security-council --json
    """
    from kbtui.kb import curate

    change = curate.add_entity(
        bundle, writable_target(ctx), kind, name, entity_id, summary, aliases, input_id, distinct
    )
    _report(change, as_json)


@add.command(name="alias")
@click.argument("entity_id")
@click.argument("name")
@bundle_option
@click.option("--kind", type=click.Choice(ALIAS_KINDS), default="alias", show_default=True)
@click.option("--as-of", default=None, help="When the name was used (a descriptor: when it was true).")
@click.option("--source", "source_id", default=None, help="A source of this bundle that uses the name.")
@click.option("--quote", "quotes", multiple=True, help="The source's exact words (with --source; repeatable).")
@input_option
@json_option
@click.pass_context
@handles_errors
def add_alias(
    ctx: click.Context,
    /,
    entity_id: str,
    name: str,
    bundle: Path,
    kind: str,
    as_of: str | None,
    source_id: str | None,
    quotes: tuple[str, ...],
    input_id: str | None,
    as_json: bool,
) -> None:
    """Give entity ENTITY_ID another name, NAME: searchable at once, and
    marked where texts use it. Cite the source that uses it with --source
    and --quote (a descriptor such as "Xi's security chief" should be).

    \b
    Examples:
      kbtui --db my.db add alias chen-wenqing "Chen Wen-ching" --bundle b --kind transliteration
      kbtui --db my.db add alias chen-wenqing "Xi’s security chief" --bundle b --kind descriptor \\
          --as-of 2024-05-03 --source nr-article --quote "Chen Wenqing, Xi’s security chief"
    """
    from kbtui.kb import curate

    if bool(source_id) != bool(quotes):
        fail("--source and --quote go together", "give both to cite the name, or neither", 2)
    cites = [{"source": source_id, "quote": q} for q in quotes] if source_id else []
    change = curate.add_alias(bundle, writable_target(ctx), entity_id, name, kind, as_of, cites, input_id)
    _report(change, as_json)


def cite_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The options every claim takes: its quotes and what they are."""
    for option in reversed(
        [
            click.option("--source", "source_id", required=True, help="The id of a source of this bundle."),
            click.option(
                "--quote", "quotes", multiple=True, required=True, help="The source's exact words (repeatable)."
            ),
            click.option("--prefix", default="", help="Words just before the quote, to pick one of several."),
            click.option("--suffix", default="", help="Words just after the quote."),
            click.option("--as-of", default="", help="The date the quote speaks of (default: the source's)."),
            click.option("--as-of-note", default="", help="Why the quote cannot be dated."),
            click.option("--stance", type=click.Choice(STANCES), default=None),
            click.option("--certainty", type=click.Choice(CERTAINTIES), default=None),
            click.option("--mode", type=click.Choice(MODES), default=None),
            click.option("--speaker", default="", help="Who says it, when not the writer: an entity id or words."),
            click.option("--id", "claim_id", default=None, help="The claim's id (default: from its fields)."),
            click.option("--note", default="", help="A note for other curators."),
            click.option("--disputed", default="", help="Why the claim is disputed, if it is."),
            bundle_option,
            input_option,
            json_option,
        ]
    ):
        fn = option(fn)
    return fn


def _cites(o: dict[str, Any]) -> list[dict[str, str]]:
    base = {
        k: o[k]
        for k in ("prefix", "suffix", "as_of", "as_of_note", "stance", "certainty", "mode", "speaker")
        if o.get(k)
    }
    return [{"source": o["source_id"], "quote": q, **base} for q in o["quotes"]]


def _add_claim(ctx: click.Context, table: str, o: dict[str, Any], fields: dict[str, Any]) -> None:
    from kbtui.kb import curate

    fields = {**fields, "note": o["note"], "disputed": o["disputed"]}
    change = curate.add_claim(o["bundle"], writable_target(ctx), table, fields, _cites(o), o["claim_id"], o["input_id"])
    _report(change, o["as_json"])


@add.command(name="role")
@click.option("--holder", required=True, help="Entity id of who holds it.")
@click.option("--title", required=True, help="The position, as the source names it.")
@click.option("--organisation", default=None, help="Entity id of the organisation.")
@click.option("--start", default=None, help="ISO date.")
@click.option("--end", default=None, help="ISO date.")
@click.option("--status", type=click.Choice(ROLE_STATUSES), default=None)
@cite_options
@click.pass_context
@handles_errors
def add_role(
    ctx: click.Context,
    /,
    holder: str,
    title: str,
    organisation: str | None,
    start: str | None,
    end: str | None,
    status: str | None,
    **o: Any,
) -> None:
    """Add a role (who holds which position where), citing a source.

    \b
    Examples:
      kbtui --db my.db add role --bundle b --holder chen-wenqing --title Head \\
          --organisation central-political-and-legal-affairs-commission --status current \\
          --source example-news-chen --quote "Chen leads the party’s central political and legal affairs commission"
    """
    fields = {
        "holder": holder,
        "title": title,
        "organisation": organisation,
        "start": start,
        "end": end,
        "status": status,
    }
    _add_claim(ctx, "role", o, fields)


@add.command(name="relation")
@click.option("--type", "type_", type=click.Choice(RELATION_TYPES), required=True)
@click.option("--subject", required=True, help="Entity id.")
@click.option("--object", "object_", required=True, help="Entity id.")
@click.option("--start", default=None)
@click.option("--end", default=None)
@click.option("--label", default=None, help="The relation in the source's words.")
@cite_options
@click.pass_context
@handles_errors
def add_relation(
    ctx: click.Context,
    /,
    type_: str,
    subject: str,
    object_: str,
    start: str | None,
    end: str | None,
    label: str | None,
    **o: Any,
) -> None:
    """Add a relation between two entities, citing a source.

    \b
    Examples:
      kbtui --db my.db add relation --bundle b --type met --subject chen-wenqing \\
          --object nikolai-patrushev --source example-news-chen \\
          --quote "met Nikolai Patrushev in Moscow on Monday"
    """
    fields = {"type": type_, "subject": subject, "object": object_, "start": start, "end": end, "label": label}
    _add_claim(ctx, "relation", o, fields)


@add.command(name="event")
@click.option("--name", "event_name", required=True)
@click.option("--type", "type_", type=click.Choice(EVENT_TYPES), default=None)
@click.option("--start", default=None)
@click.option("--end", default=None)
@click.option("--place", default=None, help="Entity id of the place.")
@click.option("--participant", "participants", multiple=True, help="Entity id of one who took part (repeatable).")
@click.option("--summary", default=None)
@cite_options
@click.pass_context
@handles_errors
def add_event(
    ctx: click.Context,
    /,
    event_name: str,
    type_: str | None,
    start: str | None,
    end: str | None,
    place: str | None,
    participants: tuple[str, ...],
    summary: str | None,
    **o: Any,
) -> None:
    """Add an event (a meeting, visit, speech…) and who took part, citing a source.

    \b
    Examples:
      kbtui --db my.db add event --bundle b --name "Chen–Patrushev meeting, Moscow" --type meeting \\
          --place moscow --participant chen-wenqing --participant nikolai-patrushev \\
          --source example-news-chen --quote "met Nikolai Patrushev in Moscow on Monday"
    """
    fields = {
        "name": event_name,
        "type": type_,
        "start": start,
        "end": end,
        "place": place,
        "summary": summary,
        "participants": [{"entity": p} for p in participants],
    }
    _add_claim(ctx, "event", o, fields)


@add.command(name="property")
@click.option("--entity", required=True, help="Entity id.")
@click.option("--property", "prop", required=True, help="birth-date, nationality, identifier, … (README).")
@click.option("--value", required=True)
@click.option("--qualifier", default=None, help="A name's language, an identifier's scheme.")
@cite_options
@click.pass_context
@handles_errors
def add_property(ctx: click.Context, /, entity: str, prop: str, value: str, qualifier: str | None, **o: Any) -> None:
    """Add a property of an entity (a date of birth, a nationality, an
    identifier, a name in another language), citing a source.

    \b
    Examples:
      kbtui --db my.db add property --bundle b --entity chen-wenqing --property birth-date \\
          --value 1960-01 --source profile --quote "born in January 1960"
    """
    _add_claim(ctx, "property", o, {"entity": entity, "property": prop, "value": value, "qualifier": qualifier})


# -- rm, edit -----------------------------------------------------------------
@click.command()
@click.argument("claim_id")
@home_option
@json_option
@click.pass_context
@handles_errors
def rm(ctx: click.Context, claim_id: str, bundle: Path | None, as_json: bool) -> None:
    """Remove claim CLAIM_ID from its bundle and the KB (with its citations).

    \b
    Examples:
      kbtui --db my.db rm chen-wenqing-head-central-political-and-legal-affairs-commission
      kbtui --db my.db rm some-claim --bundle research/chen-2024 --json
    """
    from kbtui.kb import curate

    _report(curate.remove(writable_target(ctx), claim_id, bundle), as_json)


@click.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("claim_id")
@home_option
@json_option
@click.pass_context
@handles_errors
def edit(ctx: click.Context, claim_id: str, bundle: Path | None, as_json: bool) -> None:
    """Change fields of claim CLAIM_ID: --FIELD VALUE for each (an empty
    VALUE removes the field). The claim is checked again as a whole.

    CLAIM_ID may also be an entity the bundle defines: its name and summary.

    \b
    Fields: entity: name summary;
    role: holder organisation title start end status note disputed;
    relation: type subject object start end label note disputed;
    event: name type summary start end place note disputed;
    property: value qualifier note disputed.

    \b
    Examples:
      kbtui --db my.db edit chen-wenqing-head-some-commission --start 2022-10 --status current
      kbtui --db my.db edit some-claim --disputed "" --json
    """
    from kbtui.kb import curate

    changes = _pairs(ctx.args)
    _report(curate.edit(writable_target(ctx), claim_id, changes, bundle), as_json)


def _pairs(args: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    i = 0
    while i < len(args):
        arg = args[i]
        if not arg.startswith("--") or len(arg) < 3:
            fail(f"unexpected argument {arg!r}", "give fields as --FIELD VALUE (see kbtui edit --help)", 2)
        key, eq, value = arg[2:].partition("=")
        if not eq:
            if i + 1 >= len(args):
                fail(f"--{key} needs a value", 'give --FIELD VALUE; an empty value ("") removes the field', 2)
            value = args[i + 1]
            i += 1
        out[key.replace("-", "_")] = value
        i += 1
    return out


# -- log ----------------------------------------------------------------------
@click.command()
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 1_000_000))
@click.option("--input", "input_id", default=None, help="Only this bundle's changes.")
@click.option("--diff", "with_diff", is_flag=True, help="Show each change's diff.")
@json_option
@click.pass_context
@handles_errors
def log(ctx: click.Context, limit: int, input_id: str | None, with_diff: bool, as_json: bool) -> None:
    """The curation log, newest first: who changed what, when, in which file.

    \b
    Examples:
      kbtui --db my.db log
      kbtui --db my.db log --input chen-2024 --diff
      kbtui --db my.db log --json --limit 500
    """
    from kbtui.kb import db as kbdb
    from kbtui.kb.session import log_entries

    conn = kbdb.connect_readonly(ctx.find_root().obj["db"], snapshot=True)
    try:
        entries = log_entries(conn, limit, input_id)
    finally:
        conn.close()
    if as_json:
        emit_json(entries)
        return
    if not entries:
        click.echo("no curation changes logged", err=True)
    for e in entries:
        where = f"{visible(e['input_id'] or '')}/{visible(e['file'])}"
        click.echo(f"{e['at']}  {visible(e['user'])}  {e['action']:<5} {visible(e['target'])}  ({where})")
        if with_diff and e["diff"]:
            click.echo("".join(f"    {visible(line)}\n" for line in e["diff"].splitlines()), nl=False)


COMMANDS = (new, add, rm, edit, log)


# -- curate mode ----------------------------------------------------------------
@click.command()
@click.argument("bundle", type=click.Path(path_type=Path, file_okay=False))
@click.option("--db", "db", type=click.Path(path_type=Path, dir_okay=False), help="The KB (as kbtui --db).")
@click.pass_context
@handles_errors
def curate_mode(ctx: click.Context, /, bundle: Path, db: Path | None) -> None:
    """Open the explorer in curate mode on BUNDLE. In a source (F2, then
    Enter): select a passage (v, then → and shift+→; or drag), `c` makes a
    claim citing it, `a` makes a selected name an entity (g visits the
    names the KB does not know). F6 judges candidate duplicates one pair
    at a time. Ctrl+Z takes back the last change. Every change is written
    to the bundle and the KB together, and logged. The plain explorer
    never writes.

    \b
    Example:
      kbtui curate research --db my.db
    """
    import sys

    from kbtui.kb import db as kbdb

    if db is not None:
        root = ctx.find_root()
        root.obj["db"], root.obj["db_named"] = db, True
    target = writable_target(ctx)
    if not (bundle / "kb.toml").is_file():
        fail(f"{bundle}: not a bundle (no kb.toml)", f"create one with `kbtui new {bundle}`", 2)
    kbdb.connect_readonly(target).close()
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        fail(
            "kbtui curate needs a terminal",
            "run it in a terminal; from scripts, curate with `kbtui add` and `kbtui dedupe judge`",
            2,
        )
    from kbtui.tui.app import create_app

    app = create_app(target, bundle=bundle)
    app.run()
    if app.return_code:
        sys.exit(app.return_code)
