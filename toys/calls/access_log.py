"""The access log: one line per call with method, status, duration, peer, toy and trace id.

Every value a client chose (the toy id, the status message that quotes it) is escaped and cut
to MAX_LOGGED_CHARS before it reaches a line, so that a `\\n` or a terminal escape in an id can
neither forge a line nor take over an operator's terminal. A call the client abandoned (it
cancelled, or went away) is logged CANCELLED.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from typing import Any, Protocol

from grpclib.const import Status
from grpclib.events import RecvRequest, SendTrailingMetadata, listen
from grpclib.exceptions import StreamTerminatedError
from grpclib.server import Server, Stream

from toys.calls.context import CallContext, call_context, current_call
from toys.calls.faults import SERVER_FAULT_STATUSES
from toys.text import escaped

access_log = logging.getLogger("toys.access")

MAX_LOGGED_CHARS = 200


def shown(value: str, limit: int = MAX_LOGGED_CHARS) -> str:
    """`value` with every hidden character (toys.text) and backslash as an escape,
    cut to `limit` characters."""
    if len(value) <= limit and value.isascii() and value.isprintable() and "\\" not in value:
        return value  # the usual case (a toy id), at a fraction of the cost of escaping
    cut = escaped(value[:limit], also="\\")
    return cut if len(value) <= limit else f"{cut}...(+{len(value) - limit} chars)"


class CallObserver(Protocol):
    def finished(self, call: CallContext, status: Status) -> None:
        """`call` ended with `status` (told once per call, whichever port it came in on)."""


def write_access_line(call: CallContext, status: Status, message: str | None) -> bool:
    """The access line of `call`, once: False, and nothing written, for a second attempt."""
    if call.logged:  # e.g. the UNKNOWN trailers grpclib tries after a client went away
        return False
    call.logged = True
    level = logging.WARNING if status in SERVER_FAULT_STATUSES else logging.INFO
    if not access_log.isEnabledFor(level):
        return True
    fields: dict[str, object] = {
        "method": call.method,
        "status": status.name,
        "duration_ms": round((time.perf_counter() - call.started) * 1000, 2),
        "peer": call.peer,
        "toy_id": shown(call.toy_id),
        "trace_id": call.trace_id,
    }
    if call.wire != "grpc":
        fields["wire"] = call.wire
    if status is not Status.OK:
        fields["message"] = shown(message or "").replace('"', '\\"')
    text = " ".join(
        f'{key}="{value}"' if key == "message" else f"{key}={value}"
        for key, value in fields.items()
        if value != "" or key == "message"
    )
    access_log.log(level, text, extra={"fields": fields})
    return True


class AccessLog:
    """Writes the `toys.access` line of every call when its trailers go out, and tells
    `observers` (metrics) how it ended."""

    def __init__(self, observers: Sequence[CallObserver] = ()) -> None:
        self._observers = observers

    def _ended(self, call: CallContext, status: Status, message: str | None) -> None:
        if write_access_line(call, status, message):
            for observer in self._observers:
                observer.finished(call, status)

    def install(self, server: Server) -> None:
        listen(server, RecvRequest, self._on_request)
        listen(server, SendTrailingMetadata, self._on_trailers)

    async def _on_request(self, event: RecvRequest) -> None:
        call = call_context(event)
        handler = event.method_func

        async def logged(stream: Stream[Any, Any]) -> None:
            try:
                await handler(stream)
            except (asyncio.CancelledError, StreamTerminatedError):
                # No status reaches the client: it cancelled or went away.
                self._ended(call, Status.CANCELLED, "the client cancelled the call or went away")
                raise

        event.method_func = logged

    async def _on_trailers(self, event: SendTrailingMetadata) -> None:
        call = current_call()
        if call is not None:
            self._ended(call, event.status, event.status_message)
