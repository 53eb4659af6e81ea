"""One readiness behind ToyService/HealthCheck and grpc.health.v1, probed once per interval."""

from __future__ import annotations

from pathlib import Path

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
