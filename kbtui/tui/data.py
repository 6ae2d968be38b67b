"""The TUI's bridge to kbtui.kb: plain functions that worker threads call.

Each call opens its own read-only connection (about 1 ms) and closes it, so
no sqlite3 connection ever crosses a thread and nothing can write. Nothing
here imports Textual; the functions return the data layer's own dicts.
"""

from __future__ import annotations

import csv
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from kbtui.kb import db as kbdb
from kbtui.kb import queries
from kbtui.kb import search as kbsearch
from kbtui.kb.models import (
    Citation,
    CitationSource,
    Conflict,
    Entity,
    EntityRef,
    Erratum,
    Evidence,
    Role,
    SourceSummary,
    SourceView,
    Stats,
)
from kbtui.kb.paths import confined_path
from kbtui.kb.vocab import ENTITY_KINDS

PAGE = 200  # roles loaded at a time for big organisations
RESULTS = 50  # search results shown
# entities listed before anything is typed: OptionList renders every option
# up front, and 200 cost ~0.2 s of first paint
BROWSE = 50

CsvCell = str | int | None  # one value of an exported row (None is written as "")


# one read transaction per worker call, so a role and its quotes come from
# the same state of the file even while an import commits
reader = kbdb.reading


def check(path: Path | str) -> None:
    """Raise UnusableDatabase (with a readable message) if `path` is no KB."""
    with reader(path):
        pass


def search(path: Path | str, query: str, limit: int = RESULTS) -> list[kbsearch.Hit]:
    with reader(path) as conn:
        return kbsearch.search(conn, query, limit=limit)


BROWSE_KINDS = ENTITY_KINDS  # in vocab order: people first, then organisations, ...


def browse(path: Path | str, limit: int = BROWSE) -> list[kbsearch.Hit]:
    """Entities to show before anything is typed: people first, then
    organisations, then the rest, each alphabetical. One index walk per kind
    (search.browse), so a million-entity KB costs what the sample does."""
    hits: list[kbsearch.Hit] = []
    with reader(path) as conn:
        for kind in BROWSE_KINDS:
            if len(hits) >= limit:
                break
            hits += kbsearch.browse(conn, limit=limit - len(hits), kind=kind)
    return hits


def entity(path: Path | str, entity_id: str, page: int = PAGE) -> Entity:
    with reader(path) as conn:
        return queries.show(conn, entity_id, limit=page)


class EntityView(NamedTuple):
    """An entity and the evidence of its cited aliases (descriptors such as
    "Xi's security chief" are claims true at a date, with citations)."""

    entity: Entity
    alias_claims: dict[str, Evidence]


def entity_view(path: Path | str, entity_id: str, page: int = PAGE) -> EntityView:
    with reader(path) as conn:
        found = queries.show(conn, entity_id, limit=page)
        cited = [a["claim_id"] for a in found["alias_kinds"] if a["claim_id"]]
        return EntityView(found, claims_evidence(conn, cited))


def more_roles(path: Path | str, entity: Entity, offset: int, page: int = PAGE) -> list[Role]:
    """The next page of `entity`'s roles, from the side queries.show chose."""
    with reader(path) as conn:
        return queries.roles_of(conn, entity["id"], entity["roles_as"], limit=page, offset=offset)


def all_roles(path: Path | str, entity: Entity) -> list[Role]:
    with reader(path) as conn:
        return queries.roles_of(conn, entity["id"], entity["roles_as"])


class ViewedSource(SourceView):
    """A source as the viewer shows it: SourceView, plus each citation's
    full evidence record (as of, stance, speaker, ...) by citation id, and
    the source's own errors."""

    details: dict[int, Citation]
    errata: list[Erratum]


def source_view(path: Path | str, source_id: str) -> ViewedSource:
    """Everything the source viewer needs in one round trip: the source,
    its cited spans (with their claims in words and their evidence
    records), its entity mentions and its errata."""
    with reader(path) as conn:
        src = queries.source(conn, source_id)
        cites, mentions = queries.source_marks(conn, src["id"])
        summaries: dict[str, str] = {}
        for c in cites:
            if c["claim_id"] not in summaries:
                summaries[c["claim_id"]] = queries.claim_summary(conn, c["claim_id"])
            c["claim"] = summaries[c["claim_id"]]
            c["matches"] = src["text"][c["start"] : c["end"]] == c["quote"]
        details = {
            cite["id"]: cite
            for claim_cites in queries.citations_for(conn, list(summaries)).values()
            for cite in claim_cites
            if cite["source"]["id"] == src["id"]
        }
        errata = queries.errata(conn, src["id"])
        return {**src, "citations": cites, "mentions": mentions, "details": details, "errata": errata}


# --- claims by id: conflicts and the conflicts view ----------------------------


def claims_evidence(conn: sqlite3.Connection, claim_ids: Sequence[str]) -> dict[str, Evidence]:
    """The evidence record of any claims, by id (kbtui.kb.queries.evidence)."""
    return queries.evidence(conn, list(claim_ids))


claim_owner = queries.claim_owner


class ClaimName(NamedTuple):
    """A claim in words, and why it is disputed if it is (the other side of
    a conflict: a reader should see at once which side the KB settled)."""

    summary: str
    disputed: str | None


def claim_names(path: Path | str, claim_ids: Sequence[str]) -> dict[str, ClaimName]:
    with reader(path) as conn:
        ids = list(dict.fromkeys(claim_ids))
        disputed = {
            cid: why
            for i in range(0, len(ids), 500)
            for cid, why in conn.execute(
                f"SELECT id, disputed FROM claims WHERE id IN ({','.join('?' * len(ids[i : i + 500]))})",
                ids[i : i + 500],
            )
        }
        return {cid: ClaimName(queries.claim_summary(conn, cid), disputed.get(cid)) for cid in ids}


class Disputed(NamedTuple):
    claim_id: str
    summary: str
    why: str


class ConflictsView(NamedTuple):
    """Everything the conflicts view lists, with the evidence and the
    entity of every claim it names, loaded in one read."""

    conflicts: list[Conflict]
    disputed: list[Disputed]
    errata: list[Erratum]
    evidence: dict[str, Evidence]
    owners: dict[str, EntityRef]


def conflicts_view(path: Path | str) -> ConflictsView:
    with reader(path) as conn:
        conflicts = queries.conflicts(conn)
        disputed = [Disputed(*row) for row in queries.disputed_claims(conn)]
        errata = queries.errata(conn)
        ids = [side["id"] for c in conflicts for side in c["claims"]] + [d.claim_id for d in disputed]
        owners = {cid: owner for cid in dict.fromkeys(ids) if (owner := claim_owner(conn, cid)) is not None}
        return ConflictsView(conflicts, disputed, errata, claims_evidence(conn, ids), owners)


def stats(path: Path | str) -> Stats:
    with reader(path) as conn:
        return queries.stats(conn)


# --- taking things away -----------------------------------------------------


class CitedQuote(NamedTuple):
    """A quote and the source it is from: what `y` copies."""

    quote: str
    source: CitationSource


def citation_source(src: SourceSummary) -> CitationSource:
    """The part of a source a citation names (as queries.citation gives it)."""
    return {
        "id": src["id"],
        "title": src["title"],
        "outlet": src["outlet"],
        "author": src["author"],
        "published": src["published"],
    }


def citation_text(quote: str, source: CitationSource) -> str:
    """A citation as one pasteable line: “quote” — outlet, author, date, title."""
    quote = " ".join(quote.split())
    parts = [p for p in (source["outlet"], source["author"], source["published"], source["title"]) if p]
    return f"“{quote}” — {', '.join(parts)}" if parts else f"“{quote}”"


def write_csv(directory: Path, stem: str, header: Sequence[str], rows: Sequence[Sequence[CsvCell]]) -> Path:
    target = confined_path(directory, stem, ".csv")
    with target.open("x", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(["" if v is None else v for v in row] for row in rows)
    return target
