"""The neighbours view's rows: each entity one or two hops from the one
asked about, most linked first, with how it is linked (a second-hop one:
through which first-hop entity). Pure functions of kbtui.kb.neighbours'
dicts and a Look, like claim_rows.
"""

from __future__ import annotations

from typing import Any

from rich.style import Style
from rich.text import Text

from kbtui.kb.models import Evidence
from kbtui.tui.clip import shown
from kbtui.tui.look import Look
from kbtui.tui.widgets.claim_rows import NAME_MAX, Cell, Columns, RowInfo, TableRow

COLUMNS: Columns = ["Neighbour", "Kind", "Hop", "How", "Links"]
PROSE = frozenset({"Neighbour", "How"})
EXPORT_HEADER = ["entity_id", "entity", "kind", "hop", "how", "through_id", "through", "claim_id", "links"]
HOW_SHOWN = 3  # ways of a link named in a row; the evidence pane shows the first's claim


def _how(links: list[dict[str, Any]]) -> str:
    """ "took part in; ← advises", or for a second hop "via Chen Wenqing: took part in"."""
    parts = []
    for link in links[:HOW_SHOWN]:
        through = link.get("through")
        reads = shown(link["reads"], 60)
        parts.append(f"via {shown(through['name'], NAME_MAX)}: {reads}" if through else reads)
    return "; ".join(dict.fromkeys(parts))


def rows(found: dict[str, Any], evidence: dict[str, Evidence], look: Look) -> list[TableRow]:
    me = found["entity"]
    out: list[TableRow] = []
    for n in found["neighbours"]:
        entity, links = n["entity"], n["links"]
        first = links[0] if links else None
        claim = evidence.get(first["claim"]["id"]) if first else None
        through = first.get("through") if first else None
        how = _how(links)
        cells: list[Cell] = [
            look.link(entity["name"], NAME_MAX),
            Text(shown(entity.get("kind") or "", 20)),
            Text(str(n["hop"]), style=Style(dim=n["hop"] == 2)),
            Text(how),
            Text(f"{n['link_count']:,}"),
        ]
        summary = f"{me['name']} — {how} — {entity['name']}" if n["hop"] == 1 else f"{how} — {entity['name']}"
        out.append(
            (
                cells,
                RowInfo(
                    claim=claim,
                    summary=summary,
                    link=(entity["id"], entity["name"]),
                    cell_links={0: (entity["id"], entity["name"])},
                    export=[
                        entity["id"],
                        entity["name"],
                        entity.get("kind"),
                        n["hop"],
                        how,
                        through["id"] if through else None,
                        through["name"] if through else None,
                        first["claim"]["id"] if first else None,
                        n["link_count"],
                    ],
                ),
            )
        )
    return out
