"""`kbtui export --format annotations`: every citation as a W3C Web
Annotation (https://www.w3.org/TR/annotation-model/), in one
AnnotationCollection written as JSON-LD.

One annotation per row of `citations`, id `urn:kbtui:citation:<id>` (the
citation's row id: stable while the KB is not rebuilt):

- target: the source (its url, else `urn:kbtui:source:<id>`) narrowed by a
  TextQuoteSelector (the quote, and up to 32 characters of the text before
  and after it, cut from the text: the stored prefix/suffix columns are
  what disambiguated the quote at import, not always its surroundings) and
  a TextPositionSelector (code points, end exclusive, as kbtui stores
  them). The positions index kbtui's stored text of the source, which for
  a web page is the text extracted from it, not its HTML.
- A citation pinned to an older version of its source (`citations.version`)
  is checked and cut against that version's text, and its target says so:
  `kbtui:version` is always the version the positions index, and
  `kbtui:latestVersion` appears when a newer one replaced it. The version's
  capture (retrieved, archive_url) becomes a W3C TimeState, which is how a
  generic client finds the right text.
- A citation whose stored span no longer reads its quote (`kbtui check`:
  "citation-span") is exported as stored, quote as `exact` and stored
  positions, with `kbtui:matches: false` and `kbtui:reads`, what the span
  holds: the evidence is kept and the disagreement is visible, not hidden
  by re-anchoring here (that is import's and `kbtui add version`'s work).
- body: a TextualBody whose value is the claim in words (the wording of
  queries.claim_summary), purpose "describing", with the citation's
  evidence fields (claim, kind, stance, certainty, mode, speaker, as-of)
  under the `kbtui:` prefix, declared in the @context as urn:kbtui:vocab#.
  The body has no id: those fields belong to this citation, and a shared
  claim id would give one node the stances of all its citations.

motivation is "describing": the body states what the quoted words say (a
role, a relation, an event), not a comment on them, a tag or an
assessment; how the quote bears on the claim (supports, contradicts,
qualifies) is the body's kbtui:stance.

Memory stays flat: citations stream in batches in the order of the
citations_source index (source, start, id), so each source's text is read
once and only the current one (and at most one older version of it) is
held. Each annotation is written with sorted keys: the same KB gives the
same bytes.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any, TextIO

CONTEXT = ["http://www.w3.org/ns/anno.jsonld", {"kbtui": "urn:kbtui:vocab#"}]
AROUND = 32  # characters of prefix and suffix
FETCH = 2_000  # citations taken from the cursor at a time

# The claim in words, as queries.claim_summary words it, but in the same
# query as the citation: claim_summary costs two queries per claim, which
# at six million citations is most of the export's time.
_SUMMARY = """
CASE cl.kind
WHEN 'role' THEN (
    SELECT h.name || ': ' || r.title || coalesce(' of ' || o.name, '')
           || CASE r.status WHEN 'former' THEN ' (former)' ELSE '' END
    FROM roles r JOIN entities h ON h.id = r.holder_id LEFT JOIN entities o ON o.id = r.organisation_id
    WHERE r.claim_id = ci.claim_id)
WHEN 'relation' THEN (
    SELECT s.name || ' ' || r.type || ' ' || o.name
    FROM relations r JOIN entities s ON s.id = r.subject_id JOIN entities o ON o.id = r.object_id
    WHERE r.claim_id = ci.claim_id)
WHEN 'property' THEN (
    SELECT e.name || ': ' || p.property || ' ' || coalesce(v.name, p.value)
           || CASE WHEN p.qualifier != '' THEN ' (' || p.qualifier || ')' ELSE '' END
    FROM properties p JOIN entities e ON e.id = p.entity_id
    LEFT JOIN entities v ON v.id = p.value AND p.property IN ('nationality', 'affiliation')
    WHERE p.claim_id = ci.claim_id)
WHEN 'alias' THEN (
    SELECT CASE WHEN e.name = a.alias THEN e.name || ', named here'
                ELSE e.name || ' called “' || a.alias || '” (' || a.kind || ')' END
    FROM aliases a JOIN entities e ON e.id = a.entity_id
    WHERE a.claim_id = ci.claim_id LIMIT 1)
WHEN 'event' THEN (
    SELECT 'Event: ' || en.name FROM events e JOIN entities en ON en.id = e.entity_id
    WHERE e.claim_id = ci.claim_id)
ELSE (
    SELECT en.name || ' took part in ' || ev.name
    FROM participations p JOIN entities en ON en.id = p.entity_id JOIN entities ev ON ev.id = p.event_id
    WHERE p.claim_id = ci.claim_id)
END
"""

# The sources' columns are read once per source, never joined here: a row
# of `sources` holds its text inline, and reaching the columns after it
# walks the text's overflow pages, for every citation. CROSS JOIN keeps
# citations the outer loop, read in the order of citations_source: left to
# the planner, it scanned claims and sorted every citation in a temp B-tree.
CITATIONS = f"""
SELECT ci.id, ci.claim_id, cl.kind, cl.disputed, ci.source_id, ci.quote, ci.start, ci."end", ci.version,
       ci.anchor, ci.as_of, ci.as_of_note, ci.stance, ci.certainty, ci.mode, ci.speaker_id,
       coalesce(sp.name, nullif(ci.speaker, '')), coalesce({_SUMMARY}, ci.claim_id)
FROM citations ci
CROSS JOIN claims cl ON cl.id = ci.claim_id
LEFT JOIN entities sp ON sp.id = ci.speaker_id
ORDER BY ci.source_id, ci.start, ci.id
"""
SOURCE = "SELECT title, outlet, published, url, version, text, retrieved, archive_url FROM sources WHERE id = ?"
OLD_VERSION = "SELECT text, retrieved, archive_url FROM source_versions WHERE source_id = ? AND version = ?"


class _Source:
    """The source being written: its fields, its current text and the one
    older version last asked for."""

    def __init__(self, conn: sqlite3.Connection, source_id: str) -> None:
        self.conn, self.id = conn, source_id
        row = conn.execute(SOURCE, (source_id,)).fetchone()
        got: tuple[Any, ...] = tuple(row) if row is not None else (None, None, None, None, 1, None, None, None)
        self.title: str | None = got[0]
        self.outlet: str | None = got[1]
        self.published: str | None = got[2]
        self.url: str | None = got[3]
        self.version: int = got[4]
        self.current = (_text(got[5]), _state(got[6], got[7]))
        self.old: tuple[int, str | None, dict[str, str] | None] | None = None

    def text(self, version: int | None) -> tuple[str | None, dict[str, str] | None]:
        """The text (None if the KB lacks it) that positions in `version`
        index, and its capture as a TimeState."""
        if version is None or version == self.version:
            return self.current
        if self.old is None or self.old[0] != version:
            row = self.conn.execute(OLD_VERSION, (self.id, version)).fetchone()
            self.old = (version, *((_text(row[0]), _state(row[1], row[2])) if row else (None, None)))
        return self.old[1], self.old[2]


def write(conn: sqlite3.Connection, out: TextIO) -> dict[str, int]:
    counts = {"annotations": 0, "sources": 0, "old_versions": 0, "mismatched": 0}
    head = {
        "@context": CONTEXT,
        "id": "urn:kbtui:citations",
        "type": "AnnotationCollection",
        "label": "kbtui citations: each claim's quotes in its sources",
    }
    # written by hand around the items so they can stream; "total" comes
    # last, when it is known (JSON keys have no order)
    out.write(json.dumps(head, ensure_ascii=False, separators=(",", ":"))[:-1])
    out.write(',"first":{"id":"urn:kbtui:citations:page-1","type":"AnnotationPage","startIndex":0,"items":[')
    cur = conn.execute(CITATIONS)
    source: _Source | None = None
    sep = "\n"
    while rows := cur.fetchmany(FETCH):
        chunk = []
        for row in rows:
            if source is None or source.id != row[4]:
                source = _Source(conn, row[4])
                counts["sources"] += 1
            item = _annotation(tuple(row), source, counts)
            chunk.append(sep + json.dumps(item, ensure_ascii=False, sort_keys=True, separators=(",", ":")))
            sep = ",\n"
        out.write("".join(chunk))
        counts["annotations"] += len(rows)
    out.write(f'\n]}},"total":{counts["annotations"]}}}\n')
    return counts


def _annotation(row: tuple[Any, ...], source: _Source, counts: dict[str, int]) -> dict[str, Any]:
    (cid, claim_id, kind, disputed, source_id, quote, start, end, version, anchor) = row[:10]
    (as_of, as_of_note, stance, certainty, mode, speaker_id, speaker, summary) = row[10:]
    text, state = source.text(version)
    shown_version = source.version if version is None else version
    quote_selector: dict[str, Any] = {"type": "TextQuoteSelector", "exact": quote}
    target: dict[str, Any] = {
        "source": source.url or f"urn:kbtui:source:{source_id}",
        "selector": [quote_selector, {"type": "TextPositionSelector", "start": start, "end": end}],
        "kbtui:source": source_id,
        "kbtui:version": shown_version,
        "kbtui:anchor": anchor,
    }
    if text is not None:
        if prefix := text[max(0, start - AROUND) : start]:
            quote_selector["prefix"] = prefix
        if suffix := text[end : end + AROUND]:
            quote_selector["suffix"] = suffix
    matches = text is not None and text[start:end] == quote
    target["kbtui:matches"] = matches
    if not matches:
        counts["mismatched"] += 1
        target["kbtui:reads"] = text[start:end] if text is not None else None
    if shown_version != source.version:
        counts["old_versions"] += 1
        target["kbtui:latestVersion"] = source.version
    if state:
        target["state"] = state
    _put(target, title=source.title, outlet=source.outlet, published=source.published)
    body: dict[str, Any] = {"type": "TextualBody", "value": summary, "format": "text/plain", "purpose": "describing"}
    _put(
        body,
        claim=claim_id,
        claimKind=kind,
        disputed=disputed,
        stance=stance,
        certainty=certainty,
        mode=mode,
        speaker=speaker_id,
        speakerName=speaker,
        asOf=as_of,
        asOfNote=as_of_note,
    )
    return {
        "id": f"urn:kbtui:citation:{cid}",
        "type": "Annotation",
        "motivation": "describing",
        "body": body,
        "target": target,
    }


def _put(into: dict[str, Any], **fields: Any) -> None:
    """kbtui: fields, left out when empty (JSON-LD drops nulls anyway)."""
    into.update((f"kbtui:{k}", v) for k, v in fields.items() if v is not None and v != "")


def _text(value: object) -> str | None:
    # a damaged row can hold a blob: no text to check against, not a crash
    return value if isinstance(value, str) else None


def _state(retrieved: str | None, archived: str | None) -> dict[str, str] | None:
    """W3C TimeState: when the text was captured, and an archived copy."""
    state = {"type": "TimeState"}
    if retrieved:
        state["sourceDate"] = retrieved
    if archived:
        state["cached"] = archived
    return state if len(state) > 1 else None
