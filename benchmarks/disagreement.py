"""Where the sources disagree about one entity, on the benchmark KBs: the
pane's marker (kbtui.kb.disagreement.count, read with every entity pane),
the whole side-by-side list (of_entity, `kbtui conflicts REF`) and an
organisation's interlocks table in the explorer (interlocks.shared, read
after the pane), for the hub (12,758 holders at 1M) and random entities
that are in a conflict, and random people and organisations.

    python benchmarks/disagreement.py --sizes 10000 100000 1000000

In-process, warm (each query run once before timing), p50 and p95 in ms.
The KBs are benchmarks/generate.py's (made or reused from
/tmp/kbtui-bench-N.db as run.py does). What they must not do: cost an
entity pane more than a few tens of milliseconds, hub or not.
"""

from __future__ import annotations

import random
import sqlite3
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.neighbours import HUB, figures, timed  # noqa: E402
from benchmarks.sizes import each_size  # noqa: E402
from kbtui.kb import disagreement, interlocks  # noqa: E402


def measure(conn: sqlite3.Connection, rng: random.Random) -> list[str]:
    in_conflict = [
        r[0]
        for r in conn.execute(
            "SELECT DISTINCT r.holder_id FROM conflicts f JOIN roles r ON r.claim_id = f.claim_id ORDER BY 1"
        )
    ]
    people = [r[0] for r in conn.execute("SELECT id FROM entities WHERE kind = 'person' ORDER BY id")]
    orgs = [r[0] for r in conn.execute("SELECT id FROM entities WHERE kind = 'organisation' ORDER BY id")]
    lines = [
        f"hub marker {figures(timed(lambda: disagreement.count(conn, HUB), 7))},"
        f" hub side by side {figures(timed(lambda: disagreement.of_entity(conn, HUB), 7))}"
        f" ({len(disagreement.of_entity(conn, HUB)['conflicts'])} conflicts),"
        f" hub interlocks {figures(timed(lambda: interlocks.shared(conn, HUB), 5))}"
    ]
    for label, pool in (("in a conflict", in_conflict), ("people", people)):
        picks = rng.sample(pool, min(50, len(pool)))
        marker: list[float] = []
        whole: list[float] = []
        for p in picks:
            marker += timed(lambda p=p: disagreement.count(conn, p), 1)
            whole += timed(lambda p=p: disagreement.of_entity(conn, p), 1)
        lines.append(f"50 {label}: marker {figures(marker)}, side by side {figures(whole)}")
    picks = rng.sample(orgs, min(50, len(orgs)))
    shared: list[float] = []
    for o in picks:
        shared += timed(lambda o=o: interlocks.shared(conn, o), 1)
    lines.append(f"50 organisations: interlocks table {figures(shared)}")
    return lines


def main() -> int:
    return each_size(__doc__.split("\n\n")[0], measure)


if __name__ == "__main__":
    raise SystemExit(main())
