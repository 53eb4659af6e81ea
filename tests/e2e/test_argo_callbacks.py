"""Argo's callback situations end to end: the real server, toyctl, the sample payloads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.test_toyctl import toyctl
from tests.support import ROOT, ServerProcess

SAMPLES = ROOT / "argo_samples"
SAMPLE_TOY_ID = "3f6d2a1c-8b7e-4c5d-9a0f-1e2d3c4b5a69"


def payload_for(toy_id: str, sample: str, tmp_path: Path, **replace: str) -> Path:
    """The sample as Argo would render it for `toy_id`, with `replace` applied."""
    text = (SAMPLES / sample).read_text().replace(SAMPLE_TOY_ID, toy_id)
    for old, new in replace.items():
        text = text.replace(old, new)
    path = tmp_path / f"{len(list(tmp_path.iterdir()))}-{sample}"
    path.write_text(text)
    return path


def callback(
    server: ServerProcess, toy_id: str, path: Path | str, stdin: str | None = None
) -> dict[str, object]:
    result = toyctl(
        server,
        "update-status",
        "--toy-id",
        toy_id,
        "--payload",
        str(path),
        "-o",
        "json",
        stdin=stdin,
    )
    assert result.returncode == 0, result.stderr
    response: dict[str, object] = json.loads(result.stdout)
    return response


def outcome_and_toy(response: dict[str, object]) -> tuple[object, dict[str, object]]:
    toy = response["toy"]
    assert isinstance(toy, dict)
    return response["outcome"], toy


@pytest.fixture
def toy_id(shared_server: ServerProcess) -> str:
    created = toyctl(shared_server, "manufacture", "--name", "Car", "-o", "name")
    return created.stdout.strip()


def test_a_retried_exit_handler_is_a_replay(
    shared_server: ServerProcess, toy_id: str, tmp_path: Path
) -> None:
    """Argo retries the exit handler: the second delivery changes nothing and succeeds."""
    path = payload_for(toy_id, "callback-succeeded.yaml", tmp_path)
    first, toy = outcome_and_toy(callback(shared_server, toy_id, path))
    assert (first, toy["numberManufactured"]) == ("CALLBACK_OUTCOME_APPLIED", 25)
    again, toy_again = outcome_and_toy(callback(shared_server, toy_id, path))
    assert again == "CALLBACK_OUTCOME_REPLAY"
    assert toy_again == toy


def test_argo_retry_of_a_failed_run_can_succeed(
    shared_server: ServerProcess, toy_id: str, tmp_path: Path
) -> None:
    """`argo retry` keeps the uid: FAILED -> RUNNING -> SUCCEEDED, units counted once."""
    failed = payload_for(toy_id, "callback-failed.yaml", tmp_path)
    outcome, toy = outcome_and_toy(callback(shared_server, toy_id, failed))
    assert (outcome, toy["status"]) == ("CALLBACK_OUTCOME_APPLIED", "MANUFACTURE_STATUS_FAILED")
    assert "exit code 3" in str(toy["lastRun"])
    retried = payload_for(
        toy_id,
        "callback-failed.yaml",
        tmp_path,
        **{
            'status: "Failed"': 'status: "Succeeded"',
            'units-produced: "0"': 'units-produced: "25"',
        },
    )
    outcome, toy = outcome_and_toy(callback(shared_server, toy_id, retried))
    assert (outcome, toy["status"], toy["numberManufactured"]) == (
        "CALLBACK_OUTCOME_APPLIED",
        "MANUFACTURE_STATUS_SUCCEEDED",
        25,
    )


def test_a_new_run_after_success_and_a_stale_one_after_it(
    shared_server: ServerProcess, toy_id: str, tmp_path: Path
) -> None:
    """A resubmitted run (new uid) applies after success; a late callback from an older run
    than the current one is acknowledged as stale."""
    callback(shared_server, toy_id, payload_for(toy_id, "callback-succeeded.yaml", tmp_path))
    outcome, toy = outcome_and_toy(
        callback(shared_server, toy_id, payload_for(toy_id, "callback-error.yaml", tmp_path))
    )
    assert (outcome, toy["status"], toy["numberManufactured"]) == (
        "CALLBACK_OUTCOME_APPLIED",
        "MANUFACTURE_STATUS_ERROR",
        25,
    )
    late = payload_for(toy_id, "callback-failed.yaml", tmp_path)  # created 10:00, before 11:00
    outcome, stale_toy = outcome_and_toy(callback(shared_server, toy_id, late))
    assert outcome == "CALLBACK_OUTCOME_STALE"
    assert stale_toy == toy


STORY = [
    ("callback-running.yaml", "MANUFACTURE_STATUS_RUNNING", 0),
    ("callback-succeeded.yaml", "MANUFACTURE_STATUS_SUCCEEDED", 25),
    ("callback-failed.yaml", "MANUFACTURE_STATUS_FAILED", 25),
    ("callback-retried.yaml", "MANUFACTURE_STATUS_SUCCEEDED", 50),
    ("callback-error.yaml", "MANUFACTURE_STATUS_ERROR", 50),
]


def test_the_samples_tell_one_story_in_order(
    shared_server: ServerProcess, toy_id: str, tmp_path: Path
) -> None:
    """Sent in the README's order, every sample is APPLIED and moves the toy on (a running
    run counts no unit); sent again, each is a REPLAY that changes nothing."""
    for sample, status, made in STORY:
        outcome, toy = outcome_and_toy(
            callback(shared_server, toy_id, payload_for(toy_id, sample, tmp_path))
        )
        assert (outcome, toy["status"], toy["numberManufactured"]) == (
            "CALLBACK_OUTCOME_APPLIED",
            status,
            made,
        ), sample
    for sample, _, _ in STORY:
        outcome, again = outcome_and_toy(
            callback(shared_server, toy_id, payload_for(toy_id, sample, tmp_path))
        )
        assert outcome == "CALLBACK_OUTCOME_REPLAY", sample
        assert again == toy


def test_kubectl_get_workflow_can_be_piped_in(shared_server: ServerProcess, toy_id: str) -> None:
    """`kubectl get workflow NAME -o yaml | toyctl update-status --toy-id ID --payload -`."""
    resource = (SAMPLES / "workflow-resource.yaml").read_text().replace(SAMPLE_TOY_ID, toy_id)
    outcome, toy = outcome_and_toy(callback(shared_server, toy_id, "-", stdin=resource))
    assert (outcome, toy["status"], toy["numberManufactured"]) == (
        "CALLBACK_OUTCOME_APPLIED",
        "MANUFACTURE_STATUS_SUCCEEDED",
        25,
    )
    assert toy["manufactureTime"] == "2026-11-26T09:06:52Z"
