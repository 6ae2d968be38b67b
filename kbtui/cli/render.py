"""Rich rendering for people at a terminal. JSON output never comes here.

Every piece of KB text goes through safetext and into `Text` objects, so
markup in the data (`[bold]`, `[link=…]`) is shown literally.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rich import box
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from kbtui.cli.layout import guess, prose, token, words
from kbtui.cli.output import blob_text
from kbtui.cli.tables import Listing, print_rows
from kbtui.kb.attest import describe
from kbtui.kb.disagreement import words as disagreement_words
from kbtui.kb.models import (
    Citation,
    CitationDetail,
    Conflict,
    Entity,
    Erratum,
    Role,
    SearchHit,
    SourceDetail,
    SourceSummary,
)
from kbtui.kb.vocab import date_range
from kbtui.safetext import one_line, visible

if TYPE_CHECKING:
    from kbtui.kb.check import Finding
    from kbtui.kb.grep import Result as GrepResult

console = Console(highlight=False, soft_wrap=False)
err_console = Console(stderr=True, highlight=False)


def T(value: Any, style: str = "") -> Text:
    return Text(one_line("" if value is None else str(value)), style=style)


STATUS_STYLE = {"current": "green", "former": "dim", "unknown": "yellow"}


def search_table(query: str, hits: list[SearchHit]) -> None:
    if not hits:
        err_console.print(Text(f"no match for {one_line(query, 80)!r}"))
        return
    # the name form that matched goes with the reason: a sixth column left
    # no room for a table at 80 columns (--json keeps them apart)
    table = Listing(token("score"), token("kind"), prose("name"), prose("why"), token("id"))
    for h in hits:
        why = T(h.get("reason") or "", "dim")
        matched = h.get("matched")
        if matched and matched != h["name"]:
            why = Text.assemble(T(f"“{matched}”"), " ", why)
        table.add_row(
            f"{h['score']:.0f}",
            T(h["kind"], "cyan"),
            T(h["name"], "bold"),
            why,
            T(h["id"], "dim"),
        )
    console.print(table)


def grep_table(query: str, result: GrepResult) -> None:
    """Each passage: where it is (source, outlet, date, offsets), then the
    text around the hit with the hit marked."""
    if not result.passages:
        err_console.print(Text(f"no source holds {one_line(query, 80)!r}"))
        return
    shown = len({p.source_id for p in result.passages})
    order = "best first" if result.ranked else "too many to rank: latest imported first"
    console.print(Text(f"{result.sources} source(s) hold it; passages from {shown}, {order}", style="dim"))
    for p in result.passages:
        where = Text()
        where.append(one_line(p.source_id), style="bold")
        meta = ", ".join(x for x in (p.outlet, p.published) if x)
        if meta:
            where.append(f"  {one_line(meta)}", style="cyan")
        where.append(f"  {p.start}-{p.end}", style="dim")
        if p.more:
            where.append(f"  (+{p.more} more hits)", style="dim")
        line = Text("  ")
        line.append(visible(p.before))
        line.append(visible(p.hit), style="bold reverse")
        line.append(visible(p.after))
        console.print(where)
        console.print(line)


def _cites(citations: list[Citation]) -> Text:
    return Text(" ".join(f"[{c['id']}]" for c in citations), style="dim")


def roles_table(rows: list[Role], title: str | None = None) -> None:
    console.print(_roles(rows, title) if rows else Text("no roles", style="dim"))


STATE_STYLE = {"held": "green", "disputed": "bold red", "last-attested": "yellow", "ended": "dim"}


def _roles(rows: list[Role], title: str | None = None) -> Listing:
    # evidence: a state and its dates ("as of 2024-05-03"), wrapped between words
    table = Listing(
        prose("holder"), prose("title"), prose("organisation"), words("evidence"), words("cites"), title=title
    )
    for r in rows:
        at = r.get("at")
        standing = describe(r["status"], r["attested"]["first"], r["attested"]["last"], dict(at) if at else None)
        style = STATE_STYLE.get(at["state"], "dim") if at else STATUS_STYLE.get(r["status"], "")
        status = T(standing, style)
        if r["start"] or r["end"]:
            status = T(date_range(r["start"], r["end"]) + "; ") + status
        title_cell = T(r["title"])
        if r.get("disputed"):
            title_cell.append(" (disputed)", style="bold red")
        table.add_row(
            T(r["holder"]["name"]),
            title_cell,
            T(r["organisation"]["name"] if r["organisation"] else ""),
            status,
            _cites(r["citations"]),
        )
    return table


def entity(data: Entity) -> None:
    head = Text()
    head.append(visible(data["name"]), style="bold")
    head.append(f"  {one_line(data['kind'], 20)}  ", style="cyan")
    head.append(visible(data["id"]), style="dim")
    parts: list[Any] = [head]
    if data.get("merged_from"):
        parts.append(T(f"`{data.get('merged_from')}` was merged into this entity (kbtui dedupe judge)", "yellow"))
    # (its own name cited where a source writes it is not another name)
    names = [
        a["name"]
        for a in data["alias_kinds"]
        if a["kind"] not in {"descriptor", "metonym"} and a["name"] != data["name"]
    ]
    if names:
        parts.append(T("also: " + "; ".join(names), "italic"))
    described = [
        f"{a['name']} ({a['kind']}{', as of ' + a['as_of'] if a['as_of'] else ''})"
        for a in data["alias_kinds"]
        if a["kind"] in {"descriptor", "metonym"}
    ]
    if described:
        parts.append(T("called: " + "; ".join(described), "italic dim"))
    if data["summary"]:
        parts.append(Text(visible(data["summary"])))
    trouble = data.get("disagreement")
    if trouble and any(trouble.values()):
        marker = Text(f"⚔ sources disagree: {disagreement_words(trouble)}", style="bold red")
        marker.append(f"  (kbtui conflicts {one_line(data['id'])})", style="dim")
        parts.append(marker)
    console.print(Panel(Group(*parts), box=box.ROUNDED, expand=False))
    if data.get("properties"):
        table = Listing(token("property"), prose("value"), token("sources"), words("cites"), title="Properties")
        for p in data["properties"]:
            value = T(p["value_entity"]["name"] if p["value_entity"] else p["value"])
            if p["qualifier"]:
                value.append(f" ({one_line(p['qualifier'])})", style="dim")
            table.add_row(T(p["property"], "cyan"), value, T(p["independent_sources"], "dim"), _cites(p["citations"]))
        console.print(table)
    if data["roles"]:
        shown = len(data["roles"])
        title = f"Roles ({shown} of {data['roles_total']})" if data["roles_total"] > shown else "Roles"
        console.print(_roles(data["roles"], title))
    if data["relations"]:
        table = Listing(
            prose("subject"), prose("relation"), prose("object"), words("dates"), words("cites"), title="Relations"
        )
        for r in data["relations"]:
            rel = T(r["type"], "magenta")
            if r["label"]:
                rel.append(f" ({one_line(r['label'])})", style="dim")
            if r.get("disputed"):
                rel.append(" (disputed)", style="bold red")
            table.add_row(
                T(r["subject"]["name"]),
                rel,
                T(r["object"]["name"]),
                T(date_range(r["start"], r["end"])),
                _cites(r["citations"]),
            )
        console.print(table)
    if data["events"]:
        table = Listing(
            token("date"), prose("event"), prose("place"), prose("participants"), words("cites"), title="Events"
        )
        for e in data["events"]:
            people = ", ".join(p["name"] for p in e["participants"] if p["id"] != data["id"])
            table.add_row(
                T(e["date"] or ""),
                T(e["name"], "bold"),
                T(e["place"]["name"] if e["place"] else ""),
                T(people),
                _cites(e["citations"]),
            )
        console.print(table)
    if data.get("sources"):
        table = Listing(prose("source"), prose("outlet"), token("mentions"), title="Mentioned in")
        for s in data["sources"]:
            named = T(s["title"])
            if s.get("confidential"):
                named.append(" (confidential)", style="red")
            table.add_row(named, T(s["outlet"] or ""), str(s["mentions"]))
        console.print(table)
    console.print(Text("Citation ids are in [brackets]: `kbtui cite ID` shows the quote.", style="dim"))


def citation(data: CitationDetail) -> None:
    src = data["source"]
    meta = ", ".join(x for x in (src.get("outlet"), src.get("author"), src.get("published")) if x)
    start = data["paragraph"]["start"]
    para = data["paragraph_text"]
    s, e = data["span"]
    a, b = max(s - start, 0), max(min(e - start, len(para)), 0)
    # made visible piece by piece: a stand-in (<U+202E>) is longer than the
    # character it shows, so offsets into the whole would miss the quote
    body = Text.assemble(visible(para[:a]), (visible(para[a:b]), "bold black on yellow"), visible(para[b:]))
    title = Text(f"citation {data['id']}: ", style="bold")
    title.append(visible(data["claim"]))
    console.print(title)
    console.print(T(f"{src['title']} — {meta}" if meta else src["title"], "italic"))
    console.print(evidence_line(data))
    where = f"chars {s}–{e} of {src['id']}"
    if "version" in data:
        where += f" version {data['version']}"
        console.print(
            T(
                f"orphaned: in version {data['version']} of the source, an earlier text; not found in the current one",
                "yellow",
            )
        )
    console.print(Panel(body, box=box.ROUNDED, subtitle=T(where)))


def evidence_line(c: Citation) -> Text:
    """as of, stance, certainty, mode and speaker of one citation, in words."""
    line = Text()
    if c["as_of"]:
        line.append(f"as of {one_line(c['as_of'], 20)}", style="bold")
        if c["as_of_note"]:
            line.append(f" ({one_line(c['as_of_note'], 100)})", style="dim")
    else:
        line.append("undated", style="yellow")
        line.append(f": {one_line(c['as_of_note'], 100)}", style="dim")
    # closed sets by constraint, but a crafted file may hold anything: shown safely
    stance_style = {"supports": "green", "contradicts": "bold red", "qualifies": "yellow"}.get(c["stance"], "")
    line.append(" · ")
    line.append(one_line(c["stance"], 20), style=stance_style)
    if c["certainty"] != "stated":
        line.append(f" · {one_line(c['certainty'], 20)}", style="yellow")
    if c["mode"] != "asserts":
        line.append(f" · {one_line(c['mode'], 20)} (not evidence that it is so)", style="bold yellow")
    if c["speaker"]:
        line.append(" · said by ")
        line.append(one_line(c["speaker"]["name"], 80), style="bold")
    return line


def source_date(r: SourceSummary) -> str:
    """A source's date and how it is known: '2021-03-09', '2024-05-03
    (byline)', or 'undated (2022-02…2025-06-24)' between its bounds."""
    bounds = f"{r['not_before'] or '?'}…{r['not_after'] or '?'}" if r["not_before"] or r["not_after"] else ""
    if r["published"]:
        # a date the text states needs no remark; one read off a byline or worked out does
        return r["published"] + ("" if r["date_basis"] == "stated" else f" ({r['date_basis']})")
    return "undated" + (f" ({bounds})" if bounds else "")


def sources_table(rows: list[SourceSummary], records: dict[str, int] | None = None) -> None:
    # date: "2024-05-03 (byline)", "undated (2022-02…2022-03)"; via ends in a date
    table = Listing(
        token("id"), prose("title"), prose("outlet"), prose("author"), words("date"), words("via"), token("chars")
    )
    for r in rows:
        via = f"{r['via']} ({r['via_date']})" if r.get("via") else ""
        title = T(r["title"], "bold")
        if r.get("confidential"):
            title.append(" (confidential)", style="bold red")
        table.add_row(
            T(r["id"], "dim"),
            title,
            T(r["outlet"] or "?"),
            T(r["author"] or ""),
            T(source_date(r)),
            T(via),
            str(r["length"]),
        )
    console.print(table)
    if records:
        counts = ", ".join(f"{n:,} from {what}" for what, n in records.items())
        console.print(T(f"and imported records: {counts} (list them with --records)", "dim"))


SOURCE_FIELDS = (
    "id",
    "title",
    "outlet",
    "author",
    "published",
    "date_basis",
    "not_before",
    "not_after",
    "via",
    "via_date",
    "relays",
    "origin",
    "url",
    "note",
    "format",
    "input",
    "confidential",
    "sha256",
    "length",
)


def source(data: SourceDetail) -> None:
    meta = Table.grid(padding=(0, 2))
    shown = {k: v for k, v in data.items() if k != "text"}
    for key in SOURCE_FIELDS:
        if key == "confidential":  # said only when it is, and plainly
            if shown.get(key):
                meta.add_row(Text(key, style="bold"), Text("yes: `kbtui export --redact` leaves it out", style="red"))
        elif shown.get(key) not in (None, ""):
            meta.add_row(Text(key, style="bold"), T(shown[key]))
    for key, value in sorted(data.get("meta", {}).items()):  # what an imported record said of itself
        meta.add_row(Text(key, style="bold"), T(value if isinstance(value, str) else json.dumps(value)))
    console.print(meta)
    console.print(Text(visible(data["text"])))


def conflicts(rows: list[Conflict], errata: list[Erratum], disputed: list[tuple[str, str, str]]) -> None:
    if not rows and not errata and not disputed:
        console.print(Text("no conflicts, errata or disputed claims recorded", style="dim"))
        return
    for n, c in enumerate(rows, 1):
        console.print(Text(f"conflict {n}: ", style="bold red") + T(c["note"]))
        for side in c["claims"]:
            console.print(Text.assemble("  ", T(side["summary"], "bold"), "  ", T(side["id"], "dim")))
            for cite in side["citations"]:
                quote = Text(f"    [{cite['id']}] ", style="dim") + T(f"“{one_line(cite['quote'], 160)}”", "italic")
                quote.append(f" — {one_line(cite['source']['outlet'] or cite['source']['title'], 40)}", style="dim")
                console.print(quote)
                console.print(Text("      ") + evidence_line(cite))
        console.print()
    if errata:
        # source: an outlet's name, or else the source's id, whole
        title = "Errata (the sources' own errors)"
        table = Listing(words("source"), prose("its words"), prose("says"), prose("correct"), title=title)
        for x in errata:
            table.add_row(
                T(x["source"]["outlet"] or x["source"]["id"]),
                T(f"“{x['quote']}”", "italic"),
                T(x["says"]),
                T(x["correct"]),
            )
        console.print(table)
    if disputed:
        table = Listing(prose("claim"), token("id"), prose("why disputed"), title="Disputed or contradicted claims")
        for claim_id, summary, why in disputed:
            table.add_row(T(summary, "bold"), T(claim_id, "dim"), T(why))
        console.print(table)


def check_report(db: str, findings: list[Finding], counts: dict[str, int]) -> None:
    checked = ", ".join(f"{v} {k}" for k, v in counts.items())
    if not findings:
        console.print(Text(f"ok: {one_line(db)} ({checked})", style="green"))
        return
    table = Listing(token("check"), words("where"), prose("problem"), title=f"{len(findings)} problem(s) in {db}")
    for f in findings:
        table.add_row(T(f.check, "red"), T(f.where), T(f.message))
    console.print(table)


def review_report(items: list[Finding]) -> None:
    """What a human should look at (citations moved or orphaned, pairs
    judged the same but not merged): not problems."""
    table = Listing(token("state"), words("where"), prose("what to do"), title=f"{len(items)} to review")
    for f in items:
        table.add_row(T(f.check, "yellow"), T(f.where), T(f.message))
    console.print(table)


def _cell(v: object) -> str:
    if v is None:
        return "NULL"
    return one_line(blob_text(v) if isinstance(v, bytes) else str(v))


def rows_table(columns: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """Query results as a table: a column whose cells have no spaces (ids,
    dates, numbers) is never wrapped, the rest wrap; nothing is cut."""
    print_rows(console, [guess(c) for c in columns], rows, _cell, lambda v: "dim" if v is None else "")
