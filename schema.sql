-- kbtui knowledge-base schema. This file is the single source of truth:
-- `kbtui init` and `kbtui import` apply it verbatim, and a test proves that
-- sample.db carries exactly these objects. Bump SCHEMA_VERSION in
-- kbtui/kb/db.py (PRAGMA user_version) whenever this file changes.
--
-- Conventions
--   * ids are stable, human-readable slugs: lowercase ascii, digits, '-'.
--   * dates are ISO-8601 prefixes: '2024', '2024-04', '2024-04-20'.
--   * text offsets are Unicode code points into sources.text, end exclusive
--     (the same as Python string slicing), after W3C TextPositionSelector.

-- Where rows came from: one row per bundle, FtM file (with its deltas) or
-- CSV file imported into this KB. Sources, claims and aliases belong to the
-- input that wrote them; an entity row belongs to the input that created it
-- and is shared with every input that also names it (entity_inputs). A
-- re-import, an FtM DEL or `import --prune` removes only that input's rows;
-- an entity goes when no input names it and nothing refers to it. Rows
-- with a NULL input_id were written before schema v4 (or by hand): the
-- first input that writes the same id adopts them; nothing prunes them.
CREATE TABLE inputs (
    id       TEXT PRIMARY KEY
             CHECK (length(id) BETWEEN 1 AND 200 AND id NOT GLOB '*[^a-z0-9-]*'),
    kind     TEXT NOT NULL CHECK (kind IN ('bundle', 'ftm', 'csv')),
    location TEXT NOT NULL DEFAULT '',  -- the path it was last imported from
    imported TEXT NOT NULL DEFAULT ''   -- when, UTC ISO 8601
);

-- Anything that has a name: people, organisations, countries, places,
-- events, products, publications, concepts.
CREATE TABLE entities (
    id       TEXT PRIMARY KEY
             CHECK (length(id) BETWEEN 1 AND 200 AND id NOT GLOB '*[^a-z0-9-]*'),
    kind     TEXT NOT NULL
             CHECK (kind IN ('person', 'organisation', 'country', 'place',
                             'event', 'product', 'publication', 'concept')),
    name     TEXT NOT NULL CHECK (length(name) > 0),
    summary  TEXT NOT NULL DEFAULT '',
    -- the input whose name, kind and summary these are (see inputs)
    input_id TEXT REFERENCES inputs(id)
);
CREATE INDEX entities_kind ON entities(kind);
-- the entities overview lists a kind (or all) by name, a page at a time:
-- read in order, never sorted (a million names took 0.3 s to sort)
CREATE INDEX entities_kind_name ON entities(kind, name COLLATE NOCASE);

-- Every input that names an entity (its owner included).
CREATE TABLE entity_inputs (
    input_id  TEXT NOT NULL REFERENCES inputs(id) ON DELETE CASCADE,
    entity_id TEXT NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
    PRIMARY KEY (input_id, entity_id)
) WITHOUT ROWID;
CREATE INDEX entity_inputs_entity ON entity_inputs(entity_id);

-- Every other name form of an entity. Aliases are data: search indexes them.
-- A `descriptor` ("Xi's security chief") is a job description true at a
-- date, and a `metonym` ("Beijing" for China) is a capital standing for its
-- state: both are searchable but never resolve a name typed on the command
-- line. An alias with citations is also a claim (kind 'alias').
CREATE TABLE aliases (
    entity_id TEXT NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
    alias     TEXT NOT NULL CHECK (length(alias) > 0),
    kind      TEXT NOT NULL DEFAULT 'alias'
              CHECK (kind IN ('alias', 'abbreviation', 'transliteration',
                              'surname', 'short-form', 'former-name',
                              'misspelling-in-source', 'domain',
                              'descriptor', 'metonym')),
    as_of     TEXT CHECK (as_of IS NULL OR as_of GLOB '[0-9][0-9][0-9][0-9]*'),
    claim_id  TEXT REFERENCES claims(id) ON DELETE SET NULL,
    input_id  TEXT REFERENCES inputs(id),
    PRIMARY KEY (entity_id, alias)
) WITHOUT ROWID;
CREATE INDEX aliases_input ON aliases(input_id) WHERE input_id IS NOT NULL;
-- (so deleting a claim does not scan every alias for one that cites it)
CREATE INDEX aliases_claim ON aliases(claim_id) WHERE claim_id IS NOT NULL;

-- The search index: one row per name or alias, with its normalised form.
-- `compact` is the normalised form with spaces removed, so "chen wen qing"
-- and "chenwenqing" meet; names_fts indexes its trigrams.
CREATE TABLE names (
    id         INTEGER PRIMARY KEY,
    entity_id  TEXT NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    norm       TEXT NOT NULL,
    compact    TEXT NOT NULL,
    is_primary INTEGER NOT NULL CHECK (is_primary IN (0, 1))
);
CREATE INDEX names_compact ON names(compact);
CREATE INDEX names_entity ON names(entity_id);
CREATE VIRTUAL TABLE names_fts USING fts5(
    compact, content='names', content_rowid='id', tokenize='trigram'
);
-- Typo candidates by pass-join (Li et al., VLDB 2011): each compact name of
-- length l is cut into 3 pieces, keyed '<l>:<piece>:<text>' ('11:0:che').
-- A name within 2 edits of a query keeps a piece intact, at a position the
-- query bounds, so a query looks up a few dozen exact keys. The compact form
-- rides along in the key's B-tree so candidates are verified without a join.
CREATE TABLE name_grams (
    gram    TEXT NOT NULL,
    name_id INTEGER NOT NULL,  -- names.id (rebuilt with names, no FK: bulk deletes stay fast)
    compact TEXT NOT NULL,     -- names.compact
    PRIMARY KEY (gram, name_id)
) WITHOUT ROWID;
-- Word-level search: every word of every name's normalised form, so a
-- query's words match a name's words in any order ("legal affairs
-- commission", "tsvetkov oleg"). detail='none': only which names hold a
-- word is needed, not where, which keeps the index small.
CREATE VIRTUAL TABLE names_words USING fts5(
    norm, content='names', content_rowid='id', detail='none'
);
-- The words themselves, with how many names hold each (doc).
CREATE VIRTUAL TABLE names_vocab USING fts5vocab(names_words, 'row');
-- Typo candidates for single words, by pass-join as name_grams does for
-- whole names: each word of 4 letters or more is cut into 3 pieces keyed
-- '<l>:<piece>:<text>'. One row per distinct word of the names.
CREATE TABLE word_grams (
    gram TEXT NOT NULL,
    word TEXT NOT NULL,
    PRIMARY KEY (gram, word)
) WITHOUT ROWID;

-- A claim is anything a source asserts: a role, a relation, an event, a
-- participation. Citations point at claims; the typed tables below share the
-- claim's id as their key (class-table inheritance keeps foreign keys real).
CREATE TABLE claims (
    id       TEXT PRIMARY KEY
             CHECK (length(id) BETWEEN 1 AND 200 AND id NOT GLOB '*[^a-z0-9-]*'),
    kind     TEXT NOT NULL
             CHECK (kind IN ('role', 'relation', 'event', 'participation',
                             'property', 'alias')),
    -- Set when a source's claim is known to be wrong or contested: what is
    -- disputed and why. The claim stays, attributed and cited.
    disputed TEXT,
    note     TEXT NOT NULL DEFAULT '',
    input_id TEXT REFERENCES inputs(id)
);
CREATE INDEX claims_input ON claims(input_id);
CREATE INDEX claims_disputed ON claims(id) WHERE disputed IS NOT NULL;

-- A position held by a person (or organisation) in an organisation.
CREATE TABLE roles (
    claim_id        TEXT PRIMARY KEY REFERENCES claims(id) ON DELETE CASCADE,
    holder_id       TEXT NOT NULL REFERENCES entities(id),
    organisation_id TEXT REFERENCES entities(id),
    title           TEXT NOT NULL CHECK (length(title) > 0),
    start           TEXT CHECK (start IS NULL OR start GLOB '[0-9][0-9][0-9][0-9]*'),
    "end"           TEXT CHECK ("end" IS NULL OR "end" GLOB '[0-9][0-9][0-9][0-9]*'),
    -- as the citing sources state it *at their as-of dates*: 'current' is
    -- evidence the role was held then, not that it is held today (the
    -- attestation window, from the citations, says when; see v_roles)
    status          TEXT NOT NULL DEFAULT 'unknown'
                    CHECK (status IN ('current', 'former', 'unknown'))
);
CREATE INDEX roles_holder ON roles(holder_id);
-- role titles find their holders ("director of national intelligence")
CREATE INDEX roles_title ON roles(title);
CREATE INDEX roles_organisation ON roles(organisation_id, status);
-- Who holds roles in an organisation, read from the index alone: a hub's
-- 12,758 holders are ranked (kbtui neighbours) without a row lookup each.
CREATE INDEX roles_organisation_holder ON roles(organisation_id, holder_id);
-- The order organisations list their holders in (current first, latest
-- first), so the first page of a 10,000-holder organisation is read in
-- order and stops early instead of sorting every holder.
CREATE INDEX roles_organisation_order ON roles(
    organisation_id,
    (CASE status WHEN 'current' THEN 0 WHEN 'unknown' THEN 1 ELSE 2 END),
    coalesce(start, '') DESC
);

-- A typed, directed link: subject -type-> object.
CREATE TABLE relations (
    claim_id   TEXT PRIMARY KEY REFERENCES claims(id) ON DELETE CASCADE,
    type       TEXT NOT NULL
               CHECK (type IN ('supervises', 'part-of', 'owns', 'operates',
                               'uses', 'monitors', 'met', 'allied-with',
                               'partner-of', 'adversary-of', 'advises',
                               'leads', 'reported-on', 'shared-intelligence-with',
                               'located-in', 'banned', 'friend-of', 'citizen-of',
                               'sanctioned', 'opposes', 'supports', 'conflict-with',
                               'recognised', 'published', 'family-of',
                               'associate-of', 'paid', 'represents',
                               'linked-to', 'other')),
    subject_id TEXT NOT NULL REFERENCES entities(id),
    object_id  TEXT NOT NULL REFERENCES entities(id),
    start      TEXT CHECK (start IS NULL OR start GLOB '[0-9][0-9][0-9][0-9]*'),
    "end"      TEXT CHECK ("end" IS NULL OR "end" GLOB '[0-9][0-9][0-9][0-9]*'),
    label      TEXT NOT NULL DEFAULT '',
    -- as the source writes them: an ownership's share ("51%"), a payment's
    -- amount and currency, a sanction's programme
    share      TEXT,
    amount     TEXT,
    currency   TEXT,
    program    TEXT
);
CREATE INDEX relations_subject ON relations(subject_id);
CREATE INDEX relations_object ON relations(object_id);

-- Meetings, visits, conferences. The event is an entity (so search finds it)
-- and a claim (so it is cited).
CREATE TABLE events (
    entity_id TEXT PRIMARY KEY REFERENCES entities(id) ON DELETE CASCADE,
    claim_id  TEXT NOT NULL UNIQUE REFERENCES claims(id) ON DELETE CASCADE,
    type      TEXT NOT NULL DEFAULT 'meeting'
              CHECK (type IN ('meeting', 'visit', 'conference', 'speech',
                              'talks', 'war', 'clash', 'statement', 'other')),
    start     TEXT CHECK (start IS NULL OR start GLOB '[0-9][0-9][0-9][0-9]*'),
    "end"     TEXT CHECK ("end" IS NULL OR "end" GLOB '[0-9][0-9][0-9][0-9]*'),
    place_id  TEXT REFERENCES entities(id)
);
-- deleting an entity looks here for events held at it
CREATE INDEX events_place ON events(place_id) WHERE place_id IS NOT NULL;
-- the events overview is chronological
CREATE INDEX events_start ON events(start);

-- Who took part in an event, in what capacity.
CREATE TABLE participations (
    claim_id  TEXT PRIMARY KEY REFERENCES claims(id) ON DELETE CASCADE,
    event_id  TEXT NOT NULL REFERENCES events(entity_id) ON DELETE CASCADE,
    entity_id TEXT NOT NULL REFERENCES entities(id),
    capacity  TEXT NOT NULL DEFAULT '',
    UNIQUE (event_id, entity_id)
);
CREATE INDEX participations_entity ON participations(entity_id);

-- A cited property of an entity: date of birth, nationality, a name in
-- another language, an identifier. `qualifier` is the language tag of a
-- name or the scheme of an identifier. Values of nationality/affiliation
-- are entity ids; dates are ISO prefixes (kbtui check verifies the shapes).
CREATE TABLE properties (
    claim_id  TEXT PRIMARY KEY REFERENCES claims(id) ON DELETE CASCADE,
    entity_id TEXT NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
    property  TEXT NOT NULL
              CHECK (property IN ('birth-date', 'death-date', 'nationality',
                                  'affiliation', 'official-name', 'name',
                                  'identifier', 'gender', 'position',
                                  'topic', 'country', 'address', 'website',
                                  'email', 'phone', 'incorporation-date',
                                  'dissolution-date', 'legal-form', 'status',
                                  'other')),
    value     TEXT NOT NULL CHECK (length(value) > 0),
    qualifier TEXT NOT NULL DEFAULT ''
);
CREATE INDEX properties_entity ON properties(entity_id, property);
CREATE INDEX properties_value ON properties(property, value);

-- Two claims that cannot both be true, with why. Stored once per pair.
CREATE TABLE conflicts (
    claim_id TEXT NOT NULL REFERENCES claims(id) ON DELETE CASCADE,
    other_id TEXT NOT NULL REFERENCES claims(id) ON DELETE CASCADE,
    note     TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (claim_id, other_id),
    CHECK (claim_id < other_id)
) WITHOUT ROWID;
CREATE INDEX conflicts_other ON conflicts(other_id);

-- Source texts, stored verbatim; citation offsets index into `text`.
CREATE TABLE sources (
    id        TEXT PRIMARY KEY
              CHECK (length(id) BETWEEN 1 AND 200 AND id NOT GLOB '*[^a-z0-9-]*'),
    title     TEXT NOT NULL,
    outlet    TEXT,            -- who wrote it (Washington Examiner), not who reposted
    author    TEXT,
    published TEXT CHECK (published IS NULL OR published GLOB '[0-9][0-9][0-9][0-9]*'),
    via       TEXT,            -- aggregator that reposted it, if any
    via_date  TEXT CHECK (via_date IS NULL OR via_date GLOB '[0-9][0-9][0-9][0-9]*'),
    url       TEXT,
    note      TEXT NOT NULL DEFAULT '',
    text      TEXT NOT NULL,
    sha256    TEXT NOT NULL CHECK (length(sha256) = 64),
    -- how `published` is known, and the bounds of the original's date
    date_basis TEXT NOT NULL DEFAULT 'unknown'
               CHECK (date_basis IN ('stated', 'byline', 'repost', 'inferred', 'unknown')),
    not_before TEXT CHECK (not_before IS NULL OR not_before GLOB '[0-9][0-9][0-9][0-9]*'),
    not_after  TEXT CHECK (not_after IS NULL OR not_after GLOB '[0-9][0-9][0-9][0-9]*'),
    -- what this text repeats: a stored source (relays) or a named original
    -- that is not stored (origin). Independent-source counts follow both.
    relays     TEXT REFERENCES sources(id),
    origin     TEXT,
    as_of_note TEXT NOT NULL DEFAULT '',  -- why its citations cannot be dated
    input_id   TEXT REFERENCES inputs(id),
    -- 'text': an article or document; 'ftm' / 'csv': one imported record,
    -- stored as its exact text so values cite the characters that carry them
    format     TEXT NOT NULL DEFAULT 'text' CHECK (format IN ('text', 'ftm', 'csv')),
    -- JSON object: what the record's format says about it (FtM: schema,
    -- datasets, first_seen, last_seen, last_change; CSV: file, row)
    meta       TEXT NOT NULL DEFAULT '{}',
    -- the version `text` is (1 for a text never replaced); every earlier
    -- version is kept in source_versions
    version    INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    -- capture provenance of this version: when it was retrieved (UTC ISO
    -- 8601), an archived copy, and the file as captured (for a web page,
    -- the HTML the text was extracted from, kept beside it in the bundle)
    retrieved      TEXT,
    archive_url    TEXT,
    capture_file   TEXT,
    capture_sha256 TEXT CHECK (capture_sha256 IS NULL OR length(capture_sha256) = 64),
    -- 1: the source must not be made public (an informant's memo, a leaked
    -- file): `kbtui export --redact` and a redacted copy keep its claims
    -- but cite it as a placeholder, leaving out its text, outlet, author,
    -- title and id. Set from the bundle (`confidential = true` in
    -- sources.toml), so it survives a re-import.
    confidential INTEGER NOT NULL DEFAULT 0 CHECK (confidential IN (0, 1))
);
CREATE INDEX sources_input ON sources(input_id);
-- deleting a source looks here for sources that relay it
CREATE INDEX sources_relays ON sources(relays) WHERE relays IS NOT NULL;
-- the few texts among a million records, without reading the records
CREATE INDEX sources_format ON sources(format, input_id);
-- the sources overview, newest first: without it every source's row (its
-- text inline) was read to sort 100,000 sources (0.8 s)
CREATE INDEX sources_published ON sources(published);
-- the few confidential sources, found without reading every row (each
-- export counts them; a redaction lists them)
CREATE INDEX sources_confidential ON sources(id) WHERE confidential = 1;
CREATE VIRTUAL TABLE sources_fts USING fts5(
    title, text, content='sources', content_rowid='rowid'
);

-- The earlier versions of a source's text, each with its sha256 and
-- capture provenance. A citation that could not be re-anchored in a newer
-- version (anchor 'orphaned') still points into the version it was made
-- in, so its highlight stays viewable.
CREATE TABLE source_versions (
    source_id      TEXT NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    version        INTEGER NOT NULL CHECK (version >= 1),
    text           TEXT NOT NULL,
    sha256         TEXT NOT NULL CHECK (length(sha256) = 64),
    retrieved      TEXT,
    archive_url    TEXT,
    capture_file   TEXT,
    capture_sha256 TEXT CHECK (capture_sha256 IS NULL OR length(capture_sha256) = 64),
    replaced       TEXT NOT NULL DEFAULT '',  -- when the next version replaced it
    PRIMARY KEY (source_id, version)
) WITHOUT ROWID;

-- A verbatim quote at an exact span of a source (W3C TextQuoteSelector +
-- TextPositionSelector). `anchor` says how import found it.
CREATE TABLE citations (
    id        INTEGER PRIMARY KEY,
    claim_id  TEXT NOT NULL REFERENCES claims(id) ON DELETE CASCADE,
    source_id TEXT NOT NULL REFERENCES sources(id),
    quote     TEXT NOT NULL CHECK (length(quote) > 0),
    prefix    TEXT NOT NULL DEFAULT '',
    suffix    TEXT NOT NULL DEFAULT '',
    start     INTEGER NOT NULL CHECK (start >= 0),
    "end"     INTEGER NOT NULL CHECK ("end" > start),
    anchor    TEXT NOT NULL DEFAULT 'exact'
              CHECK (anchor IN ('exact', 'normalised', 'moved', 'orphaned')),
    -- the date the quote is evidence for (default: the source's published
    -- date), or NULL with the reason in as_of_note
    as_of      TEXT CHECK (as_of IS NULL OR as_of GLOB '[0-9][0-9][0-9][0-9]*'),
    as_of_note TEXT NOT NULL DEFAULT '',
    stance     TEXT NOT NULL DEFAULT 'supports'
               CHECK (stance IN ('supports', 'contradicts', 'qualifies')),
    certainty  TEXT NOT NULL DEFAULT 'stated'
               CHECK (certainty IN ('stated', 'reported', 'likely', 'inferred')),
    mode       TEXT NOT NULL DEFAULT 'asserts'
               CHECK (mode IN ('asserts', 'denies', 'demands', 'predicts')),
    -- who asserts it, when not the source's writer: an entity, or words
    speaker_id TEXT REFERENCES entities(id),
    speaker    TEXT NOT NULL DEFAULT '',
    -- NULL: start and end point into the source's current text; a number:
    -- into that older version (source_versions), for a citation orphaned
    -- when the text changed
    version    INTEGER CHECK (version IS NULL OR version >= 1)
);
CREATE INDEX citations_claim ON citations(claim_id);
-- the few contradicting citations, for the conflicts overview without a
-- scan of every citation
CREATE INDEX citations_contradicting ON citations(claim_id) WHERE stance = 'contradicts';
CREATE INDEX citations_source ON citations(source_id, start);
-- deleting an entity looks here for what it said
CREATE INDEX citations_speaker ON citations(speaker_id) WHERE speaker_id IS NOT NULL;

-- Where a citation now marked 'moved' was before its source's text
-- changed: the version, the quote and its span there, for the curator who
-- confirms the move (the diff between the two is what to look at).
CREATE TABLE citation_moves (
    citation_id INTEGER PRIMARY KEY REFERENCES citations(id) ON DELETE CASCADE,
    version     INTEGER NOT NULL CHECK (version >= 1),
    quote       TEXT NOT NULL CHECK (length(quote) > 0),
    start       INTEGER NOT NULL CHECK (start >= 0),
    "end"       INTEGER NOT NULL CHECK ("end" > start)
);

-- Spans of a source where a known name or alias occurs.
CREATE TABLE mentions (
    source_id TEXT NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    entity_id TEXT NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
    start     INTEGER NOT NULL CHECK (start >= 0),
    "end"     INTEGER NOT NULL CHECK ("end" > start),
    PRIMARY KEY (source_id, start, entity_id)
) WITHOUT ROWID;
CREATE INDEX mentions_entity ON mentions(entity_id);

-- A source's own error: the words in error (anchored like a citation), what
-- it says, what is right, the claim recorded from it and the claim whose
-- citations show what is right.
CREATE TABLE errata (
    id        TEXT PRIMARY KEY
              CHECK (length(id) BETWEEN 1 AND 200 AND id NOT GLOB '*[^a-z0-9-]*'),
    source_id TEXT NOT NULL REFERENCES sources(id),
    quote     TEXT NOT NULL CHECK (length(quote) > 0),
    start     INTEGER NOT NULL CHECK (start >= 0),
    "end"     INTEGER NOT NULL CHECK ("end" > start),
    says      TEXT NOT NULL CHECK (length(says) > 0),
    correct   TEXT NOT NULL CHECK (length(correct) > 0),
    about     TEXT REFERENCES claims(id) ON DELETE SET NULL,
    shown_by  TEXT REFERENCES claims(id) ON DELETE SET NULL
);
CREATE INDEX errata_source ON errata(source_id);

-- Every curation write (kbtui new, add, edit, rm; re-anchoring on a new
-- source version), with who made it, when, the bundle file it changed and
-- a short diff of that file. A bundle keeps its own log (log.jsonl), which
-- an import of the bundle loads here as that input's rows.
CREATE TABLE log (
    id       INTEGER PRIMARY KEY,
    at       TEXT NOT NULL,             -- UTC ISO 8601
    user     TEXT NOT NULL,             -- git config user.name, else $USER
    action   TEXT NOT NULL CHECK (action IN ('new', 'add', 'edit', 'rm', 'version', 'reanchor', 'merge', 'judge')),
    target   TEXT NOT NULL,             -- what it changed: 'role chen-head', 'source nr-chen'
    file     TEXT NOT NULL DEFAULT '',  -- the bundle file written, relative to the bundle
    diff     TEXT NOT NULL DEFAULT '',
    input_id TEXT REFERENCES inputs(id) ON DELETE CASCADE,
    write_id TEXT NOT NULL DEFAULT ''   -- one curation command's id (crash recovery)
);
CREATE INDEX log_input ON log(input_id);
CREATE INDEX log_write ON log(write_id);

-- Entity resolution: a curator's judgement of a pair of entities (the
-- same one, not the same, unsure), from a bundle's resolutions.toml, so it
-- survives re-import. Stored once per pair (a < b). "same" merges them:
-- `keep` stays, the other becomes a redirect (below).
CREATE TABLE judgements (
    a        TEXT NOT NULL CHECK (length(a) BETWEEN 1 AND 200 AND a NOT GLOB '*[^a-z0-9-]*'),
    b        TEXT NOT NULL CHECK (length(b) BETWEEN 1 AND 200 AND b NOT GLOB '*[^a-z0-9-]*'),
    verdict  TEXT NOT NULL CHECK (verdict IN ('same', 'not-same', 'unsure')),
    keep     TEXT CHECK (keep IS NULL OR keep IN (a, b)),
    note     TEXT NOT NULL DEFAULT '',
    at       TEXT NOT NULL DEFAULT '',  -- UTC ISO 8601
    user     TEXT NOT NULL DEFAULT '',
    input_id TEXT REFERENCES inputs(id) ON DELETE CASCADE,
    PRIMARY KEY (a, b),
    CHECK (a < b)
) WITHOUT ROWID;
CREATE INDEX judgements_b ON judgements(b);
CREATE INDEX judgements_input ON judgements(input_id);

-- An entity merged into another: its old id still resolves (every command,
-- the explorer, and SQL through this table). Rebuilt from the "same"
-- judgements whenever data is written.
CREATE TABLE redirects (
    old_id TEXT PRIMARY KEY,
    new_id TEXT NOT NULL REFERENCES entities(id) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX redirects_new ON redirects(new_id);

-- ---------------------------------------------------------------------------
-- Views for people who write SQL: flat, joined, names instead of ids.

-- Every role with holder and organisation names, its citation count and its
-- attestation window: the earliest and latest as-of date of the citations
-- that support (or qualify) and assert it. Dates are ISO prefixes, i.e.
-- intervals: the latest is the one whose last day is latest ('2024-05'
-- ends after '2024-05-03' but before '2024'), hence the padded sort key.
CREATE VIEW v_roles AS
SELECT r.claim_id        AS role_id,
       r.holder_id,
       h.name            AS holder,
       r.title,
       r.organisation_id,
       o.name            AS organisation,
       r.start,
       r."end",
       r.status,
       c.disputed,
       (SELECT count(*) FROM citations ci WHERE ci.claim_id = r.claim_id) AS citations,
       (SELECT ci.as_of FROM citations ci
         WHERE ci.claim_id = r.claim_id AND ci.as_of IS NOT NULL
           AND ci.stance != 'contradicts' AND ci.mode = 'asserts'
         ORDER BY ci.as_of LIMIT 1) AS attested_first,
       (SELECT ci.as_of FROM citations ci
         WHERE ci.claim_id = r.claim_id AND ci.as_of IS NOT NULL
           AND ci.stance != 'contradicts' AND ci.mode = 'asserts'
         ORDER BY ci.as_of || substr('-12-31', length(ci.as_of) - 3) DESC LIMIT 1) AS attested_last
FROM roles r
JOIN claims c   ON c.id = r.claim_id
JOIN entities h ON h.id = r.holder_id
LEFT JOIN entities o ON o.id = r.organisation_id;

-- Every relation as subject -type-> object with names.
CREATE VIEW v_relations AS
SELECT r.claim_id   AS relation_id,
       r.subject_id,
       s.name       AS subject,
       r.type,
       r.object_id,
       o.name       AS object,
       r.label,
       r.start,
       r."end",
       r.share,
       r.amount,
       r.currency,
       r.program,
       c.disputed,
       (SELECT count(*) FROM citations ci WHERE ci.claim_id = r.claim_id) AS citations
FROM relations r
JOIN claims c   ON c.id = r.claim_id
JOIN entities s ON s.id = r.subject_id
JOIN entities o ON o.id = r.object_id;

-- One row per event participant (events without participants appear once).
CREATE VIEW v_events AS
SELECT e.entity_id   AS event_id,
       ev.name       AS event,
       e.type,
       e.start,
       e."end",
       e.place_id,
       pl.name       AS place,
       p.entity_id   AS participant_id,
       pe.name       AS participant,
       p.capacity
FROM events e
JOIN entities ev ON ev.id = e.entity_id
LEFT JOIN entities pl ON pl.id = e.place_id
LEFT JOIN participations p ON p.event_id = e.entity_id
LEFT JOIN entities pe ON pe.id = p.entity_id;

-- Every citation with its claim and source described in words (and
-- whether the source is confidential), its date and how the source stands
-- to the claim.
CREATE VIEW v_citations AS
SELECT ci.id          AS citation_id,
       ci.claim_id,
       cl.kind        AS claim_kind,
       ci.source_id,
       s.title        AS source_title,
       s.outlet,
       s.author,
       s.published,
       s.confidential AS source_confidential,
       ci.quote,
       ci.start,
       ci."end",
       ci.anchor,
       coalesce(ci.version, s.version) AS source_version,
       ci.version IS NOT NULL AS in_old_version,
       ci.as_of,
       ci.as_of_note,
       ci.stance,
       ci.certainty,
       ci.mode,
       ci.speaker_id,
       coalesce(sp.name, nullif(ci.speaker, '')) AS speaker
FROM citations ci
JOIN claims cl ON cl.id = ci.claim_id
JOIN sources s ON s.id = ci.source_id
LEFT JOIN entities sp ON sp.id = ci.speaker_id;

-- Every cited property with the entity's name; `value_name` is the name of
-- the entity a nationality or affiliation points at.
CREATE VIEW v_properties AS
SELECT p.claim_id    AS property_id,
       p.entity_id,
       e.name        AS entity,
       e.kind        AS entity_kind,
       p.property,
       p.value,
       v.name        AS value_name,
       p.qualifier,
       c.disputed,
       (SELECT count(*) FROM citations ci WHERE ci.claim_id = p.claim_id) AS citations
FROM properties p
JOIN claims c   ON c.id = p.claim_id
JOIN entities e ON e.id = p.entity_id
LEFT JOIN entities v ON v.id = p.value AND p.property IN ('nationality', 'affiliation');

-- Every conflict, one row per pair, with both claims' kinds.
CREATE VIEW v_conflicts AS
SELECT f.claim_id,
       a.kind     AS claim_kind,
       f.other_id,
       b.kind     AS other_kind,
       f.note
FROM conflicts f
JOIN claims a ON a.id = f.claim_id
JOIN claims b ON b.id = f.other_id;

-- Every erratum with its source's title.
CREATE VIEW v_errata AS
SELECT x.id        AS erratum_id,
       x.source_id,
       s.title     AS source_title,
       s.outlet,
       x.quote,
       x.says,
       x.correct,
       x.about,
       x.shown_by
FROM errata x
JOIN sources s ON s.id = x.source_id;
