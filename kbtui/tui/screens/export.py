"""The question `e` asks before it writes a table: in which directory, and
as CSV, JSON or both. A modal, not a place in history: Enter writes,
Escape cancels and the table is as it was.

A directory that cannot take the files is said here, in the dialog, so the
user can fix the path and try again; the files are written afterwards by
the screen that owns the table, in a worker (ContentScreen.write_export).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple

from rich.style import Style
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from kbtui.kb.paths import slug_name
from kbtui.kb.table_export import ExportRow, directory_problem
from kbtui.tui.clip import shown


class TableExport(NamedTuple):
    """What a screen exports for `e`: the file stem (built from data, so it
    goes through confined_path), a title for the dialog, the columns, how
    many rows, and the rows themselves or a loader a worker runs (a paged
    table's rows not loaded yet)."""

    stem: str
    title: str
    header: list[str]
    total: int  # rows the export writes (a paged table: all of them)
    rows: Sequence[ExportRow] = ()
    load: Callable[[], list[ExportRow]] | None = None


class ExportChoice(NamedTuple):
    directory: Path
    formats: tuple[str, ...]


# (option id, what the option says, the formats it writes)
CHOICES = [
    ("csv", "CSV: one line per citation, the row's cells on each", ("csv",)),
    ("json", "JSON: one object per row, its citations nested", ("json",)),
    ("both", "CSV and JSON", ("csv", "json")),
]


def start_directory() -> Path:
    """The working directory, or home when it was deleted under us."""
    try:
        return Path.cwd()
    except OSError:
        return Path.home()


class ExportScreen(ModalScreen[ExportChoice | None]):
    BINDINGS = [
        Binding("escape", "cancel", "cancel", tooltip="close without writing", id="export.cancel"),
        # the app's `q` quits; in this dialog a stray q must not end the
        # session with the export half chosen (ctrl+q still quits)
        Binding("q", "stay", show=False, id="export.stay"),
    ]

    DEFAULT_CSS = """
    ExportScreen {
        align: center middle;
    }
    #export-box {
        width: 84;
        max-width: 95%;
        height: auto;
        border: round $accent;
        background: $surface;
        padding: 0 1;
    }
    #export-box > Static {
        height: auto;
    }
    #export-format {
        height: auto;
        margin-top: 1;
    }
    #export-problem {
        color: $error;
        margin-top: 1;
    }
    #export-foot {
        margin-top: 1;
    }
    """

    def __init__(self, what: TableExport, directory: Path) -> None:
        super().__init__()
        self.what = what
        self.directory = directory

    def compose(self) -> ComposeResult:
        rows = f"{self.what.total:,} row{'' if self.what.total == 1 else 's'}"
        head = Text(f"Export {shown(self.what.title, 60)}", style=Style(bold=True))
        head.append(f"  {rows}, each with its citations", style=Style(dim=True))
        with Vertical(id="export-box"):
            yield Static(head, id="export-title")
            yield Static("Directory", id="export-label")
            yield Input(str(self.directory), id="export-directory", select_on_focus=False)
            yield OptionList(*(Option(label, id=key) for key, label, _ in CHOICES), id="export-format")
            yield Static("", id="export-files", markup=False)
            yield Static("", id="export-problem", markup=False)
            yield Static(
                Text("Enter writes · tab, ↑ ↓ choose the format · Escape cancels", style=Style(dim=True)),
                id="export-foot",
            )

    def on_mount(self) -> None:
        self.query_one("#export-problem").display = False
        self.query_one(OptionList).highlighted = 0
        self._show_files()
        self.query_one(Input).focus()

    @property
    def formats(self) -> tuple[str, ...]:
        index = self.query_one(OptionList).highlighted
        return CHOICES[index if index is not None else 0][2]

    def _show_files(self) -> None:
        name = slug_name(self.what.stem)
        files = " and ".join(f"{name}.{f}" for f in self.formats)
        self.query_one("#export-files", Static).update(f"Writes {files} (or {name}-2 …: never over a file)")

    @on(OptionList.OptionHighlighted)
    def _format_changed(self) -> None:
        self._show_files()

    @on(Input.Submitted)
    @on(OptionList.OptionSelected)
    def _write(self) -> None:
        text = self.query_one(Input).value.strip()
        directory = Path(text).expanduser()
        problem = directory_problem(directory) if text else "Type the directory to write in (. is the working one)."
        if problem is None:
            self.dismiss(ExportChoice(directory, self.formats))
            return
        said = self.query_one("#export-problem", Static)
        said.update(problem)
        said.display = True
        self.query_one(Input).focus()

    def action_stay(self) -> None:
        self.notify("Esc closes this dialog; ctrl+q quits kbtui.", timeout=3)

    def action_cancel(self) -> None:
        self.dismiss(None)
