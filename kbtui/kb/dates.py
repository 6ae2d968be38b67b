"""Dates as the KB holds them: ISO 8601 prefixes of three precisions.

"2024" means some day in 2024, "2024-05" some day in May 2024, "2024-05-03"
that day. So a date is an interval of days, and questions about dates are
questions about intervals: "was a role held on 2024-05?" asks whether the
role's span overlaps May 2024, and "2024" is neither before nor after
"2024-05" (it contains it). Comparing the strings instead (as SQL's `>=`
would) puts "2024" before "2024-05", which is wrong as often as it is right.

This module is the one place that turns prefixes into intervals; it is pure
(no database), so it can also be registered as SQL functions later.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Literal

from kbtui.kb.vocab import ISO_PREFIX

Precision = Literal["year", "month", "day"]


@dataclass(frozen=True)
class Span:
    """The days a date prefix may mean, both ends included."""

    first: date
    last: date

    def overlaps(self, other: Span) -> bool:
        return self.first <= other.last and other.first <= self.last

    def before(self, other: Span) -> bool:
        """Wholly before `other`: every day of self precedes every day of it."""
        return self.last < other.first

    def after(self, other: Span) -> bool:
        return other.last < self.first

    def contains(self, other: Span) -> bool:
        return self.first <= other.first and other.last <= self.last


def precision(prefix: str) -> Precision:
    size = len(_checked_shape(prefix))
    return "year" if size == 4 else "month" if size == 7 else "day"


@lru_cache(maxsize=1 << 16)  # a KB has few distinct dates and reads them per role
def span(prefix: str) -> Span:
    """The interval `prefix` stands for. ValueError (with the reason) for
    anything that is not a real year, month or day: '2024-13', '2024-02-30'
    and '0000' are refused, as is any other shape."""
    text = _checked_shape(prefix)
    year = int(text[:4])
    if year < 1:
        raise ValueError(f"{prefix!r}: there is no year 0")
    if len(text) == 4:
        return Span(date(year, 1, 1), date(year, 12, 31))
    month = int(text[5:7])
    if not 1 <= month <= 12:
        raise ValueError(f"{prefix!r}: month {month:02d} does not exist")
    days = calendar.monthrange(year, month)[1]
    if len(text) == 7:
        return Span(date(year, month, 1), date(year, month, days))
    day = int(text[8:10])
    if not 1 <= day <= days:
        raise ValueError(f"{prefix!r}: {calendar.month_name[month]} {year} has no day {day:02d} (it has {days})")
    return Span(date(year, month, day), date(year, month, day))


def is_valid(prefix: str) -> bool:
    """A real date at year, month or day precision."""
    try:
        span(prefix)
    except ValueError:
        return False
    return True


def problem(prefix: str) -> str | None:
    """What is wrong with `prefix` as a date, in words, or None."""
    try:
        span(prefix)
    except ValueError as exc:
        return str(exc)
    return None


def between(start: str | None, end: str | None) -> Span:
    """The days from `start` to `end`, either end open (None): from the first
    day `start` may mean to the last day `end` may mean."""
    return Span(span(start).first if start else date.min, span(end).last if end else date.max)


def _checked_shape(prefix: str) -> str:
    if not isinstance(prefix, str) or not ISO_PREFIX.fullmatch(prefix):
        raise ValueError(f"{prefix!r} is not an ISO date (YYYY, YYYY-MM or YYYY-MM-DD)")
    return prefix
