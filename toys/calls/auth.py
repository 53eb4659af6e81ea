"""Authentication and authorisation of each gRPC call (the rules: toys.auth.checks).

Health, reflection and ToyService/HealthCheck stay open. Like the drain gate, a refusal
replaces the handler, so every other listener still sees (and logs) the call.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from grpclib.events import RecvRequest, listen
from grpclib.exceptions import GRPCError
from grpclib.server import Server, Stream

from toys.auth.checks import Refusal, check_caller
from toys.auth.credentials import Credentials
from toys.calls.context import call_context


def _refuse(event: RecvRequest, refusal: Refusal) -> None:
    async def refuse(stream: Stream[Any, Any]) -> None:
        raise GRPCError(refusal.status, refusal.message)

    event.method_func = refuse


class Authorization:
    """Checks every protected call against the credentials `current()` returns."""

    def __init__(self, current: Callable[[], Credentials]) -> None:
        self._current = current

    def install(self, server: Server) -> None:
        listen(server, RecvRequest, self._on_request)

    async def _on_request(self, event: RecvRequest) -> None:
        call = call_context(event)
        certificate = event.peer.cert() if event.peer is not None else None
        found = check_caller(
            self._current(), event.method_name, event.metadata.get("authorization"), certificate
        )
        if isinstance(found, Refusal):
            call.principal = found.who
            _refuse(event, found)
        elif found is not None:
            call.principal = found.name
