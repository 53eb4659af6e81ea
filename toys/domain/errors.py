"""The ToyError tree: every error the service reports on purpose.

Adapters turn these into their own terms in one place each: gRPC statuses in the servicer,
exit codes in toyctl. The store port adds StoreUnavailable to the tree (toys.core.store).
"""

from __future__ import annotations


class ToyError(Exception):
    """Root of every error the service reports on purpose; `message` is safe to show a user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidArgument(ToyError):
    """A value is wrong. `field` is its domain path (`run.finished_at`, `name`); adapters
    rename it for their callers (`run.finished_time`, `status.finishedAt`)."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


class ToyNotFound(ToyError):
    """No toy has this id."""

    def __init__(self, toy_id: str) -> None:
        super().__init__(f"toy {toy_id!r} not found")
        self.toy_id = toy_id


class TransitionRejected(ToyError):
    """The request is well formed but the toy's current state does not allow it."""


class ResumeTooOld(ToyError):
    """A watch's resume point is older than the change history the store keeps."""


class WatchEnded(ToyError):
    """The server ended a watch that the client can resume from its last event."""


class WatchFellBehind(WatchEnded):
    """The watch's client reads so slowly that the changes it has yet to receive passed the
    server's limit."""
