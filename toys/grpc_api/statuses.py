"""The one place where domain errors become gRPC statuses, and the wrapper that applies it."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from grpclib.const import Status
from grpclib.exceptions import GRPCError

from toys.core.store import StoreUnavailable
from toys.domain import errors
from toys.domain.errors import InvalidArgument, ToyError
from toys.grpc_api import translate

log = logging.getLogger("toys.servicer")

# The one place where domain errors become gRPC statuses. A subclass maps as its nearest
# listed ancestor; anything else that escapes a handler is a bug and becomes INTERNAL.
STATUS_FOR_ERROR: dict[type[ToyError], Status] = {
    errors.InvalidArgument: Status.INVALID_ARGUMENT,
    errors.ToyNotFound: Status.NOT_FOUND,
    errors.TransitionRejected: Status.FAILED_PRECONDITION,
    StoreUnavailable: Status.UNAVAILABLE,
    errors.ResumeTooOld: Status.OUT_OF_RANGE,
    errors.WatchEnded: Status.UNAVAILABLE,
    errors.WatchFellBehind: Status.ABORTED,
}


def grpc_error(error: ToyError) -> GRPCError:
    """The GRPCError a client sees for a domain error; fields are named by their proto path."""
    message = error.message
    if isinstance(error, InvalidArgument):
        message = f"{translate.proto_path(error.field)}: {error.problem}"
    for cls in type(error).__mro__:
        status = STATUS_FOR_ERROR.get(cls)
        if status is not None:
            return GRPCError(status, message)
    return GRPCError(Status.INTERNAL, message)


def translating_errors[**P, R](
    handler: Callable[P, Coroutine[Any, Any, R]],
) -> Callable[P, Coroutine[Any, Any, R]]:
    @functools.wraps(handler)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await handler(*args, **kwargs)
        except ToyError as exc:
            raise grpc_error(exc) from exc
        except GRPCError:
            raise
        except Exception as exc:
            log.exception("unexpected error in %s", handler.__name__)
            raise GRPCError(Status.INTERNAL, "internal error; the server log has details") from exc

    return wrapper
