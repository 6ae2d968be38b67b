"""Finding a citation again in a new version of its source's text.

A quote found word for word (or after folding typography) in the new text,
among surroundings that read as before, keeps its words: 'exact' (or
'normalised'). Found several times, the occurrence whose surroundings match
the old ones is taken, if one clearly does; the citation then carries that
context so an import picks the same one. The same words among other
surroundings are 'moved': another passage may say them. Not found word
for word, the passage most like the quote is looked for (an inserted word,
a corrected spelling): if one passage is clearly the closest and close
enough, the citation moves there and takes its words, marked 'moved' for a
human to confirm. Otherwise it is 'orphaned': it stays
in the version it was made in, where its highlight can still be seen.
Nothing is ever silently re-pointed to a different passage: a doubt (two
passages alike, a weak match) orphans.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz

from kbtui.kb.anchor import CONTEXT_CHARS, AnchorError, anchor
from kbtui.kb.normalize import fold, typographic_fold

# how alike (0-100, rapidfuzz ratio of the folded texts) a passage must be
# to the quote to be moved to; below it, the citation is orphaned
MOVED_MIN = 85.0
# a second passage within this many points of the best makes it ambiguous
AMBIGUOUS_MARGIN = 4.0
# how alike the surroundings of one occurrence must be, and by how much
# more than the next one's, to pick it among several
CONTEXT_MIN, CONTEXT_MARGIN = 60.0, 15.0
# how alike the surroundings must be for the same words to count as the
# same passage ('exact'); less, and they are 'moved' for a human to confirm
# (a deleted passage whose words also stand elsewhere, another speaker's
# identical sentence)
EXACT_CONTEXT = 80.0


@dataclass(frozen=True)
class Found:
    state: str  # 'exact' | 'normalised' | 'moved' | 'orphaned'
    start: int = -1  # in the new text (orphaned: -1)
    end: int = -1
    quote: str = ""  # the new text's words there
    prefix: str = ""  # context to pick this occurrence, when the quote alone is ambiguous
    suffix: str = ""
    score: float = 0.0


def reanchor(old_text: str, new_text: str, start: int, end: int, prefix: str = "", suffix: str = "") -> Found:
    """Where the quote at old_text[start:end] is in new_text. `prefix` and
    `suffix` are what the citation already gives to pick its occurrence."""
    quote = old_text[start:end]
    before = old_text[max(0, start - CONTEXT_CHARS) : start]
    after = old_text[end : end + CONTEXT_CHARS]
    try:
        a = anchor(new_text, quote, prefix, suffix)
    except AnchorError:
        pass
    else:
        # the same words, but are they the same passage? Around them the
        # text should read as it did; elsewhere, a human says (moved)
        score = _context_score(new_text, a.start, a.end, before, after)
        state = a.method if score >= EXACT_CONTEXT else "moved"
        return Found(state, a.start, a.end, new_text[a.start : a.end], prefix, suffix, score)
    spans = _occurrences(new_text, quote)
    if spans:
        # the citation's own prefix or suffix no longer picks one: whatever
        # is picked now is someone else's doing, for a human to confirm
        return _pick(new_text, spans, before, after, bool(prefix or suffix))
    return _closest(new_text, quote, before, after)


def _occurrences(text: str, quote: str) -> list[tuple[int, int]]:
    """Every span of `text` that is `quote`, word for word or folded."""
    out, at = [], text.find(quote)
    while at != -1:
        out.append((at, at + len(quote)))
        at = text.find(quote, at + 1)
    if out:
        return out
    folded, where = typographic_fold(text)
    fq = fold(quote).strip()
    if not fq:
        return []
    at = folded.find(fq)
    while at != -1:
        out.append((where[at], where[at + len(fq) - 1] + 1))
        at = folded.find(fq, at + 1)
    return out


def _context_score(text: str, start: int, end: int, before: str, after: str) -> float:
    """How alike an occurrence's surroundings are to the old ones (0-100),
    compared over the same lengths (near the ends of a text the old context
    is short)."""
    old = fold(before) + "|" + fold(after)
    here = fold(text[max(0, start - len(before)) : start]) + "|" + fold(text[end : end + len(after)])
    return fuzz.ratio(old, here) if before or after else 0.0


def _pick(text: str, spans: list[tuple[int, int]], before: str, after: str, had_context: bool = False) -> Found:
    """One of several occurrences, by its surroundings, or orphaned."""
    scored = sorted(((_context_score(text, s, e, before, after), s, e) for s, e in spans), reverse=True)
    best, s, e = scored[0]
    runner_up = scored[1][0] if len(scored) > 1 else 0.0
    if best < CONTEXT_MIN or best - runner_up < CONTEXT_MARGIN:
        return Found("orphaned", score=best)
    # picked by its surroundings: exact only if they read as before
    state = "exact" if best >= EXACT_CONTEXT and not had_context else "moved"
    found = Found(state, s, e, text[s:e], text[max(0, s - CONTEXT_CHARS) : s], text[e : e + CONTEXT_CHARS], best)
    # the context must pick it on import, as anchor() reads it
    try:
        a = anchor(text, found.quote, found.prefix, found.suffix)
    except AnchorError:
        return Found("orphaned", score=best)
    return found if (a.start, a.end) == (s, e) else Found("orphaned", score=best)


def _closest(text: str, quote: str, before: str, after: str) -> Found:
    """The passage most like `quote`, if it is close and the only one."""
    folded, where = typographic_fold(text)
    fq = fold(quote).strip()
    if not fq or not folded:
        return Found("orphaned")
    hit = fuzz.partial_ratio_alignment(fq, folded)
    if hit is None or hit.score < MOVED_MIN:
        return Found("orphaned", score=hit.score if hit else 0.0)
    fs, fe, score = _fit(fq, folded, hit.dest_start, hit.dest_end)
    if score < MOVED_MIN:
        return Found("orphaned", score=score)
    # a second passage as alike (outside this one) means we cannot tell
    masked = folded[:fs] + "\0" * (fe - fs) + folded[fe:]
    second = fuzz.partial_ratio_alignment(fq, masked)
    if second is not None and second.score >= hit.score - AMBIGUOUS_MARGIN:
        return Found("orphaned", score=score)
    start, end = _words(text, where[fs], where[fe - 1] + 1)
    words = text[start:end]
    # the new words must be found again, alone, by an import
    try:
        a = anchor(text, words)
    except AnchorError:
        prefix, suffix = text[max(0, start - CONTEXT_CHARS) : start], text[end : end + CONTEXT_CHARS]
        try:
            a = anchor(text, words, prefix, suffix)
        except AnchorError:
            return Found("orphaned", score=score)
        if (a.start, a.end) != (start, end):
            return Found("orphaned", score=score)
        return Found("moved", start, end, words, prefix, suffix, score)
    if (a.start, a.end) != (start, end):
        return Found("orphaned", score=score)
    return Found("moved", start, end, words, "", "", score)


def _fit(fq: str, folded: str, start: int, end: int) -> tuple[int, int, float]:
    """Widen or narrow the aligned window so its length fits the passage
    (a word inserted makes it longer than the quote): the end first, then
    the start, each to where the whole quote is most alike."""
    n = len(fq)
    slack = max(3, n // 4)
    best = (start, end, fuzz.ratio(fq, folded[start:end]))
    for e in range(max(start + 1, end - slack), min(len(folded), end + slack) + 1):
        score = fuzz.ratio(fq, folded[start:e])
        if score > best[2]:
            best = (start, e, score)
    s0, e0, _ = best
    for s in range(max(0, s0 - slack), min(e0 - 1, s0 + slack) + 1):
        score = fuzz.ratio(fq, folded[s:e0])
        if score > best[2]:
            best = (s, e0, score)
    return best


def _words(text: str, start: int, end: int) -> tuple[int, int]:
    """The span widened to whole words, without spaces at its ends."""
    while start > 0 and text[start - 1].isalnum() and text[start].isalnum():
        start -= 1
    while end < len(text) and text[end - 1].isalnum() and text[end].isalnum():
        end += 1
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
