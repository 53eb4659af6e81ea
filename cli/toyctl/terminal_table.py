"""Toys as a table on a terminal (rich): what gives way when the terminal is narrow.

An id is never shortened (a cut id copied from the screen finds nothing); nor are statuses,
counts, ages and times. The free-text columns — names, the designer, the manufacturer, the
last run — give way first, down to a few characters and an ellipsis. When even that does not
fit, the table keeps its width and the terminal wraps the lines, as kubectl's do: no column
is ever dropped, `-o wide` keeps every column of the table and its own. Widths are worked out
here and given to rich as they are, so that rich's own shrinking never decides.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.cells import cell_len

# The columns that may give way, and how narrow they may get.
SHRINKABLE = frozenset({"NAME", "DESIGNER", "MANUFACTURER", "LAST RUN"})
MIN_SHRUNK = 8
GAP = 2  # between columns: rich's padding for a borderless table


def widths(headers: Sequence[str], naturals: Sequence[int], room: int) -> list[int]:
    """Each column's width: its natural one, but the shrinkable ones share what `room`
    leaves after the others (each at least its header and MIN_SHRUNK, or its natural width
    if less)."""
    fixed = sum(n for h, n in zip(headers, naturals, strict=True) if h not in SHRINKABLE)
    shrinkable = [i for i, h in enumerate(headers) if h in SHRINKABLE]
    left = room - fixed - GAP * (len(headers) - 1)
    result = list(naturals)
    # Water-filling: the narrowest wants are met first, the rest share what remains.
    for served, index in enumerate(sorted(shrinkable, key=lambda i: naturals[i])):
        share = left // (len(shrinkable) - served)
        least = min(naturals[index], max(MIN_SHRUNK, cell_len(headers[index])))
        result[index] = max(min(naturals[index], share), least)
        left -= result[index]
    return result


def toy_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> tuple[Any, int]:
    """A rich Table of `rows` (strings or rich Texts) for the terminal, and its width."""
    from rich.console import Console
    from rich.table import Table

    naturals = [
        max([cell_len(header), *(cell_len(_plain(row[index])) for row in rows)])
        for index, header in enumerate(headers)
    ]
    chosen = widths(headers, naturals, Console().width)
    table = Table(box=None, show_edge=False, pad_edge=False, header_style="bold", expand=False)
    for header, width in zip(headers, chosen, strict=True):
        if header in SHRINKABLE:
            table.add_column(header, no_wrap=True, overflow="ellipsis", width=width)
        else:  # never cut: its width is its widest cell's
            table.add_column(header, no_wrap=True, overflow="fold", width=width)
    for row in rows:
        table.add_row(*row)
    return table, sum(chosen) + GAP * (len(headers) - 1)


def _plain(cell: Any) -> str:
    return cell if isinstance(cell, str) else str(getattr(cell, "plain", cell))


def console_for(width: int) -> Any:
    """A console as wide as the terminal, or as the table if that is wider (the terminal
    then wraps its lines)."""
    from rich.console import Console

    console = Console(soft_wrap=True)
    return console if console.width >= width else Console(soft_wrap=True, width=width)
