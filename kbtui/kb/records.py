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

import re
from dataclasses import dataclass, field
from hashlib import sha1
from typing import Any

from kbtui.kb.vocab import MAX_ID

_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def derived_id(owner: str, what: str, value: str, taken: set[str] | None = None) -> str:
    """The id of a claim its input does not name (a cited alias, a bundle's
    property): '<owner>--<what>--<value as a slug>', cut to MAX_ID.

    The slug keeps a-z and 0-9 only, so a value with other letters or
    digits ('Фролов Г. И.', '王毅') also gets 8 hex digits of its SHA-1:
    without them every Cyrillic alias of one person had the same id. An id
    already in `taken` (two Latin values that differ only in case or
    punctuation) gets them too, and is added to it."""
    slug = _NOT_SLUG.sub("-", value.lower()).strip("-")
    plain = f"{owner}--{what}--{slug or 'x'}"[:MAX_ID].rstrip("-")
    if (taken is None or plain not in taken) and all(c.isascii() or not c.isalnum() for c in value):
        found = plain
    else:
        digest = sha1(value.encode("utf-8", "surrogatepass")).hexdigest()[:8]
        if slug:
            found = f"{owner}--{what}--{slug}"[: MAX_ID - 9].rstrip("-") + "-" + digest
        else:
            found = f"{owner}--{what}--"[: MAX_ID - 8] + digest
    if taken is not None:
        taken.add(found)
    return found


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
    # None: in the source's current text; a number: in that older version
    version: int | None = None
    # a 'moved' citation: where it was before (version, quote, start, end)
    was: tuple[int, str, int, int] | None = None
    # the number it had in the KB it was exported from (kbtui.kb.ftm_restore):
    # kept when the import starts from an empty KB, so `kbtui cite N` still
    # means the same quote; into a KB that has citations it gets a new one
    number: int | None = None


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
    version: int = 1  # of `text`; the earlier ones are in `versions`
    # earlier versions, oldest first: version, text, sha256, retrieved,
    # archive_url, capture_file, capture_sha256, replaced
    versions: list[dict[str, Any]] = field(default_factory=list)


@dataclass(slots=True)
class Alias:
    name: str
    kind: str = "alias"
    as_of: str | None = None
    cites: list[Cite] = field(default_factory=list)  # a cited alias is also a claim of kind 'alias'
    claim_id: str | None = None  # that claim's id, when the input names it (else derived_id)


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
