"""ToyService.WatchToys over gRPC: the request -> a watch, its events -> responses.

The typed method (betterproto2 messages) is the API; on the wire each event is sent as bytes
put together from the toy's encoding (toys.grpc_api.encoded), like the unary methods' answers.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import grpclib.server
from grpclib.const import Status
from grpclib.exceptions import GRPCError

from toys._generated.toys import v1 as pb
from toys.domain import ChangeKind, ToyError, WatchFilter, check_toy_id
from toys.grpc_api import encoded, translate
from toys.grpc_api.encoded import Encoded, EncodedToys
from toys.grpc_api.statuses import grpc_error, translating_errors
from toys.watching.tokens import ResumeTokens
from toys.watching.watches import Watches, WatchEvent, WatchStart

EVENT_TYPES = {
    ChangeKind.ADDED: pb.WatchEventType.ADDED,
    ChangeKind.MODIFIED: pb.WatchEventType.MODIFIED,
    ChangeKind.DELETED: pb.WatchEventType.DELETED,
    ChangeKind.SYNCED: pb.WatchEventType.SYNCED,
}


class WatchToysHandler:
    def __init__(self, watches: Watches, tokens: ResumeTokens, encoded_toys: EncodedToys) -> None:
        self._watches = watches
        self._tokens = tokens
        self._encoded = encoded_toys

    def _start(self, message: pb.WatchToysRequest) -> WatchStart:
        toy_id = check_toy_id(message.id) if message.id else ""
        watch = WatchFilter(
            status=translate.status_from_pb(message.status, "status"), toy_id=toy_id
        )
        if message.resume_token:
            return WatchStart(watch, resume_after=self._tokens.decode(message.resume_token))
        return WatchStart(watch, send_initial=message.send_initial)

    async def typed(self, message: pb.WatchToysRequest) -> AsyncIterator[pb.WatchToysResponse]:
        try:
            async for event in self._watches.events(self._start(message)):
                yield pb.WatchToysResponse(
                    type=EVENT_TYPES[event.kind],
                    toy=translate.toy_to_pb(event.toy) if event.toy is not None else None,
                    resume_token=self._tokens.encode(event.sequence),
                )
        except ToyError as exc:
            raise grpc_error(exc) from exc

    def _response(self, event: WatchEvent) -> Encoded:
        toy = self._encoded(event.toy) if event.toy is not None else None
        data = encoded.watch_response(
            int(EVENT_TYPES[event.kind]), toy, self._tokens.encode(event.sequence)
        )
        return Encoded(data, toy_id=event.toy.id if event.toy is not None else "")

    @translating_errors
    async def handle(self, stream: grpclib.server.Stream[Any, Any]) -> None:
        """The wire handler: each event sent as it comes, as bytes."""
        request = await stream.recv_message()
        if request is None:
            raise GRPCError(Status.INVALID_ARGUMENT, "the call ended without a request message")
        async for event in self._watches.events(self._start(request)):
            await stream.send_message(self._response(event))
