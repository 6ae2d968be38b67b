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
  entities reads for minutes), closed at the end;
- confidential sources: with `redact`, the writer reads a redacted copy
  of the KB instead (kbtui.kb.redact: why a copy and not views, and what a
  confidential source becomes), so every format, present and future, is
  redacted without knowing it. The copy is made only when the KB has a
  confidential source, in a hidden folder beside the output (standard
  output: in TMPDIR), and removed at the end: it costs the time and the
  disk space of one copy of the KB file. Without `redact`, Exported says
  how many confidential sources went out as they are.

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
from typing import NoReturn, TextIO

from kbtui.kb import db
from kbtui.kb import redact as redaction
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
    confidential: int = 0  # confidential sources in the KB
    redacted: int = 0  # of those, left out (all of them with redact, else none)

    def as_dict(self) -> dict[str, object]:
        return {
            "format": self.format,
            "path": self.path,
            "counts": self.counts,
            "bytes": self.bytes,
            "confidential": self.confidential,
            "redacted": self.redacted,
        }


def export(kb: Path, format_name: str, out: Path | str, force: bool = False, redact: bool = False) -> Exported:
    """Write the KB at `kb` as `format_name` to `out` ("-": standard output,
    for the formats written as one file); with `redact`, every confidential
    source redacted (see kbtui.kb.redact)."""
    fmt = FORMATS.get(format_name)
    if fmt is None:
        raise ExportFailed(f"--format: {format_name!r} is not a format", f"one of {', '.join(sorted(FORMATS))}")
    writer = fmt.load()
    if str(out) == "-":
        if fmt.folder:
            raise ExportFailed("--out -: CSV is a folder of files", "give a folder name: --out kb-csv")
        with _snapshot(kb, redact, None) as (conn, confidential):
            counts = writer(conn, sys.stdout)  # type: ignore[arg-type]
        return Exported(fmt.name, "-", counts, 0, confidential, confidential if redact else 0)
    target = Path(out)
    _check_target(target, fmt, force)
    with _snapshot(kb, redact, target.parent if str(target.parent) else Path(".")) as (conn, confidential):
        if fmt.folder:
            counts = _into_folder(target, lambda tmp: writer(conn, tmp))  # type: ignore[arg-type]
            size = sum(p.stat().st_size for p in target.iterdir())
        else:
            counts = _into_file(target, lambda handle: writer(conn, handle))  # type: ignore[arg-type]
            size = target.stat().st_size
    return Exported(fmt.name, str(target), counts, size, confidential, confidential if redact else 0)


@contextlib.contextmanager
def _snapshot(kb: Path, redact: bool, scratch: Path | None) -> Iterator[tuple[sqlite3.Connection, int]]:
    """The connection a writer reads, and how many sources are confidential.
    With `redact` and a confidential source, the connection reads a
    redacted copy made from the snapshot, in `scratch` (None: TMPDIR)."""
    conn = db.connect_readonly(kb, snapshot=True, timeout=float("inf"))
    try:
        confidential = redaction.confidential_count(conn)
        if redact and confidential:
            with redaction.redacted_reader(conn, scratch) as redacted:
                conn.close()  # (the copy is the snapshot now: the KB's readers lock goes)
                yield redacted, confidential
        else:
            yield conn, confidential
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
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent or ".")
    except OSError as exc:  # no such folder, no permission: said of --out, not of the temporary
        _reraise(exc, target)
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
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent or "."))
    except OSError as exc:
        _reraise(exc, target)
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


def _reraise(exc: BaseException, target: Path) -> NoReturn:
    if isinstance(exc, OSError):
        raise ExportFailed(
            f"--out {target}: cannot be written ({exc.strerror or exc})",
            "nothing was left behind; free space or choose another place",
        ) from exc
    raise exc
