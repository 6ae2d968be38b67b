"""One curation command's session: the bundle locked, the KB in a write
transaction, the files it changes staged, what it did (Change) logged in
the KB and the bundle; the helpers every curation command shares.
kbtui.kb.curate and kbtui.kb.versions are the commands."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from kbtui.kb import bundle as bundle_mod
from kbtui.kb import db, importer, tomlw, transact
from kbtui.kb.errors import ImportFailed
from kbtui.kb.sink import Report, Sink

KB_FILE, SOURCES_FILE, LOG_FILE = "kb.toml", "sources.toml", "log.jsonl"


@dataclass
class Change:
    """What one curation command did (`--json` prints as_dict())."""

    action: str
    table: str
    id: str
    bundle: str
    files: list[str] = field(default_factory=list)
    diff: str = ""
    record: dict[str, Any] = field(default_factory=dict)
    citations: list[dict[str, Any]] = field(default_factory=list)
    similar: list[dict[str, Any]] = field(default_factory=list)
    write_id: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "table": self.table,
            "id": self.id,
            "bundle": self.bundle,
            "files": self.files,
            "record": self.record,
            "citations": self.citations,
            "similar": self.similar,
            "diff": self.diff,
            "write_id": self.write_id,
        }


class Session:
    """One curation command: the bundle locked, the KB in a write
    transaction, the files it changes staged until commit."""

    def __init__(self, bundle: Path, kb: Path, conn: sqlite3.Connection, input_id: str, shown: str = "") -> None:
        self.bundle, self.kb, self.conn, self.input_id = bundle, kb, conn, input_id
        self.shown = shown or str(bundle)  # the bundle as the user named it, for messages
        self.write = transact.Write(bundle)
        self.known = importer.kb_kinds(conn)
        self.logged: list[dict[str, Any]] = []
        self.read_files: dict[str, str] = {}

    def read(self, rel: str) -> str:
        """A bundle file as this command sees it: what it staged, else the
        file (read once: the checks of one command ask for it often)."""
        staged = self.write.files.get(rel)
        if staged is not None:
            return staged.decode("utf-8")
        if rel in self.read_files:
            return self.read_files[rel]
        path = self.bundle / rel
        try:
            self.read_files[rel] = path.read_text(encoding="utf-8")
            return self.read_files[rel]
        except FileNotFoundError:
            raise ImportFailed(
                f"{path}: missing; {self.bundle} is not a bundle", f"create one with `kbtui new {self.bundle}`"
            ) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ImportFailed(f"{path}: cannot be read ({exc})", "check the file") from exc

    def put(self, rel: str, text: str) -> None:
        self.write.put(rel, text)

    def store(self, chunk: bundle_mod.Bundle) -> Report:
        """Write the checked tables' rows into the KB (no other rows change)."""
        return importer.write_in(self.conn, chunk, input_id=self.input_id, location=str(self.bundle), full=False)

    def sink(self) -> Sink:
        return Sink(self.conn, self.input_id, "bundle", str(self.bundle))

    def log(self, change: Change, rel: str) -> None:
        entry = {
            "at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "user": user_name(),
            "action": change.action,
            "target": f"{change.table} {change.id}",
            "file": rel,
            "diff": change.diff,
            "write_id": self.write.id,
        }
        self.conn.execute(
            "INSERT INTO log (at, user, action, target, file, diff, input_id, write_id)"
            " VALUES (:at, :user, :action, :target, :file, :diff, :input_id, :write_id)",
            {**entry, "input_id": self.input_id},
        )
        self.logged.append(entry)
        change.write_id = self.write.id
        change.files = sorted(self.write.files)

    def commit(self) -> None:
        if self.logged:
            old = self.read(LOG_FILE) if (self.bundle / LOG_FILE).exists() or LOG_FILE in self.write.files else ""
            self.put(LOG_FILE, old + "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in self.logged))
        self.write.commit(self.conn, self.kb)


@contextmanager
def session(
    bundle: Path, kb: Path, input_id: str | None = None, create: bool = False, owned: bool = False
) -> Iterator[Session]:
    """Lock `bundle`, open `kb` for writing; commit what the body staged
    when it returns, change nothing when it raises. `owned`: the KB named
    the input (rm, edit, add version), so the folder is that input's even if
    it moved; otherwise an input id another folder uses is refused."""
    shown = str(bundle)
    bundle = Path(bundle).resolve()
    if not create and not (bundle / KB_FILE).is_file():
        raise ImportFailed(
            f"{bundle}: not a bundle (no {KB_FILE})", f"create one with `kbtui new {bundle}`, or check --bundle"
        )
    name = importer.checked_input(input_id or importer.input_name(bundle.name))
    with transact.locked(bundle):
        conn = db.connect_writable(kb, create=create)
        try:

            def run() -> Session:
                conn.execute("BEGIN IMMEDIATE")
                if not owned:
                    _same_bundle(conn, name, bundle, create)
                return Session(bundle, Path(kb), conn, name, shown)

            s = importer.mapped(Path(kb), run)
            try:
                yield s
                importer.mapped(Path(kb), s.commit)
            finally:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
        finally:
            conn.close()


def _same_bundle(conn: sqlite3.Connection, input_id: str, bundle: Path, create: bool) -> None:
    """Refuse to write as an input that is another folder's: its rows would
    be this bundle's, and an import of either with --prune would delete the
    other's."""
    row = conn.execute("SELECT kind, location FROM inputs WHERE id = ?", (input_id,)).fetchone()
    if row is None:
        return
    kind, location = row
    # a bundle folder that moved is still its input: only another folder
    # that is a bundle now (or another kind of input) is someone else's
    same = bool(location) and Path(location).resolve() == bundle
    other = bool(location) and not same and (Path(location) / KB_FILE).is_file()
    if kind != "bundle" or other or (create and not same):
        where = f"a {kind} input" + (f" imported from {location}" if location else "")
        raise ImportFailed(
            f"the KB already has input `{input_id}`, {where}; this bundle would take its rows over",
            "name this bundle's input with --input NAME (or curate that bundle with --bundle "
            + (location or "…")
            + ")",
        )


def home(what: str, owner: str, location: str, bundle: Path | None) -> Path:
    """The folder of bundle input `owner`, which `what` belongs to: `bundle`
    if the curator gave one, else where the KB says it was imported from."""
    where = Path(bundle) if bundle else Path(location)
    if not (where / KB_FILE).is_file():
        raise ImportFailed(
            f"{what} belongs to bundle input `{owner}`, last imported from {location!r}, which is not a"
            " bundle folder here",
            "pass --bundle PATH (the folder it was imported from)",
        )
    return where


@cache
def user_name() -> str:
    """Who is curating: git's user.name, else $USER."""
    try:
        out = subprocess.run(
            ["git", "config", "user.name"], capture_output=True, text=True, timeout=2, check=False
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        out = ""
    return out or os.environ.get("USER") or os.environ.get("USERNAME") or "unknown"


def checked(
    s: Session, kb_text: str, sources_text: str | None = None, staged: dict[str, bytes] | None = None
) -> bundle_mod.Bundle:
    try:
        return bundle_mod.check_tables(s.bundle, s.known, kb_text, sources_text, staged)
    except bundle_mod.BundleError as exc:
        # the lines are those of the table as it would be written: drop them
        problems = [re.sub(r"^\S+?\.toml:\d+: ", "", p) for p in exc.problems]
        raise ImportFailed("; ".join(problems), "nothing was written; fix the options and retry") from exc


def log_entries(conn: sqlite3.Connection, limit: int = 50, input_id: str | None = None) -> list[dict[str, Any]]:
    """The newest `limit` log rows (of one input, if given), newest first."""
    where, args = ("WHERE input_id = ?", (input_id, limit)) if input_id else ("", (limit,))
    return [
        dict(r)
        for r in conn.execute(
            f"SELECT id, at, user, action, target, file, input_id, diff FROM log {where} ORDER BY id DESC LIMIT ?", args
        )
    ]


def added(new_text: str, block: str) -> str:
    first = new_text.count("\n", 0, len(new_text) - len(block)) + 1
    return hunk(first, "", block)


def hunk(first: int, before: str, after: str) -> str:
    """A unified-diff hunk for one table replaced at line `first`."""
    old = [line.removesuffix("\n") for line in tomlw.lines_of(before)]
    new = [line.removesuffix("\n") for line in tomlw.lines_of(after)]
    head = f"@@ -{first},{len(old)} +{first},{len(new)} @@"
    return "\n".join([head, *(f"-{x}" for x in old), *(f"+{x}" for x in new)]) + "\n"
