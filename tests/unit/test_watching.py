"""What a filtered watch is told of each change, and resume tokens."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.support import T0
from toys.domain import (
    ChangeKind,
    InvalidArgument,
    ManufactureStatus,
    NewToy,
    ToyChange,
    WatchFilter,
    create_toy,
)
from toys.watching.tokens import ResumeTokens

S = ManufactureStatus
K = ChangeKind
KEY = b"a deployment key of 32 bytes...."


def change(kind: ChangeKind, now: S, before: S | None, toy_id: str = "t1") -> ToyChange:
    toy = create_toy(NewToy(name="Car"), toy_id, T0 + timedelta(minutes=1))
    return ToyChange(1, kind, replace(toy, status=now), before)


@pytest.mark.parametrize(
    ("seen", "kind", "now", "before"),
    [
        (K.ADDED, K.ADDED, S.RUNNING, None),  # created in the status
        (None, K.ADDED, S.PENDING, None),  # created in another
        (K.ADDED, K.MODIFIED, S.RUNNING, S.PENDING),  # moved in
        (K.MODIFIED, K.MODIFIED, S.RUNNING, S.RUNNING),  # changed within
        (K.DELETED, K.MODIFIED, S.SUCCEEDED, S.RUNNING),  # moved out
        (None, K.MODIFIED, S.FAILED, S.SUCCEEDED),  # elsewhere all along
        (K.DELETED, K.DELETED, S.RUNNING, S.RUNNING),  # deleted within
        (None, K.DELETED, S.FAILED, S.FAILED),  # deleted elsewhere
    ],
)
def test_a_status_watch_sees_toys_enter_and_leave(
    seen: ChangeKind | None, kind: ChangeKind, now: S, before: S | None
) -> None:
    assert WatchFilter(status=S.RUNNING).view(change(kind, now, before)) is seen


def test_a_watch_of_one_toy_ignores_the_others() -> None:
    watch = WatchFilter(toy_id="t1")
    assert watch.view(change(K.MODIFIED, S.RUNNING, S.PENDING, "t1")) is K.MODIFIED
    assert watch.view(change(K.MODIFIED, S.RUNNING, S.PENDING, "t2")) is None


@given(st.integers(min_value=0, max_value=2**63 - 1))
def test_a_resume_token_reads_back_its_sequence(sequence: int) -> None:
    tokens = ResumeTokens(KEY)
    assert tokens.decode(tokens.encode(sequence)) == sequence


@pytest.mark.parametrize("token", ["", "x", "AQAAAAAAAAAB", "!" * 20, "A" * 100])
def test_a_token_that_is_not_ours_is_refused(token: str) -> None:
    with pytest.raises(InvalidArgument):
        ResumeTokens(KEY).decode(token)


def test_a_token_of_another_database_is_refused() -> None:
    with pytest.raises(InvalidArgument):
        ResumeTokens(KEY).decode(ResumeTokens(b"another key, another database..").encode(7))
