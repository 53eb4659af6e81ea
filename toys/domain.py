"""Toys, manufacturing runs and the rules that move a toy from one status to the next.

Pure values and functions: nothing here knows about gRPC, protobuf or SQLite. Every rule a
reviewer may ask about ("can a retried workflow succeed after it failed?") is in this module.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import datetime

INT32_MAX = 2**31 - 1

# Field limits. Kubernetes bounds names at 253 and namespaces at 63 characters; ours are
# generous enough for any real value and small enough to keep a row and a log line bounded.
MAX_ID_LENGTH = 64
MAX_TOY_TEXT = 200
MAX_RUN_NAME = 253
MAX_NAMESPACE = 63
MAX_UID = 128
MAX_MESSAGE = 4096
MAX_FAILURES = 100
MAX_REMEMBERED_CALLBACKS = 100


# --- errors ---------------------------------------------------------------------------------


class ToyError(Exception):
    """Root of every error the service reports on purpose; `message` is safe to show a user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidArgument(ToyError):
    """The request itself is wrong; `field` names the offending field (proto path)."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field


class ToyNotFound(ToyError):
    """No toy has this id."""

    def __init__(self, toy_id: str) -> None:
        super().__init__(f"toy {toy_id!r} not found")
        self.toy_id = toy_id


class TransitionRejected(ToyError):
    """The request is well formed but the toy's current state does not allow it."""


class StoreUnavailable(ToyError):
    """The store could not do its work (I/O error, corrupt or locked database)."""


# --- values ---------------------------------------------------------------------------------


class ManufactureStatus(enum.StrEnum):
    """Where a toy's manufacturing stands; the values are Argo Workflows' phase names."""

    PENDING = "Pending"
    RUNNING = "Running"
    SUCCEEDED = "Succeeded"
    FAILED = "Failed"
    ERROR = "Error"

    @property
    def is_terminal(self) -> bool:
        return self in TERMINAL_STATUSES


TERMINAL_STATUSES = frozenset(
    {ManufactureStatus.SUCCEEDED, ManufactureStatus.FAILED, ManufactureStatus.ERROR}
)

# Within one run (one workflow uid), the statuses a run may move to from the one it reported
# last. RUNNING may be skipped; `argo retry` keeps the uid and reruns a FAILED/ERROR workflow.
_SAME_RUN_NEXT: dict[ManufactureStatus, frozenset[ManufactureStatus]] = {
    ManufactureStatus.PENDING: frozenset(
        {
            ManufactureStatus.RUNNING,
            ManufactureStatus.SUCCEEDED,
            ManufactureStatus.FAILED,
            ManufactureStatus.ERROR,
        }
    ),
    ManufactureStatus.RUNNING: TERMINAL_STATUSES,
    ManufactureStatus.SUCCEEDED: frozenset(),
    ManufactureStatus.FAILED: frozenset({ManufactureStatus.RUNNING, ManufactureStatus.SUCCEEDED}),
    ManufactureStatus.ERROR: frozenset({ManufactureStatus.RUNNING, ManufactureStatus.SUCCEEDED}),
}


@dataclass(frozen=True, slots=True)
class WorkflowFailure:
    """One failed node of a run, as Argo's `{{workflow.failures}}` lists it."""

    display_name: str = ""
    message: str = ""
    template_name: str = ""
    phase: str = ""
    pod_name: str = ""
    finished_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class WorkflowRun:
    """One Argo workflow run and the status it reports."""

    uid: str
    creation_time: datetime
    status: ManufactureStatus
    name: str = ""
    namespace: str = ""
    started_at: datetime | None = None
    finished_at: datetime | None = None
    message: str = ""
    failures: tuple[WorkflowFailure, ...] = ()
    units_produced: int = 0


@dataclass(frozen=True, slots=True)
class NewToy:
    """What a caller supplies to create a toy."""

    name: str
    designer: str = ""
    manufacturor: str = ""
    design_time: datetime | None = None


@dataclass(frozen=True, slots=True)
class Toy:
    """A toy and its manufacturing record."""

    id: str
    name: str
    designer: str
    manufacturor: str
    design_time: datetime
    create_time: datetime
    update_time: datetime
    status: ManufactureStatus = ManufactureStatus.PENDING
    number_manufactured: int = 0
    manufacture_time: datetime | None = None
    last_run: WorkflowRun | None = None
    # The (workflow uid, status) callbacks applied to this toy, oldest first, at most
    # MAX_REMEMBERED_CALLBACKS: how a late duplicate, or a run that was superseded, is told
    # apart from a new run even when Argo's second-resolution creation times are equal.
    applied_callbacks: tuple[tuple[str, ManufactureStatus], ...] = ()


class CallbackOutcome(enum.Enum):
    """What became of a run's callback."""

    APPLIED = "applied"
    REPLAY = "replay"
    STALE = "stale"


@dataclass(frozen=True, slots=True)
class CallbackResult:
    toy: Toy
    outcome: CallbackOutcome


# --- validation -----------------------------------------------------------------------------


def _check_text(field_name: str, value: str, limit: int) -> None:
    if len(value) > limit:
        raise InvalidArgument(field_name, f"must be at most {limit} characters, got {len(value)}")
    if any(ord(ch) < 0x20 and ch not in "\t\n" for ch in value):
        raise InvalidArgument(field_name, "must not contain control characters")


def _check_time(field_name: str, value: datetime | None) -> None:
    if value is not None and value.utcoffset() is None:
        raise InvalidArgument(field_name, "timestamp must carry a UTC offset")


def check_toy_id(toy_id: str, field_name: str = "id") -> str:
    """Return the id when it is well formed; raise InvalidArgument naming the field otherwise."""
    if not toy_id:
        raise InvalidArgument(field_name, "is required")
    if len(toy_id) > MAX_ID_LENGTH or not toy_id.isprintable() or toy_id.strip() != toy_id:
        raise InvalidArgument(field_name, f"{toy_id[:MAX_ID_LENGTH]!r} is not a valid toy id")
    return toy_id


def validate_new_toy(new: NewToy) -> NewToy:
    """Return the toy as it will be stored (name trimmed), or raise InvalidArgument."""
    name = new.name.strip()
    if not name:
        raise InvalidArgument("name", "is required and must not be blank")
    _check_text("name", name, MAX_TOY_TEXT)
    _check_text("designer", new.designer, MAX_TOY_TEXT)
    _check_text("manufacturor", new.manufacturor, MAX_TOY_TEXT)
    _check_time("design_time", new.design_time)
    return replace(new, name=name)


def validate_run(run: WorkflowRun, prefix: str = "run") -> WorkflowRun:
    """Check a reported run; raise InvalidArgument naming the first bad field."""
    if not run.uid.strip():
        raise InvalidArgument(f"{prefix}.uid", "is required: it identifies the workflow run")
    _check_text(f"{prefix}.uid", run.uid, MAX_UID)
    _check_text(f"{prefix}.name", run.name, MAX_RUN_NAME)
    _check_text(f"{prefix}.namespace", run.namespace, MAX_NAMESPACE)
    _check_text(f"{prefix}.message", run.message, MAX_MESSAGE)
    _check_time(f"{prefix}.creation_time", run.creation_time)
    _check_time(f"{prefix}.started_time", run.started_at)
    _check_time(f"{prefix}.finished_time", run.finished_at)
    if run.status.is_terminal and run.finished_at is None:
        raise InvalidArgument(
            f"{prefix}.finished_time", f"is required when the status is {run.status.name}"
        )
    if run.started_at and run.finished_at and run.finished_at < run.started_at:
        raise InvalidArgument(f"{prefix}.finished_time", "is before started_time")
    if not 0 <= run.units_produced <= INT32_MAX:
        raise InvalidArgument(
            f"{prefix}.units_produced",
            f"must be between 0 and {INT32_MAX}, got {run.units_produced}",
        )
    if len(run.failures) > MAX_FAILURES:
        raise InvalidArgument(f"{prefix}.failures", f"at most {MAX_FAILURES} entries are kept")
    for index, failure in enumerate(run.failures):
        where = f"{prefix}.failures[{index}]"
        _check_text(f"{where}.message", failure.message, MAX_MESSAGE)
        for name in ("display_name", "template_name", "phase", "pod_name"):
            _check_text(f"{where}.{name}", getattr(failure, name), MAX_RUN_NAME)
        _check_time(f"{where}.finished_time", failure.finished_at)
    return run


# --- rules ----------------------------------------------------------------------------------


def create_toy(new: NewToy, toy_id: str, now: datetime) -> Toy:
    """A fresh toy, PENDING, designed `new.design_time` (default: now)."""
    new = validate_new_toy(new)
    return Toy(
        id=toy_id,
        name=new.name,
        designer=new.designer,
        manufacturor=new.manufacturor,
        design_time=new.design_time or now,
        create_time=now,
        update_time=now,
    )


def _describe(run: WorkflowRun) -> str:
    label = f"{run.namespace}/{run.name}" if run.namespace and run.name else run.name
    return f"workflow {label} (uid {run.uid})" if label else f"workflow uid {run.uid}"


def apply_run(toy: Toy, run: WorkflowRun, now: datetime) -> CallbackResult:
    """Decide what a run's callback does to a toy; see the rules in toys.proto.

    Returns the toy unchanged with outcome REPLAY or STALE when the callback must be
    acknowledged without effect; raises TransitionRejected when it contradicts the toy's state.
    """
    current = toy.last_run
    key = (run.uid, run.status)
    if current is not None and current.uid == run.uid:
        if run.status not in _SAME_RUN_NEXT[toy.status]:
            if key in toy.applied_callbacks:
                return CallbackResult(toy, CallbackOutcome.REPLAY)
            raise TransitionRejected(
                f"{_describe(current)} already reported {toy.status.name}; it cannot move to "
                f"{run.status.name}{_same_run_hint(toy.status)}"
            )
    elif key in toy.applied_callbacks:
        return CallbackResult(toy, CallbackOutcome.REPLAY)  # an earlier run, repeating itself
    elif any(uid == run.uid for uid, _ in toy.applied_callbacks):
        return CallbackResult(toy, CallbackOutcome.STALE)  # an earlier run, superseded since
    elif current is not None:
        if run.creation_time < current.creation_time:
            return CallbackResult(toy, CallbackOutcome.STALE)
        if not toy.status.is_terminal:
            raise TransitionRejected(
                f"toy {toy.id} is {toy.status.name} under {_describe(current)}; "
                f"{_describe(run)} can start only after that run ends"
            )

    units = toy.number_manufactured
    manufacture_time = toy.manufacture_time
    if run.status is ManufactureStatus.SUCCEEDED:
        units += run.units_produced
        if units > INT32_MAX:
            raise TransitionRejected(
                f"adding {run.units_produced} units to {toy.number_manufactured} would exceed "
                f"the int32 counter ({INT32_MAX})"
            )
        manufacture_time = run.finished_at
    updated = replace(
        toy,
        status=run.status,
        number_manufactured=units,
        manufacture_time=manufacture_time,
        last_run=run,
        applied_callbacks=(*toy.applied_callbacks, key)[-MAX_REMEMBERED_CALLBACKS:],
        update_time=now,
    )
    return CallbackResult(updated, CallbackOutcome.APPLIED)


def _same_run_hint(status: ManufactureStatus) -> str:
    if status is ManufactureStatus.SUCCEEDED:
        return " (a succeeded run is final; a new run needs a new workflow)"
    if status.is_terminal:
        return " (a retried run may only report RUNNING or SUCCEEDED)"
    return ""
