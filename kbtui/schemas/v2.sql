-- kbtui knowledge-base schema. This file is the single source of truth:
-- `kbtui init` and `kbtui import` apply it verbatim, and a test proves that
-- sample.db carries exactly these objects. Bump SCHEMA_VERSION in
-- kbtui/kb/schema.py (PRAGMA user_version) whenever this file changes.
--
-- Conventions
--   * ids are stable, human-readable slugs: lowercase ascii, digits, '-'.
--   * dates are ISO-8601 prefixes: '2024', '2024-04', '2024-04-20'.
--   * text offsets are Unicode code points into sources.text, end exclusive
--     (the same as Python string slicing), after W3C TextPositionSelector.

-- Anything that has a name: people, organisations, countries, places,
-- events, products, publications, concepts.
CREATE TABLE entities (
    id       TEXT PRIMARY KEY
             CHECK (length(id) BETWEEN 1 AND 200 AND id NOT GLOB '*[^a-z0-9-]*'),
    kind     TEXT NOT NULL
             CHECK (kind IN ('person', 'organisation', 'country', 'place',
                             'event', 'product', 'publication', 'concept')),
    name     TEXT NOT NULL CHECK (length(name) > 0),
    summary  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX entities_kind ON entities(kind);

-- Every other name form of an entity. Aliases are data: search indexes them.
CREATE TABLE aliases (
    entity_id TEXT NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
    alias     TEXT NOT NULL CHECK (length(alias) > 0),
    kind      TEXT NOT NULL DEFAULT 'alias'
              CHECK (kind IN ('alias', 'abbreviation', 'transliteration',
                              'surname', 'short-form', 'former-name',
                              'misspelling-in-source', 'domain')),
    PRIMARY KEY (entity_id, alias)
) WITHOUT ROWID;

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

-- A claim is anything a source asserts: a role, a relation, an event, a
-- participation. Citations point at claims; the typed tables below share the
-- claim's id as their key (class-table inheritance keeps foreign keys real).
CREATE TABLE claims (
    id       TEXT PRIMARY KEY
             CHECK (length(id) BETWEEN 1 AND 200 AND id NOT GLOB '*[^a-z0-9-]*'),
    kind     TEXT NOT NULL
             CHECK (kind IN ('role', 'relation', 'event', 'participation')),
    -- Set when a source's claim is known to be wrong or contested: what is
    -- disputed and why. The claim stays, attributed and cited.
    disputed TEXT,
    note     TEXT NOT NULL DEFAULT ''
);

-- A position held by a person (or organisation) in an organisation.
CREATE TABLE roles (
    claim_id        TEXT PRIMARY KEY REFERENCES claims(id) ON DELETE CASCADE,
    holder_id       TEXT NOT NULL REFERENCES entities(id),
    organisation_id TEXT REFERENCES entities(id),
    title           TEXT NOT NULL CHECK (length(title) > 0),
    start           TEXT CHECK (start IS NULL OR start GLOB '[0-9][0-9][0-9][0-9]*'),
    "end"           TEXT CHECK ("end" IS NULL OR "end" GLOB '[0-9][0-9][0-9][0-9]*'),
    status          TEXT NOT NULL DEFAULT 'unknown'
                    CHECK (status IN ('current', 'former', 'unknown'))
);
CREATE INDEX roles_holder ON roles(holder_id);
CREATE INDEX roles_organisation ON roles(organisation_id, status);
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
                               'recognised', 'published', 'other')),
    subject_id TEXT NOT NULL REFERENCES entities(id),
    object_id  TEXT NOT NULL REFERENCES entities(id),
    start      TEXT CHECK (start IS NULL OR start GLOB '[0-9][0-9][0-9][0-9]*'),
    "end"      TEXT CHECK ("end" IS NULL OR "end" GLOB '[0-9][0-9][0-9][0-9]*'),
    label      TEXT NOT NULL DEFAULT ''
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

-- Who took part in an event, in what capacity.
CREATE TABLE participations (
    claim_id  TEXT PRIMARY KEY REFERENCES claims(id) ON DELETE CASCADE,
    event_id  TEXT NOT NULL REFERENCES events(entity_id) ON DELETE CASCADE,
    entity_id TEXT NOT NULL REFERENCES entities(id),
    capacity  TEXT NOT NULL DEFAULT '',
    UNIQUE (event_id, entity_id)
);
CREATE INDEX participations_entity ON participations(entity_id);

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
    sha256    TEXT NOT NULL CHECK (length(sha256) = 64)
);
CREATE VIRTUAL TABLE sources_fts USING fts5(
    title, text, content='sources', content_rowid='rowid'
);

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
              CHECK (anchor IN ('exact', 'normalised', 'moved', 'orphaned'))
);
CREATE INDEX citations_claim ON citations(claim_id);
CREATE INDEX citations_source ON citations(source_id, start);

-- Spans of a source where a known name or alias occurs.
CREATE TABLE mentions (
    source_id TEXT NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    entity_id TEXT NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
    start     INTEGER NOT NULL CHECK (start >= 0),
    "end"     INTEGER NOT NULL CHECK ("end" > start),
    PRIMARY KEY (source_id, start, entity_id)
) WITHOUT ROWID;
CREATE INDEX mentions_entity ON mentions(entity_id);

-- ---------------------------------------------------------------------------
-- Views for people who write SQL: flat, joined, names instead of ids.

-- Every role with holder and organisation names and its citation count.
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
       (SELECT count(*) FROM citations ci WHERE ci.claim_id = r.claim_id) AS citations
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

-- Every citation with its claim and source described in words.
CREATE VIEW v_citations AS
SELECT ci.id          AS citation_id,
       ci.claim_id,
       cl.kind        AS claim_kind,
       ci.source_id,
       s.title        AS source_title,
       s.outlet,
       s.author,
       s.published,
       ci.quote,
       ci.start,
       ci."end",
       ci.anchor
FROM citations ci
JOIN claims cl ON cl.id = ci.claim_id
JOIN sources s ON s.id = ci.source_id;
