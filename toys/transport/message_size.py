"""A request larger than the limit is RESOURCE_EXHAUSTED, refused from its length prefix.

grpclib reads a message in two steps, its 5-byte prefix and then `length` bytes, which it
would buffer whole. The handler's stream is given a `recv_data` that refuses the second step
when it is too long, so the body is never read; HTTP/2 flow control keeps the client from
sending more than a window of it.
"""

from __future__ import annotations

from typing import Any

from grpclib.const import Status
from grpclib.events import RecvRequest, listen
from grpclib.exceptions import GRPCError
from grpclib.server import Server, Stream


class MessageSizeLimit:
    def __init__(self, max_bytes: int) -> None:
        self._max = max_bytes

    def install(self, server: Server) -> None:
        listen(server, RecvRequest, self._on_request)

    async def _on_request(self, event: RecvRequest) -> None:
        handler = event.method_func
        limit = self._max

        async def limited(stream: Stream[Any, Any]) -> None:
            h2_stream = stream._stream  # grpclib internal: see toys.transport
            read = h2_stream.recv_data

            async def bounded(size: int) -> bytes:
                if size > limit:
                    raise GRPCError(
                        Status.RESOURCE_EXHAUSTED,
                        f"the request is {size} bytes; this server takes at most {limit}",
                    )
                return await read(size)

            h2_stream.recv_data = bounded  # type: ignore[method-assign]  # see the docstring
            await handler(stream)

        event.method_func = limited
