"""The one table of what a domain error means to a caller, as a gRPC status code.

Connect's codes are gRPC's, by the same names; the HTTP adapter sends each one with the HTTP
status the Connect protocol gives it. A subclass maps as its nearest listed ancestor; anything
else that escapes a handler is a bug and becomes INTERNAL.
"""

from __future__ import annotations

from grpclib.const import Status

from toys.argo import PayloadError
from toys.core.store import StoreUnavailable
from toys.domain import errors
from toys.domain.errors import InvalidArgument, ToyError
from toys.messages import translate

STATUS_FOR_ERROR: dict[type[ToyError], Status] = {
    errors.InvalidArgument: Status.INVALID_ARGUMENT,
    PayloadError: Status.INVALID_ARGUMENT,
    errors.ToyNotFound: Status.NOT_FOUND,
    errors.TransitionRejected: Status.FAILED_PRECONDITION,
    StoreUnavailable: Status.UNAVAILABLE,
    errors.ResumeTooOld: Status.OUT_OF_RANGE,
    errors.WatchEnded: Status.UNAVAILABLE,
    errors.WatchFellBehind: Status.ABORTED,
}


def status_of(error: ToyError) -> tuple[Status, str]:
    """The status a caller gets for `error`, and its message (fields named by proto path)."""
    message = error.message
    if isinstance(error, InvalidArgument):
        message = f"{translate.proto_path(error.field)}: {error.problem}"
    for cls in type(error).__mro__:
        status = STATUS_FOR_ERROR.get(cls)
        if status is not None:
            return status, message
    return Status.INTERNAL, message
