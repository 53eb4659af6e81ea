"""ToyService over Connect: connect-python's generated application, its methods answered by
toys.messages.answers like the gRPC servicer's. Requests arrive as the betterproto2 messages
the strict codecs read (toys.http_api.codecs); answers leave as encoded bytes.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, cast

from connectrpc.code import Code
from connectrpc.errors import ConnectError
from connectrpc.request import RequestContext
from google.protobuf.message import Message

from toys._generated.pb2.toys.v1 import toys_connect
from toys._generated.toys import v1 as pb
from toys.calls.context import current_call, remember_message
from toys.domain import ToyError
from toys.http_api.codecs import Answer, ours
from toys.messages.answers import ToyAnswers, WatchAnswers
from toys.messages.encoded import Encoded
from toys.messages.statuses import status_of

log = logging.getLogger("toys.servicer")


def connect_error(error: ToyError) -> ConnectError:
    """The ConnectError a client sees for a domain error: Connect's codes are gRPC's."""
    status, message = status_of(error)
    return ConnectError(Code[status.name], message)


async def _answered(
    answer: Callable[[Any], Awaitable[Any]], request: Any, ctx: RequestContext[Any, Any]
) -> Any:
    call = current_call()
    try:
        request = ours(request)
        if call is not None:
            remember_message(call, request)  # what the access log and audit name
        result = await answer(request)
    except ToyError as exc:
        raise connect_error(exc) from exc
    except ConnectError:
        raise
    except Exception as exc:
        log.exception("unexpected error in %s", ctx.method().name)
        raise ConnectError(Code.INTERNAL, "internal error; the server log has details") from exc
    if call is not None:
        remember_message(call, result)
    output: type[Message] = ctx.method().output
    return Answer(result.data, output) if isinstance(result, Encoded) else result


class ConnectToyService:
    """The methods connect-python's application calls, one per ToyService method."""

    def __init__(self, answers: ToyAnswers, watch: WatchAnswers | None) -> None:
        self._answers = answers
        self._watch = watch

    async def create_toy(self, request: pb.CreateToyRequest, ctx: RequestContext[Any, Any]) -> Any:
        return await _answered(self._answers.create, request, ctx)

    async def get_toy(self, request: pb.GetToyRequest, ctx: RequestContext[Any, Any]) -> Any:
        return await _answered(self._answers.get, request, ctx)

    async def list_toys(self, request: pb.ListToysRequest, ctx: RequestContext[Any, Any]) -> Any:
        return await _answered(self._answers.list, request, ctx)

    async def update_manufacture_status(
        self, request: pb.UpdateManufactureStatusRequest, ctx: RequestContext[Any, Any]
    ) -> Any:
        return await _answered(self._answers.report, request, ctx)

    async def delete_toy(self, request: pb.DeleteToyRequest, ctx: RequestContext[Any, Any]) -> Any:
        return await _answered(self._answers.delete, request, ctx)

    async def reset_toy(self, request: pb.ResetToyRequest, ctx: RequestContext[Any, Any]) -> Any:
        return await _answered(self._answers.reset, request, ctx)

    async def get_toy_history(
        self, request: pb.GetToyHistoryRequest, ctx: RequestContext[Any, Any]
    ) -> Any:
        return await _answered(self._answers.history, request, ctx)

    async def health_check(
        self, request: pb.HealthCheckRequest, ctx: RequestContext[Any, Any]
    ) -> Any:
        async def health(_: Any) -> pb.HealthCheckResponse:
            return await self._answers.health()

        return await _answered(health, request, ctx)

    async def watch_toys(
        self, request: pb.WatchToysRequest, ctx: RequestContext[Any, Any]
    ) -> AsyncIterator[Any]:
        if self._watch is None:
            raise ConnectError(Code.UNIMPLEMENTED, "this server was built without watches")
        output: type[Message] = ctx.method().output
        call = current_call()
        try:
            request = ours(request)
            if call is not None:
                remember_message(call, request)
            async for response in self._watch.responses(request):
                yield Answer(response.data, output)
        except ToyError as exc:
            raise connect_error(exc) from exc


def toy_service_app(
    answers: ToyAnswers, watch: WatchAnswers | None, *, max_message_bytes: int
) -> toys_connect.ToyServiceASGIApplication:
    """connect-python's ASGI application for ToyService. No compression: a compressed
    request is refused (UNIMPLEMENTED) before it is inflated, as on the gRPC port."""
    service = ConnectToyService(answers, watch)
    return toys_connect.ToyServiceASGIApplication(
        # The generated protocol names pb2 messages; this service takes the betterproto2
        # messages the strict codecs make and answers with encoded bytes.
        cast("toys_connect.ToyService", service),
        read_max_bytes=max_message_bytes,
        compressions=(),
    )
