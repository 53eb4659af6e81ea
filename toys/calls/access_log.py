"""The access log: one line per call with method, status, duration, peer, toy and trace id."""

from __future__ import annotations

import logging
import time
from typing import Any

from grpclib.const import Status
from grpclib.events import RecvMessage, RecvRequest, SendMessage, SendTrailingMetadata, listen
from grpclib.server import Server

from toys.calls.context import call_context, current_call
from toys.calls.faults import SERVER_FAULT_STATUSES

access_log = logging.getLogger("toys.access")


def _toy_id_of(message: Any) -> str:
    """The toy a request or response is about (ids of requests, the toy of responses)."""
    for attribute in ("toy_id", "id"):
        value = getattr(message, attribute, None)
        if isinstance(value, str) and value:
            return value
    toy = getattr(message, "toy", None)
    toy_id = getattr(toy, "id", None)
    return toy_id if isinstance(toy_id, str) else ""


class AccessLog:
    """Writes the `toys.access` line of every call when its trailers go out."""

    def install(self, server: Server) -> None:
        listen(server, RecvRequest, self._on_request)
        listen(server, RecvMessage, self._on_message)
        listen(server, SendMessage, self._on_message)
        listen(server, SendTrailingMetadata, self._on_trailers)

    async def _on_request(self, event: RecvRequest) -> None:
        call_context(event)

    async def _on_message(self, event: RecvMessage | SendMessage) -> None:
        call = current_call()
        if call is not None and not call.toy_id:
            call.toy_id = _toy_id_of(event.message)

    async def _on_trailers(self, event: SendTrailingMetadata) -> None:
        call = current_call()
        if call is None:
            return
        fields = {
            "method": call.method,
            "status": event.status.name,
            "duration_ms": round((time.perf_counter() - call.started) * 1000, 2),
            "peer": call.peer,
            "toy_id": call.toy_id,
            "trace_id": call.trace_id,
        }
        if event.status is not Status.OK:
            fields["message"] = event.status_message or ""
        text = " ".join(
            f"{key}={value!r}" if key == "message" else f"{key}={value}"
            for key, value in fields.items()
            if value != "" or key == "message"
        )
        level = logging.WARNING if event.status in SERVER_FAULT_STATUSES else logging.INFO
        access_log.log(level, text, extra={"fields": fields})
