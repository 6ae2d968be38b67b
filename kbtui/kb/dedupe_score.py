"""Scores and reasons for candidate duplicate pairs (kbtui.kb.dedupe).

A pair's score adds up log-odds, as record linkage does (Fellegi and
Sunter): the names' relation (kbtui.kb.dedupe_names), less how common
the names are, plus each piece of evidence for or against, then squashed
to 0..1. Every term that counts comes with its reason, so the list says
why a pair ranks where it does:

  for:     the same identifier (very strong), website, e-mail or phone;
           roles at the same organisation, the same role holder, the same
           relation's other end, the same event (stronger the smaller the
           organisation or event); the same country; the same birth date
  against: different birth years (strong), different identifiers of one
           scheme, a different gender or country, a relation between the
           two (one does not meet oneself)

With no evidence either way, a rare name spelt alike scores about 0.6
and a name one edit apart about 0.35: namesakes and near spellings need
something else in common to pass the default threshold (0.5).
"""

from __future__ import annotations

import heapq
import math
import sqlite3
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from kbtui.kb import db
from kbtui.kb.dedupe_blocks import Found, Names
from kbtui.kb.dedupe_context import Links
from kbtui.kb.dedupe_names import middle_names_differ, specific

OFFSET = 2.6  # log-odds a pair needs from its names and evidence to score 0.5
SHARED_MORE = 0.5  # each further organisation, event… in common, up to two
SAME_POST = 1.0  # the same title at the shared organisation
SAME_COUNTRY = 0.4
OTHER_COUNTRY = 1.2  # nationalities change and double: against, not strongly
SAME_IDENTIFIER = 5.0
SAME_CONTACT = 3.0  # a website, e-mail or phone number: shared by a family, a firm's offices
OTHER_IDENTIFIER = 3.0  # only different numbers of one scheme
RELATED = 2.0  # a relation between the two: one does not meet oneself
MIDDLE_NAMES = 2.0  # two patronymics, two people
FACTS = ("nationality", "country", "birth-date", "incorporation-date", "gender")
VERB = {"birth-date": "born", "incorporation-date": "incorporated"}


@dataclass(frozen=True)
class Pair:
    """Two entities of one kind that may be one: ids in order (a < b)."""

    a: str
    b: str
    kind: str
    score: float  # 0..1
    reasons: tuple[str, ...]
    a_name: str = ""
    b_name: str = ""


class Threshold:
    """The gate of kbtui.kb.dedupe_blocks.Found: whether a pair can still
    score `min_score`, before its evidence is weighed. An upper bound: the
    names' weight less their commonness, plus the best the facts could
    add (the same country; a birth date or identifier, for `special`
    entities), plus whatever the links in common add."""

    def __init__(self, min_score: float, links: Links, special: set[int]) -> None:
        if min_score <= 0:
            self.need = -math.inf
        elif min_score >= 1:
            self.need = math.inf
        else:
            self.need = math.log(min_score / (1 - min_score)) + OFFSET - SAME_COUNTRY
        self.links = links
        self.special = special

    def names(self, weight: float, others: int) -> bool:
        return specific(weight, others) >= self.need

    def pair(self, x: int, y: int, weight: float, others: int) -> bool:
        if self.names(weight, others) or (x in self.special and y in self.special):
            return True
        return self.links.share(x, y)


# A reason before names are known: a template with {} for each id.
Reason = tuple[str, tuple[str, ...]]


@dataclass
class _Facts:
    countries: set[str]
    dates: dict[str, set[str]]  # property -> values
    gender: set[str]


def score_pairs(
    conn: sqlite3.Connection,
    names: Names,
    found: Found,
    links: Links,
    identifiers: dict[int, list[tuple[str, str, str]]],
    min_score: float,
    limit: int | None,
    exclude: set[tuple[str, str]],
) -> list[Pair]:
    """The pairs of `found` scoring at least `min_score`, best first, at
    most `limit`, with their reasons in words."""
    facts = _facts(conn, names, {h for pair in found.pairs for h in pair})
    kept: list[tuple[float, str, str, list[Reason]]] = []
    for (x, y), (match, others) in found.pairs.items():
        a, b = sorted((names.ids[x], names.ids[y]))
        if (a, b) in exclude or (b, a) in exclude:
            continue
        reasons: list[Reason] = [(_escape(match.reason), ())] if match.reason else []
        logit = specific(match.weight, others) - OFFSET
        if others:
            reasons.append((f"{others:,} other {_plural(names.kind, others)} with these names", ()))
        logit += _links(links, x, y, reasons)
        if names.kind == "person":
            differ = middle_names_differ(names.main_norm[x], names.main_norm[y])
            if differ:
                logit -= MIDDLE_NAMES
                reasons.append((_escape(differ), ()))
        logit += _identifiers(identifiers.get(x, []), identifiers.get(y, []), reasons)
        logit += _compare_facts(facts.get(x), facts.get(y), reasons)
        score = 1.0 / (1.0 + math.exp(-logit))
        if score >= min_score:
            kept.append((round(score, 3), a, b, reasons))
    best = heapq.nsmallest(limit or len(kept), kept, key=lambda k: (-k[0], k[1], k[2]))
    return _worded(conn, names, best)


def _escape(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


def _plural(kind: str, n: int) -> str:
    if n == 1:
        return kind
    return "people" if kind == "person" else kind + "s"


def _links(links: Links, x: int, y: int, reasons: list[Reason]) -> float:
    """Organisations, holders, relations' ends and events in common; a
    relation between the two counts against."""
    total = 0.0
    posts = links.posts.get(x, set()) & links.posts.get(y, set())
    for into, link, words, post_words, weights in (
        (links.at, "at", "both hold roles at {}", "both {} at {}", (2.0, 1.4, 0.8)),
        (links.holders, "holders", "{} holds roles in both", "{} is {} in both", (2.0, 1.4, 0.8)),
        (links.related, "related", "both linked to {}", "", (1.5, 1.0, 0.5)),
        (links.events, "events", "both took part in {}", "", (1.2, 0.8, 0.4)),
    ):
        common = into.get(x, set()) & into.get(y, set())
        if not common:
            continue
        ranked = sorted(common, key=lambda n: (links.size.get((link, n), 0), n))
        size = links.size.get((link, ranked[0]), 0)
        total += weights[0] if size <= 50 else weights[1] if size <= 500 else weights[2]
        total += SHARED_MORE * min(2, len(ranked) - 1)
        more = f" and {len(ranked) - 1} more" if len(ranked) > 1 else ""
        same_post = sorted((n, t) for n, t in posts if n in common) if post_words else []
        if same_post:
            # the same title there too: "both Deputy Director at …"
            total += SAME_POST
            where, title = same_post[0]
            if link == "at":
                reasons.append((post_words.format(_escape(title), "{}") + more, (where,)))
            else:
                reasons.append((post_words.format("{}", _escape(title)) + more, (where,)))
            continue
        reasons.append((words + more, (ranked[0],)))
    key = (x, y) if x < y else (y, x)
    if key in links.between:
        total -= RELATED
        reasons.append((f"related to each other ({links.between[key]}): two entities?", ()))
    return total


def _identifiers(xs: list[tuple[str, str, str]], ys: list[tuple[str, str, str]], reasons: list[Reason]) -> float:
    """The same identifier value: very strong (a contact: strong); only
    different values under one scheme: against."""
    if not xs or not ys:
        return 0.0
    for prop, scheme, value in xs:
        for prop_y, scheme_y, value_y in ys:
            if prop == prop_y and value == value_y and (scheme == scheme_y or not scheme or not scheme_y):
                strong = prop == "identifier"
                label = f"{prop} {scheme or scheme_y}".strip() if strong else prop
                reasons.append((_escape(f"same {label} {value}"), ()))
                return SAME_IDENTIFIER if strong else SAME_CONTACT
    x_schemes = {s: v for p, s, v in xs if p == "identifier" and s}
    for p, s, v in ys:
        if p == "identifier" and s in x_schemes:
            reasons.append((_escape(f"different {s}: {x_schemes[s]} vs {v}"), ()))
            return -OTHER_IDENTIFIER
    return 0.0


def _compare_facts(fx: _Facts | None, fy: _Facts | None, reasons: list[Reason]) -> float:
    if fx is None or fy is None:
        return 0.0
    total = 0.0
    if fx.countries and fy.countries:
        common = fx.countries & fy.countries
        if common:
            total += SAME_COUNTRY
            reasons.append(("both {}", (min(common),)))
        else:
            total -= OTHER_COUNTRY
            reasons.append(("{} vs {}", (min(fx.countries), min(fy.countries))))
    for prop, verb in VERB.items():
        xs, ys = fx.dates.get(prop, set()), fy.dates.get(prop, set())
        if xs and ys:
            total += _dates(xs, ys, verb, reasons)
    if fx.gender and fy.gender and not fx.gender & fy.gender:
        total -= 2.5
        reasons.append((_escape(f"{min(fx.gender)} vs {min(fy.gender)}"), ()))
    return total


def _dates(xs: set[str], ys: set[str], verb: str, reasons: list[Reason]) -> float:
    """The same full date: strong; compatible (1951 and 1951-07-11): fair;
    different years: strong against, the same year otherwise: against."""
    same = sorted(xs & ys, key=len, reverse=True)
    if same and len(same[0]) == 10:
        reasons.append((f"both {verb} {same[0]}", ()))
        return 2.5
    fits = sorted((min(x, y, key=len) for x in xs for y in ys if x.startswith(y) or y.startswith(x)), key=len)
    if fits:
        reasons.append((f"both {verb} {fits[-1]}", ()))
        return 1.0
    x, y = min(xs), min(ys)
    if not {v[:4] for v in xs} & {v[:4] for v in ys}:
        reasons.append((f"{verb} {x[:4]} vs {y[:4]}: different {'people' if verb == 'born' else 'entities'}?", ()))
        return -3.0
    reasons.append((f"{verb} {x} vs {y}: different {'people' if verb == 'born' else 'entities'}?", ()))
    return -2.0


def _facts(conn: sqlite3.Connection, names: Names, handles: Iterable[int]) -> dict[int, _Facts]:
    """Countries, dates and gender of the entities in pairs, through
    properties_entity, IN_CHUNK entities a query."""
    ids = sorted(names.ids[h] for h in handles)
    out: dict[int, _Facts] = {}
    marks = ", ".join(f"'{p}'" for p in FACTS)
    sql = f"SELECT entity_id, property, value FROM properties WHERE entity_id IN ({{marks}}) AND property IN ({marks})"
    for entity_id, prop, value in db.rows_in(conn, sql, ids):
        h = names.handle[entity_id]
        f = out.get(h)
        if f is None:
            f = out[h] = _Facts(set(), defaultdict(set), set())
        if prop in ("nationality", "country"):
            f.countries.add(value)
        elif prop == "gender":
            f.gender.add(value.casefold())
        else:
            f.dates[prop].add(value)
    return out


def _worded(conn: sqlite3.Connection, names: Names, kept: list[tuple[float, str, str, list[Reason]]]) -> list[Pair]:
    """Pairs with their reasons' ids replaced by names (a nationality's
    value or a role's organisation is an id; a country may be plain text)."""
    wanted = sorted({i for *_, reasons in kept for _, ids in reasons for i in ids})
    shown = {r[0]: r[1] for r in db.rows_in(conn, "SELECT id, name FROM entities WHERE id IN ({marks})", wanted)}
    out = []
    for score, a, b, reasons in kept:
        words = tuple(t.format(*(shown.get(i, i) for i in ids)) for t, ids in reasons)
        out.append(Pair(a, b, names.kind, score, words, names.main[names.handle[a]], names.main[names.handle[b]]))
    return out
