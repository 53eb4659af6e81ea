"""The context of the call being handled: what listeners and handlers may ask about it.

grpclib runs every call in a task of its own, so a context variable holds one context per call.
Listeners get it with `call_context(event)` on RecvRequest (the first to ask creates it) and
`current_call()` afterwards; `install_message_facts` fills in what the messages say.
"""

from __future__ import annotations

import contextvars
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from grpclib.events import RecvMessage, RecvRequest, SendMessage, listen
from grpclib.server import Server

from toys.auth.checks import Refusal

# Methods whose answers are a stream of toys: the call is about no one toy they hold.
STREAMS_OF_TOYS = frozenset({"/toys.v1.ToyService/WatchToys"})
# W3C trace context: version-traceid-parentid-flags.
_TRACEPARENT = re.compile(r"^[0-9a-f]{2}-(?P<trace>[0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$")


@dataclass(slots=True)
class CallContext:
    """One call: its method, peer, start, the toy it is about and the trace it belongs to."""

    method: str
    peer: str
    started: float
    trace_id: str = ""
    toy_id: str = ""
    # Who the access file says the caller is ("" until authorisation names them).
    principal: str = ""
    # What became of a callback (APPLIED, REPLAY, STALE), once its answer is sent.
    outcome: str = ""
    # Set once the access line is written: a call is logged exactly once.
    logged: bool = False
    # The request's metadata object: tells this call's context from one a task inherited.
    metadata: Mapping[str, Any] = field(default_factory=dict, repr=False)
    wire: str = "grpc"  # or "http": the port the call came in on
    # Why the call is refused before its request is read (the HTTP port: toys.http_api).
    refusal: Refusal | None = None


_current: contextvars.ContextVar[CallContext | None] = contextvars.ContextVar(
    "toys_call_context", default=None
)


def current_call() -> CallContext | None:
    """The call being handled in this task, if any."""
    return _current.get()


def call_context(event: RecvRequest) -> CallContext:
    """The context of the call `event` starts, created by the first listener that asks.

    Its trace id is the caller's (from `traceparent`) until a tracer sets its own.
    """
    found = _current.get()
    if found is not None and found.metadata is event.metadata:
        return found
    return start_call(event.method_name, _peer(event), event.metadata)


def start_call(
    method: str, peer: str, metadata: Mapping[str, Any], wire: str = "grpc"
) -> CallContext:
    """The context of a call that starts now, current in this task from now on."""
    created = CallContext(
        method=method,
        peer=peer,
        started=time.perf_counter(),
        trace_id=incoming_trace_id(metadata),
        metadata=metadata,
        wire=wire,
    )
    _current.set(created)
    return created


def peer_text(host: str, port: int) -> str:
    """A peer address as the logs show it: host:port, [v6 host]:port."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def install_message_facts(server: Server) -> None:
    """Note, from every message a call receives or sends, the facts its listeners report
    (the access log, the audit trail): one listener, whoever reads them."""

    async def remember(event: RecvMessage | SendMessage) -> None:
        call = _current.get()
        if call is None:
            return
        if isinstance(event, SendMessage) and call.method in STREAMS_OF_TOYS:
            return  # each event is a toy of the watch; only its request may name one toy
        remember_message(call, event.message)

    listen(server, RecvMessage, remember)
    listen(server, SendMessage, remember)


def remember_message(call: CallContext, message: Any) -> None:
    """Note what a request or response says about the call: its toy, a callback's outcome."""
    if not call.toy_id:
        call.toy_id = _toy_id_of(message)
    outcome = getattr(message, "outcome", None)
    if outcome is not None and not call.outcome:
        call.outcome = str(getattr(outcome, "name", outcome))


def _toy_id_of(message: Any) -> str:
    """The toy a request or response is about (ids of requests, the toy of responses)."""
    for attribute in ("toy_id", "id"):
        value = getattr(message, attribute, None)
        if isinstance(value, str) and value:
            return value
    toy = getattr(message, "toy", None)
    toy_id = getattr(toy, "id", None)
    return toy_id if isinstance(toy_id, str) else ""


def incoming_trace_id(metadata: Mapping[str, Any]) -> str:
    """The trace id of a W3C `traceparent` header, or "" when there is none (or it is bad)."""
    value = metadata.get("traceparent")
    match = _TRACEPARENT.match(value.strip()) if isinstance(value, str) else None
    return match["trace"] if match and match["trace"] != "0" * 32 else ""


def _peer(event: RecvRequest) -> str:
    address = event.peer.addr() if event.peer is not None else None
    if address is None:
        return "-"
    return peer_text(str(address[0]), int(address[1]))
