"""How `toyctl list -w` and `get -w` show a watch: on a terminal a table redrawn in place with
a line saying what changed last; elsewhere one line per event (JSON lines with -o json, ids
with -o name, table rows otherwise), flushed at once so that a pipe sees each event as it
happens."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from typing import Any

from toyctl.errors import ExitCode, ToyctlError
from toyctl.options import Output
from toyctl.render import HEADERS, WIDE_HEADERS, columns, status_name, toy_document
from toyctl.watch_stream import Update
from toys.text import escaped

# Row widths of the columns whose width is known (an id, a status); others take their header's.
_KNOWN_WIDTHS = {"ID": 36, "STATUS": 9, "MADE": 4, "UPDATED": 7}


class EventLines:
    """One line per event, for pipes and files."""

    def __init__(self, output: Output) -> None:
        if output is Output.YAML:
            raise ToyctlError(ExitCode.USAGE, "a watch prints json, name, table or wide lines")
        self._output = output
        self._headers = ["EVENT", *(WIDE_HEADERS if output is Output.WIDE else HEADERS)]
        self._widths = [max(len(h), _KNOWN_WIDTHS.get(h, 8)) for h in self._headers]
        self._header_done = False

    def show(self, update: Update) -> None:
        line = self._line(update)
        if line is not None:
            sys.stdout.write(line + "\n")
            sys.stdout.flush()

    def _line(self, update: Update) -> str | None:
        if self._output is Output.JSON:
            document: dict[str, Any] = {
                "type": update.kind,
                "toy": toy_document(update.toy) if update.toy is not None else None,
                "resumeToken": update.resume_token,
            }
            return json.dumps(document, ensure_ascii=False)
        if update.toy is None:  # SYNCED: nothing to show in a table or a list of names
            return None
        if self._output is Output.NAME:
            return update.toy.id
        row = [update.kind, *columns(update.toy, self._output is Output.WIDE, datetime.now(UTC))]
        text = self._row(row)
        if not self._header_done:
            self._header_done = True
            return f"{self._row(self._headers)}\n{text}"
        return text

    def _row(self, cells: list[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, self._widths, strict=True)).rstrip()


class LiveTable:
    """The current toys as a table, redrawn in place as events come (a terminal only)."""

    def __init__(self, output: Output) -> None:
        from rich.console import Console
        from rich.live import Live

        self._wide = output is Output.WIDE
        self._toys: dict[str, Any] = {}
        self._last = "watching for changes (Ctrl-C to stop)"
        self._live = Live(console=Console(), auto_refresh=False, transient=False)

    def __enter__(self) -> LiveTable:
        self._live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._live.__exit__(None, None, None)

    def show(self, update: Update) -> None:
        if update.fresh:
            self._toys.clear()
        toy = update.toy
        if toy is not None:
            before = self._toys.get(toy.id)
            if update.kind == "DELETED":
                self._toys.pop(toy.id, None)
            else:
                self._toys[toy.id] = toy
            self._last = _what_changed(update.kind, toy, before)
        self._live.update(self._render(), refresh=True)

    def _render(self) -> Any:
        from rich.console import Group
        from rich.text import Text

        from toyctl.render import STATUS_STYLE
        from toyctl.terminal_table import toy_table

        now = datetime.now(UTC)
        ordered = sorted(self._toys.values(), key=lambda t: (t.create_time or now, t.id))
        rows = []
        for toy in ordered:
            cells = [Text(cell) for cell in columns(toy, self._wide, now)]
            cells[2].stylize(STATUS_STYLE.get(cells[2].plain, ""))
            rows.append(cells)
        table, _ = toy_table(WIDE_HEADERS if self._wide else HEADERS, rows)
        return Group(table, Text(self._last, style="dim"))


def _what_changed(kind: str, toy: Any, before: Any) -> str:
    at = datetime.now().astimezone().strftime("%H:%M:%S")
    change = status_name(toy.status)
    if before is not None and before.status != toy.status:
        change = f"{status_name(before.status)} -> {change}"
    return f"{at} {kind} {escaped(toy.name)} ({escaped(toy.id)}): {change}"
