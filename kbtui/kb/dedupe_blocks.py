"""Which pairs of entities are worth comparing at all (blocking).

Comparing every entity with every other is quadratic: 5 billion pairs at
100,000 entities. Instead each block below puts together entities that
share something exact, and only pairs within a block are scored
(kbtui.kb.dedupe_score). Blocks, per kind:

* by name: the same compact name (main name or alias); the same words in
  another order; an initial and a surname against a full name with that
  surname; a name without a middle name or legal form against the name
  with it; an acronym against a name whose initials spell it; and names
  one or two edits apart (kbtui.kb.dedupe_spelling);
* by evidence (kbtui.kb.dedupe_context): entities with the same
  identifier, and entities that share an organisation, a role holder, a
  relation's other end or an event, if their names are alike.

A key shared by more than BLOCK_CAP entities pairs none of them: a name
held by a hundred people is no evidence about any two, and the pairs
would swamp the list (the evidence blocks still pair such namesakes when
they share an organisation).
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol

from kbtui.kb.dedupe_names import (
    BEST_NOT_SAME,
    FEWER_WORDS,
    LEGAL_FORMS,
    ONE_WORD,
    SAME,
    SHARED_ACRONYM,
    NameMatch,
    compact,
    compare,
    is_short_form,
    long_acronym,
    specific,
)
from kbtui.kb.normalize import norm

BLOCK_CAP = 100  # entities sharing one key, beyond which the key pairs none
FUZZY_CAP = 400  # entity pairs one pair of alike names may bring


@dataclass(slots=True)
class Form:
    entity: int  # handle: index into Names.ids
    norm: str
    text: str  # as written
    primary: bool


@dataclass
class Names:
    """Every entity of one kind and its name forms (main name, aliases,
    official names; not identifiers, which are no names)."""

    kind: str
    ids: list[str] = field(default_factory=list)
    main: list[str] = field(default_factory=list)  # main name as written, per handle
    main_norm: list[str] = field(default_factory=list)  # its search form ("" if it has none)
    handle: dict[str, int] = field(default_factory=dict)
    forms: list[Form] = field(default_factory=list)
    holding: dict[str, int] = field(default_factory=dict)  # compact name -> entities holding it

    def others(self, a: str, b: str) -> int:
        """Entities other than a pair that hold either name (compact)."""
        if a == b:
            return max(0, self.holding.get(a, 2) - 2)
        return max(0, self.holding.get(a, 1) + self.holding.get(b, 1) - 2)


def load(conn: sqlite3.Connection, kind: str) -> Names:
    """The entities of `kind` and their name forms, from the search index
    (names: one row per distinct name form of an entity)."""
    out = Names(kind)
    cur = conn.cursor()
    cur.row_factory = None  # plain tuples: a readonly connection's Row objects cost 3x
    identifiers: set[tuple[str, str]] = set()
    for entity_id, value in cur.execute(
        "SELECT p.entity_id, p.value FROM properties p JOIN entities e ON e.id = p.entity_id"
        " WHERE p.property = 'identifier' AND e.kind = ?",
        (kind,),
    ):
        identifiers.add((entity_id, norm(value)))
    # in id order, so that a pair's handles are in the order of its ids
    for entity_id, name in cur.execute("SELECT id, name FROM entities WHERE kind = ? ORDER BY id", (kind,)):
        out.handle[entity_id] = len(out.ids)
        out.ids.append(entity_id)
        out.main.append(name)
        out.main_norm.append("")
    holders: dict[str, set[int]] = defaultdict(set)
    for entity_id, text, name_norm, primary in cur.execute(
        "SELECT n.entity_id, n.name, n.norm, n.is_primary FROM entities e JOIN names n ON n.entity_id = e.id"
        " WHERE e.kind = ?",
        (kind,),
    ):
        if not primary and (entity_id, name_norm) in identifiers:
            continue
        h = out.handle[entity_id]
        out.forms.append(Form(h, name_norm, text, bool(primary)))
        if primary:
            out.main_norm[h] = name_norm
        holders[compact(name_norm)].add(h)
    out.holding = {c: len(hs) for c, hs in holders.items()}
    return out


Key = tuple[int, int]


class Gate(Protocol):
    """Which pairs can still reach the threshold (kbtui.kb.dedupe_score.Threshold)."""

    special: set[int]  # entities with facts that can lift a pair a lot (a birth date, an identifier)

    def names(self, weight: float, others: int) -> bool:
        """Whether names of this weight, held by `others` more entities,
        can reach the threshold with no organisation, event… in common."""
        ...

    def pair(self, x: int, y: int, weight: float, others: int) -> bool:
        """Whether this pair can reach the threshold."""
        ...


class Found:
    """Candidate pairs (handles, lower first) with the most specific name
    match seen for each and how many other entities hold the names matched.
    With a gate, a pair that cannot reach the threshold is not kept."""

    def __init__(self, gate: Gate | None = None) -> None:
        self.pairs: dict[Key, tuple[NameMatch, int]] = {}
        self.gate = gate

    def add(self, x: int, y: int, match: NameMatch, others: int) -> None:
        if x == y:
            return
        key = (x, y) if x < y else (y, x)
        have = self.pairs.get(key)
        # the most specific relation wins: an alias only these two hold
        # over a main name that five hold
        if have is not None and specific(match.weight, others) <= specific(have[0].weight, have[1]):
            return
        if have is None and self.gate is not None and not self.gate.pair(*key, match.weight, others):
            return
        self.pairs[key] = (match, others)

    def worth_pairing(self, best: float, others: int, forms: list[Form]) -> list[Form]:
        """Of a block's `forms`, those worth pairing: all, unless names of
        the block's best weight cannot reach the threshold on their own;
        then only those of entities with a birth date or an identifier.
        (Pairs with an organisation, event… in common and a word beginning
        in common come from the evidence blocks, kbtui.kb.dedupe_context;
        for blocks whose names may share none, initials and acronyms, each
        pair is gated instead.)"""
        if self.gate is None or self.gate.names(best, others):
            return forms
        return [f for f in forms if f.entity in self.gate.special]

    def __len__(self) -> int:
        return len(self.pairs)


def by_name(names: Names, found: Found) -> None:
    """Every name block of exact keys, in turn (near spellings:
    kbtui.kb.dedupe_spelling)."""
    same_name(names, found)
    same_words(names, found)
    if names.kind == "person":
        initials(names, found)
    else:
        acronyms(names, found)
    fewer_words(names, found)


def _groups(forms: Iterable[Form], key: Callable[[Form], str]) -> dict[str, list[Form]]:
    out: dict[str, list[Form]] = defaultdict(list)
    for f in forms:
        out[key(f)].append(f)
    return out


def one_form_each(forms: list[Form]) -> dict[int, Form]:
    """One form per entity: the main name, else the shortest ("FSB"
    before "F.S.B.")."""
    out: dict[int, Form] = {}
    for f in sorted(forms, key=lambda f: (not f.primary, len(f.text), f.text)):
        out.setdefault(f.entity, f)
    return out


def same_name(names: Names, found: Found) -> None:
    """Entities holding the same compact name: "F.S.B." = "FSB",
    "Chen Wen Qing" = "Chen Wenqing", "Jérôme" = "Jerome"."""
    explained = _own_acronyms(names)
    for forms in _groups(names.forms, lambda f: compact(f.norm)).values():
        held = one_form_each(forms)
        if not 2 <= len(held) <= BLOCK_CAP:
            continue
        others = len(held) - 2
        items = found.worth_pairing(SAME, others, list(held.values()))
        for i, fa in enumerate(items):
            for fb in items[i + 1 :]:
                found.add(fa.entity, fb.entity, _same(names, fa, fb, explained), others)


def _own_acronyms(names: Names) -> set[tuple[int, str]]:
    """(entity, acronym) for every long name of an entity: an abbreviation
    alias its own name spells out."""
    return {(f.entity, a) for f in names.forms if (a := long_acronym(f.norm))}


def _same(names: Names, fa: Form, fb: Form, explained: set[tuple[int, str]]) -> NameMatch:
    """The same name, and which: a person's one word (a surname alias) is
    weak, and so is an acronym each entity's own, different, long name
    spells ("ASB": Administration of Sport of Baku, … of Baghdad)."""
    if names.kind == "person" and " " not in fa.norm:
        return NameMatch(ONE_WORD, f"same one-word name: {fa.text}")
    c = compact(fa.norm)
    if is_short_form(fa.norm) and (fa.entity, c) in explained and (fb.entity, c) in explained:
        return NameMatch(SHARED_ACRONYM, f"same acronym {c.upper()} of different names")
    if fa.primary and fb.primary:
        return NameMatch(SAME, "same name")
    alias = fb if fa.primary else fa
    if not (fa.primary or fb.primary):
        return NameMatch(SAME, f"same alias: {alias.text}")
    return NameMatch(SAME, f"same name: {alias.text} (an alias of {names.main[alias.entity]})")


def same_words(names: Names, found: Found) -> None:
    """The same words in another order: "Wenqing Chen" / "Chen Wenqing"."""
    multi = (f for f in names.forms if " " in f.norm)
    for forms in _groups(multi, lambda f: " ".join(sorted(f.norm.split()))).values():
        held = one_form_each(forms)
        if 2 <= len(held) <= BLOCK_CAP:
            items = found.worth_pairing(BEST_NOT_SAME, len(held) - 2, list(held.values()))
            pair_compared(names, found, items, items, len(held) - 2)


def pair_compared(names: Names, found: Found, left: list[Form], right: list[Form], others: int) -> None:
    """Pairs of distinct entities from `left` x `right` whose forms are
    spelt differently, each with the relation of its two forms (none: not
    paired). Pairs that cannot reach the threshold are not compared."""
    gate = found.gate
    for fa in left:
        for fb in right:
            if fa.entity == fb.entity or (left is right and fb.entity <= fa.entity) or fa.norm == fb.norm:
                continue
            x, y = (fa, fb) if fa.entity < fb.entity else (fb, fa)  # a reason names a's form first
            if gate is not None and not gate.pair(x.entity, y.entity, BEST_NOT_SAME, others):
                continue
            match = compare(x.norm, y.norm, names.kind)
            if match is not None and match.weight > 0:
                found.add(x.entity, y.entity, match, others)


def initials(names: Names, found: Found) -> None:
    """ "N. Patrushev" against every full name of the form N… Patrushev."""
    short: dict[str, list[Form]] = defaultdict(list)
    full: dict[str, list[Form]] = defaultdict(list)
    for f in names.forms:
        words = f.norm.split()
        if len(words) < 2 or len(words[-1]) < 2:
            continue
        key = f"{words[0][0]} {words[-1]}"
        (short if len(words[0]) == 1 else full)[key].append(f)
    for key, forms in short.items():
        fulls = list(one_form_each(full.get(key, [])).values())
        if fulls and len(fulls) <= BLOCK_CAP:
            # gated pair by pair, not as a block: an initial shares no word
            # beginning with the name it stands for, so the evidence blocks
            # may not have paired them
            pair_compared(names, found, forms, fulls, len(fulls) - 1)


def acronyms(names: Names, found: Found) -> None:
    """An organisation known by an acronym against those whose names'
    initials spell it ("MSS" / "Ministry of State Security"). A short form
    an entity's own long name explains (its abbreviation alias) is not
    its only name, and pairs with nobody by acronym."""
    long_by: dict[str, list[Form]] = defaultdict(list)
    explained: set[tuple[int, str]] = set()
    for f in names.forms:
        a = long_acronym(f.norm)
        if a:
            long_by[a].append(f)
            explained.add((f.entity, a))
    for f in names.forms:
        c = compact(f.norm)
        if not is_short_form(f.norm) or (f.entity, c) in explained:
            continue
        fulls = list(one_form_each(long_by.get(c, [])).values())
        if fulls and len(fulls) <= BLOCK_CAP:
            pair_compared(names, found, [f], fulls, len(fulls) - 1)  # gated pair by pair, as initials


def fewer_words(names: Names, found: Found) -> None:
    """A name without some of its words: a person's middle name or
    patronymic (the same first and last word), an organisation's legal
    form (the same words but for LLC, Group…)."""
    groups: dict[str, list[Form]] = defaultdict(list)
    for f in names.forms:
        words = f.norm.split()
        if names.kind == "person":
            if len(words) >= 2 and len(words[0]) > 1:
                groups[f"{words[0]} {words[-1]}"].append(f)
        else:
            stem = [w for w in words if w not in LEGAL_FORMS]
            if len(stem) >= 2 and len(stem) < len(words):
                groups[" ".join(stem)].append(f)
            elif len(words) >= 2 and stem == words:
                groups[" ".join(words)].append(f)
    for forms in groups.values():
        held = one_form_each(forms)
        if 2 <= len(held) <= BLOCK_CAP:
            items = found.worth_pairing(FEWER_WORDS, len(held) - 2, forms)
            pair_compared(names, found, items, items, len(held) - 2)
