"""Ten thousand generated malformed requests at a real server: never INTERNAL or UNKNOWN.

Hypothesis builds raw protobuf wire bytes: the request's own field numbers and others, every
wire type, lengths that lie, varints that never end, nested messages of the same kind, and
plain noise. Each example is a batch sent at once over one connection to a server on a real
socket; afterwards the server still answers.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from grpclib.client import Channel, UnaryUnaryMethod
from grpclib.const import Status
from grpclib.exceptions import GRPCError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.attackers import RawCodec, varint
from tests.support import ThreadedServer
from toys._generated.toys import v1 as pb

BATCH = 200
BATCHES = 50  # 10,000 requests
METHODS = (
    "CreateToy",
    "GetToy",
    "ListToys",
    "UpdateManufactureStatus",
    "DeleteToy",
    "ResetToy",
    "HealthCheck",
)
# What a caller may be told about its own bad input; never INTERNAL, UNKNOWN or UNAVAILABLE.
CALLER_STATUSES = {
    Status.OK,
    Status.INVALID_ARGUMENT,
    Status.NOT_FOUND,
    Status.FAILED_PRECONDITION,
}


def _field(number: int, wire: int, body: bytes) -> bytes:
    key = varint(number << 3 | wire)
    if wire == 2:
        return key + varint(len(body)) + body
    return key + body


varints = st.integers(0, 2**64 - 1).map(varint)
lying_lengths = st.tuples(st.integers(1, 3), st.integers(0, 2**32), st.binary(max_size=8)).map(
    lambda t: varint(t[0] << 3 | 2) + varint(t[1]) + t[2]
)
unending = st.binary(min_size=1, max_size=12).map(lambda b: bytes(x | 0x80 for x in b))


def wire_messages(depth: int = 2) -> st.SearchStrategy[bytes]:
    nested = wire_messages(depth - 1) if depth else st.binary(max_size=16)
    field = st.one_of(
        st.tuples(st.integers(1, 12), varints).map(lambda t: _field(t[0], 0, t[1])),
        st.tuples(st.integers(1, 12), st.binary(min_size=8, max_size=8)).map(
            lambda t: _field(t[0], 1, t[1])
        ),
        st.tuples(st.integers(1, 12), st.binary(max_size=24) | nested).map(
            lambda t: _field(t[0], 2, t[1])
        ),
        st.tuples(st.integers(1, 12), st.binary(min_size=4, max_size=4)).map(
            lambda t: _field(t[0], 5, t[1])
        ),
        st.tuples(st.integers(1, 12), st.sampled_from([3, 4, 6, 7])).map(
            lambda t: varint(t[0] << 3 | t[1])
        ),
        lying_lengths,
        unending,
    )
    return st.lists(field, max_size=6).map(b"".join)


requests = st.tuples(st.sampled_from(METHODS), wire_messages() | st.binary(max_size=48))


@pytest.fixture(scope="module")
def fuzzed_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ThreadedServer]:
    server = ThreadedServer(Path(":memory:")).start()
    try:
        yield server
    finally:
        server.stop()


async def _send_all(port: int, batch: list[tuple[str, bytes]]) -> set[Status]:
    channel = Channel("127.0.0.1", port, codec=RawCodec())
    statuses: set[Status] = set()

    async def one(method: str, payload: bytes) -> None:
        call = UnaryUnaryMethod(channel, f"/toys.v1.ToyService/{method}", bytes, bytes)
        try:
            await call(payload, timeout=30)
            statuses.add(Status.OK)
        except GRPCError as exc:
            statuses.add(exc.status)

    try:
        # One call first, so that the client knows the server's stream limit before it sends
        # 200 at once (h2 treats streams beyond it as a connection error).
        await one("HealthCheck", b"")
        await asyncio.gather(*(one(method, payload) for method, payload in batch))
    finally:
        channel.close()
    return statuses


@pytest.mark.slow
@settings(
    max_examples=BATCHES,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(batch=st.lists(requests, min_size=BATCH, max_size=BATCH))
def test_malformed_requests_get_caller_statuses_only(
    fuzzed_server: ThreadedServer, batch: list[tuple[str, bytes]]
) -> None:
    statuses = asyncio.run(_send_all(fuzzed_server.port, batch))
    assert statuses <= CALLER_STATUSES, statuses - CALLER_STATUSES


def test_the_server_still_serves_after_the_fuzzing(fuzzed_server: ThreadedServer) -> None:
    async def check() -> pb.HealthCheckResponse:
        channel = Channel("127.0.0.1", fuzzed_server.port)
        try:
            stub = pb.ToyServiceStub(channel)
            await stub.create_toy(pb.CreateToyRequest(name="After"))
            return await stub.health_check(pb.HealthCheckRequest())
        finally:
            channel.close()

    assert asyncio.run(check()).status is pb.HealthCheckResponseServingStatus.SERVING
