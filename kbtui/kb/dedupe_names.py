"""How two name forms relate, for duplicate candidates (kbtui.kb.dedupe).

Each relation carries a weight (log-odds that the two names mean the
same entity, before any other evidence) and a short reason in words.
The weights are ordered by how rarely the relation joins two different
entities: the same name spelt alike, the same words in another order,
one or two edits (a transliteration, a typo), the same name without a
middle name or a legal form, an initial for a first name, an acronym.
How common the name is comes off later (kbtui.kb.dedupe_score), since a
name shared by sixteen people says little about any two of them.

Names come in their search form (kbtui.kb.normalize.norm: ascii,
casefolded, no punctuation), so accents, case and "F.S.B." / "FSB" are
already alike; `compact` drops the spaces ("chen wen qing" =
"chenwenqing").
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from kbtui.kb.titles import acronym
from kbtui.kb.words import STOP_WORDS

SAME = 3.0
REORDERED = 2.6
SHUFFLED = 1.0  # the same words in an order no naming custom gives
ONE_EDIT = 2.0
TWO_EDITS = 1.3
LONG_NAME = 0.06  # added to an edit's weight per letter beyond ten…
LONG_NAME_CAP = 12  # …for up to twelve letters
FEWER_WORDS = 1.6  # a middle name or a legal form left out
FEWER_OTHER = 0.8  # another word left out of an organisation's name
ONE_WORD = 0.6  # a surname alone, a company's first word alone
LEGAL_DIFFER = 0.6  # "Abramov Aviation LLC" / "Abramov Aviation JSC"
INITIALS = 1.5
ACRONYM = 1.6
SHARED_ACRONYM = 0.3  # one acronym of two different long names
SIMILAR = 1.0  # every word alike, more edits than a whole-name typo
NUMBERS_DIFFER = -3.0  # "Court No. 8" / "Court No. 88": two courts
BEST_NOT_SAME = max(REORDERED, ONE_EDIT + LONG_NAME * LONG_NAME_CAP)  # the most a relation but SAME weighs

# Words that say what kind of company it is, not which one: a name with
# and without one is the same company more often than not.
LEGAL_FORMS = frozenset(
    {
        *("llc", "ltd", "co", "inc", "corp", "corporation", "company", "plc", "limited"),
        *("jsc", "pjsc", "ojsc", "cjsc", "oao", "ooo", "zao", "pao", "ao"),
        *("gmbh", "ag", "sa", "sas", "srl", "bv", "nv", "holding", "holdings", "group"),
    }
)
CAPITALS = frozenset({"llc", "jsc", "pjsc", "ojsc", "cjsc", "oao", "ooo", "zao", "pao", "plc"})  # as written
SHORT_FORM = 8  # letters of an acronym, at most
_DIGITS = re.compile(r"\d+")


COMMON = 0.6  # taken off a relation's weight per unit of ln(1 + other entities holding the names)


@dataclass(frozen=True)
class NameMatch:
    weight: float
    reason: str


def specific(weight: float, others: int) -> float:
    """A relation's weight less how common the names are: "same name"
    says less when three more entities hold it."""
    return weight - COMMON * math.log1p(others)


def compact(norm: str) -> str:
    return norm.replace(" ", "")


def edit_budget(length: int) -> int:
    """Edits two compact names of this length (the shorter) may differ by
    and still be a candidate. Stricter than search's typo budget at 8-9
    letters: "wangwei" / "wangfei" are two people more often than one."""
    if length < 5:
        return 0
    return 1 if length < 10 else 2


def shown(norm: str) -> str:
    """A search form as a reason shows it: "patrushev" -> "Patrushev",
    "ministry of state security" -> "Ministry of State Security"."""
    return " ".join(
        w.upper() if w in CAPITALS else w if i and w in STOP_WORDS else w[:1].upper() + w[1:]
        for i, w in enumerate(norm.split())
    )


def is_short_form(norm: str) -> bool:
    """An acronym's shape: one word ("fsb"), or single letters ("f s b"
    from "F.S.B."), of 2 to SHORT_FORM letters, no digits."""
    words = norm.split()
    c = "".join(words)
    if not 2 <= len(c) <= SHORT_FORM or not c.isalpha():
        return False
    return len(words) == 1 or all(len(w) == 1 for w in words)


@lru_cache(maxsize=100_000)
def long_acronym(norm: str) -> str:
    """The acronym of a name of two content words or more, else ""."""
    # numbers are left out: "Court No. 12" is the C.N. of its city
    content = [w for w in norm.split() if w not in STOP_WORDS and not w.isdigit()]
    if len(content) < 2 or any(len(w) == 1 for w in content):
        return ""
    got = acronym(" ".join(content))
    return got if 2 <= len(got) <= SHORT_FORM else ""


@lru_cache(maxsize=200_000)
def compare(a: str, b: str, kind: str) -> NameMatch | None:
    """How name `a` relates to name `b` (search forms), or None when they
    are not alike enough to pair. Cached: common names meet many times."""
    ca, cb = compact(a), compact(b)
    if ca == cb:
        return NameMatch(SAME, "same name")
    if is_short_form(a) or is_short_form(b):
        # "SCITU" / "SCITG": one letter apart is another organisation
        return _acronym(a, b)
    if _DIGITS.findall(a) != _DIGITS.findall(b):
        return NameMatch(NUMBERS_DIFFER, f"numbers differ: {shown(a)} / {shown(b)}")
    wa, wb = a.split(), b.split()
    if sorted(wa) == sorted(wb):
        # family name first or last ("Chen Wenqing", "Sidorov Ivan
        # Petrovich") turns the words round; "Ali bin Omar" / "Omar bin
        # Ali" are father and son
        turned = any(wb == wa[i:] + wa[:i] for i in range(1, len(wa)))
        return NameMatch(REORDERED if turned else SHUFFLED, f"same words, other order: {shown(a)} / {shown(b)}")
    return _fewer_words(wa, wb, kind) or _initials(wa, wb) or _edits(a, b) or _word_by_word(wa, wb)


def _fewer_words(wa: list[str], wb: list[str], kind: str) -> NameMatch | None:
    """One name is the other without some words: a middle name or
    patronymic, a legal form ("Abramov Aviation" / "… Group")."""
    sa, sb = set(wa), set(wb)
    if sa == sb:
        return None
    if kind == "organisation" and sa - LEGAL_FORMS == sb - LEGAL_FORMS and sa & LEGAL_FORMS and sb & LEGAL_FORMS:
        la, lb = sorted(sa & LEGAL_FORMS), sorted(sb & LEGAL_FORMS)
        return NameMatch(LEGAL_DIFFER, f"same name but {' '.join(la).upper()} / {' '.join(lb).upper()}")
    small, big = (sa, sb) if len(sa) < len(sb) else (sb, sa)
    if not small < big:
        return None
    extra = " ".join(w for w in (wa if len(wa) > len(wb) else wb) if w not in small)
    if len(small - STOP_WORDS) < 2:
        # "Patrushev" alone: fair for a person's alias, weak for a company
        if kind == "person" and len(next(iter(small))) >= 4:
            return NameMatch(ONE_WORD, f"one word of the other: {shown(' '.join(small))}")
        return None
    if kind == "person" or set(extra.split()) <= LEGAL_FORMS | STOP_WORDS:
        return NameMatch(FEWER_WORDS, f"same name without {shown(extra)}")
    return NameMatch(FEWER_OTHER, f"same name without {shown(extra)}")


def _initials(wa: list[str], wb: list[str]) -> NameMatch | None:
    """ "N. Patrushev" / "Nikolai Patrushev": the same last word, and each
    other word of one an initial of the other's, in order."""
    for short, full in ((wa, wb), (wb, wa)):
        if len(short) < 2 or len(short) > len(full) or short[-1] != full[-1]:
            continue
        heads = short[:-1]
        if not all(len(w) == 1 for w in heads) or all(len(w) == 1 for w in full[:-1]):
            continue
        rest = iter(full[:-1])  # each initial takes the next full word starting with it
        if all(any(w.startswith(h) for w in rest) for h in heads):
            return NameMatch(INITIALS, f"initial: {_initialled(short)} / {shown(' '.join(full))}")
    return None


def _initialled(words: list[str]) -> str:
    return " ".join(w.upper() + "." if len(w) == 1 else shown(w) for w in words)


def _acronym(a: str, b: str) -> NameMatch | None:
    for short, long_ in ((a, b), (b, a)):
        if is_short_form(short) and long_acronym(long_) == compact(short):
            return NameMatch(ACRONYM, f"acronym: {compact(short).upper()} = {shown(long_)}")
    return None


def _edits(a: str, b: str) -> NameMatch | None:
    """Whole names one or two edits apart (a swap of two letters is one),
    the words in the same or another order, and no word further from its
    counterpart than a word's own typo budget ("Muhin" / "Kuzin", two
    edits in five letters, is another surname)."""
    from rapidfuzz.distance import OSA  # here, not at the top: see kbtui.kb.search._rank

    ca, cb = compact(a), compact(b)
    budget = edit_budget(min(len(ca), len(cb)))
    if not budget:
        return None
    wa, wb = a.split(), b.split()
    d = OSA.distance(ca, cb, score_cutoff=budget)
    turned = ""
    if d > budget:
        wa, wb = sorted(wa), sorted(wb)
        d = OSA.distance("".join(wa), "".join(wb), score_cutoff=budget)
        turned = ", other order"
        if d > budget:
            return None
    if len(wa) == len(wb) and any(
        OSA.distance(x, y) > word_budget(min(len(x), len(y))) for x, y in zip(wa, wb, strict=True)
    ):
        return None
    # one edit in a long name is a variant more often than another name
    longer = LONG_NAME * min(LONG_NAME_CAP, max(0, min(len(ca), len(cb)) - 10))
    weight = (ONE_EDIT if d == 1 else TWO_EDITS) + longer - (0.3 if turned else 0.0)
    return NameMatch(weight, f"names {d} edit{'s' if d > 1 else ''} apart{turned}: {_difference(a, b)}")


def middle_names_differ(a: str, b: str) -> str:
    """A reason when two people's names agree on the first and last word
    but not on the middle ones ("Petr Evgen'evich Rybakov" / "Petr
    Stanislavovich Rybakov": two patronymics, two people), else ""."""
    wa, wb = a.split(), b.split()
    if len(wa) != len(wb) or len(wa) < 3 or wa[0][0] != wb[0][0] or wa[-1] != wb[-1]:
        return ""
    from rapidfuzz.distance import OSA

    for x, y in zip(wa[1:-1], wb[1:-1], strict=True):
        if len(x) == 1 or len(y) == 1:
            if x[0] != y[0]:
                return f"middle names differ: {shown(x)} / {shown(y)}"
        elif OSA.distance(x, y) > word_budget(min(len(x), len(y))):
            return f"middle names differ: {shown(x)} / {shown(y)}"
    return ""


def word_budget(length: int) -> int:
    """Edits one word of this many letters may differ by (as search allows)."""
    return 0 if length < 4 else 1 if length < 7 else 2


def _difference(a: str, b: str) -> str:
    """The words that differ ("Patrushev/Patrushew"), or the whole names
    when more than one word does or the spacing differs."""
    wa, wb = a.split(), b.split()
    only_a = [w for w in wa if w not in wb]
    only_b = [w for w in wb if w not in wa]
    if len(wa) == len(wb) and len(only_a) == len(only_b) == 1:
        return f"{shown(only_a[0])}/{shown(only_b[0])}"
    return f"{shown(a)} / {shown(b)}"


def _word_by_word(wa: list[str], wb: list[str]) -> NameMatch | None:
    """Every word of the shorter name alike a distinct word of the longer
    (within a word's own typo budget, or as its initial), at least two of
    them whole words: "Aleksandr Bortnikov" / "Alexander Bortnikow"."""
    from rapidfuzz.distance import OSA

    short, full = (wa, wb) if len(wa) <= len(wb) else (wb, wa)
    if len(short) < 2:
        return None
    free = list(full)
    whole = 0
    for w in short:
        best = None
        for j, f in enumerate(free):
            if len(w) == 1 or len(f) == 1:
                ok = f.startswith(w) or w.startswith(f)
            else:
                budget = word_budget(min(len(w), len(f)))
                ok = OSA.distance(w, f, score_cutoff=budget) <= budget
            if ok:
                best = j
                break
        if best is None:
            return None
        whole += len(w) > 1 and len(free[best]) > 1
        free.pop(best)
    if whole < 2:
        return None
    return NameMatch(SIMILAR, f"similar names: {shown(' '.join(wa))} / {shown(' '.join(wb))}")
