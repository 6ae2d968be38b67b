"""The timeline's rows: a year's header, then each item of that year (its
date as stored, what happened, the citation Enter opens and how many
more there are). Pure functions of items and a Look, like claim_rows, so
a page can be built and checked without an app.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.style import Style
from rich.text import Text

from kbtui.kb.models import Evidence
from kbtui.kb.timeline import Item
from kbtui.tui.clip import LINE_MAX, shown
from kbtui.tui.data import CsvCell
from kbtui.tui.look import Look
from kbtui.tui.widgets.claim_rows import Cell, Link, RowInfo, TableRow

COLUMNS = ("Date", "What happened", "Evidence")
PROSE = ("What happened",)
EXPORT_HEADER = ["date", "precision", "kind", "what", "claim_id", "citation_id", "citations"]


def year_of(item: Item) -> str:
    return item["date"][:4]


def rows(
    items: Sequence[Item], evidence: dict[str, Evidence], look: Look, year: str | None = None, own: str | None = None
) -> list[TableRow]:
    """The rows of a page; `year` is the year the rows before it ended in
    (a page that goes on in it gets no second header); `own` is the entity
    whose timeline it is (its rows lead to the other entity named)."""
    out: list[TableRow] = []
    for item in items:
        if year_of(item) != year:
            year = year_of(item)
            out.append(_year(year))
        out.append(_item(item, evidence.get(item["claim"]["id"]), look, own))
    return out


def _year(year: str) -> TableRow:
    # no claim and no link, and the cursor steps over it (see ClaimTable)
    cells: list[Cell] = [Text(shown(year, 10), style=Style(bold=True, underline=True)), "", ""]
    return cells, RowInfo(heading=True)


def other_entity(item: Item, own: str | None) -> Link | None:
    """The entity a row leads to: the first it names (an event, a role's
    holder, a relation's subject) that is not the timeline's own."""
    for entity in item["entities"]:
        if entity["id"] != own:
            return entity["id"], entity["name"]
    return None


def _item(item: Item, claim: Evidence | None, look: Look, own: str | None) -> TableRow:
    text = Text()
    if item["claim"]["disputed"]:
        text.append("⚠ ", style=look.fg("warning", bold=True))
    text.append(shown(item["text"], LINE_MAX))
    cite = item["citation"]
    marker = Text(justify="right")
    if cite is None:
        marker.append("uncited", style=look.fg("warning"))
    else:
        marker.append(f"cite {cite['id']}", style=look.fg("accent"))
        if item["citations"] > 1:
            marker.append(f" +{item['citations'] - 1}", style=Style(dim=True))
    date = shown(item["date"], 10)  # as stored: its length is its precision
    export: list[CsvCell] = [
        item["date"],
        item["precision"],
        item["kind"],
        item["text"],
        item["claim"]["id"],
        cite["id"] if cite else None,
        item["citations"],
    ]
    # a click on what happened opens the entity (`o` too); Enter stays the evidence
    link = other_entity(item, own)
    return [date, text, marker], RowInfo(
        claim=claim,
        cell_links={1: link} if link else {},
        summary=item["claim"]["label"],
        citation=(cite["id"], cite["source"]["id"]) if cite else None,
        export=export,
    )
