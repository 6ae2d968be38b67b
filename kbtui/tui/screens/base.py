"""What the explorer and the source viewer have in common.

Both are places in the app's history: they show the breadcrumb, can copy
the citation the user is on (`y`), read the database in thread workers
and say what went wrong in a notice, and hand the app their state when the
user leaves. The app is reached only through the ExplorerContext protocol
(read-only) and messages, never by importing it.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable, Sequence
from contextlib import suppress
from pathlib import Path
from typing import Any, NamedTuple, ParamSpec, TypeVar

from textual.screen import Screen
from textual.worker import get_current_worker

from kbtui.kb.errors import KBError
from kbtui.tui import data as kbdata
from kbtui.tui.context import ExplorerContext, explorer_context
from kbtui.tui.history import Crumb
from kbtui.tui.look import Look
from kbtui.tui.messages import ShowFullText
from kbtui.tui.widgets.breadcrumb import Breadcrumb

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


class ReadFailed(NamedTuple):
    """Why a worker's read failed, in words for the user."""

    message: str
