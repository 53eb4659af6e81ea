"""Page tokens: where the last page ended and the filter it was for, opaque to callers."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC, datetime

from toys.domain import InvalidArgument, ManufactureStatus
from toys.store import PageCursor

_TOKEN_VERSION = 1


def encode_page_token(cursor: PageCursor, status: ManufactureStatus | None) -> str:
    """An opaque token for the page after `cursor`, bound to the query's filter."""
    document = {
        "v": _TOKEN_VERSION,
        "t": cursor.create_time.astimezone(UTC).isoformat(),
        "i": cursor.toy_id,
        "s": "" if status is None else status.value,
    }
    raw = json.dumps(document, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_page_token(token: str, status: ManufactureStatus | None) -> PageCursor:
    """The cursor in `token`; InvalidArgument when it is malformed or from another query."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        document = json.loads(raw)
        if document["v"] != _TOKEN_VERSION:
            raise ValueError("unknown token version")
        cursor = PageCursor(
            create_time=datetime.fromisoformat(document["t"]), toy_id=str(document["i"])
        )
        token_status = str(document["s"])
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise InvalidArgument("page_token", "is not a token this server issued") from exc
    if cursor.create_time.utcoffset() is None:
        raise InvalidArgument("page_token", "is not a token this server issued")
    if token_status != ("" if status is None else status.value):
        raise InvalidArgument(
            "page_token", "was issued for a different query: keep the same status filter"
        )
    return cursor
