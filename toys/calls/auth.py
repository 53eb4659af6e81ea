"""Authentication and authorisation of each call, from the access file (toys.auth).

A bearer token in `authorization` names the caller; without one, a client certificate the
access file knows does (mutual TLS). No credential, or one the file does not know, is
UNAUTHENTICATED; a known caller whose role does not include the method is PERMISSION_DENIED.
Health, reflection and ToyService/HealthCheck stay open. Like the drain gate, a refusal
replaces the handler, so every other listener still sees (and logs) the call.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from grpclib.const import Status
from grpclib.events import RecvRequest, listen
from grpclib.exceptions import GRPCError
from grpclib.server import Server, Stream

from toys.auth.credentials import Credentials, Principal
from toys.auth.roles import allows, is_protected, roles_allowing
from toys.calls.context import call_context


def _refuse(event: RecvRequest, status: Status, message: str) -> None:
    async def refuse(stream: Stream[Any, Any]) -> None:
        raise GRPCError(status, message)

    event.method_func = refuse


def _bearer(metadata: Any) -> str | None:
    value = metadata.get("authorization")
    if not isinstance(value, str):
        return None
    scheme, _, token = value.strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


class Authorization:
    """Checks every protected call against the credentials `current()` returns."""

    def __init__(self, current: Callable[[], Credentials]) -> None:
        self._current = current

    def install(self, server: Server) -> None:
        listen(server, RecvRequest, self._on_request)

    def _identify(self, event: RecvRequest) -> Principal | str:
        """The caller, or why they are not recognised."""
        credentials = self._current()
        token = _bearer(event.metadata)
        if token is not None:
            found = credentials.by_token(token) if token else None
            return found or "the bearer token is not one this server knows"
        peer = event.peer.cert() if event.peer is not None else None
        found = credentials.by_certificate(peer)
        if found is not None:
            return found
        if peer:
            return "the client certificate is not in this server's access file"
        return "this server needs credentials: send the header `authorization: Bearer TOKEN`"

    async def _on_request(self, event: RecvRequest) -> None:
        call = call_context(event)
        if not is_protected(event.method_name):
            return
        who = self._identify(event)
        if isinstance(who, str):
            _refuse(event, Status.UNAUTHENTICATED, who)
            return
        call.principal = who.name
        if not allows(who.role, event.method_name):
            roles = roles_allowing(event.method_name)
            needed = " or ".join(filter(None, [", ".join(roles[:-1]), roles[-1]]))
            method = event.method_name.rsplit("/", 1)[-1]
            _refuse(
                event,
                Status.PERMISSION_DENIED,
                f"{who.name} (role {who.role}) may not call {method}; that needs {needed}",
            )
