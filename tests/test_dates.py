"""Dates are ISO prefixes and mean intervals of days (kbtui.kb.dates)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kbtui.kb import dates
from kbtui.kb.dates import Span


@pytest.mark.parametrize(
    ("prefix", "first", "last", "precision"),
    [
        ("2024", date(2024, 1, 1), date(2024, 12, 31), "year"),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29), "month"),  # leap year
        ("2023-02", date(2023, 2, 1), date(2023, 2, 28), "month"),
        ("1900-02", date(1900, 2, 1), date(1900, 2, 28), "month"),  # not a leap year
        ("2000-02-29", date(2000, 2, 29), date(2000, 2, 29), "day"),
        ("2024-12", date(2024, 12, 1), date(2024, 12, 31), "month"),
        ("0001-01-01", date(1, 1, 1), date(1, 1, 1), "day"),
    ],
)
def test_a_prefix_is_an_interval(prefix: str, first: date, last: date, precision: str) -> None:
    assert dates.span(prefix) == Span(first, last)
    assert dates.precision(prefix) == precision
    assert dates.is_valid(prefix) and dates.problem(prefix) is None


@pytest.mark.parametrize(
    ("prefix", "reason"),
    [
        ("2024-13", "month 13 does not exist"),
        ("2024-00", "month 00 does not exist"),
        ("2024-02-30", "February 2024 has no day 30 (it has 29)"),
        ("2023-02-29", "February 2023 has no day 29 (it has 28)"),
        ("2024-04-31", "April 2024 has no day 31 (it has 30)"),
        ("2024-05-00", "May 2024 has no day 00"),
        ("0000", "there is no year 0"),
        ("24", "is not an ISO date"),
        ("2024-5", "is not an ISO date"),
        ("2024/05", "is not an ISO date"),
        ("2024\n", "is not an ISO date"),  # `$` in a regex would let the newline through
        ("٢٠٢٤", "is not an ISO date"),  # non-ASCII digits: SQLite's CHECK would refuse them
        ("2024-05-03T10:00", "is not an ISO date"),
        ("", "is not an ISO date"),
    ],
)
def test_impossible_dates_are_refused_with_the_reason(prefix: str, reason: str) -> None:
    assert not dates.is_valid(prefix)
    assert reason in (dates.problem(prefix) or "")
    with pytest.raises(ValueError, match=re.escape(reason)):
        dates.span(prefix)


def test_comparisons_are_interval_overlaps_not_string_order() -> None:
    year, may, may3, june = (dates.span(p) for p in ("2024", "2024-05", "2024-05-03", "2024-06"))
    # as strings "2024" < "2024-05"; as dates the year contains May
    assert year.contains(may) and year.contains(may3) and may.contains(may3)
    assert year.overlaps(may) and may.overlaps(year) and not year.before(may) and not year.after(may)
    assert may.before(june) and june.after(may) and not may.overlaps(june)
    assert not may3.overlaps(june) and may3.before(june)
    assert dates.span("2023").before(may3) and dates.span("2025-01").after(year)


def test_between_allows_open_ends() -> None:
    assert dates.between("2008", None) == Span(date(2008, 1, 1), date.max)
    assert dates.between(None, "2024-05") == Span(date.min, date(2024, 5, 31))
    assert dates.between("2008-03", "2024") == Span(date(2008, 3, 1), date(2024, 12, 31))
    assert dates.between(None, None).contains(dates.span("1990"))


@st.composite
def prefixes(draw: st.DrawFn) -> str:
    day = draw(st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)))
    return day.isoformat()[: draw(st.sampled_from([4, 7, 10]))]


@given(prefixes(), prefixes())
def test_spans_agree_with_the_calendar(a: str, b: str) -> None:
    sa, sb = dates.span(a), dates.span(b)
    assert sa.first <= sa.last
    assert sa.first.isoformat().startswith(a) and sa.last.isoformat().startswith(a)
    if sa.first > date.min:
        assert not (sa.first - timedelta(days=1)).isoformat().startswith(a)
    if sa.last < date.max:
        assert not (sa.last + timedelta(days=1)).isoformat().startswith(a)
    # exactly one of: before, after, overlap
    assert [sa.before(sb), sa.after(sb), sa.overlaps(sb)].count(True) == 1
    assert sa.overlaps(sb) == sb.overlaps(sa) and sa.before(sb) == sb.after(sa)
    # a prefix of another prefix contains it
    if b.startswith(a):
        assert sa.contains(sb)
