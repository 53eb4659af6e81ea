"""toyctl commands through Typer's CliRunner against a real server (in a thread)."""

from __future__ import annotations

import json
import socket
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from tests.fakes import FailingPingStore
from tests.support import ROOT, ThreadedServer
from toyctl import client
from toyctl.app import app, main
from toyctl.errors import ExitCode
from toys._generated.toys import v1 as pb

runner = CliRunner()


def toyctl(server: ThreadedServer, *args: str, input: str | None = None) -> Any:
    return runner.invoke(app, ["--server", server.address, *args], input=input)


def made(server: ThreadedServer, name: str = "Car", *extra: str) -> str:
    result = toyctl(server, "manufacture", "--name", name, *extra, "-o", "name")
    assert result.exit_code == 0, result.output
    return str(result.stdout.strip())


def test_manufacture_prints_the_new_toy(threaded_server: ThreadedServer) -> None:
    """The seed's `manufacture --name Car` works; options set designer, time, manufacturer."""
    result = toyctl(
        threaded_server,
        "manufacture",
        "--name",
        "Robot",
        "--designer",
        "Ada",
        "--design-time",
        "2026-01-02T03:04:05+01:00",
        "--manufacturer",
        "Acme",
        "-o",
        "json",
    )
    assert result.exit_code == 0, result.output
    toy = json.loads(result.stdout)
    assert (toy["name"], toy["designer"], toy["manufacturor"]) == ("Robot", "Ada", "Acme")
    assert toy["designTime"] == "2026-01-02T02:04:05Z"
    assert toy["status"] == "MANUFACTURE_STATUS_PENDING"
    plain = toyctl(threaded_server, "manufacture", "--name", "Car")
    assert plain.exit_code == 0
    assert "PENDING" in plain.stdout


def test_without_a_design_time_the_server_takes_its_creation_time(
    threaded_server: ThreadedServer,
) -> None:
    result = toyctl(threaded_server, "manufacture", "--name", "Car", "-o", "json")
    toy = json.loads(result.stdout)
    assert toy["designTime"] == toy["createTime"]


def test_an_empty_filtered_list_does_not_suggest_making_a_toy(
    threaded_server: ThreadedServer,
) -> None:
    made(threaded_server)
    result = toyctl(threaded_server, "list", "--status", "FAILED")
    assert result.exit_code == 0
    assert result.stderr.strip() == "No toys in status FAILED."


def test_a_bad_flag_value_is_blamed_on_the_flag_and_a_bad_variable_on_the_variable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--timeout", "0", "list"]) == ExitCode.USAGE
    monkeypatch.setenv("TOYCTL_TIMEOUT", "0")
    assert main(["list"]) == ExitCode.USAGE
    by_flag, by_variable = capsys.readouterr().err.splitlines()
    assert "--timeout" in by_flag
    assert "TOYCTL_TIMEOUT" not in by_flag
    assert "in TOYCTL_TIMEOUT" in by_variable


def test_list_shows_a_friendly_line_when_empty(threaded_server: ThreadedServer) -> None:
    """No toys: a hint on stderr, nothing on stdout, exit 0; json still gives an empty list."""
    result = toyctl(threaded_server, "list")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "No toys yet" in result.stderr
    as_json = toyctl(threaded_server, "list", "-o", "json")
    assert json.loads(as_json.stdout) == {"toys": []}


def test_list_follows_every_page_and_honours_limit_and_status(
    threaded_server: ThreadedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """All toys across pages (pages of 2 here), --limit N, and --status filter."""
    monkeypatch.setattr(client, "LIST_PAGE_SIZE", 2)
    ids = [made(threaded_server, f"toy-{n}") for n in range(5)]
    listed = toyctl(threaded_server, "list", "-o", "name")
    assert listed.stdout.split() == ids
    limited = toyctl(threaded_server, "list", "--limit", "3", "-o", "name")
    assert limited.stdout.split() == ids[:3]
    toyctl(threaded_server, "update-status", "--toy-id", ids[1])
    succeeded = toyctl(threaded_server, "list", "--status", "succeeded", "-o", "name")
    assert succeeded.stdout.split() == [ids[1]]
    table = toyctl(threaded_server, "list")
    assert table.stdout.splitlines()[0].split()[:3] == ["ID", "NAME", "STATUS"]
    assert len(table.stdout.splitlines()) == 6


@pytest.mark.parametrize("output", ["json", "yaml"])
def test_get_output_parses_back(threaded_server: ThreadedServer, output: str) -> None:
    """`get -o json|yaml` is the toy in proto3 JSON form, loadable as a Toy message."""
    toy_id = made(threaded_server)
    result = toyctl(threaded_server, "get", toy_id, "-o", output)
    document = json.loads(result.stdout) if output == "json" else yaml.safe_load(result.stdout)
    toy = pb.Toy.from_dict(document)
    assert (toy.id, toy.name, toy.status) == (toy_id, "Car", pb.ManufactureStatus.PENDING)


def test_bare_update_status_simulates_a_successful_run(threaded_server: ThreadedServer) -> None:
    """Without --payload the bundled succeeded sample is sent for --toy-id; again is a replay."""
    toy_id = made(threaded_server)
    first = toyctl(threaded_server, "update-status", "--toy-id", toy_id, "-o", "json")
    assert first.exit_code == 0, first.output
    response = json.loads(first.stdout)
    assert response["outcome"] == "CALLBACK_OUTCOME_APPLIED"
    assert response["toy"]["status"] == "MANUFACTURE_STATUS_SUCCEEDED"
    assert response["toy"]["numberManufactured"] == 25
    assert "callback applied" in first.stderr
    again = toyctl(threaded_server, "update-status", "--toy-id", toy_id)
    assert again.exit_code == 0
    assert "replay" in again.stderr


def test_bare_update_status_says_it_sent_the_sample_every_time(
    threaded_server: ThreadedServer,
) -> None:
    """A script that forgets --payload is told, on stderr, that a sample was recorded."""
    toy_id = made(threaded_server)
    for _ in range(2):
        result = toyctl(threaded_server, "update-status", "--toy-id", toy_id)
        assert "no --payload: sent the bundled sample" in result.stderr
        assert "pass --payload FILE" in result.stderr


def test_bare_update_status_keeps_the_toys_history_plausible(
    threaded_server: ThreadedServer,
) -> None:
    """The sample run is moved to end now: manufactured after the toy was created."""
    toy_id = made(threaded_server)
    result = toyctl(threaded_server, "update-status", "--toy-id", toy_id, "-o", "json")
    toy = json.loads(result.stdout)["toy"]
    created = datetime.fromisoformat(toy["createTime"])
    assert datetime.fromisoformat(toy["manufactureTime"]) >= created


def test_update_status_reads_a_payload_from_stdin(threaded_server: ThreadedServer) -> None:
    """--payload - reads the document from standard input."""
    toy_id = made(threaded_server)
    sample = (ROOT / "argo_samples" / "callback-succeeded.yaml").read_text()
    text = sample.replace("3f6d2a1c-8b7e-4c5d-9a0f-1e2d3c4b5a69", toy_id)
    result = toyctl(
        threaded_server, "update-status", "--toy-id", toy_id, "--payload", "-", input=text
    )
    assert result.exit_code == 0, result.output
    assert "SUCCEEDED" in result.stdout


def test_server_errors_become_exit_codes(threaded_server: ThreadedServer) -> None:
    """NOT_FOUND is 5, INVALID_ARGUMENT 6, FAILED_PRECONDITION 7, each one line on stderr."""
    missing = toyctl(threaded_server, "get", "no-such-toy")
    assert missing.exit_code == ExitCode.NOT_FOUND
    assert missing.stderr == "toyctl: error: toy 'no-such-toy' not found (NOT_FOUND)\n"
    invalid = toyctl(threaded_server, "manufacture", "--name", "x" * 300)
    assert invalid.exit_code == ExitCode.INVALID
    assert "name: must be at most 200 characters" in invalid.stderr
    toy_id = made(threaded_server)
    toyctl(threaded_server, "update-status", "--toy-id", toy_id)
    failed = (ROOT / "argo_samples" / "callback-succeeded.yaml").read_text()
    failed = failed.replace('status: "Succeeded"', 'status: "Failed"')
    rejected = toyctl(
        threaded_server,
        "update-status",
        "--toy-id",
        toy_id,
        "--payload",
        "-",
        input=failed.replace("3f6d2a1c-8b7e-4c5d-9a0f-1e2d3c4b5a69", toy_id),
    )
    assert rejected.exit_code == ExitCode.PRECONDITION
    assert "already reported SUCCEEDED" in rejected.stderr


def test_delete_with_yes_and_health(threaded_server: ThreadedServer) -> None:
    """delete --yes removes the toy; health reports SERVING and exits 0."""
    toy_id = made(threaded_server)
    deleted = toyctl(threaded_server, "delete", toy_id, "--yes")
    assert deleted.exit_code == 0
    assert toyctl(threaded_server, "get", toy_id).exit_code == ExitCode.NOT_FOUND
    health = toyctl(threaded_server, "health")
    assert health.exit_code == 0
    assert health.stdout.startswith("SERVING")
    as_yaml = yaml.safe_load(toyctl(threaded_server, "health", "-o", "yaml").stdout)
    assert as_yaml["status"] == "SERVING_STATUS_SERVING"
    assert as_yaml["storeOk"] is True


def test_a_server_that_never_answers_hits_the_deadline() -> None:
    """--timeout bounds every call: a listener that never speaks gRPC gives exit 4."""
    with socket.create_server(("127.0.0.1", 0)) as silent:
        port = silent.getsockname()[1]
        result = runner.invoke(app, ["--server", f"127.0.0.1:{port}", "--timeout", "0.3", "list"])
    assert result.exit_code == ExitCode.DEADLINE, result.output
    assert result.stderr == f"toyctl: error: no answer from 127.0.0.1:{port} within 0.3s\n"


def test_health_exits_9_when_the_server_is_not_serving(tmp_path: Path) -> None:
    """The server answers but its store fails: NOT_SERVING is printed and the exit code is 9."""
    server = ThreadedServer(tmp_path / "sick.db", wrap_store=FailingPingStore).start()
    try:
        result = toyctl(server, "health")
    finally:
        server.stop()
    assert result.exit_code == ExitCode.NOT_SERVING
    assert result.stdout.startswith("NOT_SERVING")
    assert "store failing: database error: disk I/O error" in result.stdout
