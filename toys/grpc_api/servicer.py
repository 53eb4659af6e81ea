"""ToyService over gRPC: the generated service base, its methods answered by
toys.messages.answers (errors: toys.grpc_api.statuses)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from typing import Any

import grpclib.const
import grpclib.server
from grpclib.const import Status
from grpclib.exceptions import GRPCError

from toys._generated.toys import v1 as pb
from toys.domain import ToyError
from toys.grpc_api.statuses import grpc_error, translating_errors
from toys.messages import translate
from toys.messages.answers import ToyAnswers, WatchAnswers


class ToyServicer(pb.ToyServiceBase):
    """Implements the generated service base with the answers of the use cases.

    The typed methods are the API (betterproto2 messages in and out). On the wire, the methods
    that answer with toys send the same answers as bytes put together from toys encoded once
    per revision (toys.messages.encoded); `__mapping__` routes them there.
    """

    def __init__(self, answers: ToyAnswers, watch: WatchAnswers | None = None) -> None:
        self._answers = answers
        self._watch = watch

    # -- typed -----------------------------------------------------------------------------------

    @translating_errors
    async def create_toy(self, message: pb.CreateToyRequest) -> pb.CreateToyResponse:
        return pb.CreateToyResponse(toy=translate.toy_to_pb(await self._answers.created(message)))

    @translating_errors
    async def get_toy(self, message: pb.GetToyRequest) -> pb.GetToyResponse:
        return pb.GetToyResponse(toy=translate.toy_to_pb(await self._answers.got(message)))

    @translating_errors
    async def list_toys(self, message: pb.ListToysRequest) -> pb.ListToysResponse:
        page = await self._answers.listed(message)
        return pb.ListToysResponse(
            toys=[translate.toy_to_pb(t) for t in page.toys],
            next_page_token=page.next_page_token,
        )

    @translating_errors
    async def update_manufacture_status(
        self, message: pb.UpdateManufactureStatusRequest
    ) -> pb.UpdateManufactureStatusResponse:
        result = await self._answers.reported(message)
        return pb.UpdateManufactureStatusResponse(
            toy=translate.toy_to_pb(result.toy), outcome=translate.outcome_to_pb(result.outcome)
        )

    @translating_errors
    async def delete_toy(self, message: pb.DeleteToyRequest) -> pb.DeleteToyResponse:
        return await self._answers.delete(message)

    @translating_errors
    async def get_toy_history(self, message: pb.GetToyHistoryRequest) -> pb.GetToyHistoryResponse:
        return await self._answers.history(message)

    @translating_errors
    async def reset_toy(self, message: pb.ResetToyRequest) -> pb.ResetToyResponse:
        return pb.ResetToyResponse(toy=translate.toy_to_pb(await self._answers.reset_done(message)))

    async def watch_toys(self, message: pb.WatchToysRequest) -> AsyncIterator[pb.WatchToysResponse]:
        if self._watch is None:
            raise GRPCError(Status.UNIMPLEMENTED, "this server was built without watches")
        try:
            async for event in self._watch.events(message):
                yield self._watch.typed(event)
        except ToyError as exc:
            raise grpc_error(exc) from exc

    @translating_errors
    async def health_check(self, message: pb.HealthCheckRequest) -> pb.HealthCheckResponse:
        return await self._answers.health()

    # -- on the wire -------------------------------------------------------------------------

    def __mapping__(self) -> dict[str, grpclib.const.Handler]:
        mapping = super().__mapping__()
        answers: dict[str, Callable[[Any], Awaitable[Any]]] = {
            "CreateToy": self._answers.create,
            "GetToy": self._answers.get,
            "ListToys": self._answers.list,
            "UpdateManufactureStatus": self._answers.report,
            "ResetToy": self._answers.reset,
            "DeleteToy": self._answers.delete,
            "HealthCheck": self.health_check,
        }
        for method, answer in answers.items():
            path = f"/toys.v1.ToyService/{method}"
            mapping[path] = mapping[path]._replace(func=_answering(answer))
        if self._watch is not None:
            path = "/toys.v1.ToyService/WatchToys"
            mapping[path] = mapping[path]._replace(func=_streaming(self._watch))
        return mapping


async def _request(stream: grpclib.server.Stream[Any, Any]) -> Any:
    request = await stream.recv_message()
    if request is None:
        raise GRPCError(Status.INVALID_ARGUMENT, "the call ended without a request message")
    return request


def _answering(
    answer: Callable[[Any], Awaitable[Any]],
) -> Callable[[grpclib.server.Stream[Any, Any]], Coroutine[Any, Any, None]]:
    """A unary handler: the request, `answer`'s message back, errors translated like the
    typed methods'. (The generated handlers assert that a request came: an AssertionError,
    UNKNOWN to the caller, where a missing request is the caller's mistake.)"""

    @translating_errors
    async def handle(stream: grpclib.server.Stream[Any, Any]) -> None:
        await stream.send_message(await answer(await _request(stream)))

    return handle


def _streaming(
    watch: WatchAnswers,
) -> Callable[[grpclib.server.Stream[Any, Any]], Coroutine[Any, Any, None]]:
    """WatchToys' handler: each event sent as bytes as it comes."""

    @translating_errors
    async def handle(stream: grpclib.server.Stream[Any, Any]) -> None:
        async for response in watch.responses(await _request(stream)):
            await stream.send_message(response)

    return handle
