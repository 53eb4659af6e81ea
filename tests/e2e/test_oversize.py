"""A 100 MB request at a real server process: refused, and the server's memory barely moves."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from grpclib.client import Channel, UnaryUnaryMethod
from grpclib.const import Status
from grpclib.exceptions import GRPCError

from benchmarks.attackers import RawCodec
from tests.support import ServerProcess
from toys._generated.toys import v1 as pb

GROWTH_ALLOWED_KB = 16 * 1024


def peak_kb(server: ServerProcess) -> int:
    """The process's peak resident memory (VmHWM), in KB."""
    assert server.proc is not None
    for line in Path(f"/proc/{server.proc.pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    started = ServerProcess(db=tmp_path / "toys.db").start()
    try:
        yield started
    finally:
        started.kill()


async def _send(address: str, method: str, payload: bytes) -> GRPCError:
    host, port = address.split(":")
    channel = Channel(host, int(port), codec=RawCodec())
    try:
        with pytest.raises(GRPCError) as caught:
            await UnaryUnaryMethod(channel, method, bytes, bytes)(payload, timeout=60)
        return caught.value
    finally:
        channel.close()


@pytest.mark.parametrize("method", ["GetToy", "CreateToy", "UpdateManufactureStatus"])
def test_a_100_mb_request_is_refused_without_growing_the_server(
    server: ServerProcess, method: str
) -> None:
    before = peak_kb(server)
    payload = bytes(pb.GetToyRequest(id="x" * 100_000_000))
    error = asyncio.run(_send(server.address, f"/toys.v1.ToyService/{method}", payload))
    assert error.status is Status.RESOURCE_EXHAUSTED
    grown = peak_kb(server) - before
    print(f"{method}: server peak grew {grown} KB for a 100 MB request")
    assert grown < GROWTH_ALLOWED_KB
