"""The reference: ToyService's reads and CreateToy on grpcio.aio and protobuf's own runtime,
on the same SQLite file, schema and settings (WAL, synchronous=FULL, one writer thread) as
toys-server. What a careful grpcio implementation of the same storage costs, for comparison.

    python -m benchmarks.reference_server DB PORT
"""

from __future__ import annotations

import asyncio
import base64
import json
import sqlite3
import sys
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
from google.protobuf.timestamp_pb2 import Timestamp

from toys._generated.pb2.toys.v1 import toys_pb2 as pb2

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_COLUMNS = (
    "id, name, designer, manufacturer, design_time, create_time, update_time, status, "
    "number_manufactured, manufacture_time, last_run"
)
_STATUS: dict[str, Any] = {"Pending": 1, "Running": 2, "Succeeded": 3, "Failed": 4, "Error": 5}


def _ts(us: int | None) -> Timestamp | None:
    if us is None:
        return None
    return Timestamp(seconds=us // 1_000_000, nanos=(us % 1_000_000) * 1000)


def _toy(row: sqlite3.Row) -> Any:
    toy = pb2.Toy(
        id=row[0],
        name=row[1],
        designer=row[2],
        manufacturor=row[3],
        design_time=_ts(row[4]),
        create_time=_ts(row[5]),
        update_time=_ts(row[6]),
        status=_STATUS[row[7]],
        number_manufactured=row[8],
        manufacture_time=_ts(row[9]),
    )
    if row[10] is not None:
        run = json.loads(row[10])
        toy.last_run.CopyFrom(
            pb2.WorkflowRun(
                uid=run["uid"],
                name=run["name"],
                namespace=run["namespace"],
                phase=run["status"],
                creation_time=_ts(run["creation_time"]),
                started_time=_ts(run["started_at"]),
                finished_time=_ts(run["finished_at"]),
                message=run["message"],
                units_produced=run["units_produced"],
            )
        )
    return toy


class Reference:
    def __init__(self, path: str) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1)
        self._conn: sqlite3.Connection | None = None
        self._pool.submit(self._open, path).result()

    def _open(self, path: str) -> None:
        self._conn = sqlite3.connect(path, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=FULL")

    async def _db(self, work: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._pool, work)

    async def get(self, request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
        assert self._conn is not None
        conn = self._conn
        row = await self._db(
            lambda: conn.execute(
                f"SELECT {_COLUMNS} FROM toys WHERE id = ?", (request.id,)
            ).fetchone()
        )
        if row is None:
            await context.abort(grpc.StatusCode.NOT_FOUND, "no such toy")
        return pb2.GetToyResponse(toy=_toy(row))

    async def list(self, request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
        assert self._conn is not None
        conn = self._conn
        size = min(request.page_size or 50, 1000)
        after = json.loads(base64.b64decode(request.page_token)) if request.page_token else None
        where, params = ("WHERE (create_time, id) > (?, ?)", after) if after else ("", [])

        def work() -> list[sqlite3.Row]:
            sql = f"SELECT {_COLUMNS} FROM toys {where} ORDER BY create_time, id LIMIT ?"
            return conn.execute(sql, [*params, size + 1]).fetchall()

        rows = await self._db(work)
        token = ""
        if len(rows) > size:
            rows = rows[:size]
            token = base64.b64encode(json.dumps([rows[-1][5], rows[-1][0]]).encode()).decode()
        return pb2.ListToysResponse(toys=[_toy(r) for r in rows], next_page_token=token)

    async def create(self, request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
        assert self._conn is not None
        conn = self._conn
        if not request.name.strip():
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "name: is required")
        now = datetime.now(UTC)
        us = (now - _EPOCH) // timedelta(microseconds=1)
        values = (
            str(uuid.uuid4()),
            request.name.strip(),
            request.designer,
            request.manufacturor,
            us,
            us,
            us,
            "Pending",
            0,
            None,
            None,
            "[]",
        )
        await self._db(
            lambda: conn.execute(
                "INSERT INTO toys (id, name, designer, manufacturer, design_time, create_time, "
                "update_time, status, number_manufactured, manufacture_time, last_run, "
                "applied_callbacks) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                values,
            )
        )
        row = (*values[:11],)
        return pb2.CreateToyResponse(toy=_toy(row))  # type: ignore[arg-type]


async def serve(path: str, port: int) -> None:
    reference = Reference(path)
    server = grpc.aio.server()
    handlers: dict[str, grpc.RpcMethodHandler[Any, Any]] = {
        "GetToy": grpc.unary_unary_rpc_method_handler(
            reference.get, pb2.GetToyRequest.FromString, pb2.GetToyResponse.SerializeToString
        ),
        "ListToys": grpc.unary_unary_rpc_method_handler(
            reference.list, pb2.ListToysRequest.FromString, pb2.ListToysResponse.SerializeToString
        ),
        "CreateToy": grpc.unary_unary_rpc_method_handler(
            reference.create,
            pb2.CreateToyRequest.FromString,
            pb2.CreateToyResponse.SerializeToString,
        ),
    }
    server.add_generic_rpc_handlers(
        (grpc.method_handlers_generic_handler("toys.v1.ToyService", handlers),)
    )
    bound = server.add_insecure_port(f"127.0.0.1:{port}")
    await server.start()
    print(f"reference listening on 127.0.0.1:{bound}", flush=True)
    await server.wait_for_termination()


if __name__ == "__main__":
    asyncio.run(serve(sys.argv[1], int(sys.argv[2])))
