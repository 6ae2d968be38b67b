"""Messages that widgets and screens post upwards. Widgets never reach into
siblings and screens never reach into the app: they say what the user asked
for or what they learned, and the screen or app decides what to do.
Dataclass messages keep the payload explicit and easy to assert on in tests."""

from __future__ import annotations

from dataclasses import dataclass, field

from textual.message import Message
from textual.widget import Widget

from kbtui.kb.models import Evidence
from kbtui.kb.table_export import ExportRow
from kbtui.kb.undo import Step
from kbtui.tui.history import Location

# --- from widgets: what the user asked for ------------------------------------


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
    """Show a whole source, starting at the first mention of `focus_entity`
    (or at one of its errata, or at a passage search found: `span`)."""

    source_id: str
    focus_entity: str | None = None
    erratum_id: str | None = None
    span: tuple[int, int] | None = None


@dataclass
class OpenTimeline(Message):
    """Show the dated items of one entity (or, with no id, of the whole KB)."""

    entity_id: str | None = None
    name: str = ""


@dataclass
class OpenDisagreement(Message):
    """Show where the sources disagree about one entity, side by side."""

    entity_id: str
    name: str = ""


@dataclass
class OpenNeighbours(Message):
    """Show what one entity is linked to, one or two hops out."""

    entity_id: str
    name: str = ""


@dataclass
class OpenInterlocks(Message):
    """Show the people who link two organisations, every tie cited."""

    a_id: str
    a_name: str
    b_id: str
    b_name: str


@dataclass
class OpenPath(Message):
    """Show the shortest evidence paths from one entity to another."""

    start_id: str
    start_name: str
    goal_id: str
    goal_name: str


@dataclass
class SearchScopeChanged(Message):
    """The search box now searches `scope`: "names" or "sources" (their
    text); the screen searches again."""

    scope: str


@dataclass
class OpenConflicts(Message):
    """Show the conflicts view, at the conflicts of `claim_id` if given."""

    claim_id: str | None = None


@dataclass
class ClaimNamesWanted(Message):
    """The evidence pane names the claims a claim conflicts with: it has
    their ids and asks for them in words (the screen loads, hands down)."""

    claim_ids: list[str]


@dataclass
class ClaimHighlighted(Message):
    """A claim (role, relation, event, participation) became the selection;
    the evidence pane should show its citations. `claim` is None for a row
    that is no claim (a source)."""

    claim: Evidence | None
    summary: str = ""
    table: str | None = None  # the id of the table whose row it is
    hint: str | None = None  # for a row that is no claim: what Enter does there


@dataclass
class LoadMoreRoles(Message):
    """The roles table reached the end of its loaded page."""

    offset: int


@dataclass
class ExportTable(Message):
    """Export the table with this id (roles, relations, ...) with the
    evidence of its rows: each row's cells and the claim (or source) it is.
    Any ContentScreen handles it (asks where, then writes)."""

    table: str
    rows: list[ExportRow] = field(default_factory=list)
    header: list[str] = field(default_factory=list)


@dataclass
class LeaveTable(Message):
    """Up past the first row or down past the last: the pane moves focus
    to the neighbouring table, so the sections read as one list."""

    table: Widget  # the ClaimTable the cursor left (typed loosely: messages import no widgets)
    direction: int


@dataclass
class CitationFocused(Message):
    """n / N moved to another citation; the screen updates its info line."""

    index: int


@dataclass
class ErratumFocused(Message):
    """x / X moved to one of the source's own errors; the screen explains it."""

    index: int


@dataclass
class ShowFullText(Message):
    """Show the whole of a value a pane drew cut short (tui.clip)."""

    title: str
    text: str


@dataclass
class HistoryJump(Message):
    """A breadcrumb was clicked: go to that point in history."""

    index: int


# --- from screens to the app, which owns the history ----------------------------


@dataclass
class TitleLearned(Message):
    """A place finished loading and now has a name (an entity's, a source's
    title): the app renames it in history and redraws the breadcrumbs."""

    location: Location
    title: str


@dataclass
class LocationFailed(Message):
    """A place could not be shown (the notice says why): the app forgets it
    and returns to the one before, so the breadcrumb matches the screen."""

    location: Location


@dataclass
class KbChanged(Message):
    """Curate mode changed the KB (a change, or the undo of `undone`): the
    screen on top reads again what it shows."""

    undone: Step | None = None


@dataclass
class SelectionChanged(Message):
    """The passage selected in the source viewer (curate mode) changed."""
