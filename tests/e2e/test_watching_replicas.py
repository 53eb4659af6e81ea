"""Watches on PostgreSQL: changes committed on either of two replicas reach a watcher of the
other, a watcher whose replica is killed (-9) resumes on the other with its last token, missing
and repeating nothing, and a watch outlives a restart of the database under its server."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from grpclib.client import Channel
from grpclib.const import Status
from grpclib.exceptions import GRPCError

from tests.postgres_server import PostgresServer, create_database
from tests.support import ServerProcess, serving
from tests.watch_support import EventType, watching
from toys._generated.toys import v1 as pb
from toys.stores.opening import open_store

TOYS = 60


@pytest.fixture
def replicas(postgres: str, tmp_path: Path) -> Iterator[tuple[ServerProcess, ServerProcess]]:
    dsn = asyncio.run(create_database(postgres))
    first, second = ServerProcess(db=dsn).start(), ServerProcess(db=dsn).start()
    try:
        yield first, second
    finally:
        first.kill()
        second.kill()


def channel_to(server: ServerProcess) -> Channel:
    return Channel("127.0.0.1", server.port)


async def test_a_watcher_of_a_killed_replica_resumes_on_the_other_exactly_once(
    replicas: tuple[ServerProcess, ServerProcess],
) -> None:
    first, second = replicas
    to_first, to_second = channel_to(first), channel_to(second)
    seen: list[str] = []
    try:
        writer = pb.ToyServiceStub(to_second, timeout=30)
        async with watching(to_first, send_initial=True) as watch:
            await watch.synced()
            for index in range(TOYS // 2):  # made on the other replica: woken by NOTIFY
                await writer.create_toy(pb.CreateToyRequest(name=f"toy-{index}"))
            events = await watch.take(TOYS // 3)  # the watcher is a little behind
            seen += [e.toy.name for e in events if e.toy]
            token = events[-1].resume_token
            assert first.proc is not None
            first.proc.send_signal(signal.SIGKILL)
            last = await watch.until_lost()  # what was on its way when the replica died
            seen += [e.toy.name for e in last if e.toy]
            token = last[-1].resume_token if last else token
        for index in range(TOYS // 2, TOYS):
            await writer.create_toy(pb.CreateToyRequest(name=f"toy-{index}"))
        async with watching(to_second, resume_token=token) as resumed:
            rest = await resumed.take(TOYS - len(seen))
    finally:
        to_first.close()
        to_second.close()
    assert {EventType(e.type).name for e in rest} == {"ADDED"}
    assert seen + [e.toy.name for e in rest if e.toy] == [f"toy-{i}" for i in range(TOYS)]


async def test_a_watch_goes_on_when_postgresql_restarts_under_its_server(
    tmp_path: Path,
) -> None:
    database = PostgresServer().initdb().start()
    try:
        store = await open_store(await create_database(database.dsn()))
        async with (
            serving(tmp_path / "unused.db", store=store) as (_, channel),
            watching(channel, send_initial=True) as watch,
        ):
            await watch.synced()
            database.stop()
            database.start()
            made = await _create_once_reconnected(channel, "after-restart")
            event = await watch.next()
    finally:
        database.remove()
    assert event.toy is not None
    assert (EventType(event.type).name, event.toy.id) == ("ADDED", made)


async def _create_once_reconnected(channel: Channel, name: str) -> str:
    """The pool's connections died with the server: the first calls may be UNAVAILABLE."""
    stub = pb.ToyServiceStub(channel)
    refusals = []
    for _ in range(5):
        try:
            made = await stub.create_toy(pb.CreateToyRequest(name=name))
        except GRPCError as exc:
            refusals.append(exc.status)
            continue
        assert set(refusals) <= {Status.UNAVAILABLE}
        assert made.toy is not None
        return made.toy.id
    raise AssertionError(f"the store never came back: {refusals}")
