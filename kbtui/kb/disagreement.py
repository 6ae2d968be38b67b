"""Where the sources disagree about one entity: `kbtui conflicts REF`, the
marker on its pane, and the explorer's side-by-side view.

An entity's claims are the ones its pane shows: roles it holds or that are
held in it, relations either way, events it took part in (and, for an event,
the event itself and its participants; for a place, the events held there),
its properties and cited aliases.
Among them:

- **conflicts**: a recorded conflict with at least one side among them (the
  other side may be about someone else: RT's "premier" Xi against the
  leader Xi is two claims about Xi; a conflict between two holders of one
  post is about both);
- **disputed**: a claim (or an event the entity took part in) marked disputed, or with a citation that
  contradicts it, that is not already a side of a listed conflict (there
  its mark shows on its side); both sides are its own quotes: those for it
  and those against;
- **errata**: a source's own error that is about one of its claims, shows
  what is right with one, or sits on a mention of the entity (RT's "Yi
  announced" is an erratum about Wang Yi's name, with no claim behind it).

`count` is for the pane's marker and must be cheap on a hub (an
organisation with 12,758 holders at 1M entities): it never reads a citation
and goes from the KB's few disputed claims to the entity's, not the other
way. `of_entity` reads the quotes as well.
"""

from __future__ import annotations

import sqlite3
from typing import TypedDict

from kbtui.kb import queries
from kbtui.kb.errors import NotFound
from kbtui.kb.models import Citation, Conflict, DisagreementCounts, EntityRef, Erratum

# The claims of entity :e (a bound parameter, used by name), branch by
# branch; every branch is one indexed lookup.
_BRANCHES = (
    "SELECT claim_id FROM roles WHERE holder_id = :e",
    "SELECT claim_id FROM roles WHERE organisation_id = :e",
    "SELECT claim_id FROM relations WHERE subject_id = :e",
    "SELECT claim_id FROM relations WHERE object_id = :e",
    "SELECT claim_id FROM participations WHERE entity_id = :e",
    "SELECT claim_id FROM participations WHERE event_id = :e",
    "SELECT v.claim_id FROM participations p JOIN events v ON v.entity_id = p.event_id WHERE p.entity_id = :e",
    "SELECT claim_id FROM events WHERE entity_id = :e",
    "SELECT claim_id FROM events WHERE place_id = :e",
    "SELECT claim_id FROM properties WHERE entity_id = :e",
    "SELECT claim_id FROM aliases WHERE entity_id = :e AND claim_id IS NOT NULL",
)
_MINE = "WITH mine(claim_id) AS (" + " UNION ".join(_BRANCHES) + ") "


def _owned(column: str) -> str:
    """SQL: the claim in `column` (qualified: a bare name would be read as
    the subquery's own column) is one of :e's, by primary-key lookups."""
    return (
        f"(EXISTS (SELECT 1 FROM roles WHERE claim_id = {column} AND (holder_id = :e OR organisation_id = :e))"
        f" OR EXISTS (SELECT 1 FROM relations WHERE claim_id = {column} AND (subject_id = :e OR object_id = :e))"
        f" OR EXISTS (SELECT 1 FROM participations WHERE claim_id = {column} AND (entity_id = :e OR event_id = :e))"
        f" OR EXISTS (SELECT 1 FROM events v WHERE v.claim_id = {column} AND (v.entity_id = :e OR v.place_id = :e"
        " OR EXISTS (SELECT 1 FROM participations p WHERE p.event_id = v.entity_id AND p.entity_id = :e)))"
        f" OR EXISTS (SELECT 1 FROM properties WHERE claim_id = {column} AND entity_id = :e)"
        f" OR EXISTS (SELECT 1 FROM aliases WHERE claim_id = {column} AND entity_id = :e))"
    )


class _Plan:
    """How to test "a claim of :e": against the entity's claims gathered
    once (cheap for the many entities with a few claims), or claim by claim
    with primary-key lookups (cheap for a hub with 12,758 holders, when the
    KB's conflicts, disputed claims and errata are fewer than its claims).
    Each side costs about the same per row, so the smaller count decides."""

    def __init__(self, conn: sqlite3.Connection, entity_id: str, gathered: bool | None = None) -> None:
        self.gathered = self._few_claims(conn, entity_id) if gathered is None else gathered
        self.prefix = _MINE if self.gathered else ""

    @staticmethod
    def _few_claims(conn: sqlite3.Connection, entity_id: str) -> bool:
        trouble: int = sum(
            conn.execute(sql).fetchone()[0]
            for sql in (
                "SELECT 2 * count(*) FROM conflicts",
                "SELECT count(*) FROM claims WHERE disputed IS NOT NULL",
                "SELECT count(*) FROM citations WHERE stance = 'contradicts'",
                "SELECT count(*) FROM errata",
            )
        )
        claims: int = 0
        for branch in _BRANCHES:
            left = trouble - claims + 1
            claims += conn.execute(f"SELECT count(*) FROM ({branch} LIMIT {left})", {"e": entity_id}).fetchone()[0]
            if claims > trouble:
                break
        return claims <= trouble

    def mine(self, column: str) -> str:
        return f"{column} IN (SELECT claim_id FROM mine)" if self.gathered else _owned(column)


class DisputedClaim(TypedDict):
    """A claim its own evidence argues over: the quotes for it, against it."""

    claim_id: str
    claim: str  # in words
    why: str  # the mark's reason, or that a citation contradicts it
    marked: bool  # the KB marks it disputed (not only a citation against it)
    supporting: list[Citation]
    contradicting: list[Citation]


class ErratumSides(TypedDict):
    """An erratum with the claims on either side of it, quoted."""

    erratum: Erratum
    about: str | None  # the claim recorded from the error, in words
    about_citations: list[Citation]
    shown_by: str | None  # the claim whose evidence shows what is right, in words
    shown_by_citations: list[Citation]


class Disagreements(TypedDict):
    entity: EntityRef
    conflicts: list[Conflict]
    disputed: list[DisputedClaim]
    errata: list[ErratumSides]


def _entity(conn: sqlite3.Connection, entity_id: str) -> EntityRef:
    row = conn.execute("SELECT id, name FROM entities WHERE id = ?", (entity_id,)).fetchone()
    if row is None:
        raise NotFound(f"no entity with id {entity_id!r}", "try `kbtui search`")
    return {"id": row[0], "name": row[1]}


def _conflict_pairs(conn: sqlite3.Connection, plan: _Plan, entity_id: str) -> list[tuple[str, str]]:
    sql = (
        f"{plan.prefix}SELECT f.claim_id, f.other_id FROM conflicts f"
        f" WHERE {plan.mine('f.claim_id')} OR {plan.mine('f.other_id')} ORDER BY 1, 2"
    )
    return [(a, b) for a, b in conn.execute(sql, {"e": entity_id})]


def _disputed_ids(conn: sqlite3.Connection, plan: _Plan, entity_id: str, sides: set[str]) -> list[str]:
    # the partial indexes claims_disputed and citations_contradicting hold
    # only the claims disputed by a mark or by a contradicting citation
    sql = (
        f"{plan.prefix}SELECT c.id FROM claims c WHERE c.disputed IS NOT NULL AND {plan.mine('c.id')}"
        f" UNION SELECT t.claim_id FROM citations t WHERE t.stance = 'contradicts' AND {plan.mine('t.claim_id')}"
        " ORDER BY 1"
    )
    return [r[0] for r in conn.execute(sql, {"e": entity_id}) if r[0] not in sides]


def _errata_ids(conn: sqlite3.Connection, plan: _Plan, entity_id: str) -> list[str]:
    sql = (
        # (joined to its source as queries.errata joins it: the marker counts what the view lists)
        f"{plan.prefix}SELECT x.id FROM errata x JOIN sources s ON s.id = x.source_id"
        f" WHERE ({plan.mine('x.about')} OR {plan.mine('x.shown_by')}"
        ' OR EXISTS (SELECT 1 FROM mentions m WHERE m.source_id = x.source_id AND m.start < x."end"'
        ' AND m."end" > x.start AND m.entity_id = :e)) ORDER BY x.id'
    )
    return [r[0] for r in conn.execute(sql, {"e": entity_id})]


def words(counts: DisagreementCounts) -> str:
    """ "1 conflict · 2 errata": the marker's words (empty when they agree)."""
    parts = (
        (counts["conflicts"], "conflict", "conflicts"),
        (counts["disputed"], "disputed claim", "disputed claims"),
        (counts["errata"], "erratum", "errata"),
    )
    return " · ".join(f"{n:,} {one if n == 1 else many}" for n, one, many in parts if n)


def count(conn: sqlite3.Connection, entity_id: str) -> DisagreementCounts:
    """How many conflicts, disputed claims and errata concern the entity
    (the pane's "sources disagree" marker; zeros for none)."""
    plan = _Plan(conn, entity_id)
    pairs = _conflict_pairs(conn, plan, entity_id)
    sides = {c for pair in pairs for c in pair}
    return {
        "conflicts": len(pairs),
        "disputed": len(_disputed_ids(conn, plan, entity_id, sides)),
        "errata": len(_errata_ids(conn, plan, entity_id)),
    }


def of_entity(conn: sqlite3.Connection, entity_id: str) -> Disagreements:
    """Everything `count` counts, with both sides quoted (`kbtui conflicts
    REF --json`). NotFound for an unknown id."""
    entity = _entity(conn, entity_id)
    plan = _Plan(conn, entity["id"])
    pairs = _conflict_pairs(conn, plan, entity["id"])
    sides = {c for pair in pairs for c in pair}
    disputed_ids = _disputed_ids(conn, plan, entity["id"], sides)
    conflicts = queries.conflicts(conn, pairs) if pairs else []
    errata = queries.errata(conn, ids=_errata_ids(conn, plan, entity["id"]))
    linked = {c for x in errata for c in (x["about"], x["shown_by"]) if c}
    cites = queries.citations_for(conn, sorted(set(disputed_ids) | linked))
    marks = {cid: queries.disputed_mark(conn, cid) for cid in disputed_ids}
    disputed: list[DisputedClaim] = []
    for cid in disputed_ids:
        mark = marks.get(cid)
        disputed.append(
            {
                "claim_id": cid,
                "claim": queries.claim_summary(conn, cid),
                "why": mark or "a citation contradicts it",
                "marked": mark is not None,
                "supporting": [c for c in cites[cid] if c["stance"] != "contradicts"],
                "contradicting": [c for c in cites[cid] if c["stance"] == "contradicts"],
            }
        )
    return {
        "entity": entity,
        "conflicts": conflicts,
        "disputed": disputed,
        "errata": [
            {
                "erratum": x,
                "about": queries.claim_summary(conn, x["about"]) if x["about"] else None,
                "about_citations": cites[x["about"]] if x["about"] else [],
                "shown_by": queries.claim_summary(conn, x["shown_by"]) if x["shown_by"] else None,
                "shown_by_citations": cites[x["shown_by"]] if x["shown_by"] else [],
            }
            for x in errata
        ],
    }


# --- both sides, lined up ------------------------------------------------------


# what each side of a pair is, by kind: column titles for the CLI and the explorer
SIDE_TITLES = {
    "conflict": ("one side", "the other side"),
    "disputed": ("for it", "against it"),
    "erratum": ("the source says", "what is right"),
}


class Side(TypedDict):
    """One side of a disagreement: what it says, the claim behind it (for
    its evidence) and its quotes."""

    heading: str
    claim_id: str | None
    disputed: str | None  # the KB's mark on this side's claim
    citations: list[Citation]
    erratum: Erratum | None  # the source's words in error (an erratum's first side)


class Pair(TypedDict):
    kind: str  # conflict | disputed | erratum
    note: str
    sides: tuple[Side, Side]


def _side(
    heading: str,
    claim_id: str | None,
    citations: list[Citation],
    disputed: str | None = None,
    erratum: Erratum | None = None,
) -> Side:
    return {"heading": heading, "claim_id": claim_id, "disputed": disputed, "citations": citations, "erratum": erratum}


def side_by_side(found: Disagreements) -> list[Pair]:
    """Every disagreement as two sides: a conflict's two claims; a disputed
    claim's quotes for and against; an erratum's words in error (with the
    claim recorded from them) and what is right (with the claim that shows
    it). The order: conflicts, disputed claims, errata."""
    out: list[Pair] = []
    for c in found["conflicts"]:
        a, b = c["claims"][0], c["claims"][1]
        out.append(
            {
                "kind": "conflict",
                "note": c["note"],
                "sides": (
                    _side(a["summary"], a["id"], a["citations"], a["disputed"]),
                    _side(b["summary"], b["id"], b["citations"], b["disputed"]),
                ),
            }
        )
    for d in found["disputed"]:
        out.append(
            {
                "kind": "disputed",
                "note": d["claim"],
                "sides": (
                    _side("", d["claim_id"], d["supporting"]),
                    _side(d["why"], d["claim_id"], d["contradicting"]),
                ),
            }
        )
    for x in found["errata"]:
        e = x["erratum"]
        out.append(
            {
                "kind": "erratum",
                "note": f"an error in {e['source']['outlet'] or e['source']['title']}",
                "sides": (
                    _side(e["says"], e["about"], x["about_citations"], erratum=e),
                    _side(e["correct"], e["shown_by"], x["shown_by_citations"]),
                ),
            }
        )
    return out


def count_of(found: Disagreements) -> DisagreementCounts:
    return {"conflicts": len(found["conflicts"]), "disputed": len(found["disputed"]), "errata": len(found["errata"])}
