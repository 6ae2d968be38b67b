"""`kbtui neighbours` on the benchmark KBs: a hub's first page and counts
(12,758 holders at 1M), and random people's, one hop and two.

    python benchmarks/neighbours.py --sizes 10000 100000 1000000

In-process, warm (each query run once before timing), p50 and p95 in ms.
The KBs are benchmarks/generate.py's (made or reused from
/tmp/kbtui-bench-N.db as run.py does). Target (the Analysis issue): a
hub's first page in at most 100 ms at 1M.
"""

from __future__ import annotations

import random
import sqlite3
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.sizes import each_size  # noqa: E402
from kbtui.kb import neighbours  # noqa: E402

HUB = "federal-security-service"


def timed(fn: Callable[[], object], repeats: int) -> list[float]:
    fn()
    runs = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - t) * 1000)
    return runs


def figures(runs: list[float]) -> str:
    runs = sorted(runs)
    return f"p50 {runs[len(runs) // 2]:.1f} / p95 {runs[min(len(runs) - 1, int(len(runs) * 0.95))]:.1f} ms"


def measure(conn: sqlite3.Connection, rng: random.Random) -> list[str]:
    people = [r[0] for r in conn.execute("SELECT id FROM entities WHERE kind = 'person' ORDER BY id")]
    picks = rng.sample(people, min(50, len(people)))
    one: list[float] = []
    two: list[float] = []
    for p in picks:
        one += timed(lambda p=p: neighbours.page(conn, p), 1)
        two += timed(lambda p=p: neighbours.page(conn, p, hops=2), 1)
    return [
        f"hub first page {figures(timed(lambda: neighbours.page(conn, HUB), 7))},"
        f" hub counts {figures(timed(lambda: neighbours.counts(conn, HUB), 7))}",
        f"50 people: first page {figures(one)}, two hops {figures(two)}",
    ]


def main() -> int:
    return each_size(__doc__.split("\n\n")[0], measure)


if __name__ == "__main__":
    raise SystemExit(main())
