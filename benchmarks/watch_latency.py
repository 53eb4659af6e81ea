"""How fast a committed change reaches watchers, and what idle watches cost.

A toys-server (SQLite, pinned to the server core) and, in this process on the other core,
1 or 200 WatchToys streams over one connection (raw bytes: no decoding is measured) and a
writer that creates a toy every 100 ms. For each change the latency is taken from when the
CreateToy call was sent and from when its answer came back (the commit lies in between) to
when each watcher got the event; medians and 99th percentiles over all of them. Then, with
200 watches open and nothing changing, the server's CPU use over ten seconds.

    poetry run python -m benchmarks.watch_latency
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from grpclib.client import Channel
from grpclib.const import Cardinality

from benchmarks.harness import LOAD_CPU, SERVER_CPU, Server, cores_for, loadavg
from toys._generated.pb2.toys.v1 import toys_pb2 as pb2


class RawCodec:
    __content_subtype__ = "proto"

    def encode(self, message: Any, message_type: Any) -> bytes:
        return bytes(message)

    def decode(self, data: bytes, message_type: Any) -> bytes:
        return data


async def _watch(
    channel: Channel,
    arrivals: list[float],
    ready: asyncio.Event,
    expected: int = 0,
    complete: asyncio.Event | None = None,
) -> None:
    request = pb2.WatchToysRequest(send_initial=True).SerializeToString()
    async with channel.request(
        "/toys.v1.ToyService/WatchToys", Cardinality.UNARY_STREAM, bytes, bytes
    ) as stream:
        await stream.send_message(request, end=True)
        await stream.recv_message()  # SYNCED: the store is empty
        ready.set()
        while (await stream.recv_message()) is not None:
            arrivals.append(time.perf_counter())
            if complete is not None and len(arrivals) == expected:
                complete.set()


async def measure(address: str, watchers: int, changes: int) -> dict[str, float]:
    host, port = address.split(":")
    channel = Channel(host, int(port), codec=RawCodec())  # type: ignore[arg-type]
    arrivals: list[list[float]] = [[] for _ in range(watchers)]
    readies = [asyncio.Event() for _ in range(watchers)]
    completes = [asyncio.Event() for _ in range(watchers)]
    tasks = [
        asyncio.create_task(_watch(channel, arrivals[i], readies[i], changes, completes[i]))
        for i in range(watchers)
    ]
    await asyncio.gather(*(ready.wait() for ready in readies))
    sent_at, acked_at = [], []
    create = pb2.CreateToyRequest(name="timed").SerializeToString()
    for _ in range(changes):
        sent_at.append(time.perf_counter())
        acked_at.append(await _unary(channel, create))
        await asyncio.sleep(0.1)
    await asyncio.wait_for(asyncio.gather(*(c.wait() for c in completes)), 30)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    channel.close()
    from_sent = [got[i] - sent_at[i] for got in arrivals for i in range(min(changes, len(got)))]
    from_ack = [got[i] - acked_at[i] for got in arrivals for i in range(min(changes, len(got)))]
    return {
        "median_from_sent_ms": statistics.median(from_sent) * 1000,
        "p99_from_sent_ms": sorted(from_sent)[int(len(from_sent) * 0.99) - 1] * 1000,
        "median_from_ack_ms": statistics.median(from_ack) * 1000,
        "p99_from_ack_ms": sorted(from_ack)[int(len(from_ack) * 0.99) - 1] * 1000,
        "events": len(from_sent),
    }


async def _unary(channel: Channel, body: bytes) -> float:
    async with channel.request(
        "/toys.v1.ToyService/CreateToy", Cardinality.UNARY_UNARY, bytes, bytes
    ) as stream:
        await stream.send_message(body, end=True)
        await stream.recv_message()
        return time.perf_counter()


async def idle_cpu(server: Server, watchers: int, seconds: float) -> float:
    """The server's CPU use (% of one core) with `watchers` open watches and no changes."""
    host, port = server.address.split(":")
    channel = Channel(host, int(port), codec=RawCodec())  # type: ignore[arg-type]
    readies = [asyncio.Event() for _ in range(watchers)]
    tasks = [asyncio.create_task(_watch(channel, [], r)) for r in readies]
    await asyncio.gather(*(ready.wait() for ready in readies))
    await asyncio.sleep(1)  # let start-up work settle
    before = server.cpu_seconds()
    await asyncio.sleep(seconds)
    used = server.cpu_seconds() - before
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    channel.close()
    return used / seconds * 100


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--changes", type=int, default=50)
    args = parser.parse_args()
    _, load_cores = cores_for(SERVER_CPU, LOAD_CPU)
    os.sched_setaffinity(0, load_cores)
    with tempfile.TemporaryDirectory() as tmp:
        command = [str(Path(sys.executable).parent / "toys-server"), "--port", "{port}"]
        for watchers in (1, 200):
            db = str(Path(tmp) / f"w{watchers}.db")
            server = Server(
                [*command, "--db", db], env={"TOYS_MAX_CONCURRENT_STREAMS": "500"}
            ).start()
            try:
                result = asyncio.run(measure(server.address, watchers, args.changes))
            finally:
                server.stop()
            print(
                f"{watchers:3} watcher(s): commit -> event median "
                f"{result['median_from_ack_ms']:.1f}..{result['median_from_sent_ms']:.1f} ms, "
                f"p99 {result['p99_from_ack_ms']:.1f}..{result['p99_from_sent_ms']:.1f} ms "
                f"({result['events']:.0f} events; from the answer..from the call)"
            )
        server = Server(
            [*command, "--db", str(Path(tmp) / "idle.db")],
            env={"TOYS_MAX_CONCURRENT_STREAMS": "500"},
        ).start()
        try:
            cpu = asyncio.run(idle_cpu(server, 200, 10))
        finally:
            server.stop()
    print(f"200 idle watches: server CPU {cpu:.2f}% of a core; load average {loadavg()}")


if __name__ == "__main__":
    main()
