"""Fixtures shared by every test layer."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.support import ThreadedServer
from toys.service import ToyService
from toys.stores.sqlite import SqliteToyStore


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "toys.db"


@pytest.fixture
async def store(db_path: Path) -> AsyncIterator[SqliteToyStore]:
    """A real SQLite store on a fresh file."""
    opened = await SqliteToyStore.open(str(db_path))
    yield opened
    await opened.close()


@pytest.fixture
def service(store: SqliteToyStore) -> ToyService:
    return ToyService(store)


@pytest.fixture
def threaded_server(tmp_path: Path) -> Iterator[ThreadedServer]:
    """A real server on a real SQLite file, in a thread: for CliRunner tests."""
    server = ThreadedServer(tmp_path / "cli.db").start()
    try:
        yield server
    finally:
        server.stop()
