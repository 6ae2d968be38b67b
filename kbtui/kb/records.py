"""What every importer produces: plain records, before they are written.

The bundle reader, the FtM reader and the CSV reader each turn their format
into these; kbtui.kb.sink writes them (batched, owned by an input, with
dangling references found at the end). Keeping the formats apart from the
writing means one place decides how rows are stored, stamped with their
input, de-duplicated and indexed.

`where` on a record is "file:line" (or "file:row N") for messages: a
reference that dangles is only known at the end of a file, long after the
record was read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Cite:
    """A verbatim quote at [start, end) of a stored source."""

    source_id: str
    start: int
    end: int
    quote: str
    prefix: str = ""
    suffix: str = ""
    anchor: str = "exact"
    as_of: str | None = None
    as_of_note: str = ""
    stance: str = "supports"
    certainty: str = "stated"
    mode: str = "asserts"
    speaker_id: str | None = None
    speaker: str = ""


@dataclass(slots=True)
class Source:
    id: str
    title: str
    text: str
    format: str = "text"  # text | ftm | csv
    outlet: str | None = None
    author: str | None = None
    published: str | None = None
    url: str | None = None
    note: str = ""
    date_basis: str = "unknown"
    as_of_note: str = ""
    meta: dict[str, Any] = field(default_factory=dict)  # stored as JSON (datasets, first/last seen, schema)
    where: str = ""


@dataclass(slots=True)
class Alias:
    name: str
    kind: str = "alias"
    as_of: str | None = None
    cites: list[Cite] = field(default_factory=list)  # a cited alias is also a claim of kind 'alias'


@dataclass(slots=True)
class Entity:
    id: str
    kind: str
    name: str
    summary: str = ""
    aliases: list[Alias] = field(default_factory=list)
    where: str = ""


@dataclass(slots=True)
class Claim:
    """Fields every claim has. Subclasses add their typed columns."""

    id: str
    cites: list[Cite]
    disputed: str | None = None
    note: str = ""
    where: str = ""


@dataclass(slots=True)
class Role(Claim):
    holder: str = ""
    organisation: str | None = None
    title: str = ""
    start: str | None = None
    end: str | None = None
    status: str = "unknown"


@dataclass(slots=True)
class Relation(Claim):
    type: str = "other"
    subject: str = ""
    object: str = ""
    start: str | None = None
    end: str | None = None
    label: str = ""
    share: str | None = None  # ownership: "51%", as the source writes it
    amount: str | None = None  # payment
    currency: str | None = None
    program: str | None = None  # sanction programme


@dataclass(slots=True)
class Participant(Claim):
    entity: str = ""
    capacity: str = ""


@dataclass(slots=True)
class Event(Claim):
    """An event is an entity (named, searchable) and a claim (cited)."""

    name: str = ""
    type: str = "other"
    summary: str = ""
    aliases: list[Alias] = field(default_factory=list)
    start: str | None = None
    end: str | None = None
    place: str | None = None
    participants: list[Participant] = field(default_factory=list)


@dataclass(slots=True)
class Property(Claim):
    entity: str = ""
    property: str = ""
    value: str = ""
    qualifier: str = ""


AnyClaim = Role | Relation | Event | Property | Participant
