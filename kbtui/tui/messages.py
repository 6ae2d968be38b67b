"""Messages that widgets post upwards. Widgets never reach into siblings:
they say what the user asked for, and the screen or app decides what to do.
Dataclass messages keep the payload explicit and easy to assert on in tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from textual.message import Message


@dataclass
class EntitySelected(Message):
    """Open an entity's pane (a result, a holder, a participant, a mention)."""

    entity_id: str
    name: str = ""


@dataclass
class OpenCitation(Message):
    """Show a citation in the source viewer, its quote highlighted."""

    citation_id: int
    source_id: str


@dataclass
class OpenSource(Message):
    """Show a whole source, starting at the first mention of `focus_entity`."""

    source_id: str
    focus_entity: str | None = None


@dataclass
class ClaimHighlighted(Message):
    """A claim (role, relation, event, participation) became the selection;
    the evidence pane should show its citations."""

    claim: dict[str, Any] | None
    summary: str = ""


@dataclass
class LoadMoreRoles(Message):
    """The roles table reached the end of its loaded page."""

    offset: int


@dataclass
class ExportTable(Message):
    """Export the table with this id (roles, relations, ...) to CSV."""

    table: str
    rows: list[list[str]] = field(default_factory=list)
    header: list[str] = field(default_factory=list)


@dataclass
class SearchSubmitted(Message):
    """Enter in the search box: open the highlighted result."""

    query: str


@dataclass
class HistoryJump(Message):
    """A breadcrumb was clicked: go to that point in history."""

    index: int
