"""The KB's closed vocabularies and date forms, defined once.

schema.sql enforces each closed set with a CHECK constraint; this module is
what Python reads (the bundle reader, the CLI's choices, the explorer's
badges), and tests/test_vocab.py fails if the two ever disagree. Order
matters where people see it: entity kinds are listed in the order the
explorer browses them (people first).
"""

from __future__ import annotations

import re
from typing import Final, Literal, get_args

EntityKind = Literal["person", "organisation", "country", "place", "event", "product", "publication", "concept"]
AliasKind = Literal[
    "alias",
    "abbreviation",
    "transliteration",
    "surname",
    "short-form",
    "former-name",
    "misspelling-in-source",
    "domain",
    "descriptor",
    "metonym",
]
RelationType = Literal[
    "supervises",
    "part-of",
    "owns",
    "operates",
    "uses",
    "monitors",
    "met",
    "allied-with",
    "partner-of",
    "adversary-of",
    "advises",
    "leads",
    "reported-on",
    "shared-intelligence-with",
    "located-in",
    "banned",
    "friend-of",
    "citizen-of",
    "sanctioned",
    "opposes",
    "supports",
    "conflict-with",
    "recognised",
    "published",
    "family-of",
    "associate-of",
    "paid",
    "represents",
    "linked-to",
    "other",
]
EventType = Literal["meeting", "visit", "conference", "speech", "talks", "war", "clash", "statement", "other"]
RoleStatus = Literal["current", "former", "unknown"]
ClaimKind = Literal["role", "relation", "event", "participation", "property", "alias"]
AnchorMethod = Literal["exact", "normalised", "moved", "orphaned"]
# How a citation stands to its claim, how sure its speaker is, and what the
# speaker does with it (a demand or a forecast is not evidence that it is so).
Stance = Literal["supports", "contradicts", "qualifies"]
Certainty = Literal["stated", "reported", "likely", "inferred"]
Mode = Literal["asserts", "denies", "demands", "predicts"]
# How a source's original date is known.
DateBasis = Literal["stated", "byline", "repost", "inferred", "unknown"]
PropertyName = Literal[
    "birth-date",
    "death-date",
    "nationality",
    "affiliation",
    "official-name",
    "name",
    "identifier",
    "gender",
    "position",
    "topic",
    "country",
    "address",
    "website",
    "email",
    "phone",
    "incorporation-date",
    "dissolution-date",
    "legal-form",
    "status",
    "other",
]
IdentifierScheme = Literal[
    "registry", "tax", "passport", "id-card", "lei", "wikidata", "imo", "isin", "swift", "vat", "other"
]
Gender = Literal["female", "male", "other"]

ENTITY_KINDS: Final[tuple[EntityKind, ...]] = get_args(EntityKind)
ALIAS_KINDS: Final[tuple[AliasKind, ...]] = get_args(AliasKind)
RELATION_TYPES: Final[tuple[RelationType, ...]] = get_args(RelationType)
EVENT_TYPES: Final[tuple[EventType, ...]] = get_args(EventType)
ROLE_STATUSES: Final[tuple[RoleStatus, ...]] = get_args(RoleStatus)
CLAIM_KINDS: Final[tuple[ClaimKind, ...]] = get_args(ClaimKind)
ANCHOR_METHODS: Final[tuple[AnchorMethod, ...]] = get_args(AnchorMethod)
STANCES: Final[tuple[Stance, ...]] = get_args(Stance)
CERTAINTIES: Final[tuple[Certainty, ...]] = get_args(Certainty)
MODES: Final[tuple[Mode, ...]] = get_args(Mode)
DATE_BASES: Final[tuple[DateBasis, ...]] = get_args(DateBasis)
PROPERTIES: Final[tuple[PropertyName, ...]] = get_args(PropertyName)
IDENTIFIER_SCHEMES: Final[tuple[IdentifierScheme, ...]] = get_args(IdentifierScheme)
GENDERS: Final[tuple[Gender, ...]] = get_args(Gender)
# Alias kinds that are true at a date or stand for something else: searchable,
# but never the answer to a name typed on the command line.
UNRESOLVING_ALIAS_KINDS: Final = frozenset({"descriptor", "metonym"})
# Properties whose value is another entity's id, and those whose value is a name.
ENTITY_VALUED: Final = frozenset({"nationality", "affiliation"})
NAME_VALUED: Final = frozenset({"official-name", "name", "identifier"})
# A language tag (BCP 47, loosely): "zh", "ru", "zh-Hans".
LANG_TAG: Final = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*")

# Ids are slugs (schema.sql: length(id) BETWEEN 1 AND 200, only a-z 0-9 -)
SLUG: Final = re.compile(r"^[a-z0-9][a-z0-9-]*$")
MAX_ID: Final = 200

# Dates are ISO 8601 prefixes, as OpenSanctions writes them: "2024",
# "2024-04", "2024-04-20". Prefixes compare correctly as strings.
ISO_PREFIX: Final = re.compile(r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?")  # use fullmatch: `$` allows a newline


def is_iso_prefix(value: str) -> bool:
    """The shape only: YYYY, YYYY-MM or YYYY-MM-DD, ASCII digits (kbtui.kb.dates
    also checks that the month and day exist)."""
    return ISO_PREFIX.fullmatch(value) is not None


# --- dates as people read them ---------------------------------------------------
# Three forms, each with one job: `date_range` for tables of roles and
# relations, `compact_range` for event dates where space is short, and
# `iso_interval` for JSON (an ISO 8601 interval, for machines).


def date_range(start: str | None, end: str | None, status: str | None = None) -> str:
    """'2008–2024', '2008–now' (current), '2008–', '–2024', ''."""
    if start and end:
        return start if start == end else f"{start}–{end}"
    if start:
        return f"{start}–" + ("now" if status == "current" else "")
    if end:
        return f"–{end}"
    return ""


def compact_range(start: str | None, end: str | None) -> str:
    """An event's dates, short: '2024-04-20–04-28', '2024-04', '2021–2022'."""
    if not start or not end or start == end:
        return start or (f"–{end}" if end else "")
    if start[:4] == end[:4] and len(end) > 4:
        return f"{start}–{end[5:]}"
    return f"{start}–{end}"


def iso_interval(start: str | None, end: str | None) -> str | None:
    """'2024-04-20', '2024-04-20/2024-04-28', '?/2024' (start unknown), or None."""
    if not end or end == start:
        return start
    return f"{start or '?'}/{end}"


# The properties whose values are names of their entity: search finds an
# entity by them, and texts are searched for them as for its aliases.
NAME_PROPERTIES: Final = ("official-name", "name", "identifier")
NAME_PROPERTIES_SQL: Final = "(" + ", ".join(f"'{p}'" for p in NAME_PROPERTIES) + ")"
