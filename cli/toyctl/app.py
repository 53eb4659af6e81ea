"""toyctl's commands: parse options, call the client, render the answer.

Only Typer and the standard library are imported up front; grpclib, betterproto2, rich and
PyYAML are imported inside the command that needs them, so `--help` and tab completion stay
instant.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from toyctl.errors import ExitCode, ToyctlError
from toyctl.options import DEFAULT_SERVER, DEFAULT_TIMEOUT_S, Output, StatusFilter, Target
from toys import package_version

if TYPE_CHECKING:
    from toys._generated.toys import v1 as pb

BUNDLED_SAMPLE = "callback-succeeded.yaml"
COMPLETION_TIMEOUT_S = 0.5

app = typer.Typer(
    name="toyctl",
    help="Manage the toys of a toy-factory server and send it Argo Workflows callbacks.",
    epilog="Exit codes: 0 ok, 1 unexpected, 2 usage, 3 unavailable, 4 deadline, 5 not found, "
    "6 invalid, 7 precondition, 8 bad payload, 9 not serving, 10 declined.",
    rich_markup_mode=None,  # plain Click help: rendering it with rich would import rich
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"toyctl {package_version()}")
        raise typer.Exit


def _fail(error: ToyctlError) -> NoReturn:
    typer.echo(f"toyctl: error: {error.message}", err=True)
    raise typer.Exit(int(error.code))


@contextmanager
def _reporting() -> Iterator[None]:
    """Turn ToyctlError into one line on stderr and its exit code."""
    try:
        yield
    except ToyctlError as error:
        _fail(error)


def _target(ctx: typer.Context) -> Target:
    target = ctx.find_root().obj
    if not isinstance(target, Target):  # only when a command is invoked without the root
        return Target(DEFAULT_SERVER, DEFAULT_TIMEOUT_S)
    return target


def complete_toy_id(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """Toy ids from the server for tab completion; nothing at all when it cannot answer fast."""
    params = ctx.find_root().params
    target = Target(
        str(params.get("server") or DEFAULT_SERVER),
        min(float(params.get("timeout") or DEFAULT_TIMEOUT_S), COMPLETION_TIMEOUT_S),
    )
    try:
        from toyctl import client

        toys = client.list_toys(target, limit=1000)
    except Exception:  # completion must never print an error into the shell
        return []
    return [(t.id, t.name) for t in toys if t.id.startswith(incomplete)]


OutputOption = Annotated[
    Output,
    typer.Option(
        "--output", "-o", case_sensitive=False, help="Output format: table, wide, json, yaml, name."
    ),
]
ToyIdArgument = Annotated[
    str,
    typer.Argument(
        metavar="TOY_ID", help="The toy's id.", autocompletion=complete_toy_id, show_default=False
    ),
]


@app.callback()
def root(
    ctx: typer.Context,
    server: Annotated[
        str,
        typer.Option("--server", "-s", envvar="TOYCTL_SERVER", help="Server address, host:port."),
    ] = DEFAULT_SERVER,
    timeout: Annotated[
        float,
        typer.Option(
            "--timeout",
            envvar="TOYCTL_TIMEOUT",
            min=0.1,
            max=3600,
            help="Deadline of each call, in seconds.",
        ),
    ] = DEFAULT_TIMEOUT_S,
    show_version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_show_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Manage the toys of a toy-factory server and send it Argo Workflows callbacks."""
    ctx.obj = Target(server, timeout)


def _parse_time(text: str | None, option: str) -> datetime:
    if text is None:
        return datetime.now(UTC)
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not an RFC 3339 time", param_hint=option) from None
    if value.utcoffset() is None:
        raise typer.BadParameter(f"{text!r} has no UTC offset (add Z or +HH:MM)", param_hint=option)
    return value


@app.command()
def manufacture(
    ctx: typer.Context,
    name: Annotated[str, typer.Option("--name", "-n", help="The toy's name.", show_default=False)],
    designer: Annotated[str, typer.Option(help="Who designed it.")] = "",
    design_time: Annotated[
        str | None,
        typer.Option(
            "--design-time", help="When it was designed, RFC 3339 with offset [default: now]."
        ),
    ] = None,
    manufacturer: Annotated[
        str, typer.Option(help="Who manufactures it (the toy's `manufacturor`).")
    ] = "",
    output: OutputOption = Output.TABLE,
) -> None:
    """Create a toy, in status PENDING."""
    designed = _parse_time(design_time, "--design-time")
    with _reporting():
        from toyctl import client, render

        toy = client.create_toy(
            _target(ctx),
            name=name,
            designer=designer,
            design_time=designed,
            manufacturer=manufacturer,
        )
        render.print_toys([toy], output, single=True)


@app.command("list")
def list_toys(
    ctx: typer.Context,
    status: Annotated[
        StatusFilter | None,
        typer.Option(case_sensitive=False, help="Only toys in this status.", show_default=False),
    ] = None,
    limit: Annotated[
        int | None,
        typer.Option(min=1, help="At most this many toys [default: all].", show_default=False),
    ] = None,
    output: OutputOption = Output.TABLE,
) -> None:
    """List toys, oldest first (every page, or the first --limit)."""
    with _reporting():
        from toyctl import client, render
        from toys._generated.toys import v1 as pb

        wanted = None if status is None else pb.ManufactureStatus[status.value]
        toys = client.list_toys(_target(ctx), status=wanted, limit=limit)
        if not toys and output in (Output.TABLE, Output.WIDE):
            which = f" in status {status.value}" if status else ""
            render.note(f"No toys{which} yet. Create one with: toyctl manufacture --name NAME")
            return
        render.print_toys(toys, output)


@app.command()
def get(ctx: typer.Context, toy_id: ToyIdArgument, output: OutputOption = Output.TABLE) -> None:
    """Show one toy."""
    with _reporting():
        from toyctl import client, render

        render.print_toys([client.get_toy(_target(ctx), toy_id)], output, single=True)


@app.command()
def delete(
    ctx: typer.Context,
    toy_id: ToyIdArgument,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Do not ask; required without a terminal.")
    ] = False,
) -> None:
    """Delete a toy (asks first on a terminal)."""
    with _reporting():
        if not yes:
            if not sys.stdin.isatty():
                raise ToyctlError(
                    ExitCode.USAGE, "not a terminal, so cannot ask: pass --yes to delete"
                )
            if not typer.confirm(f"Delete toy {toy_id}?", default=False):
                raise ToyctlError(ExitCode.DECLINED, f"toy {toy_id} was not deleted")
        from toyctl import client

        client.delete_toy(_target(ctx), toy_id)
        typer.echo(f"toy {toy_id} deleted", err=True)


@app.command()
def health(ctx: typer.Context, output: OutputOption = Output.TABLE) -> None:
    """Check the server; exit 0 only when it is SERVING (9 otherwise)."""
    with _reporting():
        from toyctl import client, render
        from toys._generated.toys import v1 as pb

        report = client.health(_target(ctx))
        serving = report.status is pb.HealthCheckResponseServingStatus.SERVING
        if output in (Output.JSON, Output.YAML):
            render.print_document(report.to_dict(include_default_values=True), output)
        else:
            state = pb.HealthCheckResponseServingStatus(report.status).name
            store = "ok" if report.store_ok else f"failing: {report.store_detail}"
            typer.echo(f"{state}  version {report.version}  store {store}")
        if not serving:
            raise typer.Exit(int(ExitCode.NOT_SERVING))


def _load_callback(toy_id: str, payload: str | None) -> pb.UpdateManufactureStatusRequest:
    from importlib import resources

    from toyctl import payloads
    from toys import translate
    from toys._generated.toys import v1 as pb

    if payload is None:
        sample = resources.files("toyctl").joinpath("samples", BUNDLED_SAMPLE)
        text, source, replace = (
            sample.read_text(encoding="utf-8"),
            f"(bundled {BUNDLED_SAMPLE})",
            True,
        )
    else:
        stdin_text = sys.stdin.read() if payload == "-" else None
        text, source, replace = payloads.read_source(payload, stdin_text), payload, False
    callback = payloads.parse_payload(text, source=source, toy_id=toy_id, replace_toy_id=replace)
    return pb.UpdateManufactureStatusRequest(
        toy_id=callback.toy_id,
        status=translate.status_to_pb(callback.run.status),
        run=translate.run_to_pb(callback.run),
    )


@app.command("update-status")
def update_status(
    ctx: typer.Context,
    toy_id: Annotated[
        str,
        typer.Option(
            "--toy-id",
            help="The toy the run manufactured.",
            autocompletion=complete_toy_id,
            show_default=False,
        ),
    ],
    payload: Annotated[
        str | None,
        typer.Option(
            "--payload",
            "-f",
            help="Argo callback payload (exit-handler document or Workflow resource), YAML or "
            "JSON; '-' reads stdin. Without it, a bundled sample of a succeeded run is sent.",
            show_default=False,
        ),
    ] = None,
    output: OutputOption = Output.TABLE,
) -> None:
    """Send an Argo Workflows callback: a run's status for a toy."""
    with _reporting():
        request = _load_callback(toy_id, payload)
        from toyctl import client, render
        from toys._generated.toys import v1 as pb

        response = client.update_status(_target(ctx), request)
        toy = response.toy
        if toy is None:
            raise ToyctlError(ExitCode.ERROR, "the server answered without a toy")
        if output in (Output.JSON, Output.YAML):
            render.print_document(response.to_dict(include_default_values=True), output)
        else:
            render.print_toys([toy], output, single=True)
        outcome = pb.CallbackOutcome(response.outcome)
        status = render.status_name(toy.status)
        if outcome is pb.CallbackOutcome.APPLIED:
            render.note(
                f"callback applied: toy {toy.id} is {status}, {toy.number_manufactured} made"
            )
        elif outcome is pb.CallbackOutcome.REPLAY:
            render.note(
                f"callback was a replay: already applied, toy {toy.id} unchanged ({status})"
            )
        else:
            render.note(f"callback was stale: a newer run owns toy {toy.id}; unchanged ({status})")


def main(argv: list[str] | None = None) -> int:
    """The `toyctl` entry point: usage errors and bugs become one line, never a traceback."""
    try:
        result = app(args=argv, prog_name="toyctl", standalone_mode=False)
    except typer.Abort:
        typer.echo("toyctl: aborted", err=True)
        return int(ExitCode.DECLINED)
    except Exception as exc:
        show = getattr(exc, "format_message", None)
        code = getattr(exc, "exit_code", None)
        if callable(show) and isinstance(code, int):  # Click's usage and bad-parameter errors
            failed_in = getattr(getattr(exc, "ctx", None), "command_path", None) or "toyctl"
            typer.echo(f"toyctl: error: {show()} (see '{failed_in} --help')", err=True)
            return code
        typer.echo(f"toyctl: unexpected error: {type(exc).__name__}: {exc}", err=True)
        return int(ExitCode.ERROR)
    return result if isinstance(result, int) else 0
