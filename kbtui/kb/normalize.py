"""Text normalisation: one form for search, one for anchoring quotes.

Search folds aggressively (case, accents, scripts, punctuation, spacing) so
"F.S.B." finds "FSB" and "chen wen qing" finds "Chen Wenqing". Anchoring
folds only typography (quotes, dashes, whitespace), keeping a map back to
the original offsets, because citations must point at the verbatim text.
"""

from __future__ import annotations

import re
import unicodedata

_JOINERS = re.compile(r"[-‐‑‒–—―/&_+]")
_NOT_WORD = re.compile(r"[^a-z0-9 ]+")
_SPACES = re.compile(r"\s+")


def norm(text: str) -> str:
    """Search form: ascii, casefolded, punctuation gone, single spaces."""
    if not text.isascii():
        # imported lazily: anyascii loads its tables through importlib.resources,
        # ~12 ms that an ASCII query (the common case) need not pay
        from anyascii import anyascii

        text = anyascii(unicodedata.normalize("NFKC", text))
    text = text.casefold()
    text = _JOINERS.sub(" ", text)
    text = _NOT_WORD.sub("", text)
    return _SPACES.sub(" ", text).strip()


def compact(normed: str) -> str:
    """The search form without spaces: "chen wen qing" == "chenwenqing"."""
    return normed.replace(" ", "")


_TYPO_MAP = {
    **{c: "'" for c in "‘’‚‛′`´"},
    **{c: '"' for c in "“”„‟″«»"},
    **{c: "-" for c in "‐‑‒–—―−"},
}


def typographic_fold(text: str) -> tuple[str, list[int]]:
    """Fold quotes, dashes and whitespace runs. Returns the folded text and,
    for each folded character, the offset of the original character it came
    from (plus one trailing entry for the end), so spans map back exactly."""
    out: list[str] = []
    where: list[int] = []
    in_space = False
    for i, ch in enumerate(text):
        if ch.isspace():
            if not in_space:
                out.append(" ")
                where.append(i)
            in_space = True
            continue
        in_space = False
        out.append(_TYPO_MAP.get(ch, ch))
        where.append(i)
    where.append(len(text))
    return "".join(out), where


def fold(text: str) -> str:
    """typographic_fold without the offset map, for quotes and affixes."""
    return typographic_fold(text)[0]
