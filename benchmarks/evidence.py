"""Benchmark the data paths schema v3 added, on a generated KB.

    python benchmarks/evidence.py --db /tmp/kb1m.db [--entities 1000000] [--json]

Generates the KB with benchmarks/generate.py when --db does not exist (give
--entities), then measures, each the median of --repeat runs on one
read-only connection with a warm cache:

* roles_as_of_hub_ms: `roles --organisation HUB --as-of 2020` on the
  organisation with the most holders (every holder's state computed from
  its citations' dates: the whole organisation is read, not one page);
* roles_hub_ms: the same listing without --as-of, for scale;
* roles_as_of_person_ms: one person's roles at a date;
* show_person_ms: `show` of a person (roles, relations, events, properties);
* conflicts_ms: the `kbtui conflicts` overview (conflicts with both sides'
  quotes, errata, disputed and contradicted claims);
* v_roles_attested_ms: a SQL scan of v_roles for roles last attested
  before 2010 (the view's correlated attestation subqueries);
* check_evidence_ms: the v3 checks of `kbtui check` (undated citations,
  contradicted and unasserted claims, property shapes);
* migrate_s: the v2 -> v3 table rebuild on a copy (the file relabelled v2,
  so every table is rebuilt as a real v2 file's would be), one run.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import generate  # noqa: E402
from kbtui.kb import check, db, migrate, queries  # noqa: E402


def _median_ms(fn: Callable[[], object], repeat: int) -> float:
    fn()  # warm
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return round(statistics.median(times), 1)


def _evidence_checks(conn: sqlite3.Connection) -> None:
    findings: list[check.Finding] = []
    check._evidence(conn, findings, {}, {})
    if findings:
        raise SystemExit(f"the generated KB has findings: {findings[:3]}")


def measure(path: Path, repeat: int) -> dict[str, object]:
    conn = db.connect_readonly(path)
    hub, holders = conn.execute(
        "SELECT organisation_id, count(*) FROM roles GROUP BY 1 ORDER BY 2 DESC LIMIT 1"
    ).fetchone()
    person = conn.execute("SELECT holder_id FROM roles ORDER BY rowid LIMIT 1 OFFSET 1000").fetchone()[0]
    out: dict[str, object] = {
        "entities": conn.execute("SELECT count(*) FROM entities").fetchone()[0],
        "roles": conn.execute("SELECT count(*) FROM roles").fetchone()[0],
        "citations": conn.execute("SELECT max(id) FROM citations").fetchone()[0],
        "properties": conn.execute("SELECT count(*) FROM properties").fetchone()[0],
        "conflicts": conn.execute("SELECT count(*) FROM conflicts").fetchone()[0],
        "hub_holders": holders,
    }
    # the same listing without a date, for scale: reading the roles and citations
    out["roles_hub_ms"] = _median_ms(lambda: queries.roles(conn, organisation=hub), repeat)
    out["roles_as_of_hub_ms"] = _median_ms(lambda: queries.roles(conn, organisation=hub, as_of="2020"), repeat)
    out["roles_as_of_person_ms"] = _median_ms(lambda: queries.roles(conn, holder=person, as_of="2020"), repeat)
    out["show_person_ms"] = _median_ms(lambda: queries.show(conn, person), repeat)
    out["conflicts_ms"] = _median_ms(
        lambda: (queries.conflicts(conn), queries.errata(conn), queries.disputed_claims(conn)), max(1, repeat // 3)
    )
    out["v_roles_attested_ms"] = _median_ms(
        lambda: conn.execute("SELECT count(*) FROM v_roles WHERE attested_last < '2010'").fetchone(), 1
    )
    out["check_evidence_ms"] = _median_ms(lambda: _evidence_checks(conn), 1)
    conn.close()
    with tempfile.TemporaryDirectory(dir=path.parent) as tmp:
        copy = Path(tmp) / "v2.db"
        shutil.copy(path, copy)
        w = sqlite3.connect(copy)
        w.execute("PRAGMA user_version = 2")
        w.commit()
        w.close()
        t0 = time.perf_counter()
        migrate.migrate(copy)
        out["migrate_s"] = round(time.perf_counter() - t0, 1)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", type=Path, required=True)
    ap.add_argument("--entities", type=int, help="generate a KB of this size when --db does not exist")
    ap.add_argument("--repeat", type=int, default=9)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if not args.db.exists():
        if not args.entities:
            ap.error(f"{args.db} does not exist: give --entities to generate it")
        generate.generate(args.entities, args.db)
    result = measure(args.db, args.repeat)
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:24} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
