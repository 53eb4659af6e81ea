"""Idempotent creates (AIP-155): a client names a create request with a UUID of its own and
sends the same name when it retries, so that a retry after an ambiguous failure (a server
killed after it committed, a lost answer) returns the toy the first try made instead of making
a second one. What the request asked for is kept as a fingerprint beside its name, so that
the same name on a different request is refused rather than answered with the wrong toy."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, timedelta

from toys.domain.errors import InvalidArgument
from toys.domain.model import NewToy

# How long a request_id is remembered: far longer than any client retries for.
REMEMBER_REQUESTS = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class RequestKey:
    request_id: str
    fingerprint: str  # what the request asked for


class RequestIdReused(InvalidArgument):
    """The request_id names an earlier request that asked for something else."""

    def __init__(self, request_id: str) -> None:
        super().__init__(
            "request_id",
            f"{request_id} was used by an earlier request that asked for another toy; "
            "make a new request_id for every new request",
        )


def request_key(request_id: str, new: NewToy) -> RequestKey | None:
    """The key of a create request (None without a request_id); InvalidArgument when the
    request_id is not a UUID. `new` is the toy as asked for, before any default is filled."""
    if not request_id:
        return None
    try:
        canonical = str(uuid.UUID(request_id))
    except ValueError:
        raise InvalidArgument("request_id", f"{request_id[:64]!r} is not a UUID") from None
    asked = [
        new.name.strip(),
        new.designer,
        new.manufacturer,
        new.design_time.astimezone(UTC).isoformat() if new.design_time else None,
    ]
    digest = hashlib.sha256(json.dumps(asked, ensure_ascii=False).encode()).hexdigest()
    return RequestKey(canonical, digest)
