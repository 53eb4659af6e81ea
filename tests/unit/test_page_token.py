"""Page tokens: opaque, bound to their query, refused when forged, altered or reused elsewhere."""

from __future__ import annotations

import base64
import json
from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.strategies import aware_times, statuses
from tests.support import T0
from toys.core.page_tokens import PageTokens
from toys.core.store import PageCursor
from toys.domain import InvalidArgument, ManufactureStatus

TOKENS = PageTokens(b"k" * 32)


@given(aware_times, st.uuids().map(str), st.none() | statuses)
def test_a_token_decodes_to_its_cursor(
    when: datetime, toy_id: str, status: ManufactureStatus | None
) -> None:
    """encode -> decode gives back the same position for the same query."""
    cursor = PageCursor(when, toy_id)
    assert TOKENS.decode(TOKENS.encode(cursor, status), status) == cursor


def test_a_token_works_with_any_server_that_has_the_key() -> None:
    """Replicas share the database's key: one issues, another accepts."""
    token = PageTokens(b"shared-key-of-32-bytes-----------").encode(PageCursor(T0, "t"), None)
    assert PageTokens(b"shared-key-of-32-bytes-----------").decode(token, None).toy_id == "t"


@pytest.mark.parametrize(
    ("issued_for", "used_for"),
    [
        (None, ManufactureStatus.RUNNING),
        (ManufactureStatus.RUNNING, None),
        (ManufactureStatus.RUNNING, ManufactureStatus.FAILED),
    ],
)
def test_a_token_from_another_query_is_invalid(
    issued_for: ManufactureStatus | None, used_for: ManufactureStatus | None
) -> None:
    """Changing the status filter between pages is INVALID_ARGUMENT on page_token."""
    token = TOKENS.encode(PageCursor(T0, "toy-1"), issued_for)
    with pytest.raises(InvalidArgument, match=r"^page_token: was issued for a different query"):
        TOKENS.decode(token, used_for)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _altered() -> str:
    """A real token whose cursor was edited by hand (its MAC kept)."""
    body, mac = TOKENS.encode(PageCursor(T0, "toy-1"), None).split(".")
    document = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    document["i"] = "toy-2"
    return f"{_b64(json.dumps(document).encode())}.{mac}"


@pytest.mark.parametrize(
    "token",
    [
        "not a token",
        "%%%",
        "[" * 5000,
        "a.b.c",
        "." * 3,
        _b64(b"[1,2]"),
        f"{_b64(b'[' * 300)}.{_b64(b'0' * 16)}",
        PageTokens(b"another key, another deployment").encode(PageCursor(T0, "x"), None),
        _altered(),
    ],
)
def test_a_forged_or_altered_token_is_invalid(token: str) -> None:
    """Anything the server did not issue unchanged is INVALID_ARGUMENT, never a crash."""
    with pytest.raises(InvalidArgument, match=r"^page_token: is not a token this server issued"):
        TOKENS.decode(token, None)


@given(st.text(max_size=600))
def test_no_text_at_all_crashes_the_decoder(token: str) -> None:
    with pytest.raises(InvalidArgument):
        TOKENS.decode(token, None)
