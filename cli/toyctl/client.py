"""Calls to toys.v1.ToyService, each with a deadline; every failure becomes a ToyctlError.

Imported only once a command runs: grpclib and the generated messages stay out of `--help`.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import functools
from collections.abc import Awaitable, Callable
from datetime import datetime

from grpclib.client import Channel
from grpclib.const import Status
from grpclib.exceptions import GRPCError, StreamTerminatedError

from toyctl.errors import ExitCode, ToyctlError
from toyctl.options import Target
from toys._generated.toys import v1 as pb
from toys.defaults import DEFAULT_PORT
from toys.telemetry import Telemetry
from toys.telemetry import from_environment as telemetry_from_environment

LIST_PAGE_SIZE = 500

# The one place where gRPC statuses become toyctl exit codes.
EXIT_FOR_STATUS: dict[Status, ExitCode] = {
    Status.NOT_FOUND: ExitCode.NOT_FOUND,
    Status.INVALID_ARGUMENT: ExitCode.INVALID,
    Status.OUT_OF_RANGE: ExitCode.INVALID,
    Status.FAILED_PRECONDITION: ExitCode.PRECONDITION,
    Status.UNAVAILABLE: ExitCode.UNAVAILABLE,
    Status.DEADLINE_EXCEEDED: ExitCode.DEADLINE,
}


def parse_address(server: str) -> tuple[str, int]:
    """`host`, `host:port` or `[v6-address]:port` -> (host, port)."""
    text = server.strip()
    host, port_text = text, ""
    if text.startswith("["):
        end = text.find("]")
        if end == -1:
            raise ToyctlError(ExitCode.USAGE, f"--server {server!r}: missing ']'")
        host, rest = text[1:end], text[end + 1 :]
        if rest and not rest.startswith(":"):
            raise ToyctlError(ExitCode.USAGE, f"--server {server!r}: expected [host]:port")
        port_text = rest[1:]
    elif text.count(":") == 1:
        host, port_text = text.split(":")
    if not host:
        raise ToyctlError(ExitCode.USAGE, f"--server {server!r}: no host")
    if not port_text:
        return host, DEFAULT_PORT
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ToyctlError(ExitCode.USAGE, f"--server {server!r}: {port_text!r} is not a port")
    return host, int(port_text)


@functools.cache
def telemetry() -> Telemetry | None:
    """toyctl's telemetry, as OTEL_* asks (None when off); flushed when the process exits."""
    found = telemetry_from_environment("toyctl")
    if found is not None:
        atexit.register(found.shutdown)
    return found


async def _call[T](target: Target, work: Callable[[pb.ToyServiceStub], Awaitable[T]]) -> T:
    host, port = parse_address(target.server)
    channel = Channel(host, port)
    traced = telemetry()
    if traced is not None:
        traced.install_client(channel)
    try:
        with traced.client_span() if traced is not None else contextlib.nullcontext():
            return await work(pb.ToyServiceStub(channel, timeout=target.timeout))
    except GRPCError as exc:
        code = EXIT_FOR_STATUS.get(exc.status, ExitCode.ERROR)
        raise ToyctlError(code, f"{exc.message or exc.status.name} ({exc.status.name})") from exc
    except TimeoutError as exc:
        raise ToyctlError(
            ExitCode.DEADLINE, f"no answer from {target.server} within {target.timeout:g}s"
        ) from exc
    except StreamTerminatedError as exc:
        raise ToyctlError(
            ExitCode.UNAVAILABLE, f"connection to {target.server} was lost: {exc}"
        ) from exc
    except OSError as exc:
        reason = exc.strerror or str(exc) or type(exc).__name__
        raise ToyctlError(
            ExitCode.UNAVAILABLE, f"cannot reach the server at {target.server}: {reason}"
        ) from exc
    finally:
        channel.close()


def run[T](target: Target, work: Callable[[pb.ToyServiceStub], Awaitable[T]]) -> T:
    """Run one piece of client work to completion in a fresh event loop."""
    return asyncio.run(_call(target, work))


def create_toy(
    target: Target, *, name: str, designer: str, design_time: datetime, manufacturer: str
) -> pb.Toy:
    request = pb.CreateToyRequest(
        name=name, designer=designer, design_time=design_time, manufacturor=manufacturer
    )

    async def work(stub: pb.ToyServiceStub) -> pb.Toy:
        return _toy((await stub.create_toy(request)).toy)

    return run(target, work)


def get_toy(target: Target, toy_id: str) -> pb.Toy:
    async def work(stub: pb.ToyServiceStub) -> pb.Toy:
        return _toy((await stub.get_toy(pb.GetToyRequest(id=toy_id))).toy)

    return run(target, work)


def list_toys(
    target: Target, *, status: pb.ManufactureStatus | None = None, limit: int | None = None
) -> list[pb.Toy]:
    """Every toy (or the first `limit`), following next_page_token; each page has its deadline."""

    async def work(stub: pb.ToyServiceStub) -> list[pb.Toy]:
        toys: list[pb.Toy] = []
        token = ""
        while limit is None or len(toys) < limit:
            wanted = LIST_PAGE_SIZE if limit is None else min(LIST_PAGE_SIZE, limit - len(toys))
            page = await stub.list_toys(
                pb.ListToysRequest(
                    page_size=wanted,
                    page_token=token,
                    status=status or pb.ManufactureStatus.UNSPECIFIED,
                )
            )
            toys += page.toys
            token = page.next_page_token
            if not token:
                break
        return toys

    return run(target, work)


def update_status(
    target: Target, request: pb.UpdateManufactureStatusRequest
) -> pb.UpdateManufactureStatusResponse:
    async def work(stub: pb.ToyServiceStub) -> pb.UpdateManufactureStatusResponse:
        return await stub.update_manufacture_status(request)

    return run(target, work)


def delete_toy(target: Target, toy_id: str) -> None:
    async def work(stub: pb.ToyServiceStub) -> None:
        await stub.delete_toy(pb.DeleteToyRequest(id=toy_id))

    run(target, work)


def health(target: Target) -> pb.HealthCheckResponse:
    async def work(stub: pb.ToyServiceStub) -> pb.HealthCheckResponse:
        return await stub.health_check(pb.HealthCheckRequest())

    return run(target, work)


def _toy(toy: pb.Toy | None) -> pb.Toy:
    if toy is None:
        raise ToyctlError(ExitCode.ERROR, "the server answered without a toy")
    return toy
