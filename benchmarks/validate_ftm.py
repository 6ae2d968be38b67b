"""Check a `kbtui export --format ftm` file against FollowTheMoney's own model.

    pip install followthemoney        # ~36 packages with a compiled ICU binding: not a kbtui dependency
    kbtui export --format ftm --out kb.ftm.json
    python benchmarks/validate_ftm.py kb.ftm.json

For every record: the schema exists and every property is one of its
properties (followthemoney refuses the record otherwise); every value
survives FtM's cleaning of its type (a date is a date, a number a number);
the schema's required properties are there; an entity-valued property
points at a record of the file whose schema is in the property's range.
Prints the counts of each kind of problem; exits 1 if there is any.
"""

from __future__ import annotations

import json
import sys
from collections import Counter

from followthemoney import model  # type: ignore[import-not-found]
from followthemoney.exc import InvalidData  # type: ignore[import-not-found]


def main(path: str) -> int:
    problems: Counter[str] = Counter()
    schema_of: dict[str, str] = {}
    links: list[tuple[str, str, str]] = []  # schema.property, target id, range
    n = 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            n += 1
            data = {k: record[k] for k in ("id", "schema", "properties") if k in record}
            try:
                proxy = model.get_proxy(data, cleaned=False)
            except InvalidData as exc:
                problems[f"invalid: {exc}"[:120]] += 1
                continue
            schema_of[record["id"]] = record["schema"]
            for name, values in record["properties"].items():
                prop = proxy.schema.get(name)
                for value in values:
                    if prop.type.clean(value, proxy=proxy) is None:
                        problems[f"dropped by FtM's cleaning: {record['schema']}.{name}"] += 1
                    if prop.type.name == "entity":
                        links.append((f"{record['schema']}.{name}", value, prop.range.name))
            for name in proxy.schema.required:
                if not record["properties"].get(name):
                    problems[f"missing required {record['schema']}.{name}"] += 1
    for where, target, wanted in links:
        found = schema_of.get(target)
        if found is None:
            problems[f"{where} names no record of the file"] += 1
        elif not model.get(found).is_a(model.get(wanted)):
            problems[f"{where} -> {found}, outside its range {wanted}"] += 1
    print(f"{n:,} records, {len(links):,} links between them")
    for what, count in sorted(problems.items()):
        print(f"  {count:>8,}  {what}")
    print("valid FtM" if not problems else f"{sum(problems.values()):,} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    raise SystemExit(main(sys.argv[1]))
