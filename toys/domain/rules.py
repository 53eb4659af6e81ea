"""The rules: a new toy, and what a workflow run's callback does to a toy.

Every rule a reviewer may ask about ("can a retried workflow succeed after it failed?") is
here; the contract (toys.proto) states the same rules for callers.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from toys.domain.errors import TransitionRejected
from toys.domain.limits import INT32_MAX, MAX_REMEMBERED_CALLBACKS
from toys.domain.model import (
    TERMINAL_STATUSES,
    CallbackOutcome,
    CallbackResult,
    ManufactureStatus,
    NewToy,
    Toy,
    WorkflowRun,
)
from toys.domain.validation import validate_new_toy

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


def create_toy(new: NewToy, toy_id: str, now: datetime) -> Toy:
    """A fresh toy, PENDING, designed `new.design_time` (default: now)."""
    new = validate_new_toy(new)
    return Toy(
        id=toy_id,
        name=new.name,
        designer=new.designer,
        manufacturer=new.manufacturer,
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
                f"{_describe(run)} can start only after that run ends (or the toy is reset)"
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
        revision=toy.revision + 1,
    )
    return CallbackResult(updated, CallbackOutcome.APPLIED)


def _same_run_hint(status: ManufactureStatus) -> str:
    if status is ManufactureStatus.SUCCEEDED:
        return " (a succeeded run is final; a new run needs a new workflow)"
    if status.is_terminal:
        return " (a retried run may only report RUNNING or SUCCEEDED)"
    return ""


def reset_toy(toy: Toy, now: datetime) -> Toy:
    """The toy back to PENDING with no current run: the way out when a run never ends.

    Units made stay counted, and the callbacks applied stay remembered, so a late callback of
    a forgotten run is still a REPLAY or STALE rather than a new run.
    """
    return replace(
        toy,
        status=ManufactureStatus.PENDING,
        last_run=None,
        update_time=now,
        revision=toy.revision + 1,
    )
