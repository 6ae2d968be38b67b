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

# C0 and C1 controls except \t and \n, DEL, and the bidi/zero-width format
# characters that can reorder or hide text.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


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
    text = _UNSAFE.sub(_stand_in, text).replace("\r", "␍")
    if max_len is not None and len(text) > max_len:
        text = text[: max_len - 1] + "…"
    return text


def one_line(text: str | None, max_len: int | None = None) -> str:
    """visible() for table cells: newlines and tabs become spaces."""
    return visible(" ".join((text or "").split()), max_len)
