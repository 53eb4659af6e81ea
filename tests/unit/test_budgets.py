"""The abuse budgets of one connection, event by event, on a clock the test turns."""

from __future__ import annotations

from h2.events import Event, PingReceived, RequestReceived, StreamReset, UnknownFrameReceived
from hyperframe.frame import ExtensionFrame

from toys.transport.budgets import FrameBudget
from toys.transport.limits import Limits

LIMITS = Limits(max_premature_resets=10, control_frame_burst=5, control_frames_per_s=1.0)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def opened(stream_id: int) -> RequestReceived:
    return RequestReceived(stream_id=stream_id)


def reset(stream_id: int, *, by_client: bool = True) -> StreamReset:
    return StreamReset(stream_id=stream_id, remote_reset=by_client)


def ping() -> PingReceived:
    return PingReceived(ping_data=b"12345678")


def budget(answering: set[int] | None = None, clock: Clock | None = None) -> FrameBudget:
    in_flight = (answering or set()).__contains__
    return FrameBudget(LIMITS, in_flight, clock or Clock())


def pairs(count: int, start: int = 1) -> list[Event]:
    events: list[Event] = []
    for stream_id in range(start, start + 2 * count, 2):
        events += [opened(stream_id), reset(stream_id)]
    return events


def test_streams_reset_before_their_answer_end_the_connection_at_the_limit() -> None:
    account = budget()
    kept = account.account(pairs(10))
    assert account.exceeded
    assert len(kept) == 19  # the tenth reset is not processed


def test_fewer_premature_resets_than_the_limit_pass() -> None:
    account = budget()
    account.account(pairs(9))
    assert not account.exceeded


def test_resets_that_are_not_half_of_the_streams_pass() -> None:
    account = budget()
    answered = [opened(stream_id) for stream_id in range(1001, 1041, 2)]
    account.account(answered + pairs(19))
    assert account.premature_resets == 19
    assert not account.exceeded


def test_a_reset_of_a_stream_already_answered_is_not_premature() -> None:
    account = budget()
    account.account([opened(1)])
    account.account([reset(1)])  # stream 1 is no longer in flight
    assert account.premature_resets == 0


def test_a_reset_of_a_stream_being_answered_is_premature() -> None:
    account = budget(answering={1})
    account.account([opened(1)])
    account.account([reset(1)])
    assert account.premature_resets == 1


def test_control_frames_beyond_the_burst_end_the_connection() -> None:
    account = budget()
    account.account([ping() for _ in range(5)])
    assert not account.exceeded
    account.account([ping()])
    assert "control frames" in account.exceeded


def test_control_frames_at_the_allowed_rate_pass_for_ever() -> None:
    clock = Clock()
    account = budget(clock=clock)
    for _ in range(100):
        clock.now += 1.0
        account.account([ping()])
    assert not account.exceeded


def test_stream_errors_beyond_their_budget_end_the_connection() -> None:
    account = budget()
    account.account([reset(n, by_client=False) for n in range(1, 2 * 101, 2)])
    assert "stream errors" in account.exceeded


def test_frames_of_unknown_types_are_counted_and_dropped() -> None:
    account = budget()
    assert account.account([UnknownFrameReceived(frame=ExtensionFrame(0xFA, 0))]) == []
