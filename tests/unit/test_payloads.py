"""Argo callback payloads: both forms, every default, and every way a payload can be wrong."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from tests.strategies import aware_times, failures, texts
from tests.support import ROOT
from toys.argo import PayloadError, parse_payload
from toys.domain import ManufactureStatus, WorkflowFailure

SAMPLE = ROOT / "argo_samples" / "callback-succeeded.yaml"


def exit_handler(**changes: Any) -> dict[str, Any]:
    """An exit-handler payload as Argo renders it; `changes` replace keys under `workflow`."""
    workflow: dict[str, Any] = {
        "name": "make-toy-abc12",
        "namespace": "toy-factory",
        "uid": "0d6c0a52-5f0b-4b8e-9b8a-1d2c3e4f5a6b",
        "status": "Succeeded",
        "creationTimestamp": "2026-11-26T09:00:00Z",
        "duration": "60.5",
        "parameters": {"toy-id": "toy-1", "quantity": "4"},
        "outputs": {"parameters": {"units-produced": "3"}},
        "failures": "null",
    }
    workflow.update(changes)
    return {"workflow": {k: v for k, v in workflow.items() if v is not None}}


def parse(document: Any, toy_id: str | None = None) -> Any:
    return parse_payload(yaml.safe_dump(document), source="test.yaml", toy_id=toy_id)


def test_the_succeeded_sample_loads() -> None:
    """argo_samples/callback-succeeded.yaml is a complete succeeded callback."""
    callback = parse_payload(SAMPLE.read_text(), source=str(SAMPLE))
    run = callback.run
    assert callback.toy_id == "3f6d2a1c-8b7e-4c5d-9a0f-1e2d3c4b5a69"
    assert (run.status, run.units_produced, run.failures) == (ManufactureStatus.SUCCEEDED, 25, ())
    assert run.creation_time == datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    assert run.finished_at == run.creation_time + timedelta(seconds=412.118307)


def test_the_bundled_sample_is_the_argo_sample() -> None:
    """The sample toyctl ships and sends by default is the one in argo_samples/."""
    bundled = ROOT / "cli" / "toyctl" / "samples" / "callback-succeeded.yaml"
    assert bundled.read_bytes() == SAMPLE.read_bytes()


def test_replace_toy_id_takes_the_flag_over_the_sample() -> None:
    """The bare `update-status --toy-id X` form sends the sample for toy X."""
    callback = parse_payload(
        SAMPLE.read_text(), source="bundled", toy_id="mine", replace_toy_id=True
    )
    assert callback.toy_id == "mine"


def test_units_come_from_the_output_then_quantity_then_one() -> None:
    """units-produced output wins; else the quantity parameter; else 1."""
    assert parse(exit_handler()).run.units_produced == 3
    assert parse(exit_handler(outputs=None)).run.units_produced == 4
    assert parse(exit_handler(outputs=None, parameters={"toy-id": "t"})).run.units_produced == 1


def test_the_toy_id_may_come_from_the_flag_alone() -> None:
    """Without a toy-id parameter, --toy-id names the toy."""
    assert parse(exit_handler(parameters={}), toy_id="flagged").toy_id == "flagged"


def test_a_running_callback_needs_no_duration() -> None:
    """A RUNNING report has no finish time and needs no duration."""
    run = parse(exit_handler(status="Running", duration=None)).run
    assert (run.status, run.finished_at) == (ManufactureStatus.RUNNING, None)


def test_argos_escaped_failures_string_is_decoded_and_ordered() -> None:
    """{{workflow.failures}} arrives as JSON inside a string, in no stable order."""
    listed = [
        {
            "displayName": "paint",
            "message": "main: Error (exit code 3)",
            "templateName": "paint",
            "phase": "Failed",
            "podName": "make-toy-abc12-paint-1",
            "finishedAt": "2026-11-26T09:01:40Z",
        },
        {
            "displayName": "mould",
            "message": "pod deleted",
            "templateName": "mould",
            "phase": "Error",
            "podName": "make-toy-abc12-mould-2",
            "finishedAt": "2026-11-26T09:00:30Z",
        },
    ]
    run = parse(exit_handler(status="Failed", failures=json.dumps(listed))).run
    assert [f.display_name for f in run.failures] == ["mould", "paint"]
    assert run.failures[1].message == "main: Error (exit code 3)"
    assert run.message == "mould: pod deleted; paint: main: Error (exit code 3)"
    as_list = parse(exit_handler(status="Failed", failures=listed)).run
    assert as_list.failures == run.failures


@given(st.lists(failures, max_size=5))
def test_failures_round_trip_through_argos_json_string(listed: list[WorkflowFailure]) -> None:
    """Any failures, rendered the way Argo renders them, come back as the same failures."""
    rendered = json.dumps(
        [
            {
                "displayName": f.display_name,
                "message": f.message,
                "templateName": f.template_name,
                "phase": f.phase,
                "podName": f.pod_name,
                **({"finishedAt": f.finished_at.isoformat()} if f.finished_at else {}),
            }
            for f in listed
        ]
    )
    run = parse(exit_handler(status="Failed", failures=rendered)).run
    assert sorted(run.failures, key=repr) == sorted(listed, key=repr)


@given(
    created=aware_times,
    duration_us=st.integers(0, 10**11),
    name=texts,
    units=st.integers(0, 2**31 - 1),
    status=st.sampled_from(["Succeeded", "Failed", "Error"]),
)
def test_an_exit_handler_payload_round_trips(
    created: datetime, duration_us: int, name: str, units: int, status: str
) -> None:
    """Whatever Argo renders into the payload is what the callback carries."""
    duration = timedelta(microseconds=duration_us)
    document = exit_handler(
        name=name or None,
        status=status,
        creationTimestamp=created.isoformat(),
        duration=f"{duration.total_seconds():.6f}",
        outputs={"parameters": {"units-produced": str(units)}},
    )
    run = parse(document).run
    assert run.name == name
    assert run.status == ManufactureStatus(status)
    assert run.creation_time == created
    assert run.finished_at == created + duration
    assert run.units_produced == units


def test_pyyaml_does_not_shift_unquoted_timestamps() -> None:
    """An unquoted time keeps its offset; one without an offset is refused, not guessed."""
    text = SAMPLE.read_text().replace(
        'creationTimestamp: "2026-11-26T09:00:00Z"', "creationTimestamp: 2026-11-26T11:00:00+02:00"
    )
    run = parse_payload(text, source="s").run
    assert run.creation_time.utcoffset() == timedelta(hours=2)
    assert run.creation_time == datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    naive = SAMPLE.read_text().replace(
        'creationTimestamp: "2026-11-26T09:00:00Z"', "creationTimestamp: 2026-11-26 09:00:00"
    )
    with pytest.raises(PayloadError, match=r"workflow\.creationTimestamp: .* has no UTC offset"):
        parse_payload(naive, source="s")


WORKFLOW_RESOURCE = """
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: make-toy-q8n2d
  namespace: toy-factory
  uid: 9a7b6c5d-4e3f-4a1b-8c9d-0e1f2a3b4c5d
  creationTimestamp: "2026-11-26T10:00:00Z"
  labels:
    workflows.argoproj.io/phase: Failed
spec:
  arguments:
    parameters:
      - name: toy-id
        value: toy-7
      - name: quantity
        value: "12"
status:
  phase: Failed
  startedAt: "2026-11-26T10:00:01Z"
  finishedAt: "2026-11-26T10:04:00Z"
  message: child 'make-toy-q8n2d-1234' failed
  progress: 1/2
  nodes:
    make-toy-q8n2d:
      id: make-toy-q8n2d
      type: Steps
      phase: Failed
    make-toy-q8n2d-1234:
      id: make-toy-q8n2d-1234
      type: Pod
      displayName: assemble
      templateName: assemble
      phase: Failed
      message: "main: Error (exit code 3)"
      finishedAt: "2026-11-26T10:03:58Z"
"""


def test_a_workflow_resource_is_understood() -> None:
    """`kubectl get workflow -o yaml` output gives uid, phase, times, failures and units."""
    callback = parse_payload(WORKFLOW_RESOURCE, source="wf.yaml")
    run = callback.run
    assert callback.toy_id == "toy-7"
    assert (run.uid, run.status, run.units_produced) == (
        "9a7b6c5d-4e3f-4a1b-8c9d-0e1f2a3b4c5d",
        ManufactureStatus.FAILED,
        12,
    )
    assert run.started_at == datetime(2026, 11, 26, 10, 0, 1, tzinfo=UTC)
    assert run.finished_at == datetime(2026, 11, 26, 10, 4, tzinfo=UTC)
    assert run.message == "child 'make-toy-q8n2d-1234' failed"
    assert [(f.display_name, f.pod_name) for f in run.failures] == [
        ("assemble", "make-toy-q8n2d-1234")
    ]


def test_a_running_workflow_resource_is_understood() -> None:
    """A Workflow still Running reports RUNNING, with no finish time needed."""
    text = WORKFLOW_RESOURCE.replace(
        "  phase: Failed\n  startedAt", "  phase: Running\n  startedAt"
    )
    text = text.replace('  finishedAt: "2026-11-26T10:04:00Z"\n', "")
    run = parse_payload(text, source="wf.yaml").run
    assert (run.status, run.finished_at) == (ManufactureStatus.RUNNING, None)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("workflow: [unclosed", "not valid YAML or JSON (line 1"),
        ("- just\n- a list\n", "document: expected a mapping, got a list"),
        ("a: 1\n---\nb: 2\n", "expected one document, found 2"),
        ("hello: world\n", "expected an exit-handler payload"),
        ("kind: Pod\n", "kind: expected Workflow, got 'Pod'"),
        ("apiVersion: v1\nkind: Workflow\n", "apiVersion: expected argoproj.io/v1alpha1"),
    ],
)
def test_unusable_documents_are_refused(text: str, message: str) -> None:
    """Documents that are not payloads at all say what they are instead."""
    with pytest.raises(PayloadError) as caught:
        parse_payload(text, source="p.yaml")
    assert caught.value.message.startswith("payload p.yaml: ")
    assert message in caught.value.message


@pytest.mark.parametrize(
    ("changes", "field", "problem"),
    [
        ({"status": "Exploded"}, "workflow.status", "unknown status 'Exploded'"),
        ({"status": None}, "workflow.status", "is required"),
        ({"uid": None}, "workflow.uid", "is required"),
        ({"creationTimestamp": "yesterday"}, "workflow.creationTimestamp", "not an RFC 3339"),
        (
            {"creationTimestamp": "2026-11-26T09:00:00"},
            "workflow.creationTimestamp",
            "no UTC offset",
        ),
        ({"duration": None}, "workflow.duration", "is required"),
        ({"duration": "-3"}, "workflow.duration", "must be zero or more seconds"),
        ({"duration": "soon"}, "workflow.duration", "is not a number of seconds"),
        (
            {"outputs": {"parameters": {"units-produced": "-1"}}},
            "workflow.outputs.parameters.units-produced",
            "must be between 0 and",
        ),
        (
            {"outputs": {"parameters": {"units-produced": "2.5"}}},
            "workflow.outputs.parameters.units-produced",
            "expected a whole number",
        ),
        (
            {"outputs": None, "parameters": {"toy-id": "t", "quantity": "many"}},
            "workflow.parameters.quantity",
            "expected a whole number",
        ),
        ({"failures": "{not json"}, "workflow.failures", "is not valid JSON"),
        ({"failures": "42"}, "workflow.failures", "expected a list of failures"),
        (
            {"failures": '[{"finishedAt": "noon"}]'},
            "workflow.failures[0].finishedAt",
            "not an RFC 3339",
        ),
        ({"parameters": "[1]"}, "workflow.parameters[0]", "expected a mapping"),
        ({"parameters": {}}, "workflow.parameters.toy-id", "no toy id"),
    ],
)
def test_malformed_payloads_name_the_field(
    changes: dict[str, Any], field: str, problem: str
) -> None:
    """Each malformed field is named in one message; nothing would be sent."""
    with pytest.raises(PayloadError) as caught:
        parse(exit_handler(**changes))
    assert caught.value.field == field
    assert problem in caught.value.message


def test_a_toy_id_that_disagrees_with_the_flag_is_refused() -> None:
    """--toy-id and the payload's toy-id parameter must name the same toy."""
    with pytest.raises(PayloadError, match="'toy-1' disagrees with --toy-id 'other'"):
        parse(exit_handler(), toy_id="other")


def test_json_payloads_are_read_too() -> None:
    """A JSON payload is read like YAML."""
    assert parse_payload(json.dumps(exit_handler()), source="p.json").toy_id == "toy-1"


def test_offsets_other_than_utc_are_kept_as_instants() -> None:
    """A creationTimestamp in +05:30 means the same instant after parsing."""
    created = datetime(2026, 1, 1, 12, 0, tzinfo=timezone(timedelta(hours=5, minutes=30)))
    run = parse(exit_handler(creationTimestamp=created.isoformat())).run
    assert run.creation_time == created


def test_payload_files_that_cannot_be_read(tmp_path: Path) -> None:
    """Missing files, directories and non-UTF-8 files are payload errors, not tracebacks."""
    from toyctl.commands.callback import read_source

    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"\xff\xfe\x00")
    for path, problem in [
        (tmp_path / "missing.yaml", "no such file"),
        (tmp_path, "is a directory"),
        (binary, "is not UTF-8 text"),
    ]:
        with pytest.raises(PayloadError, match=problem):
            read_source(str(path))


@pytest.mark.parametrize(
    ("text", "field", "problem"),
    [
        (
            WORKFLOW_RESOURCE.replace(
                'finishedAt: "2026-11-26T10:04:00Z"', 'finishedAt: "2026-11-26T09:00:00Z"'
            ),
            "status.finishedAt",
            "is before the run started",
        ),
        (
            WORKFLOW_RESOURCE.replace(
                'message: "main: Error (exit code 3)"', f"message: {'x' * 5000}"
            ),
            "status.nodes.make-toy-q8n2d-1234.message",
            "must be at most 4096 characters",
        ),
        (
            WORKFLOW_RESOURCE.replace("  namespace: toy-factory", f"  namespace: {'n' * 64}"),
            "metadata.namespace",
            "must be at most 63 characters",
        ),
    ],
)
def test_a_rule_broken_in_a_workflow_names_the_resources_own_field(
    text: str, field: str, problem: str
) -> None:
    """The domain's rules are reported by the payload's path, never the proto's."""
    with pytest.raises(PayloadError) as caught:
        parse_payload(text, source="wf.yaml")
    assert caught.value.field == field
    assert problem in caught.value.message


def test_a_rule_broken_in_an_exit_handler_names_the_failure_it_came_from() -> None:
    """Failures are sorted, yet an error names the entry as the payload listed it."""
    failures = [
        {"displayName": "late", "finishedAt": "2026-11-26T09:05:00Z"},
        {"displayName": "early", "finishedAt": "2026-11-26T09:01:00Z", "podName": "p" * 300},
    ]
    with pytest.raises(PayloadError) as caught:
        parse(exit_handler(failures=json.dumps(failures), status="Failed"))
    assert caught.value.field == "workflow.failures[1].podName"


def test_a_huge_unit_count_is_refused_without_converting_it() -> None:
    """Five thousand digits are out of range (Python would refuse to convert them anyway)."""
    with pytest.raises(PayloadError, match=r"must be between 0 and 2147483647, got 9{20}\.\.\."):
        parse(exit_handler(outputs={"parameters": {"units-produced": "9" * 5000}}))
