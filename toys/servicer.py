"""ToyService over gRPC: message in, use case, message out; ToyError -> status in one table."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from grpclib.const import Status
from grpclib.exceptions import GRPCError

from toys import translate
from toys._generated.toys import v1 as pb
from toys.domain import InvalidArgument, ToyError, ToyNotFound, TransitionRejected
from toys.health import Readiness
from toys.service import ToyService
from toys.store import StoreUnavailable

log = logging.getLogger(__name__)

# The one place where domain errors become gRPC statuses. A subclass maps as its nearest
# listed ancestor; anything else that escapes a handler is a bug and becomes INTERNAL.
STATUS_FOR_ERROR: dict[type[ToyError], Status] = {
    InvalidArgument: Status.INVALID_ARGUMENT,
    ToyNotFound: Status.NOT_FOUND,
    TransitionRejected: Status.FAILED_PRECONDITION,
    StoreUnavailable: Status.UNAVAILABLE,
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


def _translating_errors[**P, R](
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


class ToyServicer(pb.ToyServiceBase):
    """Implements the generated service base by calling the use cases."""

    def __init__(self, service: ToyService, *, version: str, readiness: Readiness) -> None:
        self._service = service
        self._version = version
        self._readiness = readiness

    @_translating_errors
    async def create_toy(self, message: pb.CreateToyRequest) -> pb.CreateToyResponse:
        toy = await self._service.create(translate.new_toy_from_pb(message))
        return pb.CreateToyResponse(toy=translate.toy_to_pb(toy))

    @_translating_errors
    async def get_toy(self, message: pb.GetToyRequest) -> pb.GetToyResponse:
        toy = await self._service.get(message.id)
        return pb.GetToyResponse(toy=translate.toy_to_pb(toy))

    @_translating_errors
    async def list_toys(self, message: pb.ListToysRequest) -> pb.ListToysResponse:
        page = await self._service.list(
            page_size=message.page_size,
            page_token=message.page_token,
            status=translate.status_from_pb(message.status, "status"),
        )
        return pb.ListToysResponse(
            toys=[translate.toy_to_pb(t) for t in page.toys],
            next_page_token=page.next_page_token,
        )

    @_translating_errors
    async def update_manufacture_status(
        self, message: pb.UpdateManufactureStatusRequest
    ) -> pb.UpdateManufactureStatusResponse:
        result = await self._service.report_run(message.toy_id, translate.run_from_pb(message))
        return pb.UpdateManufactureStatusResponse(
            toy=translate.toy_to_pb(result.toy), outcome=translate.outcome_to_pb(result.outcome)
        )

    @_translating_errors
    async def delete_toy(self, message: pb.DeleteToyRequest) -> pb.DeleteToyResponse:
        await self._service.delete(message.id)
        return pb.DeleteToyResponse()

    @_translating_errors
    async def reset_toy(self, message: pb.ResetToyRequest) -> pb.ResetToyResponse:
        toy = await self._service.reset(message.id)
        return pb.ResetToyResponse(toy=translate.toy_to_pb(toy))

    @_translating_errors
    async def health_check(self, message: pb.HealthCheckRequest) -> pb.HealthCheckResponse:
        serving = await self._readiness.refresh()
        return pb.HealthCheckResponse(
            status=(
                pb.HealthCheckResponseServingStatus.SERVING
                if serving
                else pb.HealthCheckResponseServingStatus.NOT_SERVING
            ),
            version=self._version,
            store_ok=self._readiness.store_ok,
            store_detail=self._readiness.store_detail,
        )
