"""Column widths for the CLI's tables, decided here rather than by Rich.

Left to itself, Rich (Table._calculate_column_widths) shrinks the widest
columns until the table fits and ignores a column's min_width while doing
so: at 80 columns it cut ids and dates mid-word. So every column is measured
here and given an explicit width; Rich only draws. A table whose columns
all have a width that adds up to no more than the screen is never collapsed.

Each column is one of three kinds:

- token: ids, dates, numbers, counts, closed-set words (kind, status). A
  cell is never wrapped: the column is as wide as its widest cell.
- words: cells that are lists of tokens (citation ids, a date with a
  remark). Wrapped between words, never inside one: the column is at
  least as wide as its longest word.
- prose: names, titles, quotes, notes. Wrapped between words; the column
  takes what the others leave, at least PROSE_LEAST wide (or its longest
  word, if shorter). A word longer than the column is folded, the last
  resort, and the only place a cell is ever broken.

When even these least widths do not fit the screen, fit() returns None and
the caller prints one "field value" block per row instead: psql's expanded
display, for the same reason. It reads worse than a table, but it never cuts
or breaks a token, whatever the width.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from rich.cells import cell_len
from rich.text import Text

from kbtui.safetext import one_line

Kind = Literal["token", "words", "prose"]

# a prose column narrower than this wraps every other word; 10 also keeps
# an ISO date (2024-05-03) whole when one turns up in prose
PROSE_LEAST = 10


@dataclass
class Column:
    """A column's header and kind, and the widths its cells have needed."""

    # Text, not str: Rich would parse a str header as markup, and
    # `kbtui sql 'SELECT 1 AS "[link=…]"'` names its own columns
    head: Text
    kind: Kind = "prose"
    guessed: bool = False  # a query's column: prose once a cell has a space in it
    widest: int = 1  # the widest cell, header included
    longest_word: int = 1

    def __post_init__(self) -> None:
        self.measure(self.head.plain)

    def measure(self, plain: str) -> None:
        self.widest = max(self.widest, cell_len(plain))
        self.longest_word = max(self.longest_word, max(map(cell_len, plain.split()), default=0))
        if self.guessed and " " in plain:
            self.kind = "prose"

    def least(self, fold: bool) -> int:
        """The narrowest this column may be; with `fold`, a prose column's
        long words may be folded to make it narrower still."""
        if self.kind == "token":
            return self.widest
        if self.kind == "prose" and fold:
            return min(self.longest_word, PROSE_LEAST)
        return self.longest_word


def token(head: str) -> Column:
    return Column(Text(one_line(head)), "token")


def words(head: str) -> Column:
    return Column(Text(one_line(head)), "words")


def prose(head: str) -> Column:
    return Column(Text(one_line(head)), "prose")


def guess(head: str) -> Column:
    """A column of query results, whose meaning is unknown: a token column
    while no cell has a space in it (ids, dates, numbers, NULL), else prose.
    The header does not count: `attested_first` heads a column of dates."""
    column = Column(Text(one_line(head)), "token")
    column.guessed = True
    return column


def overhead(n: int) -> int:
    """What a table of n columns adds to their widths, as render draws it
    (box.SIMPLE_HEAD, padding 1 a side, no padding at the outer edges): a
    space at either edge, and 3 between columns (pad, divider, pad)."""
    return 2 + 3 * (n - 1)


def fit(columns: list[Column], width: int) -> list[int] | None:
    """Each column's width in a table at most `width` wide, or None when
    even the least widths do not fit.

    Every column gets all it needs (its widest cell) if it can. If not, the
    wrapping columns share the room so that their widest cells take about
    the same number of lines: a title of 100 characters gets more width than
    an outlet of 20, and the tallest row is as short as it can be. A column
    never gets less than its least width, so token columns never shrink."""
    room = width - overhead(len(columns))
    least = [c.least(fold=False) for c in columns]
    if sum(least) > room:  # a long word in prose is folded only when nothing else fits
        least = [c.least(fold=True) for c in columns]
    if sum(least) > room:
        return None
    most = [max(c.widest, lo) for c, lo in zip(columns, least, strict=True)]
    if sum(most) <= room:
        return most

    def at(lines: int) -> list[int]:
        return [min(max(-(-hi // lines), lo), hi) for lo, hi in zip(least, most, strict=True)]

    # the fewest lines that fit: at(1) == most does not fit, at(max(most)) == least does
    low, high = 1, max(most)
    while high - low > 1:
        mid = (low + high) // 2
        low, high = (low, mid) if sum(at(mid)) <= room else (mid, high)
    widths = at(high)
    spare = room - sum(widths)

    def lines(i: int) -> int:
        return -(-most[i] // widths[i])

    def saving(i: int) -> int:  # the width that takes a line off column i's widest cell
        return -(-most[i] // (lines(i) - 1)) - widths[i]

    # what is left goes to the tallest column, the one a line shorter for the least width first
    while spare > 0:
        growing = [i for i, w in enumerate(widths) if w < most[i]]
        if not growing:
            break
        i = min(growing, key=lambda i: (-lines(i), saving(i)))
        step = min(saving(i), spare)
        widths[i] += step
        spare -= step
    return widths
