"""A toy's cached encoding never outlives the state it came from: after a callback, a reset or a
delete — made by this server or by another on the same database — the next answer is fresh."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from grpclib.const import Status
from grpclib.exceptions import GRPCError

from tests.support import serving
from toys._generated.toys import v1 as pb

S = pb.ManufactureStatus


def _callback(
    toy_id: str, status: pb.ManufactureStatus, uid: str = "run-1"
) -> pb.UpdateManufactureStatusRequest:
    created = datetime.now(UTC) - timedelta(hours=1)
    return pb.UpdateManufactureStatusRequest(
        toy_id=toy_id,
        status=status,
        run=pb.WorkflowRun(
            uid=uid,
            creation_time=created,
            finished_time=created + timedelta(minutes=5) if status is not S.RUNNING else None,
            units_produced=3,
        ),
    )


async def test_every_change_is_seen_by_the_next_read(db_path: Path) -> None:
    async with serving(db_path) as (_, channel):
        stub = pb.ToyServiceStub(channel)
        toy = (await stub.create_toy(pb.CreateToyRequest(name="Car"))).toy
        assert toy is not None
        assert (await stub.get_toy(pb.GetToyRequest(id=toy.id))).toy.status is S.PENDING  # type: ignore[union-attr]
        await stub.update_manufacture_status(_callback(toy.id, S.RUNNING))
        got = (await stub.get_toy(pb.GetToyRequest(id=toy.id))).toy
        assert got is not None
        assert got.status is S.RUNNING
        await stub.reset_toy(pb.ResetToyRequest(id=toy.id))
        listed = (await stub.list_toys(pb.ListToysRequest())).toys
        assert [t.status for t in listed] == [S.PENDING]
        await stub.delete_toy(pb.DeleteToyRequest(id=toy.id))
        with pytest.raises(GRPCError) as caught:
            await stub.get_toy(pb.GetToyRequest(id=toy.id))
        assert caught.value.status is Status.NOT_FOUND


async def test_a_change_made_by_another_server_is_seen(db_path: Path) -> None:
    """Two servers on one database: one reads (and keeps the encoding), the other changes."""
    async with serving(db_path) as (_, first), serving(db_path) as (_, second):
        reader, writer = pb.ToyServiceStub(first), pb.ToyServiceStub(second)
        toy = (await writer.create_toy(pb.CreateToyRequest(name="Car"))).toy
        assert toy is not None
        before = (await reader.get_toy(pb.GetToyRequest(id=toy.id))).toy
        assert before is not None
        assert before.status is S.PENDING
        await writer.update_manufacture_status(_callback(toy.id, S.SUCCEEDED))
        after = (await reader.get_toy(pb.GetToyRequest(id=toy.id))).toy
        assert after is not None
        assert (after.status, after.number_manufactured) == (S.SUCCEEDED, 3)
