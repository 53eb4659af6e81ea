"""Two servers on one PostgreSQL database, each answering reads from its memory: a write on
one is what the very next read on the other answers, one after the other and many at once."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta

import pytest
from grpclib.const import Status
from grpclib.exceptions import GRPCError

from tests.postgres_server import create_database
from tests.support import serving
from toys._generated.toys import v1 as pb

ROUNDS = 60
AT_ONCE = 24


@pytest.fixture
async def two_replicas(postgres: str) -> AsyncIterator[tuple[pb.ToyServiceStub, pb.ToyServiceStub]]:
    dsn = await create_database(postgres)
    async with AsyncExitStack() as stack:
        stubs = []
        for _ in range(2):
            server, channel = await stack.enter_async_context(serving(dsn))
            assert server.replica is not None
            await asyncio.wait_for(server.replica.loaded.wait(), 30)
            assert server.replica.serving
            stubs.append(pb.ToyServiceStub(channel))
        yield stubs[0], stubs[1]


def succeeded(toy_id: str) -> pb.UpdateManufactureStatusRequest:
    created = datetime.now(UTC) - timedelta(minutes=5)
    return pb.UpdateManufactureStatusRequest(
        toy_id=toy_id,
        status=pb.ManufactureStatus.SUCCEEDED,
        run=pb.WorkflowRun(
            uid=str(uuid.uuid4()),
            creation_time=created,
            started_time=created,
            finished_time=created + timedelta(minutes=1),
            units_produced=3,
        ),
    )


async def write_here_read_there(here: pb.ToyServiceStub, there: pb.ToyServiceStub) -> None:
    """Create, finish and delete a toy through `here`; after each, `there` reads it back."""
    made = (await here.create_toy(pb.CreateToyRequest(name="Car"))).toy
    assert made is not None
    read = (await there.get_toy(pb.GetToyRequest(id=made.id))).toy
    assert read == made
    done = (await here.update_manufacture_status(succeeded(made.id))).toy
    read = (await there.get_toy(pb.GetToyRequest(id=made.id))).toy
    assert read is not None
    assert (read.status, read.number_manufactured) == (pb.ManufactureStatus.SUCCEEDED, 3)
    assert read == done
    listed = await there.list_toys(
        pb.ListToysRequest(status=pb.ManufactureStatus.SUCCEEDED, page_size=1000)
    )
    assert made.id in [toy.id for toy in listed.toys]
    await here.delete_toy(pb.DeleteToyRequest(id=made.id))
    with pytest.raises(GRPCError) as gone:
        await there.get_toy(pb.GetToyRequest(id=made.id))
    assert gone.value.status is Status.NOT_FOUND


async def test_each_write_is_read_at_once_on_the_other_replica(
    two_replicas: tuple[pb.ToyServiceStub, pb.ToyServiceStub],
) -> None:
    first, second = two_replicas
    for round_ in range(ROUNDS):
        here, there = (first, second) if round_ % 2 else (second, first)
        await write_here_read_there(here, there)


async def test_writes_at_once_on_both_replicas_are_each_read_at_once_on_the_other(
    two_replicas: tuple[pb.ToyServiceStub, pb.ToyServiceStub],
) -> None:
    first, second = two_replicas
    await asyncio.gather(
        *(
            write_here_read_there(*((first, second) if index % 2 else (second, first)))
            for index in range(AT_ONCE)
        )
    )
