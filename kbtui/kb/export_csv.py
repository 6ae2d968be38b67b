"""`kbtui export --format csv`: a folder of CSV files, one per view of the
documented schema (roles, relations, events, properties, citations,
conflicts, errata), plus the entities, their aliases and the sources'
provenance (their texts are left out: the annotations and FtM exports
carry them). Each file has a header row; rows are in a stable order (by
id); a cell a spreadsheet would run as a formula starts with `'`.

Rows stream from the cursor to the file, so memory stays flat whatever
the KB's size.
"""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

from kbtui.kb.table_export import csv_cell

# file name -> the query it holds (each ordered by a unique key: the same
# KB always gives the same bytes)
FILES: dict[str, str] = {
    "entities": "SELECT id, kind, name, summary, input_id FROM entities ORDER BY id",
    "aliases": "SELECT entity_id, alias, kind, as_of, claim_id, input_id FROM aliases ORDER BY entity_id, alias",
    "roles": "SELECT * FROM v_roles ORDER BY role_id",
    "relations": "SELECT * FROM v_relations ORDER BY relation_id",
    "events": "SELECT * FROM v_events ORDER BY event_id",
    "properties": "SELECT * FROM v_properties ORDER BY property_id",
    "citations": "SELECT * FROM v_citations ORDER BY citation_id",
    "conflicts": "SELECT * FROM v_conflicts ORDER BY claim_id, other_id",
    "errata": "SELECT * FROM v_errata ORDER BY erratum_id",
    "sources": (
        "SELECT id, title, outlet, author, published, url, archive_url, retrieved, format, via, relays,"
        " input_id, length(text) AS length, sha256, confidential FROM sources ORDER BY id"
    ),
}
FETCH = 2_000  # rows taken from the cursor at a time


def write(conn: sqlite3.Connection, folder: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    for name, sql in FILES.items():
        cur = conn.execute(sql)
        with open(folder / f"{name}.csv", "w", encoding="utf-8", newline="") as handle:
            out = csv.writer(handle)
            out.writerow([d[0] for d in cur.description])
            n = 0
            while rows := cur.fetchmany(FETCH):
                out.writerows([csv_cell(v) for v in row] for row in rows)
                n += len(rows)
        counts[name] = n
    return counts
