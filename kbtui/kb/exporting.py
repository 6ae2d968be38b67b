"""`kbtui export`: the whole KB in another format, written safely.

Each format is a writer that streams rows from one read snapshot of the
KB, in a stable order (the same KB gives the same bytes), into a file
(or, for CSV, a folder). This module does what every format shares:

- the destination: refused if it exists unless `force`; a file name
  built from data goes through paths.confined_path;
- atomic writing: into a hidden temporary beside the destination, renamed
  over it only when complete, removed on any failure (a full disk, an
  interrupt), so a failed export leaves nothing behind and never half
  replaces an earlier one;
- one read snapshot without a time limit (an export of a million
  entities reads for minutes), closed at the end.

The writers are kbtui.kb.export_*; they return what they wrote, counted.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from kbtui.kb import db
from kbtui.kb.errors import KBError

Counts = dict[str, int]
FileWriter = Callable[[sqlite3.Connection, TextIO], Counts]
FolderWriter = Callable[[sqlite3.Connection, Path], Counts]


class ExportFailed(KBError):
    exit_code = 1


@dataclass(frozen=True)
class Format:
    name: str
    suffix: str  # of the file written ("" for a folder)
    what: str  # for --help
    load: Callable[[], FileWriter | FolderWriter]  # imported when used: a format's code is paid for only then
    folder: bool = False


def _annotations() -> FileWriter:
    from kbtui.kb.export_annotations import write

    return write


def _gexf() -> FileWriter:
    from kbtui.kb.export_graph import write_gexf

    return write_gexf


def _dot() -> FileWriter:
    from kbtui.kb.export_graph import write_dot

    return write_dot


def _ftm() -> FileWriter:
    from kbtui.kb.export_ftm import write

    return write


def _csv() -> FolderWriter:
    from kbtui.kb.export_csv import write

    return write


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("csv", "", "a folder of CSV files, one per view (roles, relations, events, citations…)", _csv, True),
        Format("ftm", ".ftm.json", "FollowTheMoney entities, sources as Documents, citations kept", _ftm),
        Format("gexf", ".gexf", "a graph for Gephi: entities as nodes, claims as edges", _gexf),
        Format("dot", ".dot", "the same graph for Graphviz", _dot),
        Format("annotations", ".jsonld", "W3C Web Annotations: one per citation, quote and position", _annotations),
    )
}


@dataclass
class Exported:
    format: str
    path: str  # "-" for standard output
    counts: Counts = field(default_factory=dict)
    bytes: int = 0

    def as_dict(self) -> dict[str, object]:
        return {"format": self.format, "path": self.path, "counts": self.counts, "bytes": self.bytes}


def export(kb: Path, format_name: str, out: Path | str, force: bool = False) -> Exported:
    """Write the KB at `kb` as `format_name` to `out` ("-": standard output,
    for the formats written as one file)."""
    fmt = FORMATS.get(format_name)
    if fmt is None:
        raise ExportFailed(f"--format: {format_name!r} is not a format", f"one of {', '.join(sorted(FORMATS))}")
    writer = fmt.load()
    if str(out) == "-":
        if fmt.folder:
            raise ExportFailed("--out -: CSV is a folder of files", "give a folder name: --out kb-csv")
        with _snapshot(kb) as conn:
            counts = writer(conn, sys.stdout)  # type: ignore[arg-type]
        return Exported(fmt.name, "-", counts)
    target = Path(out)
    _check_target(target, fmt, force)
    with _snapshot(kb) as conn:
        if fmt.folder:
            counts = _into_folder(target, lambda tmp: writer(conn, tmp))  # type: ignore[arg-type]
            size = sum(p.stat().st_size for p in target.iterdir())
        else:
            counts = _into_file(target, lambda handle: writer(conn, handle))  # type: ignore[arg-type]
            size = target.stat().st_size
    return Exported(fmt.name, str(target), counts, size)


@contextlib.contextmanager
def _snapshot(kb: Path) -> Iterator[sqlite3.Connection]:
    conn = db.connect_readonly(kb, snapshot=True, timeout=float("inf"))
    try:
        yield conn
    finally:
        conn.close()


def _check_target(target: Path, fmt: Format, force: bool) -> None:
    if target.exists() or target.is_symlink():
        if not force:
            raise ExportFailed(f"--out {target}: already exists", "choose another name, or pass --force to replace it")
        if fmt.folder != target.is_dir() or target.is_symlink():
            kind = "a folder" if target.is_dir() else "a file"
            raise ExportFailed(
                f"--out {target}: is {kind}, and {fmt.name} writes {'a folder' if fmt.folder else 'a file'}",
                "choose another name (--force replaces only what this format writes)",
            )
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise ExportFailed(f"--out {target}: no folder {parent}", "create it first, or choose another place")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ExportFailed(f"--out {target}: {parent} is not writable", "choose a folder you can write in")


def _into_file(target: Path, write: Callable[[TextIO], Counts]) -> Counts:
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent or ".")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            counts = write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        _reraise(exc, target)
    return counts


def _into_folder(target: Path, write: Callable[[Path], Counts]) -> Counts:
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent or "."))
    try:
        counts = write(tmp)
        os.chmod(tmp, 0o755)
        if target.exists():  # --force: the old folder goes only once the new one is complete
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent or "."))
            os.replace(target, old / target.name)
            os.replace(tmp, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, target)
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        _reraise(exc, target)
    return counts


def _reraise(exc: BaseException, target: Path) -> None:
    if isinstance(exc, OSError):
        raise ExportFailed(
            f"--out {target}: cannot be written ({exc.strerror or exc})",
            "nothing was left behind; free space or choose another place",
        ) from exc
    raise exc
