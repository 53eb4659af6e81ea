"""Create requests remembered on SQLite (AIP-155, toys.domain.requests): each request_id with
the fingerprint of what it asked for and the toy it made, written in the same transaction as
the toy, and forgotten after REMEMBER_REQUESTS."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import cast

from toys.domain import RequestIdReused, RequestKey, Toy, ToyError
from toys.domain.requests import REMEMBER_REQUESTS
from toys.stores.records import from_document, to_us, toy_document

_FIND = "SELECT fingerprint, toy FROM create_requests WHERE request_id = ?"
_REMEMBER = (
    "INSERT INTO create_requests (request_id, fingerprint, toy, created_time) VALUES (?, ?, ?, ?)"
)


def claim(db: sqlite3.Connection, toy: Toy, request: RequestKey) -> Toy | ToyError | None:
    """Inside the caller's write transaction: None when the request is new (it is remembered
    now, with `toy`: store the toy); else the answer to give instead — the toy an earlier
    request of that id made, or RequestIdReused."""
    row = db.execute(_FIND, (request.request_id,)).fetchone()
    if row is None:
        db.execute(
            _REMEMBER,
            (request.request_id, request.fingerprint, toy_document(toy), to_us(toy.create_time)),
        )
        return None
    if row[0] != request.fingerprint:
        return RequestIdReused(request.request_id)
    return cast("Toy", from_document(Toy, row[1]))


def forget_old(db: sqlite3.Connection, now: datetime) -> None:
    db.execute(
        "DELETE FROM create_requests WHERE created_time < ?", (to_us(now - REMEMBER_REQUESTS),)
    )
