"""`kbtui conflicts REF`: where the sources disagree about one entity, each
disagreement as two columns side by side (a conflict's two claims; a
disputed claim's quotes for and against; an erratum's words in error and
what is right), every quote with its citation number for `kbtui cite`."""

from __future__ import annotations

from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text

from kbtui.cli.render import T, console, evidence_line
from kbtui.kb.disagreement import SIDE_TITLES, Disagreements, Pair, Side, count_of, words
from kbtui.safetext import one_line

QUOTE_MAX = 240


def _side(side: Side) -> Group:
    lines: list[Text] = [Text(one_line(side["heading"], 400), style="bold")] if side["heading"] else []
    if side["disputed"]:
        lines.append(Text("⚠ marked disputed: ", style="bold yellow") + T(side["disputed"]))
    x = side["erratum"]
    if x is not None:
        words = Text("its words: ", style="dim") + T(f"“{one_line(x['quote'], QUOTE_MAX)}”", "italic red")
        words.append(f" — {one_line(x['source']['outlet'] or x['source']['title'], 60)}", style="dim")
        lines.append(words)
    for cite in side["citations"]:
        quote = Text(f"[{cite['id']}] ", style="dim") + T(f"“{one_line(cite['quote'], QUOTE_MAX)}”", "italic")
        quote.append(f" — {one_line(cite['source']['outlet'] or cite['source']['title'], 60)}", style="dim")
        lines.append(quote)
        lines.append(Text("  ") + evidence_line(cite))
    if not side["citations"] and x is None:
        lines.append(Text("no quote on this side", style="dim italic"))
    return Group(*lines)


def entity_disagreements(found: Disagreements, pairs: list[Pair]) -> None:
    name = one_line(found["entity"]["name"], 120)
    if not pairs:
        console.print(Text(f"the sources agree about {name}: no conflicts, disputed claims or errata", style="dim"))
        return
    head = Text(f"Where the sources disagree about {name}: ", style="bold") + Text(words(count_of(found)))
    console.print(head)
    for n, pair in enumerate(pairs, 1):
        left, right = SIDE_TITLES.get(pair["kind"], ("", ""))
        table = Table(box=box.SIMPLE_HEAD, expand=True, show_edge=False, pad_edge=False)
        table.add_column(left, ratio=1, style="", header_style="bold cyan")
        table.add_column(right, ratio=1, style="", header_style="bold cyan")
        table.add_row(_side(pair["sides"][0]), _side(pair["sides"][1]))
        console.print()
        console.print(Text(f"{pair['kind']} {n}: ", style="bold red") + T(one_line(pair["note"], 600)))
        console.print(table)
