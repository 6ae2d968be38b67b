"""How evidence reads: when a claim is attested, and what each citation
is (its date, stance, certainty, mode and speaker), in words.

A role's standing is derived from its dated evidence, never shown as a
bare "current": the sources say "current" at their dates, and a claim last
attested years ago is not known to hold today. `today` is handed in (the
app's clock, fixed in tests), so these stay pure functions of their input.

Pure (rich and the Look only): the entity pane's rows, the evidence pane,
the source viewer and the conflicts view all read their words from here.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text

from kbtui.kb import dates
from kbtui.kb.models import Citation, Evidence, Role
from kbtui.tui.clip import shown
from kbtui.tui.look import Look

# evidence older than this (before the app's today) says "last attested"
# rather than "as of": a year-old "current" is a lead, not a fact
STALE_DAYS = 365

CERTAINTY_WORDS = {
    "reported": "reported (relayed)",
    "likely": "likely (hedged)",
    "inferred": "inferred (not said outright)",
}
MODE_WORDS = {
    "denies": "denial — evidence against",
    "demands": "demand — not evidence it is so",
    "predicts": "prediction — not evidence it is so",
}


def days_since(prefix: str | None, today: str) -> int | None:
    """Days from the last day `prefix` may mean to `today` (None: undated)."""
    if not prefix or not dates.is_valid(prefix) or not dates.is_valid(today):
        return None
    return (dates.span(today).last - dates.span(prefix).last).days


def ago(days: int) -> str:
    """'12 days', '8 months', '2.6 years'."""
    if days < 60:
        return f"{days} day{'s' if days != 1 else ''}"
    if days < 730:
        return f"{round(days / 30.44)} months"
    return f"{days / 365.25:.1f} years"


def asserting(claim: Evidence) -> int:
    """How many citations are evidence that the claim is so: they support
    or qualify it and assert it (a demand, a forecast, a denial or a
    contradiction is not; kbtui.kb.attest counts the same way)."""
    return sum(1 for c in claim.get("citations") or [] if c["stance"] != "contradicts" and c["mode"] == "asserts")


def trouble(claim: Evidence) -> str | None:
    """Why a claim needs care, in one word: disputed (the KB knows it is
    wrong or contested), conflict (another claim says otherwise) or
    contradicted (one of its own citations says otherwise)."""
    if claim.get("disputed"):
        return "disputed"
    if claim.get("contested"):  # a conflict settled against the other side is no trouble
        return "conflict"
    if any(c["stance"] == "contradicts" for c in claim.get("citations") or []):
        return "contradicted"
    return None


def with_trouble(text: Text, claim: Evidence, look: Look) -> Text:
    word = trouble(claim)
    if word:
        text.append(f" ⚠ {word}", style=look.fg("warning", bold=True))
    return text


def standing(role: Role, look: Look, today: str) -> Text:
    """A role's standing for the roles table: the status the sources state,
    at the date they state it, never a bare "current".

    ● as of 2024-05-03        current, attested within a year of today
    ◌ last attested 2024-05-03 current at its sources' dates, not since
    ○ former by 2024-05-03    the sources call it former (over by then)
    ? attested 2021…2024      the sources do not say whether it lasts
    ● undated                 no citation is dated
    ✗ not attested            no citation asserts it (only demands, denials...)
    """
    status, first, last = role["status"], role["attested"]["first"], role["attested"]["last"]
    end = role["end"]
    if role["citations"] and not asserting(role):
        text = Text("✗ not attested", style=look.fg("warning", bold=True))
    elif status == "former" or (end and (days_since(end, today) or 0) > 0):
        when = f" by {first}" if first else ""
        text = Text(f"○ former{when}" if not end else f"○ ended {end}", style=Style(dim=True))
        if not first and not end:
            text.append(", undated", style=Style(dim=True, italic=True))
    elif status == "current":
        if last is None:
            text = Text("● undated", style=look.fg("warning"))
        elif (days_since(last, today) or 0) > STALE_DAYS:
            text = Text(f"◌ last attested {last}", style=look.fg("warning"))
        else:
            text = Text(f"● as of {last}", style=look.fg("success", bold=True))
    elif first:
        span = first if first == last else f"{first}…{last}"
        text = Text(f"? attested {span}", style=Style(italic=True))
    else:
        text = Text("? undated", style=Style(dim=True, italic=True))
    return with_trouble(text, role, look)


def attested_words(claim: Evidence) -> str:
    """'2024-05-03', '2021-03-09…2024-05-03', 'undated' or 'not attested'."""
    first, last = claim["attested"]["first"], claim["attested"]["last"]
    if claim["citations"] and not asserting(claim):
        return "not attested"
    if not first:
        return "undated"
    return first if first == last or not last else f"{first}…{last}"


def attestation(claim: Evidence, look: Look, today: str) -> Text:
    """The evidence pane's first line about a claim: 'attested 2021-03-09 …
    2024-05-03 (2.6 years ago) · 2 independent sources'."""
    first, last = claim["attested"]["first"], claim["attested"]["last"]
    text = Text()
    if first and last:
        text.append("attested ", style=Style(dim=True))
        text.append(first if first == last else f"{first} … {last}", style=Style(bold=True))
        gap = days_since(last, today)
        if gap is not None and gap > 0:
            text.append(f" ({ago(gap)} ago)", style=look.fg("warning") if gap > STALE_DAYS else Style(dim=True))
    elif not claim["citations"]:
        text.append("no evidence", style=look.fg("warning"))
    elif not asserting(claim):
        text.append("no citation asserts it is so", style=look.fg("warning", bold=True))
    else:
        text.append("no dated evidence", style=look.fg("warning"))
    n = claim.get("independent_sources", 0)
    text.append(f" · {n} independent source{'s' if n != 1 else ''}", style=Style(dim=True))
    return text


def dissent(claim: Evidence, look: Look) -> Text | None:
    """'✗ 1 of 6 citations contradicts it · ± 1 qualifies it', or None when
    every citation supports the claim."""
    cites = claim.get("citations") or []
    against = sum(1 for c in cites if c["stance"] == "contradicts")
    partly = sum(1 for c in cites if c["stance"] == "qualifies")
    if not against and not partly:
        return None
    parts = []
    if against:
        verb = "contradicts" if against == 1 else "contradict"
        parts.append(Text(f"✗ {against} of {len(cites)} citations {verb} it", style=look.fg("error", bold=True)))
    if partly:
        verb = "qualifies" if partly == 1 else "qualify"
        parts.append(Text(f"± {partly} {verb} it", style=look.fg("warning", bold=True)))
    return Text(" · ").join(parts)


def stance_text(stance: str, look: Look) -> Text:
    if stance == "contradicts":
        return Text("✗ contradicts", style=look.fg("error", bold=True) + Style(reverse=True))
    if stance == "qualifies":
        return Text("± qualifies", style=look.fg("warning", bold=True))
    return Text(shown(stance, 40), style=Style(dim=True))


def citation_facts(
    cite: Citation, look: Look, speaker_meta: dict[str, object] | None = None, note_max: int = 70
) -> Text:
    """One citation's date, stance, certainty, mode and speaker:
    'as of 2024-04 (last month …) · supports · reported (relayed) · said by Wang Yi'.
    'stated' and 'asserts' (the usual) are left unsaid. A speaker that is
    an entity is drawn as a link, carrying `speaker_meta` for a click."""
    text = Text()
    if cite["as_of"]:
        text.append(f"as of {cite['as_of']}", style=Style(bold=True))
        if cite.get("as_of_note"):
            text.append(f" ({shown(cite['as_of_note'], note_max)})", style=Style(dim=True))
    else:
        text.append("undated", style=look.fg("warning"))
        if cite.get("as_of_note"):
            text.append(f": {shown(cite['as_of_note'], note_max)}", style=Style(dim=True))
    text.append(" · ", style=Style(dim=True))
    text.append_text(stance_text(cite["stance"], look))
    if cite["certainty"] != "stated":
        text.append(" · ", style=Style(dim=True))
        text.append(CERTAINTY_WORDS.get(cite["certainty"], shown(cite["certainty"])), style=look.fg("warning"))
    if cite["mode"] != "asserts":
        text.append(" · ", style=Style(dim=True))
        text.append(MODE_WORDS.get(cite["mode"], shown(cite["mode"])), style=look.fg("warning", bold=True))
    speaker = cite.get("speaker")
    if speaker:
        text.append(" · said by ", style=Style(dim=True))
        if speaker["id"]:
            link = look.link(speaker["name"], 60)
            if speaker_meta:
                link.stylize(Style.from_meta(speaker_meta))
            text.append_text(link)
        else:
            text.append(shown(speaker["name"], 80), style=Style(bold=True))
    return text
