"""The per-call listeners (drain gate, access log) on a real server, registered in either order."""

from __future__ import annotations

import logging
import socket
from collections.abc import AsyncIterator

import pytest
from grpclib.client import Channel
from grpclib.const import Status
from grpclib.exceptions import GRPCError

from toys._generated.toys import v1 as pb
from toys.calls.access_log import AccessLog
from toys.calls.context import install_message_facts
from toys.calls.drain import DrainGate
from toys.core.readiness import Readiness
from toys.core.service import ToyService
from toys.grpc_api.codec import StrictProtoCodec
from toys.grpc_api.servicer import ToyServicer
from toys.messages.answers import ToyAnswers
from toys.stores.sqlite import SqliteToyStore
from toys.transport.server import GrpcServer

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
TRACEPARENT = f"00-{TRACE_ID}-00f067aa0ba902b7-01"


@pytest.fixture(params=["gate, then log", "log, then gate"])
async def wired(
    request: pytest.FixtureRequest, store: SqliteToyStore, service: ToyService
) -> AsyncIterator[tuple[Readiness, pb.ToyServiceStub]]:
    """A server whose gate and access log are installed in the order the test names."""
    readiness = Readiness(store.ping, interval_s=60)
    servicer = ToyServicer(ToyAnswers(service, version="t", readiness=readiness))
    server = GrpcServer([servicer], codec=StrictProtoCodec())
    install_message_facts(server)
    gate, access = DrainGate(readiness), AccessLog()
    for listener in (gate, access) if request.param.startswith("gate") else (access, gate):
        listener.install(server)
    port = await server.listen_on(socket.create_server(("127.0.0.1", 0)))
    channel = Channel("127.0.0.1", port)
    try:
        yield readiness, pb.ToyServiceStub(channel)
    finally:
        channel.close()
        server.close()
        await server.wait_closed()


async def test_a_refused_call_is_logged_with_its_status_and_trace(
    wired: tuple[Readiness, pb.ToyServiceStub], caplog: pytest.LogCaptureFixture
) -> None:
    """Draining, a call is UNAVAILABLE and still has its access line, trace id included."""
    readiness, stub = wired
    caplog.set_level(logging.INFO, logger="toys.access")
    readiness.begin_drain()
    with pytest.raises(GRPCError) as caught:
        await stub.get_toy(pb.GetToyRequest(id="t-1"), metadata={"traceparent": TRACEPARENT})
    assert caught.value.status is Status.UNAVAILABLE
    [line] = [r.getMessage() for r in caplog.records if r.name == "toys.access"]
    assert line.startswith("method=/toys.v1.ToyService/GetToy status=UNAVAILABLE ")
    assert f"trace_id={TRACE_ID}" in line


async def test_a_served_call_is_logged_with_the_toy_it_was_about(
    wired: tuple[Readiness, pb.ToyServiceStub], caplog: pytest.LogCaptureFixture
) -> None:
    """The toy id comes from the response when the request has none."""
    _, stub = wired
    caplog.set_level(logging.INFO, logger="toys.access")
    toy = (await stub.create_toy(pb.CreateToyRequest(name="Car"))).toy
    assert toy is not None
    [line] = [r.getMessage() for r in caplog.records if r.name == "toys.access"]
    assert f"toy_id={toy.id}" in line
    assert "status=OK" in line


@pytest.mark.parametrize(
    "toy_id",
    [
        "evil\nmethod=/toys.v1.ToyService/DeleteToy status=OK",
        "\x1b[2J\x1b[31mred",
        "x" * 10_000,
    ],
)
async def test_client_values_cannot_forge_or_flood_a_log_line(
    wired: tuple[Readiness, pb.ToyServiceStub], caplog: pytest.LogCaptureFixture, toy_id: str
) -> None:
    """A newline, a terminal escape or ten thousand characters in an id: one short line."""
    _, stub = wired
    caplog.set_level(logging.INFO, logger="toys.access")
    with pytest.raises(GRPCError):
        await stub.get_toy(pb.GetToyRequest(id=toy_id))
    [line] = [r.getMessage() for r in caplog.records if r.name == "toys.access"]
    assert "\n" not in line
    assert "\x1b" not in line
    assert len(line) < 1000
    assert line.startswith("method=/toys.v1.ToyService/GetToy status=INVALID_ARGUMENT ")
