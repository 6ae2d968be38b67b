"""`kbtui export --format gexf` and `--format dot`: the KB as a graph.

One walk over the KB, nodes then edges, rendered by a thin writer per
format (GEXF 1.3 for Gephi, DOT for Graphviz).

Nodes: every entity (an event is an entity of kind event), ordered by id,
labelled with its name, with its `kind` and `country`. The country is the
id of a country node, so it joins the graph's own nodes: a country is its
own; otherwise the countries an entity is directly tied to (a nationality
or country property, a citizen-of, part-of or located-in relation); failing
those, the countries its roles' organisations are part of or located in (as
kbtui.kb.overview counts an entity in a country). Several are joined by
";", in id order; empty when none is known.

Edges: every claim that links two entities, ordered by claim id, one edge
per claim (so an edge's id is its claim's id):
- a role: holder -> organisation, type "role", label the title, with its
  status (a role without an organisation links nothing and has no edge);
- a relation: subject -> object, type the relation type, label its label
  (the type when it has none);
- a participation: participant -> event, type "participation", label the
  capacity; dated with the event's dates;
- an event's place: event -> place, type "place", the event's claim;
- a nationality or affiliation property whose value is an entity: entity
  -> value, type the property.
Each edge carries `start`, `end` (ISO prefixes as stored, empty if none),
`status`, `disputed` (why, when the claim is marked so) and `sources`: how
many independent sources give evidence for the claim, as
kbtui.kb.queries.independent_sources counts them (a repost and its original
are one source; a contradicting, demanding or predicting citation is not
evidence).

Any KB text yields a file both formats' parsers accept: the characters XML
1.0 forbids are dropped in both formats (C0 controls other than tab,
newline and carriage return; U+FFFE, U+FFFF; lone surrogates). Everything
else is kept (bidi controls, emoji, C1 controls); DOT writes a line break
as the escape `\\n` (a carriage return becomes one too).

Rows stream from cursors, a batch at a time: memory stays flat whatever the
KB's size, and the same KB gives the same bytes.
"""

from __future__ import annotations

import heapq
import re
import sqlite3
from collections.abc import Iterator
from typing import Any, NamedTuple, Protocol, TextIO

from kbtui.kb.queries import independence_keys

FETCH = 2_000  # rows taken from a cursor at a time

# XML 1.0's Char production leaves these out: a parser refuses a file
# holding one, even as a character reference. Graphviz reads C strings (a
# NUL would end a name), so DOT drops them too.
FORBIDDEN = [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0xD800, 0xE000), 0xFFFE, 0xFFFF]
# any character either format changes (a quick test first: most text is
# plain, and translating it char by char cost three times as much)
SPECIAL = re.compile(r'[\x00-\x1f"&<>\\\ud800-\udfff\ufffe\uffff]')


class Node(NamedTuple):
    id: str
    label: str
    kind: str
    country: str


class Edge(NamedTuple):
    id: str  # the claim's
    source: str
    target: str
    type: str
    label: str
    status: str
    start: str
    end: str
    disputed: str | None
    sources: int

    def attributes(self) -> tuple[tuple[str, str], ...]:
        """The values of EDGE_ATTRIBUTES, in that order."""
        return (
            ("type", self.type),
            ("status", self.status),
            ("start", self.start),
            ("end", self.end),
            ("disputed", self.disputed or ""),
            ("sources", str(self.sources)),
        )


# name -> GEXF type
NODE_ATTRIBUTES = {"kind": "string", "country": "string"}
EDGE_ATTRIBUTES = {
    "type": "string",
    "status": "string",
    "start": "string",
    "end": "string",
    "disputed": "string",
    "sources": "integer",
}


# --- the walk -----------------------------------------------------------------------

# A country is its own; else its direct ties to countries; else its roles'
# organisations' (one correlated lookup per entity, by index, in one
# statement read in id order: no sort, nothing gathered in memory)
NODES_SQL = """
SELECT e.id, e.name, e.kind, CASE WHEN e.kind = 'country' THEN e.id ELSE coalesce(
  (SELECT group_concat(id, ';') FROM (
    SELECT p.value AS id FROM properties p JOIN entities k ON k.id = p.value AND k.kind = 'country'
     WHERE p.entity_id = e.id AND p.property IN ('nationality', 'country')
    UNION SELECT l.object_id FROM relations l JOIN entities k ON k.id = l.object_id AND k.kind = 'country'
     WHERE l.subject_id = e.id AND l.type IN ('part-of', 'located-in', 'citizen-of')
    ORDER BY 1)),
  (SELECT group_concat(id, ';') FROM (
    SELECT DISTINCT l.object_id AS id FROM roles r JOIN relations l ON l.subject_id = r.organisation_id
     JOIN entities k ON k.id = l.object_id AND k.kind = 'country'
     WHERE r.holder_id = e.id AND l.type IN ('part-of', 'located-in')
    ORDER BY 1)),
  '') END
FROM entities e ORDER BY e.id
"""

# What each kind of claim links: (its claim id column, the columns source,
# target, type, label, status, start, end, the tables, a condition). Each
# is read in its claim id index's order and the five are merged by claim id.
# A condition starts with `+` so the planner cannot answer it from an index
# on its column: it would then sort every row by claim id before the first
# (the 1M bench KB's statistics chose properties_value and a sort).
EDGE_KINDS: tuple[tuple[str, str, str, str], ...] = (
    (
        "r.claim_id",
        "r.holder_id, r.organisation_id, 'role', r.title, r.status, r.start, r.\"end\"",
        "roles r",
        "+r.organisation_id IS NOT NULL",  # a role at no organisation links nothing
    ),
    (
        "l.claim_id",
        "l.subject_id, l.object_id, l.type, CASE WHEN l.label != '' THEN l.label ELSE l.type END, '',"
        ' l.start, l."end"',
        "relations l",
        "",
    ),
    (
        "p.claim_id",
        "p.entity_id, p.event_id, 'participation', coalesce(nullif(p.capacity, ''), 'participation'), '',"
        ' e.start, e."end"',
        "participations p JOIN events e ON e.entity_id = p.event_id",
        "",
    ),
    (
        "e.claim_id",
        "e.entity_id, e.place_id, 'place', 'place', '', e.start, e.\"end\"",
        "events e",
        "+e.place_id IS NOT NULL",
    ),
    (
        "p.claim_id",
        "p.entity_id, p.value, p.property, p.property, '', NULL, NULL",
        "properties p JOIN entities v ON v.id = p.value",  # a value naming no entity links nothing
        "+p.property IN ('nationality', 'affiliation')",
    ),
)

# the evidence: citations that support or qualify the claim and assert it
# (kbtui.kb.attest.is_evidence), counted once per independence key
INDEPENDENT_SQL = (
    "(SELECT count(DISTINCT {key}) FROM citations ci WHERE ci.claim_id = {claim}"
    " AND ci.stance != 'contradicts' AND ci.mode = 'asserts')"
)


def nodes(conn: sqlite3.Connection) -> Iterator[Node]:
    for row in _rows(conn, NODES_SQL):
        yield Node(*row)


def edges(conn: sqlite3.Connection) -> Iterator[Edge]:
    """Every edge in claim id order (a claim gives one edge at most, so
    the merge needs no tie-break)."""
    key = _source_key(conn)
    streams = []
    for claim, columns, tables, where in EDGE_KINDS:
        count = INDEPENDENT_SQL.format(key=key, claim=claim)
        sql = (
            f"SELECT {claim}, {columns}, c.disputed, {count} FROM {tables} JOIN claims c ON c.id = {claim}"
            f"{' WHERE ' + where if where else ''} ORDER BY {claim}"
        )
        streams.append(_edges_of(conn, sql))
    yield from heapq.merge(*streams, key=lambda e: e.id)


def _edges_of(conn: sqlite3.Connection, sql: str) -> Iterator[Edge]:
    for r in _rows(conn, sql):
        yield Edge(r[0], r[1], r[2], r[3], r[4], r[5], r[6] or "", r[7] or "", r[8], r[9])


def _source_key(conn: sqlite3.Connection) -> str:
    """SQL for a citation's independence key. A source that relays another
    or names an origin takes the key kbtui.kb.queries.independence_keys
    gives it (only these few are held in memory); any other source is its
    own key. With no reposts at all the source id is the key."""
    reposts = {r[0] for r in conn.execute("SELECT id FROM sources WHERE relays IS NOT NULL OR origin IS NOT NULL")}
    if not reposts:
        return "ci.source_id"
    keys = independence_keys(conn, reposts)

    def key(source_id: str) -> str:
        return keys.get(source_id) or f"source:{source_id}"

    conn.create_function("kbtui_independence_key", 1, key, deterministic=True)
    return "kbtui_independence_key(ci.source_id)"


def _rows(conn: sqlite3.Connection, sql: str) -> Iterator[tuple[Any, ...]]:
    cur = conn.cursor()
    cur.row_factory = None  # plain tuples: the connection's Row objects cost time per row
    cur.execute(sql)
    try:
        while batch := cur.fetchmany(FETCH):
            yield from batch
    finally:
        cur.close()


# --- the formats ----------------------------------------------------------------------


class Renderer(Protocol):
    head: str
    between: str  # after the nodes, before the edges
    tail: str

    def node(self, n: Node) -> str: ...

    def edge(self, e: Edge) -> str: ...


def _walk(conn: sqlite3.Connection, out: TextIO, render: Renderer) -> dict[str, int]:
    out.write(render.head)
    n_nodes = n_edges = 0
    for n in nodes(conn):
        out.write(render.node(n))
        n_nodes += 1
    out.write(render.between)
    for e in edges(conn):
        out.write(render.edge(e))
        n_edges += 1
    out.write(render.tail)
    return {"nodes": n_nodes, "edges": n_edges}


def write_gexf(conn: sqlite3.Connection, out: TextIO) -> dict[str, int]:
    """The KB as GEXF 1.3 (http://gexf.net/1.3), for Gephi."""
    return _walk(conn, out, Gexf())


def write_dot(conn: sqlite3.Connection, out: TextIO) -> dict[str, int]:
    """The KB as a Graphviz digraph."""
    return _walk(conn, out, Dot())


# what xml.sax.saxutils.quoteattr does, plus dropping what XML forbids, in
# one str.translate (a third of the time: ten values an edge, 2.5M edges
# in the 1M bench KB). A line break or tab in an attribute value must be a
# character reference, or the parser reads it back as a space.
XML_ATTRIBUTE = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}
    | dict.fromkeys(FORBIDDEN)
)


def xml_attr(text: str) -> str:
    if SPECIAL.search(text) is None:
        return '"' + text + '"'
    return '"' + text.translate(XML_ATTRIBUTE) + '"'


def _declarations(of: str, attributes: dict[str, str]) -> str:
    lines = [f'    <attributes class="{of}" mode="static">\n']
    for name, kind in attributes.items():
        lines.append(f'      <attribute id="{name}" title="{name}" type="{kind}"/>\n')
    lines.append("    </attributes>\n")
    return "".join(lines)


class Gexf:
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<gexf xmlns="http://gexf.net/1.3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
        ' xsi:schemaLocation="http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd" version="1.3">\n'
        "  <meta>\n"
        "    <creator>kbtui</creator>\n"
        "    <description>entities as nodes, the claims linking two of them as edges</description>\n"
        "  </meta>\n"
        '  <graph mode="static" defaultedgetype="directed">\n'
        + _declarations("node", NODE_ATTRIBUTES)
        + _declarations("edge", EDGE_ATTRIBUTES)
        + "    <nodes>\n"
    )
    between = "    </nodes>\n    <edges>\n"
    tail = "    </edges>\n  </graph>\n</gexf>\n"

    def node(self, n: Node) -> str:
        return (
            f"      <node id={xml_attr(n.id)} label={xml_attr(n.label)}><attvalues>"
            f'<attvalue for="kind" value={xml_attr(n.kind)}/>'
            f'<attvalue for="country" value={xml_attr(n.country)}/>'
            "</attvalues></node>\n"
        )

    def edge(self, e: Edge) -> str:
        values = "".join(f'<attvalue for="{name}" value={xml_attr(value)}/>' for name, value in e.attributes())
        return (
            f"      <edge id={xml_attr(e.id)} source={xml_attr(e.source)} target={xml_attr(e.target)}"
            f" label={xml_attr(e.label)}><attvalues>{values}</attvalues></edge>\n"
        )


# a backslash doubled (Graphviz reads `\\N`, `\\l`… in a label as
# escapes, and a final one would escape the closing quote), a line break
# written as `\\n`, what XML forbids dropped (the same text in both formats)
DOT_STRING = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n"} | dict.fromkeys(FORBIDDEN))


def dot_string(text: str) -> str:
    """A DOT quoted string."""
    if SPECIAL.search(text) is None:
        return '"' + text + '"'
    if "\r" in text:  # DOT has one line break: CR LF and CR become it
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return '"' + text.translate(DOT_STRING) + '"'


class Dot:
    head = "digraph kbtui {\n"
    between = ""
    tail = "}\n"

    def node(self, n: Node) -> str:
        return (
            f"  {dot_string(n.id)} [label={dot_string(n.label)},"
            f" kind={dot_string(n.kind)}, country={dot_string(n.country)}];\n"
        )

    def edge(self, e: Edge) -> str:
        attributes = "".join(f", {name}={dot_string(value)}" for name, value in e.attributes())
        return (
            f"  {dot_string(e.source)} -> {dot_string(e.target)}"
            f" [id={dot_string(e.id)}, label={dot_string(e.label)}{attributes}];\n"
        )
