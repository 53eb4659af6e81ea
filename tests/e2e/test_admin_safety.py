"""What a typo, a retry or a forgotten flag does to `toys-server copy`, `migrate` and `backup`:
never create, change or empty a database it was not meant to (real files, the test PostgreSQL,
the commands as subprocesses)."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

from tests.old_releases import write_first_release_database
from tests.postgres_server import create_database
from tests.support import ServerProcess
from toys.core.page_tokens import PageTokens
from toys.core.service import ToyService
from toys.domain import NewToy
from toys.stores.opening import open_store

BIN = Path(sys.executable).parent


def admin(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "toys-server"), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, **(env or {})},
    )


async def fill(db: str, count: int, prefix: str = "toy") -> None:
    store = await open_store(db)
    try:
        service = ToyService(store, PageTokens(await store.deployment_key()))
        for index in range(count):
            await service.create(NewToy(name=f"{prefix}-{index}"))
    finally:
        await store.close()


async def names(db: str) -> list[str]:
    store = await open_store(db)
    try:
        return [toy.name for toy in await store.list(status=None, after=None, limit=10_000)]
    finally:
        await store.close()


def fingerprint(path: Path) -> str:
    """The bytes of a SQLite database and of whatever lies beside it (-wal, -shm)."""
    digest = hashlib.sha256()
    for part in sorted(path.parent.glob(f"{path.name}*")):
        digest.update(part.name.encode() + part.read_bytes())
    return digest.hexdigest()


async def test_a_source_that_does_not_exist_is_refused_and_nothing_is_emptied(
    tmp_path: Path, postgres: str
) -> None:
    target = await create_database(postgres)
    await fill(target, 20)
    refused = admin("copy", "--from", str(tmp_path / "typo.db"), "--to", target, "--force")
    assert refused.returncode == 3, refused.stderr
    assert "does not exist; nothing was copied" in refused.stderr
    assert len(await names(target)) == 20
    assert not (tmp_path / "typo.db").exists()


async def test_a_postgres_source_that_does_not_exist_is_refused(
    tmp_path: Path, postgres: str
) -> None:
    missing = postgres.rsplit("/", 1)[0] + "/no_such_database"
    refused = admin("copy", "--from", missing, "--to", str(tmp_path / "new.db"))
    assert refused.returncode == 3, refused.stderr
    assert not (tmp_path / "new.db").exists()


async def test_a_file_copied_onto_itself_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "toys.db"
    await fill(str(db), 5)
    also_db = tmp_path / "link.db"
    also_db.symlink_to(db)
    for target in (db, also_db):
        refused = admin("copy", "--from", str(db), "--to", str(target), "--force")
        assert refused.returncode == 4, refused.stderr
    assert len(await names(str(db))) == 5


async def test_a_database_copied_onto_itself_is_refused(postgres: str) -> None:
    db = await create_database(postgres)
    await fill(db, 5)
    respelled = db.replace("127.0.0.1", "localhost")
    refused = admin("copy", "--from", db, "--to", respelled, "--force")
    assert refused.returncode == 4, refused.stderr
    assert len(await names(db)) == 5


async def test_force_from_an_empty_source_is_refused_unless_asked_for(tmp_path: Path) -> None:
    source, target = tmp_path / "empty.db", tmp_path / "toys.db"
    await fill(str(source), 0)
    await fill(str(target), 7)
    refused = admin("copy", "--from", str(source), "--to", str(target), "--force")
    assert refused.returncode == 6, refused.stderr
    assert len(await names(str(target))) == 7
    emptied = admin(
        "copy", "--from", str(source), "--to", str(target), "--force", "--allow-empty-source"
    )
    assert emptied.returncode == 0, emptied.stderr
    assert await names(str(target)) == []


def test_migrate_of_a_file_that_does_not_exist_creates_nothing(tmp_path: Path) -> None:
    refused = admin("migrate", "--db", str(tmp_path / "typo.db"))
    assert refused.returncode == 3, refused.stderr
    assert list(tmp_path.iterdir()) == []


async def test_copy_reads_an_old_release_without_changing_it(tmp_path: Path, postgres: str) -> None:
    source = tmp_path / "first-release.db"
    write_first_release_database(source)
    before = fingerprint(source)
    target = await create_database(postgres)
    copied = admin("copy", "--from", str(source), "--to", target)
    assert copied.returncode == 0, copied.stderr
    assert await names(target) == ["Car"]
    assert fingerprint(source) == before
    with closing(sqlite3.connect(source)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1


async def test_migrate_and_copy_take_the_database_from_the_environment_or_a_file(
    tmp_path: Path, postgres: str
) -> None:
    target = await create_database(postgres)
    migrated = admin("migrate", env={"TOYS_DB": target})
    assert migrated.returncode == 0, migrated.stderr
    secret = tmp_path / "dsn"
    secret.write_text(target + "\n")
    source = tmp_path / "toys.db"
    await fill(str(source), 3)
    copied = admin("copy", "--from", str(source), env={"TOYS_DB_FILE": str(secret)})
    assert copied.returncode == 0, copied.stderr
    assert len(await names(target)) == 3


async def test_long_work_reports_its_progress_off_a_terminal(tmp_path: Path) -> None:
    source, target = tmp_path / "toys.db", tmp_path / "copy.db"
    await fill(str(source), 30)
    copied = admin("copy", "--from", str(source), "--to", str(target))
    assert copied.returncode == 0, copied.stderr
    assert "copying: 30/30 toys" in copied.stderr
    assert "30 toys from" in copied.stdout


async def test_a_backup_of_a_running_server_restores_through_copy(tmp_path: Path) -> None:
    db = tmp_path / "toys.db"
    await fill(str(db), 25)
    server = ServerProcess(db=db).start()
    try:
        backed_up = admin("backup", "--db", str(db), "--to", str(tmp_path / "backup.db"))
        assert backed_up.returncode == 0, backed_up.stderr
        assert "integrity checked" in backed_up.stdout
        again = admin("backup", "--db", str(db), "--to", str(tmp_path / "backup.db"))
        assert again.returncode == 5, again.stderr
    finally:
        server.stop()
    await fill(str(db), 5, prefix="after")
    restored = admin("copy", "--from", str(tmp_path / "backup.db"), "--to", str(db), "--force")
    assert restored.returncode == 0, restored.stderr
    assert sorted(await names(str(db))) == sorted(f"toy-{index}" for index in range(25))


def test_a_postgres_backup_points_at_pg_dump(tmp_path: Path, postgres: str) -> None:
    refused = admin("backup", "--db", postgres, "--to", str(tmp_path / "never-written.db"))
    assert refused.returncode == 2
    assert "pg_dump" in refused.stderr
    assert list(tmp_path.iterdir()) == []
