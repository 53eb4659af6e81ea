"""Each attack of benchmarks/attacks.py at a small scale, against a real server: the attacker
speaks from 127.0.0.2, legitimate callers from 127.0.0.1, and what must hold is that the
attacker is refused or cut off while the others are served."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import h2.config
import h2.connection
import h2.events
import pytest
from grpclib.client import Channel
from grpclib.const import Cardinality, Status
from grpclib.exceptions import GRPCError
from h2.errors import ErrorCodes

from benchmarks import attackers
from benchmarks.attackers import PREFACE, RawCodec
from tests.pki import make_pki
from tests.support import closed_by_server, serving
from toys._generated.toys import v1 as pb
from toys.messages.wire_check import MAX_REPEATED, MAX_UNKNOWN_FIELDS
from toys.transport.tls import client_context

ATTACKER = "127.0.0.2"
BOUND_S = 10  # no wait below is expected to take more than a fraction of this
GET_TOY = "/toys.v1.ToyService/GetToy"


async def raw_call(port: int, method: str, body: bytes) -> GRPCError:
    channel = Channel("127.0.0.1", port, codec=RawCodec())
    try:
        async with channel.request(method, Cardinality.UNARY_UNARY, bytes, bytes) as s:
            await s.send_message(body, end=True)
            with pytest.raises(GRPCError) as caught:
                await s.recv_message()
    finally:
        channel.close()
    return caught.value


async def healthy(port: int, tls: ssl.SSLContext | None = None) -> bool:
    channel = Channel("127.0.0.1", port, ssl=tls)
    try:
        answer = await asyncio.wait_for(
            pb.ToyServiceStub(channel).health_check(pb.HealthCheckRequest()), BOUND_S
        )
    finally:
        channel.close()
    return answer.status is pb.HealthCheckResponseServingStatus.SERVING


@asynccontextmanager
async def h2_client(port: int) -> AsyncIterator[tuple[h2.connection.H2Connection, Any]]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(ATTACKER, 0))
    conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
    conn.initiate_connection()
    writer.write(conn.data_to_send())
    try:
        yield conn, (reader, writer)
    finally:
        writer.close()


async def events_until_closed(
    conn: h2.connection.H2Connection, reader: asyncio.StreamReader
) -> list[h2.events.Event]:
    seen: list[h2.events.Event] = []
    async with asyncio.timeout(BOUND_S):
        while data := await reader.read(65536):
            seen += conn.receive_data(data)
            if any(isinstance(e, h2.events.ConnectionTerminated) for e in seen):
                return seen
    return seen


async def read_until(
    conn: h2.connection.H2Connection,
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    enough: Callable[[list[h2.events.Event]], bool],
) -> list[h2.events.Event]:
    """Events the server sends (answering its pings and settings) until `enough` of them."""
    seen: list[h2.events.Event] = []
    async with asyncio.timeout(BOUND_S):
        while not enough(seen):
            data = await reader.read(65536)
            if not data:
                break
            seen += conn.receive_data(data)
            writer.write(conn.data_to_send())
    return seen


def goaway_code(events: list[h2.events.Event]) -> int | None:
    ends = [e for e in events if isinstance(e, h2.events.ConnectionTerminated)]
    return ends[0].error_code if ends else None


def grpc_headers(path: str) -> list[tuple[str, str]]:
    return [
        (":method", "POST"),
        (":scheme", "http"),
        (":path", path),
        (":authority", "localhost"),
        ("content-type", "application/grpc"),
        ("te", "trailers"),
    ]


async def test_a_request_of_too_many_unknown_fields_is_refused_unparsed(db_path: Path) -> None:
    async with serving(db_path) as (server, _):
        error = await raw_call(
            server.port, "/toys.v1.ToyService/HealthCheck", attackers.unknown_fields(500_000)
        )
    assert error.status is Status.INVALID_ARGUMENT
    assert f"more than {MAX_UNKNOWN_FIELDS} fields this API does not know" in (error.message or "")


async def test_a_request_with_too_many_repeated_values_is_refused_unparsed(db_path: Path) -> None:
    async with serving(db_path) as (server, _):
        error = await raw_call(
            server.port,
            "/toys.v1.ToyService/UpdateManufactureStatus",
            attackers.empty_failures(300_000),
        )
    assert error.status is Status.INVALID_ARGUMENT
    assert f"run.failures: has more than {MAX_REPEATED} values" in (error.message or "")


async def attacker_sockets(
    port: int, count: int, greeting: bytes = b""
) -> tuple[list[tuple[asyncio.StreamReader, asyncio.StreamWriter]], int]:
    """`count` connections from the attacker's address: those the connect call returned for
    (each sent `greeting`), and how many were reset before it did."""
    opened, reset = [], 0
    for _ in range(count):
        try:
            reader, writer = await asyncio.open_connection(
                "127.0.0.1", port, local_addr=(ATTACKER, 0)
            )
        except ConnectionResetError:
            reset += 1
            continue
        writer.write(greeting)
        opened.append((reader, writer))
    return opened, reset


async def test_a_peer_holding_its_share_of_connections_leaves_room_for_others(
    db_path: Path,
) -> None:
    """Twelve idle connections from one address with a share of four: the eight beyond it
    are reset at once, and others are served."""
    async with serving(db_path, max_connections=10, max_connections_per_peer=4) as (server, _):
        opened, reset = await attacker_sockets(server.port, 12, PREFACE + attackers.EMPTY_SETTINGS)
        try:
            for reader, _ in opened[4:]:
                assert await closed_by_server(reader)
            assert len(opened) + reset == 12
            assert server.grpc.guard.per_peer[ATTACKER] == 4
            assert await healthy(server.port)
        finally:
            for _, writer in opened:
                writer.close()


async def test_a_connection_that_never_makes_a_call_is_closed(db_path: Path) -> None:
    async with serving(db_path, first_call_timeout_s=0.2) as (server, _):
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        try:
            writer.write(PREFACE + attackers.EMPTY_SETTINGS)
            assert await closed_by_server(reader)
        finally:
            writer.close()


async def test_tls_handshakes_beyond_a_peers_share_are_refused_at_once(tmp_path: Path) -> None:
    pki = make_pki(tmp_path / "pki")
    async with serving(
        tmp_path / "toys.db",
        tls_cert=str(pki.server.cert),
        tls_key=str(pki.server.key),
        max_handshakes_per_peer=3,
    ) as (server, _):
        silent, _ = await attacker_sockets(server.port, 8)
        try:
            for reader, _ in silent[3:]:
                assert await closed_by_server(reader)
            assert server.grpc.guard.handshaking[ATTACKER] == 3
            assert await healthy(server.port, client_context(str(pki.ca_file)))
        finally:
            for _, writer in silent:
                writer.close()


async def test_rapid_reset_is_told_to_calm_down_and_others_are_served(db_path: Path) -> None:
    async with serving(db_path) as (server, _):
        async with h2_client(server.port) as (conn, (reader, writer)):
            for _ in range(300):
                stream_id = conn.get_next_available_stream_id()
                conn.send_headers(stream_id, grpc_headers(GET_TOY))
                conn.reset_stream(stream_id, error_code=ErrorCodes.CANCEL)
            writer.write(conn.data_to_send())
            events = await events_until_closed(conn, reader)
        assert goaway_code(events) == ErrorCodes.ENHANCE_YOUR_CALM
        assert await healthy(server.port)


async def test_calls_cancelled_now_and_then_are_not_an_attack(db_path: Path) -> None:
    """300 streams, a third reset before their answer: under the budget (half or more is
    an attack, once there have been 100 such resets)."""
    events: list[h2.events.Event] = []
    async with serving(db_path) as (server, _), h2_client(server.port) as (conn, stream):
        reader, writer = stream
        for _ in range(6):  # in rounds, within the server's 100 streams at once
            for index in range(51):
                stream_id = conn.get_next_available_stream_id()
                conn.send_headers(stream_id, grpc_headers(GET_TOY), end_stream=index % 3 != 0)
                if index % 3 == 0:
                    conn.reset_stream(stream_id, error_code=ErrorCodes.CANCEL)
            writer.write(conn.data_to_send())
            events += await read_until(
                conn,
                reader,
                writer,
                lambda seen: sum(isinstance(e, h2.events.StreamEnded) for e in seen) >= 34,
            )
    assert sum(isinstance(e, h2.events.StreamEnded) for e in events) == 204
    assert goaway_code(events) is None


async def test_a_ping_flood_is_told_to_calm_down(db_path: Path) -> None:
    async with serving(db_path) as (server, _):
        async with h2_client(server.port) as (conn, (reader, writer)):
            for index in range(3000):
                conn.ping(index.to_bytes(8, "big"))
            writer.write(conn.data_to_send())
            events = await events_until_closed(conn, reader)
        assert goaway_code(events) == ErrorCodes.ENHANCE_YOUR_CALM


def _answered(events: list[h2.events.Event]) -> list[tuple[bytes, bytes]]:
    """The headers and trailers received, once a grpc-status is among them."""
    headers = [
        pair
        for event in events
        if isinstance(event, h2.events.ResponseReceived | h2.events.TrailersReceived)
        for pair in event.headers
    ]
    return headers if any(name == b"grpc-status" for name, _ in headers) else []


async def test_a_frame_of_an_unknown_type_is_ignored(db_path: Path) -> None:
    """HTTP/2 says to ignore frame types one does not know (grpclib failed on them)."""
    async with serving(db_path) as (server, _), h2_client(server.port) as (conn, stream):
        reader, writer = stream
        # Type 0xFA, no flags, stream 0, four bytes of payload.
        writer.write(b"\x00\x00\x04\xfa\x00\x00\x00\x00\x00" + b"abcd")
        stream_id = conn.get_next_available_stream_id()
        conn.send_headers(stream_id, grpc_headers("/toys.v1.ToyService/HealthCheck"))
        conn.send_data(stream_id, b"\x00\x00\x00\x00\x00", end_stream=True)
        writer.write(conn.data_to_send())
        events = await read_until(conn, reader, writer, lambda seen: bool(_answered(seen)))
    assert (b"grpc-status", b"0") in _answered(events)


async def test_a_compressed_message_is_unimplemented_and_identity_is_offered(
    db_path: Path,
) -> None:
    async with serving(db_path) as (server, _), h2_client(server.port) as (conn, stream):
        reader, writer = stream
        stream_id = conn.get_next_available_stream_id()
        conn.send_headers(stream_id, [*grpc_headers(GET_TOY), ("grpc-encoding", "gzip")])
        # Compressed flag 1, then a (never inflated) body.
        conn.send_data(stream_id, b"\x01\x00\x00\x00\x03abc", end_stream=True)
        writer.write(conn.data_to_send())
        events = await read_until(conn, reader, writer, lambda seen: bool(_answered(seen)))
    headers = _answered(events)
    assert (b"grpc-status", b"12") in headers  # UNIMPLEMENTED, not INTERNAL
    assert (b"grpc-accept-encoding", b"identity") in headers
