"""Terminal injection: Rich markup, ANSI/OSC escapes, control characters,
bidi marks and very long lines from sources, names, aliases, quotes and
queries are shown literally or made visible in every CLI table, never
interpreted; JSON (and CSV) keep the data exact."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from rich.console import Console

from kbtui.cli import render
from kbtui.safetext import one_line, visible

from .conftest import (
    ALIASES,
    CAPACITY,
    DANGEROUS,
    EVENT_NAME,
    HOSTILE_TEXT,
    LABEL,
    NAME,
    Q_EVENT,
    Q_RELATION,
    Q_ROLE,
    SUMMARY,
    TITLE,
    cli,
)

SGR = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture(params=["plain", "terminal"])
def console(request, monkeypatch):
    """render's consoles, wide enough that no cell is folded; `terminal`
    forces colour, so Rich emits its own escapes next to the data."""
    terminal = request.param == "terminal"

    def make(stderr: bool) -> Console:
        return Console(
            width=2000,
            highlight=False,
            soft_wrap=False,
            stderr=stderr,
            force_terminal=terminal,
            color_system="truecolor" if terminal else None,
        )

    monkeypatch.setattr(render, "console", make(False))
    monkeypatch.setattr(render, "err_console", make(True))
    return request.param


def shown(result) -> str:
    """What reached the terminal, minus the colour codes Rich itself wrote."""
    return SGR.sub("", result.stdout + result.stderr)


def assert_inert(out: str) -> None:
    bad = sorted({f"U+{ord(c):04X}" for c in DANGEROUS.findall(out)})
    assert not bad, f"raw control/bidi characters reached the terminal: {bad}"
    assert "\x1b]8;" not in out, "a hyperlink escape was emitted"


def citation_ids(db: Path) -> dict[str, int]:
    rows = json.loads(cli("--db", str(db), "sql", "SELECT claim_id, citation_id FROM v_citations", "--json").stdout)
    return {r["claim_id"]: r["citation_id"] for r in rows}


TABLE_CASES = [
    (["search", "agent zero"], ["[bold red]Agent[/] [link=https://evil.example]Zero[/link] [/]"]),
    (
        ["show", "agent-zero"],
        [
            "[bold red]Agent[/]",
            "[blink]markup[/blink]",
            "[bold]Chief[/bold]",
            "[red]label[/red]",
            "[link=https://evil.example]Zed[/link]",
            "␛[31m",
            "<U+202E>evil",
        ],
    ),
    (["show", "boom-org"], ["[bold]Chief[/bold]", "␛]8;;https://evil.example"]),
    (["show", "zero-meeting"], ["[bold]X[/bold]", "[i]Paris[/i]"]),
    (["roles"], ["[bold]Chief[/bold] ␛[1mOfficer", "(disputed)"]),
    (["roles", "--holder", "agent-zero"], ["[bold]Chief[/bold]"]),
    (["sources"], ["Title [bold]T[/bold]", "[link=https://evil.example]Outlet[/link]", "␛[2J␛[HAuthor"]),
    (["source", "hostile"], ["[link=https://evil.example]our site[/link]", "[i]Paris[/i]", "L" * 1000]),
    (["sql", "SELECT name, summary FROM entities ORDER BY id"], ["[i]Paris[/i]", "[blink]markup"]),
    (
        [
            "sql",
            'SELECT 1 AS "[red]x[/red] [link=https://e.example]y[/link]", '
            "char(27) || '[31mred' AS \"esc\", char(8238) AS bidi",
        ],
        ["[red]x[/red] [link=https://e.example]y[/link]", "␛[31mred", "<U+202E>"],
    ),
    (["sql", "SELECT quote FROM v_citations ORDER BY citation_id"], ["[bold red]minister[/]"]),
    (["check"], ["ok:"]),
]


@pytest.mark.parametrize("args, literal", TABLE_CASES, ids=[" ".join(a)[:40] for a, _ in TABLE_CASES])
def test_tables_show_hostile_text_literally(hostile_db, console, args, literal):
    r = cli("--db", str(hostile_db), *args)
    assert r.exit_code == 0, r.stderr
    out = shown(r)
    assert_inert(out)
    for piece in literal:
        assert piece in out, f"{piece!r} not shown literally"


@pytest.mark.parametrize("claim", ["zero-chief", "zero-leads-boom", "zero-meeting"])
def test_cite_table_is_inert_and_literal(hostile_db, console, claim):
    cid = citation_ids(hostile_db)[claim]
    r = cli("--db", str(hostile_db), "cite", str(cid))
    assert r.exit_code == 0, r.stderr
    out = shown(r)
    assert_inert(out)
    quote = {"zero-chief": Q_ROLE, "zero-leads-boom": Q_RELATION, "zero-meeting": Q_EVENT}[claim]
    assert visible(quote) in out


def test_cite_highlights_exactly_the_quote_despite_wide_stand_ins(hostile_db, monkeypatch):
    """`<U+202E>` is longer than the character it stands for; the highlight
    must still cover the quote, not a span shifted by the stand-ins."""
    rec = Console(
        width=2000, record=True, file=io.StringIO(), force_terminal=True, color_system="truecolor", highlight=False
    )
    monkeypatch.setattr(render, "console", rec)
    cid = citation_ids(hostile_db)["zero-chief"]
    assert cli("--db", str(hostile_db), "cite", str(cid)).exit_code == 0
    lit = "".join(
        seg.text for seg in rec._record_buffer if seg.style and seg.style.bgcolor and seg.style.bgcolor.name == "yellow"
    )
    assert lit == visible(Q_ROLE)


def test_json_keeps_every_field_exact(hostile_db):
    r = cli("--db", str(hostile_db), "show", "agent-zero", "--json")
    assert r.exit_code == 0
    assert_inert(r.stdout)  # escaped in the JSON text, not lost
    data = json.loads(r.stdout)
    assert data["name"] == NAME and data["summary"] == SUMMARY
    assert sorted(data["aliases"]) == sorted(ALIASES)
    assert data["roles"][0]["title"] == TITLE
    assert data["roles"][0]["citations"][0]["quote"] == Q_ROLE
    assert data["relations"][0]["label"] == LABEL
    event = data["events"][0]
    assert event["name"] == EVENT_NAME and event["participants"][0]["capacity"] == CAPACITY


@pytest.mark.parametrize(
    "args, check",
    [
        (["search", "agent zero", "--json"], lambda d: d[0]["name"] == NAME),
        (["source", "hostile", "--json"], lambda d: d["text"] == HOSTILE_TEXT),
        (["roles", "--json"], lambda d: d[0]["title"] == TITLE),
        (
            ["sql", "SELECT summary FROM entities WHERE id = 'agent-zero'", "--json"],
            lambda d: d == [{"summary": SUMMARY}],
        ),
    ],
)
def test_json_commands_are_exact(hostile_db, args, check):
    r = cli("--db", str(hostile_db), *args)
    assert r.exit_code == 0
    assert_inert(r.stdout)
    assert check(json.loads(r.stdout))


def test_ndjson_is_exact(hostile_db):
    r = cli("--db", str(hostile_db), "sql", "SELECT id, name, summary FROM entities ORDER BY id", "--nl")
    assert_inert(r.stdout)
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert rows[0] == {"id": "agent-zero", "name": NAME, "summary": SUMMARY}


def test_csv_keeps_the_data_exact(hostile_db):
    r = cli("--db", str(hostile_db), "sql", "SELECT name, summary FROM entities WHERE id = 'agent-zero'", "--csv")
    rows = list(csv.reader(io.StringIO(r.stdout, newline="")))
    assert rows == [["name", "summary"], [NAME, SUMMARY]]


def test_error_messages_make_hostile_input_visible(hostile_db, tmp_path):
    r = cli("--db", str(hostile_db), "sql", "SELECT \x1b]0;pwned\x07 \u202e")
    assert r.exit_code == 1
    assert_inert(r.stderr)
    assert "␛" in r.stderr
    r = cli("--db", str(hostile_db), "show", "\x1b[2J\x1b]0;pwned\x07")
    assert r.exit_code == 1
    assert_inert(r.stderr)
    r = cli("--db", str(tmp_path / "no\x1b[31msuch\u202e.db"), "sources")
    assert r.exit_code == 2
    assert_inert(r.stderr)
    assert "no␛[31msuch<U+202E>.db" in r.stderr


def test_ambiguous_reference_lists_candidates_visibly(hostile_db):
    r = cli("--db", str(hostile_db), "show", "zed")
    assert r.exit_code == 1
    assert_inert(r.stderr)
    assert "agent-zero" in r.stderr and one_line(NAME) in r.stderr


def test_very_long_lines_render_in_bounded_time(hostile_db):
    import time

    started = time.monotonic()
    r = cli("--db", str(hostile_db), "source", "hostile")
    assert r.exit_code == 0 and "L" * 30_000 in r.stdout.replace("\n", "")
    assert time.monotonic() - started < 10


def test_safetext_covers_every_dangerous_character():
    """The table above trusts visible(); prove it on every code point that
    DANGEROUS names, one at a time."""
    for code in (
        list(range(0x00, 0x20))
        + list(range(0x7F, 0xA0))
        + [0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A), *range(0xE0000, 0xE0080)]
    ):
        ch = chr(code)
        out = visible(f"a{ch}b")
        if ch in "\t\n":
            assert out == f"a{ch}b"
        else:
            assert not DANGEROUS.search(out), hex(code)
            assert out != "ab", f"{hex(code)} was hidden, not made visible"
