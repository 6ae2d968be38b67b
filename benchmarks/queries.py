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

import json
import random
import sqlite3
from dataclasses import asdict, dataclass
from pathlib import Path

from kbtui.kb.normalize import compact, norm

KINDS = ("exact", "typo1", "typo2", "partial")
# the forms issue 14 asks search to find, made by make_more (below); a
# fragment that several names share equally is its own kind, a hit when the
# target ties with the top result
MORE_KINDS = ("fragment", "fragment_tie", "word_typo", "initials", "surname_first", "title")
# queries that must never be slow or fail, whatever they find
ADVERSARIAL = (
    "a",
    "Q",
    "x" * 300,
    "!!! ??? ...",
    "the of and",
    "Ива Wang 王 Müller",
    "   ",
    "%_*\\'\"",
)
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


def make_more(conn: sqlite3.Connection, per_kind: int = 50, seed: int = 12) -> list[Query]:
    """`per_kind` queries of each of MORE_KINDS, from random entities:
    fragments of a name's middle or end (two words or more), a typo in a
    word after the first, an initial and a surname, surname first, and a
    role's title with its organisation (for roles no one else holds so)."""
    rng = random.Random(seed)
    top = conn.execute("SELECT max(rowid) FROM entities").fetchone()[0]
    made: dict[str, list[Query]] = {k: [] for k in MORE_KINDS}
    tries = 0
    while any(len(v) < per_kind for v in made.values()) and tries < per_kind * 400:
        tries += 1
        row = conn.execute("SELECT id, name, kind FROM entities WHERE rowid = ?", (rng.randint(1, top),)).fetchone()
        if row is None or row[2] not in ("person", "organisation") or not row[1].isascii():
            continue
        eid, name, kind = row
        words = name.split()
        if len(words) >= 3 and len(made["fragment"]) + len(made["fragment_tie"]) < 2 * per_kind:
            start = rng.randint(1, len(words) - 2)
            frag = " ".join(words[start : rng.randint(start + 2, len(words))])
            which = "fragment" if _sole(conn, frag, eid) else "fragment_tie"
            if len(made[which]) < per_kind:
                made[which].append(Query(frag, which, eid, name))
        if len(words) >= 2 and len(made["word_typo"]) < per_kind:
            later = [i for i, w in enumerate(words) if i and len(w) >= 5 and w.isalpha()]
            if later:
                i = rng.choice(later)
                text = " ".join([*words[:i], _typos(words[i], 1, rng), *words[i + 1 :]])
                made["word_typo"].append(Query(text, "word_typo", eid, name))
        if kind == "person" and len(words) >= 2 and words[0][0].isalpha():
            if len(made["initials"]) < per_kind:
                made["initials"].append(Query(f"{words[0][0]}. {words[-1]}", "initials", eid, name))
            if len(made["surname_first"]) < per_kind:
                rest = " ".join(words[:-1])
                text = f"{words[-1]}, {rest}" if rng.random() < 0.5 else f"{words[-1]} {rest}"
                made["surname_first"].append(Query(text, "surname_first", eid, name))
        if kind == "person" and len(made["title"]) < per_kind:
            role = conn.execute(
                "SELECT r.title, o.name FROM roles r JOIN entities o ON o.id = r.organisation_id"
                " WHERE r.holder_id = ? AND (SELECT count(*) FROM roles x WHERE x.organisation_id = r.organisation_id"
                " AND x.title = r.title) = 1 LIMIT 1",
                (eid,),
            ).fetchone()
            if role:
                made["title"].append(Query(f"{role[0]} {role[1]}", "title", eid, name))
    return [q for k in MORE_KINDS for q in made[k]]


def _sole(conn: sqlite3.Connection, fragment: str, entity_id: str) -> bool:
    """Only this entity's names hold the fragment (as whole words, any
    case). Candidates come from the names' trigram index, so a million
    names are not scanned per fragment."""
    key = norm(fragment)
    padded = f" {key} "
    owners = {
        eid
        for eid, name_norm in conn.execute(
            "SELECT n.entity_id, n.norm FROM names_fts f JOIN names n ON n.id = f.rowid WHERE names_fts MATCH ?",
            ('"' + compact(key).replace('"', "") + '"',),
        )
        if padded in f" {name_norm} "
    }
    return owners == {entity_id}


def initials_shared(conn: sqlite3.Connection, q: Query) -> bool:
    """An initials query ("V. Potapov") that another entity's name answers
    as well as the target's: a first word with that initial and that last
    word. Such a query cannot tell them apart."""
    initial, surname = norm(q.text).split()[0], norm(q.text).split()[-1]
    holders = {
        eid
        for eid, name_norm in conn.execute(
            "SELECT n.entity_id, n.norm FROM names_words w JOIN names n ON n.id = w.rowid WHERE names_words MATCH ?",
            (f'"{surname}"',),
        )
        if name_norm.split()[0].startswith(initial) and name_norm.split()[-1] == surname
    }
    return len(holders - {q.entity_id}) > 0


def save(queries: list[Query], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps([asdict(q) for q in queries], ensure_ascii=False, indent=0) + "\n", encoding="utf-8")


def load(path: Path) -> list[Query]:
    return [Query(**q) for q in json.loads(path.read_text(encoding="utf-8"))]


def fixture_path(entities: int, seed: int) -> Path:
    """Where the query set for a generated KB is kept (committed, so search
    changes are measured before and after on the same queries)."""
    return Path(__file__).resolve().parent / "fixtures" / f"queries-{entities}-seed{seed}.json"
