"""Benchmark: `kbtui timeline`'s first page (and the next) at several sizes.

    python benchmarks/timeline.py --sizes 10000 100000 1000000

For each generated KB (/tmp/kbtui-bench-N.db, made by benchmarks/run.py's
ensure_kb when missing), in-process on one read connection with the page
cache warm (one untimed call first), the time kbtui.kb.timeline.page takes
to return a page of --limit items with names and citations:

- the whole KB, its first page, the page after it, and a page --from 2020;
- the hub organisations (12,758 holders of the FSB at 1M entities), first
  page and the next;
- --people random people who hold roles (seeded), one first page each.

p50 and p95 over --runs runs (for the people: over the people). The
target is the issue's: a hub's first page within 200 ms at 1M. --json
prints one object.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.run import ensure_kb  # noqa: E402
from kbtui.kb import db as kbdb  # noqa: E402
from kbtui.kb import timeline  # noqa: E402

HUBS = ["federal-security-service", "ministry-of-state-security"]


def _ms(fn: Callable[[], object]) -> float:
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) * 1000


def _p(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50_ms": round(statistics.median(ordered), 1), "p95_ms": round(p95, 1), "n": len(ordered)}


def _repeat(fn: Callable[[], object], runs: int) -> dict[str, float]:
    fn()  # warm the page cache
    return _p([_ms(fn) for _ in range(runs)])


def _people(conn: sqlite3.Connection, count: int, seed: int) -> list[str]:
    """Holders of roles picked at random rowids (seeded)."""
    top = conn.execute("SELECT max(rowid) FROM roles").fetchone()[0] or 0
    rng = random.Random(seed)
    out: list[str] = []
    for _ in range(count * 20):
        if len(out) >= count or not top:
            break
        # (two steps: joined, SQLite walks entities by name and every pick is an "A")
        row = conn.execute(
            "SELECT holder_id FROM roles WHERE rowid >= ? ORDER BY rowid LIMIT 1", (rng.randint(1, top),)
        ).fetchone()
        if row is None or row[0] in out:
            continue
        kind = conn.execute("SELECT kind FROM entities WHERE id = ?", (row[0],)).fetchone()
        if kind is not None and kind[0] == "person":
            out.append(row[0])
    return out


def bench(db: Path, runs: int, limit: int, people: int, seed: int) -> list[dict[str, object]]:
    conn = kbdb.connect_readonly(db)
    rows: list[dict[str, object]] = []

    def case(name: str, fn: Callable[[], timeline.Page], times: dict[str, float]) -> None:
        page = fn()
        rows.append({"case": name, "items": len(page.items), **times})

    def first(entity: str | None = None, start: str | None = None) -> timeline.Page:
        return timeline.page(conn, entity, start=start, limit=limit)

    case("whole KB, first page", first, _repeat(first, runs))
    after = first().next
    nxt = lambda: timeline.page(conn, after=after, limit=limit)
    case("whole KB, next page", nxt, _repeat(nxt, runs))
    since = lambda: first(start="2020")
    case("whole KB, --from 2020", since, _repeat(since, runs))
    for hub in HUBS:
        if conn.execute("SELECT 1 FROM entities WHERE id = ?", (hub,)).fetchone() is None:
            continue
        holders = conn.execute("SELECT count(*) FROM roles WHERE organisation_id = ?", (hub,)).fetchone()[0]
        one = lambda hub=hub: first(hub)
        case(f"hub {hub} ({holders:,} roles), first page", one, _repeat(one, runs))
        hub_after = first(hub).next
        two = lambda hub=hub, hub_after=hub_after: timeline.page(conn, hub, after=hub_after, limit=limit)
        case(f"hub {hub}, next page", two, _repeat(two, runs))
    picked = _people(conn, people, seed)
    for person in picked:  # warm: the people's rows are spread over the file
        first(person)
    times = [_ms(lambda person=person: first(person)) for person in picked]
    sizes = [len(first(p).items) for p in picked]
    rows.append({"case": f"{len(picked)} random people, first page", "items": max(sizes, default=0), **_p(times)})
    conn.close()
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--limit", type=int, default=timeline.DEFAULT_LIMIT, help="items a page")
    ap.add_argument("--people", type=int, default=50)
    ap.add_argument("--seed", type=int, default=7, help="which random people")
    ap.add_argument("--kb-seed", type=int, default=7, help="the generated KB's seed (as benchmarks/run.py)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    results: dict[str, list[dict[str, object]]] = {}
    for size in args.sizes:
        db = Path(f"/tmp/kbtui-bench-{size}.db")
        if not db.exists():  # (an existing KB is measured as it is, never rebuilt)
            ensure_kb(db, size, args.kb_seed, regenerate=False)
        results[str(size)] = bench(db, args.runs, args.limit, args.people, args.seed)
        if not args.json:
            print(f"\n{size:,} entities ({db}), pages of {args.limit}")
            for r in results[str(size)]:
                print(f"  {r['case']:<62} {r['p50_ms']:>8.1f} ms p50 {r['p95_ms']:>8.1f} ms p95  ({r['items']} items)")
    if args.json:
        print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
