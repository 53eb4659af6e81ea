"""Per-call hooks on grpclib.events: the access log line, and in-flight tracking for the drain.

Handlers know nothing of this: every call passes through `RecvRequest` (where the handler can
be wrapped or refused) and ends with `SendTrailingMetadata` (which carries the final status).
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import re
import time
from dataclasses import dataclass
from typing import Any, cast

from grpclib.const import Status
from grpclib.events import RecvMessage, RecvRequest, SendMessage, SendTrailingMetadata, listen
from grpclib.exceptions import GRPCError
from grpclib.server import Server, Stream

access_log = logging.getLogger("toys.access")

# Calls to these services hold up a drain and are refused once it starts. Health (the
# standard service and our own HealthCheck) and reflection keep answering, so that probes see
# NOT_SERVING while calls finish.
DRAINED_SERVICE_PREFIX = "/toys.v1.ToyService/"
NOT_DRAINED = frozenset({"/toys.v1.ToyService/HealthCheck"})

# Statuses that mean the server failed, not the caller: logged as warnings, and traced as
# errors. NOT_FOUND, INVALID_ARGUMENT and the like are the caller's business.
SERVER_FAULT_STATUSES = frozenset(
    {
        Status.UNKNOWN,
        Status.INTERNAL,
        Status.UNAVAILABLE,
        Status.DEADLINE_EXCEEDED,
        Status.DATA_LOSS,
        Status.UNIMPLEMENTED,
    }
)

# W3C trace context: version-traceid-parentid-flags.
_TRACEPARENT = re.compile(r"^[0-9a-f]{2}-(?P<trace>[0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$")


@dataclass(slots=True)
class Call:
    """What the access log says about one call; other hooks may fill in trace_id."""

    method: str
    peer: str
    started: float
    toy_id: str = ""
    trace_id: str = ""


_current_call: contextvars.ContextVar[Call | None] = contextvars.ContextVar(
    "toys_current_call", default=None
)


def current_call() -> Call | None:
    """The call being handled in this task, if any."""
    return _current_call.get()


def _peer(event: RecvRequest) -> str:
    address = event.peer.addr() if event.peer is not None else None
    if address is None:
        return "-"
    host, port = address[0], address[1]
    return f"[{host}]:{port}" if ":" in str(host) else f"{host}:{port}"


def _incoming_trace_id(event: RecvRequest) -> str:
    value = event.metadata.get("traceparent")
    match = _TRACEPARENT.match(value.strip()) if isinstance(value, str) else None
    return match["trace"] if match and match["trace"] != "0" * 32 else ""


def _toy_id_of(message: Any) -> str:
    """The toy a request or response is about (ids of requests, the toy of responses)."""
    for attribute in ("toy_id", "id"):
        value = getattr(message, attribute, None)
        if isinstance(value, str) and value:
            return value
    toy = getattr(message, "toy", None)
    toy_id = getattr(toy, "id", None)
    return toy_id if isinstance(toy_id, str) else ""


class CallTracker:
    """Counts in-flight ToyService calls, refuses new ones while draining, logs every call."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[object]] = set()
        self._idle = asyncio.Event()
        self._idle.set()
        self.accepting = True

    @property
    def in_flight(self) -> int:
        return len(self._tasks)

    def install(self, server: Server) -> None:
        listen(server, RecvRequest, self._on_request)
        listen(server, RecvMessage, self._on_message)
        listen(server, SendMessage, self._on_message)
        listen(server, SendTrailingMetadata, self._on_trailers)

    def stop_accepting(self) -> None:
        self.accepting = False

    async def wait_idle(self) -> None:
        """Return once no ToyService call is in flight."""
        await self._idle.wait()

    async def cancel_in_flight(self) -> None:
        """Cancel the calls still running (each answers UNAVAILABLE) and wait for them."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _on_request(self, event: RecvRequest) -> None:
        _current_call.set(
            Call(
                event.method_name,
                _peer(event),
                time.perf_counter(),
                trace_id=_incoming_trace_id(event),
            )
        )
        if not event.method_name.startswith(DRAINED_SERVICE_PREFIX) or (
            event.method_name in NOT_DRAINED
        ):
            return
        if not self.accepting:
            raise GRPCError(Status.UNAVAILABLE, "server is shutting down; retry another replica")
        handler = event.method_func

        async def counted(stream: Stream[object, object]) -> None:
            # grpclib runs every call in a task of its own, so there always is one.
            task = cast("asyncio.Task[object]", asyncio.current_task())
            self._tasks.add(task)
            self._idle.clear()
            try:
                await handler(stream)
            except asyncio.CancelledError:
                if self.accepting:
                    raise  # the client went away or its deadline passed: grpclib handles it
                # The drain's grace period ran out: tell the client, instead of leaving it
                # waiting on a stream nobody will answer. Callbacks are idempotent, so a retry
                # elsewhere is safe even if the store committed the change.
                raise GRPCError(
                    Status.UNAVAILABLE, "server shut down before the call finished; retry"
                ) from None
            finally:
                self._tasks.discard(task)
                if not self._tasks:
                    self._idle.set()

        event.method_func = counted

    async def _on_message(self, event: RecvMessage | SendMessage) -> None:
        call = _current_call.get()
        if call is not None and not call.toy_id:
            call.toy_id = _toy_id_of(event.message)

    async def _on_trailers(self, event: SendTrailingMetadata) -> None:
        call = _current_call.get()
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
