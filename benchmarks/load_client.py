"""A load generator in a process of its own: grpcio's C core with raw bytes in and out, so
that neither side's Python messages are measured here. Keeps `concurrency` calls in flight on
one HTTP/2 connection for `seconds`, then prints one JSON line: calls, errors, req/s, p50, p99.

    python -m benchmarks.load_client ADDRESS METHOD CONCURRENCY SECONDS BODIES_FILE
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
from pathlib import Path

import grpc


async def run(
    address: str, method: str, concurrency: int, seconds: float, bodies: list[bytes]
) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    async with grpc.aio.insecure_channel(address) as channel:
        call: grpc.aio.UnaryUnaryMultiCallable[bytes, bytes] = channel.unary_unary(
            f"/toys.v1.ToyService/{method}"
        )
        await call(bodies[0], timeout=10)  # connect, warm
        stop = time.perf_counter() + seconds
        started = time.perf_counter()

        async def worker(offset: int) -> None:
            nonlocal errors
            index = offset
            while time.perf_counter() < stop:
                body = bodies[index % len(bodies)]
                index += concurrency
                begun = time.perf_counter()
                try:
                    await call(body, timeout=30)
                except grpc.aio.AioRpcError:
                    errors += 1
                latencies.append(time.perf_counter() - begun)

        await asyncio.gather(*(worker(i) for i in range(concurrency)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "calls": len(latencies),
        "errors": errors,
        "rps": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
    }


def main() -> None:
    address, method, concurrency, seconds, bodies_file = sys.argv[1:6]
    raw = Path(bodies_file).read_bytes()
    bodies = [bytes.fromhex(line) for line in raw.decode().split()]
    print(json.dumps(asyncio.run(run(address, method, int(concurrency), float(seconds), bodies))))


if __name__ == "__main__":
    main()
