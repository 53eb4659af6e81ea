"""Domain errors as gRPC errors (the table: toys.messages.statuses), and the wrapper that
applies it to a handler."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from grpclib.const import Status
from grpclib.exceptions import GRPCError

from toys.domain.errors import ToyError
from toys.messages.statuses import status_of

log = logging.getLogger("toys.servicer")


def grpc_error(error: ToyError) -> GRPCError:
    """The GRPCError a client sees for a domain error."""
    status, message = status_of(error)
    return GRPCError(status, message)


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
