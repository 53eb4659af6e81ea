"""Fixtures shared by every test layer."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from tests.support import ThreadedServer
from toys.page_tokens import PageTokens
from toys.service import ToyService
from toys.stores.sqlite import SqliteToyStore

# Per-example deadlines fail at random on a loaded 2-core machine; examples are bounded by
# their size instead. HYPOTHESIS_PROFILE=thorough runs many more examples.
settings.register_profile("toys", deadline=None)
settings.register_profile("thorough", deadline=None, max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "toys"))

_E2E = Path(__file__).parent / "e2e"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything under tests/e2e is an e2e test: `poe test-fast` leaves those out."""
    for item in items:
        if _E2E in item.path.parents:
            item.add_marker(pytest.mark.e2e)


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
async def service(store: SqliteToyStore) -> ToyService:
    return ToyService(store, PageTokens(await store.deployment_key()))


@pytest.fixture
def threaded_server(tmp_path: Path) -> Iterator[ThreadedServer]:
    """A real server on a real SQLite file, in a thread: for CliRunner tests."""
    server = ThreadedServer(tmp_path / "cli.db").start()
    try:
        yield server
    finally:
        server.stop()
