"""Make untrusted text safe to show in a terminal.

Source texts, names and queries can carry ANSI/OSC escapes, other control
characters and bidi overrides. Shown raw, they could recolour the screen,
set the window title, write to the clipboard or reorder what a reader sees.
`visible()` replaces each with a visible stand-in; newlines and tabs stay.
Rich markup is never interpreted because callers build `Text` objects from
plain strings, never markup strings.
"""

from __future__ import annotations

import re

# C0 and C1 controls except \t and \n, DEL, and the format characters that
# can reorder or hide text: bidi marks, embeddings, overrides and isolates
# (U+061C, U+200E-F, U+202A-E, U+2066-9), zero-width and invisible ones
# (U+180E, U+200B-D, U+2060-4, U+206A-F, U+FEFF), characters that render
# as nothing or as blank space and so can hide or fake a difference between
# two names (soft hyphen U+00AD, grapheme joiner U+034F, the Hangul fillers
# U+115F, U+1160, U+3164, U+FFA0, Khmer U+17B4-5, musical formatting
# U+1D173-A), line/paragraph separators
# that some terminals treat as newlines (U+2028-9), interlinear annotation
# (U+FFF9-B) and the invisible "tag" characters (U+E0000-E007F) used to hide
# text from readers.
UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e"
    "\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\u3164\ufeff\uffa0"
    "\ufff9-\ufffb\U0001d173-\U0001d17a\U000e0000-\U000e007f]"
)


def _stand_in(match: re.Match[str]) -> str:
    ch = match.group(0)
    code = ord(ch)
    if code < 0x20:
        return chr(0x2400 + code)  # ␛ for ESC, ␀ for NUL, …
    if code == 0x7F:
        return "␡"
    return f"<U+{code:04X}>"


def visible(text: str | None, max_len: int | None = None) -> str:
    if text is None:
        return ""
    text = UNSAFE.sub(_stand_in, text).replace("\r", "␍")
    if max_len is not None and len(text) > max_len:
        text = text[: max_len - 1] + "…"
    return text


def one_line(text: str | None, max_len: int | None = None) -> str:
    """visible() for table cells: newlines and tabs become spaces."""
    return visible(" ".join((text or "").split()), max_len)
