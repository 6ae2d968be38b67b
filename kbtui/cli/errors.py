"""How the CLI fails: one line on stderr (what is wrong; what to do) and an
exit code, never a traceback for something the user or the file caused.

Exit codes: 1 a failed query, check or lookup; 2 bad usage or an unusable
database. `handles_errors` wraps every command.
"""

from __future__ import annotations

import functools
import os
import sqlite3
import sys
from collections.abc import Callable
from typing import NoReturn, ParamSpec, TypeVar

import click

from kbtui.kb import db as kbdb
from kbtui.kb.errors import ImportFailed, KBError, NotFound
from kbtui.safetext import one_line, visible

P = ParamSpec("P")
R = TypeVar("R")


def fail(message: str, hint: str = "", code: int = 1, lines: bool = False) -> NoReturn:
    """One line on stderr: what is wrong, then what to do. Messages quote
    paths, names and SQL, so control characters in them are made visible,
    a newline too (a file name may hold one) unless the message is a list
    of problems, one a line (`lines`)."""
    message, hint = visible(message), one_line(hint)
    if not lines:
        message = message.replace("\n", "\\n")
    if hint and "\n" not in message:
        click.echo(f"kbtui: {message}; {hint}", err=True)
    else:  # a list of problems (import): the hint after them
        click.echo(f"kbtui: {message}", err=True)
        if hint:
            click.echo(f"  hint: {hint}", err=True)
    sys.exit(code)


def db_path_in_use() -> str | None:
    """The KB the running command reads (from the root context), if any."""
    ctx = click.get_current_context(silent=True)
    while ctx is not None:
        if ctx.obj and ctx.obj.get("db"):
            return str(ctx.obj["db"])
        ctx = ctx.parent
    return None


def _db_name() -> str:
    return db_path_in_use() or "the database"


def handles_errors(fn: Callable[P, R]) -> Callable[P, R | None]:
    """Turn user-caused errors into one message and an exit code."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R | None:
        try:
            result = fn(*args, **kwargs)
            sys.stdout.flush()  # a full disk shows here, while we can still say so
            return result
        except NotFound as exc:
            for c in exc.candidates:
                click.echo("  " + "\t".join(one_line(str(c[k])) for k in ("id", "kind", "name")), err=True)
            fail(exc.message, exc.hint, exc.exit_code)
        except KBError as exc:
            fail(exc.message, exc.hint, exc.exit_code, lines=isinstance(exc, ImportFailed))
        except sqlite3.DatabaseError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                fail(f"{_db_name()}: is locked by another program ({exc})", "wait for it to finish and try again", 2)
            if "interrupted" in str(exc):
                fail(
                    f"{_db_name()}: reading it took longer than the {kbdb.read_timeout():g} s time limit; stopped",
                    "run `kbtui check` (a file made to loop is refused there); raise the limit with KBTUI_TIMEOUT",
                    2,
                )
            if "out of memory" in str(exc):
                fail(
                    f"{_db_name()}: a query needed more than {kbdb.HEAP_LIMIT_BYTES >> 30} GiB of memory; stopped",
                    "select less, or run `kbtui check` on the file",
                    2,
                )
            fail(f"{_db_name()}: could not be read ({exc})", "run `kbtui check`; the file may be damaged", 2)
        except MemoryError:
            fail("out of memory; stopped", "select less, or raise the machine's memory limit", 2)
        except RecursionError:
            fail("input nested too deeply; stopped", "flatten the input", 2)
        except UnicodeEncodeError as exc:
            bad = exc.object[exc.start : exc.end]
            if any("\udc80" <= ch <= "\udcff" for ch in bad):
                # bytes from the command line that are not UTF-8 (Python
                # smuggles them in as lone surrogates); SQLite takes UTF-8 only
                fail(
                    f"an argument is not valid UTF-8 text (bytes {os.fsencode(bad)!r})",
                    "pass names, queries and paths as UTF-8",
                    2,
                )
            fail(
                f"this terminal's encoding ({exc.encoding}) cannot show {bad!r}",
                "use a UTF-8 locale, set PYTHONIOENCODING=utf-8, or use --json",
                2,
            )
        except (TypeError, ValueError, AttributeError):  # after UnicodeEncodeError, a ValueError
            mistyped = _mistyped_values()
            if not mistyped:
                raise  # a bug in kbtui, not in the file: keep the traceback
            fail(
                f"{_db_name()}: holds values of the wrong type ({mistyped})",
                "the file was changed outside kbtui; run `kbtui check`, or rebuild it with `kbtui import`",
                2,
            )
        except BrokenPipeError:
            sys.stderr.close()  # `kbtui ... | head` is not an error
        except OSError as exc:
            # output to a full disk (> /dev/full), a name the OS refuses
            # (too long, ENAMETOOLONG): one line, not a traceback
            where = f" ({visible(str(exc.filename))[:120]})" if exc.filename else ""
            fail(f"{exc.strerror or exc}{where}", "check the output device and the path", 2)
        return None

    return wrapper


def _mistyped_values() -> str:
    """After a TypeError or ValueError: if the KB holds values of the wrong
    SQLite type (a BLOB where text belongs), name the first; else ""."""
    path = db_path_in_use()
    if not path:
        return ""
    from kbtui.kb import check as kbcheck

    try:
        conn = kbdb.connect_readonly(path)
    except (KBError, sqlite3.Error):
        return ""
    try:
        found = kbcheck.wrong_types(conn)
    except sqlite3.Error:
        return ""
    finally:
        conn.close()
    return f"{found[0].where}: {found[0].message}" if found else ""
