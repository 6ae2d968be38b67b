"""Generate a large, realistic, deterministic kbtui knowledge base.

    python benchmarks/generate.py --entities 1000000 --out /tmp/kb1m.db [--seed 7]

The KB is written through kbtui's own schema (kbtui.kb.db.connect_writable)
and index builders (kbtui.kb.index), and passes `kbtui check`: every claim
is cited, every citation is a verbatim span of a stored source whose sha256
is right, and every foreign key resolves. What it holds:

* people with multi-part names in several traditions: Russian names kept in
  Cyrillic and transliterated (with a competing transliteration as an
  alias), Chinese names in Hanzi and pinyin (with spacing variants), Western
  names with middle initials, Arabic names with competing romanisations,
  European names with accents;
* organisations (ministries, companies, institutions) with abbreviations
  such as "F.S.B." as aliases, and a few hub organisations with 10,000+
  role holders at a million entities;
* ~2 roles per person, some relations and events, ~N/10 sources whose text
  is made of sentences stating those claims, ~3 citations per claim on real
  spans of that text, and mentions where the text names a person.

Speed: rows go in with executemany in one transaction, with journaling and
syncing off during the build (the file is new; a crash means regenerate) and
secondary indexes created after the data. Progress bars on a terminal only.
Prints a JSON summary on stdout and writes it next to the KB as
PATH.build.json (run.py reads the build time from there).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sqlite3
import sys
import time
from pathlib import Path

from anyascii import anyascii

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import pools
from benchmarks.progress import Phases
from kbtui.kb import db, index

AFFIX = 32  # characters of prefix/suffix kept with each quote (TextQuoteSelector)
BATCH_SOURCES = 2000


# ---------------------------------------------------------------------------
# names


def slug(text: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", (text if text.isascii() else anyascii(text)).lower()).strip("-")
    return s[:80].strip("-") or "x"


def _female(surname: str) -> str:
    if surname.endswith(("ов", "ев", "ёв", "ин", "ын")):
        return surname + "а"
    if surname.endswith("ский"):
        return surname[:-4] + "ская"
    return surname


def _patronymic(father: str, male: bool) -> str:
    irregular = {
        "Илья": ("Ильич", "Ильинична"),
        "Лев": ("Львович", "Львовна"),
        "Пётр": ("Петрович", "Петровна"),
        "Павел": ("Павлович", "Павловна"),
        "Никита": ("Никитич", "Никитична"),
        "Фома": ("Фомич", "Фоминична"),
    }
    if father in irregular:
        return irregular[father][0 if male else 1]
    if father.endswith("ий"):
        stem = father[:-2] + "ье"
    elif father.endswith("ь") or father.endswith(("ай", "ей")):
        stem = father[:-1] + "е"
    elif father.endswith("а"):
        stem, male_end = father[:-1], ("ич", "ична")
        return stem + male_end[0 if male else 1]
    else:
        stem = father + "о"
    return stem + ("вич" if male else "вна")


def _alt_ru(text: str) -> str:
    out = []
    for word in text.split():
        w = "".join(pools.RU_ALT_TRANSLIT.get(ch, ch) for ch in word.lower())
        out.append(w[:1].upper() + w[1:])
    return " ".join(out)


def _pinyin(chars: str) -> str:
    return "".join(anyascii(c) for c in chars).capitalize()


def _initials(name: str) -> str:
    small = {"of", "and", "the", "for", "in", "on", "at"}
    return "".join(w[0] for w in re.findall(r"[A-Za-z']+", name) if w.lower() not in small).upper()


class Names:
    """Deterministic name makers, one per tradition."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def person(self) -> tuple[str, list[tuple[str, str]]]:
        r = self.rng.random()
        if r < 0.30:
            return self.russian()
        if r < 0.55:
            return self.chinese()
        if r < 0.83:
            return self.western()
        if r < 0.93:
            return self.arabic()
        return self.accented()

    def russian(self) -> tuple[str, list[tuple[str, str]]]:
        rng = self.rng
        male = rng.random() < 0.7
        first = rng.choice(pools.RU_MALE if male else pools.RU_FEMALE)
        patr = _patronymic(rng.choice(pools.RU_MALE), male)
        sur = rng.choice(pools.RU_SURNAMES)
        sur = sur if male else _female(sur)
        cyr = f"{first} {patr} {sur}"
        with_patr = rng.random() < 0.8
        name = anyascii(cyr if with_patr else f"{first} {sur}")
        aliases = []
        if rng.random() < 0.5:
            aliases.append((cyr, "transliteration"))
        if rng.random() < 0.4:
            aliases.append((_alt_ru(f"{first} {sur}"), "transliteration"))
        if rng.random() < 0.03:
            aliases.append((anyascii(sur), "surname"))
        return name, aliases

    def chinese(self) -> tuple[str, list[tuple[str, str]]]:
        rng = self.rng
        sur = rng.choice(pools.ZH_SURNAMES)
        given = "".join(rng.choice(pools.ZH_GIVEN) for _ in range(2 if rng.random() < 0.75 else 1))
        name = f"{_pinyin(sur)} {_pinyin(given)}"
        aliases = []
        if rng.random() < 0.5:
            aliases.append((sur + given, "transliteration"))
        if len(given) == 2 and rng.random() < 0.15:
            parts = [_pinyin(c) for c in given]
            sep = rng.choice(("-", " "))
            lower = parts[1] if sep == " " else parts[1].lower()
            aliases.append((f"{_pinyin(sur)} {parts[0]}{sep}{lower}", "alias"))
        if rng.random() < 0.1:
            aliases.append((f"{_pinyin(given)} {_pinyin(sur)}", "alias"))
        return name, aliases

    def western(self) -> tuple[str, list[tuple[str, str]]]:
        rng = self.rng
        first, sur = rng.choice(pools.WEST_FIRST), rng.choice(pools.WEST_SURNAMES)
        if rng.random() < 0.35:
            middle = rng.choice("ABCDEFGHJKLMNPRSTW")
            name = f"{first} {middle}. {sur}"
            aliases = [(f"{first} {sur}", "short-form")] if rng.random() < 0.3 else []
        else:
            name, aliases = f"{first} {sur}", []
            if rng.random() < 0.1:
                second = rng.choice(pools.WEST_SURNAMES)
                name = f"{first} {sur}-{second}"
        return name, aliases

    def arabic(self) -> tuple[str, list[tuple[str, str]]]:
        rng = self.rng
        first, family = rng.choice(pools.AR_FIRST), rng.choice(pools.AR_FAMILY)
        father = rng.choice(pools.AR_FIRST)
        name = f"{first} bin {father} {family}" if rng.random() < 0.5 else f"{first} {family}"
        aliases = []
        if first in pools.AR_VARIANTS and rng.random() < 0.5:
            aliases.append((name.replace(first, pools.AR_VARIANTS[first], 1), "transliteration"))
        if rng.random() < 0.15:
            aliases.append((name.replace(" Al ", " al-"), "alias"))
        return name, aliases

    def accented(self) -> tuple[str, list[tuple[str, str]]]:
        rng = self.rng
        first = rng.choice(pools.ACCENTED_FIRST)
        if rng.random() < 0.3:
            first += " " + rng.choice(pools.ACCENTED_FIRST)
        return f"{first} {rng.choice(pools.ACCENTED_SURNAMES)}", []

    def organisation(self) -> tuple[str, list[tuple[str, str]]]:
        rng = self.rng
        r = rng.random()
        aliases: list[tuple[str, str]] = []
        if r < 0.4:
            name = f"{rng.choice(pools.MINISTRY_KINDS)} of {rng.choice(pools.DOMAINS)}"
            if rng.random() < 0.85:
                name += f" of {rng.choice(pools.REGIONS)}"
            if rng.random() < 0.5:
                abbr = _initials(name)
                aliases.append((abbr, "abbreviation"))
                if rng.random() < 0.3:
                    aliases.append((".".join(abbr) + ".", "abbreviation"))
        elif r < 0.75:
            tradition = rng.random()
            if tradition < 0.35:
                owner = anyascii(rng.choice(pools.RU_SURNAMES))
            elif tradition < 0.65:
                owner = _pinyin(rng.choice(pools.ZH_GIVEN) + rng.choice(pools.ZH_GIVEN))
            else:
                owner = rng.choice(pools.WEST_SURNAMES)
            industry = rng.choice(pools.INDUSTRIES)
            name = f"{owner} {industry} {rng.choice(pools.COMPANY_SUFFIXES)}"
            if rng.random() < 0.3:
                aliases.append((f"{owner} {industry}", "short-form"))
        else:
            name = f"{rng.choice(pools.REGIONS)} {rng.choice(pools.INSTITUTIONS)}"
            if rng.random() < 0.6:
                name += f" No. {rng.randint(1, 400)}"
        return name, aliases


# ---------------------------------------------------------------------------
# the KB model, in memory before it is written


class Model:
    def __init__(self, n: int, seed: int) -> None:
        self.n, self.rng = n, random.Random(seed)
        self.names = Names(self.rng)
        self.ids: list[str] = []
        self.kind: list[str] = []
        self.name: list[str] = []
        self.aliases: list[list[tuple[str, str]]] = []
        self._slugs: dict[str, int] = {}
        self.roles: list[tuple] = []  # (holder, org, title, start, end, status)
        self.relations: list[tuple] = []  # (type, subject, object, year)
        self.events: list[tuple] = []  # (event entity, a, b, place, date)
        self.first_role: dict[int, int] = {}  # person -> index of their first role (cites their nationality)
        self.countries: list[int] = []

    def add(self, kind: str, name: str, aliases: list[tuple[str, str]], id_: str | None = None) -> int:
        base = id_ or slug(name)
        n = self._slugs.get(base, 0) + 1
        self._slugs[base] = n
        self.ids.append(base if n == 1 else f"{base}-{n}")
        self.kind.append(kind)
        self.name.append(name)
        self.aliases.append(aliases)
        return len(self.ids) - 1

    def build(self, advance) -> None:
        n, rng = self.n, self.rng
        countries = [
            ("Russia", [("Россия", "transliteration"), ("Russian Federation", "alias")]),
            ("China", [("中国", "transliteration"), ("PRC", "abbreviation"), ("People's Republic of China", "alias")]),
            ("United States", [("USA", "abbreviation"), ("U.S.", "abbreviation")]),
        ]
        for name, aliases in countries[: max(1, min(3, n // 1000))]:
            self.countries.append(self.add("country", name, aliases))
        self.hubs = [self.add("organisation", name, aliases, id_) for id_, name, aliases in pools.HUBS]
        n_places = min(len(pools.REGIONS), max(2, n // 2000))
        self.places = [self.add("place", r, []) for r in pools.REGIONS[:n_places]]
        n_events = max(1, n // 1000)
        n_orgs = max(10, int(n * 0.15)) - len(self.hubs)
        n_people = n - len(self.ids) - n_orgs - n_events
        self.orgs = []
        for _ in range(n_orgs):
            name, aliases = self.names.organisation()
            self.orgs.append(self.add("organisation", name, aliases))
        advance(n_orgs)
        self.people = []
        for i in range(n_people):
            name, aliases = self.names.person()
            self.people.append(self.add("person", name, aliases))
            if i % 20000 == 19999:
                advance(20000)
        advance(n_people % 20000)

        # Roles: ~2 a person; hub organisations get 10,000+ holders at 1M entities.
        hub_size = min(15_000, max(20, n // 80))
        p_hub = len(self.hubs) * hub_size / (2 * n_people)
        statuses = ("current",) * 9 + ("former",) * 8 + ("unknown",) * 3
        for p in self.people:
            for _ in range(rng.choice((1, 2, 3))):
                org = (
                    rng.choice(self.hubs)
                    if rng.random() < p_hub
                    else self.orgs[int(len(self.orgs) * rng.random() ** 2)]
                )
                status = rng.choice(statuses)
                start = rng.randint(1990, 2024)
                end = min(2025, start + rng.randint(1, 8)) if status == "former" else None
                self.first_role.setdefault(p, len(self.roles))
                self.roles.append((p, org, rng.choice(pools.TITLES), start, end, status))
        for _ in range(max(1, n // 50)):
            if rng.random() < 0.6:
                a, b = rng.sample(self.people, 2)
                t = rng.choice(("met", "advises", "friend-of", "met"))
            else:
                a, b = rng.sample(self.orgs, 2)
                t = rng.choice(("supervises", "part-of", "partner-of"))
            self.relations.append((t, a, b, rng.randint(1995, 2024)))
        for _ in range(n_events):
            a, b = rng.sample(self.people, 2)
            place = rng.choice(self.places)
            date = f"{rng.randint(2000, 2024)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            name = f"Meeting of {self.name[a]} and {self.name[b]} in {self.name[place]}, {date[:4]}"
            e = self.add("event", name, [])
            self.events.append((e, a, b, place, date))
        advance(n_events + len(self.places) + len(self.hubs))


# ---------------------------------------------------------------------------
# sentences: each claim is stated in a primary source (two citations: the
# sentence and a clause of it) and restated in a second source (one citation)


def role_sentences(m: Model, role: tuple) -> tuple[tuple[str, str, list], str]:
    """((sentence A, clause of A, [(entity, start, end)]), sentence B)."""
    holder, org, title, start, end, status = role
    h, o = m.name[holder], m.name[org]
    if status == "current":
        if start % 2:
            clause = f"{h} was appointed {title} of {o}"
            a = f"{clause} in {start}, officials said."
            spans = [(holder, 0, len(h)), (org, len(clause) - len(o), len(clause))]
        else:
            clause = f"{o} named {h} as its {title}"
            a = f"In {start}, {clause}."
            off = len(f"In {start}, ")
            spans = [(org, off, off + len(o)), (holder, off + len(o) + 7, off + len(o) + 7 + len(h))]
        b = f"{o} confirmed that {h} serves as its {title}."
    elif status == "former":
        clause = f"{h}, a former {title} of {o}"
        a = f"{clause}, left the post in {end}."
        spans = [(holder, 0, len(h)), (org, len(clause) - len(o), len(clause))]
        b = f"{h} previously worked at {o} as {title}."
    else:
        clause = f"{h} is described as {title} of {o}"
        a = f"{clause} in company records."
        spans = [(holder, 0, len(h)), (org, len(clause) - len(o), len(clause))]
        b = f"Among those present was {h}, {title} at {o}."
    return (a, clause, spans), b


_REL = {
    "met": ("{a} met {b} in {y}", "{a} and {b} had met before."),
    "advises": ("{a} has advised {b} since {y}", "{b} relies on advice from {a}."),
    "friend-of": ("{a} is a long-time friend of {b}", "{a} and {b} are friends, people close to them say."),
    "supervises": ("{a} supervises {b}", "{b} reports to {a}."),
    "part-of": ("{a} is part of {b}", "{a} belongs to {b}."),
    "partner-of": ("{a} signed a partnership with {b} in {y}", "{a} and {b} are partners."),
}


def relation_sentences(m: Model, rel: tuple) -> tuple[tuple[str, str, list], str]:
    t, a, b, y = rel
    clause_t, b_t = _REL[t]
    clause = clause_t.format(a=m.name[a], b=m.name[b], y=y)
    return (f"{clause}, according to records.", clause, [(a, 0, len(m.name[a]))]), b_t.format(a=m.name[a], b=m.name[b])


# ---------------------------------------------------------------------------
# writing


def _drop_indexes(conn: sqlite3.Connection) -> list[str]:
    """Drop secondary indexes (recreated verbatim after the bulk load)."""
    rows = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name NOT IN ('names')"
    ).fetchall()
    for name, _ in rows:
        conn.execute(f'DROP INDEX "{name}"')
    return [sql for _, sql in rows]


def generate(n: int, out: Path, seed: int = 7, mentions: bool = True, phases: Phases | None = None) -> dict:
    started = time.perf_counter()
    phases = phases or Phases(enabled=False)
    out.unlink(missing_ok=True)
    conn = db.connect_writable(out, create=True)
    conn.execute("PRAGMA foreign_keys = OFF")  # built consistent; checked by `kbtui check`
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -1000000")
    conn.execute("PRAGMA temp_store = MEMORY")
    # Rows are valid by construction; PRAGMA integrity_check (run by `kbtui
    # check`) verifies the CHECK constraints afterwards.
    conn.execute("PRAGMA ignore_check_constraints = ON")
    index_sql = _drop_indexes(conn)

    m = Model(n, seed)
    with phases.phase("names", total=n) as advance:
        m.build(advance)

    conn.execute("BEGIN")
    with phases.phase("entities", total=n) as advance:
        conn.executemany(
            "INSERT INTO entities (id, kind, name) VALUES (?, ?, ?)", sorted(zip(m.ids, m.kind, m.name, strict=True))
        )
        alias_rows = sorted({(m.ids[i], a, k) for i, al in enumerate(m.aliases) for a, k in al})
        seen: set[tuple[str, str]] = set()
        conn.executemany(
            "INSERT INTO aliases (entity_id, alias, kind) VALUES (?, ?, ?)",
            [r for r in alias_rows if (r[0], r[1]) not in seen and not seen.add(r[:2])],
        )
        advance(n)

    # Claims, in one list: (claim id, kind, sentence parts).
    n_claims = len(m.roles) + len(m.relations) + 3 * len(m.events)
    with phases.phase("claims", total=n_claims) as advance:
        conn.executemany(
            'INSERT INTO roles (claim_id, holder_id, organisation_id, title, start, "end", status) '
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                (f"role-{i:08d}", m.ids[h], m.ids[o], t, str(s), None if e is None else str(e), st)
                for i, (h, o, t, s, e, st) in enumerate(m.roles)
            ),
        )
        conn.execute("INSERT INTO claims (id, kind) SELECT claim_id, 'role' FROM roles ORDER BY claim_id")
        advance(len(m.roles))
        conn.executemany(
            "INSERT INTO claims (id, kind) VALUES (?, 'relation')", ((f"rel-{i:08d}",) for i in range(len(m.relations)))
        )
        conn.executemany(
            "INSERT INTO relations (claim_id, type, subject_id, object_id, start) VALUES (?, ?, ?, ?, ?)",
            (
                (f"rel-{i:08d}", t, m.ids[a], m.ids[b], str(y) if t in ("met", "advises", "partner-of") else None)
                for i, (t, a, b, y) in enumerate(m.relations)
            ),
        )
        for e, a, b, place, date in m.events:
            eid = m.ids[e]
            conn.execute("INSERT INTO claims (id, kind) VALUES (?, 'event')", (eid,))
            conn.execute(
                "INSERT INTO events (entity_id, claim_id, type, start, place_id) VALUES (?, ?, 'meeting', ?, ?)",
                (eid, eid, date, m.ids[place]),
            )
            for who in (a, b):
                pid = f"{eid}-{m.ids[who]}"[:200].strip("-")
                conn.execute("INSERT INTO claims (id, kind) VALUES (?, 'participation')", (pid,))
                conn.execute(
                    "INSERT INTO participations (claim_id, event_id, entity_id) VALUES (?, ?, ?)",
                    (pid, eid, m.ids[who]),
                )
        # a nationality per person with a role, cited (inferred) by that role's sentence
        props = [(nationality_id(m, p), m.ids[p], m.ids[m.countries[p % len(m.countries)]]) for p in m.first_role]
        conn.executemany("INSERT INTO claims (id, kind) VALUES (?, 'property')", ((c,) for c, _, _ in props))
        conn.executemany(
            "INSERT INTO properties (claim_id, entity_id, property, value) VALUES (?, ?, 'nationality', ?)", props
        )
        # one role in 1,000 is recorded as conflicting with the next
        conn.executemany(
            "INSERT INTO conflicts (claim_id, other_id, note) VALUES (?, ?, 'generated conflict')",
            ((f"role-{i:08d}", f"role-{i + 1:08d}") for i in range(0, len(m.roles) - 1, 1000)),
        )
        advance(n_claims - len(m.roles))

    # Sources: claim c is stated in source c // k (sentence + clause) and
    # restated in a nearby source, so every source mixes both. Texts are made
    # batch by batch (a forked worker was tried: the inserts are the bottleneck).
    n_sources = max(1, n // 10)
    k = -(-n_claims // n_sources)
    restated: list[list[int]] = [[] for _ in range(n_sources)]
    for c in range(n_claims):
        restated[(c // k + 1 + c % 7) % n_sources].append(c)
    job = _SourceJob(m, k, n_sources, n_claims, restated, seed, mentions)
    batches = [(b, min(n_sources, b + BATCH_SOURCES)) for b in range(0, n_sources, BATCH_SOURCES)]
    with phases.phase("sources", total=n_sources) as advance:
        for batch in batches:
            rows = _make_batch(job, batch)
            _flush(conn, *rows)
            advance(len(rows[0]))
        n_citations = conn.execute("SELECT max(id) FROM citations").fetchone()[0] or 0
    conn.execute("COMMIT")

    with phases.phase("indexes", total=len(index_sql)) as advance:
        for sql in index_sql:
            conn.execute(sql)
            advance(1)
    n_names = (
        conn.execute("SELECT count(*) FROM entities").fetchone()[0]
        + conn.execute("SELECT count(*) FROM aliases").fetchone()[0]
    )
    with phases.phase("name index", total=n_names) as advance:
        conn.execute("BEGIN")
        index.rebuild_names(conn, progress=advance)
        conn.execute("COMMIT")
    with phases.phase("source text index", total=None) as advance:
        conn.execute("BEGIN")
        index.rebuild_source_fts(conn)
        conn.execute("COMMIT")
        advance(n_sources)
    conn.execute("PRAGMA ignore_check_constraints = OFF")
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute("PRAGMA analysis_limit = 1000")  # approximate statistics, in seconds not minutes
    conn.execute("ANALYZE")
    conn.close()
    summary = {
        "entities": n,
        "seed": seed,
        "path": str(out),
        "people": len(m.people),
        "organisations": len(m.orgs) + len(m.hubs),
        "hubs": {m.ids[h]: sum(1 for r in m.roles if r[1] == h) for h in m.hubs},
        "roles": len(m.roles),
        "relations": len(m.relations),
        "events": len(m.events),
        "sources": n_sources,
        "citations": n_citations,
        "names": n_names,
        "build_s": round(time.perf_counter() - started, 1),
        "phases_s": phases.timings,
        "db_mb": round(out.stat().st_size / 2**20, 1),
    }
    Path(str(out) + ".build.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return summary


class _SourceJob:
    """What the source-text maker needs."""

    def __init__(
        self, m: Model, k: int, n_sources: int, n_claims: int, restated: list[list[int]], seed: int, mentions: bool
    ) -> None:
        self.m, self.k, self.n_sources, self.n_claims = m, k, n_sources, n_claims
        self.restated, self.seed, self.mentions = restated, seed, mentions
        self.events_at = len(m.roles) + len(m.relations)

    def claim(self, c: int) -> tuple[str, tuple[str, str, list], str]:
        """(claim id, (sentence, clause, mention spans), restatement) of claim c."""
        m = self.m
        if c < len(m.roles):
            return (f"role-{c:08d}", *role_sentences(m, m.roles[c]))
        if c < self.events_at:
            i = c - len(m.roles)
            return (f"rel-{i:08d}", *relation_sentences(m, m.relations[i]))
        e, a, b, place, date = m.events[(c - self.events_at) // 3]
        eid, na, nb = m.ids[e], m.name[a], m.name[b]
        clause = f"{na} and {nb} met in {m.name[place]}"
        sent = f"{clause} on {date}."
        spans = [(a, 0, len(na)), (b, len(na) + 5, len(na) + 5 + len(nb))]
        part = (c - self.events_at) % 3
        if part == 0:
            return (
                eid,
                (sent, clause, spans),
                (f"The meeting in {m.name[place]} on {date} brought together {na} and {nb}."),
            )
        who = a if part == 1 else b
        pid = f"{eid}-{m.ids[who]}"[:200].strip("-")
        return pid, (sent, clause, spans), f"{m.name[who]} attended the meeting in {m.name[place]}."


def nationality_id(m: Model, person: int) -> str:
    return f"{m.ids[person]}--nationality"[:200]


def _make_batch(job: _SourceJob, span: tuple[int, int]) -> tuple[list, list, list]:
    """Rows of sources, citations and mentions for sources span[0] .. span[1] - 1."""
    m, k = job.m, job.k
    rng = random.Random(job.seed * 1_000_003 + span[0])
    src_rows, cite_rows, mention_rows = [], [], []
    for s in range(*span):
        sid = f"src-{s:07d}"
        outlet = rng.choice(pools.OUTLETS)
        year = rng.randint(2000, 2025)
        published = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        own = range(s * k, min(job.n_claims, (s + 1) * k))
        lead = m.name[m.roles[own[0]][0]] if own and own[0] < len(m.roles) else "officials"
        title = f"{outlet} digest no. {s + 1}: {lead} and others"
        parts: list[str] = [title, "\n\n"]
        pos = len(title) + 2
        # (claim, start, end, certainty, stance, speaker)
        cites: list[tuple[str, int, int, str, str, str]] = []
        for j, c in enumerate(own):
            claim_id, (a, clause, spans), _ = job.claim(c)
            if j and j % 4 == 0:
                parts.append("\n\n")
                pos += 2
            elif j:
                parts.append(" ")
                pos += 1
            start_a = pos + a.index(clause)
            cites.append((claim_id, pos, pos + len(a), "stated", "supports", ""))
            cites.append((claim_id, start_a, start_a + len(clause), "stated", "supports", ""))
            if c < len(m.roles) and m.first_role.get(m.roles[c][0]) == c:
                prop = nationality_id(m, m.roles[c][0])
                cites.append((prop, start_a, start_a + len(clause), "inferred", "supports", ""))
            if job.mentions:  # the people named (organisations' would be 10,000s for a hub)
                for ent, s0, s1 in spans:
                    if m.kind[ent] == "person":
                        mention_rows.append((sid, m.ids[ent], pos + s0, pos + s1))
            parts.append(a)
            pos += len(a)
        if job.restated[s]:
            parts.append("\n\nAlso reported:")
            pos += len("\n\nAlso reported:")
            for c in job.restated[s]:
                claim_id, _, b = job.claim(c)
                parts.append(" ")
                pos += 1
                # a restatement relays others, and one in 11 only qualifies the claim
                stance = "qualifies" if c % 11 == 0 else "supports"
                cites.append((claim_id, pos, pos + len(b), "reported", stance, "officials quoted by the outlet"))
                parts.append(b)
                pos += len(b)
        parts.append("\n")
        text = "".join(parts)
        via = rng.choice(pools.AGGREGATORS) if rng.random() < 0.1 else None
        src_rows.append(
            (
                sid,
                title,
                outlet,
                f"{rng.choice(pools.WEST_FIRST)} {rng.choice(pools.WEST_SURNAMES)}",
                published,
                via,
                published if via else None,
                text,
                hashlib.sha256(text.encode("utf-8")).hexdigest(),
                "stated",
            )
        )
        for claim_id, a0, a1, certainty, stance, speaker in cites:
            cite_rows.append(
                (
                    claim_id,
                    sid,
                    text[a0:a1],
                    text[max(0, a0 - AFFIX) : a0],
                    text[a1 : a1 + AFFIX],
                    a0,
                    a1,
                    published,
                    stance,
                    certainty,
                    speaker,
                )
            )
    return src_rows, cite_rows, mention_rows


def _flush(conn: sqlite3.Connection, src_rows: list, cite_rows: list, mention_rows: list) -> None:
    conn.executemany(
        "INSERT INTO sources (id, title, outlet, author, published, via, via_date, text, "
        "sha256, date_basis) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        src_rows,
    )
    conn.executemany(
        'INSERT INTO citations (claim_id, source_id, quote, prefix, suffix, start, "end", as_of, stance,'
        " certainty, speaker) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        cite_rows,
    )
    conn.executemany(
        'INSERT OR IGNORE INTO mentions (source_id, entity_id, start, "end") VALUES (?, ?, ?, ?)', mention_rows
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--entities", type=int, required=True, help="how many entities (people, organisations, places, events)"
    )
    ap.add_argument("--out", type=Path, required=True, help="the KB file to write (replaced)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--no-mentions", action="store_true", help="skip the mentions table")
    args = ap.parse_args(argv)
    if args.entities < 100:
        ap.error("--entities must be at least 100")
    with Phases() as phases:
        summary = generate(args.entities, args.out, args.seed, mentions=not args.no_mentions, phases=phases)
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
