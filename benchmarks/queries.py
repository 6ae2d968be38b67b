"""Benchmark queries made from real names in the KB, as people mistype them.

Kinds (equal shares):
* exact   – a main name or an alias, verbatim (Cyrillic and Hanzi included);
* typo1   – a main name with one typo;
* typo2   – a main name with two typos;
* partial – a name missing its middle parts ("Nikolay Patrushev" for
  "Nikolay Platonovich Patrushev") or cut short as if still being typed.

A typo is a keyboard-neighbour substitution, a dropped letter, a doubled or
stray letter, or two adjacent letters swapped. Following the usual fuzzy-
search convention (Elasticsearch's AUTO fuzziness), one typo is made only in
names of 6+ letters and two only in names of 10+: nobody expects "Li Wei"
with two typos to find one person among a million.
"""

from __future__ import annotations

import random
import sqlite3
from dataclasses import dataclass

from kbtui.kb.normalize import compact, norm

KINDS = ("exact", "typo1", "typo2", "partial")
_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
NEIGHBOURS: dict[str, str] = {}
for r, row in enumerate(_ROWS):
    for c, ch in enumerate(row):
        near = [row[c - 1] if c else "", row[c + 1] if c + 1 < len(row) else ""]
        for other in (r - 1, r + 1):
            if 0 <= other < len(_ROWS):
                near += _ROWS[other][max(0, c - 1) : c + 1]
        NEIGHBOURS[ch] = "".join(n for n in near if n)


@dataclass(frozen=True)
class Query:
    text: str
    kind: str
    entity_id: str
    name: str  # the name form the query was made from


def typo(text: str, rng: random.Random) -> str:
    letters = [i for i, ch in enumerate(text) if ch.isalpha()]
    i = rng.choice(letters)
    ch = text[i]
    op = rng.random()
    if op < 0.35:  # keyboard neighbour
        low = ch.lower()
        sub = rng.choice(NEIGHBOURS.get(low, "aeiou"))
        return text[:i] + (sub.upper() if ch.isupper() else sub) + text[i + 1 :]
    if op < 0.6:  # dropped letter
        return text[:i] + text[i + 1 :]
    if op < 0.8:  # doubled or stray letter
        extra = ch if rng.random() < 0.5 else rng.choice("aeioulnrst")
        return text[:i] + extra + text[i:]
    j = i + 1  # swapped neighbours
    if j < len(text) and text[j].isalpha():
        return text[:i] + text[j] + text[i] + text[j + 1 :]
    return text[:i] + text[i + 1 :]


def _typos(name: str, n: int, rng: random.Random) -> str:
    for _ in range(20):
        out = name
        for _ in range(n):
            out = typo(out, rng)
        if compact(norm(out)) != compact(norm(name)):
            return out
    return out


def partial(name: str, kind: str, rng: random.Random) -> str:
    words = name.split()
    if kind == "person" and len(words) >= 3 and rng.random() < 0.7:
        return f"{words[0]} {words[-1]}"
    cut = max(6, int(len(name) * rng.uniform(0.6, 0.85)))
    return name[:cut].rstrip()


def make(conn: sqlite3.Connection, count: int = 400, seed: int = 11) -> list[Query]:
    """`count` queries, a quarter of each kind, from randomly chosen entities."""
    rng = random.Random(seed)
    top = conn.execute("SELECT max(rowid) FROM entities").fetchone()[0]
    out: list[Query] = []
    per = {k: count // len(KINDS) + (1 if i < count % len(KINDS) else 0) for i, k in enumerate(KINDS)}
    for kind in KINDS:
        made = 0
        while made < per[kind]:
            row = conn.execute("SELECT id, name, kind FROM entities WHERE rowid = ?", (rng.randint(1, top),)).fetchone()
            if row is None or row[2] not in ("person", "organisation"):
                continue
            eid, name = row[0], row[1]
            letters = len(compact(norm(name)))
            if kind == "exact":
                aliases = [a[0] for a in conn.execute("SELECT alias FROM aliases WHERE entity_id = ?", (eid,))]
                form = rng.choice(aliases) if aliases and rng.random() < 0.4 else name
                text = form
            elif kind == "typo1":
                if letters < 6:
                    continue
                form, text = name, _typos(name, 1, rng)
            elif kind == "typo2":
                if letters < 10:
                    continue
                form, text = name, _typos(name, 2, rng)
            else:
                if letters < 8:
                    continue
                form, text = name, partial(name, row[2], rng)
            out.append(Query(text, kind, eid, form))
            made += 1
    return out
