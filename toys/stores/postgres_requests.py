"""Create requests remembered on PostgreSQL (AIP-155, toys.domain.requests): each request_id
with the fingerprint of what it asked for and the toy it made, written in the same transaction
as the toy. Two replicas given the same request_id at once both try to insert it: the second
waits on the key until the first commits, then finds it (and answers its toy)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, cast

from toys.domain import RequestIdReused, RequestKey, Toy, ToyError
from toys.domain.requests import REMEMBER_REQUESTS
from toys.stores.records import from_plain, toy_document

_REMEMBER = (
    "INSERT INTO create_requests (request_id, fingerprint, toy, created_time) "
    "VALUES ($1, $2, $3::jsonb, $4) ON CONFLICT (request_id) DO NOTHING"
)
_FIND = "SELECT fingerprint, toy FROM create_requests WHERE request_id = $1"


async def claim(conn: Any, toy: Toy, request: RequestKey) -> Toy | ToyError | None:
    """Inside the caller's transaction: None when the request is new (it is remembered now,
    with `toy`: store the toy); else the answer to give instead — the toy an earlier request
    of that id made, or RequestIdReused."""
    status = await conn.execute(
        _REMEMBER, request.request_id, request.fingerprint, toy_document(toy), toy.create_time
    )
    if status == "INSERT 0 1":
        return None
    row = await conn.fetchrow(_FIND, request.request_id)
    if row["fingerprint"] != request.fingerprint:
        return RequestIdReused(request.request_id)
    return cast("Toy", from_plain(Toy, json.loads(row["toy"])))


async def forget_old(conn: Any, now: datetime) -> None:
    await conn.execute(
        "DELETE FROM create_requests WHERE created_time < $1", now - REMEMBER_REQUESTS
    )
