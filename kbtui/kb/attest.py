"""When a claim is attested, and what that says about a date.

A citation is evidence *as of* a date (its source's date, or the date its
quote speaks of). A claim's attestation window runs from the earliest to the
latest as-of date of the citations that support (or qualify) it and assert
it: a contradiction, a demand or a forecast is not evidence that something
is so. `role_state` answers "was this role held at DATE?" from the role's
own start and end when the sources give them, and from that window when
they do not, never from the bare word "current".

Pure functions over ISO prefixes (kbtui.kb.dates), no database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from kbtui.kb import dates

RoleState = Literal["held", "disputed", "last-attested", "ended", "not-yet-attested", "undated"]
# the order a roles listing at a date shows them in: what was true first
STATE_ORDER: dict[str, int] = {
    "held": 0,
    "disputed": 1,
    "last-attested": 2,
    "ended": 3,
    "not-yet-attested": 4,
    "undated": 5,
}


@dataclass(frozen=True)
class Dated:
    """What attestation needs of one citation."""

    as_of: str | None
    stance: str
    mode: str


def is_evidence(c: Dated) -> bool:
    """Evidence that the claim is so: supports or qualifies it, and asserts."""
    return c.stance != "contradicts" and c.mode == "asserts"


def window(citations: Iterable[Dated]) -> tuple[str | None, str | None]:
    """(first, last): the as-of dates whose spans start earliest and end
    latest among the evidence; (None, None) when none of it is dated."""
    dated = [c.as_of for c in citations if c.as_of and is_evidence(c) and dates.is_valid(c.as_of)]
    if not dated:
        return None, None
    first = min(dated, key=lambda d: (dates.span(d).first, -len(d)))
    last = max(dated, key=lambda d: (dates.span(d).last, len(d)))
    return first, last


def contradicted_by(citations: Iterable[Dated], at: dates.Span) -> bool:
    """A contradicting citation dated no later than `at` (or undated)."""
    return any(
        c.stance == "contradicts" and (not c.as_of or not dates.is_valid(c.as_of) or not dates.span(c.as_of).after(at))
        for c in citations
    )


@dataclass(frozen=True)
class Verdict:
    state: RoleState
    # for last-attested: days from the last evidence to the date asked about
    days_before: int | None = None


def role_state(
    at: str,
    start: str | None,
    end: str | None,
    status: str,
    first: str | None,
    last: str | None,
    disputed: bool = False,
) -> Verdict:
    """Was the role held at `at`? Every date is an interval, so a date that
    overlaps the role's span counts as inside it ("2024" overlaps a role
    that started 2024-05), and "before" means wholly before."""
    day = dates.span(at)
    begun = dates.span(start) if start and dates.is_valid(start) else None
    over = dates.span(end) if end and dates.is_valid(end) else None
    seen_first = dates.span(first) if first else None
    seen_last = dates.span(last) if last else None

    if over and day.after(over):
        return Verdict("ended")
    opening = begun or (None if status == "former" else seen_first)
    if opening and day.before(opening):
        return Verdict("not-yet-attested")
    if status == "former" and not over:
        # the sources call it former at their dates: over by then
        if seen_first and not day.before(seen_first):
            return Verdict("ended")
        if begun:  # begun by `at`, known over later, end unknown
            return Verdict("last-attested", (day.first - begun.last).days if day.after(begun) else 0)
        return Verdict("not-yet-attested" if seen_first else "undated")
    if opening is None:
        return Verdict("undated")
    if not over:
        # an open end is held only as far as the evidence reaches
        reach = seen_last or begun
        if reach is not None and day.after(reach):
            return Verdict("last-attested", (day.first - reach.last).days)
    return Verdict("disputed" if disputed else "held")


def describe(status: str, first: str | None, last: str | None, at: dict[str, object] | None = None) -> str:
    """A role's standing in words, for tables and panes: the date it was
    last attested rather than a bare "current", which would go on being
    "current" long after the sources stopped saying so."""
    if at is not None:
        state, date = str(at["state"]), str(at["date"])
        if state == "last-attested":
            gap = at.get("days_before")
            return f"last attested {last or '?'}" + (f" ({_span_words(int(str(gap)))} before)" if gap else "")
        if state == "not-yet-attested":
            return f"not yet attested at {date}" + (f" (first {first})" if first else "")
        if state == "ended":
            return f"ended by {date}"
        return {"held": f"held at {date}", "disputed": f"disputed at {date}"}.get(state, "undated")
    if status == "former":
        return f"former by {first}" if first else "former"
    if status == "current":
        return f"as of {last}" if last else "current (undated)"
    return f"attested {first}" + (f"…{last}" if last != first else "") if first else "undated"


def _span_words(days: int) -> str:
    if days < 60:
        return f"{days} days"
    if days < 730:
        return f"{round(days / 30.44)} months"
    return f"{days / 365.25:.1f} years"
