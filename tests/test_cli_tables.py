"""CLI tables at narrow widths and in pipes: ids, dates and numbers are
never broken mid-token, no line is wider than the screen, and no cell is
cut short. CliRunner's stdout is not a terminal, so these run the piped
path; one test runs a real process through a pipe."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from kbtui.cli import main, render
from kbtui.cli.layout import fit, overhead, prose, token, words
from kbtui.cli.tables import Listing

REPO = Path(__file__).resolve().parents[1]
DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")
COMMANDS = [
    ("sources",),
    ("show", "chen-wenqing"),
    ("show", "nikolai-patrushev"),
    ("roles",),
    ("search", "chen"),
    ("conflicts",),
    ("sql", "SELECT * FROM v_roles"),
    ("sql", "SELECT id, title, published, not_before, not_after, via_date, length(text) AS chars FROM sources"),
]


@pytest.fixture
def run(sample_db: Path, monkeypatch: pytest.MonkeyPatch):
    def invoke(*args: str, width: int = 80) -> str:
        monkeypatch.setenv("COLUMNS", str(width))
        # as a fresh process has it: Rich reads $COLUMNS when a Console is
        # made, and render's was made once, whenever this worker imported it
        monkeypatch.setattr(render, "console", Console(highlight=False, soft_wrap=False))
        r = CliRunner().invoke(main, ["--db", str(sample_db), *args], catch_exceptions=False)
        assert r.exit_code == 0, r.stderr
        return r.stdout

    return invoke


def tokens(data: object, key: str = "") -> set[str]:
    """The ids and dates in a command's JSON ("[12]" for a citation id, as
    tables show them)."""
    if isinstance(data, dict):
        return set().union(*(tokens(v, k) for k, v in data.items()))
    if isinstance(data, list):
        return set().union(*(tokens(v, key) for v in data))
    if isinstance(data, str) and (key == "id" or key.endswith("_id") or DATE.fullmatch(data)):
        return {data}
    if isinstance(data, int) and key == "id":
        return {f"[{data}]"}
    return set()


def json_of(run, args: tuple[str, ...]) -> object:
    return json.loads(run(*args, "--json"))


def squash(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("args", COMMANDS, ids=[" ".join(a)[:30] for a in COMMANDS])
def test_ids_and_dates_are_never_broken_at_80_columns(run, args):
    expected = tokens(json_of(run, args))
    shown = {t for t in expected if t in run(*args, width=1000)}  # what the table shows at all
    assert shown, "the table shows none of the JSON's ids and dates"
    lines = run(*args).splitlines()
    for t in shown:
        assert any(t in line for line in lines), f"{t!r} is broken or missing at 80 columns"


@pytest.mark.parametrize("width", [40, 60, 80, 100, 120])
@pytest.mark.parametrize("args", COMMANDS, ids=[" ".join(a)[:30] for a in COMMANDS])
def test_no_line_is_wider_than_the_screen(run, args, width):
    wide = [line for line in run(*args, width=width).splitlines() if cell_len(line) > width]
    assert not wide, wide[0]


def test_sources_shows_every_id_and_date_whole(run):
    rows = json_of(run, ("sources",))
    lines = run("sources").splitlines()
    for r in rows:
        for value in (r["id"], r["published"], r["not_before"], r["not_after"], r["via_date"], str(r["length"])):
            if value:
                assert any(value in line for line in lines), value


def test_sql_table_is_as_wide_as_the_screen_and_cuts_nothing(run):
    query = "SELECT * FROM v_roles"
    assert "…" not in run("sql", query, "--csv")
    out = run("sql", query)
    assert "…" not in out
    assert max(cell_len(line) for line in out.splitlines()) <= 80
    lines = out.splitlines()
    for row in json_of(run, ("sql", query)):
        assert any(row["role_id"] in line for line in lines)
        assert squash(row["organisation"] or "") in squash(out)


@pytest.mark.parametrize("width", [40, 80, 120])
def test_a_long_cell_is_whole_when_its_lines_are_joined(run, width):
    """A long note in a query's table, and a title in `sources` (a table at
    120, one block per source at 80 and 40): wrapped, never cut."""
    rows = json_of(run, ("sql", "SELECT id, note FROM sources"))
    assert max(len(r["note"]) for r in rows) > 500
    out = squash(run("sql", "SELECT note FROM sources", width=width))
    for r in rows:
        assert squash(r["note"]) in out
    out = run("sources", width=width)
    titles = column(out, "title", "outlet") if width == 120 else squash(out)
    for r in json_of(run, ("sources",)):
        assert squash(r["title"]) in titles


def test_a_long_title_in_show_is_whole(run):
    data = json_of(run, ("show", "chen-wenqing"))
    out = run("show", "chen-wenqing")
    titles = column(out, "source", "outlet")
    for s in data["sources"]:
        assert squash(s["title"]) in titles


def column(out: str, head: str, next_head: str) -> str:
    """One column of a table, top to bottom, found by its header's place."""
    lines = out.splitlines()
    at = next(i for i, line in enumerate(lines) if f" {head} " in line and f" {next_head} " in line)
    start, end = lines[at].index(f" {head} ") + 1, lines[at].index(f" {next_head} ") + 1
    body = []
    for line in lines[at + 2 :]:
        if not line.strip():
            break
        body.append(line[start:end])
    return squash(" ".join(body))


@pytest.mark.parametrize("fmt", ["--json", "--csv"])
def test_json_and_csv_do_not_depend_on_the_width(run, fmt):
    for args in (("sql", "SELECT * FROM sources"), ("sources",), ("show", "chen-wenqing")):
        if fmt == "--csv" and args[0] != "sql":
            continue
        assert run(*args, fmt, width=40) == run(*args, fmt, width=1000)


def test_many_rows_piped_wrap_and_fold_to_the_screen(run):
    """Past one table's worth of rows the lines are written directly: they
    still fit the width and keep every cell whole."""
    many = (
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 1500) "
        "SELECT x, 'row ' || x || ' ' || replace(hex(zeroblob(30)), '00', 'word ') AS words FROM c"
    )
    out = run("sql", many)
    lines = out.splitlines()
    assert max(cell_len(line) for line in lines) <= 80 and "…" not in out
    assert [int(line.split()[0]) for line in lines if line[:8].strip().isdigit()] == list(range(1, 1501))
    assert squash(out).count(" ".join(["word"] * 30)) == 1500


def test_many_rows_too_wide_for_a_table_come_one_block_each(run):
    many = (
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 1200) "
        "SELECT x, printf('%060d', x) AS a, printf('%030d', x) AS b FROM c"
    )
    lines = run("sql", many).splitlines()
    assert max(cell_len(line) for line in lines) <= 80
    assert sum(1 for line in lines if line.split() == ["b", f"{1200:030d}"]) == 1
    assert sum(1 for line in lines if line.split()[:1] == ["a"]) == 1200


def test_a_real_pipe(sample_db):
    """A process whose stdout is a pipe: as wide as $COLUMNS, never wider."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KBTUI_")}
    env.update(COLUMNS="80", PYTHONPATH=str(REPO), NO_COLOR="1")
    out = subprocess.run(
        [sys.executable, "-m", "kbtui", "--db", str(sample_db), "sql", "SELECT * FROM v_roles"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    ).stdout
    assert "\x1b" not in out and "…" not in out
    assert max(cell_len(line) for line in out.splitlines()) <= 80
    assert any("chen-wenqing-head-political-legal-affairs-commission" in line for line in out.splitlines())


def test_on_a_terminal_too(sample_db, monkeypatch):
    term = Console(file=io.StringIO(), force_terminal=True, color_system="truecolor", width=80, highlight=False)
    monkeypatch.setattr(render, "console", term)
    r = CliRunner().invoke(main, ["--db", str(sample_db), "show", "chen-wenqing"], catch_exceptions=False)
    assert r.exit_code == 0
    lines = re.sub(r"\x1b\[[0-9;]*m", "", term.file.getvalue()).splitlines()
    assert max(cell_len(line) for line in lines) <= 80
    for t in ("2024-04-20/2024-04-28", "2024-05-03", "[165]", "[13]"):
        assert any(t in line for line in lines), t


# --- the layout itself -----------------------------------------------------------


def measured(column, *cells: str):
    for c in cells:
        column.measure(c)
    return column


def test_token_columns_keep_their_width_and_prose_takes_the_rest():
    cols = [
        measured(token("id"), "examiner-spy-chiefs-moscow"),
        measured(prose("title"), "Top Chinese and Russian spy chiefs meet in Moscow " * 3),
        measured(token("date"), "2024-05-03"),
    ]
    widths = fit(cols, 80)
    assert widths is not None
    assert widths[0] == len("examiner-spy-chiefs-moscow") and widths[2] == len("2024-05-03")
    assert sum(widths) + overhead(3) == 80


def test_prose_words_are_folded_only_when_nothing_else_fits():
    cols = [measured(token("id"), "x" * 40), measured(prose("name"), "counterintelligence officer")]
    assert overhead(2) == 5
    assert fit(cols, 80) == [40, 27]  # all it needs
    assert fit(cols, 70) == [40, 25]  # all there is: wrapped between words
    assert fit(cols, 64) == [40, 19]  # the longest word, whole
    assert fit(cols, 63) == [40, 18]  # narrower: the long word is folded, nothing else fits
    assert fit(cols, 55) == [40, 10]
    assert fit(cols, 54) is None  # prose narrower than 10 is no use: one block per row


def test_words_columns_keep_every_word_whole():
    cols = [measured(words("cites"), "[13] [14] [15]"), measured(prose("note"), "a " * 100)]
    widths = fit(cols, 30)
    assert widths is not None and widths[0] >= len("[13]")
    assert fit([measured(words("dates"), "x" * 30)], 20) is None


@pytest.mark.parametrize("width", [60, 80, 120])
def test_rich_draws_the_widths_it_is_given(width):
    """The collapse that cut tokens before: Rich, left to itself, shrinks the
    widest columns, tokens included. Given every width, it cuts nothing (a
    table at 120, one block per row at 80 and 60)."""
    table = Listing(token("id"), prose("title"), token("date"), words("cites"))
    ids = ["central-political-and-legal-affairs-commission", "vaccine-cyber-espionage-allegations-2021"]
    for i in ids:
        table.add_row(i, Text("A title that goes on and on " * 4), "2024-04-20/2024-04-28", "[1] [22] [333]")
    out = Console(file=io.StringIO(), width=width, highlight=False)
    out.print(table)
    lines = out.file.getvalue().splitlines()
    assert max(cell_len(line) for line in lines) <= width
    assert ("─" * 20 in lines[2]) == (width == 120)
    for t in ids:
        assert sum(t in line for line in lines) == 1, t
    for t in ["2024-04-20/2024-04-28", "[333]"]:
        assert sum(t in line for line in lines) == 2, t
