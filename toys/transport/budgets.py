"""What one HTTP/2 connection may make the server do for nothing: the abuse budgets.

HTTP/2 lets a client ask for work and take the request back at once. Rapid reset
(CVE-2023-44487) opens a stream and resets it before it is answered, thousands a second on one
connection: every one costs the server a stream and a handler, and none counts against
MAX_CONCURRENT_STREAMS. Floods of PING, SETTINGS, PRIORITY or unknown frames cost a little
each and nothing to send. A connection over a budget is told GOAWAY with ENHANCE_YOUR_CALM and
closed, and the events after the offending one are not processed.

Which approach: Envoy's premature-reset counting (a reset of a stream the server has not
finished answering is premature; a connection is closed once it has had at least
`max_premature_resets` of them and they are half or more of its streams), because it needs no
clock, spares a long-lived connection whose calls are sometimes cancelled by deadline, and
stops an attacker within a bounded number of streams. nginx (a cap on the streams handled
per read) and grpc-go (handlers bounded, reading paused until they finish) bound the work
differently; h2o counts resets per connection as Envoy does. For control frames, a token
bucket per connection as nginx and h2o do for their flood checks; stream errors the protocol
engine raised itself count against their own small budget. A CONTINUATION flood is bounded by
the protocol engine (h2 caps a header block) and closes the connection as a protocol error.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from h2.events import (
    Event,
    PingReceived,
    PriorityUpdated,
    RemoteSettingsChanged,
    RequestReceived,
    StreamReset,
    UnknownFrameReceived,
)

from toys.transport.limits import Limits

_CONTROL = (PingReceived, RemoteSettingsChanged, PriorityUpdated, UnknownFrameReceived)


class FrameBudget:
    """One connection's account; `account(events)` keeps the events to process and says
    whether the connection went over a budget (`exceeded` names which)."""

    __slots__ = (
        "_clock",
        "_in_flight",
        "_limits",
        "_opened_now",
        "_tokens",
        "_updated",
        "exceeded",
        "premature_resets",
        "protocol_errors",
        "streams",
    )

    def __init__(
        self,
        limits: Limits,
        in_flight: Callable[[int], bool],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._limits = limits
        self._in_flight = in_flight  # whether the server is still answering that stream
        self._opened_now: set[int] = set()  # streams opened by the events being accounted
        self._clock = clock
        self._tokens = float(limits.control_frame_burst)
        self._updated = clock()
        self.streams = 0
        self.premature_resets = 0
        self.protocol_errors = 0
        self.exceeded = ""

    def account(self, events: Iterable[Event]) -> list[Event]:
        kept: list[Event] = []
        for event in events:
            self._count(event)
            if self.exceeded:
                break
            if not isinstance(event, UnknownFrameReceived):  # nothing downstream knows them
                kept.append(event)
        self._opened_now.clear()
        return kept

    def _count(self, event: Event) -> None:
        if isinstance(event, RequestReceived):
            self.streams += 1
            if event.stream_id is not None:
                self._opened_now.add(event.stream_id)
        elif isinstance(event, StreamReset):
            if not event.remote_reset:
                self.protocol_errors += 1
                if self.protocol_errors > self._limits.max_stream_errors:
                    self.exceeded = f"more than {self._limits.max_stream_errors} stream errors"
            elif event.stream_id is not None and (
                event.stream_id in self._opened_now or self._in_flight(event.stream_id)
            ):
                self.premature_resets += 1
                if (
                    self.premature_resets >= self._limits.max_premature_resets
                    and self.premature_resets * 2 >= self.streams
                ):
                    self.exceeded = (
                        f"{self.premature_resets} of {self.streams} streams reset before "
                        "they were answered"
                    )
        elif isinstance(event, _CONTROL):
            self._spend_control()

    def _spend_control(self) -> None:
        now = self._clock()
        refill = (now - self._updated) * self._limits.control_frames_per_s
        self._tokens = min(float(self._limits.control_frame_burst), self._tokens + refill)
        self._updated = now
        self._tokens -= 1
        if self._tokens < 0:
            self.exceeded = (
                f"control frames faster than {self._limits.control_frames_per_s:g}/s "
                f"after a burst of {self._limits.control_frame_burst}"
            )
