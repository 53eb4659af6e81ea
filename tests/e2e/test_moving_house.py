"""`toys-server copy`: SQLite to PostgreSQL and back, every toy and every remembered callback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from tests.postgres_server import create_database
from tests.support import T0, ServerProcess, run_at
from toys.core.page_tokens import PageTokens
from toys.core.service import ToyService
from toys.domain import ManufactureStatus, NewToy
from toys.stores.sqlite import SqliteToyStore

BIN = Path(sys.executable).parent
S = ManufactureStatus


async def _fill(path: Path) -> str:
    """A SQLite file with a toy in each status; returns the SUCCEEDED toy's id."""
    store = await SqliteToyStore.open(str(path))
    service = ToyService(store, PageTokens(await store.deployment_key()))
    try:
        await service.create(NewToy(name="waiting"))
        for index, status in enumerate([S.RUNNING, S.SUCCEEDED, S.FAILED, S.ERROR]):
            toy = await service.create(NewToy(name=status.value.lower(), designer="Ada"))
            created = T0 + timedelta(hours=index)
            if status is not S.RUNNING:
                await service.report_run(
                    toy.id, run_at(f"{index}-a", S.SUCCEEDED, created=created, units=3)
                )
            await service.report_run(
                toy.id, run_at(f"{index}-b", status, created=created + timedelta(hours=1), units=4)
            )
            if status is S.SUCCEEDED:
                succeeded = toy.id
        return succeeded
    finally:
        await store.close()


def _copy(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "toys-server"), "copy", *args], capture_output=True, text=True, timeout=60
    )


def _listed(db: str, tmp_path: Path) -> str:
    server = ServerProcess(db=db).start()
    try:
        result = subprocess.run(
            [str(BIN / "toyctl"), "-s", server.address, "list", "-o", "json"],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
            env={**os.environ, "NO_COLOR": "1"},
        )
        return result.stdout
    finally:
        server.stop()


async def test_copy_to_postgres_and_back_keeps_every_toy(tmp_path: Path, postgres: str) -> None:
    source = tmp_path / "first.db"
    succeeded = await _fill(source)
    target = await create_database(postgres)
    moved = _copy("--from", str(source), "--to", target)
    assert moved.returncode == 0, moved.stderr
    assert "5 toys" in moved.stdout
    before = _listed(str(source), tmp_path)
    assert len(json.loads(before)["toys"]) == 5
    assert _listed(target, tmp_path) == before

    back = tmp_path / "back.db"
    assert _copy("--from", target, "--to", str(back)).returncode == 0
    assert _listed(str(back), tmp_path) == before

    # A replay of an old run, after the move, is still recognised as one.
    store = await SqliteToyStore.open(str(back))
    try:
        service = ToyService(store, PageTokens(await store.deployment_key()))
        old = run_at("1-a", S.SUCCEEDED, created=T0 + timedelta(hours=1), units=3)
        outcome = (await service.report_run(succeeded, old)).outcome
        assert outcome.name == "REPLAY"
        assert (await store.get(succeeded)).number_manufactured == 7
    finally:
        await store.close()


async def test_a_target_with_toys_is_left_alone_unless_forced(
    tmp_path: Path, postgres: str
) -> None:
    source = tmp_path / "first.db"
    await _fill(source)
    target = await create_database(postgres)
    assert _copy("--from", str(source), "--to", target).returncode == 0
    refused = _copy("--from", str(source), "--to", target)
    assert refused.returncode == 5
    assert "already holds 5 toys; nothing was copied" in refused.stderr
    before = _listed(target, tmp_path)
    for _ in range(2):  # --force twice: the same result each time
        forced = _copy("--from", str(source), "--to", target, "--force")
        assert forced.returncode == 0, forced.stderr
        assert _listed(target, tmp_path) == before
