"""update-status: send an Argo Workflows callback, read from a payload file, stdin or the
bundled sample."""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, BinaryIO

import typer

from toyctl.commands.common import OutputOption, complete_toy_id, reporting, target
from toyctl.errors import ExitCode, ToyctlError
from toyctl.options import Output

if TYPE_CHECKING:
    from toys._generated.pb2.toys.v1 import toys_pb2 as pb2
    from toys.domain import WorkflowRun

BUNDLED_SAMPLE = "callback-succeeded.yaml"


MAX_PAYLOAD_BYTES = 1024 * 1024


def _bounded(stream: BinaryIO, source: str) -> str:
    """At most MAX_PAYLOAD_BYTES of UTF-8 text: a larger payload (or /dev/zero) is refused
    after reading one byte more than the limit, never more."""
    from toys.argo import PayloadError

    data = stream.read(MAX_PAYLOAD_BYTES + 1)
    if len(data) > MAX_PAYLOAD_BYTES:
        raise PayloadError(source, "", f"is larger than {MAX_PAYLOAD_BYTES // 1024} KiB")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise PayloadError(source, "", "is not UTF-8 text") from None


def read_source(path: str, stdin: BinaryIO | None = None) -> str:
    """The payload text from a file, or from `stdin` for '-'."""
    from toys.argo import PayloadError

    if path == "-":
        return _bounded(stdin if stdin is not None else sys.stdin.buffer, "-")
    try:
        with open(path, "rb") as handle:
            return _bounded(handle, path)
    except FileNotFoundError:
        raise PayloadError(path, "", "no such file") from None
    except IsADirectoryError:
        raise PayloadError(path, "", "is a directory") from None
    except PermissionError:
        raise PayloadError(path, "", "permission denied") from None
    except OSError as exc:
        raise PayloadError(path, "", exc.strerror or str(exc)) from None


def ending_now(run: WorkflowRun) -> WorkflowRun:
    """The same run moved in time so that it ends now (or, unfinished, was created now)."""
    anchor = run.finished_at or run.creation_time
    shift = datetime.now(UTC) - anchor

    def moved(when: datetime | None) -> datetime | None:
        return None if when is None else when + shift

    return replace(
        run,
        creation_time=run.creation_time + shift,
        started_at=moved(run.started_at),
        finished_at=moved(run.finished_at),
        failures=tuple(replace(f, finished_at=moved(f.finished_at)) for f in run.failures),
    )


def _load_callback(toy_id: str, payload: str | None) -> pb2.UpdateManufactureStatusRequest:
    from importlib import resources

    from toyctl import render
    from toys._generated.pb2.toys.v1 import toys_pb2 as pb2
    from toys._generated.toys import v1 as pb
    from toys.argo import parse_payload
    from toys.messages import translate

    if payload is None:
        sample = resources.files("toyctl").joinpath("samples", BUNDLED_SAMPLE)
        text = sample.read_text(encoding="utf-8")
        callback = parse_payload(
            text, source=f"(bundled {BUNDLED_SAMPLE})", toy_id=toy_id, replace_toy_id=True
        )
        run = ending_now(callback.run)
        render.note(
            f"no --payload: sent the bundled sample, a {run.status.name} run of "
            f"{run.units_produced} units ending now; to report a real run, pass --payload FILE "
            "(or - for stdin)"
        )
    else:
        text = read_source(payload)
        callback = parse_payload(text, source=payload, toy_id=toy_id)
        run = callback.run
    # The payload's run goes through the server's own translation (betterproto2), then to
    # the protobuf message the client sends: one mapping of a run to the wire, not two.
    request = pb.UpdateManufactureStatusRequest(
        toy_id=callback.toy_id,
        status=translate.status_to_pb(run.status),
        run=translate.run_to_pb(run),
    )
    return pb2.UpdateManufactureStatusRequest.FromString(bytes(request))


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
    from toys.argo import PayloadError

    with reporting():
        try:
            request = _load_callback(toy_id, payload)
        except PayloadError as exc:
            raise ToyctlError(ExitCode.PAYLOAD, exc.message) from None
        from toyctl import client, render

        response = client.update_status(target(ctx), request)
        render.print_callback(response, output)
