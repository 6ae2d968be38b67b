"""Curate mode's data paths at 10k, 100k and 1M entities, timed as the
explorer's workers run them (in process, each call opening its own
connection as kbtui.tui.curate_data does).

    python benchmarks/curate_mode.py --sizes 10000 100000 1000000 [--work DIR] [--json]

For each size the synthetic KB of benchmarks/generate.py is made (or
reused: /tmp/kbtui-bench-N.db), a bundle with a 6 KB article naming two
KB people, an organisation and two names the KB lacks (new at each run) is added, and then,
median of --repeat runs where a call changes nothing:

- read: the article's words, sentences and suggested names (what opening
  a source in curate mode starts), and the same for a 1 MB article;
- pick: a picker's matches for a name typed (per keystroke, 3 to 11 letters);
- entity: `a` on a suggestion (an entity, its name cited), then undo;
- claim: `c` then ctrl+s for a role with a new holder and organisation, then undo;
- the same `a` for a name the 560 KB article holds (its mentions are read again).

Writes are timed once per size (each adds to the KB and is taken back).
The KB grows by one bundle per run; the figures do not depend on that.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.curation import FILLER, _pick  # noqa: E402
from benchmarks.run import ensure_kb  # noqa: E402
from kbtui.kb import curate  # noqa: E402
from kbtui.tui import curate_data  # noqa: E402
from kbtui.tui.curate_data import Passage, Pick  # noqa: E402


def _article(person: str, org: str, other: str, stamp: str, repeat: int = 10) -> str:
    lead = f"{person} was appointed director of {org} on Monday, officials said."
    # names new to the KB, new at each run too (the KB keeps earlier runs' articles)
    new = f"Zoltan {stamp}, chief executive of Quark{stamp.lower()} Holdings, attended."
    met = f"{person} met {other} in Geneva on Tuesday."
    return "\n\n".join([lead, FILLER * repeat, new, FILLER * repeat, met]) + "\n"


def _median(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, got = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        got = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000, got


def _once(fn: Callable[[], Any]) -> tuple[float, Any]:
    t = time.perf_counter()
    got = fn()
    return (time.perf_counter() - t) * 1000, got


def session(db: Path, work: Path, n: int, repeat: int) -> dict[str, Any]:
    person = _pick(db, "person", 7)
    other = _pick(db, "person", 11)
    org = _pick(db, "organisation", 3)
    stamp = "".join(chr(ord("A") + int(d)) for d in str(int(time.time())))[-6:].capitalize()
    bundle = work / f"curate-mode-{n}-{stamp.lower()}"
    curate.new_bundle(bundle, db)
    out: dict[str, Any] = {}
    big_stamp = stamp + "big"  # the long article's new names are its own: writes below re-mark it only when asked
    for label, size in (("6 KB", 10), ("560 KB", 1700)):
        text = _article(person[1], org[1], other[1], stamp if size == 10 else big_stamp, size)
        file = work / f"article-{size}.txt"
        file.write_text(text, encoding="utf-8")
        sid = f"article-{size}"
        sid = f"{sid}-{stamp.lower()}"
        curate.add_source(bundle, db, file, {"title": f"Bench {label}"}, source_id=sid)
        ms, (units, found) = _median(lambda sid=sid, text=text: curate_data.read_text(db, sid, text), repeat)
        out[f"read {label}"] = {"ms": round(ms, 1), "words": len(units.starts), "suggested": len(found)}
    small = f"article-10-{stamp.lower()}"
    out["suggested names (6 KB)"] = sorted({s.name for s in curate_data.suggestions(db, small)})
    typed = person[1][:11].lower()
    per_key = []
    for k in range(3, len(typed) + 1):
        ms, _ = _median(lambda k=k: curate_data.pick(db, typed[:k], ("person", "organisation")), repeat)
        per_key.append(ms)
    out["pick per keystroke"] = {"median ms": round(statistics.median(per_key), 1), "max ms": round(max(per_key), 1)}
    text = _article(person[1], org[1], other[1], stamp)
    name = f"Zoltan {stamp}"
    start = text.index(name)
    ms, (step, _) = _once(
        lambda: curate_data.make_entity(db, bundle, "person", name, Passage(small, text, start, start + len(name)))
    )
    out["entity (a)"] = {"ms": round(ms, 1)}
    ms, _ = _once(lambda: curate_data.take_back(db, bundle, step))
    out["undo entity"] = {"ms": round(ms, 1)}
    quote_end = text.index(", attended")
    passage = Passage(small, text, start, quote_end)
    picks = {"holder": Pick(name, "person"), "organisation": Pick(f"Quark{stamp.lower()} Holdings", "organisation")}
    ms, (step, change) = _once(
        lambda: curate_data.make_claim(db, bundle, "role", {"title": "chief executive"}, passage, {}, picks)
    )
    out["claim (c, ctrl+s) with 2 new entities"] = {"ms": round(ms, 1), "id": change.id}
    ms, _ = _once(lambda: curate_data.take_back(db, bundle, step))
    out["undo claim"] = {"ms": round(ms, 1)}
    # the worst case: a new name the 560 KB article holds (both texts are read again for mentions)
    big_name = f"Zoltan {big_stamp}"
    big = f"article-1700-{stamp.lower()}"
    big_text = _article(person[1], org[1], other[1], big_stamp, 1700)
    at = big_text.index(big_name)
    ms, (step, _) = _once(
        lambda: curate_data.make_entity(db, bundle, "person", big_name, Passage(big, big_text, at, at + len(big_name)))
    )
    out["entity named in the 560 KB article"] = {"ms": round(ms, 1)}
    curate_data.take_back(db, bundle, step)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--work", type=Path, default=None, help="where bundles go (default: a temporary folder)")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="kbtui-curate-mode-"))
    results = {}
    try:
        for n in args.sizes:
            db = Path(f"/tmp/kbtui-bench-{n}.db")
            ensure_kb(db, n, args.seed, regenerate=False)
            results[n] = session(db, work, n, args.repeat)
            if not args.json:
                print(f"\n{n:,} entities ({db})")
                for what, figures in results[n].items():
                    print(f"  {what:42} {figures}")
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    if args.json:
        print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
