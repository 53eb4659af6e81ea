"""A watch across two toys-server replicas on one PostgreSQL database: changes committed on
either replica reach a watcher of the other, and a watcher whose replica is killed (-9)
resumes on the other with its last token, missing and repeating nothing."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from grpclib.client import Channel

from tests.postgres_server import create_database
from tests.support import ServerProcess
from tests.watch_support import EventType, watching
from toys._generated.toys import v1 as pb

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
