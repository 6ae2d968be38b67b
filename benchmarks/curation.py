"""Curation latency at 10k, 100k and 1M entities: each shell command, as a
user runs it, against a generated KB.

    python benchmarks/curation.py --sizes 10000 100000 1000000 [--work DIR] [--json]

For each size the synthetic KB of benchmarks/generate.py is made (or
reused: /tmp/kbtui-bench-N.db, as run.py does), then a curator's session is
replayed, every command its own `python -m kbtui` process timed whole (wall
clock from start to exit, and the child's peak RSS as /usr/bin/time -v
reports it): a new bundle; a 6 KB article naming people and an organisation
of the KB added as a source; an entity; an alias of a KB person; a role, a relation, an event and a
property citing the article and naming KB entities; an edit; a removal; a
new version of the article (one citation found as it was, one moved, one
orphaned); and the log. The target (issue 13) is at most 1 s each at 1M.
The KB grows by one bundle per run; the figures do not depend on that.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.run import ensure_kb  # noqa: E402

FILLER = (
    "Analysts said the appointment reflected a wider reshuffle. Officials declined to comment on the"
    " details, and the ministry's statement gave no reason for the timing. "
)


def _pick(db: Path, kind: str, n: int) -> tuple[str, str]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        row = conn.execute(
            "SELECT id, name FROM entities WHERE kind = ? AND name NOT GLOB '*[^ -~]*' LIMIT 1 OFFSET ?",
            (kind, n),
        ).fetchone()
    return row[0], row[1]


def _article(person: str, org: str, other: str, changed: bool) -> str:
    lead = f"{person} was appointed director of {org} on Monday, officials said."
    met = f"{person} met {other} in Geneva on Tuesday."
    born = f"{other} was born in Leningrad in 1961."
    if changed:
        lead = f"{person} was formally appointed director of {org} on Monday, officials said."
        born = ""
    body = "\n\n".join([lead, FILLER * 10, met, FILLER * 10, born])
    return body + "\n"


def _timed(cmd: list[str], env: dict[str, str]) -> dict:
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    out = proc.stdout.read().decode() if proc.stdout else ""
    err = proc.stderr.read().decode() if proc.stderr else ""
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"{' '.join(cmd[3:])} failed ({code}): {err.strip()}")
    return {"seconds": round(seconds, 3), "rss_mb": round(usage.ru_maxrss / 1024, 1), "out": out}


def session(db: Path, work: Path, n: int) -> dict[str, dict]:
    """One curator's commands against `db`; seconds and MB for each."""
    run_id = time.strftime("%H%M%S")
    bundle = work / f"bundle-{n}-{run_id}"
    person, person_name = _pick(db, "person", n // 2)
    other, other_name = _pick(db, "person", n // 3)
    org, org_name = _pick(db, "organisation", 7)
    v1, v2 = work / f"article-{run_id}.txt", work / f"article-{run_id}-v2.txt"
    v1.write_text(_article(person_name, org_name, other_name, False), encoding="utf-8")
    v2.write_text(_article(person_name, org_name, other_name, True), encoding="utf-8")
    src = f"bench-{n}-{run_id}"
    env = {**os.environ, "KBTUI_DB": str(db)}
    kb = [sys.executable, "-m", "kbtui"]
    b = ["--bundle", str(bundle)]
    cite = ["--source", src]
    steps = {
        "new": ["new", str(bundle)],
        "add source": ["add", "source", str(v1), *b, "--id", src, "--published", "2024-05-06"],
        "add entity": ["add", "entity", *b, "--kind", "person", "--name", f"Bench Person {n} {run_id}"],
        "add alias": ["add", "alias", person, f"Bench Alias {n} {run_id}", *b],
        "add role": [
            "add",
            "role",
            *b,
            *cite,
            "--holder",
            person,
            "--title",
            "Director",
            "--organisation",
            org,
            "--quote",
            f"{person_name} was appointed director of {org_name}",
            "--id",
            f"role-{src}",
        ],
        "add relation": [
            "add",
            "relation",
            *b,
            *cite,
            "--type",
            "met",
            "--subject",
            person,
            "--object",
            other,
            "--quote",
            f"{person_name} met {other_name} in Geneva",
            "--id",
            f"met-{src}",
        ],
        "add event": [
            "add",
            "event",
            *b,
            *cite,
            "--name",
            f"Geneva meeting {src}",
            "--participant",
            person,
            "--participant",
            other,
            "--quote",
            f"met {other_name} in Geneva on Tuesday",
            "--id",
            f"event-{src}",
        ],
        "add property": [
            "add",
            "property",
            *b,
            *cite,
            "--entity",
            other,
            "--property",
            "birth-date",
            "--value",
            "1961",
            "--quote",
            "born in Leningrad in 1961",
            "--id",
            f"born-{src}",
        ],
        "edit": ["edit", f"role-{src}", "--start", "2024-05"],
        "rm": ["rm", f"event-{src}"],
        "add version": ["add", "version", src, str(v2), "--json"],
        "log": ["log", "--json", "--limit", "20"],
    }
    out = {}
    for name, args in steps.items():
        out[name] = _timed([*kb, *args], env)
        if name == "add version":
            rec = json.loads(out[name]["out"])["record"]
            out[name]["reanchored"] = {
                "exact": rec["exact"],
                "moved": len(rec["moved"]),
                "orphaned": len(rec["orphaned"]),
            }
        out[name].pop("out")
    out["python -c pass"] = _timed([sys.executable, "-c", "pass"], env)
    out["python -c pass"].pop("out")
    shutil.rmtree(bundle, ignore_errors=True)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--work", type=Path, default=Path("/tmp/kbtui-curation-bench"))
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    results = {}
    for n in args.sizes:
        db = Path(f"/tmp/kbtui-bench-{n}.db")
        meta = ensure_kb(db, n, args.seed, regenerate=False)
        results[n] = {"kb_reused": meta["reused"], "commands": session(db, args.work, n)}
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    names = list(next(iter(results.values()))["commands"])
    print(f"{'command':<16}" + "".join(f"{n:>18,}" for n in results))
    for name in names:
        cells = "".join(
            f"{r['commands'][name]['seconds']:>9.2f} s {r['commands'][name]['rss_mb']:>4.0f} MB"
            for r in results.values()
        )
        print(f"{name:<16}{cells}")
    for n, r in results.items():
        print(f"{n:,}: add version re-anchored {r['commands']['add version']['reanchored']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
