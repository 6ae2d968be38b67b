"""Write a large, deterministic FollowTheMoney file shaped like a sanctions
list: people (Russian names in Cyrillic with a Latin alias, birth dates,
nationality, tax numbers, passports, topics), companies (jurisdiction,
registration numbers, incorporation dates) and the links between them
(ownership chains with percentages, directorships, sanctions, family).

    python benchmarks/make_ftm.py --records 1000000 --out /tmp/ftm1m.json [--seed 7]
    python benchmarks/make_ftm.py --records 100000 --out /tmp/d.json --delta-of /tmp/ftm100k.json

Each line is one entity, as OpenSanctions exports them (ensure_ascii off).
With --delta-of, writes a delta file against that snapshot instead: MOD of
1% of records (a renamed person), DEL of 0.5%, ADD of 0.5% new ones.
Records are about 60% people, 25% companies, 15% links; the counts of each
schema are printed as JSON.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter
from pathlib import Path

from anyascii import anyascii

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import pools

DATASETS = ["ru_sanctions", "eu_fsf", "us_ofac_sdn", "gb_hmt_sanctions"]
AUTHORITIES = ["Office of Foreign Assets Control", "Council of the European Union", "HM Treasury"]
PROGRAMS = ["RUSSIA-EO14024", "UKRAINE-EO13660", "EU 269/2014", "Russia Regulations 2019"]
RELATIVES = ["brother", "sister", "son", "daughter", "spouse"]


def _person(rng: random.Random, i: int) -> dict[str, object]:
    first, last = rng.choice(pools.RU_MALE), rng.choice(pools.RU_SURNAMES)
    cyr = f"{last} {first}"
    lat = anyascii(f"{first} {last}")
    props: dict[str, list[str]] = {
        "name": [lat],
        "alias": [cyr],
        "birthDate": [f"{rng.randint(1940, 1995)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"],
        "nationality": ["ru"],
        "topics": ["sanction"],
    }
    if rng.random() < 0.5:
        props["innCode"] = [f"{rng.randint(10**11, 10**12 - 1)}"]
    if rng.random() < 0.3:
        props["passportNumber"] = [f"{rng.randint(10**8, 10**9 - 1)}"]
    return _record(rng, f"p-{i}", "Person", props)


def _company(rng: random.Random, i: int) -> dict[str, object]:
    name = f"{rng.choice(pools.INDUSTRIES)} {rng.choice(pools.COMPANY_SUFFIXES)} {i}"
    props = {
        "name": [name],
        "jurisdiction": ["ru"],
        "registrationNumber": [f"{rng.randint(10**12, 10**13 - 1)}"],
        "incorporationDate": [f"{rng.randint(1992, 2022)}"],
    }
    return _record(rng, f"c-{i}", "Company", props)


def _link(rng: random.Random, i: int, people: int, companies: int) -> dict[str, object]:
    p = f"p-{rng.randrange(max(people, 1))}"
    c = f"c-{rng.randrange(max(companies, 1))}"
    c2 = f"c-{rng.randrange(max(companies, 1))}"
    kind = rng.random()
    if kind < 0.4:
        return _record(
            rng, f"own-{i}", "Ownership", {"owner": [c], "asset": [c2], "percentage": [f"{rng.randint(1, 100)}"]}
        )
    if kind < 0.7:
        return _record(rng, f"dir-{i}", "Directorship", {"director": [p], "organization": [c], "role": ["Director"]})
    if kind < 0.9:
        props = {"entity": [p], "authority": [rng.choice(AUTHORITIES)], "program": [rng.choice(PROGRAMS)]}
        return _record(rng, f"san-{i}", "Sanction", props)
    p2 = f"p-{rng.randrange(max(people, 1))}"
    return _record(
        rng, f"fam-{i}", "Family", {"person": [p], "relative": [p2], "relationship": [rng.choice(RELATIVES)]}
    )


def _record(rng: random.Random, id_: str, schema: str, props: dict[str, list[str]]) -> dict[str, object]:
    seen = f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T00:00:00"
    return {
        "id": id_,
        "schema": schema,
        "properties": props,
        "datasets": [rng.choice(DATASETS)],
        "first_seen": "2023-01-01T00:00:00",
        "last_seen": seen,
        "last_change": seen,
    }


def snapshot(n: int, seed: int) -> list[dict[str, object]]:
    """People, companies and links naming them, in no particular order: an
    export sorted by id (as OpenSanctions publishes them) puts a link
    before or after the entities it names as the ids fall."""
    rng = random.Random(seed)
    people, companies = int(n * 0.6), int(n * 0.25)
    out = [_person(rng, i) for i in range(people)]
    out += [_company(rng, i) for i in range(companies)]
    out += [_link(rng, i, people, companies) for i in range(n - people - companies)]
    rng.shuffle(out)
    return out


def write_snapshot(n: int, out: Path, seed: int = 7) -> Counter[str]:
    counts: Counter[str] = Counter()
    with out.open("w", encoding="utf-8") as f:
        for rec in snapshot(n, seed):
            counts[str(rec["schema"])] += 1
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return counts


def write_delta(base: Path, out: Path, seed: int = 8) -> Counter[str]:
    """MOD 1% (a new alias), DEL 0.5% of people no link names, ADD 0.5%."""
    rng = random.Random(seed)
    records = [json.loads(line) for line in base.open(encoding="utf-8")]
    named = {
        v for r in records if r["schema"] not in {"Person", "Company"} for vs in r["properties"].values() for v in vs
    }
    people = [r for r in records if r["schema"] == "Person"]
    counts: Counter[str] = Counter()
    with out.open("w", encoding="utf-8") as f:
        for r in rng.sample(people, max(1, len(records) // 100)):
            r["properties"]["alias"].append(r["properties"]["name"][0].upper())
            f.write(json.dumps({"op": "MOD", "entity": r}, ensure_ascii=False) + "\n")
            counts["MOD"] += 1
        free = [r for r in people if r["id"] not in named]
        for r in rng.sample(free, min(len(free), max(1, len(records) // 200))):
            f.write(json.dumps({"op": "DEL", "entity": {"id": r["id"]}}) + "\n")
            counts["DEL"] += 1
        for i in range(max(1, len(records) // 200)):
            rec = _person(rng, 10_000_000 + i)
            f.write(json.dumps({"op": "ADD", "entity": rec}, ensure_ascii=False) + "\n")
            counts["ADD"] += 1
    return counts


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=10_000)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--delta-of", type=Path, default=None, help="write a delta file against this snapshot")
    args = ap.parse_args(argv)
    if args.delta_of:
        counts = write_delta(args.delta_of, args.out, args.seed)
    else:
        counts = write_snapshot(args.records, args.out, args.seed)
    print(json.dumps({"out": str(args.out), "bytes": args.out.stat().st_size, **counts}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
