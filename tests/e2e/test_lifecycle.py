"""The real server process: restarts keep every toy, SIGTERM drains, concurrent callbacks."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from grpclib.client import Channel

from tests.support import ServerProcess
from toys._generated.toys import v1 as pb

T0 = datetime(2026, 2, 1, 8, 0, tzinfo=UTC)
S = pb.ManufactureStatus


def succeeded(toy_id: str, uid: str, units: int) -> pb.UpdateManufactureStatusRequest:
    # Every run has the same creation time: ordering must come from what the toy remembers.
    return pb.UpdateManufactureStatusRequest(
        toy_id=toy_id,
        status=S.SUCCEEDED,
        run=pb.WorkflowRun(
            uid=uid,
            name=f"make-{uid}",
            creation_time=T0,
            finished_time=T0 + timedelta(minutes=5),
            units_produced=units,
        ),
    )


async def all_toys(stub: pb.ToyServiceStub) -> list[pb.Toy]:
    toys: list[pb.Toy] = []
    token = ""
    while True:
        page = await stub.list_toys(pb.ListToysRequest(page_size=7, page_token=token))
        toys += page.toys
        token = page.next_page_token
        if not token:
            return toys


async def test_a_restart_finds_every_toy(server_proc: ServerProcess) -> None:
    """Toys and their runs written before SIGTERM are all there after a restart."""
    channel = Channel("127.0.0.1", server_proc.port)
    stub = pb.ToyServiceStub(channel, timeout=10)
    for index in range(25):
        toy = (await stub.create_toy(pb.CreateToyRequest(name=f"toy {index}", designer="Ann"))).toy
        assert toy is not None
        if index % 3 == 0:
            await stub.update_manufacture_status(succeeded(toy.id, f"uid-{index}", index))
    before = await all_toys(stub)
    channel.close()
    assert len(before) == 25

    assert server_proc.stop(signal.SIGTERM) == 0
    assert any("stopped" in line for line in server_proc.lines)
    server_proc.start()

    channel = Channel("127.0.0.1", server_proc.port)
    try:
        assert await all_toys(pb.ToyServiceStub(channel, timeout=10)) == before
    finally:
        channel.close()


async def test_sigterm_with_an_open_client_connection_stops_promptly(
    server_proc: ServerProcess,
) -> None:
    """A client that keeps its channel open does not hold up shutdown."""
    channel = Channel("127.0.0.1", server_proc.port)
    try:
        await pb.ToyServiceStub(channel, timeout=10).health_check(pb.HealthCheckRequest())
        loop = asyncio.get_running_loop()
        started = loop.time()
        code = await asyncio.to_thread(server_proc.stop, signal.SIGTERM, 10.0)
        assert code == 0
        assert loop.time() - started < 5.0
    finally:
        channel.close()


async def test_concurrent_callbacks_lose_nothing(server_proc: ServerProcess) -> None:
    """60 runs for one toy, each delivered twice, all at once: every unit counted exactly once."""
    channel = Channel("127.0.0.1", server_proc.port)
    stub = pb.ToyServiceStub(channel, timeout=30)
    try:
        toy = (await stub.create_toy(pb.CreateToyRequest(name="Busy toy"))).toy
        assert toy is not None
        requests = [succeeded(toy.id, f"run-{n}", n + 1) for n in range(60)]
        responses = await asyncio.gather(
            *(stub.update_manufacture_status(r) for r in requests + requests)
        )
        outcomes = [r.outcome for r in responses]
        assert outcomes.count(pb.CallbackOutcome.APPLIED) == 60
        final = (await stub.get_toy(pb.GetToyRequest(id=toy.id))).toy
        assert final is not None
        assert final.number_manufactured == sum(range(1, 61))
        assert final.status is S.SUCCEEDED
    finally:
        channel.close()


def test_the_probe_reports_serving_and_not(server_proc: ServerProcess) -> None:
    """toys-probe (the image's HEALTHCHECK) exits 0 on a live server, 1 otherwise."""
    probe = str(Path(sys.executable).parent / "toys-probe")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [probe, "--port", str(server_proc.port), *args],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )

    assert run().returncode == 0
    unknown = run("--service", "no.such.Service")
    assert (unknown.returncode, "NOT_FOUND" in unknown.stderr) == (1, True)
    server_proc.stop()
    down = run("--timeout", "1")
    assert down.returncode == 1
    assert "not serving" in down.stderr
