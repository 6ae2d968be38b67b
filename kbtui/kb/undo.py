"""Taking back curate mode's last change.

Curate mode keeps what each of its changes added (a claim, an entity, a
judgement) as a Step; undo removes those, newest first, each through the
curation engine so bundle and KB change together and the removal is
logged like any other change. What the step added is removed only if it
is still as the step left it: an entity another claim has since named is
refused, with the claim that names it.

A judgement of "same" merged two entities; parting them needs the rows
the merge combined, which only a fresh import of their inputs has, so
that undo is refused with what to do instead.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from kbtui.kb import curate, judge, tomlw
from kbtui.kb.errors import ImportFailed
from kbtui.kb.session import KB_FILE, Change, hunk, session


class NotUndoable(ImportFailed):
    """A change that cannot be taken back here at all (a merge)."""


@dataclass
class Step:
    """One change curate mode made: what it added, in the order it added them."""

    said: str  # what the change was, for the undo message ("role chen-…")
    added: list[tuple[str, str]] = field(default_factory=list)  # (table, id): "entity", "claim", "judgement"


def undo(kb: Path, bundle: Path, step: Step) -> list[Change]:
    """Remove what `step` added, newest first."""
    done: list[Change] = []
    for table, id_ in reversed(step.added):
        if table == "entity":
            done.append(remove_entity(kb, bundle, id_))
        elif table == "judgement":
            a, b = id_.split(" ", 1)
            done.append(unjudge(kb, bundle, a, b))
        else:
            done.append(curate.remove(kb, id_, bundle))
    return done


def remove_entity(kb: Path, bundle: Path, entity_id: str) -> Change:
    """Remove an entity this bundle defines and nothing else names (its own
    cited names go with it)."""
    with session(bundle, kb) as s:
        row = s.conn.execute("SELECT input_id FROM entities WHERE id = ?", (entity_id,)).fetchone()
        if row is None:
            raise ImportFailed(f"no entity `{entity_id}` in the KB (it was removed already)", "nothing to undo")
        if row[0] != s.input_id:
            raise ImportFailed(f"entity `{entity_id}` belongs to input `{row[0]}`, not this bundle", "nothing changed")
        named = _named_by(s.conn, entity_id)
        if named:
            raise ImportFailed(
                f"entity `{entity_id}` is named by {', '.join(named[:3])}{' …' if len(named) > 3 else ''}",
                "remove those claims first",
            )
        text = s.read(KB_FILE)
        span = tomlw.find(s.bundle / KB_FILE, text, "entity", entity_id)
        if span is None:
            raise ImportFailed(
                f"entity `{entity_id}` is in the KB but not in {s.bundle / KB_FILE}",
                "the KB is out of date with the bundle: re-import the bundle (kbtui import) and retry",
            )
        before = tomlw.written(text, span)
        sink = s.sink()
        sink.unlink_entity(entity_id)
        sink.finish(full=False)
        s.put(KB_FILE, tomlw.replaced(text, span, None))
        change = Change("rm", "entity", entity_id, s.shown, diff=hunk(span.first, before, ""), record=span.fields)
        s.log(change, KB_FILE)
    return change


def _named_by(conn: sqlite3.Connection, entity_id: str) -> list[str]:
    """The claims (but the entity's own cited names) and judgements that name it."""
    judged = conn.execute("SELECT 'judgement ' || a || ' / ' || b FROM judgements WHERE a = ?1 OR b = ?1", (entity_id,))
    return curate.referrers(conn, entity_id) + [r[0] for r in judged]


def unjudge(kb: Path, bundle: Path, a: str, b: str) -> Change:
    """Take back this bundle's last judgement of the pair (a, b): its table
    leaves resolutions.toml, and the KB keeps the judgement before it, if
    any. A "same" that merged the pair is refused."""
    x, y = sorted((a, b))
    with session(bundle, kb) as s:
        path = s.bundle / judge.RESOLUTIONS_FILE
        text = s.read(judge.RESOLUTIONS_FILE) if path.exists() else ""
        spans = _judgements_of(path, text, x, y)
        if not spans:
            raise ImportFailed(f"no judgement of `{x}` and `{y}` in {path}", "nothing to undo")
        last = spans[-1]
        if last.fields.get("verdict") == "same":
            raise NotUndoable(
                f"`{x}` and `{y}` were merged, and a merge is not undone here",
                f"to part them, delete that judgement from {path} and import the inputs of both again",
            )
        before = tomlw.written(text, last)
        s.put(judge.RESOLUTIONS_FILE, tomlw.replaced(text, last, None))
        s.conn.execute("DELETE FROM judgements WHERE a = ? AND b = ?", (x, y))
        if len(spans) > 1:  # the judgement before it stands again
            judge.store(s.conn, spans[-2].fields, s.input_id)
        change = Change("rm", "judgement", f"{x} {last.fields.get('verdict')} {y}", s.shown)
        change.diff = hunk(last.first, before, "")
        s.log(change, judge.RESOLUTIONS_FILE)
    return change


def _judgements_of(path: Path, text: str, a: str, b: str) -> list[tomlw.Span]:
    """The pair's [[judgement]] tables, in file order."""
    return tomlw.find_all(path, text, "judgement", a, lambda f: f.get("a") == a and f.get("b") == b)
