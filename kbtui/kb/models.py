"""The shapes the read queries return, typed once.

They are TypedDicts, not dataclasses, because they *are* the JSON contract
(README, "JSON output"): `kbtui show --json` prints the very dict that
queries.show returns, and the explorer renders the same dict. One definition
serves the CLI renderer, the JSON output and the TUI widgets, and mypy checks
every key they read. Keys may be added; the ones here keep their names.
"""

from __future__ import annotations

from typing import Any, Literal, NotRequired, TypedDict


class SearchHit(TypedDict):
    """One search result (`kbtui search --json`); `matched` is the name
    form that matched when it was not the main name (an alias, an official
    name, an identifier), `reason` what matched and how ("alias: all 2
    words (1 typo)", "role: Director of National Intelligence, United
    States")."""

    id: str
    kind: str
    name: str
    score: float  # 0-100
    matched: str | None
    reason: str


class EntityRef(TypedDict):
    """A link to an entity: enough to show its name and open it."""

    id: str
    name: str


class CitationSource(TypedDict):
    id: str
    title: str
    outlet: str | None
    author: str | None
    published: str | None


class Speaker(TypedDict):
    """Who asserts a cited statement: an entity (id set) or words (id null)."""

    id: str | None
    name: str


class Citation(TypedDict):
    """A verbatim quote at [start, end) of a stored source, behind a claim,
    with the date it is evidence for and how it stands to the claim."""

    id: int
    source: CitationSource
    quote: str
    span: list[int]  # [start, end) in code points
    anchor: str
    as_of: str | None  # ISO prefix; None with the reason in as_of_note
    as_of_note: str
    stance: str  # supports | contradicts | qualifies
    certainty: str  # stated | reported | likely | inferred
    mode: str  # asserts | denies | demands | predicts
    speaker: Speaker | None  # None: the source's own writer


class Attested(TypedDict):
    """The earliest and latest as-of dates of a claim's evidence."""

    first: str | None
    last: str | None


class AtDate(TypedDict):
    """A role's state at the date asked for (`roles --as-of`)."""

    date: str
    state: str  # held | disputed | last-attested | ended | not-yet-attested | undated
    days_before: int | None  # last-attested: days from the last evidence to `date`


class Evidence(TypedDict):
    """What every claim carries, and all the evidence pane needs of one:
    a Role, Relation or Event is an Evidence too (TypedDicts are structural)."""

    id: str
    citations: list[Citation]
    disputed: str | None
    note: str | None
    attested: Attested
    # sources behind its evidence, a repost or relay and its original counted once
    independent_sources: int
    conflicts: list[str]  # ids of the claims it conflicts with
    # in a conflict not settled against the other side (that side is not
    # itself marked disputed): the claim is in doubt
    contested: bool


class Role(Evidence):
    title: str
    holder: EntityRef
    organisation: EntityRef | None
    start: str | None
    end: str | None
    status: str  # as the sources state it at their as-of dates
    at: NotRequired[AtDate]


class Relation(Evidence):
    type: str
    label: str | None
    subject: EntityRef
    object: EntityRef
    start: str | None
    end: str | None


class Participant(TypedDict):
    id: str
    name: str
    kind: str
    capacity: str | None
    claim_id: str
    citations: list[Citation]
    attested: Attested
    independent_sources: int


class Event(Evidence):
    name: str
    type: str
    date: str | None  # an ISO interval (vocab.iso_interval)
    start: str | None
    end: str | None
    place: EntityRef | None
    participants: list[Participant]


class AliasInfo(TypedDict):
    name: str
    kind: str
    as_of: str | None  # when a descriptor was true
    claim_id: str | None  # set when the alias is cited


class Property(Evidence):
    """A cited property of an entity (date of birth, nationality, a name)."""

    property: str
    value: str
    value_entity: EntityRef | None  # nationality/affiliation: the entity named
    qualifier: str  # language of a name, scheme of an identifier


class ConflictSide(TypedDict):
    id: str
    kind: str
    summary: str  # the claim in words
    disputed: str | None
    citations: list[Citation]


class Conflict(TypedDict):
    """Two claims that cannot both be true (`kbtui conflicts`)."""

    note: str
    claims: list[ConflictSide]


class Erratum(TypedDict):
    """A source's own error: its words, what it says, what is right."""

    id: str
    source: CitationSource
    quote: str
    span: list[int]
    says: str
    correct: str
    about: str | None
    shown_by: str | None


class SourceMentioning(TypedDict):
    """A source that mentions an entity, with how often."""

    id: str
    title: str
    outlet: str | None
    mentions: int
    confidential: bool  # never to be made public (sources.confidential)


RolesAs = Literal["holder", "organisation"]


class DisagreementCounts(TypedDict):
    """How much the sources disagree about an entity (kbtui.kb.disagreement)."""

    conflicts: int
    disputed: int
    errata: int


class Entity(TypedDict):
    """Everything about one entity (queries.show, `kbtui show --json`)."""

    id: str
    kind: str
    name: str
    aliases: list[str]
    alias_kinds: list[AliasInfo]
    summary: str
    roles: list[Role]
    roles_total: int
    roles_offset: int
    # which side of its roles the entity is on: "holder" (roles it holds) or
    # "organisation" (roles held in it, as an organisation lists its people)
    roles_as: RolesAs
    relations: list[Relation]
    events: list[Event]
    sources: list[SourceMentioning]
    properties: list[Property]
    # the id asked for, when it was merged into this entity (kbtui.kb.merge)
    merged_from: NotRequired[str]
    disagreement: NotRequired[DisagreementCounts]  # set by `kbtui show` and the explorer


class Span(TypedDict):
    start: int
    end: int


class CitationDetail(Citation):
    """One citation with its surroundings (queries.citation, `kbtui cite`)."""

    claim_id: str
    matches: bool  # the stored text at the span still equals the quote
    context_before: str
    context_after: str
    paragraph: Span
    paragraph_text: str
    claim: NotRequired[str]  # the claim in words (queries.claim_summary)
    version: NotRequired[int]  # an orphaned citation: the older text it is in


class SourceSummary(TypedDict):
    id: str
    title: str
    outlet: str | None
    author: str | None
    published: str | None
    via: str | None
    via_date: str | None
    url: str | None
    note: str | None
    length: int
    date_basis: str  # stated | byline | repost | inferred | unknown
    not_before: str | None
    not_after: str | None
    relays: str | None  # a stored source this one reposts or relays
    origin: str | None  # the original it relays, when not stored
    format: str  # text | ftm | csv (an imported record, stored verbatim)
    input: str | None  # the import it came from (None: before schema v4)
    confidential: bool  # never to be made public: `kbtui export --redact` leaves it out


class SourceDetail(SourceSummary):
    text: str
    sha256: str
    meta: dict[str, Any]  # what the record's format says about it (FtM: schema, datasets, last_seen)
    version: int  # of `text`; earlier ones are kept (source_versions)


class MarkedCitation(TypedDict):
    """A cited span of a source, for the source viewer."""

    id: int
    claim_id: str
    start: int
    end: int
    quote: str
    claim: NotRequired[str]
    matches: NotRequired[bool]


class Mention(TypedDict):
    entity_id: str
    name: str
    kind: str
    start: int
    end: int


class SourceView(SourceDetail):
    """A source with everything marked in it (the source viewer's one load)."""

    citations: list[MarkedCitation]
    mentions: list[Mention]


class Stats(TypedDict):
    """Counts for the start page; tables listed in `approximate` are estimates."""

    entities: dict[str, int]
    approximate: list[str]
    roles: int
    relations: int
    events: int
    participations: int
    citations: int
    sources: int
