"""The `toyctl` Typer app: global options, the commands, and the entry point.

Only Typer and the standard library are imported up front; grpclib, betterproto2, rich and
PyYAML are imported inside the command that needs them, so `--help` and tab completion stay
instant.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Annotated

import typer

# Typer 0.29 vendors Click and exports only its base TyperException; UsageError is the one
# that carries the context of the command whose --help the message points to.
from typer._click.exceptions import UsageError

from toyctl.commands.callback import update_status
from toyctl.commands.common import build_target
from toyctl.commands.completion import (
    COMPLETE_VARIABLE,
    install_completion,
    prepare_answers,
    show_completion,
)
from toyctl.commands.health import health
from toyctl.commands.toys import delete, get, list_toys, manufacture, reset
from toyctl.errors import ExitCode
from toyctl.options import (
    DEFAULT_SERVER,
    DEFAULT_TIMEOUT_S,
    Shell,
    parse_shell,
    parse_timeout,
)
from toys import package_version

DEBUG_VARIABLE = "TOYCTL_DEBUG"

# Each command's name and function, in the order `--help` lists them.
COMMANDS: dict[str, Callable[..., None]] = {
    "manufacture": manufacture,
    "list": list_toys,
    "get": get,
    "delete": delete,
    "reset": reset,
    "health": health,
    "update-status": update_status,
}
# The global options that take a value (the word after one is its value, not a command);
# a unit test holds this to the root callback's options.
VALUE_OPTIONS = frozenset(
    {
        "--server",
        "-s",
        "--timeout",
        "--ca-file",
        "--cert-file",
        "--key-file",
        "--server-name",
        "--token-file",
        "--show-completion",
        "--install-completion",
    }
)


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"toyctl {package_version()}")
        raise typer.Exit


def root(
    ctx: typer.Context,
    server: Annotated[
        str,
        typer.Option(
            "--server",
            "-s",
            envvar="TOYCTL_SERVER",
            metavar="HOST:PORT",
            help="Server address, host:port.",
        ),
    ] = DEFAULT_SERVER,
    timeout: Annotated[
        float,
        typer.Option(
            "--timeout",
            envvar="TOYCTL_TIMEOUT",
            parser=parse_timeout,
            metavar="SECONDS",
            help="Deadline of each call, in seconds (0.1 to 3600).",
        ),
    ] = DEFAULT_TIMEOUT_S,
    tls: Annotated[
        bool,
        typer.Option(
            "--tls",
            envvar="TOYCTL_TLS",
            help="Use TLS, trusting the system's CAs (implied by the four options below).",
        ),
    ] = False,
    ca_file: Annotated[
        str | None,
        typer.Option(
            envvar="TOYCTL_CA_FILE", metavar="FILE", help="CA bundle (PEM) to trust for the server."
        ),
    ] = None,
    cert_file: Annotated[
        str | None,
        typer.Option(
            envvar="TOYCTL_CERT_FILE",
            metavar="FILE",
            help="Client certificate (PEM), for mutual TLS.",
        ),
    ] = None,
    key_file: Annotated[
        str | None,
        typer.Option(
            envvar="TOYCTL_KEY_FILE",
            metavar="FILE",
            help="Client private key (PEM), for mutual TLS.",
        ),
    ] = None,
    server_name: Annotated[
        str | None,
        typer.Option(
            envvar="TOYCTL_SERVER_NAME",
            metavar="NAME",
            help="Name to check the server's certificate against, when not the --server host.",
        ),
    ] = None,
    token_file: Annotated[
        str | None,
        typer.Option(
            envvar="TOYCTL_TOKEN_FILE",
            metavar="FILE",
            help="File holding the bearer token (or set TOYCTL_TOKEN; there is no --token: "
            "a token on the command line shows in ps).",
        ),
    ] = None,
    show_traceback: Annotated[
        bool,
        typer.Option(
            "--traceback",
            help=f"Show the full traceback of an unexpected error (or set {DEBUG_VARIABLE}=1).",
        ),
    ] = False,
    show_completion: Annotated[
        Shell | None,
        typer.Option(
            "--show-completion",
            parser=parse_shell,
            callback=show_completion,
            is_eager=True,
            expose_value=False,
            metavar="SHELL",
            help="Print the completion script for bash, zsh or fish.",
        ),
    ] = None,
    install_completion: Annotated[
        Shell | None,
        typer.Option(
            "--install-completion",
            parser=parse_shell,
            callback=install_completion,
            is_eager=True,
            expose_value=False,
            metavar="SHELL",
            help="Install completion for bash, zsh or fish (in your home directory).",
        ),
    ] = None,
    show_version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_show_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Manage the toys of a toy-factory server and send it Argo Workflows callbacks."""
    ctx.obj = build_target(ctx.params)


def new_app(commands: dict[str, Callable[..., None]]) -> typer.Typer:
    """The toyctl app with these commands."""
    made = typer.Typer(
        name="toyctl",
        help="Manage the toys of a toy-factory server and send it Argo Workflows callbacks.",
        epilog="Exit codes: 0 ok, 1 unexpected, 2 usage, 3 unavailable, 4 deadline, "
        "5 not found, 6 invalid, 7 precondition, 8 bad payload, 9 not serving, 10 declined, "
        "11 unauthenticated, 12 permission denied, 13 --for condition cannot be met.",
        rich_markup_mode=None,  # plain Click help: rendering it with rich would import rich
        pretty_exceptions_enable=False,
        no_args_is_help=True,
        add_completion=False,  # ours take the shell's name: see toyctl.commands.completion
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    made.callback()(root)
    for name, command in commands.items():
        made.command(name)(command)
    return made


app = new_app(COMMANDS)


def command_named(args: list[str]) -> str | None:
    """The command `args` run, when they name one after the global options."""
    skip_value = False
    for arg in args:
        if skip_value:
            skip_value = False
        elif arg.startswith("-"):
            skip_value = arg in VALUE_OPTIONS
        else:
            return arg if arg in COMMANDS else None
    return None


def app_for(args: list[str]) -> typer.Typer:
    """An app with only the command `args` run: Typer turns every command's signature into
    Click parameters before it runs one, which costs each command ~10 ms for the six it does
    not run (benchmarks/cli_startup.py). Shell completion and `--help` get every command."""
    name = command_named(args)
    if name is None or COMPLETE_VARIABLE in os.environ:
        return app
    return new_app({name: COMMANDS[name]})


def _usage_message(exc: typer.TyperException) -> str:
    """Click's message, naming where a bad value came from: the flag, or the variable (click
    names the variable whenever an option has one, even for a value typed as a flag)."""
    from typer._click.core import ParameterSource  # Typer's own copy of click
    from typer._click.exceptions import MissingParameter

    if (
        not isinstance(exc, typer.BadParameter)
        or isinstance(exc, MissingParameter)  # "Missing argument 'TOY_ID'." says it all
        or exc.param is None
        or exc.ctx is None
    ):
        return exc.format_message()
    param = exc.param
    source = exc.ctx.get_parameter_source(param.name or "")
    variable = getattr(param, "envvar", None)
    if source is ParameterSource.ENVIRONMENT and isinstance(variable, str):
        return f"Invalid value in {variable} (for {param.opts[0]}): {exc.message}"
    return f"Invalid value for {' / '.join(param.opts)}: {exc.message}"


def _wants_traceback(argv: list[str]) -> bool:
    # Read before parsing, so that an error while parsing can show its traceback too.
    return "--traceback" in argv or os.environ.get(DEBUG_VARIABLE, "") not in ("", "0")


def main(argv: list[str] | None = None) -> int:
    """The `toyctl` entry point: usage errors and bugs become one line, never a traceback."""
    args = sys.argv[1:] if argv is None else argv
    prepare_answers()
    try:
        result = app_for(args)(args=args, prog_name="toyctl", standalone_mode=False)
    except typer.Abort:
        typer.echo("toyctl: aborted", err=True)
        return int(ExitCode.DECLINED)
    except typer.TyperException as exc:  # usage errors and bad parameters
        failed_in = exc.ctx.command_path if isinstance(exc, UsageError) and exc.ctx else "toyctl"
        typer.echo(f"toyctl: error: {_usage_message(exc)} (see '{failed_in} --help')", err=True)
        return int(exc.exit_code)
    except Exception as exc:
        if _wants_traceback(args):
            import traceback

            traceback.print_exc()
        typer.echo(f"toyctl: unexpected error: {type(exc).__name__}: {exc}", err=True)
        if not _wants_traceback(args):
            typer.echo(
                f"toyctl: run again with --traceback (or {DEBUG_VARIABLE}=1) for details", err=True
            )
        return int(ExitCode.ERROR)
    return result if isinstance(result, int) else 0
