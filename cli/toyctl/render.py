"""How toyctl shows toys: table, wide, json, yaml or name. Data goes to stdout only.

JSON and YAML are machine output: proto3 JSON field names, RFC 3339 times, every field
present (null when unset), so that `jq .numberManufactured` never has to guess.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from toyctl import names
from toyctl.errors import ExitCode, ToyctlError
from toyctl.options import Output
from toyctl.plain_table import plain_table
from toys._generated.pb2.toys.v1 import toys_pb2 as pb2
from toys.text import escaped

STATUS_STYLE = {
    "PENDING": "yellow",
    "RUNNING": "cyan",
    "SUCCEEDED": "green",
    "FAILED": "red",
    "ERROR": "bold red",
}


def status_name(value: int) -> str:
    """PENDING, RUNNING...; a status this toyctl does not know yet shows as its number."""
    return names.STATUS.get(value, str(value))


def when(message: Any, field: str) -> datetime | None:
    """A Timestamp field of `message` as an aware datetime, or None when it is unset."""
    if not message.HasField(field):
        return None
    moment: datetime = getattr(message, field).ToDatetime(tzinfo=UTC)
    return moment


def age(when: datetime | None, now: datetime) -> str:
    """kubectl-style age: 45s, 12m, 5h, 3d."""
    if when is None:
        return "<none>"
    seconds = max(0, int((now - when).total_seconds()))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def timestamp(when: datetime | None) -> str:
    if when is None:
        return "<none>"
    return when.astimezone(UTC).isoformat().replace("+00:00", "Z")


def toy_document(toy: pb2.Toy) -> dict[str, Any]:
    from toyctl.documents import document

    return document(toy)


def _dump(document: Any, output: Output) -> str:
    if output is Output.JSON:
        import json

        return json.dumps(document, indent=2, ensure_ascii=False)
    import yaml

    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True).rstrip("\n")


def columns(toy: pb2.Toy, wide: bool, now: datetime) -> list[str]:
    """The table's cells; text from the store is shown escaped (toys.text), so that no
    stored value can draw a row or a control sequence of its own."""
    cells = [
        escaped(toy.id),
        escaped(toy.name),
        status_name(toy.status),
        str(toy.number_manufactured),
        escaped(toy.designer) or "<none>",
        escaped(toy.manufacturor) or "<none>",
        age(when(toy, "update_time"), now),
    ]
    if wide:
        run = toy.last_run if toy.HasField("last_run") else None
        cells += [
            timestamp(when(toy, "design_time")),
            timestamp(when(toy, "manufacture_time")),
            timestamp(when(toy, "create_time")),
            escaped(f"{run.namespace}/{run.name}" if run.namespace else run.name)
            if run
            else "<none>",
            escaped(run.uid) if run else "<none>",
        ]
    return cells


HEADERS = ["ID", "NAME", "STATUS", "MADE", "DESIGNER", "MANUFACTURER", "UPDATED"]
WIDE_HEADERS = [*HEADERS, "DESIGNED", "MANUFACTURED", "CREATED", "LAST RUN", "RUN UID"]


def toys_text(toys: Sequence[pb2.Toy], output: Output, *, single: bool = False) -> str | None:
    """Text for `toys` in a machine format, or None for the table formats (see print_toys)."""
    if output is Output.NAME:
        return "\n".join(escaped(t.id) for t in toys)
    if output in (Output.JSON, Output.YAML):
        documents = [toy_document(t) for t in toys]
        return _dump(documents[0] if single else {"toys": documents}, output)
    return None


def print_toys(toys: Sequence[pb2.Toy], output: Output, *, single: bool = False) -> None:
    """Write toys to stdout in the chosen format."""
    text = toys_text(toys, output, single=single)
    if text is not None:
        if text:
            sys.stdout.write(text + "\n")
        return
    now = datetime.now(UTC)
    wide = output is Output.WIDE
    headers = WIDE_HEADERS if wide else HEADERS
    rows = [columns(toy, wide, now) for toy in toys]
    if not sys.stdout.isatty() and not os.environ.get("FORCE_COLOR"):  # rich's own rule
        sys.stdout.write(plain_table(headers, rows))
        return
    from rich.text import Text

    from toyctl.terminal_table import console_for, toy_table

    styled_rows = []
    for cells in rows:
        # Text, not str: a name such as "[bold]" is text to show, not rich markup.
        styled = [Text(cell) for cell in cells]
        styled[2].stylize(STATUS_STYLE.get(cells[2], ""))
        styled_rows.append(styled)
    table, least = toy_table(headers, styled_rows)
    console = console_for(least)
    with console.capture() as captured:
        console.print(table)
    # Rich pads the last column; a terminal gains nothing from the spaces.
    sys.stdout.write("".join(line.rstrip() + "\n" for line in captured.get().splitlines()))


def print_document(document: Any, output: Output) -> None:
    sys.stdout.write(_dump(document, output) + "\n")


def note(message: str) -> None:
    """A human message on stderr (never mixed into data on stdout), written as it is."""
    sys.stderr.write(message + "\n")


def print_health(report: pb2.HealthCheckResponse) -> None:
    """One line: the serving status, the version and the store's state."""
    state = names.SERVING.get(report.status, str(report.status))
    store = "ok" if report.store_ok else f"failing: {report.store_detail}"
    sys.stdout.write(f"{state}  version {report.version}  store {store}\n")


_OUTCOME_NOTES = {
    pb2.CALLBACK_OUTCOME_APPLIED: "callback applied: toy {id} is {status}, {made} made",
    pb2.CALLBACK_OUTCOME_REPLAY: (
        "callback was a replay: already applied, toy {id} unchanged ({status})"
    ),
    pb2.CALLBACK_OUTCOME_STALE: (
        "callback was stale: a newer run owns toy {id}; unchanged ({status})"
    ),
}


def print_callback(response: pb2.UpdateManufactureStatusResponse, output: Output) -> None:
    """The toy after a callback on stdout, and what became of the callback on stderr."""
    if not response.HasField("toy"):
        raise ToyctlError(ExitCode.ERROR, "the server answered without a toy")
    toy = response.toy
    if output in (Output.JSON, Output.YAML):
        from toyctl.documents import document

        print_document(document(response), output)
    else:
        print_toys([toy], output, single=True)
    template = _OUTCOME_NOTES.get(response.outcome)
    if template is not None:
        note(
            template.format(id=toy.id, status=status_name(toy.status), made=toy.number_manufactured)
        )
