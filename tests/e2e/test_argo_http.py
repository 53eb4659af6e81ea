"""Argo's `http` exit handler against a real server: bodies exactly as Argo renders them for
a succeeded, a failed (hard failure messages), an errored and a retried run are stored, and
answered, exactly as `toyctl update-status` stores and answers the same run."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from google.protobuf import json_format

from tests.argo_rendering import (
    HARD_MESSAGES,
    HTTP_TEMPLATE,
    TEMPLATE,
    argo_values,
    failures_global,
    rendered_artifact,
    rendered_http,
)
from tests.e2e.test_toyctl import toyctl
from tests.support import ServerProcess
from toys._generated.pb2.toys.v1 import toys_pb2

# Fields a toy holds whatever way its runs were reported (not its id or its own times).
RUN_FIELDS = ("status", "numberManufactured", "manufactureTime", "lastRun")
HARD_FAILURES = [
    {"displayName": f"step-{i}", "message": message, "phase": "Failed", "templateName": "t"}
    for i, message in enumerate(HARD_MESSAGES)
]


def values_for(case: str, toy_id: str) -> list[dict[str, str]]:
    """The values Argo gives the exit handler, for each report of a run of `case`."""
    if case == "succeeded":
        return [argo_values("callback-succeeded.yaml", toy_id=toy_id)]
    if case == "errored":
        errored = argo_values("callback-error.yaml", toy_id=toy_id)
        errored["workflow.failures"] = failures_global(HARD_FAILURES[:1])
        return [errored]
    failed = argo_values("callback-failed.yaml", toy_id=toy_id)
    failed["workflow.failures"] = failures_global(HARD_FAILURES)
    if case == "failed":
        return [failed]
    # `argo retry`: the same workflow (uid) runs again and succeeds.
    retried = failed | {
        "workflow.status": "Succeeded",
        "workflow.duration": "300",
        "workflow.outputs.parameters.units-produced": "25",
        "workflow.failures": failures_global(None),
    }
    return [failed, retried]


def via_http(server: ServerProcess, values: dict[str, str]) -> dict[str, object]:
    request = rendered_http(HTTP_TEMPLATE, "report", values)
    response = httpx.post(
        f"{server.http_url}/argo/v1/callbacks",
        content=request["body"].encode(),
        headers={"content-type": "application/yaml"},
    )
    assert response.status_code == 200, response.text
    answer: dict[str, object] = response.json()
    return answer


def via_toyctl(
    server: ServerProcess, toy_id: str, values: dict[str, str], tmp_path: Path
) -> dict[str, object]:
    payload = tmp_path / f"payload-{len(list(tmp_path.iterdir()))}.yaml"
    payload.write_text(rendered_artifact(TEMPLATE, "report", values))
    done = toyctl(
        server, "update-status", "--toy-id", toy_id, "--payload", str(payload), "-o", "json"
    )
    assert done.returncode == 0, done.stderr
    answer: dict[str, object] = json.loads(done.stdout)
    return answer


def reported(answer: dict[str, object]) -> tuple[object, dict[str, object]]:
    """The outcome and what the toy holds of its runs, in protobuf's JSON (toyctl writes the
    fields left at their defaults too; Connect, as protobuf does, leaves them out)."""
    written = answer["toy"]
    assert isinstance(written, dict)
    toy = json_format.MessageToDict(json_format.ParseDict(written, toys_pb2.Toy()))
    return answer["outcome"], {field: toy.get(field) for field in RUN_FIELDS}


@pytest.mark.parametrize("case", ["succeeded", "failed", "errored", "retried"])
def test_argo_http_bodies_store_what_toyctl_stores(
    shared_server: ServerProcess, case: str, tmp_path: Path
) -> None:
    by_http, by_toyctl = (
        toyctl(shared_server, "manufacture", "--name", f"{case}-{way}", "-o", "name").stdout.strip()
        for way in ("http", "toyctl")
    )
    for values_http, values_toyctl in zip(
        values_for(case, by_http), values_for(case, by_toyctl), strict=True
    ):
        for expected in ("CALLBACK_OUTCOME_APPLIED", "CALLBACK_OUTCOME_REPLAY"):  # Argo retries
            http_answer = reported(via_http(shared_server, values_http))
            toyctl_answer = reported(via_toyctl(shared_server, by_toyctl, values_toyctl, tmp_path))
            assert http_answer == toyctl_answer
            assert http_answer[0] == expected
    got = json.loads(toyctl(shared_server, "get", by_http, "-o", "json").stdout)
    messages = sorted(f["message"] for f in got.get("lastRun", {}).get("failures", []))
    expected_messages = {
        "succeeded": [],
        "failed": sorted(HARD_MESSAGES),
        "errored": HARD_MESSAGES[:1],
        "retried": [],
    }[case]
    assert messages == expected_messages
