"""The overview tables' rows: cells fitted to the width the table has, a
RowInfo behind each (what Enter opens, the claim for the evidence pane,
the export row), and the detail lines that show the highlighted row whole.

Short columns (dates, counts, kinds) come first, each as wide as its
widest cell up to a cap; the one prose column takes the width left and
ends in "…" when it is cut, and the detail line below the table shows it
whole. So the citation count is never pushed off screen by a long title.
Pure functions of rows, a width and a Look, like claim_rows.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.style import Style
from rich.text import Text

from kbtui.kb import overview
from kbtui.kb.models import Evidence
from kbtui.kb.vocab import compact_range
from kbtui.tui import fit as fit_cells
from kbtui.tui.clip import LINE_MAX, shown
from kbtui.tui.data import CsvCell
from kbtui.tui.look import Look
from kbtui.tui.widgets.claim_rows import Cell, RowInfo, TableRow

# (label, the most the column may take, or None for the prose column)
COLUMNS: dict[overview.View, list[tuple[str, int | None]]] = {
    "sources": [("Published", 10), ("Cites", 6), ("Outlet", 20), ("Title", None)],
    "claims": [("Kind", 13), ("When", 12), ("Cites", 6), ("", 1), ("Claim", None)],
    "events": [("Date", 10), ("Type", 10), ("Cites", 6), ("Event", None), ("With", 24)],
    "entities": [("Kind", 12), ("Name", None), ("Country", 16)],
}
EXPORT_HEADERS: dict[overview.View, list[str]] = {
    "sources": ["source_id", "title", "outlet", "author", "published", "via", "relays", "note", "citations", "errata"],
    "claims": [
        "claim_id",
        "kind",
        "claim",
        "entity_id",
        "start",
        "end",
        "status",
        "disputed",
        "conflicts",
        "citations",
    ],
    "events": ["event_id", "event", "type", "start", "end", "place", "participants", "citations"],
    "entities": ["entity_id", "name", "kind", "countries", "summary"],
}
WORDS = {"sources": ("source", "sources"), "claims": ("claim", "claims"), "events": ("event", "events")}


def noun(view: overview.View, n: int) -> str:
    one, many = WORDS.get(view, ("entity", "entities"))
    return one if n == 1 else many


def _cut(text: str, width: int) -> str:
    return shown(text, max(width, 2))


def fit(view: overview.View, built: list[TableRow], width: int) -> list[TableRow]:
    """Each short column as wide as its widest cell (at most its cap), the
    prose column what is left of `width` (kbtui.tui.fit)."""
    columns = COLUMNS[view]
    labels = [label for label, _ in columns]
    prose = {i for i, (_, cap) in enumerate(columns) if cap is None}
    widths = fit_cells.widths(labels, [cells for cells, _ in built], width, prose, [cap for _, cap in columns])
    return [(fit_cells.fitted(cells, widths), info) for cells, info in built]


def _dim(text: str) -> Text:
    return Text(text, style=Style(dim=True))


def rows(
    view: overview.View,
    found: Sequence[overview.Row],
    width: int,
    look: Look,
    evidence: dict[str, Evidence],
) -> list[TableRow]:
    prose = LINE_MAX
    out: list[TableRow] = []
    for row in found:
        if isinstance(row, overview.SourceRow):
            out.append(_source(row, prose))
        elif isinstance(row, overview.ClaimRow):
            out.append(_claim(row, prose, look, evidence.get(row.id)))
        elif isinstance(row, overview.EventRow):
            out.append(_event(row, prose, evidence.get(row.claim_id)))
        else:
            out.append(_entity(row, prose, look))
    return fit(view, out, width)


def _source(r: overview.SourceRow, prose: int) -> TableRow:
    flags = ("↻ " if r.via or r.relays or r.origin else "") + ("✎ " if r.errata else "")
    cells: list[Cell] = [
        shown(r.published, 20) or _dim("undated"),
        Text(f"{r.citations:,}", justify="right"),
        _cut(r.outlet or "—", 20),
        Text(flags, style=Style(bold=True)).append(_cut(r.title, prose - len(flags)), style=Style(bold=False)),
    ]
    export: list[CsvCell] = [
        r.id,
        r.title,
        r.outlet,
        r.author,
        r.published,
        r.via,
        r.relays,
        r.note,
        r.citations,
        r.errata,
    ]
    return cells, RowInfo(summary=r.title, source_id=r.id, export=export)


def _claim(r: overview.ClaimRow, prose: int, look: Look, evidence: Evidence | None) -> TableRow:
    mark = "⚠" if r.disputed or r.conflicts else ""
    cells: list[Cell] = [
        shown(r.kind, 20),
        shown(compact_range(r.start, r.end), 40) if (r.start or r.end) else _dim("—"),
        Text(f"{r.citations:,}", justify="right"),
        Text(mark, style=look.fg("warning", bold=True)),
        _cut(r.summary, prose),
    ]
    export: list[CsvCell] = [
        r.id,
        r.kind,
        r.summary,
        r.owner_id,
        r.start,
        r.end,
        r.status,
        r.disputed,
        r.conflicts,
        r.citations,
    ]
    link = (r.owner_id, r.owner_name) if r.owner_id else None
    return cells, RowInfo(claim=evidence, summary=r.summary, link=link, export=export)


def _event(r: overview.EventRow, prose: int, evidence: Evidence | None) -> TableRow:
    others = f" +{len(r.participants) - 2}" if len(r.participants) > 2 else ""
    cells: list[Cell] = [
        shown(r.start, 20) or _dim("undated"),
        shown(r.type, 20),
        Text(f"{r.citations:,}", justify="right"),
        _cut(r.name, prose),
        _cut(", ".join(r.participants[:2]), 24 - len(others)) + others,
    ]
    export: list[CsvCell] = [
        r.id,
        r.name,
        r.type,
        r.start,
        r.end,
        r.place,
        "; ".join(r.participants),
        r.citations,
    ]
    return cells, RowInfo(claim=evidence, summary=f"Event: {r.name}", link=(r.id, r.name), export=export)


def _entity(r: overview.EntityRow, prose: int, look: Look) -> TableRow:
    cells: list[Cell] = [shown(r.kind, 20), _cut(r.name, prose), _cut(", ".join(r.countries), 16)]
    export: list[CsvCell] = [r.id, r.name, r.kind, "; ".join(r.countries), r.summary]
    return cells, RowInfo(summary=r.name, link=(r.id, r.name), export=export)


def detail(row: overview.Row | None, look: Look) -> Text:
    """The highlighted row whole: every field the table cut or left out."""
    if row is None:
        return Text("")
    label = Style(dim=True)
    out = Text()
    if isinstance(row, overview.SourceRow):
        out.append(shown(row.title, 400), style=Style(bold=True))
        by = ", ".join(p for p in (row.outlet, row.author) if p) or "unattributed"
        out.append(f"\n{shown(by, 200)} · {row.published or 'undated'} ({row.date_basis})")
        if row.via:
            out.append(f" · reposted by {shown(row.via, 100)}" + (f" on {row.via_date}" if row.via_date else ""))
        if row.relay_chain:
            out.append("\nrelays ", style=label).append(" ← ".join(shown(t, 80) for t in row.relay_chain))
        elif row.origin:
            out.append("\nrelays ", style=label).append(shown(row.origin, 200))
        if row.errata:
            out.append(f" · {row.errata} errat{'um' if row.errata == 1 else 'a'}", style=look.fg("warning"))
        if row.note:
            out.append("\nnote ", style=label).append(shown(row.note, 300))
    elif isinstance(row, overview.ClaimRow):
        out.append(shown(row.summary, 400), style=Style(bold=True))
        when = compact_range(row.start, row.end) if (row.start or row.end) else "no dates stated"
        out.append(f"\n{row.kind} · {when}" + (f" · {row.status}" if row.status else ""))
        out.append(f" · {row.citations:,} citation{'s' if row.citations != 1 else ''}")
        if row.conflicts:
            out.append(f" · conflicts with {row.conflicts}", style=look.fg("warning"))
        if row.disputed:
            out.append("\ndisputed ", style=look.fg("warning", bold=True)).append(shown(row.disputed, 300))
    elif isinstance(row, overview.EventRow):
        out.append(shown(row.name, 400), style=Style(bold=True))
        when = compact_range(row.start, row.end) if (row.start or row.end) else "undated"
        out.append(f"\n{row.type} · {when}" + (f" · at {shown(row.place, 80)}" if row.place else ""))
        if row.participants:
            out.append("\nwith ", style=label).append(shown(", ".join(row.participants), 400))
    else:
        out.append(shown(row.name, 400), style=Style(bold=True))
        out.append(f"  {row.kind}" + (f" · {', '.join(row.countries)}" if row.countries else ""), style=label)
        if row.summary:
            out.append("\n" + shown(row.summary, 400))
    return out
