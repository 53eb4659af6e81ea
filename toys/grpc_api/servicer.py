"""ToyService over gRPC: message in, use case, message out (errors: toys.grpc_api.statuses)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from typing import Any

import grpclib.const
import grpclib.server
from grpclib.const import Status
from grpclib.exceptions import GRPCError

from toys._generated.toys import v1 as pb
from toys.core.readiness import Readiness
from toys.core.service import ToyPage, ToyService
from toys.domain import (
    CallbackResult,
    Toy,
)
from toys.grpc_api import encoded, translate
from toys.grpc_api.encoded import Encoded, EncodedToys
from toys.grpc_api.statuses import translating_errors
from toys.grpc_api.watch_handler import WatchToysHandler

log = logging.getLogger(__name__)


class ToyServicer(pb.ToyServiceBase):
    """Implements the generated service base by calling the use cases.

    The typed methods are the API (betterproto2 messages in and out). On the wire, the methods
    that answer with toys send the same answers as bytes put together from toys encoded once
    per revision (toys.grpc_api.encoded); `__mapping__` routes them there.
    """

    def __init__(
        self,
        service: ToyService,
        *,
        version: str,
        readiness: Readiness,
        encoded: EncodedToys | None = None,
        watch: WatchToysHandler | None = None,
    ) -> None:
        self._service = service
        self._version = version
        self._readiness = readiness
        self._encoded = encoded or EncodedToys()
        self._watch = watch

    # -- the use cases, once for both paths ---------------------------------------------------

    async def _create(self, message: pb.CreateToyRequest) -> Toy:
        return await self._service.create(
            translate.new_toy_from_pb(message), request_id=message.request_id
        )

    async def _get(self, message: pb.GetToyRequest) -> Toy:
        return await self._service.get(message.id)

    async def _list(self, message: pb.ListToysRequest) -> ToyPage:
        return await self._service.list(
            page_size=message.page_size,
            page_token=message.page_token,
            status=translate.status_from_pb(message.status, "status"),
        )

    async def _report(self, message: pb.UpdateManufactureStatusRequest) -> CallbackResult:
        return await self._service.report_run(message.toy_id, translate.run_from_pb(message))

    async def _reset(self, message: pb.ResetToyRequest) -> Toy:
        return await self._service.reset(message.id)

    # -- typed -----------------------------------------------------------------------------------

    @translating_errors
    async def create_toy(self, message: pb.CreateToyRequest) -> pb.CreateToyResponse:
        return pb.CreateToyResponse(toy=translate.toy_to_pb(await self._create(message)))

    @translating_errors
    async def get_toy(self, message: pb.GetToyRequest) -> pb.GetToyResponse:
        return pb.GetToyResponse(toy=translate.toy_to_pb(await self._get(message)))

    @translating_errors
    async def list_toys(self, message: pb.ListToysRequest) -> pb.ListToysResponse:
        page = await self._list(message)
        return pb.ListToysResponse(
            toys=[translate.toy_to_pb(t) for t in page.toys],
            next_page_token=page.next_page_token,
        )

    @translating_errors
    async def update_manufacture_status(
        self, message: pb.UpdateManufactureStatusRequest
    ) -> pb.UpdateManufactureStatusResponse:
        result = await self._report(message)
        return pb.UpdateManufactureStatusResponse(
            toy=translate.toy_to_pb(result.toy), outcome=translate.outcome_to_pb(result.outcome)
        )

    @translating_errors
    async def delete_toy(self, message: pb.DeleteToyRequest) -> pb.DeleteToyResponse:
        await self._service.delete(message.id)
        return pb.DeleteToyResponse()

    @translating_errors
    async def reset_toy(self, message: pb.ResetToyRequest) -> pb.ResetToyResponse:
        return pb.ResetToyResponse(toy=translate.toy_to_pb(await self._reset(message)))

    async def watch_toys(self, message: pb.WatchToysRequest) -> AsyncIterator[pb.WatchToysResponse]:
        if self._watch is None:
            raise GRPCError(Status.UNIMPLEMENTED, "this server was built without watches")
        async for response in self._watch.typed(message):
            yield response

    @translating_errors
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

    # -- on the wire -------------------------------------------------------------------------

    def _one_toy(self, toy: Toy) -> Encoded:
        return Encoded(encoded.toy_response(self._encoded(toy)), toy_id=toy.id)

    async def _wire_create(self, message: pb.CreateToyRequest) -> Encoded:
        return self._one_toy(await self._create(message))

    async def _wire_get(self, message: pb.GetToyRequest) -> Encoded:
        return self._one_toy(await self._get(message))

    async def _wire_reset(self, message: pb.ResetToyRequest) -> Encoded:
        return self._one_toy(await self._reset(message))

    async def _wire_list(self, message: pb.ListToysRequest) -> Encoded:
        page = await self._list(message)
        data = encoded.list_response(map(self._encoded, page.toys), page.next_page_token)
        return Encoded(data)

    async def _wire_report(self, message: pb.UpdateManufactureStatusRequest) -> Encoded:
        result = await self._report(message)
        outcome = translate.outcome_to_pb(result.outcome)
        data = encoded.callback_response(self._encoded(result.toy), int(outcome))
        return Encoded(data, toy_id=result.toy.id, outcome=outcome.name)

    def __mapping__(self) -> dict[str, grpclib.const.Handler]:
        mapping = super().__mapping__()
        answers: dict[str, Callable[[Any], Awaitable[Any]]] = {
            "CreateToy": self._wire_create,
            "GetToy": self._wire_get,
            "ListToys": self._wire_list,
            "UpdateManufactureStatus": self._wire_report,
            "ResetToy": self._wire_reset,
            "DeleteToy": self.delete_toy,
            "HealthCheck": self.health_check,
        }
        for method, answer in answers.items():
            path = f"/toys.v1.ToyService/{method}"
            mapping[path] = mapping[path]._replace(func=_answering(answer))
        if self._watch is not None:
            path = "/toys.v1.ToyService/WatchToys"
            mapping[path] = mapping[path]._replace(func=self._watch.handle)
        return mapping


def _answering(
    answer: Callable[[Any], Awaitable[Any]],
) -> Callable[[grpclib.server.Stream[Any, Any]], Coroutine[Any, Any, None]]:
    """A unary handler: the request, `answer`'s message back, errors translated like the
    typed methods'. (The generated handlers assert that a request came: an AssertionError,
    UNKNOWN to the caller, where a missing request is the caller's mistake.)"""

    @translating_errors
    async def handle(stream: grpclib.server.Stream[Any, Any]) -> None:
        request = await stream.recv_message()
        if request is None:
            raise GRPCError(Status.INVALID_ARGUMENT, "the call ended without a request message")
        await stream.send_message(await answer(request))

    return handle
