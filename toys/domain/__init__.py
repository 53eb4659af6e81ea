"""The domain: toys, manufacturing runs and the rules that move a toy from status to status.

Pure values and functions in domain words: nothing here knows about gRPC, protobuf, SQL or
Argo's payloads, and nothing here imports another module of the project but toys.text (what
plain text may hold, a leaf that toyctl shares without loading the domain). Adapters name the
fields of their own formats (proto paths, payload paths) by translating the domain paths that
errors carry.
"""

from __future__ import annotations

from toys.domain.changes import ChangeKind, ToyChange, WatchFilter
from toys.domain.errors import (
    InvalidArgument,
    ResumeTooOld,
    ToyError,
    ToyNotFound,
    TransitionRejected,
    WatchEnded,
    WatchFellBehind,
)
from toys.domain.model import (
    TERMINAL_STATUSES,
    CallbackOutcome,
    CallbackResult,
    ManufactureStatus,
    NewToy,
    Toy,
    WorkflowFailure,
    WorkflowRun,
)
from toys.domain.requests import RequestIdReused, RequestKey, request_key
from toys.domain.rules import apply_run, create_toy, reset_toy
from toys.domain.validation import check_toy_id, validate_new_toy, validate_run

__all__ = [
    "TERMINAL_STATUSES",
    "CallbackOutcome",
    "CallbackResult",
    "ChangeKind",
    "InvalidArgument",
    "ManufactureStatus",
    "NewToy",
    "RequestIdReused",
    "RequestKey",
    "ResumeTooOld",
    "Toy",
    "ToyChange",
    "ToyError",
    "ToyNotFound",
    "TransitionRejected",
    "WatchEnded",
    "WatchFellBehind",
    "WatchFilter",
    "WorkflowFailure",
    "WorkflowRun",
    "apply_run",
    "check_toy_id",
    "create_toy",
    "request_key",
    "reset_toy",
    "validate_new_toy",
    "validate_run",
]
