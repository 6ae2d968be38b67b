"""`kbtui path` for people: each path as a chain, then its hops, each with
its claim, dates and best quote (shortened; `kbtui cite ID` shows it whole);
the longer alternatives after a line that says where they begin, each
marked with its hops. A module of its own so that `kbtui path --json`
never imports Rich."""

from __future__ import annotations

from rich.text import Text

from kbtui.cli.render import console
from kbtui.kb.paths_between import Hop, Paths
from kbtui.kb.vocab import date_range
from kbtui.safetext import one_line

QUOTE_CHARS = 160  # of the best quote, per hop; the whole of it is `kbtui cite ID`


def _arrow(hop: Hop) -> str:
    """The hop's claim as an arrow in the path's direction: → along the
    claim (holder → organisation), ← against it."""
    words = one_line(hop["claim"]["words"], 120)
    return f" ←{words}— " if hop["reversed"] else f" —{words}→ "


def chain(hops: list[Hop]) -> Text:
    line = Text()
    line.append(one_line(hops[0]["from"]["name"], 120), style="bold")
    for hop in hops:
        line.append(_arrow(hop), style="cyan")
        line.append(one_line(hop["to"]["name"], 120), style="bold")
    return line


def _when(hop: Hop) -> str:
    claim = hop["claim"]
    if claim["kind"] in ("participation", "place"):  # an event's dates
        start, end = claim["start"], claim["end"]
        return f"{start}–{end}" if start and end and end != start else start or end or ""
    return date_range(claim["start"], claim["end"])


def _hop(number: int, hop: Hop) -> list[Text]:
    """The hop, what its claim says (label, type, dates, independent
    sources, id), its best quote, and how that quote stands."""
    claim = hop["claim"]
    facts = []
    if claim["label"] and claim["kind"] != "role":  # (a role's label is its title, already in the words)
        facts.append(("as " if claim["kind"] == "participation" else "") + claim["label"])
    if claim["kind"] in ("participation", "place"):
        facts.append(claim["type"])
    if when := _when(hop):
        facts.append(when)
    n = hop["independent_sources"]
    facts.append(f"{n} independent source{'s' if n != 1 else ''}")
    head = Text(f"{number}) ")
    head.append(one_line(hop["from"]["name"], 120))
    head.append(_arrow(hop), style="cyan")
    head.append(one_line(hop["to"]["name"], 120))
    about = Text(f"{one_line(' · '.join(facts), 300)} · claim {one_line(claim['id'])}", style="dim")
    if claim["disputed"]:
        about.append(" · disputed", style="bold red")
    if not hop["citations"]:
        return [head, about, Text("no citation", style="yellow")]
    best = hop["citations"][0]
    quote = Text(f"[{best['id']}] ", style="bold")
    quote.append(f"“{one_line(best['quote'], QUOTE_CHARS)}”", style="italic")
    source = best["source"]
    quote.append(f" — {one_line(source.get('outlet') or source['title'], 80)}", style="dim")
    how = Text(f"as of {one_line(best['as_of'], 20)}" if best["as_of"] else "undated", style="bold")
    how.append(f" · {one_line(best['stance'], 20)}")
    if best["certainty"] != "stated":
        how.append(f" · {one_line(best['certainty'], 20)}", style="yellow")
    if best["mode"] != "asserts":
        how.append(f" · {one_line(best['mode'], 20)} (not evidence that it is so)", style="bold yellow")
    if best["speaker"]:
        how.append(f" · said by {one_line(best['speaker']['name'], 80)}")
    more = hop["citations_total"] - 1
    if more:
        how.append(f" · {more} more citation{'s' if more != 1 else ''}", style="dim")
    return [head, about, quote, how]


def _indented(text: Text, indent: int) -> None:
    """`text` wrapped to the console, every line indented (a wrapped line
    too, which a prefix of spaces would not do), without trailing blanks."""
    for line in text.wrap(console, max(20, console.width - indent)):
        line.rstrip()
        console.print(Text(" " * indent) + line)


def _hops(n: int) -> str:
    return f"{n} hop{'s' if n != 1 else ''}"


def paths(found: Paths) -> None:
    hops = found["length"]
    shortest = sum(1 for p in found["paths"] if p["length"] == hops)
    longer = len(found["paths"]) - shortest
    total = found["shortest_paths"]
    title = Text()
    title.append(f"{one_line(found['from']['name'], 120)} → {one_line(found['to']['name'], 120)}", style="bold")
    title.append(f": {total:,} shortest path{'s' if total != 1 else ''} of {_hops(hops)}")
    if shortest < total:
        title.append(f", the best {shortest} shown")
    if longer:
        title.append(f", then {longer} longer")
    if found["via"]:
        title.append(f" (via {', '.join(found['via'])})", style="dim")
    if found["as_of"]:
        title.append(f" (as of {found['as_of']})", style="dim")
    console.print(title)
    for i, p in enumerate(found["paths"], 1):
        console.print()
        if p["length"] > hops and i == shortest + 1:
            console.print(Text(f"longer alternatives (up to {_hops(found['max_hops'])})", style="bold"))
            console.print()
        line = Text(f"{i}. ", style="bold")
        if p["length"] > hops:  # the shortest ones' length is in the title
            line.append(f"[{_hops(p['length'])}] ", style="bold")
        line.append_text(chain(p["hops"]))
        console.print(line)
        for n, hop in enumerate(p["hops"], 1):
            head, *rest = _hop(n, hop)
            _indented(head, 3)
            for text in rest:
                _indented(text, 6)
    console.print()
    if found["longer_cut_short"]:
        console.print(
            Text(
                "the search for longer paths stopped at its budget: one not listed may exist (--via narrows it)",
                style="yellow",
            )
        )
    console.print(Text("`kbtui cite ID` shows a quote [ID] in its paragraph", style="dim"))
