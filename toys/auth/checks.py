"""Who may make a call, whatever the wire: the caller named by a bearer token or, without one,
by a client certificate the access file knows; the method checked against their role.

No credential, or one the file does not know, is UNAUTHENTICATED; a known caller whose role
does not include the method is PERMISSION_DENIED. Open methods need nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from grpclib.const import Status

from toys.auth.credentials import Credentials, Principal
from toys.auth.roles import allows, is_protected, roles_allowing


@dataclass(frozen=True, slots=True)
class Refusal:
    status: Status
    message: str
    who: str = ""  # the caller, when known (PERMISSION_DENIED)


def bearer_token(authorization: object) -> str | None:
    """The token of an `authorization: Bearer TOKEN` value; "" for another scheme, None when
    there is no such header."""
    if not isinstance(authorization, str):
        return None
    scheme, _, token = authorization.strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def _identify(
    credentials: Credentials, authorization: object, certificate: dict[str, Any] | None
) -> Principal | str:
    """The caller, or why they are not recognised."""
    token = bearer_token(authorization)
    if token is not None:
        found = credentials.by_token(token) if token else None
        return found or "the bearer token is not one this server knows"
    found = credentials.by_certificate(certificate)
    if found is not None:
        return found
    if certificate:
        return "the client certificate is not in this server's access file"
    return "this server needs credentials: send the header `authorization: Bearer TOKEN`"


def check_caller(
    credentials: Credentials,
    method: str,
    authorization: object,
    certificate: dict[str, Any] | None,
) -> Principal | Refusal | None:
    """The caller of `method` when they may make it, a Refusal when not, None when the
    method is open."""
    if not is_protected(method):
        return None
    who = _identify(credentials, authorization, certificate)
    if isinstance(who, str):
        return Refusal(Status.UNAUTHENTICATED, who)
    if not allows(who.role, method):
        roles = roles_allowing(method)
        needed = " or ".join(filter(None, [", ".join(roles[:-1]), roles[-1]]))
        name = method.rsplit("/", 1)[-1]
        return Refusal(
            Status.PERMISSION_DENIED,
            f"{who.name} (role {who.role}) may not call {name}; that needs {needed}",
            who.name,
        )
    return who
