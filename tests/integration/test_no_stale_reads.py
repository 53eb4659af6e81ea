"""A row changed behind the servers' backs — by hand in psql or the sqlite3 shell, or by a
restore — is what the next read answers, on every server: no cache keeps the old state."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from contextlib import AsyncExitStack, closing
from pathlib import Path

import asyncpg

from tests.postgres_server import create_database
from tests.support import serving
from toys._generated.toys import v1 as pb

BIN = Path(sys.executable).parent


async def admin(*args: str) -> int:
    """`toys-server ARGS` as a subprocess (the server in this loop keeps serving meanwhile)."""
    process = await asyncio.create_subprocess_exec(
        str(BIN / "toys-server"), *args, stdout=asyncio.subprocess.DEVNULL
    )
    return await process.wait()


async def name_of(stub: pb.ToyServiceStub, toy_id: str) -> tuple[str, str]:
    """The toy's name by GetToy and by ListToys."""
    got = (await stub.get_toy(pb.GetToyRequest(id=toy_id))).toy
    listed = [t for t in (await stub.list_toys(pb.ListToysRequest())).toys if t.id == toy_id]
    assert got is not None
    return got.name, listed[0].name


async def test_a_row_edited_in_psql_is_read_back_on_both_replicas(
    tmp_path: Path, postgres: str
) -> None:
    dsn = await create_database(postgres)
    async with AsyncExitStack() as stack:
        replicas = []
        for _ in range(2):
            server, channel = await stack.enter_async_context(serving(dsn))
            assert server.replica is not None  # reads from memory, kept current by the feed
            await asyncio.wait_for(server.replica.loaded.wait(), 30)
            replicas.append(pb.ToyServiceStub(channel))
        made = (await replicas[0].create_toy(pb.CreateToyRequest(name="Car"))).toy
        assert made is not None
        for _ in range(3):  # several edits, each read back at once, on both
            for stub in replicas:
                await name_of(stub, made.id)  # cached now
            edited = f"Edited {_}"
            conn = await asyncpg.connect(dsn)
            try:
                await conn.execute("UPDATE toys SET name = $1 WHERE id = $2", edited, made.id)
            finally:
                await conn.close()
            for stub in replicas:
                assert await name_of(stub, made.id) == (edited, edited)


async def test_a_row_edited_in_the_sqlite_shell_is_read_back(db_path: Path) -> None:
    async with serving(db_path) as (_, channel):
        stub = pb.ToyServiceStub(channel)
        made = (await stub.create_toy(pb.CreateToyRequest(name="Car"))).toy
        assert made is not None
        await name_of(stub, made.id)
        with closing(sqlite3.connect(db_path)) as conn:
            conn.execute("UPDATE toys SET name = 'Edited' WHERE id = ?", (made.id,))
            conn.commit()
        assert await name_of(stub, made.id) == ("Edited", "Edited")


async def test_a_restore_under_a_running_server_is_read_back(tmp_path: Path) -> None:
    db, backup = tmp_path / "toys.db", tmp_path / "backup.db"
    async with serving(db) as (_, channel):
        stub = pb.ToyServiceStub(channel)
        made = (await stub.create_toy(pb.CreateToyRequest(name="Car"))).toy
        assert made is not None
        assert await admin("backup", "--db", str(db), "--to", str(backup)) == 0
        with closing(sqlite3.connect(backup)) as conn:  # the backup's toy, same revision
            conn.execute("DROP TRIGGER toys_next_revision")
            conn.execute("UPDATE toys SET name = 'From the backup' WHERE id = ?", (made.id,))
            conn.commit()
        assert await name_of(stub, made.id) == ("Car", "Car")  # cached now
        assert await admin("copy", "--from", str(backup), "--to", str(db), "--force") == 0
        assert await name_of(stub, made.id) == ("From the backup", "From the backup")
