"""One curation write: bundle files and KB change together or not at all.

A curation command changes files of a bundle (kb.toml, sources.toml, a
text) and the KB built from it. SQLite makes the KB side atomic; the files
are made atomic with it by a write-ahead record in the bundle:

 1. the bundle is locked (flock on `.kbtui/lock`): one curator at a time;
    the KB's own write lock (BEGIN IMMEDIATE) is taken by the caller;
 2. the KB is changed inside its transaction (not committed);
 3. under `.kbtui/pending/<write id>/` the new files and copies of the old
    ones are written and synced, then `intent.json` naming them;
 4. the new files are renamed into place;
 5. the KB transaction commits, with the log rows carrying the write id;
 6. the pending folder is removed.

A crash (kill -9, power cut) anywhere leaves a pending folder, and the next
write to the bundle (or an import of it) settles it first: if the KB holds
the write id, the write happened and the new files are put in place (again);
if not, SQLite rolled the KB back, and so are the files. Without an intent
(a crash in step 3) nothing was renamed yet: the folder is just removed.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import sqlite3
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from kbtui.kb import db
from kbtui.kb.errors import ImportFailed

STATE = ".kbtui"
LOCK_TIMEOUT_S = 10.0


@contextmanager
def locked(bundle: Path) -> Iterator[None]:
    """Hold the bundle's lock; settle any write a crash left half done."""
    state = bundle / STATE
    try:
        state.mkdir(exist_ok=True)
        ignore = state / ".gitignore"
        if not ignore.exists():  # the lock and half-done writes are not the bundle's content
            ignore.write_text("*\n", encoding="utf-8")
        fd = os.open(state / "lock", os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise ImportFailed(
            f"{bundle}: cannot be locked for writing ({exc.strerror})", "check that the bundle folder is writable"
        ) from exc
    try:
        _wait_for_lock(fd, bundle)
        recover(bundle)
        yield
    finally:
        os.close(fd)  # releases the lock


@contextmanager
def settled(bundle: Path) -> Iterator[None]:
    """For an import of `bundle`: hold its lock, with any half-done write
    settled, if it has ever been curated (a bundle never curated, perhaps on
    a read-only disk, gets no state folder)."""
    if not (bundle / STATE).is_dir():
        yield
        return
    with locked(bundle):
        yield


def _wait_for_lock(fd: int, bundle: Path) -> None:
    deadline = time.monotonic() + min(LOCK_TIMEOUT_S, db.busy_timeout() or 0.0)
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise ImportFailed(
                    f"{bundle}: is locked by another curation command; nothing was written",
                    "wait for it to finish and retry",
                ) from None
            time.sleep(0.05)


class Write:
    """The files one curation command changes, staged until commit."""

    def __init__(self, bundle: Path) -> None:
        self.bundle = bundle
        self.id = uuid.uuid4().hex
        self.files: dict[str, bytes] = {}  # path relative to the bundle -> new content

    def put(self, rel: str, data: bytes | str) -> None:
        self.files[rel] = data.encode("utf-8") if isinstance(data, str) else data

    def commit(self, conn: sqlite3.Connection, kb_path: Path) -> None:
        """Steps 3-6 above; `conn` is inside the KB transaction holding
        this write's changes and log rows."""
        folder = self.bundle / STATE / "pending" / self.id
        (folder / "new").mkdir(parents=True)
        absent: list[str] = []
        for rel, data in self.files.items():
            _write_synced(folder / "new" / rel, data)
            target = self.bundle / rel
            if target.exists():
                (folder / "old" / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(target, folder / "old" / rel)
                fsync(folder / "old" / rel)
            else:
                absent.append(rel)
        intent: dict[str, Any] = {
            "write_id": self.id,
            "kb": str(kb_path.resolve()),
            "files": sorted(self.files),
            "absent": absent,
        }
        _write_synced(folder / "intent.json", json.dumps(intent).encode())
        _fsync_dir(folder)
        try:
            for rel in self.files:
                _place(self.bundle, rel, folder / "new" / rel)
            conn.execute("COMMIT")
        except BaseException:
            # a full disk or Ctrl-C mid-rename, a COMMIT refused: settled now
            # as a crash is later, the files put back unless the KB holds the
            # write (an interrupt that lands just after COMMIT)
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            recover(self.bundle)
            raise
        shutil.rmtree(folder, ignore_errors=True)


def _place(bundle: Path, rel: str, staged: Path) -> None:
    """Put a staged file at bundle/rel atomically (a copy beside it, renamed)."""
    target = bundle / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = _beside(target)
    shutil.copyfile(staged, tmp)
    fsync(tmp)
    os.replace(tmp, target)
    _fsync_dir(target.parent)


def _beside(target: Path) -> Path:
    # one name, not one per process (_place runs with the bundle locked), so
    # recover() can remove the copy a crash left before renaming it
    return target.with_name(f".{target.name}.tmp")


def _undo(bundle: Path, folder: Path, intent: dict[str, Any]) -> None:
    for rel in intent["files"]:
        old = folder / "old" / rel
        if old.exists():
            _place(bundle, rel, old)
        elif rel in intent["absent"]:
            (bundle / rel).unlink(missing_ok=True)
    shutil.rmtree(folder, ignore_errors=True)


def recover(bundle: Path) -> list[str]:
    """Settle the writes a crash left half done; returns what was done
    ('<write id>: kept' or 'undone'). Call with the bundle locked."""
    pending = bundle / STATE / "pending"
    done: list[str] = []
    if not pending.is_dir():
        return done
    for folder in sorted(pending.iterdir()):
        try:
            intent = json.loads((folder / "intent.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            shutil.rmtree(folder, ignore_errors=True)  # crashed before any file moved
            continue
        for rel in intent["files"]:
            _beside(bundle / rel).unlink(missing_ok=True)
        _untouched(bundle, folder, intent)
        if _committed(Path(intent["kb"]), intent["write_id"]):
            for rel in intent["files"]:
                staged = folder / "new" / rel
                if staged.exists():
                    _place(bundle, rel, staged)
            shutil.rmtree(folder, ignore_errors=True)
            done.append(f"{intent['write_id']}: kept")
        else:
            _undo(bundle, folder, intent)
            done.append(f"{intent['write_id']}: undone")
    return done


def _untouched(bundle: Path, folder: Path, intent: dict[str, Any]) -> None:
    """Each file of the write still holds what the write left (its old or
    its new content): one edited since the crash is a human's to settle,
    never overwritten."""
    for rel in intent["files"]:
        try:
            current: bytes | None = (bundle / rel).read_bytes()
        except FileNotFoundError:
            current = None
        known: list[bytes | None] = [p.read_bytes() for p in (folder / "new" / rel, folder / "old" / rel) if p.exists()]
        if rel in intent["absent"]:
            known.append(None)
        if current not in known:
            raise ImportFailed(
                f"{bundle / rel}: changed since a curation write was interrupted; nothing was written",
                f"compare it with {folder}/new and /old, keep what is right, then delete {folder}",
            )


def _committed(kb: Path, write_id: str) -> bool:
    if not kb.exists():
        return False
    # a writable connection: a hot journal the crash left is rolled back
    # by SQLite before the question is answered
    conn = sqlite3.connect(db._uri(kb, "rw"), uri=True, timeout=db.busy_timeout())
    try:
        return conn.execute("SELECT 1 FROM log WHERE write_id = ? LIMIT 1", (write_id,)).fetchone() is not None
    except sqlite3.Error as exc:
        raise ImportFailed(
            f"{kb}: cannot tell whether an interrupted curation write reached it ({exc})",
            "run `kbtui check` on the KB; the bundle's .kbtui/pending folder holds the write",
        ) from exc
    finally:
        conn.close()


def _write_synced(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def fsync(path: Path) -> None:
    """Make a written file durable (its data on disk before it is renamed or published)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
