"""The run a payload reports, built the same way from either payload form.

A form reads each field with the payload path it came from; RunBuilder then orders the
failures, fills in the message and units, and validates the run with the domain's rules,
naming a bad field by its payload path (`status.finishedAt`), never the domain's or the
proto's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from toys.argo.reader import Parameters, PayloadError, Reader
from toys.domain import (
    InvalidArgument,
    ManufactureStatus,
    WorkflowFailure,
    WorkflowRun,
    validate_run,
)
from toys.domain.limits import DEFAULT_CLOCK_SKEW, MAX_MESSAGE

UNITS_OUTPUT = "units-produced"
QUANTITY_PARAMETER = "quantity"

# Argo's key for each field of a failed node: the same in {{workflow.failures}} and status.nodes.
FAILURE_KEYS = {
    "display_name": "displayName",
    "message": "message",
    "template_name": "templateName",
    "phase": "phase",
    "pod_name": "podName",
    "finished_at": "finishedAt",
}


@dataclass(frozen=True, slots=True)
class Reported:
    """What one payload form read: the run, the workflow's parameters (for the toy id)."""

    run: WorkflowRun
    parameters: Parameters


def read_failure(node: Reader, pod: str = "") -> WorkflowFailure:
    """A failed node, from Argo's keys; `pod` names its pod when the node does not."""
    texts = {field: node.text(key) for field, key in FAILURE_KEYS.items() if field != "finished_at"}
    texts["pod_name"] = texts["pod_name"] or pod
    return WorkflowFailure(**texts, finished_at=node.time(FAILURE_KEYS["finished_at"]))


def _failure_order(entry: tuple[WorkflowFailure, str]) -> tuple[bool, datetime, str]:
    failure = entry[0]
    return (failure.finished_at is None, failure.finished_at or datetime.min, failure.display_name)


def _summary(failures: tuple[WorkflowFailure, ...]) -> str:
    return "; ".join(
        f"{f.display_name}: {f.message}" if f.display_name else f.message for f in failures
    )


class RunBuilder:
    """A run's fields as a form reads them, each with its payload path."""

    def __init__(self, source: str) -> None:
        self._source = source
        self._values: dict[str, Any] = {}
        self._paths: dict[str, str] = {}
        self._failures: list[tuple[WorkflowFailure, str]] = []

    def set(self, field: str, value: Any, path: str) -> None:
        self._values[field] = value
        self._paths[f"run.{field}"] = path

    def add_failure(self, failure: WorkflowFailure, path: str) -> None:
        self._failures.append((failure, path))

    def failures_at(self, path: str) -> None:
        self._paths["run.failures"] = path

    def units(self, outputs: Parameters, parameters: Parameters) -> None:
        """The units-produced output; else, once the run has ended, the quantity parameter,
        else 1. A run still running has made nothing it could report (0)."""
        if outputs.get(UNITS_OUTPUT) != "":
            self.set("units_produced", outputs.count(UNITS_OUTPUT), outputs.path(UNITS_OUTPUT))
        elif self._values.get("status") is ManufactureStatus.RUNNING:
            self.set("units_produced", 0, "")
        elif parameters.get(QUANTITY_PARAMETER) != "":
            path = parameters.path(QUANTITY_PARAMETER)
            self.set("units_produced", parameters.count(QUANTITY_PARAMETER), path)
        else:
            self.set("units_produced", 1, "")

    def build(self) -> WorkflowRun:
        # Argo lists failures in no stable order; sorted, a replay is identical.
        ordered = sorted(self._failures, key=_failure_order)
        failures = tuple(failure for failure, _ in ordered)
        for index, (_, path) in enumerate(ordered):
            self._paths[f"run.failures[{index}]"] = path
        if not self._values.get("message"):
            self._values["message"] = _summary(failures)
            self._paths["run.message"] = self._paths.get("run.failures", "")
        self._values["message"] = self._values["message"][:MAX_MESSAGE]
        run = WorkflowRun(**self._values, failures=failures)
        try:
            # Checked against this machine's clock too: an implausible run is not sent.
            validate_run(run, now=datetime.now(UTC), skew=DEFAULT_CLOCK_SKEW)
        except InvalidArgument as exc:
            raise PayloadError(self._source, self._payload_path(exc.field), exc.problem) from None
        return run

    def _payload_path(self, domain_path: str) -> str:
        if domain_path in self._paths:
            return self._paths[domain_path]
        parent, _, name = domain_path.rpartition(".")
        if parent in self._paths and name in FAILURE_KEYS:
            return f"{self._paths[parent]}.{FAILURE_KEYS[name]}"
        return domain_path
