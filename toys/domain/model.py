"""The values of the domain: statuses, workflow runs, toys and callback outcomes (their
fields' bounds: toys.domain.limits)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime


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
    # The contract spells it `manufacturor` on the wire; the domain uses the English word.
    manufacturer: str = ""
    design_time: datetime | None = None


@dataclass(frozen=True, slots=True)
class Toy:
    """A toy and its manufacturing record."""

    id: str
    name: str
    designer: str
    manufacturer: str
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
    # Which state of the toy this is: 1 when created, one more with every change (the rules
    # count it; the stores insist on it), so (id, revision) names one state wherever it is read.
    revision: int = 1


class CallbackOutcome(enum.Enum):
    """What became of a run's callback."""

    APPLIED = "applied"
    REPLAY = "replay"
    STALE = "stale"


@dataclass(frozen=True, slots=True)
class CallbackResult:
    toy: Toy
    outcome: CallbackOutcome
