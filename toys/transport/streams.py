"""Every stream a guarded connection opens is a BoundedStream: a request larger than the limit
is RESOURCE_EXHAUSTED, refused from its length prefix, and a compressed one UNIMPLEMENTED.

grpclib reads a message in two steps, its 5-byte prefix and then `length` bytes, which it
would buffer whole. BoundedStream's `recv_data` refuses the second step when it is too long,
so the body is never read; HTTP/2 flow control keeps the client from sending more than a
window of it. The prefix's first byte says whether the message is compressed: this server
takes only uncompressed messages (grpclib would fail such a call as INTERNAL), so a compressed
one is refused UNIMPLEMENTED, as the gRPC spec asks, and every response's headers carry
`grpc-accept-encoding: identity` so that a client knows not to try.

The checks live in the stream itself rather than in a wrapper installed around each call: a
wrapper that holds the stream it wraps is a reference cycle per call, and the cyclic garbage
collector's full passes over that garbage showed up as 25 ms stalls in the latency tail.
"""

from __future__ import annotations

from typing import Any

from grpclib.const import Status
from grpclib.exceptions import GRPCError
from grpclib.protocol import Connection, Stream

ACCEPT_ENCODING = ("grpc-accept-encoding", "identity")
_PREFIX_BYTES = 5


class BoundedStream(Stream):
    max_message_bytes = 1024 * 1024
    _expect_prefix = True
    _headers_sent = False

    async def recv_data(self, size: int) -> bytes:
        if size > self.max_message_bytes:
            raise GRPCError(
                Status.RESOURCE_EXHAUSTED,
                f"the request is {size} bytes; this server takes at most {self.max_message_bytes}",
            )
        prefix = self._expect_prefix and size == _PREFIX_BYTES
        data = await super().recv_data(size)
        self._expect_prefix = not prefix
        if prefix and data[:1] not in (b"", b"\x00"):
            raise GRPCError(
                Status.UNIMPLEMENTED,
                "compressed messages are not supported (grpc-accept-encoding: identity); "
                "send them uncompressed",
            )
        return data

    async def send_headers(self, headers: Any, end_stream: bool = False) -> None:
        if not self._headers_sent:  # the response's headers (or trailers-only), not trailers
            self._headers_sent = True
            headers = [*headers, ACCEPT_ENCODING]
        await super().send_headers(headers, end_stream)


def bounded_streams(connection: Connection, max_message_bytes: int) -> None:
    """Make the streams `connection` opens from now on BoundedStreams of that limit."""
    h2_connection, transport = connection._connection, connection._transport

    def create_stream(*, stream_id: int | None = None, wrapper: Any = None) -> Stream:
        stream = BoundedStream(
            connection, h2_connection, transport, stream_id=stream_id, wrapper=wrapper
        )
        stream.max_message_bytes = max_message_bytes
        return stream

    # One cycle per connection (the connection holds this function, which holds it back).
    connection.create_stream = create_stream  # type: ignore[method-assign]  # see the docstring
