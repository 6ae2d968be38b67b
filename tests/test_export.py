"""`kbtui export`: the shared framework (refusals, atomic writes, --force,
standard output) and the CSV folder."""

from __future__ import annotations

import csv
import errno
import os
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from kbtui.cli import main
from kbtui.kb import export_csv, exporting


def run(db: Path, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, ["--db", str(db), "export", *args], catch_exceptions=False)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_csv_writes_one_file_per_view_with_every_row(sample_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "kb-csv"
    r = run(sample_db, "--format", "csv", "--out", str(out), "--json")
    assert r.exit_code == 0, r.output
    conn = sqlite3.connect(sample_db)
    try:
        for name, sql in export_csv.FILES.items():
            with open(out / f"{name}.csv", encoding="utf-8", newline="") as fh:
                rows = list(csv.reader(fh))
            want = conn.execute(f"SELECT count(*) FROM ({sql})").fetchone()[0]
            assert len(rows) - 1 == want, name
    finally:
        conn.close()
    with open(out / "citations.csv", encoding="utf-8", newline="") as fh:
        first = next(csv.DictReader(fh))
    assert first["quote"] and first["source_id"]
    assert leftovers(tmp_path) == []


def test_exports_are_the_same_bytes_each_time(sample_db: Path, tmp_path: Path) -> None:
    run(sample_db, "--format", "csv", "--out", str(tmp_path / "a"))
    run(sample_db, "--format", "csv", "--out", str(tmp_path / "b"))
    for f in sorted((tmp_path / "a").iterdir()):
        assert f.read_bytes() == (tmp_path / "b" / f.name).read_bytes(), f.name


def test_a_cell_a_spreadsheet_would_run_is_quoted(tmp_path: Path, mini_db: Path) -> None:
    conn = sqlite3.connect(mini_db)
    conn.execute("UPDATE entities SET summary = '=HYPERLINK(\"x\")' WHERE id = (SELECT min(id) FROM entities)")
    conn.commit()
    conn.close()
    run(mini_db, "--format", "csv", "--out", str(tmp_path / "o"))
    assert "'=HYPERLINK" in (tmp_path / "o" / "entities.csv").read_text(encoding="utf-8")


def test_an_existing_destination_is_refused_unless_forced(sample_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "kb-csv"
    out.mkdir()
    (out / "mine.txt").write_text("keep me")
    r = run(sample_db, "--format", "csv", "--out", str(out))
    assert r.exit_code == 1 and "already exists" in r.stderr and "--force" in r.stderr
    assert (out / "mine.txt").read_text() == "keep me"
    r = run(sample_db, "--format", "csv", "--out", str(out), "--force")
    assert r.exit_code == 0 and (out / "roles.csv").is_file() and not (out / "mine.txt").exists()
    # a file where a folder would go (or the other way round) is not replaced even with --force
    (tmp_path / "file").write_text("x")
    r = run(sample_db, "--format", "csv", "--out", str(tmp_path / "file"), "--force")
    assert r.exit_code == 1 and "is a file" in r.stderr and (tmp_path / "file").read_text() == "x"
    assert leftovers(tmp_path) == []


def test_a_missing_or_unwritable_folder_is_refused(sample_db: Path, tmp_path: Path) -> None:
    r = run(sample_db, "--format", "csv", "--out", str(tmp_path / "nope" / "kb"))
    assert r.exit_code == 1 and "no folder" in r.stderr
    if os.geteuid() != 0:  # root writes anywhere
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        r = run(sample_db, "--format", "csv", "--out", str(locked / "kb"))
        assert r.exit_code == 1 and "not writable" in r.stderr


def test_a_full_disk_leaves_nothing_behind(sample_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = export_csv.write

    def fills_up(conn: sqlite3.Connection, folder: Path) -> dict[str, int]:
        real(conn, folder)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(export_csv, "write", fills_up)
    out = tmp_path / "kb-csv"
    r = run(sample_db, "--format", "csv", "--out", str(out))
    assert r.exit_code == 1 and "No space left on device" in r.stderr and "nothing was left behind" in r.stderr
    assert not out.exists() and leftovers(tmp_path) == []


def test_an_interrupted_file_export_keeps_the_old_file(sample_db: Path, tmp_path: Path) -> None:
    def breaks(conn: sqlite3.Connection, out: object) -> dict[str, int]:
        out.write("half")  # type: ignore[attr-defined]
        raise KeyboardInterrupt

    target = tmp_path / "kb.x"
    target.write_text("the old one")
    with pytest.raises(KeyboardInterrupt):
        exporting._into_file(target, lambda handle: breaks(None, handle))  # type: ignore[arg-type]
    assert target.read_text() == "the old one" and leftovers(tmp_path) == []


def test_csv_cannot_go_to_standard_output(sample_db: Path) -> None:
    r = run(sample_db, "--format", "csv", "--out", "-")
    assert r.exit_code == 1 and "folder" in r.stderr


def test_an_unknown_format_is_refused_by_name(sample_db: Path, tmp_path: Path) -> None:
    r = run(sample_db, "--format", "xlsx", "--out", str(tmp_path / "x"))
    assert r.exit_code == 2 and "xlsx" in r.stderr and "csv" in r.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("fmt", ["ftm", "csv"])
def test_a_place_no_file_can_be_made_is_said_of_out(
    sample_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    """The folder exists but refuses a new file (/proc, a read-only mount):
    one line about --out, never the hidden temporary's name."""

    def refused(*args: object, **kwargs: object) -> str:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(exporting.tempfile, "mkstemp", refused)
    monkeypatch.setattr(exporting.tempfile, "mkdtemp", refused)
    out = tmp_path / "kb.out"
    r = CliRunner().invoke(main, ["--db", str(sample_db), "export", "--format", fmt, "--out", str(out)])
    assert r.exit_code == 1
    assert f"--out {out}: cannot be written (Read-only file system)" in r.output
    assert ".part" not in r.output and "Traceback" not in r.output
    assert list(tmp_path.iterdir()) == []
