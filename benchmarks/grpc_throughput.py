"""Throughput and latency of GetToy, CreateToy and ListToys against a real server process.

Starts `toys-server` on a temporary SQLite file, fills it, then runs each call for a fixed
number of requests at concurrency 1 and 16 over one HTTP/2 connection. The standard
grpc.health.v1 Check, which does no store work, runs beside them as the baseline, so the
figures can be read as ratios on a noisy machine. Results are printed, never asserted.

    poetry run poe bench            # or: python -m benchmarks.grpc_throughput --requests 2000
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from grpclib.client import Channel
from grpclib.health.v1.health_grpc import HealthStub
from grpclib.health.v1.health_pb2 import HealthCheckRequest

from tests.support import ServerProcess
from toys._generated.toys import v1 as pb

Call = Callable[[], Awaitable[object]]


@dataclass(frozen=True)
class Result:
    name: str
    concurrency: int
    requests: int
    seconds: float
    latencies_ms: list[float]

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def measure(name: str, call: Call, requests: int, concurrency: int) -> Result:
    latencies: list[float] = []
    remaining = requests

    async def worker() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            started = time.perf_counter()
            await call()
            latencies.append((time.perf_counter() - started) * 1000)

    for _ in range(max(10, requests // 20)):  # warm up connection, caches and the JIT-less VM
        await call()
    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return Result(name, concurrency, requests, time.perf_counter() - started, latencies)


async def run(requests: int) -> list[Result]:
    with tempfile.TemporaryDirectory() as tmp:
        # Default log level: one access line per call is part of the real cost of a call.
        server = ServerProcess(db=Path(tmp) / "bench.db")
        server.start()
        channel = Channel("127.0.0.1", server.port)
        try:
            stub = pb.ToyServiceStub(channel, timeout=30)
            health = HealthStub(channel)
            for index in range(150):
                await stub.create_toy(pb.CreateToyRequest(name=f"seed {index}", designer="bench"))
            some_id = (await stub.list_toys(pb.ListToysRequest(page_size=1))).toys[0].id
            calls: dict[str, Call] = {
                "baseline Health/Check": lambda: health.Check(HealthCheckRequest()),
                "GetToy": lambda: stub.get_toy(pb.GetToyRequest(id=some_id)),
                "CreateToy": lambda: stub.create_toy(pb.CreateToyRequest(name="bench toy")),
                "ListToys (100)": lambda: stub.list_toys(pb.ListToysRequest(page_size=100)),
            }
            results = []
            for concurrency in (1, 16):
                for name, call in calls.items():
                    count = requests // 5 if name.startswith("ListToys") else requests
                    results.append(await measure(name, call, count, concurrency))
            return results
        finally:
            channel.close()
            server.stop()


def report(results: list[Result]) -> str:
    baseline = {r.concurrency: r for r in results if r.name.startswith("baseline")}
    lines = [
        f"{'call':24} {'conc':>4} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'vs baseline':>12}",
    ]
    for r in results:
        ratio = r.throughput / baseline[r.concurrency].throughput
        lines.append(
            f"{r.name:24} {r.concurrency:>4} {r.throughput:>9.0f} {r.percentile(0.5):>8.2f} "
            f"{r.percentile(0.99):>8.2f} {ratio:>11.2f}x"
        )
    spread = [statistics.pstdev(r.latencies_ms) for r in results]
    lines.append(f"(latency std-dev across rows: {min(spread):.2f}..{max(spread):.2f} ms)")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=1000, help="calls per row")
    args = parser.parse_args()
    print(report(asyncio.run(run(args.requests))))


if __name__ == "__main__":
    main()
