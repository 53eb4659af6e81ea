"""asyncpg against psycopg 3 on the store's three hot queries, one PostgreSQL, same machine.

Run: poetry run python -m benchmarks.pg_drivers   (needs the machine's PostgreSQL binaries)

Each driver gets a pool and runs, one call at a time and then 16 at a time: an INSERT of a
toy row (CreateToy), a SELECT by primary key (GetToy), and a page of 100 rows (ListToys). The
rounds alternate between the drivers; the medians and the ratio asyncpg / psycopg are printed.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import asyncpg
import psycopg_pool

from tests.postgres_server import PostgresServer

SCHEMA = """
CREATE TABLE toys (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, designer TEXT NOT NULL, manufacturer TEXT NOT NULL,
    design_time TIMESTAMPTZ NOT NULL, create_time TIMESTAMPTZ NOT NULL,
    update_time TIMESTAMPTZ NOT NULL, status TEXT NOT NULL, number_manufactured INTEGER NOT NULL,
    manufacture_time TIMESTAMPTZ, last_run JSONB, applied_callbacks JSONB NOT NULL
);
CREATE INDEX toys_by_creation ON toys (create_time, id);
"""
RUN = json.dumps({"uid": "u", "status": "Succeeded", "failures": [], "units_produced": 3})
ROUNDS = 5
CALLS = {"create": 400, "get": 1000, "list": 200}


def _row() -> tuple[Any, ...]:
    now = datetime.now(UTC)
    return (str(uuid.uuid4()), "Car", "Ada", "Acme", now, now, now, "Succeeded", 3, now, RUN, "[]")


INSERT_PG = "INSERT INTO toys VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)"
INSERT_PSY = "INSERT INTO toys VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)"
GET_PG, GET_PSY = "SELECT * FROM toys WHERE id = $1", "SELECT * FROM toys WHERE id = %s"
LIST = "SELECT * FROM toys ORDER BY create_time, id LIMIT 100"


async def _timed(calls: int, concurrency: int, one: Callable[[int], Awaitable[object]]) -> float:
    """Calls per second."""
    semaphore = asyncio.Semaphore(concurrency)

    async def guarded(index: int) -> None:
        async with semaphore:
            await one(index)

    started = time.perf_counter()
    await asyncio.gather(*(guarded(i) for i in range(calls)))
    return calls / (time.perf_counter() - started)


async def _asyncpg_round(dsn: str, ids: list[str], concurrency: int) -> dict[str, float]:
    pool = await asyncpg.create_pool(dsn, min_size=16, max_size=16)
    try:

        async def create(_: int) -> None:
            async with pool.acquire() as conn:
                await conn.execute(INSERT_PG, *_row())

        async def get(i: int) -> None:
            async with pool.acquire() as conn:
                await conn.fetchrow(GET_PG, ids[i % len(ids)])

        async def page(_: int) -> None:
            async with pool.acquire() as conn:
                await conn.fetch(LIST)

        return {
            "create": await _timed(CALLS["create"], concurrency, create),
            "get": await _timed(CALLS["get"], concurrency, get),
            "list": await _timed(CALLS["list"], concurrency, page),
        }
    finally:
        await pool.close()


async def _psycopg_round(dsn: str, ids: list[str], concurrency: int) -> dict[str, float]:
    pool = psycopg_pool.AsyncConnectionPool(dsn, min_size=16, max_size=16, open=False)
    await pool.open(wait=True)
    try:

        async def create(_: int) -> None:
            async with pool.connection() as conn:
                await conn.execute(INSERT_PSY, _row())

        async def get(i: int) -> None:
            async with pool.connection() as conn, conn.cursor() as cur:
                await cur.execute(GET_PSY, (ids[i % len(ids)],))
                await cur.fetchone()

        async def page(_: int) -> None:
            async with pool.connection() as conn, conn.cursor() as cur:
                await cur.execute(LIST)
                await cur.fetchall()

        return {
            "create": await _timed(CALLS["create"], concurrency, create),
            "get": await _timed(CALLS["get"], concurrency, get),
            "list": await _timed(CALLS["list"], concurrency, page),
        }
    finally:
        await pool.close()


async def main() -> None:
    server = PostgresServer().initdb().start()
    try:
        dsn = server.dsn()
        conn = await asyncpg.connect(dsn)
        await conn.execute(SCHEMA)
        for _ in range(2000):
            await conn.execute(INSERT_PG, *_row())
        ids = [r["id"] for r in await conn.fetch("SELECT id FROM toys")]
        await conn.close()
        for concurrency in (1, 16):
            results: dict[str, dict[str, list[float]]] = {"asyncpg": {}, "psycopg": {}}
            for _ in range(ROUNDS):
                for name, runner in (("asyncpg", _asyncpg_round), ("psycopg", _psycopg_round)):
                    for work, rate in (await runner(dsn, ids, concurrency)).items():
                        results[name].setdefault(work, []).append(rate)
            print(f"\n{concurrency} at a time (calls/s, median of {ROUNDS} interleaved rounds)")
            print(f"{'work':8} {'asyncpg':>10} {'psycopg':>10} {'ratio':>7}")
            for work in CALLS:
                a = statistics.median(results["asyncpg"][work])
                p = statistics.median(results["psycopg"][work])
                print(f"{work:8} {a:10.0f} {p:10.0f} {a / p:7.2f}")
    finally:
        server.remove()


if __name__ == "__main__":
    asyncio.run(main())
