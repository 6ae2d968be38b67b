"""Judgements on pairs of entities, kept in a bundle so they last.

`kbtui dedupe judge A B same|not-same|unsure --bundle B` appends a
[[judgement]] table to the bundle's resolutions.toml (plain text a team
reviews in git; a later judgement of the same pair replaces an earlier one
when the file is read), stores it in the KB's `judgements` table, and for
"same" merges the two (kbtui.kb.merge). Importing the bundle loads the file
again, so a rebuilt KB keeps every judgement and merge. Like every
curation command it is logged, and bundle and KB change together or not at
all.
"""

from __future__ import annotations

import sqlite3
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kbtui.kb import merge, tomlw, vocab
from kbtui.kb.errors import ImportFailed
from kbtui.kb.session import Change, added, session, user_name

RESOLUTIONS_FILE = "resolutions.toml"
VERDICTS = ("same", "not-same", "unsure")
FIELDS = ("a", "b", "verdict", "keep", "note", "at", "user")
HEADER = """\
# kbtui bundle: judgements of pairs of entities (kbtui dedupe judge). "same"
# merges them: `keep` stays, the other id redirects to it. A later judgement
# of a pair replaces an earlier one.
"""


def _known(conn: sqlite3.Connection, entity_id: str) -> bool:
    return (
        conn.execute("SELECT 1 FROM entities WHERE id = ?", (entity_id,)).fetchone() is not None
        or conn.execute("SELECT 1 FROM redirects WHERE old_id = ?", (entity_id,)).fetchone() is not None
    )


def judge(
    bundle: Path,
    kb: Path,
    a: str,
    b: str,
    verdict: str,
    keep: str | None = None,
    note: str = "",
    input_id: str | None = None,
) -> tuple[Change, merge.Merged | None]:
    """Record a judgement of the pair (a, b) in `bundle` and the KB; "same"
    merges them into `keep` (default: a). Refused, with nothing changed:
    a pair of one id, an unknown id, a `keep` outside the pair, "same" for
    a pair already merged the other way round (a cycle of redirects)."""
    if verdict not in VERDICTS:
        raise ImportFailed(f"VERDICT: {verdict!r} is not a judgement", f"one of {', '.join(VERDICTS)}")
    if a == b:
        raise ImportFailed(f"`{a}` and `{b}` are one id: a judgement is of two entities", "name two entities")
    if keep is not None and keep not in (a, b):
        raise ImportFailed(f"--keep: `{keep}` is neither `{a}` nor `{b}`", "keep one of the pair")
    with session(bundle, kb, input_id) as s:
        for entity_id in (a, b):
            if not _known(s.conn, entity_id):
                raise ImportFailed(f"no entity `{entity_id}` in the KB", "find its id with `kbtui search NAME`")
        kept = merge.resolve(s.conn, keep or a)
        other = merge.resolve(s.conn, b if (keep or a) == a else a)
        if kept == other and verdict != "same":
            raise ImportFailed(
                f"`{a}` and `{b}` were merged (both are `{kept}` now)",
                f"to part them, delete their judgement from {RESOLUTIONS_FILE} in the bundle that made it,"
                " and import it again",
            )
        if verdict == "same" and kept != other:
            why = merge.refusal(s.conn, kept, other)
            if why is not None:
                raise ImportFailed(why, "nothing was changed")
        x, y = sorted((a, b))
        record: dict[str, Any] = {
            "a": x,
            "b": y,
            "verdict": verdict,
            "keep": (keep or a) if verdict == "same" else None,
            "note": note.strip(),
            "at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "user": user_name(),
        }
        path = s.bundle / RESOLUTIONS_FILE
        text = s.read(RESOLUTIONS_FILE) if path.exists() or RESOLUTIONS_FILE in s.write.files else HEADER
        block = tomlw.table("judgement", record)
        new_text = tomlw.appended(text, block)
        s.put(RESOLUTIONS_FILE, new_text)
        store(s.conn, record, s.input_id)
        merged = merge.merge(s.conn, kept, other) if verdict == "same" and kept != other else None
        change = Change("judge", "judgement", f"{x} {verdict} {y}", s.shown, diff=added(new_text, block), record=record)
        s.log(change, RESOLUTIONS_FILE)
    return change, merged


def store(conn: sqlite3.Connection, record: dict[str, Any], input_id: str | None) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO judgements (a, b, verdict, keep, note, at, user, input_id)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            record["a"],
            record["b"],
            record["verdict"],
            record.get("keep"),
            record.get("note") or "",
            record.get("at") or "",
            record.get("user") or "",
            input_id,
        ),
    )


def load(conn: sqlite3.Connection, bundle_dir: Path, input_id: str) -> None:
    """The bundle's resolutions.toml becomes this input's judgements (those
    it had go), then every "same" is merged. A table that is not a
    judgement is refused with what is wrong in it."""
    conn.execute("DELETE FROM judgements WHERE input_id = ?", (input_id,))
    path = bundle_dir / RESOLUTIONS_FILE
    if not path.is_file():
        merge.apply_judgements(conn)
        return
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ImportFailed(f"{path}: {exc}", "fix the file (or restore it from git); nothing was written") from exc
    tables = data.get("judgement", [])
    unknown = sorted(set(data) - {"judgement"})
    if unknown or not isinstance(tables, list):
        raise ImportFailed(f"{path}: only [[judgement]] tables belong here (found {unknown or 'judgement'})")
    for n, t in enumerate(tables, 1):
        problem = _problem(t)
        if problem:
            raise ImportFailed(
                f"{path}: judgement {n}: {problem}", "fix it (see kbtui dedupe judge); nothing was written"
            )
        x, y = sorted((t["a"], t["b"]))
        store(conn, {**t, "a": x, "b": y, "keep": t.get("keep") if t["verdict"] == "same" else None}, input_id)
    merge.apply_judgements(conn)


def _problem(t: Any) -> str | None:
    if not isinstance(t, dict):
        return "not a table"
    extra = sorted(set(t) - set(FIELDS))
    if extra:
        return f"unknown field {extra[0]!r} (fields: {', '.join(FIELDS)})"
    for key in ("a", "b"):
        value = t.get(key)
        if not isinstance(value, str) or not vocab.SLUG.fullmatch(value) or len(value) > vocab.MAX_ID:
            return f"{key}: {value!r} is not an entity id"
    if t["a"] == t["b"]:
        return "a and b are one id"
    if t.get("verdict") not in VERDICTS:
        return f"verdict: {t.get('verdict')!r} is not one of {', '.join(VERDICTS)}"
    if t.get("keep") not in (None, t["a"], t["b"]):
        return f"keep: {t.get('keep')!r} is neither a nor b"
    for key in ("note", "at", "user"):
        if not isinstance(t.get(key, ""), str):
            return f"{key}: must be text"
    return None
