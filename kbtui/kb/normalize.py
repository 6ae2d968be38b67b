"""Text normalisation: one form for search, one for anchoring quotes.

Search folds aggressively (case, accents, scripts, punctuation, spacing) so
"F.S.B." finds "FSB" and "chen wen qing" finds "Chen Wenqing". Anchoring
folds only typography (quotes, dashes, whitespace), keeping a map back to
the original offsets, because citations must point at the verbatim text.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Sequence
from typing import overload

_MARKS = re.compile(r"[\u0300-\u036f]")  # combining diacritical marks
_JOINERS = re.compile(r"[-‐‑‒–—―/&_+]")
_NOT_WORD = re.compile(r"[^a-z0-9 ]+")
_SPACES = re.compile(r"\s+")


def norm(text: str) -> str:
    """Search form: ascii, casefolded, punctuation gone, single spaces."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
        # Latin letters with accents ("Jérôme Bäcker") lose them as anyascii
        # would drop them; only other text needs anyascii, imported lazily:
        # it loads its tables through importlib.resources, ~12 ms a one-shot
        # search need not pay
        plain = _MARKS.sub("", unicodedata.normalize("NFKD", text))
        if plain.isascii():
            text = plain
        else:
            from anyascii import anyascii

            text = anyascii(text)
    text = text.casefold()
    # tabs and line breaks separate words as spaces do ("Nikolai\tPatrushev")
    text = _JOINERS.sub(" ", _SPACES.sub(" ", text))
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


_TYPO_TABLE = str.maketrans(_TYPO_MAP)
_SPACE_RUN = re.compile(r"\s+")


class OffsetMap(Sequence[int]):
    """For each folded character, the offset of the original character it
    came from, plus one trailing entry for the end (as a list would hold),
    computed from the few places where folding shortened the text. A list
    of 10 million ints for a 10 MB source took ~400 MB; this takes bytes."""

    def __init__(self, folded_len: int, breaks: list[tuple[int, int]]) -> None:
        self._len = folded_len + 1
        self._folded = [f for f, _ in breaks]
        self._original = [o for _, o in breaks]

    def __len__(self) -> int:
        return self._len

    @overload
    def __getitem__(self, index: int) -> int: ...
    @overload
    def __getitem__(self, index: slice) -> list[int]: ...
    def __getitem__(self, index: int | slice) -> int | list[int]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._len))]
        if index < 0:
            index += self._len
        if not 0 <= index < self._len:
            raise IndexError(index)
        k = bisect_right(self._folded, index) - 1
        return self._original[k] + (index - self._folded[k])


def typographic_fold(text: str) -> tuple[str, OffsetMap]:
    """Fold quotes, dashes and whitespace runs. Returns the folded text and,
    for each folded character, the offset of the original character it came
    from (plus one trailing entry for the end), so spans map back exactly."""
    translated = text.translate(_TYPO_TABLE)  # one character for one: offsets unchanged
    pieces: list[str] = []
    breaks = [(0, 0)]
    pos = folded = 0
    for m in _SPACE_RUN.finditer(translated):
        start, end = m.span()
        if end - start == 1 and translated[start] == " ":
            continue  # a lone space folds to itself
        pieces.append(translated[pos:start])
        pieces.append(" ")
        folded += start - pos + 1
        pos = end
        if end - start > 1:
            breaks.append((folded, end))  # the run became one space: offsets shift here
    pieces.append(translated[pos:])
    folded += len(translated) - pos
    return "".join(pieces), OffsetMap(folded, breaks)


def fold(text: str) -> str:
    """typographic_fold without the offset map, for quotes and affixes."""
    return typographic_fold(text)[0]
