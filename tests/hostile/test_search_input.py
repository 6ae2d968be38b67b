"""Search input: any Unicode, FTS syntax characters, 10,000-character
queries are never an error, always a (possibly empty) result, in bounded
time. Property-based over arbitrary text, and through the CLI."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kbtui.kb import db, queries
from kbtui.kb.errors import NotFound
from kbtui.kb.search import Hit, search

from .conftest import cli

BOUND_S = 2.0  # one search, even of 10,000 characters, on the sample

PROPERTY = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(scope="module")
def conn(sample_db: Path) -> Iterator[sqlite3.Connection]:
    c = db.connect_readonly(sample_db)
    yield c
    c.close()


def _searched(conn: sqlite3.Connection, query: str, **kw) -> list[Hit]:
    started = time.monotonic()
    hits = search(conn, query, **kw)
    elapsed = time.monotonic() - started
    assert elapsed < BOUND_S, f"{elapsed:.2f} s for a {len(query)}-character query"
    assert isinstance(hits, list) and all(isinstance(h, Hit) for h in hits)
    assert all(0 <= h.score <= 100 for h in hits)
    assert len({h.id for h in hits}) == len(hits), "an entity listed twice"
    return hits


FTS_SYNTAX = [
    '"',
    '""',
    '"""',
    "*",
    "^",
    "^a",
    "a*",
    "NEAR(",
    "NEAR(a b",
    "NEAR(a b, 5)",
    "AND",
    "OR",
    "NOT",
    "a AND",
    "AND OR NOT",
    "(",
    ")",
    "((",
    "))",
    "(a",
    "a)",
    "a:b",
    "title:a",
    ":",
    "-",
    "+",
    "{a b}:c",
    "'",
    "''",
    "%",
    "_",
    "\\",
    'a"b',
    'chen* AND (wang OR "yi',
    "NEAR(chen",
    "\x00",
    "\x1b[31m",
    "[bold]",
    "*" * 200,
    "^" * 200,
    '"' * 201,
]


@pytest.mark.parametrize("query", FTS_SYNTAX)
def test_fts_syntax_is_never_an_error(conn, query):
    _searched(conn, query)
    _searched(conn, query + " patrushev")
    _searched(conn, "patrushev " + query)


def test_fts_syntax_around_a_name_still_finds_it(conn):
    for wrapped in ('"Patrushev"', "Patrushev*", "^Patrushev", "(Patrushev)", "Patrushev:"):
        assert "nikolai-patrushev" in [h.id for h in _searched(conn, wrapped)], wrapped


LONG = {
    "ascii letters": ("abcdefghij" * 1000),
    "one letter": "a" * 10_000,
    "a real name repeated": "Patrushev " * 1000,
    "CJK": "习近平" * 3334,
    "emoji": "😀" * 10_000,
    "combining marks": "a" + "\u0301" * 9999,
    "right-to-left": "\u202e" + "پوتین" * 2000,
    "FTS syntax": '"*^NEAR(AND OR NOT)(' * 500,
    "NUL": "\x00" * 10_000,
    "whitespace": " \t\n" * 3334,
    "digits": "1234567890" * 1000,
    "ligatures": "ﬃ" * 10_000,
    "fullwidth": "ＡＢＣ" * 3334,
    "mixed scripts": "Пaтрушев 帕特鲁舍夫 " * 667,
}


@pytest.mark.parametrize("name", list(LONG))
def test_ten_thousand_characters(conn, name):
    query = LONG[name]
    assert len(query) >= 10_000
    _searched(conn, query)
    _searched(conn, query, kind="person", limit=1000)


@given(query=st.text(max_size=300))
@PROPERTY
def test_any_text_gives_a_result(conn, query):
    _searched(conn, query)


@given(
    query=st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=60),
    kind=st.sampled_from([None, "person", "organisation", "event", "nonsense"]),
    limit=st.integers(min_value=1, max_value=1000),
)
@PROPERTY
def test_any_text_with_any_kind_and_limit(conn, query, kind, limit):
    hits = _searched(conn, query, kind=kind, limit=limit)
    assert len(hits) <= limit
    if kind is not None:
        assert all(h.kind == kind for h in hits)


@given(noise=st.text(alphabet="\"*^():-+{}' \\%_", max_size=20))
@PROPERTY
def test_fts_noise_around_a_name(conn, noise):
    _searched(conn, noise + "Wang Yi" + noise)


@given(ref=st.text(max_size=80))
@PROPERTY
def test_resolving_any_text_is_an_id_or_not_found(conn, ref):
    """`kbtui show REF` and the TUI resolve names with search: any text
    gives an id or a NotFound with candidates, nothing else."""
    try:
        entity_id = queries.resolve(conn, ref)
    except NotFound as exc:
        assert all({"id", "name"} <= c.keys() for c in exc.candidates)
    else:
        assert conn.execute("SELECT 1 FROM entities WHERE id = ?", (entity_id,)).fetchone()


@given(ref=st.text(max_size=40))
@settings(
    max_examples=100, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_source_lookup_with_wildcards_is_safe(conn, ref):
    """`kbtui source REF` looks up by LIKE: % and _ in REF are just text to
    the user; anything is a source or a NotFound."""
    try:
        src = queries.source(conn, ref)
    except NotFound:
        return
    assert "text" in src


@given(query=st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=100))
@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_cli_search_any_text(sample_db, query):
    r = cli("--db", str(sample_db), "search", "--json", "--", query)
    assert r.exit_code in (0, 1), r.stderr
    assert isinstance(json.loads(r.stdout), list)
    r = cli("--db", str(sample_db), "search", "--", query)
    assert r.exit_code in (0, 1) and "Traceback" not in r.stderr


@pytest.mark.parametrize("query", ["-", "--", "-x", "--json", '"', "NEAR(", "*", "\x1b[31m", "a" * 10_000])
def test_cli_search_odd_queries(sample_db, query):
    r = cli("--db", str(sample_db), "search", "--json", "--", query)
    assert r.exit_code in (0, 1), r.stderr
    assert isinstance(json.loads(r.stdout), list)
