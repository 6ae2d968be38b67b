"""`kbtui sql` output is exact and safe: strict JSON (no Infinity/NaN
literals), BLOBs as base64 in every format, invisible characters marked in
tables, and CSV made visible on a terminal but byte-exact when piped."""

from __future__ import annotations

import base64
import json

import pytest

from .conftest import cli

OVERFLOW = "SELECT 1e999 AS big, -1e999 AS small, 0.5 AS half"
BLOB = "SELECT x'00ff10' AS b"
INVISIBLE = {"\u00ad": "U+00AD", "\u034f": "U+034F", "\u115f": "U+115F", "\u3164": "U+3164", "\u200b": "U+200B"}


def _strict(text: str) -> object:
    def refuse(name: str) -> object:
        raise AssertionError(f"{name} is not JSON")

    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize("fmt", ["--json", "--nl"])
def test_non_finite_numbers_are_strings_in_strict_json(sample_db, fmt):
    r = cli("--db", str(sample_db), "sql", OVERFLOW, fmt)
    assert r.exit_code == 0
    first = r.stdout.splitlines()[0]
    row = _strict(r.stdout)[0] if fmt == "--json" else _strict(first)
    assert row == {"big": "Infinity", "small": "-Infinity", "half": 0.5}


@pytest.mark.parametrize("fmt", ["--json", "--nl", "--csv", "--tsv", "--table"])
def test_a_blob_is_base64_in_every_format(sample_db, fmt):
    r = cli("--db", str(sample_db), "sql", BLOB, fmt)
    assert r.exit_code == 0
    encoded = base64.b64encode(b"\x00\xff\x10").decode()
    assert encoded in r.stdout and "\\x00" not in r.stdout and "b'" not in r.stdout


@pytest.mark.parametrize(("ch", "mark"), sorted(INVISIBLE.items()))
def test_invisible_characters_are_marked_in_tables(sample_db, ch, mark):
    r = cli("--db", str(sample_db), "sql", f"SELECT 'a' || char({ord(ch)}) || 'b' AS name")
    assert r.exit_code == 0
    assert f"a<{mark}>b" in r.stdout and ch not in r.stdout


def test_csv_is_byte_exact_when_piped_and_visible_on_a_terminal(sample_db, monkeypatch):
    query = "SELECT 'x' || char(27) || ']0;pwned' || char(7) || 'y' AS v"
    piped = cli("--db", str(sample_db), "sql", query, "--csv")
    assert piped.stdout == "v\nx\x1b]0;pwned\x07y\n"
    monkeypatch.setattr("kbtui.cli.output.to_terminal", lambda: True)
    shown = cli("--db", str(sample_db), "sql", query, "--csv")
    assert "\x1b" not in shown.stdout and "\x07" not in shown.stdout and "␛]0;pwned␇" in shown.stdout
