"""The real server process driven by real grpcurl: discovery, every RPC, error codes."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Mapping
from pathlib import Path

import pytest

from tests.support import ServerProcess, grpcurl
from tests.watch_support import Lines

# grpcurl exits with 64 + the gRPC status code when a call fails.
INVALID_ARGUMENT, NOT_FOUND, FAILED_PRECONDITION = 64 + 3, 64 + 5, 64 + 9


def call(
    grpcurl_bin: str, server: ServerProcess, method: str, body: Mapping[str, object]
) -> dict[str, object]:
    result = grpcurl(
        grpcurl_bin, server.address, f"toys.v1.ToyService/{method}", data=json.dumps(body)
    )
    assert result.returncode == 0, result.stderr
    parsed: dict[str, object] = json.loads(result.stdout)
    return parsed


def report(
    grpcurl_bin: str, server: ServerProcess, toy_id: str, status: str, run: Mapping[str, object]
) -> dict[str, object]:
    """UpdateManufactureStatus through grpcurl: `status` is the enum name without its prefix."""
    body = {"toyId": toy_id, "status": f"MANUFACTURE_STATUS_{status}", "run": run}
    return call(grpcurl_bin, server, "UpdateManufactureStatus", body)


def test_grpcurl_lists_the_services(grpcurl_bin: str, shared_server: ServerProcess) -> None:
    """`grpcurl list` shows ToyService and the standard health service through reflection."""
    result = grpcurl(grpcurl_bin, shared_server.address, "list")
    assert result.returncode == 0, result.stderr
    assert set(result.stdout.split()) >= {"toys.v1.ToyService", "grpc.health.v1.Health"}


@pytest.mark.parametrize(
    ("symbol", "expected"),
    [
        (
            "toys.v1.ToyService",
            [
                "rpc CreateToy ( .toys.v1.CreateToyRequest ) returns "
                "( .toys.v1.CreateToyResponse );",
                "rpc GetToy ( .toys.v1.GetToyRequest )",
                "rpc ListToys ( .toys.v1.ListToysRequest )",
                "rpc UpdateManufactureStatus ( .toys.v1.UpdateManufactureStatusRequest )",
                "rpc DeleteToy ( .toys.v1.DeleteToyRequest )",
                "rpc HealthCheck ( .toys.v1.HealthCheckRequest )",
            ],
        ),
        (
            "toys.v1.Toy",
            [
                ".google.protobuf.Timestamp manufacture_time = 3;",
                "string manufacturor = 4;",
                ".google.protobuf.Timestamp design_time = 5;",
                "string designer = 6;",
                "int32 number_manufactured = 7;",
            ],
        ),
        ("grpc.health.v1.Health", ["rpc Check", "rpc Watch"]),
    ],
)
def test_grpcurl_describes_services_and_messages(
    grpcurl_bin: str, shared_server: ServerProcess, symbol: str, expected: list[str]
) -> None:
    """`grpcurl describe` resolves the service, the Toy message and the health service."""
    result = grpcurl(grpcurl_bin, shared_server.address, "describe", symbol)
    assert result.returncode == 0, result.stderr
    for fragment in expected:
        assert fragment in result.stdout


def test_grpcurl_calls_every_rpc(grpcurl_bin: str, server_proc: ServerProcess) -> None:
    """Create, get, list, two callbacks, health and delete all answer through grpcurl."""
    created = call(
        grpcurl_bin,
        server_proc,
        "CreateToy",
        {"name": "Car", "designer": "Ann", "designTime": "2026-01-05T10:00:00+02:00"},
    )["toy"]
    assert isinstance(created, dict)
    toy_id = created["id"]
    assert created["status"] == "MANUFACTURE_STATUS_PENDING"
    assert created["designTime"] == "2026-01-05T08:00:00Z"

    fetched = call(grpcurl_bin, server_proc, "GetToy", {"id": toy_id})["toy"]
    assert fetched == created
    listed = call(grpcurl_bin, server_proc, "ListToys", {"pageSize": 10})
    assert listed["toys"] == [created]

    run = {
        "name": "make-car-x1",
        "namespace": "factory",
        "uid": "uid-1",
        "creationTime": "2026-01-06T09:00:00Z",
    }
    running = report(grpcurl_bin, server_proc, toy_id, "RUNNING", run)
    assert running["outcome"] == "CALLBACK_OUTCOME_APPLIED"
    done_run = {
        **run,
        "phase": "Succeeded",
        "finishedTime": "2026-01-06T09:07:00Z",
        "unitsProduced": 12,
    }
    done = report(grpcurl_bin, server_proc, toy_id, "SUCCEEDED", done_run)
    assert done["outcome"] == "CALLBACK_OUTCOME_APPLIED"
    toy = done["toy"]
    assert isinstance(toy, dict)
    assert (toy["numberManufactured"], toy["manufactureTime"]) == (12, "2026-01-06T09:07:00Z")
    again = report(grpcurl_bin, server_proc, toy_id, "SUCCEEDED", done_run)
    assert again["outcome"] == "CALLBACK_OUTCOME_REPLAY"

    health = call(grpcurl_bin, server_proc, "HealthCheck", {})
    assert (health["status"], health["storeOk"]) == ("SERVING_STATUS_SERVING", True)
    standard = grpcurl(grpcurl_bin, server_proc.address, "grpc.health.v1.Health/Check")
    assert json.loads(standard.stdout) == {"status": "SERVING"}

    assert call(grpcurl_bin, server_proc, "DeleteToy", {"id": toy_id}) == {}
    gone = grpcurl(
        grpcurl_bin,
        server_proc.address,
        "toys.v1.ToyService/GetToy",
        data=json.dumps({"id": toy_id}),
    )
    assert gone.returncode == NOT_FOUND


@pytest.mark.parametrize(
    ("method", "body", "code", "message"),
    [
        ("CreateToy", {"name": ""}, INVALID_ARGUMENT, "name: is required"),
        ("CreateToy", {"name": "x" * 300}, INVALID_ARGUMENT, "name: must be at most 200"),
        ("GetToy", {"id": "no-such-toy"}, NOT_FOUND, "toy 'no-such-toy' not found"),
        ("ListToys", {"pageSize": -1}, INVALID_ARGUMENT, "page_size: must not be negative"),
        ("ListToys", {"pageToken": "forged"}, INVALID_ARGUMENT, "page_token:"),
        ("UpdateManufactureStatus", {"toyId": "t"}, INVALID_ARGUMENT, "status: is required"),
        (
            "UpdateManufactureStatus",
            {
                "toyId": "t",
                "status": "MANUFACTURE_STATUS_SUCCEEDED",
                "run": {"uid": "u", "creationTime": "2026-01-01T00:00:00Z"},
            },
            INVALID_ARGUMENT,
            "run.finished_time: is required when the status is SUCCEEDED",
        ),
        ("DeleteToy", {"id": ""}, INVALID_ARGUMENT, "id: is required"),
    ],
)
def test_grpcurl_sees_clear_errors_for_bad_input(
    grpcurl_bin: str,
    shared_server: ServerProcess,
    method: str,
    body: dict[str, object],
    code: int,
    message: str,
) -> None:
    """Bad input gets the right status and a message naming the field, never UNKNOWN."""
    result = grpcurl(
        grpcurl_bin, shared_server.address, f"toys.v1.ToyService/{method}", data=json.dumps(body)
    )
    assert result.returncode == code, result.stderr
    assert message in result.stderr


def test_grpcurl_sees_failed_precondition(grpcurl_bin: str, shared_server: ServerProcess) -> None:
    """A succeeded run that then reports FAILED is FAILED_PRECONDITION with a reason."""
    created = call(grpcurl_bin, shared_server, "CreateToy", {"name": "Car"})["toy"]
    assert isinstance(created, dict)
    toy_id = created["id"]
    run = {
        "uid": "u1",
        "creationTime": "2026-01-01T00:00:00Z",
        "finishedTime": "2026-01-01T01:00:00Z",
    }
    report(grpcurl_bin, shared_server, toy_id, "SUCCEEDED", run)
    result = grpcurl(
        grpcurl_bin,
        shared_server.address,
        "toys.v1.ToyService/UpdateManufactureStatus",
        data=json.dumps({"toyId": toy_id, "status": "MANUFACTURE_STATUS_FAILED", "run": run}),
    )
    assert result.returncode == FAILED_PRECONDITION, result.stderr
    assert "already reported SUCCEEDED" in result.stderr


def test_grpcurl_prints_watch_events_as_they_happen(
    grpcurl_bin: str, server_proc: ServerProcess
) -> None:
    call(grpcurl_bin, server_proc, "CreateToy", {"name": "Before"})
    command = [grpcurl_bin, "-plaintext", "-d", '{"sendInitial": true}', server_proc.address]
    proc = subprocess.Popen(
        [*command, "toys.v1.ToyService/WatchToys"], stdout=subprocess.PIPE, text=True
    )
    lines = Lines(proc)
    try:
        printed = _until(lines, "WATCH_EVENT_TYPE_SYNCED")
        call(grpcurl_bin, server_proc, "CreateToy", {"name": "During"})
        printed += _until(lines, '"During"')
    finally:
        proc.kill()
        proc.wait()
        lines.reader.join(10)
        assert proc.stdout is not None
        proc.stdout.close()
    assert printed.index('"Before"') < printed.index("SYNCED") < printed.index('"During"')


def _until(lines: Lines, wanted: str) -> str:
    text = ""
    while wanted not in text:
        text += lines.next()
    return text


def test_grpcurl_asks_the_plaintext_health_port(grpcurl_bin: str, tmp_path: Path) -> None:
    """The health port (for the kubelet's probes) has reflection too: grpcurl needs no proto
    file for it, as the README shows (`grpcurl -plaintext HOST:50052 grpc.health.v1.Health/
    Check`), and it lists nothing but health and reflection there."""
    port = _free_port()
    server = ServerProcess(
        db=tmp_path / "toys.db", extra_env={"TOYS_HEALTH_PORT": str(port)}
    ).start()
    try:
        address = f"127.0.0.1:{port}"
        checked = grpcurl(grpcurl_bin, address, "grpc.health.v1.Health/Check")
        listed = grpcurl(grpcurl_bin, address, "list")
    finally:
        server.stop()
    assert checked.returncode == 0, checked.stderr
    assert json.loads(checked.stdout) == {"status": "SERVING"}
    assert "toys.v1.ToyService" not in listed.stdout.split()
    assert "grpc.health.v1.Health" in listed.stdout.split()


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
