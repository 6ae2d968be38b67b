"""The entity pane's rows, built without an app: pure functions of the
data layer's dicts (kbtui.tui.widgets.claim_rows)."""

from __future__ import annotations

from pathlib import Path

from kbtui.kb import db, queries
from kbtui.kb.models import Entity
from kbtui.tui.look import Look
from kbtui.tui.widgets.claim_rows import (
    EXPORT_HEADERS,
    event_section,
    relation_section,
    role_columns,
    role_rows,
    source_section,
)


def _show(path: Path, entity_id: str) -> Entity:
    with db.reading(path) as conn:
        return queries.show(conn, entity_id)


def test_a_person_lists_organisations_and_an_organisation_its_people(sample_db: Path) -> None:
    chen = _show(sample_db, "chen-wenqing")
    assert role_columns(False, True) == ["Attested", "Title", "Organisation", "Dates", "Cites"]
    assert role_columns(True, False) == ["Attested", "Holder", "Title", "Cites"]
    rows = role_rows(chen["roles"], Look(), in_it=False, with_dates=False, today="2024-06-01")
    assert len(rows) == len(chen["roles"])
    for (cells, info), role in zip(rows, chen["roles"], strict=True):
        assert len(cells) == 4
        assert info.claim is role
        assert info.link == (role["organisation"]["id"], role["organisation"]["name"])
        assert len(info.export) == len(EXPORT_HEADERS["roles"])
        assert info.summary.startswith("Chen Wenqing — ")


def test_relations_read_from_the_entity_shown(sample_db: Path) -> None:
    patrushev = _show(sample_db, "nikolai-patrushev")
    columns, rows = relation_section(patrushev["relations"], Look(), "nikolai-patrushev")
    assert columns[:2] == ["Relation", "With"]
    for (cells, info), rel in zip(rows, patrushev["relations"], strict=True):
        outgoing = rel["subject"]["id"] == "nikolai-patrushev"
        other = rel["object"] if outgoing else rel["subject"]
        verb = rel["type"].replace("-", " ")
        assert str(cells[0]).startswith(f"{verb} →" if outgoing else f"← {verb}")
        assert info.link == (other["id"], other["name"])
        assert len(info.export) == len(EXPORT_HEADERS["relations"])


def test_events_have_a_row_per_other_participant(sample_db: Path) -> None:
    chen = _show(sample_db, "chen-wenqing")
    _, rows = event_section(chen["events"], Look(), "chen-wenqing")
    others = sum(1 for ev in chen["events"] for p in ev["participants"] if p["id"] != "chen-wenqing")
    assert len(rows) == len(chen["events"]) + others
    participations = [info for _, info in rows if info.summary and " took part in " in info.summary]
    assert len(participations) == others
    assert all(info.claim is not None and info.claim["citations"] for info in participations)
    assert all(len(info.export) == len(EXPORT_HEADERS["events"]) for _, info in rows)


def test_sources_open_at_the_entity(sample_db: Path) -> None:
    chen = _show(sample_db, "chen-wenqing")
    columns, rows = source_section(chen["sources"], Look(), "chen-wenqing")
    assert columns == ["Source", "Outlet", "Names"]
    assert [info.source_id for _, info in rows] == [s["id"] for s in chen["sources"]]
    assert all(info.focus_entity == "chen-wenqing" and info.claim is None for _, info in rows)
