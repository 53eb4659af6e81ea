"""One readiness behind ToyService/HealthCheck and grpc.health.v1, probed once per interval."""

from __future__ import annotations

from pathlib import Path

import pytest
from grpclib.health.v1.health_grpc import HealthStub
from grpclib.health.v1.health_pb2 import HealthCheckRequest, HealthCheckResponse

from tests.fakes import CountingPingStore
from tests.support import serving
from toys._generated.toys import v1 as pb
from toys.stores.sqlite import SqliteToyStore


async def test_health_calls_within_the_interval_share_one_store_probe(db_path: Path) -> None:
    """Six health calls of both kinds inside one interval probe the store once."""
    store = CountingPingStore(await SqliteToyStore.open(str(db_path)))
    async with serving(db_path, store=store, store_check_interval_s=60) as (_, channel):
        for _ in range(3):
            own = await pb.ToyServiceStub(channel).health_check(pb.HealthCheckRequest())
            assert own.status is pb.HealthCheckResponseServingStatus.SERVING
            standard = await HealthStub(channel).Check(HealthCheckRequest())
            assert standard.status == HealthCheckResponse.SERVING
    assert store.pings == 1


async def test_with_no_interval_every_health_call_probes(db_path: Path) -> None:
    """An interval of 0 re-probes on each call (what the store-failure tests rely on)."""
    store = CountingPingStore(await SqliteToyStore.open(str(db_path)))
    async with serving(db_path, store=store, store_check_interval_s=0) as (_, channel):
        for _ in range(3):
            await pb.ToyServiceStub(channel).health_check(pb.HealthCheckRequest())
    assert store.pings == 3


async def test_a_health_watch_sees_the_drain_begin(db_path: Path) -> None:
    """grpc.health.v1 Watch streams SERVING, then NOT_SERVING once draining starts."""
    async with (
        serving(db_path, store_check_interval_s=60) as (server, channel),
        HealthStub(channel).Watch.open() as stream,
    ):
        await stream.send_message(HealthCheckRequest(), end=True)
        first = await stream.recv_message()
        assert first is not None
        assert first.status == HealthCheckResponse.SERVING
        server.begin_drain()
        second = await stream.recv_message()
        assert second is not None
        assert second.status == HealthCheckResponse.NOT_SERVING
        await stream.cancel()


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_the_health_port_serves_readiness_and_liveness_in_plaintext(
    db_path: Path, tmp_path: Path
) -> None:
    """Beside a TLS API port, probes that cannot speak TLS ask a plaintext health port:
    "" is readiness (NOT_SERVING once draining), "liveness" stays SERVING while the process
    answers, and nothing but health is served there."""
    from grpclib.client import Channel
    from grpclib.const import Status
    from grpclib.exceptions import GRPCError

    from tests.pki import make_pki
    from toys.transport.tls import client_context

    pki = make_pki(tmp_path / "pki")
    async with serving(
        db_path,
        store_check_interval_s=60,
        tls_cert=str(pki.server.cert),
        tls_key=str(pki.server.key),
        health_port=_free_port(),
        channel_tls=client_context(str(pki.ca_file)),
    ) as (server, _):
        plain = Channel("127.0.0.1", server.health_port)
        try:
            health = HealthStub(plain)
            assert (await health.Check(HealthCheckRequest())).status == HealthCheckResponse.SERVING
            server.begin_drain()
            ready = await health.Check(HealthCheckRequest())
            alive = await health.Check(HealthCheckRequest(service="liveness"))
            assert (ready.status, alive.status) == (
                HealthCheckResponse.NOT_SERVING,
                HealthCheckResponse.SERVING,
            )
            # Not served here. (grpclib answers an unknown method UNIMPLEMENTED in a headers-only
            # response without content-type, which its own client reports as UNKNOWN.)
            with pytest.raises(GRPCError) as caught:
                await pb.ToyServiceStub(plain).list_toys(pb.ListToysRequest())
            assert caught.value.status in (Status.UNIMPLEMENTED, Status.UNKNOWN)
        finally:
            plain.close()
