"""argo_samples/: every payload loads, the manifests would run on a cluster, and the payloads
are exactly what the manifests' exit handler renders."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from scripts.check_argo_manifests import WORKFLOWS, check_files, problems
from tests.argo_rendering import (
    HARD_MESSAGES,
    HTTP_TEMPLATE,
    argo_values,
    failures_global,
    render,
    rendered_artifact,
    rendered_http,
)
from tests.support import ROOT
from toys.argo import parse_payload
from toys.domain import ManufactureStatus

SAMPLES = ROOT / "argo_samples"
TEMPLATE = WORKFLOWS / "manufacture-toy.workflowtemplate.yaml"
WORKFLOW = WORKFLOWS / "manufacture-toy.workflow.yaml"
TOY_ID = "3f6d2a1c-8b7e-4c5d-9a0f-1e2d3c4b5a69"


@pytest.mark.parametrize(
    ("name", "status", "failures"),
    [
        ("callback-succeeded.yaml", ManufactureStatus.SUCCEEDED, 0),
        ("callback-failed.yaml", ManufactureStatus.FAILED, 2),
        ("callback-error.yaml", ManufactureStatus.ERROR, 1),
        ("callback-running.yaml", ManufactureStatus.RUNNING, 0),
        ("callback-retried.yaml", ManufactureStatus.SUCCEEDED, 0),
        ("workflow-resource.yaml", ManufactureStatus.SUCCEEDED, 0),
    ],
)
def test_every_sample_loads(name: str, status: ManufactureStatus, failures: int) -> None:
    """Each sample payload parses into a callback for the sample toy."""
    callback = parse_payload((SAMPLES / name).read_text(), source=name)
    assert callback.toy_id == TOY_ID
    assert callback.run.status is status
    assert len(callback.run.failures) == failures


def test_every_sample_is_covered() -> None:
    """No payload in argo_samples/ escapes the test above."""
    assert {p.name for p in SAMPLES.glob("*.yaml")} == {
        "callback-succeeded.yaml",
        "callback-failed.yaml",
        "callback-error.yaml",
        "callback-running.yaml",
        "callback-retried.yaml",
        "workflow-resource.yaml",
    }


def test_the_manifests_validate_strictly() -> None:
    """The WorkflowTemplate, the Workflow and the Workflow resource pass Argo's schema with no
    unknown field, and every template and parameter they name exists."""
    paths = [TEMPLATE, HTTP_TEMPLATE, WORKFLOW, SAMPLES / "workflow-resource.yaml"]
    assert check_files(paths) == {path: [] for path in paths}


def _load(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(path.read_text())
    return document


def _templates() -> dict[str, dict[str, Any]]:
    return {"manufacture-toy": _load(TEMPLATE)}


def _break_field(doc: dict[str, Any]) -> None:
    doc["spec"]["templates"][1]["container"]["imagePullPolice"] = "Always"


def _break_exit(doc: dict[str, Any]) -> None:
    doc["spec"]["onExit"] = "reprot"


def _break_parameter(doc: dict[str, Any]) -> None:
    doc["spec"]["templates"][0]["steps"][0][0]["arguments"]["parameters"][0]["value"] = (
        "{{workflow.parameters.qty}}"
    )


def _break_input(doc: dict[str, Any]) -> None:
    doc["spec"]["templates"][1]["container"]["args"][0] += " {{inputs.parameters.colour}}"


def _break_output(doc: dict[str, Any]) -> None:
    doc["spec"]["templates"][1]["outputs"]["parameters"][0]["globalName"] = "units"


def _break_retry(doc: dict[str, Any]) -> None:
    doc["spec"]["templates"][2]["retryStrategy"]["limit"] = {"times": 5}


@pytest.mark.parametrize(
    ("breaks", "complaint"),
    [
        (_break_field, "imagePullPolice: Extra inputs are not permitted"),
        (_break_exit, "spec.onExit names template 'reprot', which does not exist"),
        (_break_parameter, "{{workflow.parameters.qty}} is not a declared parameter"),
        (_break_input, "template assemble uses undeclared input 'colour'"),
        (_break_output, "{{workflow.outputs.parameters.units-produced}} has no output"),
        (_break_retry, "retryStrategy.limit"),
    ],
)
def test_a_broken_template_is_rejected(breaks: Any, complaint: str) -> None:
    """The same check refuses a template with a typo, a dangling name or a bad value."""
    doc = copy.deepcopy(_load(TEMPLATE))
    breaks(doc)
    found = problems(doc)
    assert any(complaint in problem for problem in found), found


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({"name": "toy-idd", "value": "x"}, "argument 'toy-idd' is not a parameter"),
        (None, "parameter 'toy-id' has no value and the workflow gives none"),
    ],
)
def test_a_broken_workflow_is_rejected(change: dict[str, str] | None, complaint: str) -> None:
    """A Workflow must give the template's required parameters and no unknown ones."""
    doc = copy.deepcopy(_load(WORKFLOW))
    doc["spec"]["arguments"]["parameters"][0] = change
    if change is None:
        del doc["spec"]["arguments"]["parameters"][0]
    assert complaint in " ".join(problems(doc, _templates()))


# Each exit-handler sample and the template that reports it.
HOOKS = [
    ("callback-succeeded.yaml", "report"),
    ("callback-failed.yaml", "report"),
    ("callback-error.yaml", "report"),
    ("callback-running.yaml", "report-running"),
    ("callback-retried.yaml", "report"),
]


def _rendered_payload(template: str, values: dict[str, str]) -> str:
    return rendered_artifact(TEMPLATE, template, values)


@pytest.mark.parametrize(("sample", "template"), HOOKS)
def test_samples_are_what_the_hooks_render(sample: str, template: str) -> None:
    """The report templates, rendered by Argo with a sample's values, give its callback."""
    rendered = _rendered_payload(template, argo_values(sample))
    expected = parse_payload((SAMPLES / sample).read_text(), source=sample)
    assert parse_payload(rendered, source="rendered") == expected


@pytest.mark.parametrize(
    "outcome", ["callback-succeeded.yaml", "callback-failed.yaml", "callback-error.yaml"]
)
def test_every_outcome_renders_to_a_callback_toyctl_accepts(outcome: str) -> None:
    """Argo's quoting of {{workflow.failures}} (a quoted JSON text, "null" for a clean run)
    reaches toyctl as the failures, for succeeded, failed and errored runs alike."""
    values = argo_values(outcome)
    failed = [
        {"displayName": f"step-{i}", "message": message, "phase": "Failed"}
        for i, message in enumerate(HARD_MESSAGES)
    ]
    if outcome != "callback-succeeded.yaml":
        values["workflow.failures"] = failures_global(failed)
    run = parse_payload(_rendered_payload("report", values), source="rendered").run
    expected = [] if outcome == "callback-succeeded.yaml" else HARD_MESSAGES
    assert sorted(f.message for f in run.failures) == sorted(expected)


def test_a_block_scalar_holding_argos_quoted_failures_is_read_too() -> None:
    """A template that puts {{workflow.failures}} in a `|-` block (as this one once did)
    hands toyctl the quoted JSON with its quotes: read, not refused."""
    quoted = failures_global([{"displayName": "step", "message": HARD_MESSAGES[0]}])
    payload = (SAMPLES / "callback-failed.yaml").read_text()
    payload = payload[: payload.index("  failures: |-")] + f"  failures: |-\n    {quoted}\n"
    run = parse_payload(payload, source="block").run
    assert [f.message for f in run.failures] == [HARD_MESSAGES[0]]
    clean = payload[: payload.index("  failures: |-")] + '  failures: |-\n    "null"\n'
    assert parse_payload(clean, source="clean").run.failures == ()


def test_the_exit_handler_runs_toyctl_on_the_rendered_payload() -> None:
    """onExit runs the project's image: toyctl update-status --toy-id ... --payload PATH,
    with a retryStrategy, reading the artifact Argo wrote at PATH."""
    spec = _load(TEMPLATE)["spec"]
    report = {t["name"]: t for t in spec["templates"]}[spec["onExit"]]
    container = report["container"]
    assert container["command"] == ["toyctl"]
    assert container["args"] == [
        "update-status",
        "--toy-id",
        "{{workflow.parameters.toy-id}}",
        "--payload",
        report["inputs"]["artifacts"][0]["path"],
    ]
    assert int(report["retryStrategy"]["limit"]) >= 3


@pytest.mark.parametrize(("sample", "template"), HOOKS)
def test_the_http_hooks_post_what_the_container_hooks_hand_toyctl(
    sample: str, template: str
) -> None:
    """Rendered by Argo with the same values, the http template's body reads as the same
    callback as the container template's artifact."""
    values = argo_values(sample)
    body = rendered_http(HTTP_TEMPLATE, template, values)["body"]
    artifact = rendered_artifact(TEMPLATE, template, values)
    assert parse_payload(body, source="http") == parse_payload(artifact, source="artifact")


def test_the_http_exit_handler_posts_to_the_callback_path_with_the_secret_token() -> None:
    spec = _load(HTTP_TEMPLATE)["spec"]
    report = {t["name"]: t for t in spec["templates"]}[spec["onExit"]]
    http = render(report, {"workflow.parameters.toys-http": "https://toys:8080"})["http"]
    assert (http["method"], http["url"]) == ("POST", "https://toys:8080/argo/v1/callbacks")
    headers = {h["name"]: h for h in http["headers"]}
    assert headers["Authorization"]["valueFrom"]["secretKeyRef"] == {
        "name": "toys-callback-token",
        "key": "authorization",
    }
    assert http["successCondition"] == "response.statusCode == 200"
    assert int(report["retryStrategy"]["limit"]) >= 3
