"""`toyctl list -w` and `get --for` as a user runs them, against toys-server processes: JSON
lines through a server restart (nothing missed, nothing repeated), the live table on a real
terminal, and waiting for a status."""

from __future__ import annotations

import json
import os
import pty
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support import ROOT, ServerProcess
from tests.watch_support import Lines

TOYCTL = str(Path(sys.executable).parent / "toyctl")
BOUND_S = 20.0  # no event below is expected to take more than a fraction of this


def toyctl(server: ServerProcess, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [TOYCTL, "--server", server.address, *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def create(server: ServerProcess, name: str) -> str:
    made = toyctl(server, "manufacture", "--name", name, "-o", "name")
    assert made.returncode == 0, made.stderr
    return made.stdout.strip()


@contextmanager
def watching(server: ServerProcess, *args: str) -> Iterator[Lines]:
    proc = subprocess.Popen(
        [TOYCTL, "--server", server.address, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines = Lines(proc)
    try:
        yield lines
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        lines.reader.join(BOUND_S)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


def event(line: str) -> tuple[str, str]:
    document = json.loads(line)
    return document["type"], (document["toy"] or {}).get("name", "")


def test_json_lines_go_on_through_a_restart_without_a_gap_or_a_repeat(tmp_path: Path) -> None:
    db = tmp_path / "toys.db"
    server = ServerProcess(db).start()
    try:
        create(server, "before")
        with watching(server, "list", "-w", "-o", "json") as lines:
            assert [event(lines.next()) for _ in range(2)] == [("ADDED", "before"), ("SYNCED", "")]
            create(server, "first")
            assert event(lines.next()) == ("ADDED", "first")
            assert server.stop() == 0
            # While the watch's server is down, another server on the same file takes a write.
            other = ServerProcess(db).start()
            create(other, "while-down")
            other.stop()
            server.start()
            create(server, "after")
            seen = [event(lines.next()) for _ in range(2)]
            lines.proc.send_signal(signal.SIGINT)
            code = lines.proc.wait(BOUND_S)
            assert lines.proc.stderr is not None
            interrupted = lines.proc.stderr.read()
    finally:
        server.kill()
    assert seen == [("ADDED", "while-down"), ("ADDED", "after")]
    assert "watch interrupted (UNAVAILABLE" in interrupted
    assert code == 0, interrupted  # Ctrl-C ends a watch normally


def test_for_exits_0_once_the_toy_reaches_the_status(server_proc: ServerProcess) -> None:
    toy_id = create(server_proc, "Car")
    with watching(server_proc, "get", toy_id, "--for", "status=succeeded", "-o", "name") as out:
        assert toyctl(server_proc, "update-status", "--toy-id", toy_id).returncode == 0
        assert out.next().strip() == toy_id
        assert out.proc.wait(BOUND_S) == 0


def test_for_exits_13_when_the_toy_ends_in_another_status(
    server_proc: ServerProcess, tmp_path: Path
) -> None:
    toy_id = create(server_proc, "Car")
    failed = tmp_path / "failed.yaml"  # the sample callback, for this toy, reporting Failed
    sample = (ROOT / "argo_samples" / "callback-succeeded.yaml").read_text()
    failed.write_text(
        sample.replace("3f6d2a1c-8b7e-4c5d-9a0f-1e2d3c4b5a69", toy_id).replace(
            'status: "Succeeded"', 'status: "Failed"'
        )
    )
    with watching(server_proc, "get", toy_id, "--for", "status=SUCCEEDED") as waiting:
        applied = toyctl(server_proc, "update-status", "--toy-id", toy_id, "--payload", str(failed))
        assert applied.returncode == 0, applied.stderr
        assert waiting.proc.wait(BOUND_S) == 13
        assert waiting.proc.stderr is not None
        assert "is FAILED, not SUCCEEDED" in waiting.proc.stderr.read()


def test_the_live_table_redraws_in_place_on_a_terminal(server_proc: ServerProcess) -> None:
    toy_id = create(server_proc, "Kite")
    primary, secondary = pty.openpty()
    proc = subprocess.Popen(
        [TOYCTL, "--server", server_proc.address, "list", "-w"],
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
        env={**os.environ, "COLUMNS": "200", "TERM": "xterm"},
    )
    os.close(secondary)
    try:
        screen = _read_until(primary, b"Kite")
        assert toyctl(server_proc, "update-status", "--toy-id", toy_id).returncode == 0
        screen += _read_until(primary, b"MODIFIED Kite")
        proc.send_signal(signal.SIGINT)
        code = proc.wait(BOUND_S)
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(primary)
    assert b"SUCCEEDED" in screen
    assert b"\x1b[" in screen  # redrawn with cursor movement, not appended lines
    assert code == 0


def _read_until(fd: int, wanted: bytes) -> bytes:
    seen = b""
    deadline = time.monotonic() + BOUND_S
    while wanted not in seen:
        left = deadline - time.monotonic()
        assert left > 0, f"{wanted!r} never appeared in {seen[-500:]!r}"
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            seen += os.read(fd, 65536)
    return seen


def test_watching_a_toy_that_does_not_exist_is_not_found(server_proc: ServerProcess) -> None:
    watched = toyctl(server_proc, "get", "no-such-toy", "-w")
    assert watched.returncode == 5
    assert "not found" in watched.stderr
