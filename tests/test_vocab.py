"""kbtui.kb.vocab is the one home of the closed sets; schema.sql enforces
them. These tests fail the moment the two disagree, in either direction."""

from __future__ import annotations

import re

import pytest

from kbtui.kb import vocab
from kbtui.kb.paths import schema_path


def _check_in(table: str, column: str) -> tuple[str, ...]:
    """The values of `CHECK (column IN (...))` in table's CREATE TABLE."""
    sql = schema_path().read_text(encoding="utf-8")
    body = re.search(rf"CREATE TABLE {table} \((.*?)\n\)", sql, re.S)
    assert body, f"no CREATE TABLE {table} in schema.sql"
    found = re.search(rf"\b{column}\s+IN \(([^)]*)\)", body.group(1))
    assert found, f"no CHECK ({column} IN (...)) in {table}"
    return tuple(re.findall(r"'([^']*)'", found.group(1)))


@pytest.mark.parametrize(
    ("table", "column", "values"),
    [
        ("entities", "kind", vocab.ENTITY_KINDS),
        ("aliases", "kind", vocab.ALIAS_KINDS),
        ("relations", "type", vocab.RELATION_TYPES),
        ("events", "type", vocab.EVENT_TYPES),
        ("roles", "status", vocab.ROLE_STATUSES),
        ("claims", "kind", vocab.CLAIM_KINDS),
        ("citations", "anchor", vocab.ANCHOR_METHODS),
        ("citations", "stance", vocab.STANCES),
        ("citations", "certainty", vocab.CERTAINTIES),
        ("citations", "mode", vocab.MODES),
        ("sources", "date_basis", vocab.DATE_BASES),
        ("properties", "property", vocab.PROPERTIES),
    ],
)
def test_closed_sets_match_schema_sql(table: str, column: str, values: tuple[str, ...]) -> None:
    assert sorted(_check_in(table, column)) == sorted(values)
    assert len(set(values)) == len(values)


def test_id_rule_matches_schema_sql() -> None:
    sql = schema_path().read_text(encoding="utf-8")
    assert f"length(id) BETWEEN 1 AND {vocab.MAX_ID}" in sql
    assert vocab.SLUG.match("chen-wenqing") and not vocab.SLUG.match("Chen Wenqing")


def test_every_kind_has_a_badge() -> None:
    from kbtui.tui.look import KIND_COLOUR, KIND_LABELS

    assert set(KIND_LABELS) == set(vocab.ENTITY_KINDS) == set(KIND_COLOUR)


def test_cli_kind_choice_is_the_vocabulary() -> None:
    from kbtui.cli import main

    search = main.commands["search"]
    kind = next(p for p in search.params if p.name == "kind")
    assert tuple(kind.type.choices) == vocab.ENTITY_KINDS  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("start", "end", "status", "table", "compact", "iso"),
    [
        ("2008", "2024", None, "2008–2024", "2008–2024", "2008/2024"),
        ("2008", None, "current", "2008–now", "2008", "2008"),
        ("2008", None, "former", "2008–", "2008", "2008"),
        (None, "2024", None, "–2024", "–2024", "?/2024"),
        ("2024-04-20", "2024-04-28", None, "2024-04-20–2024-04-28", "2024-04-20–04-28", "2024-04-20/2024-04-28"),
        ("2024-04", "2024-04", None, "2024-04", "2024-04", "2024-04"),
        (None, None, None, "", "", None),
    ],
)
def test_date_forms(
    start: str | None, end: str | None, status: str | None, table: str, compact: str, iso: str | None
) -> None:
    assert vocab.date_range(start, end, status) == table
    assert vocab.compact_range(start, end) == compact
    assert vocab.iso_interval(start, end) == iso


def test_iso_prefix() -> None:
    assert all(vocab.is_iso_prefix(d) for d in ("2024", "2024-04", "2024-04-20"))
    assert not any(vocab.is_iso_prefix(d) for d in ("24", "2024-4", "2024/04", "April 2024", "2024-04-20T10"))
