"""Fixtures shared by every test layer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from toys.service import ToyService
from toys.sqlite_store import SqliteToyStore


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
