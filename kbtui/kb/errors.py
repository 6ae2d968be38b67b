"""Errors a user can cause and fix. The CLI prints them as one line."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kbtui.kb.models import SearchHit


class KBError(Exception):
    """A problem the user can act on. `exit_code` follows the CLI contract:
    1 for a failed query, check or lookup; 2 for bad usage or an unusable
    database."""

    exit_code = 1

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class UnusableDatabase(KBError):
    """The file is missing, not SQLite, not a kbtui KB, or the wrong version."""

    exit_code = 2


class NotFound(KBError):
    """A lookup (entity, citation, source) found nothing or too much."""

    def __init__(self, message: str, hint: str = "", candidates: list[SearchHit] | None = None):
        super().__init__(message, hint)
        self.candidates = candidates or []


class QueryError(KBError):
    """A scripted SQL query failed: syntax, a write attempt, time limit."""


class ImportFailed(KBError):
    """A bundle could not be imported; nothing was written."""

    exit_code = 1
