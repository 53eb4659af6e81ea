"""Page tokens: where the last page ended and the filter it was for, opaque and tamper-evident.

A token is the JSON of its cursor and filter, then an HMAC-SHA256 of that JSON under the
database's deployment key (truncated to 128 bits), both base64url. A server checks the MAC
before it reads anything else, so a token it did not issue, or one edited by hand, is refused
without being parsed; every server on the same database shares the key, so a token from one
replica works on any other.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from datetime import UTC, datetime

from toys.core.store import PageCursor
from toys.domain import InvalidArgument, ManufactureStatus

_VERSION = 2
_MAC_BYTES = 16
# A real token is about 150 characters; anything much longer is refused unread.
MAX_TOKEN_LENGTH = 512


def b64url_encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _forged() -> InvalidArgument:
    return InvalidArgument("page_token", "is not a token this server issued")


class PageTokens:
    """Issues and checks page tokens under one key."""

    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("a page token key needs at least 16 bytes")
        self._key = key

    def _mac(self, payload: bytes) -> bytes:
        return hmac.new(self._key, payload, hashlib.sha256).digest()[:_MAC_BYTES]

    def encode(self, cursor: PageCursor, status: ManufactureStatus | None) -> str:
        """An opaque token for the page after `cursor`, bound to the query's filter."""
        document = {
            "v": _VERSION,
            "t": cursor.create_time.astimezone(UTC).isoformat(),
            "i": cursor.toy_id,
            "s": "" if status is None else status.value,
        }
        payload = json.dumps(document, separators=(",", ":")).encode()
        return f"{b64url_encode(payload)}.{b64url_encode(self._mac(payload))}"

    def decode(self, token: str, status: ManufactureStatus | None) -> PageCursor:
        """The cursor in `token`; InvalidArgument when it is forged, altered, or from another
        query."""
        if len(token) > MAX_TOKEN_LENGTH or token.count(".") != 1:
            raise _forged()
        body, _, mac = token.partition(".")
        try:
            payload, given = b64url_decode(body), b64url_decode(mac)
        except (binascii.Error, ValueError) as exc:
            raise _forged() from exc
        if not hmac.compare_digest(given, self._mac(payload)):
            raise _forged()
        try:
            document = json.loads(payload)
            if document["v"] != _VERSION:
                raise ValueError("unknown token version")
            cursor = PageCursor(datetime.fromisoformat(document["t"]), str(document["i"]))
            token_status = str(document["s"])
        except (ValueError, KeyError, TypeError) as exc:  # issued by us, so only by a bug
            raise _forged() from exc
        if token_status != ("" if status is None else status.value):
            raise InvalidArgument(
                "page_token", "was issued for a different query: keep the same status filter"
            )
        return cursor
