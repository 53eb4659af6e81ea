"""What every command shares: the target server, error reporting, options and completion."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, NoReturn

import typer

from toyctl.errors import ToyctlError
from toyctl.options import DEFAULT_SERVER, DEFAULT_TIMEOUT_S, Output, Target, parse_output

COMPLETION_TIMEOUT_S = 0.5


def fail(error: ToyctlError) -> NoReturn:
    typer.echo(f"toyctl: error: {error.message}", err=True)
    raise typer.Exit(int(error.code))


@contextmanager
def reporting() -> Iterator[None]:
    """Turn ToyctlError into one line on stderr and its exit code."""
    try:
        yield
    except ToyctlError as error:
        fail(error)


def target(ctx: typer.Context) -> Target:
    found = ctx.find_root().obj
    if not isinstance(found, Target):  # only when a command is invoked without the root
        return Target(DEFAULT_SERVER, DEFAULT_TIMEOUT_S)
    return found


def complete_toy_id(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """Toy ids from the server for tab completion; nothing at all when it cannot answer fast."""
    params = ctx.find_root().params
    asked = Target(
        str(params.get("server") or DEFAULT_SERVER),
        min(float(params.get("timeout") or DEFAULT_TIMEOUT_S), COMPLETION_TIMEOUT_S),
    )
    try:
        from toyctl import client

        toys = client.list_toys(asked, limit=1000)
    except Exception:  # completion must never print an error into the shell
        return []
    return [(t.id, t.name) for t in toys if t.id.startswith(incomplete)]


OutputOption = Annotated[
    Output,
    typer.Option(
        "--output",
        "-o",
        parser=parse_output,
        metavar="FORMAT",
        help="Output format: table, wide, json, yaml or name.",
    ),
]
ToyIdArgument = Annotated[
    str,
    typer.Argument(
        metavar="TOY_ID", help="The toy's id.", autocompletion=complete_toy_id, show_default=False
    ),
]
