"""The installed `toyctl` as a subprocess against the real server process.

This is the seed's "integration test: CLI -> server communication".
"""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.support import ROOT, ServerProcess

TOYCTL = str(Path(sys.executable).parent / "toyctl")
SAMPLE = ROOT / "argo_samples" / "callback-succeeded.yaml"
SAMPLE_TOY_ID = "3f6d2a1c-8b7e-4c5d-9a0f-1e2d3c4b5a69"


def toyctl(
    server: ServerProcess | str,
    *args: str,
    stdin: str | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    address = server if isinstance(server, str) else server.address
    return subprocess.run(
        [TOYCTL, "--server", address, *args],
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, **(env or {})},
    )


def test_the_seed_flow_end_to_end(server_proc: ServerProcess, tmp_path: Path) -> None:
    """manufacture -> list -> update-status (bare, then --payload) -> get -> delete."""
    created = toyctl(server_proc, "manufacture", "--name", "Car", "-o", "json")
    assert created.returncode == 0, created.stderr
    toy_id = json.loads(created.stdout)["id"]

    listed = toyctl(server_proc, "list")
    assert listed.returncode == 0
    assert listed.stdout.splitlines()[1].split()[:3] == [toy_id, "Car", "PENDING"]

    bare = toyctl(server_proc, "update-status", "--toy-id", toy_id)
    assert bare.returncode == 0, bare.stderr
    assert "callback applied" in bare.stderr
    assert "SUCCEEDED" in bare.stdout

    failed = tmp_path / "failed.yaml"
    failed.write_text(
        SAMPLE.read_text()
        .replace(SAMPLE_TOY_ID, toy_id)
        .replace("7c0f6a8e-2b4d-4f1e-9d3a-5e8b1c2f4a60", "11111111-2222-4333-8444-555555555555")
        .replace(  # a run that began after the bare form's sample run, and has ended
            'creationTimestamp: "2026-11-26T09:00:00Z"',
            f'creationTimestamp: "{(datetime.now(UTC) - timedelta(seconds=100)).isoformat()}"',
        )
        .replace('duration: "412.118307"', 'duration: "30"')
        .replace('status: "Succeeded"', 'status: "Failed"')
    )
    with_payload = toyctl(
        server_proc, "update-status", "--toy-id", toy_id, "--payload", str(failed), "-o", "yaml"
    )
    assert with_payload.returncode == 0, with_payload.stderr
    assert "status: MANUFACTURE_STATUS_FAILED" in with_payload.stdout
    assert "outcome: CALLBACK_OUTCOME_APPLIED" in with_payload.stdout

    got = json.loads(toyctl(server_proc, "get", toy_id, "-o", "json").stdout)
    assert (got["status"], got["numberManufactured"]) == ("MANUFACTURE_STATUS_FAILED", 25)
    assert got["lastRun"]["uid"] == "11111111-2222-4333-8444-555555555555"

    deleted = toyctl(server_proc, "delete", toy_id, "--yes")
    assert deleted.returncode == 0
    assert toyctl(server_proc, "get", toy_id).returncode == 5


def test_a_server_that_is_down(tmp_path: Path) -> None:
    """No server: exit 3 and one line saying which address could not be reached."""
    result = toyctl("127.0.0.1:1", "list")
    assert result.returncode == 3
    assert result.stderr.startswith("toyctl: error: cannot reach the server at 127.0.0.1:1")
    assert result.stderr.count("\n") == 1
    assert result.stdout == ""


def test_a_bad_payload_changes_nothing(shared_server: ServerProcess, tmp_path: Path) -> None:
    """A malformed payload exits 8 naming the field, and the toy is untouched."""
    toy_id = json.loads(toyctl(shared_server, "manufacture", "--name", "Car", "-o", "json").stdout)[
        "id"
    ]
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        SAMPLE.read_text().replace(SAMPLE_TOY_ID, toy_id).replace('"412.118307"', '"-1"')
    )
    result = toyctl(shared_server, "update-status", "--toy-id", toy_id, "--payload", str(broken))
    assert result.returncode == 8
    assert result.stderr == (
        f"toyctl: error: payload {broken}: "
        "workflow.duration: must be zero or more seconds, got -1\n"
    )
    mismatch = toyctl(shared_server, "update-status", "--toy-id", toy_id, "--payload", str(SAMPLE))
    assert mismatch.returncode == 8
    assert "disagrees with --toy-id" in mismatch.stderr
    after = json.loads(toyctl(shared_server, "get", toy_id, "-o", "json").stdout)
    assert (after["status"], after["lastRun"]) == ("MANUFACTURE_STATUS_PENDING", None)


def test_toy_ids_complete_from_the_server(shared_server: ServerProcess) -> None:
    """Bash completion of `toyctl get <TAB>` offers the server's toy ids."""
    ids = [
        json.loads(toyctl(shared_server, "manufacture", "--name", n, "-o", "json").stdout)["id"]
        for n in ("a", "b")
    ]
    words = f"toyctl --server {shared_server.address} get {ids[0][:4]}"
    result = subprocess.run(
        [TOYCTL],
        env={
            **os.environ,
            "_TOYCTL_COMPLETE": "complete_bash",
            "COMP_WORDS": words,
            "COMP_CWORD": "4",
        },
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0
    offered = result.stdout.split()
    assert ids[0] in offered
    assert all(candidate.startswith(ids[0][:4]) for candidate in offered)


def test_delete_asks_on_a_terminal(shared_server: ServerProcess) -> None:
    """On a terminal, delete asks; 'n' keeps the toy (exit 10), 'y' deletes it."""
    toy_id = json.loads(toyctl(shared_server, "manufacture", "--name", "Car", "-o", "json").stdout)[
        "id"
    ]
    for answer, code in (("n", 10), ("y", 0)):
        primary, secondary = pty.openpty()
        with subprocess.Popen(
            [TOYCTL, "--server", shared_server.address, "delete", toy_id],
            stdin=secondary,
            stdout=secondary,
            stderr=secondary,
        ) as proc:
            os.close(secondary)
            os.write(primary, f"{answer}\n".encode())
            assert proc.wait(timeout=30) == code
        transcript = b""
        try:
            while chunk := os.read(primary, 4096):
                transcript += chunk
        except OSError:  # the terminal closes with the process
            pass
        os.close(primary)
        assert f"Delete toy {toy_id}?".encode() in transcript
    assert toyctl(shared_server, "get", toy_id).returncode == 5


_HEAVY = ("grpclib", "betterproto2", "rich", "yaml", "toys._generated")


@pytest.mark.parametrize(
    "argv",
    [["toyctl", "--help"], ["toyctl", "list", "--help"], ["toyctl", "update-status", "--help"]],
)
def test_help_imports_nothing_heavy(argv: list[str]) -> None:
    """`--help` never imports grpclib, betterproto2, rich, PyYAML or the generated code."""
    probe = (
        "import sys\n"
        f"sys.argv = {argv!r}\n"
        "from toyctl.app import main\n"
        "try:\n    main(sys.argv[1:])\nfinally:\n"
        f"    heavy = [m for m in {_HEAVY!r} if m in sys.modules]\n"
        "    print('HEAVY=' + ','.join(heavy), file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=30, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "HEAVY=\n" in result.stderr


def test_completing_commands_imports_nothing_heavy() -> None:
    """Completing a command name stays in Typer: no grpclib, betterproto2 or rich."""
    probe = (
        "import os, sys\n"
        "os.environ.update(\n"
        "    _TOYCTL_COMPLETE='complete_bash', COMP_WORDS='toyctl up', COMP_CWORD='1'\n"
        ")\n"
        "from toyctl.app import main\n"
        "try:\n    main([])\nexcept SystemExit:\n    pass\n"
        f"print('HEAVY=' + ','.join(m for m in {_HEAVY!r} if m in sys.modules), file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=30, check=False
    )
    assert "update-status" in result.stdout
    assert "HEAVY=\n" in result.stderr


def test_a_piped_command_loads_neither_pydantic_nor_the_rich_console(
    shared_server: ServerProcess,
) -> None:
    """The installed script keeps pydantic out (betterproto2 would load it when installed) and
    lays out a piped table without rich's console: the two cost ~55 ms a command."""
    listed = toyctl(shared_server, "list", env={"PYTHONPROFILEIMPORTTIME": "1"})
    assert listed.returncode == 0, listed.stderr
    imported = {
        line.rsplit("|", 1)[1].strip()
        for line in listed.stderr.splitlines()
        if line.startswith("import time:")
    }
    assert "grpclib.client" in imported  # the probe sees the imports at all
    # A blocked `import pydantic` is listed too (5 µs, nothing loaded): its modules are not.
    assert not [name for name in imported if name.startswith(("pydantic.", "pydantic_core"))]
    assert "rich.console" not in imported
