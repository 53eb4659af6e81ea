"""Argo Workflows callback payloads -> the toy id and the workflow run they report.

Two forms are understood, YAML or JSON (JSON is read as YAML):

1. The exit-handler payload: what an `onExit` template renders from Argo's variables, under a
   top-level `workflow` key whose keys mirror `{{workflow.*}}`: name, namespace, uid, status,
   creationTimestamp, duration, parameters, outputs.parameters, failures (a list, Argo's
   JSON-encoded string, or "null").
2. A Workflow resource (`apiVersion: argoproj.io/v1alpha1`, `kind: Workflow`) as
   `kubectl get workflow NAME -o yaml` or `argo get NAME -o yaml` print it.

Units produced come from the `units-produced` output parameter, else the `quantity` parameter,
else 1. The toy id comes from the `toy-id` parameter or `--toy-id`; if both are given they must
agree. Every problem raises PayloadError naming the field; nothing reaches the server then.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import yaml

from toyctl.errors import ExitCode, ToyctlError
from toys.domain import (
    INT32_MAX,
    InvalidArgument,
    ManufactureStatus,
    WorkflowFailure,
    WorkflowRun,
    validate_run,
)

TOY_ID_PARAMETER = "toy-id"
UNITS_OUTPUT = "units-produced"
QUANTITY_PARAMETER = "quantity"
WORKFLOW_API_VERSION = "argoproj.io/v1alpha1"
MAX_MESSAGE = 4096
_UNRESOLVED_TAG = re.compile(r"\{\{.*\}\}")


class PayloadError(ToyctlError):
    """The payload cannot be used; `field` says where, in the payload's own terms."""

    def __init__(self, source: str, field: str, problem: str) -> None:
        where = f"{field}: " if field else ""
        super().__init__(ExitCode.PAYLOAD, f"payload {source}: {where}{problem}")
        self.field = field


@dataclass(frozen=True, slots=True)
class Callback:
    """What a payload reports: a run of a toy."""

    toy_id: str
    run: WorkflowRun


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps timestamps as the strings they are (PyYAML would make naive
    datetimes of some and shift others); we parse them ourselves and insist on an offset."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _Reader:
    """Typed access to a loaded document that names the field in every error."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, field: str, problem: str) -> PayloadError:
        return PayloadError(self.source, field, problem)

    def mapping(self, value: Any, field: str, *, required: bool = True) -> Mapping[str, Any]:
        if value is None and not required:
            return {}
        if not isinstance(value, Mapping):
            raise self.fail(field, f"expected a mapping, got {_kind(value)}")
        return value

    def text(self, doc: Mapping[str, Any], key: str, field: str, *, required: bool) -> str:
        value = doc.get(key)
        if value is None or value == "":
            if required:
                raise self.fail(field, "is required")
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise self.fail(field, f"expected text, got {_kind(value)}")
        return str(value)

    def time(
        self, doc: Mapping[str, Any], key: str, field: str, *, required: bool
    ) -> datetime | None:
        text = self.text(doc, key, field, required=required)
        if not text:
            return None
        return self.parse_time(text, field)

    def required_time(self, doc: Mapping[str, Any], key: str, field: str) -> datetime:
        return self.parse_time(self.text(doc, key, field, required=True), field)

    def parse_time(self, text: str, field: str) -> datetime:
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            raise self.fail(field, f"{text!r} is not an RFC 3339 timestamp") from None
        if value.utcoffset() is None:
            raise self.fail(field, f"{text!r} has no UTC offset (add Z or +HH:MM)")
        return value

    def count(self, value: Any, field: str) -> int:
        text = str(value).strip() if isinstance(value, str | int) else None
        if isinstance(value, bool) or text is None or not text.lstrip("-").isdigit():
            raise self.fail(field, f"expected a whole number, got {value!r}")
        number = int(text)
        if not 0 <= number <= INT32_MAX:
            raise self.fail(field, f"must be between 0 and {INT32_MAX}, got {number}")
        return number

    def status(self, value: str, field: str) -> ManufactureStatus:
        for status in ManufactureStatus:
            if value.casefold() == status.value.casefold():
                return status
        allowed = ", ".join(s.value for s in ManufactureStatus)
        raise self.fail(field, f"unknown status {value!r} (expected one of {allowed})")

    def parameters(self, value: Any, field: str) -> dict[str, str]:
        """Argo parameters as a name -> value mapping, from a mapping, a list of
        {name, value} (a Workflow's arguments), or the JSON text of such a list."""
        if value is None or value == "":
            return {}
        if isinstance(value, str):
            value = self.json_text(value, field)
        if isinstance(value, Mapping):
            pairs = [(str(k), v) for k, v in value.items()]
        elif isinstance(value, list):
            pairs = []
            for index, item in enumerate(value):
                entry = self.mapping(item, f"{field}[{index}]")
                name = self.text(entry, "name", f"{field}[{index}].name", required=True)
                pairs.append((name, entry.get("value")))
        else:
            raise self.fail(field, f"expected parameters, got {_kind(value)}")
        # Argo leaves a tag it cannot resolve as it is (an output of a step that never ran):
        # such a parameter is absent, not a value.
        return {
            name: "" if raw is None else str(raw)
            for name, raw in pairs
            if not (isinstance(raw, str) and _UNRESOLVED_TAG.fullmatch(raw.strip()))
        }

    def failure(self, entry: Mapping[str, Any], where: str, pod: str = "") -> WorkflowFailure:
        """A failed node, from Argo's keys (the same in {{workflow.failures}} and status.nodes)."""

        def text(key: str) -> str:
            return self.text(entry, key, f"{where}.{key}", required=False)

        return WorkflowFailure(
            display_name=text("displayName"),
            message=text("message"),
            template_name=text("templateName"),
            phase=text("phase"),
            pod_name=text("podName") or pod,
            finished_at=self.time(entry, "finishedAt", f"{where}.finishedAt", required=False),
        )

    def json_text(self, text: str, field: str) -> Any:
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise self.fail(field, f"is not valid JSON: {exc.msg}") from None

    def failures(self, value: Any, field: str) -> tuple[WorkflowFailure, ...]:
        """Argo's {{workflow.failures}}: a JSON string ("null" when nothing failed) or a list."""
        if isinstance(value, str):
            value = None if value.strip() in ("", "null") else self.json_text(value, field)
        if value is None:
            return ()
        if not isinstance(value, list):
            raise self.fail(field, f"expected a list of failures, got {_kind(value)}")
        failures = [
            self.failure(self.mapping(item, f"{field}[{index}]"), f"{field}[{index}]")
            for index, item in enumerate(value)
        ]
        return _in_order(failures)


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    return {dict: "a mapping", list: "a list", str: "text", bool: "a boolean"}.get(
        type(value), type(value).__name__
    )


def _in_order(failures: list[WorkflowFailure]) -> tuple[WorkflowFailure, ...]:
    """Argo lists failures in no stable order; sort them so that a replay is identical."""
    return tuple(
        sorted(
            failures,
            key=lambda f: (f.finished_at is None, f.finished_at or datetime.min, f.display_name),
        )
    )


def _summary(failures: tuple[WorkflowFailure, ...]) -> str:
    text = "; ".join(
        f"{f.display_name}: {f.message}" if f.display_name else f.message for f in failures
    )
    return text[:MAX_MESSAGE]


def _units(
    reader: _Reader, outputs: Mapping[str, str], params: Mapping[str, str], where: tuple[str, str]
) -> int:
    if outputs.get(UNITS_OUTPUT, "") != "":
        return reader.count(outputs[UNITS_OUTPUT], f"{where[0]}.{UNITS_OUTPUT}")
    if params.get(QUANTITY_PARAMETER, "") != "":
        return reader.count(params[QUANTITY_PARAMETER], f"{where[1]}.{QUANTITY_PARAMETER}")
    return 1


def _exit_handler_run(
    reader: _Reader, doc: Mapping[str, Any]
) -> tuple[WorkflowRun, dict[str, str]]:
    wf = reader.mapping(doc.get("workflow"), "workflow")
    status = reader.status(
        reader.text(wf, "status", "workflow.status", required=True), "workflow.status"
    )
    created = reader.required_time(wf, "creationTimestamp", "workflow.creationTimestamp")
    finished = None
    if status.is_terminal:
        raw = reader.text(wf, "duration", "workflow.duration", required=True)
        try:
            seconds = float(raw)
        except ValueError:
            raise reader.fail("workflow.duration", f"{raw!r} is not a number of seconds") from None
        if not math.isfinite(seconds) or seconds < 0:
            raise reader.fail("workflow.duration", f"must be zero or more seconds, got {raw}")
        # Exit handlers get no finish time; the run started within a second of its creation.
        finished = created + timedelta(seconds=seconds)
    params = reader.parameters(wf.get("parameters"), "workflow.parameters")
    outputs_doc = reader.mapping(wf.get("outputs"), "workflow.outputs", required=False)
    outputs = reader.parameters(outputs_doc.get("parameters"), "workflow.outputs.parameters")
    failures = reader.failures(wf.get("failures"), "workflow.failures")
    message = reader.text(wf, "message", "workflow.message", required=False) or _summary(failures)
    run = WorkflowRun(
        uid=reader.text(wf, "uid", "workflow.uid", required=True),
        creation_time=created,
        status=status,
        name=reader.text(wf, "name", "workflow.name", required=False),
        namespace=reader.text(wf, "namespace", "workflow.namespace", required=False),
        started_at=created,
        finished_at=finished,
        message=message[:MAX_MESSAGE],
        failures=failures,
        units_produced=_units(
            reader, outputs, params, ("workflow.outputs.parameters", "workflow.parameters")
        ),
    )
    return run, params


def _node_failures(reader: _Reader, nodes: Mapping[str, Any]) -> tuple[WorkflowFailure, ...]:
    failures = []
    for node_id, raw in nodes.items():
        node = reader.mapping(raw, f"status.nodes.{node_id}")
        if node.get("type") != "Pod" or node.get("phase") not in ("Failed", "Error"):
            continue
        failures.append(reader.failure(node, f"status.nodes.{node_id}", pod=str(node_id)))
    return _in_order(failures)


def _resource_run(reader: _Reader, doc: Mapping[str, Any]) -> tuple[WorkflowRun, dict[str, str]]:
    if doc.get("apiVersion") != WORKFLOW_API_VERSION:
        raise reader.fail(
            "apiVersion", f"expected {WORKFLOW_API_VERSION}, got {doc.get('apiVersion')!r}"
        )
    meta = reader.mapping(doc.get("metadata"), "metadata")
    spec = reader.mapping(doc.get("spec"), "spec", required=False)
    arguments = reader.mapping(spec.get("arguments"), "spec.arguments", required=False)
    params = reader.parameters(arguments.get("parameters"), "spec.arguments.parameters")
    state = reader.mapping(doc.get("status"), "status")
    status = reader.status(
        reader.text(state, "phase", "status.phase", required=True), "status.phase"
    )
    created = reader.required_time(meta, "creationTimestamp", "metadata.creationTimestamp")
    outputs_doc = reader.mapping(state.get("outputs"), "status.outputs", required=False)
    outputs = reader.parameters(outputs_doc.get("parameters"), "status.outputs.parameters")
    nodes = reader.mapping(state.get("nodes"), "status.nodes", required=False)
    failures = _node_failures(reader, nodes)
    run = WorkflowRun(
        uid=reader.text(meta, "uid", "metadata.uid", required=True),
        creation_time=created,
        status=status,
        name=reader.text(meta, "name", "metadata.name", required=False),
        namespace=reader.text(meta, "namespace", "metadata.namespace", required=False),
        started_at=reader.time(state, "startedAt", "status.startedAt", required=False),
        finished_at=reader.time(
            state, "finishedAt", "status.finishedAt", required=status.is_terminal
        ),
        message=(
            reader.text(state, "message", "status.message", required=False) or _summary(failures)
        )[:MAX_MESSAGE],
        failures=failures,
        units_produced=_units(
            reader, outputs, params, ("status.outputs.parameters", "spec.arguments.parameters")
        ),
    )
    return run, params


def parse_payload(
    text: str, *, source: str, toy_id: str | None = None, replace_toy_id: bool = False
) -> Callback:
    """The callback a payload describes.

    `toy_id` is --toy-id: it must agree with the payload's toy-id parameter unless
    `replace_toy_id` (the bundled sample, whose toy id is an example) says to take it instead.
    """
    reader = _Reader(source)
    try:
        documents = [d for d in yaml.load_all(text, Loader=_Loader) if d is not None]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "cannot be parsed"
        raise reader.fail("", f"not valid YAML or JSON{where}: {problem}") from None
    if len(documents) != 1:
        raise reader.fail("", f"expected one document, found {len(documents)}")
    doc = reader.mapping(documents[0], "document")
    if "kind" in doc:
        if doc["kind"] != "Workflow":
            raise reader.fail("kind", f"expected Workflow, got {doc['kind']!r}")
        run, params = _resource_run(reader, doc)
        id_field = "spec.arguments.parameters.toy-id"
    elif "workflow" in doc:
        run, params = _exit_handler_run(reader, doc)
        id_field = "workflow.parameters.toy-id"
    else:
        raise reader.fail(
            "", "expected an exit-handler payload (a 'workflow' key) or a Workflow resource"
        )
    payload_toy_id = params.get(TOY_ID_PARAMETER, "")
    if toy_id and payload_toy_id and payload_toy_id != toy_id and not replace_toy_id:
        raise reader.fail(id_field, f"{payload_toy_id!r} disagrees with --toy-id {toy_id!r}")
    chosen = toy_id or payload_toy_id
    if not chosen:
        raise reader.fail(id_field, "no toy id: pass --toy-id or set the toy-id parameter")
    try:
        validate_run(run)
    except InvalidArgument as exc:
        raise reader.fail("", exc.message) from None
    return Callback(toy_id=chosen, run=run)


def read_source(path: str, stdin_text: str | None = None) -> str:
    """The payload text from a file, or standard input for '-'."""
    if path == "-":
        if stdin_text is None:
            raise PayloadError("-", "", "standard input is empty")
        return stdin_text
    try:
        with open(path, encoding="utf-8") as handle:  # plain text read
            return handle.read()
    except FileNotFoundError:
        raise PayloadError(path, "", "no such file") from None
    except IsADirectoryError:
        raise PayloadError(path, "", "is a directory") from None
    except PermissionError:
        raise PayloadError(path, "", "permission denied") from None
    except UnicodeDecodeError:
        raise PayloadError(path, "", "is not UTF-8 text") from None
    except OSError as exc:
        raise PayloadError(path, "", exc.strerror or str(exc)) from None
