"""Write a large, deterministic bundle (sources.toml, kb.toml, one source
text) for measuring `kbtui import` and kbtui.kb.bundle.load_chunks.

    python benchmarks/make_bundle.py --entities 1000000 --out /tmp/bundle1m [--seed 7]
    python benchmarks/make_bundle.py --entities 100000 --out /tmp/fwd100k --roles-first

Every entity is a person: an [[entity]] table with id, kind, name (Latin)
and two aliases (the name in Cyrillic and a Latin initial-and-surname).
One person in ten holds a [[role]] in one of a hundred organisations,
cited to a short registry text with a quote of its own. With
--roles-first the roles are written before the entities they name, so
every reference points further on in the file. Prints the counts and the
size of kb.toml as JSON.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path
from typing import TextIO

from anyascii import anyascii

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import pools

ORGANISATIONS = 100
ROLE_EVERY = 10


def _registry() -> str:
    """The source text: one distinct sentence per organisation."""
    lines = (f"Registry entry {i:03d} names the directors of organisation {i:03d}.\n" for i in range(ORGANISATIONS))
    return "".join(lines)


def _entities(f: TextIO, n: int, rng: random.Random) -> None:
    for i in range(n):
        first, last = rng.choice(pools.RU_MALE), rng.choice(pools.RU_SURNAMES)
        latin_first, latin_last = anyascii(first), anyascii(last)
        f.write(
            f'[[entity]]\nid = "person-{i}"\nkind = "person"\nname = "{latin_first} {latin_last}"\n'
            f'aliases = ["{last} {first}", "{latin_first[0]}. {latin_last}"]\n\n'
        )
    for k in range(ORGANISATIONS):
        f.write(f'[[entity]]\nid = "org-{k:03d}"\nkind = "organisation"\nname = "Organisation {k:03d}"\n\n')


def _roles(f: TextIO, n: int) -> int:
    written = 0
    for i in range(0, n, ROLE_EVERY):
        k = i // ROLE_EVERY % ORGANISATIONS
        f.write(
            f'[[role]]\nid = "role-{i}"\nholder = "person-{i}"\norganisation = "org-{k:03d}"\ntitle = "Director"\n'
            f'cite = [{{ source = "registry", quote = "Registry entry {k:03d} names the directors" }}]\n\n'
        )
        written += 1
    return written


def write_bundle(n: int, out: Path, seed: int = 7, roles_first: bool = False) -> dict[str, int]:
    rng = random.Random(seed)
    (out / "sources").mkdir(parents=True, exist_ok=True)
    (out / "sources" / "registry.txt").write_text(_registry(), encoding="utf-8")
    (out / "sources.toml").write_text(
        '[[source]]\nid = "registry"\nfile = "sources/registry.txt"\ntitle = "Registry"\npublished = "2024"\n',
        encoding="utf-8",
    )
    with (out / "kb.toml").open("w", encoding="utf-8") as f:
        if roles_first:
            roles = _roles(f, n)
            _entities(f, n, rng)
        else:
            _entities(f, n, rng)
            roles = _roles(f, n)
    return {"entities": n + ORGANISATIONS, "roles": roles, "kb_bytes": (out / "kb.toml").stat().st_size}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--entities", type=int, default=10_000)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--roles-first", action="store_true", help="write the roles before the entities they name")
    args = ap.parse_args(argv)
    counts = write_bundle(args.entities, args.out, args.seed, args.roles_first)
    print(json.dumps({"out": str(args.out), **counts}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
