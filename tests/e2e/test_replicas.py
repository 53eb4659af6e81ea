"""Two toys-server processes on one PostgreSQL database: shared toys, a burst of creates and
callbacks spread over both with one replica killed (-9) halfway, and the database itself
stopped and started under a running server."""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from grpclib.client import Channel
from grpclib.exceptions import GRPCError, StreamTerminatedError

from tests.postgres_server import PostgresServer
from tests.support import ServerProcess, grpcurl
from toys._generated.toys import v1 as pb

BIN = Path(sys.executable).parent
TOYS = 220  # 220 creates and 2 x 220 callbacks: 660 calls


@pytest.fixture(scope="module")
def database() -> Iterator[PostgresServer]:
    """A PostgreSQL server of this module's own: one test stops and starts it."""
    server = PostgresServer().initdb().start()
    try:
        yield server
    finally:
        server.remove()


@pytest.fixture
def replicas(
    database: PostgresServer, tmp_path: Path
) -> Iterator[tuple[ServerProcess, ServerProcess]]:
    dsn = database.dsn()
    first = ServerProcess(db=dsn, extra_env={"TOYS_STORE_CHECK_INTERVAL": "0"}).start()
    second = ServerProcess(db=dsn, extra_env={"TOYS_STORE_CHECK_INTERVAL": "0"}).start()
    try:
        yield first, second
    finally:
        first.kill()
        second.kill()


def toyctl(server: ServerProcess, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "toyctl"), "-s", server.address, *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "NO_COLOR": "1"},
    )


def test_a_toy_made_on_one_replica_is_seen_on_the_other(
    replicas: tuple[ServerProcess, ServerProcess], grpcurl_bin: str
) -> None:
    first, second = replicas
    toy_id = toyctl(first, "manufacture", "--name", "Shared", "-o", "name").stdout.strip()
    assert toyctl(second, "get", toy_id).returncode == 0
    listed = grpcurl(grpcurl_bin, second.address, "toys.v1.ToyService/ListToys", data="{}")
    assert toy_id in listed.stdout
    assert toyctl(second, "update-status", "--toy-id", toy_id).returncode == 0
    replay = toyctl(first, "update-status", "--toy-id", toy_id)
    assert "replay" in replay.stderr


def _callback(toy_id: str, uid: str) -> pb.UpdateManufactureStatusRequest:
    created = datetime.now(UTC) - timedelta(minutes=5)
    return pb.UpdateManufactureStatusRequest(
        toy_id=toy_id,
        status=pb.ManufactureStatus.SUCCEEDED,
        run=pb.WorkflowRun(
            uid=uid,
            creation_time=created,
            started_time=created,
            finished_time=created + timedelta(minutes=1),
            units_produced=1,
        ),
    )


async def _burst(first: ServerProcess, second: ServerProcess) -> tuple[list[str], set[str], int]:
    """Creates and callbacks over both replicas, the first killed -9 a third of the way in.

    Returns the acknowledged toys, the toys whose callback was acknowledged, and how many calls
    the surviving replica failed (it must fail none)."""
    channels = {
        name: Channel(server.address.split(":")[0], int(server.address.split(":")[1]))
        for name, server in (("first", first), ("second", second))
    }
    stubs = {name: pb.ToyServiceStub(channel, timeout=30) for name, channel in channels.items()}
    acknowledged: list[str] = []
    reported: set[str] = set()
    survivor_failures = 0
    calls = 0
    limit = asyncio.Semaphore(32)
    assert first.proc is not None

    async def call(request: object, method: str) -> object:
        """Send on a random replica; if the first is dead, retry on the second (as Argo
        retries), which must never fail."""
        nonlocal calls, survivor_failures
        async with limit:
            calls += 1
            if calls == TOYS:  # a third of the way in
                first.proc.send_signal(signal.SIGKILL)  # type: ignore[union-attr]
            for name in (random.choice(["first", "second"]), "second"):  # noqa: S311
                try:
                    return await getattr(stubs[name], method)(request)
                except (GRPCError, StreamTerminatedError, OSError):
                    if name == "second":
                        survivor_failures += 1
                        raise
            raise AssertionError("unreachable")

    async def one_toy(index: int) -> None:
        # A request_id of its own, sent again on the retry: an ambiguous failure (the first
        # replica killed after it committed) must not make a second toy.
        create = pb.CreateToyRequest(name=f"burst-{index}", request_id=str(uuid.uuid4()))
        made = await call(create, "create_toy")
        toy = made.toy  # type: ignore[attr-defined]
        acknowledged.append(toy.id)
        # The exit handler's callback, sent twice at once (Argo retried it): counted once.
        request = _callback(toy.id, f"run-{index}")
        await asyncio.gather(
            call(request, "update_manufacture_status"), call(request, "update_manufacture_status")
        )
        reported.add(toy.id)

    try:
        await asyncio.gather(*(one_toy(i) for i in range(TOYS)))
    finally:
        for channel in channels.values():
            channel.close()
    return acknowledged, reported, survivor_failures


def test_a_burst_survives_losing_a_replica(replicas: tuple[ServerProcess, ServerProcess]) -> None:
    first, second = replicas
    acknowledged, reported, survivor_failures = asyncio.run(_burst(first, second))
    assert first.proc is not None
    assert first.proc.wait(10) == -signal.SIGKILL
    assert survivor_failures == 0
    assert len(acknowledged) == TOYS
    listed = json.loads(toyctl(second, "list", "-o", "json").stdout)["toys"]
    made = {toy["id"]: toy["numberManufactured"] for toy in listed}
    assert set(acknowledged) <= set(made)
    burst_names = [toy["name"] for toy in listed if toy["name"].startswith("burst-")]
    assert len(burst_names) == len(set(burst_names)) == TOYS  # not one duplicate
    assert {made[toy_id] for toy_id in reported} == {1}  # every run counted exactly once
    assert toyctl(second, "health").returncode == 0


def test_the_database_going_away_and_back(
    replicas: tuple[ServerProcess, ServerProcess], database: PostgresServer
) -> None:
    first, _ = replicas
    toy_id = toyctl(first, "manufacture", "--name", "Survivor", "-o", "name").stdout.strip()
    database.stop()
    try:
        down = toyctl(first, "get", toy_id)
        assert down.returncode == 3, down.stderr
        health = toyctl(first, "health")
        assert health.returncode == 9
        assert "NOT_SERVING" in health.stdout
    finally:
        database.start()
    assert toyctl(first, "health").returncode == 0
    assert toyctl(first, "get", toy_id).returncode == 0
