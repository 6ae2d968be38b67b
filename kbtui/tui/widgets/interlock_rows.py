"""Interlocks as table rows: on an organisation's pane, the bodies it
shares people with (Enter opens who links the two); in the interlocks
view, each person's ties to either side, every tie a cited claim.
Pure functions of kbtui.kb.interlocks' dicts and a Look, like claim_rows.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text

from kbtui.kb.models import Evidence
from kbtui.kb.vocab import date_range
from kbtui.tui.clip import shown
from kbtui.tui.look import Look, plural
from kbtui.tui.widgets.claim_rows import NAME_MAX, Cell, Columns, RowInfo, TableRow

SECTION_COLUMNS: Columns = ["Organisation", "Kind", "People", "Who"]
PAIR_COLUMNS: Columns = ["Person", "Tied to", "Tie", "Status", "Dates", "Cites"]
PAIR_PROSE = frozenset({"Person", "Tied to", "Tie"})
PAIR_EXPORT = [
    "person_id",
    "person",
    "organisation_id",
    "organisation",
    "claim_id",
    "kind",
    "tie",
    "status",
    "start",
    "end",
]


def section(shared: dict[str, Any], look: Look) -> tuple[Columns, list[TableRow]]:
    """The pane's table: one row per organisation interlocked with this one,
    most people shared first."""
    me = shared["organisation"]
    rows: list[TableRow] = []
    for row in shared["interlocks"]:
        other, people = row["organisation"], row["people"]
        names = ", ".join(shown(p["name"], NAME_MAX) for p in people)
        if row["count"] > len(people):
            names += f" and {row['count'] - len(people):,} more"
        cells: list[Cell] = [
            look.link(other["name"], NAME_MAX),
            Text(shown(other.get("kind") or "", 20)),
            Text(f"{row['count']:,}"),
            Text(names),
        ]
        info = RowInfo(
            summary=f"{me['name']} and {other['name']} share {plural(row['count'], 'person', 'people')}",
            hint="Not a claim: press Enter for who links them, each tie with its evidence.",
            cell_links={0: (other["id"], other["name"])},
            interlock=(me["id"], me["name"], other["id"], other["name"]),
            # the names as stored (the cell's are made safe to show, and cut)
            export=[
                other["id"],
                other["name"],
                other.get("kind"),
                row["count"],
                "; ".join(p["name"] for p in people),
            ],
        )
        rows.append((cells, info))
    return SECTION_COLUMNS, rows


def pair_rows(found: dict[str, Any], evidence: dict[str, Evidence], look: Look) -> list[TableRow]:
    """The interlocks view's rows: for each person, each tie to either
    organisation (a role held there, a relation with it), with its claim
    for the evidence pane; Enter opens the person."""
    rows: list[TableRow] = []
    for person in found["people"]:
        who = person["entity"]
        first = True
        for side in ("a", "b"):
            org = found[side]
            for tie in person["ties"][side]:
                claim = tie["claim"]
                record = evidence.get(claim["id"])
                disputed = record.get("disputed") if record is not None else None
                label = shown(claim["label"], NAME_MAX)
                what = Text(label if claim["kind"] == "role" else f"{label} (relation)")
                cells: list[Cell] = [
                    look.link(who["name"], NAME_MAX) if first else Text(""),
                    Text(shown(org["name"], NAME_MAX)),
                    what,
                    # (a relation has no status: it holds as long as its dates say)
                    look.status(tie["status"], disputed) if claim["kind"] == "role" else Text(""),
                    Text(date_range(tie["start"], tie["end"], tie["status"])),
                    Text(str(tie["citations"])),
                ]
                first = False
                rows.append(
                    (
                        cells,
                        RowInfo(
                            claim=record,
                            summary=f"{who['name']}: {claim['label']}, {org['name']}",
                            link=(who["id"], who["name"]),
                            cell_links={0: (who["id"], who["name"])},
                            export=[
                                who["id"],
                                who["name"],
                                org["id"],
                                org["name"],
                                claim["id"],
                                claim["kind"],
                                claim["label"],
                                tie["status"],
                                tie["start"],
                                tie["end"],
                            ],
                        ),
                    )
                )
    return rows
