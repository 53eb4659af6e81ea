"""Fixtures of the integration tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.access import write_access_file


@pytest.fixture
def access_file(tmp_path: Path) -> Path:
    """An access file naming a holder of every role's token and a `batch` certificate."""
    return write_access_file(tmp_path / "access")
