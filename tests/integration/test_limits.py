"""The server's bounds against clients that misbehave: oversize requests, too many calls on a
connection, too many connections, connections that never speak or fall silent."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from grpclib.client import Channel
from grpclib.const import Status
from grpclib.exceptions import GRPCError

from benchmarks.attackers import RawCodec
from tests.fakes import CountingGatedStore, GatedStore
from tests.support import closed_by_server, serving
from toys._generated.toys import v1 as pb
from toys.stores.sqlite import SqliteToyStore

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + b"\x00\x00\x00\x04\x00\x00\x00\x00\x00"
BOUND_S = 10  # no wait below is expected to take more than a fraction of this


async def refused(port: int) -> bool:
    """Whether a new connection is reset or closed by the server (True), within BOUND_S."""
    try:
        async with raw_connection(port) as (reader, writer):
            writer.write(PREFACE)
            return await closed_by_server(reader)
    except ConnectionResetError:
        return True  # reset before the connect call even returned


@asynccontextmanager
async def raw_connection(
    port: int,
) -> AsyncIterator[tuple[asyncio.StreamReader, asyncio.StreamWriter]]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        yield reader, writer
    finally:
        writer.close()


async def test_an_oversize_request_is_resource_exhausted(db_path: Path) -> None:
    """A 2 MiB GetToy against a 1 MiB limit: refused from its length prefix."""
    from grpclib.client import Channel, UnaryUnaryMethod

    async with serving(db_path, max_message_bytes=1024 * 1024) as (server, _):
        channel = Channel("127.0.0.1", server.port, codec=RawCodec())
        try:
            payload = bytes(pb.GetToyRequest(id="x" * (2 * 1024 * 1024)))
            call = UnaryUnaryMethod(channel, "/toys.v1.ToyService/GetToy", bytes, bytes)
            with pytest.raises(GRPCError) as caught:
                await call(payload, timeout=BOUND_S)
        finally:
            channel.close()
    assert caught.value.status is Status.RESOURCE_EXHAUSTED
    assert "takes at most 1048576" in (caught.value.message or "")


async def test_a_request_just_under_the_limit_is_served(db_path: Path) -> None:
    async with serving(db_path, max_message_bytes=64 * 1024) as (_, channel):
        with pytest.raises(GRPCError) as caught:
            await pb.ToyServiceStub(channel).get_toy(pb.GetToyRequest(id="y" * 60_000))
    assert caught.value.status is Status.INVALID_ARGUMENT  # read and judged, not refused


async def test_a_connection_runs_at_most_the_allowed_calls_at_once(db_path: Path) -> None:
    """Thirty callbacks on one connection with a limit of five: never more than five inside."""
    store = CountingGatedStore(await SqliteToyStore.open(str(db_path)), count=5)
    async with serving(db_path, store=store, max_concurrent_streams=5) as (_, channel):
        stub = pb.ToyServiceStub(channel)
        toy = (await stub.create_toy(pb.CreateToyRequest(name="Car"))).toy
        assert toy is not None
        calls = [
            asyncio.create_task(stub.reset_toy(pb.ResetToyRequest(id=toy.id))) for _ in range(30)
        ]
        await asyncio.wait_for(store.reached.wait(), BOUND_S)
        await asyncio.sleep(0.1)  # time for a sixth call to get in, if the limit leaked
        store.gate.set()
        await asyncio.gather(*calls)
    assert store.most == 5


async def test_a_full_server_sheds_its_oldest_idle_connection_for_a_newcomer(
    db_path: Path,
) -> None:
    async with serving(db_path, max_connections=3) as (server, _):
        idle = [
            await asyncio.open_connection("127.0.0.1", server.port, local_addr=("127.0.0.2", 0))
            for _ in range(3)
        ]
        for _, writer in idle:
            writer.write(PREFACE)
        newcomer = Channel("127.0.0.1", server.port)
        try:
            health = await pb.ToyServiceStub(newcomer).health_check(pb.HealthCheckRequest())
            assert health.status is pb.HealthCheckResponseServingStatus.SERVING
            assert await closed_by_server(idle[0][0])
        finally:
            newcomer.close()
            for _, writer in idle:
                writer.close()


async def test_a_server_whose_connections_are_all_busy_refuses_a_newcomer(db_path: Path) -> None:
    store = CountingGatedStore(await SqliteToyStore.open(str(db_path)), count=2)
    async with serving(db_path, store=store, max_connections=2) as (server, channel):
        toy = (await pb.ToyServiceStub(channel).create_toy(pb.CreateToyRequest(name="Car"))).toy
        assert toy is not None
        second = Channel("127.0.0.1", server.port)
        calls = [
            asyncio.create_task(pb.ToyServiceStub(c).reset_toy(pb.ResetToyRequest(id=toy.id)))
            for c in (channel, second)
        ]
        try:
            await asyncio.wait_for(store.reached.wait(), BOUND_S)
            assert await refused(server.port)
        finally:
            store.gate.set()
            await asyncio.gather(*calls)
            second.close()


async def test_a_connection_that_never_speaks_http2_is_closed(db_path: Path) -> None:
    async with (
        serving(db_path, handshake_timeout_s=0.2) as (server, _),
        raw_connection(server.port) as (reader, _),
    ):
        assert await closed_by_server(reader)


async def test_an_idle_connection_is_closed(db_path: Path) -> None:
    async with (
        serving(db_path, idle_timeout_s=0.2) as (server, _),
        raw_connection(server.port) as (reader, writer),
    ):
        writer.write(PREFACE)
        assert await closed_by_server(reader)


async def test_a_connection_with_a_call_in_flight_is_not_idle(db_path: Path) -> None:
    """A slow call outlives the idle timeout: its connection stays open until it ends."""
    store = GatedStore(await SqliteToyStore.open(str(db_path)))
    async with serving(db_path, store=store, idle_timeout_s=0.05) as (_, channel):
        stub = pb.ToyServiceStub(channel)
        toy = (await stub.create_toy(pb.CreateToyRequest(name="Car"))).toy
        assert toy is not None
        call = asyncio.create_task(stub.reset_toy(pb.ResetToyRequest(id=toy.id)))
        await store.entered.wait()
        # Several idle periods pass while the call waits at the gate: time is what is tested.
        await asyncio.sleep(0.3)
        store.gate.set()
        reset = await call
        assert reset.toy is not None


def _settings_frames(data: bytes) -> int:
    """How many SETTINGS frames (not acknowledgements) `data` holds."""
    count, pos = 0, 0
    while pos + 9 <= len(data):
        length = int.from_bytes(data[pos : pos + 3], "big")
        kind, flags = data[pos + 3], data[pos + 4]
        count += kind == 0x4 and not flags & 0x1
        pos += 9 + length
    return count


async def test_a_client_opening_more_streams_than_allowed_is_cut_off(db_path: Path) -> None:
    """Three hundred stalled calls on one connection against a limit of 100: the connection is
    closed (not 300 handlers held), and the server goes on serving."""
    import h2.config
    import h2.connection

    settings_ack = b"\x00\x00\x00\x04\x01\x00\x00\x00\x00"
    async with serving(db_path, max_concurrent_streams=100) as (server, channel):
        # A client that never reads the server's limit, so nothing stops it opening streams.
        client = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
        client.initiate_connection()
        async with raw_connection(server.port) as (reader, writer):
            writer.write(client.data_to_send())
            server_settings = await asyncio.wait_for(reader.read(65536), BOUND_S)
            # Acknowledged, the server's limit is in force on its side.
            writer.write(settings_ack * _settings_frames(server_settings))
            for stream_id in range(1, 600, 2):
                client.send_headers(
                    stream_id,
                    [
                        (":method", "POST"),
                        (":scheme", "http"),
                        (":path", "/toys.v1.ToyService/GetToy"),
                        (":authority", "localhost"),
                        ("content-type", "application/grpc"),
                        ("te", "trailers"),
                    ],
                )
            writer.write(client.data_to_send())
            assert await closed_by_server(reader)
        health = await pb.ToyServiceStub(channel).health_check(pb.HealthCheckRequest())
        assert health.status is pb.HealthCheckResponseServingStatus.SERVING


async def test_a_thousand_sockets_cannot_outgrow_the_connection_limit(db_path: Path) -> None:
    """Beyond the limit the oldest idle connection goes for each newcomer (one address, as
    behind a proxy): descriptors stay bounded."""
    async with serving(db_path, max_connections=50, max_connections_per_peer=0) as (server, _):
        opened = [await asyncio.open_connection("127.0.0.1", server.port) for _ in range(200)]
        try:
            closed = 0
            for reader, _ in opened[:150]:
                closed += await closed_by_server(reader)
            assert closed == 150
            assert len(server.grpc.guard.open) == 50
        finally:
            for _, writer in opened:
                writer.close()
