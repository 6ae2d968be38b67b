"""Writes go only where the user said: `kbtui import` never writes the
bundled sample by default, and file names built from data stay inside the
chosen directory."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from kbtui.cli import main
from kbtui.kb.paths import confined_path, sample_db_path, slug_name
from kbtui.kb.table_export import FORMATS, ExportRow
from kbtui.tui import data as tuidata


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_import_without_a_named_db_refuses_and_leaves_the_sample_alone(
    mini_bundle: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KBTUI_DB", raising=False)
    before = _digest(sample_db_path())
    result = CliRunner().invoke(main, ["import", str(mini_bundle)])
    assert result.exit_code == 2
    assert "none was named" in result.stderr and "--db" in result.stderr
    assert "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1
    assert _digest(sample_db_path()) == before


@pytest.mark.parametrize("where", ["global", "local", "env"])
def test_import_writes_the_named_db(mini_bundle: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str):
    target = tmp_path / "named.db"
    monkeypatch.delenv("KBTUI_DB", raising=False)
    args = {
        "global": ["--db", str(target), "import", str(mini_bundle)],
        "local": ["import", str(mini_bundle), "--db", str(target)],
        "env": ["import", str(mini_bundle)],
    }[where]
    if where == "env":
        monkeypatch.setenv("KBTUI_DB", str(target))
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert target.is_file()


@pytest.mark.parametrize(
    ("stem", "expected"),
    [
        ("chen-wenqing-roles", "chen-wenqing-roles"),
        ("../../../../tmp/x-roles", "tmp-x-roles"),
        ("/tmp/x", "tmp-x"),
        ("..", "export"),
        ("", "export"),
        (".hidden", "hidden"),
        ("a\\b\x1b]0;title\x07", "a-b-0-title"),
        ("Патрушев", "export"),
        ("x" * 300, "x" * 100),
        ("line\nbreak\r-roles", "line-break--roles"),  # one line, no control character
    ],
)
def test_slug_name(stem: str, expected: str) -> None:
    assert slug_name(stem) == expected


def test_confined_path_stays_inside_and_never_overwrites(tmp_path: Path) -> None:
    first = confined_path(tmp_path, "../../etc/passwd", ".csv")
    assert first.parent == tmp_path.resolve() and first.name == "etc-passwd.csv"
    first.write_text("taken")
    second = confined_path(tmp_path, "../../etc/passwd", ".csv")
    assert second.name == "etc-passwd-2.csv"
    (tmp_path / "link.csv").symlink_to(tmp_path / "nowhere")  # a dangling link is taken too
    assert confined_path(tmp_path, "link", ".csv").name == "link-2.csv"


def test_tui_export_of_a_hostile_id_lands_in_the_directory(tmp_path: Path, mini_db: Path) -> None:
    outside = tmp_path / "outside"
    inside = tmp_path / "inside"
    inside.mkdir()
    rows = [ExportRow(["1"])]
    written = tuidata.export_table(mini_db, inside, f"../outside/{'../' * 8}tmp/x-roles", ["a"], rows, FORMATS)
    assert [p.parent for p in written.paths] == [inside.resolve()] * 2
    assert written.paths[0].read_text(encoding="utf-8").splitlines() == ["a", "1"]
    assert not outside.exists()
