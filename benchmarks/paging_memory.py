"""The server's memory while one client pages through every toy.

A toys-server on SQLite holding `--toys` toys (100,000 by default, half with a finished run)
answers ListToys pages of 500 to a grpcio client with raw bytes in another process; the
server's resident set (VmRSS from /proc) is read before the first page and after every tenth.
A flat line is the goal: pages are streamed from the store, and the caches of parsed and
encoded toys are bounded (toys.core.by_revision).

    poetry run python -m benchmarks.paging_memory --toys 100000
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import grpc

from benchmarks.harness import Server, succeeded_run
from toys._generated.pb2.toys.v1 import toys_pb2 as pb2
from toys.domain import Toy
from toys.stores.opening import open_store

PAGE_SIZE = 500


async def fill(db: str, count: int) -> None:
    """`count` toys in chunks of one transaction each (a fill, not a measurement)."""
    store = await open_store(db)
    try:
        made = datetime.now(UTC) - timedelta(days=1)
        chunk: list[Toy] = []
        for index in range(count):
            toy = Toy(
                id=f"{index:08d}-0000-4000-8000-000000000000",
                name=f"toy-{index}",
                designer="Ada",
                manufacturer="Acme",
                design_time=made,
                create_time=made,
                update_time=made,
            )
            if index % 2:
                run = succeeded_run(index, made)
                toy = replace(toy, status=run.status, number_manufactured=3, last_run=run)
            chunk.append(toy)
            if len(chunk) == 5000:
                await store.add_many(chunk)
                chunk = []
        if chunk:
            await store.add_many(chunk)
    finally:
        await store.close()


async def page_through(server: Server) -> list[tuple[int, int]]:
    """(toys seen, server RSS in KiB) before the first page and after every tenth page."""
    samples = [(0, server.rss_kb())]
    seen, token, pages = 0, "", 0
    async with grpc.aio.insecure_channel(server.address) as channel:
        call: grpc.aio.UnaryUnaryMultiCallable[bytes, bytes] = channel.unary_unary(
            "/toys.v1.ToyService/ListToys"
        )
        while True:
            request = pb2.ListToysRequest(page_size=PAGE_SIZE, page_token=token)
            page = pb2.ListToysResponse.FromString(
                await call(request.SerializeToString(), timeout=60)
            )
            seen += len(page.toys)
            pages += 1
            token = page.next_page_token
            if pages % 10 == 0 or not token:
                samples.append((seen, server.rss_kb()))
            if not token:
                return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--toys", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "toys.db")
        started = time.perf_counter()
        asyncio.run(fill(db, args.toys))
        print(f"filled {args.toys} toys in {time.perf_counter() - started:.1f} s")
        server = Server(
            [str(Path(sys.executable).parent / "toys-server"), "--port", "{port}", "--db", db]
        ).start()
        try:
            samples = asyncio.run(page_through(server))
        finally:
            server.stop()
    first, peak, last = samples[0][1], max(kb for _, kb in samples), samples[-1][1]
    quarter = [samples[round(i * (len(samples) - 1) / 4)] for i in range(5)]
    print("toys seen -> server RSS: " + ", ".join(f"{n}: {kb / 1024:.1f} MiB" for n, kb in quarter))
    growth = (last - quarter[2][1]) / 1024
    print(
        f"toys seen {samples[-1][0]}; RSS before {first / 1024:.1f} MiB, "
        f"peak {peak / 1024:.1f} MiB, after {last / 1024:.1f} MiB; "
        f"growth over the second half {growth:+.1f} MiB"
    )


if __name__ == "__main__":
    main()
