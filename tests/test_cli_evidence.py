"""The v3 evidence keys in every command's JSON, and the tables that show
them, on the timeline bundle of tests/test_evidence.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kbtui.cli import main
from kbtui.kb.importer import import_bundle

from .test_evidence import write_bundle

CITATION_KEYS = {"as_of", "as_of_note", "stance", "certainty", "mode", "speaker"}


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_bundle(tmp_path_factory.mktemp("cli-evidence") / "bundle")
    path = root.parent / "kb.db"
    import_bundle(root, path)
    return path


def _run(kb: Path, *args: str) -> Result:
    result = CliRunner().invoke(main, ["--db", str(kb), *args], catch_exceptions=False, env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result


def _json(kb: Path, *args: str) -> object:
    return json.loads(_run(kb, *args, "--json").stdout)


def test_show_json_has_properties_and_dated_citations(kb: Path) -> None:
    data = _json(kb, "show", "board")
    assert isinstance(data, dict)
    (prop,) = [p for p in data["properties"] if p["property"] == "nationality"]
    assert prop["value"] == "ruritania" and prop["citations"][0]["certainty"] == "inferred"
    for role in data["roles"]:
        assert set(role["attested"]) == {"first", "last"}
        assert isinstance(role["independent_sources"], int)
        for c in role["citations"]:
            assert set(c) >= CITATION_KEYS


def test_roles_json_as_of_gives_each_role_its_state(kb: Path) -> None:
    rows = _json(kb, "roles", "--as-of", "2024-06")
    assert isinstance(rows, list)
    by_id = {r["id"]: r for r in rows}
    assert by_id["ann-board"]["at"] == {"date": "2024-06", "state": "last-attested", "days_before": 1}
    assert by_id["ann-board"]["attested"] == {"first": "2020-05-10", "last": "2024-05"}
    assert by_id["gus-port"]["at"]["state"] == "ended"
    assert "at" not in _json(kb, "roles")[0]  # type: ignore[index]


def test_roles_table_says_last_attested_not_current(kb: Path) -> None:
    out = _run(kb, "roles", "--holder", "ann-lee", "--as-of", "2025").stdout
    assert "last attested 2024-05" in out and "current" not in out
    out = _run(kb, "roles", "--holder", "ann-lee").stdout
    assert "as of 2024-05" in out


def test_roles_as_of_refuses_an_impossible_date(kb: Path) -> None:
    result = CliRunner().invoke(main, ["--db", str(kb), "roles", "--as-of", "2024-02-30"])
    assert result.exit_code == 2 and "February 2024 has no day 30" in result.stderr


def test_cite_json_and_text_show_stance_certainty_mode_speaker(kb: Path) -> None:
    rows = _json(kb, "roles", "--holder", "dee-fox")
    assert isinstance(rows, list)
    cid = rows[0]["citations"][0]["id"]
    data = _json(kb, "cite", str(cid))
    assert isinstance(data, dict)
    assert data["certainty"] == "likely" and data["speaker"] == {"id": "bob-ray", "name": "Bob Ray"}
    assert data["as_of"] == "2024-05" and data["stance"] == "supports" and data["mode"] == "asserts"
    out = _run(kb, "cite", str(cid)).stdout
    assert "as of 2024-05" in out and "likely" in out and "said by Bob Ray" in out


def test_sources_json_has_date_basis_bounds_and_relays(kb: Path) -> None:
    rows = _json(kb, "sources")
    assert isinstance(rows, list)
    by_id = {r["id"]: r for r in rows}
    assert by_id["c"]["relays"] == "b" and by_id["c"]["date_basis"] == "repost"
    assert by_id["c"]["not_after"] == "2025-06-24" and by_id["b"]["date_basis"] == "byline"
    assert by_id["d"]["origin"] == "The Herald report on the Mint"
    assert "undated (?…2025-06-24)" in _run(kb, "sources").stdout


def test_conflicts_json_lists_both_sides_errata_and_disputed(kb: Path) -> None:
    data = _json(kb, "conflicts")
    assert isinstance(data, dict)
    (conflict,) = data["conflicts"]
    assert {s["id"] for s in conflict["claims"]} == {"cy-board", "ann-board-acting"}
    assert all(s["citations"] for s in conflict["claims"])
    assert data["errata"][0]["quote"] == "Cy Dunn does not head the Board"
    assert {"claim_id": "cy-board", "claim": "Cy Dunn: Head of Board", "why": "a citation contradicts it"} in data[
        "disputed"
    ]


def test_conflicts_table_quotes_both_sides(kb: Path) -> None:
    out = _run(kb, "conflicts").stdout
    assert "one head at a time" in out
    assert "Cy Dunn does not head the Board" in out and "Ann Lee heads the Board" in out
    assert "contradicts" in out and "Errata" in out


def test_conflicts_on_a_kb_without_any(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    assert CliRunner().invoke(main, ["init", str(path)]).exit_code == 0
    assert json.loads(_run(path, "conflicts", "--json").stdout) == {"conflicts": [], "errata": [], "disputed": []}
    assert "no conflicts" in _run(path, "conflicts").stdout


def test_show_refuses_a_descriptor_as_a_name(kb: Path) -> None:
    result = CliRunner().invoke(main, ["--db", str(kb), "show", "the Board's chief"])
    assert result.exit_code != 0
    assert "ann-lee" in result.output  # offered as a candidate, not chosen
