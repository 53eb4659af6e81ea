"""Around every API call on the HTTP port, what the gRPC port's call listeners do
(toys.calls): the call's context, the drain gate and authorisation before its request is read,
a bound on what it may send, and once it ends its access line, audit record and metrics.

A refusal is decided here and raised where connect-python reads the request
(toys.http_api.codecs), so that it is sent in the call's own protocol (Connect, its streams,
gRPC-Web) and nothing of the request is parsed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any, cast

from connectrpc.code import Code
from connectrpc.errors import ConnectError
from grpclib.const import Status

from toys.auth.checks import Refusal, check_caller
from toys.auth.credentials import Credentials
from toys.calls.access_log import CallObserver, write_access_line
from toys.calls.context import CallContext, peer_text, start_call
from toys.calls.drain import DrainGate
from toys.http_api.outcome import Outcome
from toys.http_api.responses import send_error
from toys.transport.http_connections import PEER_CERTIFICATE

App = Callable[[Any, Any, Any], Any]  # an ASGI application
# A span around a call (toys.telemetry); what it yields ends the span with the call's status.
CallTracing = Callable[
    [CallContext, Mapping[str, str]], AbstractContextManager[Callable[[Status, str], None]]
]


@contextmanager
def _untraced(
    call: CallContext, headers: Mapping[str, str]
) -> Iterator[Callable[[Status, str], None]]:
    yield lambda status, message: None


def headers_of(scope: Any) -> dict[str, str]:
    """The request's headers, names lower-case (the last of a repeated one wins)."""
    return {
        name.decode("latin-1"): value.decode("latin-1") for name, value in scope.get("headers", ())
    }


def peer_of(scope: Any) -> str:
    client = scope.get("client")
    return peer_text(str(client[0]), int(client[1])) if client else "-"


def _too_large(limit: int) -> str:
    return f"the request is larger than {limit} bytes"


def bounded(receive: Any, limit: int, gone: Callable[[], None]) -> Any:
    """`receive`, refusing a body of more than `limit` bytes as it arrives (connect-python
    sends the error in the call's protocol), and calling `gone` when the client leaves."""
    seen = 0

    async def receive_bounded() -> Any:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise ConnectError(Code.RESOURCE_EXHAUSTED, _too_large(limit))
        elif message["type"] == "http.disconnect":
            gone()
        return message

    return receive_bounded


class HttpCalls:
    """Runs one API call of the HTTP port through `app` with everything around it."""

    def __init__(
        self,
        *,
        gate: DrainGate,
        credentials: Callable[[], Credentials] | None,
        observers: Sequence[CallObserver],
        max_request_bytes: int,
        tracing: CallTracing | None = None,
    ) -> None:
        self._gate = gate
        self._credentials = credentials
        self._observers = observers
        self._max_request_bytes = max_request_bytes
        self._tracing = tracing

    def refusal(self, call: CallContext, scope: Any, headers: dict[str, str]) -> Refusal | None:
        if self._gate.gated(call.method) and self._gate.draining:
            return Refusal(Status.UNAVAILABLE, "server is shutting down; retry another replica")
        if self._credentials is None:
            return None
        found = check_caller(
            self._credentials(),
            call.method,
            headers.get("authorization"),
            scope.get(PEER_CERTIFICATE),
        )
        if isinstance(found, Refusal):
            call.principal = found.who
            return found
        if found is not None:
            call.principal = found.name
        return None

    async def __call__(self, method: str, app: App, scope: Any, receive: Any, send: Any) -> None:
        headers = headers_of(scope)
        call = start_call(method, peer_of(scope), headers, wire="http")
        call.refusal = self.refusal(call, scope, headers)
        if self._gate.gated(method) and call.refusal is None:
            self._gate.track(cast("asyncio.Task[object]", asyncio.current_task()))
        outcome = Outcome(send)
        with (self._tracing or _untraced)(call, headers) as end_span:
            cancelled = True
            try:
                cancelled = await self._run(app, scope, receive, headers, outcome)
            finally:
                status, message = outcome.ended(cancelled)
                end_span(status, message)
                if write_access_line(call, status, message):
                    for observer in self._observers:
                        observer.finished(call, status)

    async def _run(
        self, app: App, scope: Any, receive: Any, headers: dict[str, str], outcome: Outcome
    ) -> bool:
        """Run the call; whether it was cancelled (its client left, or the drain ended it)."""
        task = cast("asyncio.Task[None]", asyncio.current_task())
        left: list[bool] = []

        def gone() -> None:
            # connect-python notices a client that left a stream only when the stream's next
            # message is due, which for a quiet watch may be never: end it now.
            if outcome.http_status and not outcome.complete and not left:
                left.append(True)
                task.cancel()

        limit = self._max_request_bytes
        try:
            length = headers.get("content-length", "")
            if length.isdigit() and int(length) > limit:
                await send_error(outcome.send, Status.RESOURCE_EXHAUSTED, _too_large(limit))
            else:
                await app(scope, bounded(receive, limit, gone), outcome.send)
        except (asyncio.CancelledError, ConnectError):
            # Only this server cancels a call: a stream whose client left, or one the drain's
            # grace period ran out on (connect-python may turn either into CANCELED).
            if task.cancelling():
                task.uncancel()
            if left or outcome.http_status:
                return True
            await send_error(
                outcome.send, Status.UNAVAILABLE, "server shut down before the call finished; retry"
            )
        return False
