"""Health tells the truth about writes: a server that cannot write (the disk is full) says
NOT_SERVING with the reason, refuses callbacks as UNAVAILABLE, and recovers by itself.

"Full" is the process's file-size limit (RLIMIT_FSIZE) lowered under it: its writes fail with
EFBIG exactly as on a full disk, and raising the limit again is the disk being freed.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import ServerProcess

BIN = Path(sys.executable).parent


def toyctl(server: ServerProcess, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "toyctl"), "-s", server.address, *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "NO_COLOR": "1"},
    )


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    started = ServerProcess(
        db=tmp_path / "toys.db", extra_env={"TOYS_STORE_CHECK_INTERVAL": "0"}
    ).start()
    try:
        yield started
    finally:
        started.kill()


def test_a_full_disk_is_not_serving_then_recovers(server: ServerProcess) -> None:
    assert server.proc is not None
    pid = server.proc.pid
    toy_id = toyctl(server, "manufacture", "--name", "Car", "-o", "name").stdout.strip()
    assert toyctl(server, "health").returncode == 0
    soft, hard = resource.prlimit(pid, resource.RLIMIT_FSIZE)
    resource.prlimit(pid, resource.RLIMIT_FSIZE, (1, hard))
    try:
        full = toyctl(server, "health")
        assert full.returncode == 9, full.stdout + full.stderr
        assert "NOT_SERVING" in full.stdout
        assert "full" in full.stdout or "I/O" in full.stdout
        callback = toyctl(server, "update-status", "--toy-id", toy_id)
        assert callback.returncode == 3, callback.stderr
        assert toyctl(server, "get", toy_id).returncode == 0  # reads still work
    finally:
        resource.prlimit(pid, resource.RLIMIT_FSIZE, (soft, hard))
    assert toyctl(server, "health").returncode == 0
    assert toyctl(server, "update-status", "--toy-id", toy_id).returncode == 0
    assert '"numberManufactured": 25' in toyctl(server, "get", toy_id, "-o", "json").stdout
