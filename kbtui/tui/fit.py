"""Fitting a table's columns to the width it has.

A DataTable makes each column as wide as its widest cell, so one long
event name pushed the citation count off screen, to be read by scrolling
sideways. Here the short columns (dates, counts, kinds) keep their width,
and only the prose columns (names, titles, details) give way, the widest
first, down to PROSE_MIN or their label; a cell cut ends in "…", and the evidence pane or
a detail line shows the row whole. Pure (Rich only), like tui.wrap.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from rich.cells import cell_len
from rich.text import Text

from kbtui.tui.widgets.claim_rows import Cell

GAP = 2  # a DataTable pads each cell with one column on either side
PROSE_MIN = 8  # a prose column is never cut narrower than this


def _width(cell: Cell) -> int:
    return cell.cell_len if isinstance(cell, Text) else cell_len(cell)


def widths(
    labels: Sequence[str],
    rows: Sequence[Sequence[Cell]],
    room: int,
    prose: Collection[int],
    caps: Sequence[int | None] = (),
) -> list[int]:
    """The width of each column in a table `room` cells wide: its widest
    cell (or label), at most its cap; when that is too wide, the prose
    columns share what the others leave, each getting no more than it
    needs, the narrowest served first."""
    natural = []
    for i, label in enumerate(labels):
        widest = max([cell_len(label), *(_width(r[i]) for r in rows if i < len(r))])
        cap = caps[i] if i < len(caps) else None
        natural.append(min(widest, cap) if cap is not None else widest)
    inner = room - GAP * len(labels)
    if sum(natural) <= inner:
        return natural
    out = list(natural)
    left = inner - sum(w for i, w in enumerate(natural) if i not in prose)
    shares = sorted((i for i in prose if i < len(labels)), key=lambda i: natural[i])
    for n, i in enumerate(shares):
        fair = left // (len(shares) - n)
        # never narrower than its label: a table draws a column at least that wide
        floor = max(PROSE_MIN, cell_len(labels[i]))
        out[i] = min(natural[i], max(floor, fair))
        left -= out[i]
    return out


def cut(cell: Cell, width: int) -> Cell:
    """`cell` no wider than `width`, ending in "…" when cut."""
    if _width(cell) <= width:
        return cell
    text = cell.copy() if isinstance(cell, Text) else Text(cell)
    text.truncate(width, overflow="ellipsis")
    return text


def fitted(row: Sequence[Cell], column_widths: Sequence[int]) -> list[Cell]:
    return [cut(cell, column_widths[i]) if i < len(column_widths) else cell for i, cell in enumerate(row)]
