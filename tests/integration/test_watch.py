"""WatchToys against the composed server on a real SQLite file: events in commit order and
each once, a snapshot then changes, resuming, filters, and the ends a client resumes from."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import cast

from grpclib.client import Channel
from grpclib.const import Status

from tests.support import T0, serving
from tests.watch_support import EventType, names, watching
from toys._generated.toys import v1 as pb
from toys.core.store import BulkStore
from toys.domain import NewToy, Toy, create_toy
from toys.watching.tokens import ResumeTokens


async def create(channel: Channel, name: str) -> pb.Toy:
    toy = (await pb.ToyServiceStub(channel).create_toy(pb.CreateToyRequest(name=name))).toy
    assert toy is not None
    return toy


async def test_a_watch_sees_each_change_once_in_commit_order(db_path: Path) -> None:
    async with serving(db_path) as (_, channel), watching(channel, send_initial=True) as watch:
        await watch.synced()
        stub = pb.ToyServiceStub(channel)
        car = await create(channel, "Car")
        await stub.reset_toy(pb.ResetToyRequest(id=car.id))
        await stub.delete_toy(pb.DeleteToyRequest(id=car.id))
        events = await watch.take(3)
    assert names(events) == [("ADDED", "Car"), ("MODIFIED", "Car"), ("DELETED", "Car")]
    assert [e.toy.id for e in events if e.toy] == [car.id] * 3
    assert len({e.resume_token for e in events}) == 3


async def test_send_initial_lists_the_toys_then_synced_then_changes(db_path: Path) -> None:
    async with serving(db_path) as (_, channel):
        await create(channel, "a")
        await create(channel, "b")
        async with watching(channel, send_initial=True) as watch:
            initial = await watch.take(3)
            await create(channel, "c")
            later = await watch.next()
    assert names(initial) == [("ADDED", "a"), ("ADDED", "b"), ("SYNCED", "")]
    assert names([later]) == [("ADDED", "c")]


async def test_resuming_replays_every_change_after_the_token_once(db_path: Path) -> None:
    async with serving(db_path) as (_, channel):
        async with watching(channel, send_initial=True) as watch:
            await watch.synced()
            await create(channel, "a")
            token = (await watch.next()).resume_token
        await create(channel, "b")
        await create(channel, "c")
        async with watching(channel, resume_token=token) as resumed:
            replayed = await resumed.take(2)
            await create(channel, "d")
            live = await resumed.next()
    assert names([*replayed, live]) == [("ADDED", "b"), ("ADDED", "c"), ("ADDED", "d")]


async def test_a_token_older_than_the_history_kept_is_out_of_range(db_path: Path) -> None:
    async with serving(db_path, watch_history=10) as (server, channel):
        async with watching(channel, send_initial=True) as watch:
            await watch.synced()
            await create(channel, "first")
            token = (await watch.next()).resume_token
        store = cast("BulkStore", server.store)  # the SQLite store serving() opened
        await store.add_many([toy_number(index) for index in range(600)])  # prunes the log
        async with watching(channel, resume_token=token) as resumed:
            events, status = await resumed.ending()
    assert events == []
    assert status is Status.OUT_OF_RANGE


def toy_number(index: int) -> Toy:
    return create_toy(NewToy(name=f"bulk-{index}"), f"bulk-{index:04d}", T0)


async def test_a_token_of_another_store_is_invalid_argument(db_path: Path) -> None:
    foreign = ResumeTokens(b"another database's deployment key").encode(1)
    async with serving(db_path) as (_, channel), watching(channel, resume_token=foreign) as watch:
        _, status = await watch.ending()
    assert status is Status.INVALID_ARGUMENT


async def test_a_status_filter_sees_toys_enter_and_leave_its_status(db_path: Path) -> None:
    async with serving(db_path) as (_, channel):
        stub = pb.ToyServiceStub(channel)
        car = await create(channel, "Car")
        async with watching(
            channel, status=pb.ManufactureStatus.RUNNING, send_initial=True
        ) as watch:
            assert await watch.synced() == []
            await stub.update_manufacture_status(
                callback(car.id, "run-1", pb.ManufactureStatus.RUNNING)
            )
            await create(channel, "Boat")  # PENDING: not this watch's business
            await stub.update_manufacture_status(
                callback(car.id, "run-1", pb.ManufactureStatus.SUCCEEDED)
            )
            events = await watch.take(2)
    assert [(EventType(e.type).name, e.toy.status) for e in events if e.toy] == [
        ("ADDED", pb.ManufactureStatus.RUNNING),
        ("DELETED", pb.ManufactureStatus.SUCCEEDED),
    ]


def callback(
    toy_id: str, uid: str, status: pb.ManufactureStatus
) -> pb.UpdateManufactureStatusRequest:
    created = datetime.now(UTC) - timedelta(minutes=2)
    finished = created + timedelta(minutes=1) if status == pb.ManufactureStatus.SUCCEEDED else None
    run = pb.WorkflowRun(
        name="make", namespace="factory", uid=uid, creation_time=created, finished_time=finished
    )
    return pb.UpdateManufactureStatusRequest(toy_id=toy_id, status=status, run=run)
