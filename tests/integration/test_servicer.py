"""ToyService through grpclib in process (ChannelFor): every RPC, and the status of each error."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from grpclib.const import Status
from grpclib.exceptions import GRPCError
from grpclib.testing import ChannelFor

from toys._generated.toys import v1 as pb
from toys.core.readiness import Readiness
from toys.core.service import ToyService
from toys.grpc_api.codec import StrictProtoCodec
from toys.grpc_api.servicer import ToyServicer
from toys.messages.answers import ToyAnswers
from toys.stores.sqlite import SqliteToyStore

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
S = pb.ManufactureStatus


@pytest.fixture
async def stub(service: ToyService, store: SqliteToyStore) -> AsyncIterator[pb.ToyServiceStub]:
    readiness = Readiness(store.ping, interval_s=0)
    servicer = ToyServicer(ToyAnswers(service, version="9.9.9", readiness=readiness))
    async with ChannelFor([servicer], codec=StrictProtoCodec()) as channel:
        yield pb.ToyServiceStub(channel)


def callback(
    toy_id: str,
    status: pb.ManufactureStatus,
    uid: str = "wf-uid-1",
    *,
    created: datetime = T0,
    units: int = 0,
) -> pb.UpdateManufactureStatusRequest:
    finished = created + timedelta(minutes=30)
    return pb.UpdateManufactureStatusRequest(
        toy_id=toy_id,
        status=status,
        run=pb.WorkflowRun(
            name=f"make-{uid}",
            namespace="factory",
            uid=uid,
            creation_time=created,
            started_time=created,
            finished_time=finished if status not in (S.PENDING, S.RUNNING) else None,
            units_produced=units,
        ),
    )


async def expect_status(status: Status, call: Awaitable[object]) -> str:
    with pytest.raises(GRPCError) as caught:
        await call
    assert caught.value.status is status, caught.value.message
    return caught.value.message or ""


async def test_create_get_list_delete(stub: pb.ToyServiceStub) -> None:
    """A created toy can be fetched, is listed, and is gone after delete."""
    created = (
        await stub.create_toy(
            pb.CreateToyRequest(name="Car", designer="Ann", manufacturor="Acme", design_time=T0)
        )
    ).toy
    assert created is not None
    assert (created.name, created.designer, created.manufacturor) == ("Car", "Ann", "Acme")
    assert created.status is S.PENDING
    assert created.design_time == T0
    assert created.create_time is not None
    fetched = (await stub.get_toy(pb.GetToyRequest(id=created.id))).toy
    assert fetched == created
    listed = await stub.list_toys(pb.ListToysRequest())
    assert [t.id for t in listed.toys] == [created.id]
    assert listed.next_page_token == ""
    await stub.delete_toy(pb.DeleteToyRequest(id=created.id))
    await expect_status(Status.NOT_FOUND, stub.get_toy(pb.GetToyRequest(id=created.id)))


async def test_list_follows_page_tokens_to_the_end(stub: pb.ToyServiceStub) -> None:
    """Pages of 2 over 5 toys give every toy once, in order, and the last token is empty."""
    ids = []
    for index in range(5):
        toy = (await stub.create_toy(pb.CreateToyRequest(name=f"toy {index}"))).toy
        assert toy is not None
        ids.append(toy.id)
    seen: list[str] = []
    token = ""
    pages = 0
    while True:
        page = await stub.list_toys(pb.ListToysRequest(page_size=2, page_token=token))
        seen += [t.id for t in page.toys]
        pages += 1
        token = page.next_page_token
        if not token:
            break
    assert seen == ids
    assert pages == 3


async def test_list_filters_by_status(stub: pb.ToyServiceStub) -> None:
    """Only toys in the requested status are listed; a token cannot change the filter."""
    running = (await stub.create_toy(pb.CreateToyRequest(name="a"))).toy
    assert running is not None
    await stub.create_toy(pb.CreateToyRequest(name="b"))
    await stub.create_toy(pb.CreateToyRequest(name="c"))
    await stub.update_manufacture_status(callback(running.id, S.RUNNING))
    page = await stub.list_toys(pb.ListToysRequest(status=S.RUNNING))
    assert [t.id for t in page.toys] == [running.id]
    first = await stub.list_toys(pb.ListToysRequest(page_size=1))
    message = await expect_status(
        Status.INVALID_ARGUMENT,
        stub.list_toys(
            pb.ListToysRequest(page_size=1, page_token=first.next_page_token, status=S.RUNNING)
        ),
    )
    assert message.startswith("page_token:")


async def test_callback_lifecycle_reports_outcomes(stub: pb.ToyServiceStub) -> None:
    """RUNNING then SUCCEEDED applies, a repeat is a REPLAY, an older run is STALE."""
    toy = (await stub.create_toy(pb.CreateToyRequest(name="Car"))).toy
    assert toy is not None
    running = await stub.update_manufacture_status(callback(toy.id, S.RUNNING))
    assert running.outcome is pb.CallbackOutcome.APPLIED
    assert running.toy is not None
    assert running.toy.status is S.RUNNING
    done = await stub.update_manufacture_status(callback(toy.id, S.SUCCEEDED, units=3))
    assert done.outcome is pb.CallbackOutcome.APPLIED
    assert done.toy is not None
    assert done.toy.number_manufactured == 3
    assert done.toy.manufacture_time == T0 + timedelta(minutes=30)
    assert done.toy.last_run is not None
    assert (done.toy.last_run.uid, done.toy.last_run.phase) == ("wf-uid-1", "Succeeded")
    replay = await stub.update_manufacture_status(callback(toy.id, S.SUCCEEDED, units=3))
    assert replay.outcome is pb.CallbackOutcome.REPLAY
    assert replay.toy == done.toy
    stale = await stub.update_manufacture_status(
        callback(toy.id, S.FAILED, "older", created=T0 - timedelta(days=1))
    )
    assert stale.outcome is pb.CallbackOutcome.STALE
    assert stale.toy == done.toy


async def test_a_forbidden_transition_is_failed_precondition(stub: pb.ToyServiceStub) -> None:
    """A succeeded run reporting FAILED is FAILED_PRECONDITION with a reason."""
    toy = (await stub.create_toy(pb.CreateToyRequest(name="Car"))).toy
    assert toy is not None
    await stub.update_manufacture_status(callback(toy.id, S.SUCCEEDED))
    message = await expect_status(
        Status.FAILED_PRECONDITION, stub.update_manufacture_status(callback(toy.id, S.FAILED))
    )
    assert "already reported SUCCEEDED" in message


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        (pb.CreateToyRequest(name=""), "name"),
        (pb.CreateToyRequest(name="x" * 201), "name"),
        (pb.CreateToyRequest(name="ok", designer="d" * 500), "designer"),
        (pb.GetToyRequest(id=""), "id"),
        (pb.DeleteToyRequest(id="x" * 100), "id"),
        (pb.ListToysRequest(page_size=-5), "page_size"),
        (pb.ListToysRequest(page_token="garbage!"), "page_token"),
        (pb.UpdateManufactureStatusRequest(toy_id="t", status=S.RUNNING), "run"),
        (callback("t", S.UNSPECIFIED), "status"),
        (callback("", S.RUNNING), "toy_id"),
        (callback("t", S.SUCCEEDED, units=-1), "run.units_produced"),
    ],
)
async def test_bad_input_is_invalid_argument_naming_the_field(
    stub: pb.ToyServiceStub, request_: object, field: str
) -> None:
    """Each kind of bad input is INVALID_ARGUMENT and the message starts with the field."""
    methods: dict[type, Any] = {
        pb.CreateToyRequest: stub.create_toy,
        pb.GetToyRequest: stub.get_toy,
        pb.DeleteToyRequest: stub.delete_toy,
        pb.ListToysRequest: stub.list_toys,
        pb.UpdateManufactureStatusRequest: stub.update_manufacture_status,
    }
    message = await expect_status(Status.INVALID_ARGUMENT, methods[type(request_)](request_))
    assert message.startswith(f"{field}:"), message


async def test_unknown_ids_are_not_found(stub: pb.ToyServiceStub) -> None:
    """Get, delete and callbacks for an id nobody created are NOT_FOUND."""
    for call in (
        stub.get_toy(pb.GetToyRequest(id="missing")),
        stub.delete_toy(pb.DeleteToyRequest(id="missing")),
        stub.update_manufacture_status(callback("missing", S.RUNNING)),
    ):
        assert "missing" in await expect_status(Status.NOT_FOUND, call)


async def test_health_check_reports_version_and_store(stub: pb.ToyServiceStub) -> None:
    """HealthCheck answers SERVING with the server version and a healthy store."""
    health = await stub.health_check(pb.HealthCheckRequest())
    assert health.status is pb.HealthCheckResponseServingStatus.SERVING
    assert (health.version, health.store_ok, health.store_detail) == ("9.9.9", True, "")
