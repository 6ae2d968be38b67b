"""`kbtui interlocks` on the benchmark KBs: a hub's interlocks (12,758
holders at 1M), two hubs' shared people, and random organisations'.

    python benchmarks/interlocks.py --sizes 10000 100000 1000000

In-process, warm (each query run once before timing), median and p95 of
the repeats, in ms. The KBs are benchmarks/generate.py's (made or reused
from /tmp/kbtui-bench-N.db as run.py does).
"""

from __future__ import annotations

import random
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.sizes import each_size  # noqa: E402
from kbtui.kb import interlocks  # noqa: E402

HUBS = ("federal-security-service", "ministry-of-state-security")


def timed(fn: Callable[[], object], repeats: int) -> tuple[float, float]:
    fn()
    runs = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - t) * 1000)
    runs.sort()
    return statistics.median(runs), runs[min(len(runs) - 1, int(len(runs) * 0.95))]


def measure(conn: sqlite3.Connection, rng: random.Random) -> str:
    holders = conn.execute("SELECT count(*) FROM roles WHERE organisation_id = ?", (HUBS[0],)).fetchone()[0]
    hub = timed(lambda: interlocks.shared(conn, HUBS[0]), 5)
    pair = timed(lambda: interlocks.between(conn, *HUBS), 5)
    orgs = [r[0] for r in conn.execute("SELECT id FROM entities WHERE kind = 'organisation' ORDER BY id")]
    runs = sorted(
        timed(lambda org=org: interlocks.shared(conn, org), 1)[0] for org in rng.sample(orgs, min(50, len(orgs)))
    )
    return (
        f"hub ({holders:,} holders) interlocks p50 {hub[0]:.1f} ms p95 {hub[1]:.1f} ms;"
        f" two hubs' people p50 {pair[0]:.1f} ms p95 {pair[1]:.1f} ms;"
        f" 50 random organisations p50 {statistics.median(runs):.1f} ms p95 {runs[int(len(runs) * 0.95)]:.1f} ms"
    )


def main() -> int:
    return each_size(__doc__.split("\n\n")[0], measure)


if __name__ == "__main__":
    raise SystemExit(main())
