"""The CLI's tables, drawn at the widths kbtui.cli.layout works out, or as
one "field value" block per row when even the least widths do not fit.

Nothing here cuts a cell: token columns are as wide as their widest cell,
other cells wrap between words, and a word wider than its column is folded
onto the next line. The width is the console's: the terminal's, or when
stdout is not one, $COLUMNS or a terminal on stdin or stderr (Rich looks
there), else 80. Piped output is never laid out wider than that.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from itertools import zip_longest

from rich import box
from rich.cells import cell_len, set_cell_size
from rich.console import Console, ConsoleOptions, RenderResult
from rich.table import Table
from rich.text import Text

from kbtui.cli.layout import Column, fit
from kbtui.safetext import one_line

ROWS_PER_TABLE = 1000
GAP = "   "  # between two columns: pad, divider, pad (layout.overhead)


class Listing:
    """A table of a few rows (what one command shows), laid out when printed,
    at the width it is printed at."""

    def __init__(self, *columns: Column, title: str | None = None) -> None:
        self.columns = list(columns)
        self.title = title
        self.rows: list[list[Text]] = []

    def add_row(self, *cells: Text | str) -> None:
        # a str becomes Text, never markup: a number today, data tomorrow
        row = [c if isinstance(c, Text) else Text(c) for c in cells]
        for column, cell in zip(self.columns, row, strict=True):
            column.measure(cell.plain)
        self.rows.append(row)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        widths = fit(self.columns, options.max_width)
        title = Text(one_line(self.title)) if self.title else None
        if widths is not None:
            yield table(self.columns, widths, self.rows, title=title)
            return
        if title:
            yield title
        yield records(self.columns, self.rows, options.max_width)
        yield Text()  # a blank line after, as a table has


def table(
    columns: list[Column],
    widths: list[int],
    rows: Sequence[list[Text]],
    title: Text | None = None,
    header: bool = True,
    edge: bool = True,
) -> Table:
    """Rich draws; the widths are given. Every column has one, and they add
    up to no more than the screen, so Rich never collapses or cuts a column.
    Without `edge` (a run of tables printed one after another) the blank
    lines above and below go, and padding keeps the margin at either side."""
    out = Table(
        box=box.SIMPLE_HEAD,
        title=title,
        title_justify="left",
        header_style="bold",
        show_header=header,
        show_edge=edge,
        pad_edge=not edge,
        expand=False,
    )
    for column, width in zip(columns, widths, strict=True):
        out.add_column(column.head, width=width, no_wrap=column.kind == "token", overflow="fold")
    for row in rows:
        out.add_row(*row)
    return out


def _record_widths(columns: list[Column], width: int) -> tuple[int, int]:
    """The field names' width and the values': a name wider than half the
    screen (a query's column may be named anything) is folded."""
    key = min(max(c.head.cell_len for c in columns), max(1, (width - 4) // 2))
    return key, max(1, width - 4 - key)


def records(columns: list[Column], rows: Sequence[list[Text]], width: int) -> Table:
    """Each row as a block of "field value" lines, a blank line between
    blocks: every value gets the whole width but the field name's."""
    key, value = _record_widths(columns, width)
    out = Table(box=None, show_header=False, show_edge=False, pad_edge=True, expand=False)
    out.add_column(width=key, style="bold", overflow="fold")
    out.add_column(width=value, overflow="fold")
    for n, row in enumerate(rows):
        if n:
            out.add_row()
        for column, cell in zip(columns, row, strict=True):
            out.add_row(column.head, cell)
    return out


def print_rows(
    console: Console,
    columns: list[Column],
    rows: Sequence[Sequence[object]],
    plain: Callable[[object], str],
    style: Callable[[object], str],
) -> None:
    """Query results, any number of rows. Widths are measured once over all
    of them, then the rows are printed ROWS_PER_TABLE at a time, so 100,000
    rows cost time and memory in proportion, not the minutes one Rich table
    of them takes to lay out. Piped, the lines are written directly: there
    are no styles to keep, and Rich would take seconds to draw them."""
    for r in rows:
        for column, v in zip(columns, r, strict=True):
            column.measure(plain(v))
    widths = fit(columns, console.width)
    if not console.is_terminal:
        lines = _plain_table(console, columns, widths, rows, plain) if widths is not None else None
        if lines is None:
            lines = _plain_records(console, columns, rows, plain)
        write = console.file.write
        batch: list[str] = []
        for line in lines:
            batch.append(line)
            if len(batch) >= ROWS_PER_TABLE:
                write("\n".join(batch) + "\n")
                batch.clear()
        write("".join(line + "\n" for line in batch))
        return
    for start in range(0, max(len(rows), 1), ROWS_PER_TABLE):
        chunk = [[Text(plain(v), style(v)) for v in r] for r in rows[start : start + ROWS_PER_TABLE]]
        first, last = start == 0, start + ROWS_PER_TABLE >= len(rows)
        if widths is None:
            if not first:
                console.print()
            console.print(records(columns, chunk, console.width))
            if last:
                console.print()
            continue
        if first:
            console.print()
        console.print(table(columns, widths, chunk, header=first, edge=False))
        if last:
            console.print()


def _wrap(console: Console, text: str, width: int) -> list[str]:
    """A cell's lines at `width`, as Rich would wrap it in a table."""
    if cell_len(text) <= width:
        return [text]
    return [line.plain for line in Text(text).wrap(console, width, overflow="fold")]


def _plain_table(
    console: Console,
    columns: list[Column],
    widths: list[int],
    rows: Sequence[Sequence[object]],
    plain: Callable[[object], str],
) -> Iterator[str]:
    """The lines Rich would draw for table(), without Rich."""

    def lines(cells: Sequence[str]) -> Iterator[str]:
        wrapped = [_wrap(console, c, w) for c, w in zip(cells, widths, strict=True)]
        for parts in zip_longest(*wrapped, fillvalue=""):
            yield " " + GAP.join(set_cell_size(p, w) for p, w in zip(parts, widths, strict=True)) + " "

    yield ""
    yield from lines([c.head.plain for c in columns])
    yield " " + "─" * (sum(widths) + len(GAP) * (len(widths) - 1)) + " "
    for r in rows:
        yield from lines([plain(v) for v in r])
    yield ""


def _plain_records(
    console: Console, columns: list[Column], rows: Sequence[Sequence[object]], plain: Callable[[object], str]
) -> Iterator[str]:
    """The lines Rich would draw for records(), without Rich."""
    key, value = _record_widths(columns, console.width)
    heads = [_wrap(console, c.head.plain, key) for c in columns]
    for n, r in enumerate(rows):
        if n:
            yield ""
        for head, v in zip(heads, r, strict=True):
            for k, part in zip_longest(head, _wrap(console, plain(v), value), fillvalue=""):
                yield f" {set_cell_size(k, key)}  {set_cell_size(part, value)} "
    yield ""
