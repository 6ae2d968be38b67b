"""kbtui.tui.fit: the short columns keep their width, the prose columns
give way (the narrowest served first), cut cells end in "…"."""

from __future__ import annotations

from rich.text import Text

from kbtui.tui.fit import GAP, PROSE_MIN, cut, fitted, widths

LABELS = ["Date", "Event", "Details", "Cites"]
ROWS = [
    ["2024-04", "Chen Wenqing–Patrushev meeting in Russia (April 2024)", "meeting · at Moscow", "12"],
    ["", "  with Federal Security Service", "senior officers likely present", "1"],
]


def test_a_table_that_fits_keeps_every_column_whole() -> None:
    got = widths(LABELS, ROWS, 200, prose={1, 2})
    assert got == [7, 53, 30, 5]


def test_too_narrow_only_the_prose_columns_give_way_and_the_count_stays() -> None:
    room = 70
    got = widths(LABELS, ROWS, room, prose={1, 2})
    assert got[0] == 7 and got[3] == 5, "dates and counts are never cut"
    assert sum(got) + GAP * len(LABELS) <= room
    assert got[1] >= got[2] >= PROSE_MIN


def test_the_narrower_prose_column_gets_what_it_needs_first() -> None:
    rows = [["x" * 60, "short", "1"]]
    got = widths(["A", "B", "C"], rows, 50, prose={0, 1})
    assert got[1] == 5, "a prose column needing little keeps it"
    assert got[0] == 50 - GAP * 3 - 5 - 1


def test_prose_never_narrower_than_its_minimum_even_when_nothing_fits() -> None:
    got = widths(LABELS, ROWS, 10, prose={1, 2})
    assert got[1] == got[2] == PROSE_MIN


def test_caps_bound_a_short_column() -> None:
    assert widths(["Kind"], [["participation"]], 100, prose=(), caps=[8]) == [8]


def test_cut_cells_end_in_an_ellipsis_and_keep_their_style() -> None:
    cell = Text("Chen Wenqing–Patrushev meeting", style="bold")
    short = cut(cell, 10)
    assert isinstance(short, Text) and short.plain == "Chen Wenq…" and short.cell_len == 10
    assert short.style == "bold"
    assert cut("fits", 10) == "fits"
    assert [getattr(c, "plain", c) for c in fitted(ROWS[0], [7, 10, 8, 5])] == [
        "2024-04",
        "Chen Wenq…",
        "meeting…",
        "12",
    ]
