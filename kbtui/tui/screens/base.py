"""What the explorer and the source viewer have in common.

Both are places in the app's history: they show the breadcrumb, can copy
the citation the user is on (`y`), export any of their tables with its
evidence (`e`), read the database in thread workers and say what went
wrong in a notice, and hand the app their state when the user leaves.
The app is reached only through the ExplorerContext protocol (read-only)
and messages, never by importing it.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable, Sequence
from contextlib import suppress
from pathlib import Path
from typing import Any, NamedTuple, ParamSpec, TypeVar

from textual import on, work
from textual.screen import Screen
from textual.widget import Widget
from textual.worker import get_current_worker

from kbtui.kb.errors import KBError
from kbtui.kb.table_export import Written
from kbtui.tui import data as kbdata
from kbtui.tui.clip import shown
from kbtui.tui.context import ExplorerContext, explorer_context
from kbtui.tui.history import Crumb
from kbtui.tui.look import Look
from kbtui.tui.messages import ClaimHighlighted, ClaimNamesWanted, ExportTable, KbChanged, ShowFullText
from kbtui.tui.screens.export import ExportChoice, ExportScreen, TableExport, start_directory
from kbtui.tui.widgets.breadcrumb import Breadcrumb
from kbtui.tui.widgets.evidence import EvidenceList, EvidencePane

P = ParamSpec("P")
T = TypeVar("T")


class ContentScreen(Screen[None]):
    NO_CITATION = "No citation selected."  # what `y` says with nothing to copy

    def __init__(self, db_path: Path) -> None:
        super().__init__()
        self.db_path = db_path
        self._crumbs: tuple[Sequence[Crumb], int] = ((), 0)

    @property
    def context(self) -> ExplorerContext:
        return explorer_context(self.app)

    # --- what each screen provides -------------------------------------------------

    @abstractmethod  # mypy holds subclasses to these; Textual's metaclass is no ABCMeta, so nothing at run time
    def capture(self) -> dict[str, Any]:
        """Where the user is on this screen, for "back" to return to."""
        raise NotImplementedError

    @abstractmethod
    def apply_look(self, look: Look) -> None:
        """The theme changed: re-render what was drawn with its colours."""
        raise NotImplementedError

    @abstractmethod
    def current_citation(self) -> kbdata.CitedQuote | None:
        """The citation the user is on, for `y`."""
        raise NotImplementedError

    # --- shared ----------------------------------------------------------------------

    def show_breadcrumb(self, crumbs: Sequence[Crumb], forward: int) -> None:
        """Attributes down from the app whenever history moves; kept for
        on_mount when the screen is not composed yet."""
        self._crumbs = (crumbs, forward)
        for widget in self.query(Breadcrumb):  # none yet while the screen is being composed
            widget.show(crumbs, forward)

    # --- curate mode: what a change made elsewhere means here -------------------------

    seen_changes: int | None = None  # the curation counter this screen last read the KB at

    @on(KbChanged)
    def _kb_changed(self, event: KbChanged) -> None:
        event.stop()
        self.catch_up()

    def on_screen_resume(self) -> None:
        self.catch_up()

    def catch_up(self) -> None:
        """Read again what is shown if curate mode changed the KB since
        this screen last read it (a claim saved, an undo, on another screen)."""
        # (getattr: a screen may be shown by an app that is not the explorer, in tests)
        curation = getattr(self.app, "curation", None)
        if curation is None:
            return
        if self.seen_changes is not None and curation.changed != self.seen_changes:
            self.kb_changed()
        self.seen_changes = curation.changed

    def kb_changed(self) -> None:
        """The KB changed under this screen: read again (each screen its own way)."""

    def cut_short(self) -> list[tuple[str, str]]:
        """(title, whole value) of each value this screen drew cut short
        (tui.clip), the one nearest the focus first."""
        return []

    def action_show_all(self) -> None:
        """The whole of a value cut short, in a view that draws only what
        is on screen (the app opens it)."""
        values = self.cut_short()
        if not values:
            self.notify("Nothing here is cut short.", timeout=3)
            return
        title, text = values[0]
        self.post_message(ShowFullText(title, text))

    def action_copy_citation(self) -> None:
        cited = self.current_citation()
        if cited is None:
            self.notify(self.NO_CITATION, severity="warning", timeout=3)
            return
        self.app.copy_to_clipboard(kbdata.citation_text(cited.quote, cited.source))
        self.notify("Copied the citation to the clipboard.", timeout=3)

    def attempt(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T | ReadFailed:
        """Run data-layer work in a worker thread; every failure becomes a
        ReadFailed with one line to show (never a traceback): a read stopped
        by the time or memory limit says which limit. Anything a crafted
        file can provoke (a value of the wrong type, say) is caught too: a
        worker's exception would otherwise end the app with a traceback."""
        try:
            return fn(*args, **kwargs)
        except KBError as exc:
            return ReadFailed(exc.message + (f"\n{exc.hint}" if exc.hint else ""))
        except Exception as exc:
            return ReadFailed(kbdata.read_failure(exc))

    # The evidence pane names the claims a claim conflicts with: every
    # screen that shows one loads the names here, off the UI thread.
    @on(ClaimNamesWanted)
    def _claim_names(self, event: ClaimNamesWanted) -> None:
        event.stop()
        self.load_claim_names(event.claim_ids)

    @work(thread=True, group="claim-names")
    def load_claim_names(self, claim_ids: list[str]) -> None:
        names = self.guarded(kbdata.claim_names, self.db_path, claim_ids)
        if names is not None:
            self.app.call_from_thread(self._show_claim_names, names)

    def _show_claim_names(self, names: dict[str, kbdata.ClaimName]) -> None:
        for pane in self.query(EvidencePane):
            pane.show_claim_names(names)

    def guarded(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T | None:
        """attempt(), with a failure said in a notice; None for a failure
        and for a result nobody waits for any more (the worker was
        cancelled: the user moved on, or quit)."""
        result = self.attempt(fn, *args, **kwargs)
        if get_current_worker().is_cancelled:
            return None
        if isinstance(result, ReadFailed):
            self.tell_failure(result)
            return None
        return result

    def tell_failure(self, failed: ReadFailed) -> None:
        """The notice for a failed read, from a worker thread."""
        with suppress(RuntimeError):  # the app stopped meanwhile: nobody to tell
            self.app.call_from_thread(
                self.app.notify, failed.message, title="kbtui", severity="error", timeout=8, markup=False
            )

    # --- `e`: a table with its evidence, wherever a ClaimTable is ------------------------

    def table_to_export(self, event: ExportTable) -> TableExport | None:
        """What `e` on one of this screen's tables writes: the rows it has
        loaded, in a file named after the table. A screen overrides this to
        name the file after what it shows, or to load what a paged table
        has not loaded yet; None exports nothing."""
        return TableExport(event.table, event.table, event.header, len(event.rows), rows=event.rows)

    @on(ExportTable)
    def _export_table(self, event: ExportTable) -> None:
        event.stop()
        what = self.table_to_export(event)
        if what is None:
            return
        if not what.total:
            self.notify("The table is empty: nothing to export.", severity="warning", timeout=4)
            return

        def chosen(choice: ExportChoice | None) -> None:
            if choice is not None:
                if what.load is not None:
                    self.notify(f"Exporting {what.total:,} rows…", timeout=3)
                self.write_export(what, choice)

        self.app.push_screen(ExportScreen(what, start_directory()), chosen)

    @work(thread=True, group="export")
    def write_export(self, what: TableExport, choice: ExportChoice) -> None:
        rows = what.rows if what.load is None else self.guarded(what.load)
        if rows is None:
            return
        written = self.guarded(
            kbdata.export_table, self.db_path, choice.directory, what.stem, what.header, rows, choice.formats
        )
        if written is not None:
            cites = any(r.claim_id for r in rows)
            self.app.call_from_thread(self._exported, written, cites)

    def _exported(self, written: Written, cites: bool) -> None:
        rows = f"{written.rows:,} row{'' if written.rows == 1 else 's'}"
        if cites:
            rows += f" with {written.citations:,} citation{'' if written.citations == 1 else 's'}"
        paths = " and ".join(shown(str(p)) for p in written.paths)
        self.notify(f"Wrote {rows} to {paths}", title="Exported", timeout=10, markup=False)


class ReadFailed(NamedTuple):
    """Why a worker's read failed, in words for the user."""

    message: str


class EvidenceScreen(ContentScreen):
    """A place that lists items (conflicts, pairs, ties, dated rows) above
    an evidence pane showing the highlighted item's claim. The pane follows
    ClaimHighlighted; `c` goes into it; Escape steps from it back to the
    list, and from the list back in history; `y` and show-all read it."""

    NO_CITATION = "No citation selected: press c to go to the evidence."
    NO_EVIDENCE = "Highlight an item first: its citations show below."  # what `c` says with none

    @property
    def evidence(self) -> EvidencePane:
        return self.query_one(EvidencePane)

    @abstractmethod
    def item_list(self) -> Widget:
        """The widget the items are listed in (where Escape from the evidence returns)."""
        raise NotImplementedError

    @on(ClaimHighlighted)
    def _evidence_follows(self, event: ClaimHighlighted) -> None:
        event.stop()
        self.evidence.follow(event.claim, event.summary, event.hint)

    def refocus(self, state: dict[str, Any]) -> None:
        """Back here: focus where the user was, the evidence or the list."""
        if state.get("focus") == "evidence-list" and self.evidence.citations:
            self.set_focus(self.query_one(EvidenceList))
        else:
            self.set_focus(self.item_list())

    def cut_short(self) -> list[tuple[str, str]]:
        return self.evidence.cut_short()

    def current_citation(self) -> kbdata.CitedQuote | None:
        return self.evidence.cited_quote

    async def action_step_out(self) -> None:
        """Escape: from the evidence (or a box above the list) to the list;
        from the list, back."""
        if self.focused is not None and self.focused is not self.item_list():
            self.set_focus(self.item_list())
        else:
            await self.app.run_action("app.back")

    def action_focus_evidence(self) -> None:
        if self.evidence.citations:
            self.set_focus(self.query_one(EvidenceList))
        else:
            self.notify(self.NO_EVIDENCE, severity="warning", timeout=3)
