"""`kbtui publish`: Datasette metadata for a KB, so a team can browse it,
read-only, in a web browser: `datasette -i KB.db -m metadata.json`.

The metadata is plain JSON that kbtui builds itself; Datasette is never
imported here (it is the optional extra `kbtui[web]`, needed only to
serve). What the file holds, and why:

- a title and description for the site and the database;
- a description of every table and view the KB holds. The names come from
  the KB's own sqlite_master, so the file follows the schema as it changes;
  the words come from DESCRIPTIONS below, which a test holds equal to
  schema.sql (a new table without a description fails it). The FTS5
  tables' shadow tables (`names_fts_data`, …) are described by rule;
- column descriptions for the seven views (the README's way into the KB)
  and the main tables, each kept only where the column exists;
- facets on the few columns worth counting at a glance: kind, type,
  status, stance and the like (FACETS). Datasette gives up on a facet that
  takes longer than its time limit, so a big KB still answers;
- the search-index tables hidden (they are listed under "hidden tables"):
  a team browses the data, not the trigrams;
- `label_column` where Datasette should show a name instead of an id, and
  `sortable_columns` without the whole-text columns (sorting by an
  article's text means nothing, and reads every text);
- canned queries: the README's SQL examples (section "SQL"), each with a
  name, title and description. Their SQL is the README's, character for
  character, except that a literal a reader would change (the country in
  "Which officials are Chinese?") is a `:param`; a test puts the README's
  value back and compares, so the two cannot drift apart. They are kept
  here, not read from the README at run time, because an installed kbtui
  has no README.

Arbitrary SQL stays allowed (Datasette's default; the file sets no
`allow_sql`): with `-i` Datasette opens the file immutable, read-only, so
a query can read anything but change nothing, and Datasette stops a query
after its time limit (1 s by default). A team that wants only the canned
queries can add `"allow_sql": false` to the database block.

Datasette serves the file as it is: a confidential source (sources.
confidential) is shown whole, text included, to whoever reaches the site.
The metadata cannot hide rows, so publish counts them and the command
warns; serve a KB without them.

`-i` is a promise that the file will not change while Datasette serves
it (SQLite then takes no locks and Datasette counts rows once): to serve
new data, stop Datasette, import, and start it again, or serve a copy.

Datasette 1.0 (an alpha as of this writing) moves canned queries, facets
and the like out of metadata into a `datasette.yaml` config, so the extra
pins `datasette>=0.65.1,<1.0`: versions that read this file whole. The
test passes with 0.65.1, 0.65.2 and 0.65.5; with 0.64.8 and 0.65.0 the
in-process client it uses fails on today's httpx (0.28 dropped `app=`).

Datasette names a database after its file's stem (`kb.db` is `kb`), and
the metadata is keyed by that name: serve the file under the name it was
published from, and publish again after a `kbtui migrate`.

Writing goes through `kbtui export`'s helpers (kbtui.kb.exporting): the
same refusal of an existing file without `force`, of a missing or
unwritable folder, and the same atomic write (a hidden temporary beside
the destination, renamed when complete). The same KB gives the same bytes.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shlex
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

# the write helpers `kbtui export` uses, shared rather than copied (see above)
from kbtui.kb import db, redact
from kbtui.kb.exporting import Counts, ExportFailed, Format, _check_target, _into_file

# Every table and view of schema.sql, in words. tests/test_publish.py fails
# when schema.sql has a table or view this lacks, or this one it does not.
DESCRIPTIONS: dict[str, str] = {
    # where rows came from
    "inputs": (
        "Where rows came from: one row per bundle, FollowTheMoney file or CSV file imported (kind), "
        "the path it was last imported from and when."
    ),
    "entity_inputs": "Every input that names an entity (its owner included); an entity goes when none does.",
    # entities and their names
    "entities": (
        "Anything with a name: people, organisations, countries, places, events, products, publications, "
        "concepts (kind). Every other table names entities by these ids."
    ),
    "aliases": (
        "Other name forms of an entity: abbreviations, transliterations, former names, descriptors… (kind). "
        "A descriptor or metonym is searchable but never resolves a typed name; an alias with citations "
        "is also a claim."
    ),
    "redirects": "Entities merged into another: the old id, and the id it now resolves to.",
    "judgements": "Curators' judgements of pairs of entities (same, not-same, unsure); 'same' merges them.",
    # the search indexes (hidden: rebuilt from the names, never edited)
    "names": "Search index: one row per name or alias with its normalised and compact forms.",
    "names_fts": "Search index: the trigrams of the compact names (FTS5).",
    "name_grams": "Search index: pieces of the compact names, to find names within two typos.",
    "names_words": "Search index: the words of every name (FTS5), so words match in any order.",
    "names_vocab": "Search index: each word of the names, with how many names hold it.",
    "word_grams": "Search index: pieces of single words, to find words within two typos.",
    "sources_fts": "Full-text index of the sources' titles and texts (FTS5).",
    # claims
    "claims": (
        "Everything a source asserts (kind: role, relation, event, participation, property, alias); the typed "
        "tables share its id. `disputed` says what is known to be wrong or contested, and why: the claim "
        "stays, attributed and cited."
    ),
    "roles": (
        "A position a person (or organisation) holds in an organisation, with start, end and status as the "
        "citing sources state them at their dates. v_roles gives the names."
    ),
    "relations": (
        "A typed, directed link subject -type-> object, with dates, a label and, as the source writes them, "
        "an ownership share, a payment's amount and currency, a sanction's programme. v_relations gives the names."
    ),
    "events": (
        "Meetings, visits, conferences, speeches…: each an entity (so search finds it) and a claim (so it is "
        "cited), with type, dates and place. v_events gives the participants."
    ),
    "participations": "Who took part in an event, in what capacity (each a claim with its citations).",
    "properties": (
        "A cited property of an entity: date of birth, nationality, a name in another language, an identifier… "
        "A nationality or affiliation is an entity id (v_properties gives its name)."
    ),
    "conflicts": "Two claims that cannot both be true, with why; one row per pair.",
    # evidence
    "sources": (
        "The source texts, verbatim (citation offsets index into `text`), with outlet, author, dates and how "
        "the date is known, what a repost repeats (via, relays, origin) and how the text was captured. "
        "Imported FollowTheMoney and CSV records are sources too (format)."
    ),
    "source_versions": (
        "Earlier versions of a source's text with their hashes and capture provenance; a citation orphaned "
        "by a new version still points into its own version here."
    ),
    "citations": (
        "A verbatim quote at an exact span of a source: the evidence for a claim, with its as-of date, stance "
        "(supports, contradicts, qualifies), certainty, mode and speaker. v_citations describes it in words."
    ),
    "citation_moves": (
        "Where a citation now anchored 'moved' was before its source's text changed: the version, the quote "
        "and its span there, for a curator to confirm."
    ),
    "mentions": "Spans of a source where a known name or alias occurs.",
    "errata": (
        "A source's own errors: the words in error (anchored like a citation), what they say, what is right, "
        "the claim recorded from them (about) and the claim whose citations show what is right (shown_by)."
    ),
    "log": "Every curation write: when, who, what (action), its target, the bundle file and a diff of it.",
    # the views: flat rows with names instead of ids
    "v_roles": (
        "Every role with holder and organisation names, its citation count and its attestation window: the "
        "earliest and latest as-of dates of the evidence that asserts it."
    ),
    "v_relations": "Every relation as subject -type-> object, with names, dates and its citation count.",
    "v_events": "One row per event participant (an event without participants appears once), with names.",
    "v_citations": (
        "Every citation with its claim and source in words, its date, and how the source stands to the claim: "
        "stance, certainty, mode, speaker."
    ),
    "v_properties": (
        "Every cited property with the entity's name; value_name is the name of the country or organisation "
        "a nationality or affiliation points at."
    ),
    "v_conflicts": "Every conflict, one row per pair, with both claims' kinds.",
    "v_errata": "Every erratum with its source's title and outlet.",
}

# SQLite's FTS5 keeps these tables for each full-text index
FTS5_SHADOWS = ("data", "idx", "content", "docsize", "config")

# always hidden from the lists of tables (Datasette also hides the FTS
# tables itself, and with a table every table whose name starts with it)
HIDDEN = frozenset({"names", "name_grams", "word_grams", "names_fts", "names_words", "names_vocab", "sources_fts"})

# a few columns worth counting at a glance on each table page
FACETS: dict[str, tuple[str, ...]] = {
    "inputs": ("kind",),
    "entities": ("kind",),
    "aliases": ("kind",),
    "claims": ("kind",),
    "roles": ("status",),
    "relations": ("type",),
    "events": ("type",),
    "properties": ("property",),
    "citations": ("stance", "certainty", "anchor"),
    "sources": ("format", "date_basis"),
    "log": ("action", "user"),
    "judgements": ("verdict",),
    "v_roles": ("status",),
    "v_relations": ("type",),
    "v_events": ("type",),
    "v_citations": ("claim_kind", "stance", "certainty", "mode"),
    "v_properties": ("entity_kind", "property"),
    "v_conflicts": ("claim_kind",),
}

# what a row of a table that others point at is called on their pages
# (Datasette would guess these two; said here so no new column changes it)
LABELS = {"entities": "name", "sources": "title"}

# whole texts: not offered as sort orders
UNSORTABLE = {"sources": {"text", "meta", "note"}, "source_versions": {"text"}, "log": {"diff"}}

# the default order of a page where a table's own order is not the useful one
SORT_DESC = {"log": "id"}  # newest curation first, as `kbtui log`

# -- column descriptions ---------------------------------------------------------

_DATES = {
    "start": "When it began: an ISO date prefix (2024, 2024-05, 2024-05-03), as the source gives it.",
    "end": "When it ended: an ISO date prefix, as the source gives it.",
}
_EVIDENCE = {
    "disputed": "What is disputed about the claim, and why (empty when nothing is).",
    "citations": "How many citations the claim has.",
}
_SPAN = {
    "quote": "The verbatim words quoted from the source.",
    "start": "Where the quote starts in the source's text (a character offset).",
    "end": "Where the quote ends in the source's text (exclusive).",
}

COLUMNS: dict[str, dict[str, str]] = {
    "entities": {
        "kind": "person, organisation, country, place, event, product, publication or concept.",
        "summary": "A short description of the entity.",
        "input_id": "The input whose name, kind and summary these are.",
    },
    "sources": {
        "confidential": "1: the source must not be made public (an informant's memo, a leaked file).",
    },
    "claims": {
        "kind": "role, relation, event, participation, property or alias: the table with the rest of it.",
        "disputed": _EVIDENCE["disputed"],
        "input_id": "The input that wrote the claim.",
    },
    "v_roles": {
        "role_id": "The role's claim id (its citations: v_citations.claim_id).",
        "holder_id": "The holder's entity id.",
        "holder": "The holder's name.",
        "title": "The position, as the sources name it.",
        "organisation_id": "The organisation's entity id (empty for a title without one).",
        "organisation": "The organisation's name.",
        **_DATES,
        "status": (
            "current, former or unknown, as the citing sources state it at their dates: 'current' is evidence "
            "the role was held then, not that it is held today."
        ),
        **_EVIDENCE,
        "attested_first": "The earliest as-of date of the citations that assert the role.",
        "attested_last": (
            "The latest as-of date of the citations that assert the role. Dates are ISO prefixes compared as "
            "text: right at one precision only ('2024' < '2024-05' although 2024 contains May)."
        ),
    },
    "v_relations": {
        "relation_id": "The relation's claim id (its citations: v_citations.claim_id).",
        "subject_id": "The subject's entity id.",
        "subject": "The subject's name.",
        "type": "What the subject is to the object: owns, supervises, met, sanctioned, …",
        "object_id": "The object's entity id.",
        "object": "The object's name.",
        "label": "The relation in the source's words, when the type says too little.",
        **_DATES,
        "share": "An ownership's share, as the source writes it (51%).",
        "amount": "A payment's amount, as the source writes it.",
        "currency": "The amount's currency.",
        "program": "A sanction's programme.",
        **_EVIDENCE,
    },
    "v_events": {
        "event_id": "The event's entity id.",
        "event": "The event's name.",
        "type": "meeting, visit, conference, speech, talks, war, clash, statement or other.",
        **_DATES,
        "place_id": "The place's entity id.",
        "place": "Where it took place.",
        "participant_id": "A participant's entity id (empty for an event without participants).",
        "participant": "The participant's name.",
        "capacity": "In what capacity the participant took part.",
    },
    "v_citations": {
        "citation_id": "The citation's id (`kbtui cite ID` shows it in its paragraph).",
        "claim_id": "The claim it is evidence for.",
        "claim_kind": "role, relation, event, participation, property or alias.",
        "source_id": "The source quoted.",
        "source_title": "The source's title.",
        "outlet": "Who wrote the source (not who reposted it).",
        "author": "The source's author.",
        "published": "When the source was published: an ISO date prefix.",
        "source_confidential": "1 when the source is confidential: it must not be made public.",
        **_SPAN,
        "anchor": (
            "How the quote was found in the text: exact, normalised (quotes, dashes or spacing differ), moved (to "
            "new words in a new version of the text) or orphaned (left in an old version)."
        ),
        "source_version": "The version of the source's text the span points into.",
        "in_old_version": "1 when that is an earlier version than the source's current text.",
        "as_of": "The date the quote is evidence for (by default the source's publication date).",
        "as_of_note": "Why the citation cannot be dated, when as_of is empty.",
        "stance": "supports, contradicts or qualifies the claim.",
        "certainty": "stated, reported, likely or inferred.",
        "mode": "asserts, denies, demands or predicts.",
        "speaker_id": "The entity who asserts it, when not the source's writer.",
        "speaker": "Who asserts it, when not the source's writer.",
    },
    "v_properties": {
        "property_id": "The property's claim id (its citations: v_citations.claim_id).",
        "entity_id": "The entity's id.",
        "entity": "The entity's name.",
        "entity_kind": "The entity's kind (person, organisation, …).",
        "property": "birth-date, nationality, affiliation, name, identifier, …",
        "value": "The value: a date, a text, or (nationality, affiliation) an entity id.",
        "value_name": "The name of the entity a nationality or affiliation points at.",
        "qualifier": "A name's language tag, or an identifier's scheme.",
        **_EVIDENCE,
    },
    "v_conflicts": {
        "claim_id": "One claim of the pair.",
        "claim_kind": "Its kind.",
        "other_id": "The claim it conflicts with.",
        "other_kind": "Its kind.",
        "note": "Why both cannot be true.",
    },
    "v_errata": {
        "erratum_id": "The erratum's id.",
        "source_id": "The source in error.",
        "source_title": "Its title.",
        "outlet": "Its outlet.",
        "quote": "The source's words in error.",
        "says": "What those words say.",
        "correct": "What is right.",
        "about": "The claim recorded from the words in error.",
        "shown_by": "The claim whose citations show what is right.",
    },
}


# -- canned queries ---------------------------------------------------------------


@dataclass(frozen=True)
class Canned:
    """One of the README's SQL examples as a Datasette canned query.
    `params` maps each `:param` of `sql` to the literal the README has in
    its place (a quoted string), which is also the example a reader may
    type into the form."""

    name: str
    title: str
    description: str
    sql: str
    params: dict[str, str] = field(default_factory=dict)

    def as_readme(self) -> str:
        """The SQL as the README prints it: each `:param` its literal."""
        return re.sub(r":(\w+)", lambda m: self.params.get(m.group(1), m.group(0)), self.sql)


# In the README's order (so the site lists them as the README does).
QUERIES: tuple[Canned, ...] = (
    Canned(
        "roles_last_attested",
        "Who was said to hold a position, and when was that last attested?",
        "Every role with its status and attestation window, latest evidence first. 'current' is what a source "
        "said at its date, never a claim about today.",
        """\
-- Who was said to hold a position, and when was that last attested?
SELECT holder, title, organisation, status, attested_first, attested_last
FROM v_roles ORDER BY attested_last DESC, holder;""",
    ),
    Canned(
        "officials_of_a_country",
        "Officials of a country (a cited nationality or affiliation)",
        "People with a cited nationality or affiliation of the country given by its entity id, e.g. china.",
        """\
-- Which officials are Chinese? (a cited nationality or affiliation)
SELECT entity, property, value_name, citations FROM v_properties
WHERE property IN ('nationality', 'affiliation') AND value = :country AND entity_kind = 'person';""",
        {"country": "'china'"},
    ),
    Canned(
        "hedged_evidence",
        "Hedged, relayed or non-assertive evidence",
        "Citations that do not state a claim as fact: reported, likely or inferred; denials, demands and "
        "predictions; quotes that contradict or qualify.",
        """\
-- Hedged, relayed or non-assertive evidence: what is not stated as fact.
SELECT claim_id, certainty, mode, speaker, quote FROM v_citations
WHERE certainty != 'stated' OR mode != 'asserts' OR stance != 'supports' ORDER BY certainty;""",
    ),
    Canned(
        "conflicts",
        "Conflicting claims",
        "Pairs of claims that cannot both be true, with why.",
        """\
-- Conflicting claims, and the sources' own errors.
SELECT claim_id, other_id, note FROM v_conflicts;""",
    ),
    Canned(
        "errata",
        "The sources' own errors",
        "Each erratum: the outlet, the words in error, what they say and what is right.",
        "SELECT outlet, quote, says, correct FROM v_errata;",
    ),
    Canned(
        "who_met_whom",
        "Who met whom",
        "Pairs of participants in the same event.",
        """\
-- Who met whom: pairs of participants in the same event.
SELECT a.event, a.participant AS person, b.participant AS met
FROM v_events a JOIN v_events b ON a.event_id = b.event_id AND a.participant_id < b.participant_id
ORDER BY a.event;""",
    ),
    Canned(
        "claims_per_outlet",
        "How many claims does each outlet support?",
        "Distinct claims with a citation from each outlet, most first.",
        """\
-- How many claims does each outlet support?
SELECT coalesce(outlet, '(unknown)') AS outlet, count(DISTINCT claim_id) AS claims
FROM v_citations GROUP BY 1 ORDER BY claims DESC;""",
    ),
    Canned(
        "imports",
        "What each import brought",
        "Sources (texts and records) and claims per input: bundle, FollowTheMoney file or CSV file.",
        """\
-- What each import brought: sources (texts and records) and claims per input.
SELECT i.id, i.kind, i.imported,
       (SELECT count(*) FROM sources s WHERE s.input_id = i.id) AS sources,
       (SELECT count(*) FROM claims c WHERE c.input_id = i.id) AS claims
FROM inputs i ORDER BY i.id;""",
    ),
    Canned(
        "relations_by_type",
        "Relations by type",
        "How many relations of each type, and how many carry an ownership share or a sanction programme.",
        """\
-- Relations by type; how many carry an ownership share or a sanction programme.
SELECT type, count(*) AS n, count(share) AS with_share, count(program) AS with_program
FROM v_relations GROUP BY type ORDER BY n DESC;""",
    ),
    Canned(
        "citations_to_review",
        "Citations to review after a source changed",
        "Citations whose words moved in a new version of the text, or were left in an old one (orphaned).",
        """\
-- Citations to review after a source changed: moved to new words, or left in an old text.
SELECT claim_id, anchor, source_id, source_version, quote FROM v_citations
WHERE anchor IN ('moved', 'orphaned') ORDER BY source_id, anchor;""",
    ),
    Canned(
        "curation_log",
        "Who changed what, most recent first",
        "The last 20 curation writes: when, who, what (new, add, edit, rm, version, reanchor, merge, judge), on what.",
        """\
-- Who changed what, most recent first (the curation log).
SELECT at, user, action, target, input_id FROM log ORDER BY id DESC LIMIT 20;""",
    ),
    Canned(
        "disputed_roles",
        "Roles a source got wrong",
        "Roles marked disputed, with each quote behind them and its outlet.",
        """\
-- Claims that a source got wrong, with the quote that makes them.
SELECT r.holder, r.title, r.disputed, c.quote, c.outlet
FROM v_roles r JOIN v_citations c ON c.claim_id = r.role_id WHERE r.disputed IS NOT NULL;""",
    ),
)


# -- building ---------------------------------------------------------------------


def database_name(kb: Path) -> str:
    """The name Datasette serves `kb` under: its file's stem."""
    return Path(kb).stem


def _objects(conn: sqlite3.Connection) -> list[tuple[str, str, str]]:
    """(type, name, sql) of every table and view but SQLite's own, by name."""
    rows = conn.execute(
        "SELECT type, name, coalesce(sql, '') FROM sqlite_master"
        " WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name"
    )
    return [(str(t), str(n), str(s)) for t, n, s in rows]


def _shadows(objects: list[tuple[str, str, str]]) -> dict[str, str]:
    """Each FTS5 shadow table's name -> the full-text index it belongs to."""
    fts = [name for _t, name, sql in objects if re.search(r"\bUSING\s+fts5\s*\(", sql, re.I)]
    return {f"{index}_{part}": index for index in fts for part in FTS5_SHADOWS}


def _columns(conn: sqlite3.Connection, name: str) -> list[str]:
    return [str(row[1]) for row in conn.execute("SELECT * FROM pragma_table_info(?)", (name,))]


def describe(name: str, shadows: dict[str, str]) -> str:
    if name in DESCRIPTIONS:
        return DESCRIPTIONS[name]
    if name in shadows:
        return f"Kept by SQLite for the full-text index {shadows[name]}; never edited by hand."
    return "A table kbtui does not describe."  # a trusted KB has none (kbtui.kb.trust)


def _table(conn: sqlite3.Connection, name: str, shadows: dict[str, str]) -> dict[str, Any]:
    columns = _columns(conn, name)
    entry: dict[str, Any] = {"description": describe(name, shadows)}
    if name in HIDDEN or name in shadows:
        entry["hidden"] = True
    described = {c: text for c, text in COLUMNS.get(name, {}).items() if c in columns}
    if described:
        entry["columns"] = described
    facets = [c for c in FACETS.get(name, ()) if c in columns]
    if facets:
        entry["facets"] = facets
    if LABELS.get(name) in columns:
        entry["label_column"] = LABELS[name]
    if name in UNSORTABLE:
        entry["sortable_columns"] = [c for c in columns if c not in UNSORTABLE[name]]
    if SORT_DESC.get(name) in columns:
        entry["sort_desc"] = SORT_DESC[name]
    return entry


def _query(query: Canned) -> dict[str, Any]:
    entry: dict[str, Any] = {"title": query.title, "description": query.description, "sql": query.sql}
    if query.params:
        entry["params"] = list(query.params)
    return entry


def metadata(conn: sqlite3.Connection, name: str) -> dict[str, Any]:
    """Datasette metadata for the KB open on `conn`, served as `name`."""
    objects = _objects(conn)
    shadows = _shadows(objects)
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    about = (
        "An evidence-backed knowledge base made with kbtui: entities (people, organisations, places, events…), "
        "claims about them (roles, relations, events, properties) and the citations behind every claim, each "
        "a verbatim quote of a stored source. Start with the v_ views (names instead of ids) or the queries "
        "below. Read-only."
    )
    database = {
        "title": f"{name}: a kbtui knowledge base",
        "description": f"{about} Schema version {version}; dates are ISO prefixes (2024, 2024-05, 2024-05-03).",
        "tables": {n: _table(conn, n, shadows) for _t, n, _s in objects},
        "queries": {q.name: _query(q) for q in QUERIES},
    }
    return {"title": f"{name}: a kbtui knowledge base", "description": about, "databases": {name: database}}


def to_text(meta: dict[str, Any]) -> str:
    """The file's text: indented for people who open it, key order as
    built (the queries in the README's order), so the same KB gives the
    same bytes."""
    return json.dumps(meta, ensure_ascii=False, indent=2) + "\n"


# -- writing ----------------------------------------------------------------------


@dataclass
class Published:
    path: str
    database: str  # the name Datasette serves the KB under
    commands: list[str]  # what to run next: install Datasette, then serve
    counts: Counts = field(default_factory=dict)
    bytes: int = 0
    confidential: int = 0  # confidential sources Datasette would serve as they are
    redacted: int = 0  # confidential sources left out of the copy served (--redact)

    def as_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "database": self.database,
            "counts": self.counts,
            "bytes": self.bytes,
            "commands": self.commands,
            "confidential": self.confidential,
            "redacted": self.redacted,
        }


DATASETTE = "datasette>=0.65.1,<1.0"  # as pyproject's `web` extra: 1.0 moves metadata out


def commands(kb: Path, out: Path) -> list[str]:
    """The two commands that serve the KB with the metadata, paths quoted
    for a POSIX shell."""
    # (the web extra's own range, so it works from a checkout as from an install)
    return [f"pip install '{DATASETTE}'", f"datasette -i {shlex.quote(str(kb))} -m {shlex.quote(str(out))}"]


def publish(kb: Path, out: Path, force: bool = False, redacted: Path | None = None) -> Published:
    """Write Datasette metadata for the KB at `kb` to the file `out`;
    refused if `out` exists, unless `force`. With `redacted`, first write
    there a copy of the KB with its confidential sources redacted
    (kbtui.kb.redact.redacted_copy: never replaces a file), and describe
    and serve that copy instead: the KB itself is never served then."""

    def write(conn: sqlite3.Connection, handle: TextIO) -> Counts:
        handle.write(to_text(metadata(conn, name)))
        objects = _objects(conn)
        views = sum(1 for kind, _n, _s in objects if kind == "view")
        return {"tables": len(objects) - views, "views": views, "queries": len(QUERIES)}

    _check_target(out, Format("publish", ".json", "Datasette metadata", lambda: write), force)
    served, hidden = kb, 0
    if redacted is not None:
        if Path(os.path.abspath(redacted)) == Path(os.path.abspath(out)):
            raise ExportFailed(f"--redact {redacted}: is --out too", "give the copy and the metadata two names")
        hidden = redact.redacted_copy(kb, redacted).sources
        served = redacted
    name = database_name(served)
    try:
        with contextlib.closing(db.connect_readonly(served, snapshot=True)) as conn:
            counts = _into_file(out, lambda handle: write(conn, handle))
            # (the copy's are still marked, as placeholders: none is served as it is)
            confidential = redact.confidential_count(conn) if redacted is None else 0
    except BaseException:
        if redacted is not None:  # the copy is half of the publication: none without the other
            db.discard(redacted)
        raise
    done = Published(str(out), name, commands(served, out), counts, out.stat().st_size, confidential)
    done.redacted = hidden
    return done
