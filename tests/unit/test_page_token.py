"""Page tokens: opaque, bound to their query, and refused when forged or reused elsewhere."""

from __future__ import annotations

import base64
from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.strategies import aware_times, statuses
from tests.support import T0
from toys.domain import InvalidArgument, ManufactureStatus
from toys.page_tokens import decode_page_token, encode_page_token
from toys.store import PageCursor


@given(aware_times, st.uuids().map(str), st.none() | statuses)
def test_a_token_decodes_to_its_cursor(
    when: datetime, toy_id: str, status: ManufactureStatus | None
) -> None:
    """encode -> decode gives back the same position for the same query."""
    cursor = PageCursor(when, toy_id)
    assert decode_page_token(encode_page_token(cursor, status), status) == cursor


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
    token = encode_page_token(PageCursor(T0, "toy-1"), issued_for)
    with pytest.raises(InvalidArgument, match=r"^page_token: was issued for a different query"):
        decode_page_token(token, used_for)


@pytest.mark.parametrize(
    "token",
    [
        "not a token",
        "%%%",
        base64.urlsafe_b64encode(b"[1,2]").decode(),
        base64.urlsafe_b64encode(
            b'{"v":2,"t":"2026-01-01T00:00:00+00:00","i":"x","s":""}'
        ).decode(),
        base64.urlsafe_b64encode(b'{"v":1,"t":"2026-01-01T00:00:00","i":"x","s":""}').decode(),
        base64.urlsafe_b64encode(b'{"v":1,"t":"yesterday","i":"x","s":""}').decode(),
    ],
)
def test_a_forged_token_is_invalid(token: str) -> None:
    """Anything the server did not issue is INVALID_ARGUMENT, never a crash."""
    with pytest.raises(InvalidArgument, match=r"^page_token: is not a token this server issued"):
        decode_page_token(token, None)
