"""How things look: kind badges, status, dates, links, highlights.

Every piece of KB text becomes a rich Text built from a plain string that
went through safetext (never markup, never an f-string into markup), so a
name like "[red]x" or one holding escape sequences shows as what it is.
Colours come from the running Textual theme, and nothing relies on colour
alone: status is a word, kinds are labels and matches are also bold and
underlined, so NO_COLOR stays readable.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from rich.color import Color, ColorParseError
from rich.style import Style
from rich.text import Text

from kbtui.kb.models import CitationSource, SourceSummary
from kbtui.tui.clip import LINE_MAX, clipped, more_words, shown

KIND_LABELS = {
    "person": "PER",
    "organisation": "ORG",
    "country": "CTY",
    "place": "PLC",
    "event": "EVT",
    "product": "PRD",
    "publication": "PUB",
    "concept": "CON",
}
KIND_COLOUR = {
    "person": "primary",
    "organisation": "success",
    "country": "accent",
    "place": "accent",
    "event": "warning",
    "product": "secondary",
    "publication": "secondary",
    "concept": "secondary",
}


def _colour(value: str | None) -> Color | None:
    if not value:
        return None
    value = value.strip()
    for candidate in (value, value.removeprefix("ansi_"), value[:7]):
        try:
            return Color.parse(candidate)
        except ColorParseError:
            continue
    return None


@dataclass(frozen=True)
class Look:
    """Rich styles resolved from the current theme's CSS variables."""

    variables: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_variables(cls, variables: Mapping[str, str]) -> Look:
        return cls(tuple(sorted(variables.items())))

    def colour(self, name: str) -> Color | None:
        return _colour(dict(self.variables).get(name))

    def fg(self, name: str, *, bold: bool | None = None, underline: bool | None = None) -> Style:
        """The theme colour `name` as a foreground, with bold / underline."""
        return Style(color=self.colour(name), bold=bold, underline=underline)

    # --- pieces -----------------------------------------------------------

    def badge(self, kind: str) -> Text:
        # a kind outside the closed set comes from a crafted file: its first
        # letters, made visible (an escape shows as ␛, never reaches the terminal)
        label = KIND_LABELS.get(kind) or shown(kind or "?", 40)[:3].upper()
        return Text(label, style=self.fg(KIND_COLOUR.get(kind, "secondary"), bold=True))

    def link(self, name: str | None, max_len: int | None = None) -> Text:
        return Text(shown(name, max_len or LINE_MAX), style=self.fg("accent", underline=True))

    def status(self, status: str | None, disputed: str | None = None) -> Text:
        out = Text()
        if status == "current":
            out.append("● current", style=self.fg("success", bold=True))
        elif status == "former":
            out.append("○ former", style=Style(dim=True))
        else:
            out.append("? unknown", style=Style(dim=True, italic=True))
        if disputed:
            out.append(" ⚠ disputed", style=self.fg("warning", bold=True))
        return out

    def disputed(self, reason: str | None) -> Text:
        why = clipped(reason)
        text = Text.assemble(("⚠ disputed: ", self.fg("warning", bold=True)), (why.text, Style()))
        if why.more:
            text.append("\n" + more_words(why.more), style=self.fg("accent", bold=True))
        return text

    def muted(self, text: str | None) -> Text:
        return Text(shown(text), style=Style(dim=True))

    def highlighted(
        self, name: str, spans: Iterable[tuple[int, int]], base: Style | None = None, max_len: int | None = None
    ) -> Text:
        """`name` with matched characters bold, underlined and in the accent colour."""
        drawn = shown(name)
        text = Text(drawn, style=base or Style())
        if drawn == name:
            match = self.fg("accent", bold=True, underline=True)
            for start, end in spans:
                text.stylize(match, start, end)
        if max_len is not None:
            text.truncate(max_len, overflow="ellipsis")
        return text


def source_line(src: CitationSource | SourceSummary) -> str:
    """Outlet, author, date: who said it and when."""
    parts = [shown(v, 120) for v in (src["outlet"], src["author"], src["published"]) if v]
    return ", ".join(parts) if parts else "unattributed"


def plural(n: int, word: str, words: str | None = None) -> str:
    """'1 match', '2 matches', '3 entities'."""
    if n == 1:
        return f"{n:,} {word}"
    if words is None:
        if word.endswith(("s", "x", "ch", "sh")):
            words = word + "es"
        elif word.endswith("y") and word[-2:-1] not in "aeiou":
            words = word[:-1] + "ies"
        else:
            words = word + "s"
    return f"{n:,} {words}"
