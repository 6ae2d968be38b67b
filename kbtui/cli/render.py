"""Rich rendering for people at a terminal. JSON output never comes here.

Every piece of KB text goes through safetext and into `Text` objects, so
markup in the data (`[bold]`, `[link=…]`) is shown literally.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rich import box
from rich.cells import cell_len, set_cell_size
from rich.console import Console, Group
from rich.measure import Measurement
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from kbtui.kb.models import Citation, CitationDetail, Entity, Role, SearchHit, SourceDetail, SourceSummary
from kbtui.kb.vocab import date_range
from kbtui.safetext import one_line, visible

if TYPE_CHECKING:
    from kbtui.kb.check import Finding

console = Console(highlight=False, soft_wrap=False)
err_console = Console(stderr=True, highlight=False)


def T(value: Any, style: str = "", max_len: int | None = None) -> Text:
    return Text(one_line("" if value is None else str(value), max_len), style=style)


def _table(*columns: str, title: str | None = None) -> Table:
    # headers and titles as Text: a plain str here would be parsed as markup,
    # and `kbtui sql 'SELECT 1 AS "[link=…]"'` names its own columns
    table = Table(
        box=box.SIMPLE_HEAD,
        title=Text(one_line(title)) if title else None,
        title_justify="left",
        header_style="bold",
        expand=False,
        pad_edge=False,
    )
    for c in columns:
        table.add_column(Text(one_line(c)), overflow="fold")
    return table


STATUS_STYLE = {"current": "green", "former": "dim", "unknown": "yellow"}


def search_table(query: str, hits: list[SearchHit]) -> None:
    if not hits:
        err_console.print(Text(f"no match for {one_line(query, 80)!r}"))
        return
    table = _table("score", "kind", "name", "matched alias", "id")
    for h in hits:
        table.add_row(
            f"{h['score']:.0f}",
            T(h["kind"], "cyan"),
            T(h["name"], "bold"),
            T(h.get("matched") or ""),
            T(h["id"], "dim"),
        )
    console.print(table)


def _cites(citations: list[Citation]) -> Text:
    return Text(" ".join(f"[{c['id']}]" for c in citations), style="dim")


def roles_table(rows: list[Role], title: str | None = None) -> None:
    console.print(_roles(rows, title) if rows else Text("no roles", style="dim"))


def _roles(rows: list[Role], title: str | None = None) -> Table:
    table = _table("holder", "title", "organisation", "status", "dates", "cites", title=title)
    for r in rows:
        status = T(r["status"], STATUS_STYLE.get(r["status"], ""))
        title_cell = T(r["title"])
        if r.get("disputed"):
            title_cell.append(" (disputed)", style="bold red")
        table.add_row(
            T(r["holder"]["name"]),
            title_cell,
            T(r["organisation"]["name"] if r["organisation"] else ""),
            status,
            T(date_range(r["start"], r["end"], r["status"])),
            _cites(r["citations"]),
        )
    return table


def entity(data: Entity) -> None:
    head = Text()
    head.append(visible(data["name"]), style="bold")
    head.append(f"  {data['kind']}  ", style="cyan")
    head.append(visible(data["id"]), style="dim")
    parts: list[Any] = [head]
    if data["aliases"]:
        parts.append(T("also: " + "; ".join(data["aliases"]), "italic"))
    if data["summary"]:
        parts.append(Text(visible(data["summary"])))
    console.print(Panel(Group(*parts), box=box.ROUNDED, expand=False))
    if data["roles"]:
        shown = len(data["roles"])
        title = f"Roles ({shown} of {data['roles_total']})" if data["roles_total"] > shown else "Roles"
        console.print(_roles(data["roles"], title))
    if data["relations"]:
        table = _table("subject", "relation", "object", "dates", "cites", title="Relations")
        for r in data["relations"]:
            rel = T(r["type"], "magenta")
            if r["label"]:
                rel.append(f" ({one_line(r['label'], 60)})", style="dim")
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
        table = _table("date", "event", "place", "participants", "cites", title="Events")
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
        table = _table("source", "outlet", "mentions", title="Mentioned in")
        for s in data["sources"]:
            table.add_row(T(s["title"], max_len=80), T(s["outlet"] or ""), str(s["mentions"]))
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
    console.print(Panel(body, box=box.ROUNDED, subtitle=T(f"chars {s}–{e} of {src['id']}")))


def sources_table(rows: list[SourceSummary]) -> None:
    table = _table("id", "title", "outlet", "author", "published", "via", "chars")
    for r in rows:
        via = f"{r['via']} ({r['via_date']})" if r.get("via") else ""
        table.add_row(
            T(r["id"], "dim"),
            T(r["title"], "bold", 70),
            T(r["outlet"] or "?"),
            T(r["author"] or ""),
            T(r["published"] or ""),
            T(via),
            str(r["length"]),
        )
    console.print(table)


def source(data: SourceDetail) -> None:
    meta = Table.grid(padding=(0, 2))
    for key in ("id", "title", "outlet", "author", "published", "via", "via_date", "url", "note", "sha256", "length"):
        if data.get(key) not in (None, ""):
            meta.add_row(Text(key, style="bold"), T(data[key]))
    console.print(meta)
    console.print(Text(visible(data["text"])))


def check_report(db: str, findings: list[Finding], counts: dict[str, int]) -> None:
    checked = ", ".join(f"{v} {k}" for k, v in counts.items())
    if not findings:
        console.print(Text(f"ok: {one_line(db)} ({checked})", style="green"))
        return
    table = _table("check", "where", "problem", title=f"{len(findings)} problem(s) in {db}")
    for f in findings:
        table.add_row(T(f.check, "red"), T(f.where), T(f.message))
    console.print(table)


ROWS_PER_TABLE = 1000


def _cell(v: object) -> str:
    return "NULL" if v is None else one_line(str(v), 200)


def _plain_rows(heads: list[str], rows: Sequence[Sequence[object]]) -> None:
    """The table layout as plain lines, for output that is not a terminal
    (no styles to keep): linear, and far faster than Rich laying it out."""
    cells = [[_cell(v) for v in r] for r in rows]
    widths = [cell_len(h) for h in heads]
    for r in cells:
        for i, c in enumerate(r):
            n = cell_len(c)
            if n > widths[i]:
                widths[i] = n

    def line(texts: list[str]) -> str:
        return " " + "   ".join(set_cell_size(t, w) for t, w in zip(texts, widths, strict=True)) + " "

    write = console.file.write
    write("\n" + line(heads) + "\n")
    write(" " + "─" * (sum(widths) + 3 * (len(widths) - 1)) + " \n")
    for start in range(0, len(cells), ROWS_PER_TABLE):
        write("\n".join(line(r) for r in cells[start : start + ROWS_PER_TABLE]) + "\n")
    write("\n")


def rows_table(columns: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """Query results as a table. Column widths are measured once from the
    cells themselves, then the rows are printed ROWS_PER_TABLE at a time, so
    10,000 (or 100,000) rows cost time and memory in proportion, not the
    minutes a single Rich table of them takes to lay out."""

    def cells(r: Sequence[object]) -> list[Text]:
        return [T("NULL" if v is None else v, "dim" if v is None else "", 200) for v in r]

    if len(rows) <= ROWS_PER_TABLE:
        table = _table(*columns)
        for r in rows:
            table.add_row(*cells(r))
        out = console
        if not console.is_terminal:
            # piped: never fold or drop columns; let the reader's pager scroll
            out = Console(
                highlight=False,
                soft_wrap=False,
                width=max(80, Measurement.get(console, console.options.update_width(100_000), table).maximum),
            )
        out.print(table)
        return
    if not console.is_terminal:
        _plain_rows([one_line(c) for c in columns], rows)
        return
    heads = [Text(one_line(c)) for c in columns]
    widths = [h.cell_len for h in heads]
    for r in rows:
        for i, cell in enumerate(cells(r)):
            widths[i] = max(widths[i], cell.cell_len)
    out = console
    for start in range(0, len(rows), ROWS_PER_TABLE):
        first, last = start == 0, start + ROWS_PER_TABLE >= len(rows)
        table = Table(
            box=box.SIMPLE_HEAD, show_header=first, show_edge=False, header_style="bold", expand=False, pad_edge=False
        )
        for head, width in zip(heads, widths, strict=True):
            table.add_column(head, width=width, overflow="fold")
        for r in rows[start : start + ROWS_PER_TABLE]:
            table.add_row(*cells(r))
        if first:
            out.print()
        out.print(table)
        if last:
            out.print()
