"""Curate mode's bridge to the curation engine: what worker threads call
to suggest names, pick entities, and make, and take back, changes.

Every change goes through kbtui.kb.curate (bundle and KB together,
logged) and comes back as an undo.Step naming what it added, so the
explorer can take the last one back. Like kbtui.tui.data, nothing here
imports Textual.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kbtui.kb import curate, undo
from kbtui.kb import search as kbsearch
from kbtui.kb import suggest as kbsuggest
from kbtui.kb.anchor import AnchorError, pinned
from kbtui.kb.errors import ImportFailed
from kbtui.kb.session import Change, session
from kbtui.tui.data import reader

PICKS = 6  # entities a picker offers for what is typed
# Chinese and Japanese write no spaces: each of their characters is a word
# of its own (a name is then selected a character at a time), others run
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_LETTERS = f"(?:(?![{_CJK}])\\w)+"
_WORD = re.compile(f"[{_CJK}]|{_LETTERS}(?:['’.\\-]{_LETTERS})*")
# where a sentence ends: after . ! ? (and a closing quote or bracket)
# before white space, or at a blank line
# (not after an initial or a title: "U.S. officials", "Mr. Chen")
_NOT_AFTER = "".join(f"(?<!\\b{a})" for a in ("[A-Z]", "Mr", "Ms", "Dr", "St", "Mrs", "Gen", "Col", "Lt", "Sgt"))
_SENTENCE_END = re.compile(_NOT_AFTER + r"[.!?][\"”’)\]]*(?=\s|$)|[。！？][」』”）]*|(?=\n\s*\n)")


_AROUND = " \t\n.,;:!?\"'“”‘’()[]{}«»"  # what is around a name, not part of it


@dataclass(frozen=True)
class Units:
    """A text's words (start and end offsets) and where its sentences end:
    what a selection moves by. A 10 MB text takes about a second to read,
    so the viewer gets them from a worker."""

    starts: list[int]
    ends: list[int]
    sentence_ends: list[int]


def units(text: str) -> Units:
    starts: list[int] = []
    ends: list[int] = []
    for m in _WORD.finditer(text):
        starts.append(m.start())
        ends.append(m.end())
    # (a sentence closed by 。 before a blank line ends there once)
    return Units(starts, ends, sorted({m.end() for m in _SENTENCE_END.finditer(text)}))


# words that make a suggested name an organisation or a place rather than a person
_ORGANISATION = re.compile(
    r"\b(ministry|commission|committee|council|party|agency|service|bureau|department|office|company|corporation|"
    r"corp|inc|ltd|bank|university|institute|group|association|union|army|navy|force|forces|court|parliament|"
    r"assembly|government|administration|academy|foundation|fund|organisation|organization|league|front|police|"
    r"guard|intelligence|directorate|secretariat|federation|society|centre|center)\b",
    re.IGNORECASE,
)
_PLACE = re.compile(r"\b(city|province|region|republic|state|oblast|district|island|islands|county)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Pick:
    """An entity a picker chose: one in the KB (`id`), or a new one to make
    (`id` None) of `kind` named `name`."""

    name: str
    kind: str
    id: str | None = None
    typed: bool = False  # typed in a picker and never picked: see _exact


def guess_kind(name: str) -> str:
    """The kind a new name most likely is: words like Ministry or
    Commission make an organisation, Province or Republic a place; a
    single word is an organisation (an acronym, "Rosneft": a person is
    first named with at least two words); else a person."""
    if _ORGANISATION.search(name):
        return "organisation"
    if _PLACE.search(name):
        return "place"
    return "organisation" if len(name.split()) == 1 else "person"


def suggestions(path: Path | str, source_id: str) -> list[kbsuggest.Suggestion]:
    """Names in the source's text that the KB does not know."""
    with reader(path) as conn:
        row = conn.execute("SELECT text FROM sources WHERE id = ? AND format = 'text'", (source_id,)).fetchone()
        if row is None:
            return []
        known = conn.execute('SELECT start, "end" FROM mentions WHERE source_id = ? ORDER BY start', (source_id,))
        return kbsuggest.suggestions(conn, row[0], [(a, b) for a, b in known])


def read_text(path: Path | str, source_id: str, text: str) -> tuple[Units, list[kbsuggest.Suggestion]]:
    """What curate mode needs of a source's text once it is shown: its
    words and sentences, and the names in it the KB does not know."""
    return units(text), suggestions(path, source_id)


def pick(path: Path | str, typed: str, kinds: tuple[str, ...] = ()) -> list[kbsearch.Hit]:
    """The entities a picker offers for `typed` (of `kinds`, if given)."""
    if not typed.strip():
        return []
    with reader(path) as conn:
        hits = kbsearch.search(conn, typed, limit=PICKS * 3)
    return [h for h in hits if not kinds or h.kind in kinds][:PICKS]


@dataclass(frozen=True)
class Passage:
    """A span of a source's text that curate mode cites."""

    source_id: str
    text: str  # the source's whole text
    start: int
    end: int

    @property
    def quote(self) -> str:
        return self.text[self.start : self.end]

    def trimmed(self) -> Passage:
        """Without the spaces, quotes, brackets and closing marks around it
        ("Vladivostok." names Vladivostok, "(Primorye)" Primorye)."""
        quote = self.quote
        start = self.start + len(quote) - len(quote.lstrip(_AROUND))
        end = self.end - (len(quote) - len(quote.rstrip(_AROUND)))
        return Passage(self.source_id, self.text, start, end) if start < end else self

    def cite(
        self, evidence: Mapping[str, str] | None = None, start: int | None = None, end: int | None = None
    ) -> dict[str, str]:
        """A citation of this passage (or of [start, end) within it), pinned
        to its place with just enough context, with the evidence fields
        given (stance, certainty, mode, speaker, as_of)."""
        a = self.start if start is None else start
        b = self.end if end is None else end
        try:
            where = pinned(self.text, a, b)
        except AnchorError:
            raise ImportFailed(
                f"“{self.text[a:b][:60]}” occurs elsewhere in the source with the same words around it",
                "select a longer passage",
            ) from None
        return {"source": self.source_id, **where, **{k: v for k, v in (evidence or {}).items() if v}}


def make_entity(
    path: Path | str, bundle: Path, kind: str, name: str, passage: Passage, distinct: bool = False
) -> tuple[undo.Step, Change]:
    """A new entity, its name cited where the source writes it. Refused
    when the KB has one of that kind and name, unless `distinct`."""
    change = curate.add_entity(
        bundle, Path(path), kind, name, cites=[passage.cite()], cited_as=passage.quote, distinct=distinct
    )
    return undo.Step(f"{kind} {change.id}", [("entity", change.id)]), change


def make_claim(
    path: Path | str,
    bundle: Path,
    table: str,
    fields: dict[str, Any],
    passage: Passage,
    evidence: dict[str, str],
    picks: dict[str, Pick],
) -> tuple[undo.Step, Change]:
    """A claim citing `passage` with `evidence`. `fields` holds its values;
    `picks` the entities its entity fields name (field -> Pick; an event's
    participants are "participants.0", ".1"…). Entities picked as new are
    made with it, their names cited where the passage writes them: all in
    one write, so a refused claim leaves nothing (not even in the log)."""
    made: list[tuple[str, str]] = []
    ids: dict[str, str] = {}
    with session(bundle, Path(path)) as s:
        for field, p in picks.items():
            if p.id is None and p.typed:  # typed, never picked: the KB's entity of exactly that name, if any
                p = _exact(s.conn, p)
            if p.id is not None:
                ids[field] = p.id
                continue
            at = passage.quote.find(p.name)
            named = [passage.cite(None, passage.start + at, passage.start + at + len(p.name))] if at >= 0 else None
            entity = curate.entity_in(s, p.kind, p.name, cites=named, distinct=True)
            made.append(("entity", entity.id))
            ids[field] = entity.id
        values = {k: v for k, v in fields.items() if v not in (None, "")}
        numbered = [k for k in ids if k.startswith("participants.")]
        participants = [ids[k] for k in sorted(numbered, key=lambda k: int(k.split(".")[1]))]
        values.update({k: v for k, v in ids.items() if not k.startswith("participants.")})
        if participants:
            values["participants"] = [{"entity": e} for e in participants]
        change = curate.claim_in(s, table, values, [passage.cite(evidence)])
    said = f"{table} {change.id}" + (f" and {len(made)} new entit{'y' if len(made) == 1 else 'ies'}" if made else "")
    return undo.Step(said, [*made, ("claim", change.id)]), change


def _exact(conn: sqlite3.Connection, p: Pick) -> Pick:
    """The KB's entity named exactly as typed (case aside), preferring the
    picker's kind, else a new entity as the picker said."""
    hits = [h for h in kbsearch.search(conn, p.name, limit=PICKS) if h.name.casefold() == p.name.strip().casefold()]
    hits.sort(key=lambda h: h.kind != p.kind)
    return Pick(hits[0].name, hits[0].kind, hits[0].id) if hits else Pick(p.name, p.kind)


def take_back(path: Path | str, bundle: Path, step: undo.Step) -> list[Change]:
    return undo.undo(Path(path), bundle, step)
