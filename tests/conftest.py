"""Fixtures shared by every test layer."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings

from tests.postgres_server import EXTERNAL_DSN_VARIABLE, PostgresServer, create_database
from tests.support import ThreadedServer
from toys.core.page_tokens import PageTokens
from toys.core.service import ToyService
from toys.core.store import KEEP_CHANGES, BulkStore
from toys.stores.opening import StoreOptions, open_store
from toys.stores.sqlite import SqliteToyStore

# Per-example deadlines fail at random on a loaded 2-core machine; examples are bounded by
# their size instead. HYPOTHESIS_PROFILE=thorough runs many more examples.
settings.register_profile("toys", deadline=None)
settings.register_profile("thorough", deadline=None, max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "toys"))

_E2E = Path(__file__).parent / "e2e"
_BROWSER = Path(__file__).parent / "browser"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything under tests/e2e and tests/browser is an e2e test, and every test on the
    PostgreSQL server a postgres test: `poe test-fast` leaves both out (and the tests marked
    slow)."""
    for item in items:
        if _E2E in item.path.parents or _BROWSER in item.path.parents:
            item.add_marker(pytest.mark.e2e)
        callspec = getattr(item, "callspec", None)
        on_postgres = callspec is not None and callspec.params.get("backend") == "postgres"
        fixtures = getattr(item, "fixturenames", ())
        if on_postgres or "postgres" in fixtures or "own_server" in fixtures:
            item.add_marker(pytest.mark.postgres)


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


@pytest.fixture(scope="session")
def postgres() -> Iterator[str]:
    """The admin DSN of a PostgreSQL server for this test session (one per worker)."""
    external = os.environ.get(EXTERNAL_DSN_VARIABLE)
    if external:
        yield external
        return
    server = PostgresServer().initdb().start()
    try:
        yield server.dsn()
    finally:
        server.remove()


@dataclass
class Backend:
    """A database of either kind, fresh for one test; `open()` opens a store on it."""

    kind: str
    db: str

    async def open(self, *, migrate: bool = True, keep_changes: int = KEEP_CHANGES) -> BulkStore:
        return await open_store(self.db, StoreOptions(migrate=migrate, keep_changes=keep_changes))


@pytest.fixture(params=["sqlite", "postgres"])
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    if request.param == "sqlite":
        return Backend("sqlite", str(tmp_path / "toys.db"))
    admin = request.getfixturevalue("postgres")
    return Backend("postgres", await create_database(admin))


@pytest.fixture
async def any_store(backend: Backend) -> AsyncIterator[BulkStore]:
    """A real store of each kind: SQLite on a fresh file, PostgreSQL on a fresh database."""
    opened = await backend.open()
    yield opened
    await opened.close()


@pytest.fixture
def threaded_server(tmp_path: Path) -> Iterator[ThreadedServer]:
    """A real server on a real SQLite file, in a thread: for CliRunner tests."""
    server = ThreadedServer(tmp_path / "cli.db").start()
    try:
        yield server
    finally:
        server.stop()
