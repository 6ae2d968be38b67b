"""Names a source writes that the KB does not know yet: what curate mode
suggests turning into entities.

A name here is a run of capitalised words, with the small words names
hold inside them ("Ministry of State Security", "Central Political and
Legal Affairs Commission"), cut off any title before it ("President Xi
Jinping" suggests "Xi Jinping"). A run is dropped when it overlaps a name
the KB already marks in the text, when its normalised form is a name or
alias in the KB (another spelling the mentions did not catch), when it is
one common word that only opens a sentence ("The", "But") or that the
text also writes in lower case ("Security" in "state security"), or when
it is a month, a weekday or a nationality word.

Reading is linear in the text and looks up each distinct name once, so a
long source costs little; at most MAX_SUGGESTIONS spans are returned.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

from kbtui.kb.normalize import compact, norm

MAX_SUGGESTIONS = 2_000
MAX_WORDS = 10


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# a capitalised word: an upper-case letter, then letters, digits, marks,
# apostrophes or hyphens ("O'Brien", "Al-Assad", "McCain", "FSB")
_WORD = re.compile(r"[^\W\d_](?:[\w'’-]*\w)?")
# small words a name may hold between capitalised ones
JOINERS = frozenset({"of", "the", "and", "for", "on", "de", "del", "da", "di", "von", "van", "der", "bin", "al", "la"})
# words that open a name's run without being part of the name
TITLES = _words(
    """mr mrs ms dr prof president premier minister secretary general chairman chairwoman director deputy vice
    prime chief senator governor ambassador mayor king queen prince princess pope sir lord lady colonel
    lieutenant major captain admiral marshal comrade representative spokesman spokeswoman commissioner the"""
)
# single capitalised words that are not names
COMMON = _words(
    """a an and as at but by for from he her his however i if in it its meanwhile moreover my no not of on or our
    she since so that the their then there these they this those though to under we what when where which while
    who why with yet you after before during also although both each every many most other some such
    monday tuesday wednesday thursday friday saturday sunday january february march april may june july august
    september october november december jan feb mar apr jun jul aug sep sept oct nov dec
    according earlier later last next top west east north south sino
    yesterday today tomorrow tonight now still instead separately here there
    russian chinese american british french german ukrainian iranian european soviet western eastern northern
    southern english arabic israeli syrian turkish indian japanese korean african asian"""
)


# words that end a run naming a job, not someone ("National Security Writer")
JOBS = _words("editor writer reporter correspondent columnist contributor staff")


@dataclass(frozen=True, slots=True)
class Suggestion:
    start: int
    end: int
    name: str


def suggestions(
    conn: sqlite3.Connection, text: str, known: Iterable[tuple[int, int]] = (), limit: int = MAX_SUGGESTIONS
) -> list[Suggestion]:
    """The spans of `text` that look like names the KB does not have, in
    text order. `known` are the spans already marked as known names."""
    taken = sorted(known)
    runs = list(_runs(text))
    lower_words = _lower_words(text)
    inside = {text[a:b].casefold() for a, b, opens in runs if not opens}
    out: list[Suggestion] = []
    verdicts: dict[str, bool] = {}
    at = 0  # index into taken: both lists are in text order
    for start, end, opens in runs:
        name = text[start:end]
        while at < len(taken) and taken[at][1] <= start:
            at += 1
        if at < len(taken) and taken[at][0] < end:
            continue  # overlaps a name the KB knows
        if not _plausible(name, opens, lower_words, inside):
            continue
        if name not in verdicts:
            verdicts[name] = not _known(conn, name)
        if verdicts[name]:
            out.append(Suggestion(start, end, name))
            if len(out) >= limit:
                break
    return out


def _plausible(name: str, opens: bool, lower_words: set[str], inside: set[str]) -> bool:
    words = [w for w in name.split() if w not in JOINERS]
    if all(_common(w) for w in words):
        return False  # "Russian and Chinese", "In March"
    if len(words) > 2 and all(w.isupper() for w in words):
        return False  # a headline in capitals
    if words[-1].casefold() in JOBS:
        return False
    if len(words) == 1:
        folded = name.casefold()
        if opens and folded not in inside:
            return False  # one word opening a sentence, never capitalised elsewhere: "Indeed"
        if folded in lower_words and not name.isupper():
            return False  # "Security" where the text also says "security"
    return True


def _common(word: str) -> bool:
    """A common word, a month, a nationality: "Russians", "Sino-Russian",
    "Western-backed" (a common word and lower-case ones)."""
    first, *rest = word.replace("’", "'").split("-")

    def common(part: str) -> bool:
        part = part.casefold()
        return part in COMMON or part.removesuffix("s") in COMMON or not part[:1].isalpha()

    return common(first) and all(common(p) or p[:1].islower() for p in rest)


def _runs(text: str) -> Iterable[tuple[int, int, bool]]:
    """(start, end, opens a sentence) of every run of capitalised words,
    titles cut off the front and joiners off the end."""
    words = [(m.start(), m.end()) for m in _WORD.finditer(text)]
    i = 0
    while i < len(words):
        a, b = words[i]
        if not text[a].isupper():
            i += 1
            continue
        run = [(a, b)]
        j = i + 1
        while j < len(words) and len(run) < MAX_WORDS * 2:
            prev_end = run[-1][1]
            x, y = words[j]
            gap = text[prev_end:x]
            if gap not in (" ", "\u00a0"):
                break  # punctuation or a line break ends a name
            if text[x:y] == "the" and text[run[-1][0] : run[-1][1]] == "and":
                run.pop()  # "the Bank of Sweden and the Ministry": two names
                break
            if text[x].isupper() or text[x:y] in JOINERS:
                run.append((x, y))
                j += 1
            else:
                break
        i = j
        # joiners at the end are not part of the name ("Ministry of")
        while run and text[run[-1][0] : run[-1][1]] in JOINERS:
            run.pop()
        # titles at the front go ("President Xi Jinping"), unless the whole
        # run is titles ("Prime Minister" is what the text names)
        first = 0
        while first < len(run) - 1 and _bare(text[run[first][0] : run[first][1]]) in TITLES | COMMON:
            first += 1
        run = run[first:]
        # nor a weekday or month after it ("Geneva on Tuesday"), nor the joiners before that
        while len(run) > 1 and (
            text[run[-1][0] : run[-1][1]] in JOINERS or _bare(text[run[-1][0] : run[-1][1]]) in COMMON
        ):
            run.pop()
        if not run or len(run) > MAX_WORDS:
            continue
        start, end = run[0][0], _trim(text, run[-1][0], run[-1][1])
        if end - start < 2:
            continue
        yield start, end, _opens_sentence(text, run[0][0]) and first == 0


def _bare(word: str) -> str:
    return word.rstrip(".").casefold()


def _trim(text: str, start: int, end: int) -> int:
    """The end of a word without a possessive or a trailing hyphen."""
    word = text[start:end]
    for tail in ("'s", "’s", "'", "’", "-"):
        if word.endswith(tail) and len(word) > len(tail):
            return end - len(tail)
    return end


def _opens_sentence(text: str, at: int) -> bool:
    before = text[max(0, at - 3) : at].rstrip(" \"'“‘(")
    return not before or before[-1] in ".!?\n:"


def _lower_words(text: str) -> set[str]:
    return {m.group().casefold() for m in _WORD.finditer(text) if m.group()[0].islower()}


def _known(conn: sqlite3.Connection, name: str) -> bool:
    """The name, normalised, is a name or alias of an entity in the KB."""
    key = compact(norm(name))
    if not key:
        return True
    return conn.execute("SELECT 1 FROM names WHERE compact = ? LIMIT 1", (key,)).fetchone() is not None
