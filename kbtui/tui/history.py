"""Browser-like back/forward over places the user has been.

Pure Python (no Textual) so it is trivially testable. A Location carries a
`state` dict that the screen fills in when the user leaves it (focused
table, cursor rows, scroll offset, viewer position) and reads back on
return, so "back" lands exactly where the user was, not just on the same
entity.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

Kind = Literal[
    "home", "entity", "source", "conflicts", "overview", "timeline", "path", "disagreement", "interlocks", "neighbours"
]


class Crumb(NamedTuple):
    """One step of the breadcrumb: its index in History.entries (a click
    jumps there), what kind of place it is and its title."""

    at: int
    kind: Kind
    title: str


@dataclass(eq=False)
class Location:
    kind: Kind
    title: str = ""
    entity_id: str | None = None
    source_id: str | None = None
    citation_id: int | None = None
    focus_entity: str | None = None
    claim_id: str | None = None  # the conflicts view: the claim to start at
    erratum_id: str | None = None  # a source: the erratum to start at
    span: tuple[int, int] | None = None  # a source: a passage search found, marked
    view: str | None = None  # an overview: sources, claims, events or entities
    goal_id: str | None = None  # a path: the entity it goes to (from entity_id)
    hops: int | None = None  # a path: the most hops searched
    state: dict[str, Any] = field(default_factory=dict)

    def same_place(self, other: Location) -> bool:
        """Two entries for the same place (re-opening it does not grow history)."""
        return (
            self.kind,
            self.entity_id,
            self.source_id,
            self.citation_id,
            self.claim_id,
            self.erratum_id,
            self.span,
            self.view,
            self.goal_id,
        ) == (
            other.kind,
            other.entity_id,
            other.source_id,
            other.citation_id,
            other.claim_id,
            other.erratum_id,
            other.span,
            other.view,
            other.goal_id,
        )

    @classmethod
    def home(cls) -> Location:
        return cls("home", title="Search")

    @classmethod
    def entity(cls, entity_id: str, name: str = "") -> Location:
        return cls("entity", title=name or entity_id, entity_id=entity_id)

    @classmethod
    def source(
        cls,
        source_id: str,
        citation_id: int | None = None,
        title: str = "",
        focus_entity: str | None = None,
        erratum_id: str | None = None,
        span: tuple[int, int] | None = None,
    ) -> Location:
        return cls(
            "source",
            title=title or "Source",
            source_id=source_id,
            citation_id=citation_id,
            focus_entity=focus_entity,
            erratum_id=erratum_id,
            span=span,
        )

    @classmethod
    def overview(cls, view: str) -> Location:
        return cls("overview", title=view.capitalize(), view=view)

    @classmethod
    def timeline(cls, entity_id: str | None = None, name: str = "") -> Location:
        """One entity's dated items (`entity_id`), or the whole KB's."""
        title = f"Timeline: {name or entity_id}" if entity_id else "Timeline"
        return cls("timeline", title=title, entity_id=entity_id)

    @classmethod
    def path(cls, start_id: str, start_name: str, goal_id: str, goal_name: str) -> Location:
        """The shortest evidence paths from one entity to another."""
        return cls("path", title=f"{start_name} → {goal_name}", entity_id=start_id, goal_id=goal_id)

    @classmethod
    def neighbours(cls, entity_id: str, name: str = "") -> Location:
        """What one entity is linked to, two hops out (`hops` 1 for one)."""
        return cls("neighbours", title=f"Neighbours: {name or entity_id}", entity_id=entity_id)

    @classmethod
    def interlocks(cls, a_id: str, a_name: str, b_id: str, b_name: str) -> Location:
        """The people who link two organisations (from entity_id to goal_id)."""
        return cls("interlocks", title=f"Interlocks: {a_name} ↔ {b_name}", entity_id=a_id, goal_id=b_id)

    @classmethod
    def disagreement(cls, entity_id: str, name: str = "") -> Location:
        """Where the sources disagree about one entity, side by side."""
        return cls("disagreement", title=f"Disagree: {name or entity_id}", entity_id=entity_id)

    @classmethod
    def conflicts(cls, claim_id: str | None = None) -> Location:
        return cls("conflicts", title="Conflicts", claim_id=claim_id)


class History:
    """A list of locations and a cursor into it, as in a web browser."""

    MAX = 500

    def __init__(self, start: Location | None = None) -> None:
        self.entries: list[Location] = [start or Location.home()]
        self.index = 0

    @property
    def current(self) -> Location:
        return self.entries[self.index]

    @property
    def can_back(self) -> bool:
        return self.index > 0

    @property
    def can_forward(self) -> bool:
        return self.index < len(self.entries) - 1

    def push(self, location: Location) -> bool:
        """Go somewhere new: forward entries are dropped. Returns False (and
        changes nothing) when `location` is where we already are."""
        if self.current.same_place(location):
            return False
        del self.entries[self.index + 1 :]
        self.entries.append(location)
        if len(self.entries) > self.MAX:
            del self.entries[0]
        self.index = len(self.entries) - 1
        return True

    def back(self) -> Location | None:
        if not self.can_back:
            return None
        self.index -= 1
        return self.current

    def forward(self) -> Location | None:
        if not self.can_forward:
            return None
        self.index += 1
        return self.current

    def drop_current(self) -> Location | None:
        """Forget the current place (it could not be shown) and step back to
        the one before, which is returned. With nothing before it, nothing
        changes and None is returned. Places ahead are kept."""
        if not self.can_back:
            return None
        del self.entries[self.index]
        self.index -= 1
        return self.current

    def go(self, index: int) -> Location | None:
        if not 0 <= index < len(self.entries) or index == self.index:
            return None
        self.index = index
        return self.current

    def trail(self) -> list[Location]:
        """Where the user came from, oldest first, ending at the current place."""
        return self.entries[: self.index + 1]

    def crumbs(self) -> list[Crumb]:
        """The trail as the breadcrumb shows it."""
        return [Crumb(n, loc.kind, loc.title) for n, loc in enumerate(self.trail())]

    @property
    def ahead(self) -> int:
        """How many places "forward" would walk through."""
        return len(self.entries) - 1 - self.index

    def visited_entities(self) -> list[Location]:
        """Entities visited, most recent first, each once (ahead of the
        cursor too: the palette offers them before anything is typed)."""
        seen: set[str] = set()
        found: list[Location] = []
        for loc in reversed(self.entries):
            if loc.kind == "entity" and loc.entity_id and loc.entity_id not in seen:
                seen.add(loc.entity_id)
                found.append(loc)
        return found
