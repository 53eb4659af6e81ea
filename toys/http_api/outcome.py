"""What a response said, read off the ASGI messages as they go out, whoever wrote them
(connect-python, our routes, uvicorn's 500): its gRPC status and message, for the access log,
the audit trail, metrics and traces.

- A unary Connect response: 200 is OK; otherwise the error JSON's code.
- A Connect stream: 200, then envelopes; the end-of-stream one (flag 0x02) may hold an error.
- gRPC-Web: 200, then frames; the trailers frame (flag 0x80) holds grpc-status.
- Anything else (a probe, /metrics): 2xx is OK, 4xx/5xx the status Connect reads in them.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote

from grpclib.const import Status

from toys.http_api.responses import connect_code_status

_FROM_HTTP = {  # Connect's reading of an HTTP status without a code
    400: Status.INTERNAL,
    401: Status.UNAUTHENTICATED,
    403: Status.PERMISSION_DENIED,
    404: Status.UNIMPLEMENTED,
    408: Status.DEADLINE_EXCEEDED,
    413: Status.RESOURCE_EXHAUSTED,
    415: Status.INTERNAL,
    429: Status.UNAVAILABLE,
    502: Status.UNAVAILABLE,
    503: Status.UNAVAILABLE,
    504: Status.UNAVAILABLE,
}
MAX_ERROR_BODY = 64 * 1024


class Outcome:
    """Wraps `send`; `status` and `message` say how the response ended."""

    def __init__(self, send: Any) -> None:
        self._send = send
        self.http_status = 0
        self.status: Status | None = None
        self.message = ""
        self._kind = ""
        self._error_body = bytearray()
        self.complete = False  # the last of the body went out

    async def send(self, message: Any) -> None:
        kind = message["type"]
        if kind == "http.response.start":
            self._started(message)
        elif kind == "http.response.body":
            self._body(message.get("body", b""), message.get("more_body", False))
        await self._send(message)

    def _started(self, message: Any) -> None:
        self.http_status = int(message["status"])
        content_type = ""
        for name, value in message.get("headers", ()):
            if name.lower() == b"content-type":
                content_type = value.decode("latin-1").lower()
        if self.http_status != 200:
            self._kind = "error"
        elif content_type.startswith("application/connect+"):
            self._kind = "connect-stream"
        elif content_type.startswith("application/grpc-web"):
            self._kind = "grpc-web"
        else:
            self._kind = "plain"
            self.status = Status.OK if self.http_status < 400 else None

    def _body(self, body: bytes, more: bool) -> None:
        self.complete = not more
        if self._kind == "error":
            if len(self._error_body) < MAX_ERROR_BODY:
                self._error_body += body[: MAX_ERROR_BODY - len(self._error_body)]
            if not more:
                self._read_error()
        elif self._kind == "connect-stream" and len(body) >= 5 and body[0] & 0x02:
            self._read_stream_end(body[5:])
        elif self._kind == "grpc-web" and len(body) >= 5 and body[0] & 0x80:
            self._read_grpc_web_trailers(body[5:])

    def _read_error(self) -> None:
        try:
            found = json.loads(self._error_body)
        except ValueError:
            found = None
        if isinstance(found, dict) and isinstance(found.get("code"), str):
            self.status = connect_code_status(found["code"])
            self.message = str(found.get("message", ""))
        else:
            self.status = _FROM_HTTP.get(self.http_status, Status.UNKNOWN)
            self.message = self._error_body.decode("utf-8", "replace")

    def _read_stream_end(self, payload: bytes) -> None:
        try:
            end = json.loads(payload)
        except ValueError:
            end = {}
        error = end.get("error") if isinstance(end, dict) else None
        if isinstance(error, dict):
            self.status = connect_code_status(str(error.get("code", "unknown")))
            self.message = str(error.get("message", ""))
        else:
            self.status = Status.OK

    def _read_grpc_web_trailers(self, payload: bytes) -> None:
        trailers = {}
        for line in payload.decode("latin-1").split("\r\n"):
            name, _, value = line.partition(":")
            trailers[name.strip().lower()] = value.strip()
        try:
            self.status = Status(int(trailers.get("grpc-status", "2")))
        except ValueError:
            self.status = Status.UNKNOWN
        self.message = unquote(trailers.get("grpc-message", ""))

    def ended(self, cancelled: bool) -> tuple[Status, str]:
        """The call's status and message, once the application has returned."""
        if self.status is not None:
            return self.status, self.message
        if cancelled or not self.http_status:
            return Status.CANCELLED, "the client cancelled the call or went away"
        if self._kind in ("connect-stream", "grpc-web"):  # the stream ended without its end
            return Status.CANCELLED, "the stream ended before its last message"
        return _FROM_HTTP.get(self.http_status, Status.UNKNOWN), ""
