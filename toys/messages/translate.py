"""Messages <-> domain values: one table per message, and domain paths -> proto paths.

The only module that knows both the wire and the domain. Each table lists every field of a
domain value once, with its name in the proto and, where the types differ, the conversions;
both directions and the field paths of InvalidArgument errors are read off the same table.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

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


def _same(value: Any) -> Any:
    return value


@dataclass(frozen=True, slots=True)
class FieldMap:
    """A domain field, the proto field that carries it, and how values cross over."""

    domain: str
    proto: str
    to_pb: Callable[[Any], Any] = _same
    from_pb: Callable[[Any], Any] = _same


def _status_to_pb(status: ManufactureStatus) -> pb.ManufactureStatus:
    return pb.ManufactureStatus[status.name]


def _to_pb(table: Sequence[FieldMap], value: object) -> dict[str, Any]:
    return {f.proto: f.to_pb(getattr(value, f.domain)) for f in table}


def _from_pb(table: Sequence[FieldMap], message: object) -> dict[str, Any]:
    return {f.domain: f.from_pb(getattr(message, f.proto)) for f in table}


FAILURE_FIELDS: tuple[FieldMap, ...] = (
    FieldMap("display_name", "display_name"),
    FieldMap("message", "message"),
    FieldMap("template_name", "template_name"),
    FieldMap("phase", "phase"),
    FieldMap("pod_name", "pod_name"),
    FieldMap("finished_at", "finished_time"),
)

# A run's status travels as Argo's phase name on the run; a request's own `status` field
# (checked against the phase) is what run_from_pb reads.
RUN_STATUS = FieldMap("status", "phase", to_pb=lambda status: status.value)
RUN_FIELDS: tuple[FieldMap, ...] = (
    FieldMap("uid", "uid"),
    FieldMap("creation_time", "creation_time"),
    FieldMap("name", "name"),
    FieldMap("namespace", "namespace"),
    FieldMap("started_at", "started_time"),
    FieldMap("finished_at", "finished_time"),
    FieldMap("message", "message"),
    FieldMap(
        "failures",
        "failures",
        to_pb=lambda failures: [pb.WorkflowFailure(**_to_pb(FAILURE_FIELDS, f)) for f in failures],
        from_pb=lambda failures: tuple(
            WorkflowFailure(**_from_pb(FAILURE_FIELDS, f)) for f in failures
        ),
    ),
    FieldMap("units_produced", "units_produced"),
)


def _run_to_pb(run: WorkflowRun | None) -> pb.WorkflowRun | None:
    if run is None:
        return None
    return pb.WorkflowRun(**_to_pb((*RUN_FIELDS, RUN_STATUS), run))


def _run_from_phase(message: pb.WorkflowRun | None) -> WorkflowRun | None:
    if message is None:
        return None
    status = _phase_status(message.phase)
    if status is None:
        raise InvalidArgument("last_run.status", f"unknown phase {message.phase!r}")
    return WorkflowRun(status=status, **_from_pb(RUN_FIELDS, message))


TOY_FIELDS: tuple[FieldMap, ...] = (
    FieldMap("id", "id"),
    FieldMap("name", "name"),
    FieldMap("designer", "designer"),
    FieldMap("manufacturer", "manufacturor"),
    FieldMap("design_time", "design_time"),
    FieldMap("create_time", "create_time"),
    FieldMap("update_time", "update_time"),
    FieldMap(
        "status",
        "status",
        to_pb=_status_to_pb,
        from_pb=lambda value: ManufactureStatus[pb.ManufactureStatus(value).name],
    ),
    FieldMap("number_manufactured", "number_manufactured"),
    FieldMap("manufacture_time", "manufacture_time"),
    FieldMap("last_run", "last_run", to_pb=_run_to_pb, from_pb=_run_from_phase),
)
# Server-side bookkeeping that never goes on the wire.
TOY_FIELDS_NOT_SENT = frozenset({"applied_callbacks", "revision"})

NEW_TOY_FIELDS: tuple[FieldMap, ...] = (
    FieldMap("name", "name"),
    FieldMap("designer", "designer"),
    FieldMap("manufacturer", "manufacturor"),
    FieldMap("design_time", "design_time"),
)
# The request's own fields, not the toy's: the servicer hands them to the use case as they are.
CREATE_REQUEST_ONLY = frozenset({"request_id"})

_OUTCOMES = {
    CallbackOutcome.APPLIED: pb.CallbackOutcome.APPLIED,
    CallbackOutcome.REPLAY: pb.CallbackOutcome.REPLAY,
    CallbackOutcome.STALE: pb.CallbackOutcome.STALE,
}
_STATUS_NAMES = ", ".join(f"MANUFACTURE_STATUS_{s.name}" for s in ManufactureStatus)


# -- field paths ---------------------------------------------------------------------------

# Request-level names, then the table each nested name continues in.
_TOP_LEVEL = {f.domain: f.proto for f in (*NEW_TOY_FIELDS, *TOY_FIELDS)}
_NESTED: Mapping[str, Mapping[str, str]] = {
    "run": {f.domain: f.proto for f in (*RUN_FIELDS, RUN_STATUS)},
    "last_run": {f.domain: f.proto for f in (*RUN_FIELDS, RUN_STATUS)},
    "failures": {f.domain: f.proto for f in FAILURE_FIELDS},
}


def proto_path(domain_path: str) -> str:
    """`run.failures[2].finished_at` -> `run.failures[2].finished_time`."""
    names: Mapping[str, str] = _TOP_LEVEL
    parts = []
    for segment in domain_path.split("."):
        name, bracket, index = segment.partition("[")
        parts.append(names.get(name, name) + bracket + index)
        names = _NESTED.get(name, {})
    return ".".join(parts)


# -- conversions ---------------------------------------------------------------------------


def status_to_pb(status: ManufactureStatus) -> pb.ManufactureStatus:
    return _status_to_pb(status)


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


def toy_to_pb(toy: Toy) -> pb.Toy:
    return pb.Toy(**_to_pb(TOY_FIELDS, toy))


def toy_from_pb(message: pb.Toy) -> Toy:
    """The toy a message shows (without the server's bookkeeping: remembered callbacks and
    the revision)."""
    return Toy(**_from_pb(TOY_FIELDS, message))


def run_to_pb(run: WorkflowRun) -> pb.WorkflowRun:
    return pb.WorkflowRun(**_to_pb((*RUN_FIELDS, RUN_STATUS), run))


def new_toy_from_pb(request: pb.CreateToyRequest) -> NewToy:
    return NewToy(**_from_pb(NEW_TOY_FIELDS, request))


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
            "run.status", f"{run.phase!r} disagrees with status MANUFACTURE_STATUS_{status.name}"
        )
    creation_time: datetime | None = run.creation_time
    if creation_time is None:
        raise InvalidArgument("run.creation_time", "is required: it orders runs")
    return WorkflowRun(status=status, **_from_pb(RUN_FIELDS, run))
