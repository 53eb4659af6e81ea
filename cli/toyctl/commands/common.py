"""What every command shares: the target server, error reporting, options and completion."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Annotated, Any, NoReturn

import typer

from toyctl.errors import ToyctlError
from toyctl.options import (
    DEFAULT_SERVER,
    DEFAULT_TIMEOUT_S,
    Output,
    Security,
    Target,
    complete_output,
    parse_output,
)

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


TOKEN_VARIABLE = "TOYCTL_TOKEN"  # noqa: S105  # the name of a variable, not a secret


def _token(token_file: str | None) -> str:
    """The bearer token: from --token-file (TOYCTL_TOKEN_FILE), else TOYCTL_TOKEN."""
    if token_file:
        try:
            with open(token_file, encoding="utf-8") as handle:
                return handle.read().strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise typer.BadParameter(
                f"cannot read {token_file!r}: {getattr(exc, 'strerror', None) or exc}",
                param_hint="--token-file",
            ) from None
    return os.environ.get(TOKEN_VARIABLE, "").strip()


def build_target(params: Mapping[str, Any]) -> Target:
    """The Target that the root's options (as Click parsed them) describe."""
    files = {key: str(params.get(key) or "") for key in ("ca_file", "cert_file", "key_file")}
    server_name = str(params.get("server_name") or "")
    security = Security(
        tls=bool(params.get("tls")) or any(files.values()) or bool(server_name),
        server_name=server_name,
        token=_token(params.get("token_file")),
        **files,
    )
    return Target(
        str(params.get("server") or DEFAULT_SERVER),
        float(params.get("timeout") or DEFAULT_TIMEOUT_S),
        security,
    )


def target(ctx: typer.Context) -> Target:
    found = ctx.find_root().obj
    if not isinstance(found, Target):  # only when a command is invoked without the root
        return build_target({})
    return found


def complete_toy_id(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """Toy ids from the server for tab completion; nothing at all when it cannot answer fast."""
    try:
        full = build_target(ctx.find_root().params)
        asked = full._replace(timeout=min(full.timeout, COMPLETION_TIMEOUT_S))
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
        autocompletion=complete_output,
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
