"""manufacture, list, get, delete: the toys themselves."""

from __future__ import annotations

import sys
from datetime import datetime
from typing import Annotated

import typer

from toyctl.commands.common import OutputOption, ToyIdArgument, reporting, target
from toyctl.errors import ExitCode, ToyctlError
from toyctl.options import (
    Output,
    StatusFilter,
    complete_condition,
    complete_status,
    parse_condition,
    parse_limit,
    parse_status,
)

WatchOption = Annotated[
    bool,
    typer.Option(
        "--watch",
        "-w",
        help="Then show every change as it happens, until Ctrl-C (a live table on a "
        "terminal; one line per event otherwise, JSON lines with -o json).",
    ),
]


def _parse_time(text: str | None, option: str) -> datetime | None:
    """The time given, or None (the server fills in its own clock's)."""
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not an RFC 3339 time", param_hint=option) from None
    if value.utcoffset() is None:
        raise typer.BadParameter(f"{text!r} has no UTC offset (add Z or +HH:MM)", param_hint=option)
    return value


def manufacture(
    ctx: typer.Context,
    name: Annotated[str, typer.Option("--name", "-n", help="The toy's name.", show_default=False)],
    designer: Annotated[str, typer.Option(help="Who designed it.")] = "",
    design_time: Annotated[
        str | None,
        typer.Option(
            "--design-time",
            help="When it was designed, RFC 3339 with offset [default: when the server "
            "creates it].",
        ),
    ] = None,
    manufacturer: Annotated[
        str, typer.Option(help="Who manufactures it (the toy's `manufacturor`).")
    ] = "",
    output: OutputOption = Output.TABLE,
) -> None:
    """Create a toy, in status PENDING."""
    designed = _parse_time(design_time, "--design-time")
    with reporting():
        from toyctl import client, render

        toy = client.create_toy(
            target(ctx),
            name=name,
            designer=designer,
            design_time=designed,
            manufacturer=manufacturer,
            say=render.note,
        )
        render.print_toys([toy], output, single=True)


def list_toys(
    ctx: typer.Context,
    status: Annotated[
        StatusFilter | None,
        typer.Option(
            parser=parse_status,
            autocompletion=complete_status,
            metavar="STATUS",
            help="Only toys in this status: PENDING, RUNNING, SUCCEEDED, FAILED or ERROR "
            "(any case, or the proto's MANUFACTURE_STATUS_FAILED).",
            show_default=False,
        ),
    ] = None,
    limit: Annotated[
        int | None,
        typer.Option(
            parser=parse_limit,
            metavar="N",
            help="At most this many toys [default: all].",
            show_default=False,
        ),
    ] = None,
    output: OutputOption = Output.TABLE,
    watch: WatchOption = False,
) -> None:
    """List toys, oldest first (every page, or the first --limit); -w watches them."""
    with reporting():
        if watch:
            if limit is not None:
                raise ToyctlError(ExitCode.USAGE, "--limit and --watch do not go together")
            from toyctl.commands import watching

            watching.watch(target(ctx), output, status)
            return
        from toyctl import client, render

        wanted = "MANUFACTURE_STATUS_UNSPECIFIED" if status is None else status.proto_name
        toys = client.list_toys(target(ctx), status=wanted, limit=limit)
        if not toys and output in (Output.TABLE, Output.WIDE):
            if status is not None:
                render.note(f"No toys in status {status.value}.")
            else:
                render.note("No toys yet. Create one with: toyctl manufacture --name NAME")
            return
        render.print_toys(toys, output)


def get(
    ctx: typer.Context,
    toy_id: ToyIdArgument,
    output: OutputOption = Output.TABLE,
    watch: WatchOption = False,
    wait_for: Annotated[
        StatusFilter | None,
        typer.Option(
            "--for",
            parser=parse_condition,
            autocompletion=complete_condition,
            metavar="status=STATUS",
            help="Wait until the toy reaches STATUS, then show it: exit 0, or 13 when it "
            "reaches another final status or is deleted (no --timeout: wrap in `timeout`).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Show one toy; -w watches it, --for waits for a status."""
    with reporting():
        from toyctl.commands import watching

        if wait_for is not None:
            watching.wait_for(target(ctx), toy_id, wait_for, output)
            return
        if watch:
            watching.watch(target(ctx), output, None, toy_id)
            return
        from toyctl import client, render

        render.print_toys([client.get_toy(target(ctx), toy_id)], output, single=True)


YesOption = Annotated[
    bool, typer.Option("--yes", "-y", help="Do not ask; required without a terminal.")
]


def _confirm(question: str, refused: str, yes: bool) -> None:
    if yes:
        return
    if not sys.stdin.isatty():
        raise ToyctlError(ExitCode.USAGE, "not a terminal, so cannot ask: pass --yes")
    if not typer.confirm(question, default=False):
        raise ToyctlError(ExitCode.DECLINED, refused)


def delete(ctx: typer.Context, toy_id: ToyIdArgument, yes: YesOption = False) -> None:
    """Delete a toy (asks first on a terminal)."""
    with reporting():
        _confirm(f"Delete toy {toy_id}?", f"toy {toy_id} was not deleted", yes)
        from toyctl import client

        client.delete_toy(target(ctx), toy_id)
        typer.echo(f"toy {toy_id} deleted", err=True)


def reset(
    ctx: typer.Context,
    toy_id: ToyIdArgument,
    yes: YesOption = False,
    output: OutputOption = Output.TABLE,
) -> None:
    """Put a toy whose run never ended back to PENDING (asks first on a terminal)."""
    with reporting():
        _confirm(
            f"Reset toy {toy_id} to PENDING, forgetting its current run?",
            f"toy {toy_id} was not reset",
            yes,
        )
        from toyctl import client, render

        render.print_toys([client.reset_toy(target(ctx), toy_id)], output, single=True)
