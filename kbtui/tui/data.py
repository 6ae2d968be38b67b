"""The TUI's bridge to kbtui.kb: plain functions that worker threads call.

Each call opens its own read-only connection (about 1 ms) and closes it, so
no sqlite3 connection ever crosses a thread and nothing can write. Nothing
here imports Textual; the functions return the data layer's own dicts.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, NamedTuple, NotRequired, TypeVar

from kbtui.kb import db as kbdb
from kbtui.kb import (
    disagreement,
    interlocks,
    namesakes,
    neighbours,
    overview,
    pair_view,
    queries,
    table_export,
    timeline,
)
from kbtui.kb import grep as kbgrep
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
from kbtui.kb.vocab import ENTITY_KINDS
from kbtui.safetext import UNSAFE, visible

T = TypeVar("T")

PAGE = 200  # roles loaded at a time for big organisations
NAMESAKES_TOLD = 12  # namesakes in a result list given a line that tells them apart
RESULTS = 30  # search results shown: drawn on every keystroke, ~0.3 ms each
# entities listed before anything is typed: OptionList renders every option
# up front, and 200 cost ~0.2 s of first paint
BROWSE = 50

CsvCell = table_export.Cell  # one value of an exported row (None is written as "")


# one read transaction per worker call, so a role and its quotes come from
# the same state of the file even while an import commits
reader = kbdb.reading

# Quitting: every query open in a worker stops at its next step. Worker
# threads cannot be killed and asyncio waits for them before the process
# ends, so without this a query that loops keeps a quit explorer running.
stop_reading = kbdb.interrupt_readers


def read_failure(exc: BaseException) -> str:
    """Why a worker's read failed, in one line for a notice: the time
    limit and the memory limit say which limit and how to raise it."""
    text = str(exc)
    if isinstance(exc, sqlite3.Error) and "interrupted" in text:
        try:
            limit = f"the {kbdb.read_timeout():g} s"
        except Exception:  # an unreadable KBTUI_TIMEOUT: the reader refused it before any query
            limit = "its"
        return f"Reading the database took longer than {limit} time limit and was stopped (KBTUI_TIMEOUT raises it)."
    if isinstance(exc, MemoryError) or (isinstance(exc, sqlite3.Error) and "out of memory" in text):
        return f"Reading the database needed more than {kbdb.HEAP_LIMIT_BYTES >> 30} GiB of memory and was stopped."
    if isinstance(exc, RecursionError):
        return "The database holds data nested too deeply to show; stopped."
    if isinstance(exc, sqlite3.Error | OSError):
        return f"The database could not be read: {visible(text, 300)}"
    # a value of the wrong type in a crafted file (the schema's CHECKs can be
    # switched off when writing it): say so in one line, never a traceback
    return f"The database holds data kbtui cannot show ({type(exc).__name__}: {visible(text, 200)})."


# Closed sets and formats (kinds, types, statuses, stances, dates): schema.sql's
# CHECKs keep them plain words, but a crafted file can be written with the
# checks off. A legitimate value never holds a control character, so making
# such a value visible (␛ for ESC) changes nothing else; ids are left as they
# are (they are looked up again) and shown through safetext where shown.
CLOSED_KEYS = frozenset(
    {
        "kind",
        "type",
        "status",
        "state",
        "stance",
        "certainty",
        "mode",
        "anchor",
        "roles_as",
        "date_basis",
        "property",
        "qualifier",
        "start",
        "end",
        "date",
        "as_of",
        "first",
        "last",
        "published",
        "via_date",
        "not_before",
        "not_after",
    }
)


def inert(value: T) -> T:
    """`value` (the data layer's dicts, lists and tuples) with every
    closed-set or date field that holds a control character made visible,
    in place."""
    _inert(value)
    return value


def _inert(value: Any) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, str):
                if key in CLOSED_KEYS and UNSAFE.search(item):
                    value[key] = visible(item, 40)
            elif isinstance(item, dict | list | tuple):
                _inert(item)
    elif isinstance(value, list | tuple):
        for item in value:
            if isinstance(item, dict | list | tuple):
                _inert(item)


def check(path: Path | str) -> None:
    """Raise UnusableDatabase (with a readable message) if `path` is no KB."""
    with reader(path):
        pass


def search(path: Path | str, query: str, limit: int = RESULTS) -> list[kbsearch.Hit]:
    """The hits for `query`; namesakes among them carry a line that tells
    them apart (their role, country, holders: kbtui.kb.namesakes)."""
    with reader(path) as conn:
        hits = kbsearch.search(conn, query, limit=limit)
        # the first screenful: each costs a few index reads
        alike = namesakes.shared_names([(h.id, h.name) for h in hits])[:NAMESAKES_TOLD]
        if not alike:
            return hits
        told = namesakes.details(conn, alike)
    return [replace(h, detail=told[h.id]) if h.id in told else h for h in hits]


GrepResult = kbgrep.Result


def grep(path: Path | str, query: str, limit: int = RESULTS) -> kbgrep.Result:
    """Passages of the sources' text holding every word of `query`
    (kbtui.kb.grep). A query with no word finds nothing, rather than fail."""
    with reader(path) as conn:
        try:
            return kbgrep.grep(conn, query, limit=limit)
        except kbgrep.BadQuery:
            return kbgrep.Result([], 0, True)


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
        return inert(queries.show(conn, entity_id, limit=page))


class EntityView(NamedTuple):
    """An entity and the evidence of its cited aliases (descriptors such as
    "Xi's security chief" are claims true at a date, with citations)."""

    entity: Entity
    alias_claims: dict[str, Evidence]


def entity_view(path: Path | str, entity_id: str, page: int = PAGE) -> EntityView:
    with reader(path) as conn:
        found = queries.show(conn, entity_id, limit=page)
        found["disagreement"] = disagreement.count(conn, found["id"])
        cited = [a["claim_id"] for a in found["alias_kinds"] if a["claim_id"]]
        return inert(EntityView(found, claims_evidence(conn, cited)))


def more_roles(path: Path | str, entity: Entity, offset: int, page: int = PAGE) -> list[Role]:
    """The next page of `entity`'s roles, from the side queries.show chose."""
    with reader(path) as conn:
        return inert(queries.roles_of(conn, entity["id"], entity["roles_as"], limit=page, offset=offset))


def all_roles(path: Path | str, entity: Entity) -> list[Role]:
    with reader(path) as conn:
        return queries.roles_of(conn, entity["id"], entity["roles_as"])


class ViewedSource(SourceView):
    """A source as the viewer shows it: SourceView, plus each citation's
    full evidence record (as of, stance, speaker, ...) by citation id, and
    the source's own errors."""

    details: dict[int, Citation]
    errata: list[Erratum]
    shown_version: NotRequired[int]  # an older text of the source, not its current one


def source_view(path: Path | str, source_id: str, citation_id: int | None = None) -> ViewedSource:
    """Everything the source viewer needs in one round trip: the source,
    its cited spans (with their claims in words and their evidence
    records), its entity mentions and its errata. For an orphaned
    citation, the older text it is in, with the citations left there
    (`shown_version` says which)."""
    with reader(path) as conn:
        src = queries.source(conn, source_id)
        pinned = conn.execute(
            "SELECT version FROM citations WHERE id = ? AND source_id = ?", (citation_id, src["id"])
        ).fetchone()
        version = pinned[0] if pinned else None
        old = queries.version_text(conn, src["id"], version) if version is not None else None
        if old is not None:
            src["text"], src["length"] = old, len(old)
        else:
            version = None
        cites, mentions = queries.source_marks(conn, src["id"], version)
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
        errata = queries.errata(conn, src["id"]) if version is None else []
        view: ViewedSource = {
            **src,  # type: ignore[typeddict-item]
            "citations": cites,
            "mentions": mentions,
            "details": details,
            "errata": errata,
        }
        if version is not None:
            view["shown_version"] = version
        return inert(view)


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
        return inert(ConflictsView(conflicts, disputed, errata, claims_evidence(conn, ids), owners))


class DisagreementView(NamedTuple):
    """Where the sources disagree about one entity, lined up in pairs, with
    the evidence record of every claim either side names."""

    found: disagreement.Disagreements
    pairs: list[disagreement.Pair]
    evidence: dict[str, Evidence]


def disagreement_view(path: Path | str, entity_id: str) -> DisagreementView:
    with reader(path) as conn:
        found = disagreement.of_entity(conn, entity_id)
        pairs = disagreement.side_by_side(found)
        ids = [side["claim_id"] for pair in pairs for side in pair["sides"] if side["claim_id"]]
        return inert(DisagreementView(found, pairs, claims_evidence(conn, list(dict.fromkeys(ids)))))


INTERLOCKS_SHOWN = 50  # organisations in an organisation's interlocks table (the CLI's --limit pages on)


def interlocks_of(path: Path | str, org_id: str) -> dict[str, Any] | None:
    """The bodies, outlets and states that share people with `org_id`
    (kbtui.kb.interlocks.shared), or None for an entity that is none of
    those (a person has roles, not interlocks)."""
    with reader(path) as conn:
        row = conn.execute("SELECT kind FROM entities WHERE id = ?", (org_id,)).fetchone()
        if row is None or row[0] not in interlocks.SIDES:
            return None
        return inert(interlocks.shared(conn, org_id, limit=INTERLOCKS_SHOWN))


class InterlockPair(NamedTuple):
    """The people tied to two organisations (kbtui.kb.interlocks.between)
    and the evidence record of every tie."""

    found: dict[str, Any]
    evidence: dict[str, Evidence]


def interlock_pair(path: Path | str, a: str, b: str) -> InterlockPair:
    with reader(path) as conn:
        found = interlocks.between(conn, a, b, limit=interlocks.MAX_LIMIT)
        ids = [t["claim"]["id"] for p in found["people"] for side in ("a", "b") for t in p["ties"][side]]
        return inert(InterlockPair(found, claims_evidence(conn, list(dict.fromkeys(ids)))))


NEIGHBOURS_PAGE = 200


class NeighboursPage(NamedTuple):
    """A page of kbtui.kb.neighbours.page, its counts (on the first page
    only) and the evidence record of every link claim on the page."""

    page: dict[str, Any]
    counts: dict[str, Any] | None
    evidence: dict[str, Evidence]
    refused: bool = False  # two hops were asked, from too many neighbours: one is shown


def neighbours_page(path: Path | str, entity_id: str, hops: int, offset: int = 0) -> NeighboursPage:
    """Two hops from a hub are refused (most of the KB): one hop then, and
    `refused` says why."""
    refused = False
    with reader(path) as conn:
        try:
            reached = neighbours.reach(conn, entity_id, hops)
        except neighbours.Refused:
            refused, hops = True, 1
            reached = neighbours.reach(conn, entity_id, hops)
        found = neighbours.page(conn, entity_id, hops, limit=NEIGHBOURS_PAGE, offset=offset, reached=reached)
        counts = neighbours.counts(conn, entity_id, hops, reached=reached) if offset == 0 else None
        ids = [link["claim"]["id"] for n in found["neighbours"] for link in n["links"]]
        return inert(NeighboursPage(found, counts, claims_evidence(conn, list(dict.fromkeys(ids))), refused))


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


def export_table(
    path: Path | str,
    directory: Path,
    stem: str,
    header: Sequence[str],
    rows: Sequence[table_export.ExportRow],
    formats: Sequence[str],
) -> table_export.Written:
    """Write a table the user sees with its evidence (kbtui.kb.table_export)
    to new files in `directory`. The KB is read, and closed, before any file
    is written: a slow disk never holds the read open."""
    with reader(path) as conn:
        evidence = table_export.read_evidence(conn, rows)
    return table_export.write(directory, stem, header, rows, evidence, formats)


# --- overviews ------------------------------------------------------------------


class OverviewPage(NamedTuple):
    """A page of an overview, the evidence of its claims, and what could
    not be understood of what was typed (said above the table)."""

    rows: list[overview.Row]
    evidence: dict[str, Evidence]
    problem: str | None


def overview_page(path: Path | str, view: overview.View, text: str, order: str = "", offset: int = 0) -> OverviewPage:
    with reader(path) as conn:
        narrow = overview.narrowing(view, text)
        try:
            q = overview.query(conn, view, narrow, order)
        except overview.Unknown as exc:
            return OverviewPage([], {}, str(exc))
        rows = overview.page(conn, view, q, offset)
        claim_ids = [
            r.id if isinstance(r, overview.ClaimRow) else r.claim_id
            for r in rows
            if isinstance(r, overview.ClaimRow | overview.EventRow)
        ]
        evidence = inert(queries.evidence(conn, claim_ids)) if claim_ids else {}
        return OverviewPage(rows, evidence, narrow.problems[0] if narrow.problems else None)


def overview_count(
    path: Path | str, view: overview.View, text: str, order: str = "", exact: bool = False
) -> overview.Count:
    with reader(path) as conn:
        try:
            q = overview.query(conn, view, overview.narrowing(view, text), order)
        except overview.Unknown:
            return overview.Count(0, True)
        return overview.count(conn, q, None if exact else overview.COUNT_BUDGET)


# --- curate mode: judging duplicates ----------------------------------------------


class PairView(NamedTuple):
    """A candidate pair and both its entities, as the judging screen shows them."""

    pair: Any  # kbtui.kb.dedupe_score.Pair (imported with dedupe, on first use)
    left: pair_view.Side
    right: pair_view.Side


DUPLICATES = 200  # candidate pairs read for one judging session


def duplicate_pairs(path: Path | str, limit: int = DUPLICATES) -> list[PairView]:
    """The best candidate pairs not judged yet, with what the screen shows of each side."""
    from kbtui.kb import dedupe

    with reader(path) as conn:
        pairs = dedupe.candidates(conn, limit=limit, exclude=pair_view.judged(conn))
        out = []
        for p in pairs:
            left, right = pair_view.side(conn, p.a), pair_view.side(conn, p.b)
            if left is not None and right is not None:
                # the one more is known of stays by default (left); x swaps
                if pair_view.weight(right) > pair_view.weight(left):
                    left, right = right, left
                out.append(PairView(p, left, right))
        return inert(out)


def judge_pair(
    path: Path | str, bundle: Path, a: str, b: str, verdict: str, keep: str | None = None
) -> tuple[str, str | None]:
    """Write a judgement (curate mode only: the bundle and the KB change
    together). Returns what was said and, for a merge, the id merged away."""
    from kbtui.kb import judge

    change, merged = judge.judge(bundle, Path(path), a, b, verdict, keep)
    return change.id, (merged.other if merged is not None else None)


# --- the timeline -------------------------------------------------------------------


class TimelinePage(NamedTuple):
    """A page of kbtui.kb.timeline and the evidence record of its claims,
    for the evidence pane under the rows."""

    items: list[timeline.Item]
    next: timeline.Cursor | None
    evidence: dict[str, Evidence]


TIMELINE_PAGE = timeline.DEFAULT_LIMIT  # items read at a time (the whole KB's first page: ~0.4 s at 1M)


def timeline_page(
    path: Path | str,
    entity_id: str | None,
    after: timeline.Cursor | None = None,
    start: str | None = None,
    end: str | None = None,
) -> TimelinePage:
    """A page of the timeline, of items whose dates overlap start..end
    (valid ISO prefixes, either open; kbtui.kb.timeline.parse_range)."""
    with reader(path) as conn:
        found = timeline.page(conn, entity_id, start=start, end=end, after=after, limit=TIMELINE_PAGE)
        claim_ids = list(dict.fromkeys(item["claim"]["id"] for item in found.items))
        evidence = queries.evidence(conn, claim_ids) if claim_ids else {}
        return TimelinePage(inert(found.items), found.next, inert(evidence))
