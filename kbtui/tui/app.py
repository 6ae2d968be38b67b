"""The kbtui explorer app and its factory.

`create_app(db_path)` is the one way to build the app: the CLI runs it, the
Pilot tests and the snapshot tests drive it. The app owns what spans
screens: the browser-like history (back / forward / breadcrumb), the
source viewer stack, the theme-derived look, and the global keys. The
database is only ever opened read-only, by worker threads, one connection
per call.

Nothing the app imports imports it back: screens and palette providers
read the app through the ExplorerContext protocol (kbtui.tui.context) and
talk to it with messages, which the handlers below turn into history moves.
"""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import RenderableType
from textual import events, on, work
from textual.app import App
from textual.binding import Binding
from textual.driver import Driver
from textual.screen import ModalScreen
from textual.theme import Theme

from kbtui.kb.errors import KBError
from kbtui.kb.undo import NotUndoable, Step
from kbtui.tui import data as kbdata
from kbtui.tui.clip import shown
from kbtui.tui.commands import ActionCommands, EntityCommands
from kbtui.tui.context import ExplorerContext
from kbtui.tui.curation import BUSY, Curation
from kbtui.tui.flood import flood_guarded
from kbtui.tui.history import History, Location
from kbtui.tui.keys import send_on, stray_letter
from kbtui.tui.look import Look
from kbtui.tui.messages import (
    EntitySelected,
    HistoryJump,
    KbChanged,
    LocationFailed,
    OpenCitation,
    OpenConflicts,
    OpenDisagreement,
    OpenInterlocks,
    OpenNeighbours,
    OpenPath,
    OpenSource,
    OpenTimeline,
    ShowFullText,
    TitleLearned,
)
from kbtui.tui.screens.base import ContentScreen
from kbtui.tui.screens.error import ErrorScreen
from kbtui.tui.screens.explorer import ExplorerScreen
from kbtui.tui.widgets.tables import ClaimTable

if TYPE_CHECKING:
    from kbtui.tui.screens.conflicts import ConflictsScreen
    from kbtui.tui.screens.source import SourceScreen

# The source viewer, the conflicts view, the full text and help are
# imported when first opened: the first paint needs none of them (their
# modules and widgets cost ~15 ms of a start that is mostly imports).


class KbtuiApp(App[int]):
    CSS_PATH = "kbtui.tcss"
    TITLE = "kbtui"
    COMMANDS = App.COMMANDS | {EntityCommands, ActionCommands}
    BINDINGS = [
        Binding("f1,question_mark", "help", "help", id="app.help"),
        Binding("alt+left,backspace,left_square_bracket", "back", "back", show=False, id="app.back"),
        Binding("alt+right,right_square_bracket", "forward", "forward", show=False, id="app.forward"),
        Binding(
            "ctrl+p",
            "command_palette",
            "palette",
            show=False,
            priority=True,
            tooltip="command palette: jump to any entity or action",
            id="app.palette",
        ),
        Binding(
            "colon",
            "command_palette",
            "palette",
            show=False,
            tooltip="command palette: jump to any entity or action",
            id="app.palette_plain",
        ),
        Binding(
            "exclamation_mark",
            "conflicts",
            "conflicts",
            show=False,
            tooltip="conflicts, disputed claims and errata",
            id="app.conflicts",
        ),
        # the overviews: function keys, so they work while typing in a box
        # (the footer shows F2 only: the overviews' own tab line shows all four)
        Binding("f2", "overview('sources')", "overviews", tooltip="every source, newest first", id="app.sources"),
        Binding("f3", "overview('claims')", "claims", show=False, tooltip="every claim, to filter", id="app.claims"),
        Binding("f4", "overview('events')", "events", show=False, tooltip="every event, by date", id="app.events"),
        Binding(
            "f5", "overview('entities')", "entities", show=False, tooltip="every entity, by kind", id="app.entities"
        ),
        Binding(
            "f7", "timeline", "timeline", show=False, tooltip="every dated item of the KB, by date", id="app.timeline"
        ),
        # curate mode only (check_action hides it otherwise)
        Binding(
            "f6",
            "duplicates",
            "duplicates",
            tooltip="judge candidate duplicates (curate mode: kbtui curate BUNDLE)",
            id="app.duplicates",
        ),
        # curate mode only: take back the last change (a claim, an entity, a
        # judgement); also `z` where curating, but the explorer's z zooms
        Binding("ctrl+z", "undo", "undo", tooltip="take back the last change (curate mode)", id="app.undo"),
        Binding("q", "quit", "quit", show=False, id="app.quit"),
        Binding("ctrl+q", "quit", "quit", show=False, priority=True, id="app.quit_chord"),
    ]

    def __init__(self, db_path: Path | str, today: str | None = None, bundle: Path | None = None) -> None:
        super().__init__()
        self.db_path = Path(db_path)
        # curate mode (`kbtui curate BUNDLE`): claims, entities and
        # judgements write to this bundle and the KB; without it the
        # explorer never writes
        self.curation = Curation(bundle) if bundle is not None else None
        # how old evidence is, is read against this; tests and snapshots fix it
        self.today = today or date.today().isoformat()
        self.history = History()
        self.db_error: KBError | Exception | None = None
        self.look = Look()
        self.explorer: ExplorerScreen | None = None

    # --- start -------------------------------------------------------------------

    def on_mount(self) -> None:
        self.look = Look.from_variables(self.theme_variables)
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        try:
            kbdata.check(self.db_path)
        except KBError as exc:
            self.db_error = exc
            self.push_screen(ErrorScreen(exc.message, exc.hint))
            return
        except (sqlite3.Error, OSError) as exc:
            self.db_error = exc
            self.push_screen(ErrorScreen(f"{self.db_path}: cannot be read ({exc})"))
            return
        self.sub_title = shown(str(self.db_path)) + (
            f" · curating {shown(str(self.curation.bundle))}" if self.curation else ""
        )
        self.explorer = ExplorerScreen(self.db_path)
        self.push_screen(self.explorer)
        self.call_after_refresh(self.refresh_breadcrumbs)

    def _theme_changed(self, theme: Theme) -> None:
        self.look = Look.from_variables(self.theme_variables)
        for screen in self.screen_stack:
            if isinstance(screen, ContentScreen):
                screen.apply_look(self.look)

    async def _on_key(self, event: events.Key) -> None:
        # a letter typed for the search box or a filter right after the key
        # that focused it (`/` in the source viewer), which reached the
        # widget the focus left and bubbled up unused: on to the input
        # (App._on_key, the bindings, runs after this unless prevent_default())
        target = stray_letter(event, self)
        if target is not None:
            send_on(event, target)

    def get_driver_class(self) -> type[Driver]:
        # a paste the terminal types out as a million keys (tui.flood)
        return flood_guarded(super().get_driver_class())

    def action_exit_error(self) -> None:
        self.exit(return_code=2)

    def exit(self, result: int | None = None, return_code: int = 0, message: RenderableType | None = None) -> None:
        """Every way out (q, ctrl+q, the error screen, the palette) ends here.

        Thread workers cannot be killed, and the process waits for them
        before it ends: a worker inside a query that never ends (a crafted
        file) kept a quit explorer running at full CPU. So first every read
        stops (a query raises "interrupted" at its next step, within a
        millisecond) and every worker is cancelled (the long Python loops,
        such as wrapping a 10 MB text, look at that), then Textual's own
        exit, which waits for them."""
        kbdata.stop_reading()
        self.workers.cancel_all()
        super().exit(result, return_code, message)

    # --- history -------------------------------------------------------------------

    def _content_screen(self) -> ContentScreen | None:
        screen = self.screen
        return screen if isinstance(screen, ContentScreen) else None

    def _save_state(self) -> None:
        screen = self._content_screen()
        if screen is None:
            return
        current = self.history.current
        current.state = screen.capture()
        if current.kind == "home" and isinstance(screen, ExplorerScreen):
            # the crumb names the search it stands for
            current.title = " ".join(screen.panel.input.value.split())[:40] or "Search"

    def navigate(self, location: Location) -> None:
        """Go somewhere new, as clicking a link in a browser."""
        if self.explorer is None or isinstance(self.screen, ModalScreen):
            return
        self._save_state()
        if self.history.push(location):
            self._apply(location)

    def _apply(self, location: Location) -> None:
        """Show `location`: the explorer for home and entities, else one
        screen above it (a source, the conflicts view), reused when it is
        already on top; each screen restores itself from location.state."""
        assert self.explorer is not None
        from kbtui.tui.screens.conflicts import ConflictsScreen
        from kbtui.tui.screens.disagreement import DisagreementScreen
        from kbtui.tui.screens.interlocks import InterlocksScreen
        from kbtui.tui.screens.neighbours import NeighboursScreen
        from kbtui.tui.screens.overview import OverviewScreen
        from kbtui.tui.screens.path import PathScreen
        from kbtui.tui.screens.source import SourceScreen
        from kbtui.tui.screens.timeline import TimelineScreen

        place: (
            type[
                SourceScreen
                | ConflictsScreen
                | OverviewScreen
                | TimelineScreen
                | PathScreen
                | DisagreementScreen
                | InterlocksScreen
                | NeighboursScreen
            ]
            | None
        ) = None
        if location.kind == "source":
            place = SourceScreen
            if self.curation is not None:
                from kbtui.tui.screens.curate_source import CurateSourceScreen

                place = CurateSourceScreen
        elif location.kind == "conflicts":
            place = ConflictsScreen
        elif location.kind == "overview":
            place = OverviewScreen
        elif location.kind == "path":
            place = PathScreen
        elif location.kind == "timeline":
            place = TimelineScreen
        elif location.kind == "disagreement":
            place = DisagreementScreen
        elif location.kind == "interlocks":
            place = InterlocksScreen
        elif location.kind == "neighbours":
            place = NeighboursScreen
        while self.screen is not self.explorer and isinstance(self.screen, ContentScreen):
            if place is not None and isinstance(self.screen, place):
                break
            self.pop_screen()
        if place is None:
            self.explorer.show_location(location)
        elif isinstance(self.screen, place):
            self.screen.show_location(location)
        else:
            self.push_screen(place(self.db_path, location))
        self.refresh_breadcrumbs()

    def forget(self, location: Location) -> None:
        """Drop a place that could not be shown and return to the one before."""
        if self.history.current is location:
            previous = self.history.drop_current()
            if previous is not None:
                self._apply(previous)
        self.refresh_breadcrumbs()

    @on(LocationFailed)
    def _location_failed(self, event: LocationFailed) -> None:
        self.forget(event.location)

    @on(TitleLearned)
    def _title_learned(self, event: TitleLearned) -> None:
        if event.location.title != event.title:
            event.location.title = event.title
            self.refresh_breadcrumbs()

    def refresh_breadcrumbs(self) -> None:
        crumbs = self.history.crumbs()
        for screen in self.screen_stack:
            if isinstance(screen, ContentScreen):
                screen.show_breadcrumb(crumbs, self.history.ahead)

    def _move(self, location: Location | None, where: str) -> None:
        if location is None:
            self.notify(f"Nothing to go {where} to.", timeout=2)
            return
        self._apply(location)

    async def action_back(self) -> None:  # async as App.action_back, which it replaces
        if self.explorer is None or isinstance(self.screen, ModalScreen):
            return
        if not self.history.can_back:
            self.notify("Nothing to go back to.", timeout=2)
            return
        self._save_state()
        self._move(self.history.back(), "back")

    def action_forward(self) -> None:
        if self.explorer is None or isinstance(self.screen, ModalScreen):
            return
        if not self.history.can_forward:
            self.notify("Nothing to go forward to.", timeout=2)
            return
        self._save_state()
        self._move(self.history.forward(), "forward")

    @on(HistoryJump)
    def _jump(self, event: HistoryJump) -> None:
        self._save_state()
        location = self.history.go(event.index)
        if location is not None:
            self._apply(location)

    # --- what widgets ask for --------------------------------------------------------

    def open_entity(self, entity_id: str, name: str = "") -> None:
        self.navigate(Location.entity(entity_id, name))

    @on(EntitySelected)
    def _entity_selected(self, event: EntitySelected) -> None:
        self.open_entity(event.entity_id, event.name)

    @on(OpenCitation)
    def _open_citation(self, event: OpenCitation) -> None:
        self.navigate(Location.source(event.source_id, event.citation_id))

    @on(OpenSource)
    def _open_source(self, event: OpenSource) -> None:
        self.navigate(
            Location.source(
                event.source_id, focus_entity=event.focus_entity, erratum_id=event.erratum_id, span=event.span
            )
        )

    @on(ShowFullText)
    def _show_full_text(self, event: ShowFullText) -> None:
        from kbtui.tui.screens.fulltext import FullTextScreen

        if not isinstance(self.screen, FullTextScreen):
            self.push_screen(FullTextScreen(event.title, event.text, self.look))

    @on(OpenTimeline)
    def _open_timeline(self, event: OpenTimeline) -> None:
        self.navigate(Location.timeline(event.entity_id, event.name))

    @on(OpenNeighbours)
    def _open_neighbours(self, event: OpenNeighbours) -> None:
        self.navigate(Location.neighbours(event.entity_id, event.name))

    @on(OpenInterlocks)
    def _open_interlocks(self, event: OpenInterlocks) -> None:
        self.navigate(Location.interlocks(event.a_id, event.a_name, event.b_id, event.b_name))

    @on(OpenDisagreement)
    def _open_disagreement(self, event: OpenDisagreement) -> None:
        self.navigate(Location.disagreement(event.entity_id, event.name))

    @on(OpenPath)
    def _open_path(self, event: OpenPath) -> None:
        self.navigate(Location.path(event.start_id, event.start_name, event.goal_id, event.goal_name))

    @on(OpenConflicts)
    def _open_conflicts(self, event: OpenConflicts) -> None:
        self.navigate(Location.conflicts(event.claim_id))

    # --- global actions ----------------------------------------------------------------

    def action_help(self) -> None:
        from kbtui.tui.screens.help import HelpScreen, bindings_of, sections

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(sections(bindings_of(type(self)))))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("duplicates", "undo"):
            return self.curation is not None
        return True

    def action_undo(self) -> None:
        """Take back the last change curate mode made, in a worker."""
        curation = self.curation
        if curation is None or isinstance(self.screen, ModalScreen):
            return
        if not curation.steps:
            self.notify("Nothing to undo: no change was made in this session.", timeout=4)
            return
        if not curation.begin():
            self.notify(BUSY, timeout=3)
            return
        self._undo(curation, curation.steps.pop())

    @work(thread=True, group="curate")
    def _undo(self, curation: Curation, step: Step) -> None:
        from kbtui.tui import curate_data

        try:
            curate_data.take_back(self.db_path, curation.bundle, step)
        except NotUndoable as exc:  # never will be: z goes on to the change before it
            self.call_from_thread(
                self.notify, f"{exc.message}. {exc.hint}.", title="Not undone", severity="warning", timeout=12
            )
            return
        except KBError as exc:  # it may be later (a claim naming the entity removed first): kept
            curation.steps.append(step)
            self.call_from_thread(self.notify, exc.message, title="Not undone", severity="error", timeout=10)
            return
        except Exception as exc:  # a full disk, a locked file: one line, never a traceback
            curation.steps.append(step)
            self.call_from_thread(self.notify, kbdata.read_failure(exc), title="Not undone", severity="error")
            return
        finally:
            curation.end()
        curation.undone()
        self.call_from_thread(self._undone, step)

    def _undone(self, step: Step) -> None:
        self.notify(f"Undone: {step.said}.", timeout=5, markup=False)
        self.screen.post_message(KbChanged(step))

    def action_duplicates(self) -> None:
        """F6 in curate mode: candidate duplicates, one pair at a time."""
        from kbtui.tui.screens.duplicates import DuplicatesScreen

        if self.curation is not None and not isinstance(self.screen, (DuplicatesScreen, ModalScreen)):
            self.push_screen(DuplicatesScreen(self.db_path, self.curation))

    def action_overview(self, view: str) -> None:
        """F2–F5: an overview, as a new place in history."""
        if self.explorer is not None:
            self.navigate(Location.overview(view))

    def action_timeline(self) -> None:
        """F7: the whole KB's timeline, as a new place in history."""
        if self.explorer is not None:
            self.navigate(Location.timeline())

    def action_conflicts(self) -> None:
        """The conflicts view, at the selected claim's conflicts if it has any."""
        if self.explorer is None:
            return
        claim = self.explorer.evidence.claim if self.screen is self.explorer else None
        at = claim["id"] if claim and (claim.get("conflicts") or claim.get("disputed")) else None
        self.navigate(Location.conflicts(at))

    def action_focus_search(self) -> None:
        """`/` from anywhere: close the viewer (keeping history) and search."""
        if self.explorer is None:
            return
        if self.screen is not self.explorer and isinstance(self.screen, ContentScreen):
            self.navigate(Location.home())
        self.explorer.action_focus_search()

    def action_home(self) -> None:
        self.navigate(Location.home())
        if self.explorer is not None:
            self.explorer.action_focus_search()

    def action_copy_citation(self) -> None:
        screen = self._content_screen()
        if screen is not None:
            screen.action_copy_citation()

    def action_export(self) -> None:
        focused = self.screen.focused
        if isinstance(focused, ClaimTable):
            focused.action_export()
        else:
            self.notify(
                "Focus a table (roles, relations, events, sources) to export it.", severity="warning", timeout=4
            )


# Screens and palette providers read the app as an ExplorerContext (checked
# at run time by explorer_context); this makes mypy check that it is one.
_IS_CONTEXT: type[ExplorerContext] = KbtuiApp


def create_app(db_path: Path | str | None = None, today: str | None = None, bundle: Path | None = None) -> KbtuiApp:
    """The one app factory, for the CLI, the tests and the snapshots.
    `today` (ISO date) fixes the clock that evidence ages against; `bundle`
    opens curate mode, writing to that bundle."""
    from kbtui.kb.paths import default_db_path

    return KbtuiApp(db_path if db_path is not None else default_db_path(), today, bundle)
