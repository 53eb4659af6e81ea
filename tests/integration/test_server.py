"""The composed server on a real socket: health, drain, codec errors, access log."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from grpclib.client import Channel, UnaryUnaryMethod
from grpclib.const import Status
from grpclib.exceptions import GRPCError
from grpclib.health.v1.health_grpc import HealthStub
from grpclib.health.v1.health_pb2 import HealthCheckRequest, HealthCheckResponse

from benchmarks.attackers import RawCodec
from tests.fakes import BrokenGetStore, GatedStore
from tests.support import serving
from toys._generated.google.protobuf import Timestamp
from toys._generated.toys import v1 as pb
from toys.stores.sqlite import SqliteToyStore

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


async def health_of(channel: Channel, service: str = "") -> Any:
    response = await HealthStub(channel).Check(HealthCheckRequest(service=service))
    return response.status


async def test_health_serves_overall_and_toy_service(db_path: Path) -> None:
    """grpc.health.v1 says SERVING for "" and toys.v1.ToyService, NOT_FOUND for others."""
    async with serving(db_path) as (_, channel):
        assert await health_of(channel) == HealthCheckResponse.SERVING
        assert await health_of(channel, "toys.v1.ToyService") == HealthCheckResponse.SERVING
        with pytest.raises(GRPCError) as caught:
            await health_of(channel, "no.such.Service")
        assert caught.value.status is Status.NOT_FOUND


async def test_health_goes_not_serving_while_the_store_fails(db_path: Path) -> None:
    """A database locked by a stuck writer turns both health APIs NOT_SERVING, then back."""
    import sqlite3

    store = await SqliteToyStore.open(str(db_path), busy_timeout_s=0.05)
    async with serving(db_path, store=store) as (_, channel):
        stub = pb.ToyServiceStub(channel)
        holder = sqlite3.connect(db_path, isolation_level=None)
        try:
            holder.execute("BEGIN EXCLUSIVE")
            assert await health_of(channel) == HealthCheckResponse.NOT_SERVING
            assert await health_of(channel, "toys.v1.ToyService") == HealthCheckResponse.NOT_SERVING
            own = await stub.health_check(pb.HealthCheckRequest())
            assert own.status is pb.HealthCheckResponseServingStatus.NOT_SERVING
            assert own.store_ok is False
            assert "locked" in own.store_detail
            holder.execute("ROLLBACK")
        finally:
            holder.close()
        assert await health_of(channel) == HealthCheckResponse.SERVING
        own = await stub.health_check(pb.HealthCheckRequest())
        assert own.status is pb.HealthCheckResponseServingStatus.SERVING


async def callback_held_in_store(
    stub: pb.ToyServiceStub, store: GatedStore
) -> tuple[pb.Toy, asyncio.Task[pb.UpdateManufactureStatusResponse]]:
    """A new toy, and a RUNNING callback for it that is in flight, held at the store's gate."""
    toy = (await stub.create_toy(pb.CreateToyRequest(name="Car"))).toy
    assert toy is not None
    in_flight = asyncio.create_task(
        stub.update_manufacture_status(
            pb.UpdateManufactureStatusRequest(
                toy_id=toy.id,
                status=pb.ManufactureStatus.RUNNING,
                run=pb.WorkflowRun(uid="u1", creation_time=T0),
            )
        )
    )
    await store.entered.wait()
    return toy, in_flight


async def test_drain_finishes_in_flight_calls_and_refuses_new_ones(db_path: Path) -> None:
    """On drain: NOT_SERVING at once, new calls UNAVAILABLE, the call in flight completes."""
    store = GatedStore(await SqliteToyStore.open(str(db_path)))
    async with serving(db_path, store=store) as (server, channel):
        stub = pb.ToyServiceStub(channel)
        toy, in_flight = await callback_held_in_store(stub, store)
        server.begin_drain()
        assert await health_of(channel) == HealthCheckResponse.NOT_SERVING
        own = await stub.health_check(pb.HealthCheckRequest())
        assert own.status is pb.HealthCheckResponseServingStatus.NOT_SERVING
        with pytest.raises(GRPCError) as caught:
            await stub.get_toy(pb.GetToyRequest(id=toy.id))
        assert caught.value.status is Status.UNAVAILABLE
        store.gate.set()
        await server.finish_drain(grace_s=10)
        response = await in_flight
        assert response.outcome is pb.CallbackOutcome.APPLIED
    reopened = await SqliteToyStore.open(str(db_path))
    try:
        assert (await reopened.get(toy.id)).status.name == "RUNNING"
    finally:
        await reopened.close()


async def test_drain_cancels_calls_that_outlive_the_grace_period(db_path: Path) -> None:
    """A call still running when the grace period ends is cancelled; shutdown still ends."""
    store = GatedStore(await SqliteToyStore.open(str(db_path)))
    async with serving(db_path, store=store, grace_s=0.2) as (server, channel):
        stub = pb.ToyServiceStub(channel)
        _, in_flight = await callback_held_in_store(stub, store)
        await server.shutdown()
        with pytest.raises(GRPCError) as caught:
            await in_flight
        assert caught.value.status is Status.UNAVAILABLE


async def call_raw(port: int, method: str, payload: bytes) -> GRPCError:
    channel = Channel("127.0.0.1", port, codec=RawCodec())
    try:
        with pytest.raises(GRPCError) as caught:
            await UnaryUnaryMethod(channel, method, bytes, bytes)(payload)
        return caught.value
    finally:
        channel.close()


_FAR = bytes(Timestamp(seconds=10**13))


@pytest.mark.parametrize(
    ("method", "payload", "message"),
    [
        (
            "CreateToy",
            bytes(pb.CreateToyRequest(name="Car")) + b"\x1a" + bytes([len(_FAR)]) + _FAR,
            "request: cannot decode CreateToyRequest",
        ),
        ("CreateToy", b"\x0a\x02\xff\xfe", "request: CreateToyRequest.name: is not UTF-8 text"),
        ("CreateToy", b"\x0b", "request: CreateToyRequest.name: has wire type 3"),
        ("GetToy", b"\x08\x05", "request: GetToyRequest.id: has the wrong wire type"),
        ("ListToys", b"\x1a\x02ab", "request: ListToysRequest.status: has the wrong wire type"),
        ("GetToy", b"\x0a\x05ab", "request: GetToyRequest.id: claims 5 bytes that are not there"),
        (
            "UpdateManufactureStatus",
            b"\x1a\x02\x08\x01",
            "request: UpdateManufactureStatusRequest.run.name: has the wrong wire type",
        ),
    ],
)
async def test_an_undecodable_request_is_invalid_argument_naming_the_field(
    db_path: Path, method: str, payload: bytes, message: str
) -> None:
    """Wrong wire types, truncation, bad UTF-8, out-of-range times: INVALID_ARGUMENT."""
    async with serving(db_path) as (server, _):
        error = await call_raw(server.port, f"/toys.v1.ToyService/{method}", payload)
        assert error.status is Status.INVALID_ARGUMENT, error.message
        assert (error.message or "").startswith(message)


async def test_a_bug_becomes_internal_not_unknown(db_path: Path) -> None:
    """An unexpected exception is INTERNAL with a generic message; details stay in the log."""
    store = BrokenGetStore(await SqliteToyStore.open(str(db_path)))
    async with serving(db_path, store=store) as (_, channel):
        with pytest.raises(GRPCError) as caught:
            await pb.ToyServiceStub(channel).get_toy(pb.GetToyRequest(id="any"))
        assert caught.value.status is Status.INTERNAL
        assert "ZeroDivisionError" not in (caught.value.message or "")


async def test_every_call_logs_one_access_line(
    db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Each call logs method, final status and duration exactly once."""
    caplog.set_level(logging.INFO, logger="toys.access")
    async with serving(db_path) as (_, channel):
        stub = pb.ToyServiceStub(channel)
        await stub.create_toy(pb.CreateToyRequest(name="Car"))
        with pytest.raises(GRPCError):
            await stub.get_toy(pb.GetToyRequest(id="missing"))
    lines = [r.getMessage() for r in caplog.records if r.name == "toys.access"]
    assert len(lines) == 2
    assert lines[0].startswith("method=/toys.v1.ToyService/CreateToy status=OK duration_ms=")
    assert lines[1].startswith("method=/toys.v1.ToyService/GetToy status=NOT_FOUND duration_ms=")
    assert "message=\"toy 'missing' not found\"" in lines[1]


class _Signal(logging.Handler):
    """Sets an event when an access line with the given status is written."""

    def __init__(self, status: str) -> None:
        super().__init__()
        self.status = status
        self.seen = asyncio.Event()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())
        if f" status={self.status} " in record.getMessage():
            self.seen.set()


async def test_a_call_the_client_cancels_is_logged_cancelled(
    db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The client gives up on a callback held in the store: the access line says CANCELLED."""
    caplog.set_level(logging.INFO, logger="toys.access")
    store = GatedStore(await SqliteToyStore.open(str(db_path)))
    signal = _Signal("CANCELLED")
    logging.getLogger("toys.access").addHandler(signal)
    try:
        async with serving(db_path, store=store) as (_, channel):
            _, in_flight = await callback_held_in_store(pb.ToyServiceStub(channel), store)
            in_flight.cancel()
            await asyncio.wait_for(signal.seen.wait(), timeout=10)
            store.gate.set()
    finally:
        logging.getLogger("toys.access").removeHandler(signal)
    [cancelled] = [line for line in signal.lines if "UpdateManufactureStatus" in line]
    assert " status=CANCELLED " in cancelled
