"""Messages <-> domain values. The only module that knows both the wire and the domain."""

from __future__ import annotations

from datetime import datetime

from toys._generated.toys import v1 as pb
from toys.domain import (
    CallbackOutcome,
    InvalidArgument,
    ManufactureStatus,
    NewToy,
    Toy,
    WorkflowFailure,
    WorkflowRun,
)

_OUTCOMES = {
    CallbackOutcome.APPLIED: pb.CallbackOutcome.APPLIED,
    CallbackOutcome.REPLAY: pb.CallbackOutcome.REPLAY,
    CallbackOutcome.STALE: pb.CallbackOutcome.STALE,
}
_STATUS_NAMES = ", ".join(f"MANUFACTURE_STATUS_{s.name}" for s in ManufactureStatus)


def status_to_pb(status: ManufactureStatus) -> pb.ManufactureStatus:
    return pb.ManufactureStatus[status.name]


def status_from_pb(value: pb.ManufactureStatus | int, field: str) -> ManufactureStatus | None:
    """The domain status, None for UNSPECIFIED; InvalidArgument for a number we do not know."""
    name = pb.ManufactureStatus(value).name
    if name == "UNSPECIFIED":
        return None
    if name not in ManufactureStatus.__members__:
        raise InvalidArgument(field, f"unknown status {int(value)}")
    return ManufactureStatus[name]


def outcome_to_pb(outcome: CallbackOutcome) -> pb.CallbackOutcome:
    return _OUTCOMES[outcome]


def failure_to_pb(failure: WorkflowFailure) -> pb.WorkflowFailure:
    return pb.WorkflowFailure(
        display_name=failure.display_name,
        message=failure.message,
        template_name=failure.template_name,
        phase=failure.phase,
        pod_name=failure.pod_name,
        finished_time=failure.finished_at,
    )


def run_to_pb(run: WorkflowRun) -> pb.WorkflowRun:
    return pb.WorkflowRun(
        name=run.name,
        namespace=run.namespace,
        uid=run.uid,
        creation_time=run.creation_time,
        phase=run.status.value,
        started_time=run.started_at,
        finished_time=run.finished_at,
        message=run.message,
        failures=[failure_to_pb(f) for f in run.failures],
        units_produced=run.units_produced,
    )


def toy_to_pb(toy: Toy) -> pb.Toy:
    return pb.Toy(
        id=toy.id,
        name=toy.name,
        manufacture_time=toy.manufacture_time,
        manufacturor=toy.manufacturor,
        design_time=toy.design_time,
        designer=toy.designer,
        number_manufactured=toy.number_manufactured,
        status=status_to_pb(toy.status),
        create_time=toy.create_time,
        update_time=toy.update_time,
        last_run=None if toy.last_run is None else run_to_pb(toy.last_run),
    )


def new_toy_from_pb(request: pb.CreateToyRequest) -> NewToy:
    return NewToy(
        name=request.name,
        designer=request.designer,
        manufacturor=request.manufacturor,
        design_time=request.design_time,
    )


def _failure_from_pb(failure: pb.WorkflowFailure) -> WorkflowFailure:
    return WorkflowFailure(
        display_name=failure.display_name,
        message=failure.message,
        template_name=failure.template_name,
        phase=failure.phase,
        pod_name=failure.pod_name,
        finished_at=failure.finished_time,
    )


def _phase_status(phase: str) -> ManufactureStatus | None:
    for status in ManufactureStatus:
        if phase.casefold() in (status.value.casefold(), status.name.casefold()):
            return status
    return None


def run_from_pb(request: pb.UpdateManufactureStatusRequest) -> WorkflowRun:
    """The reported run, with the request's status; InvalidArgument names a missing field."""
    status = status_from_pb(request.status, "status")
    if status is None:
        raise InvalidArgument("status", f"is required: one of {_STATUS_NAMES}")
    run = request.run
    if run is None:
        raise InvalidArgument("run", "is required: the workflow run that reports the status")
    if run.phase and _phase_status(run.phase) is not status:
        raise InvalidArgument(
            "run.phase", f"{run.phase!r} disagrees with status MANUFACTURE_STATUS_{status.name}"
        )
    creation_time: datetime | None = run.creation_time
    if creation_time is None:
        raise InvalidArgument("run.creation_time", "is required: it orders runs")
    return WorkflowRun(
        uid=run.uid,
        creation_time=creation_time,
        status=status,
        name=run.name,
        namespace=run.namespace,
        started_at=run.started_time,
        finished_at=run.finished_time,
        message=run.message,
        failures=tuple(_failure_from_pb(f) for f in run.failures),
        units_produced=run.units_produced,
    )
