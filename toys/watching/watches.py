"""The watch use case: one watch's events, from its starting point on, for as long as it runs.

A watch starts in one of three places: after a resume token (checked against the history the
store keeps), at a snapshot of the current toys sent as ADDED and closed by SYNCED, or at the
newest change. It then follows the change feed, telling its client what its filter makes of
each change, in sequence order, each once.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

from toys.core.store import ToyStore
from toys.domain import ChangeKind, ResumeTooOld, Toy, WatchEnded, WatchFellBehind, WatchFilter
from toys.watching.feed import ChangeFeed, FeedClosed

SNAPSHOT_PAGE = 500
FIRST_SNAPSHOT_PAGE = 50  # a first page small enough to be on its way at once
CHANGES_BATCH = 500
# A watch is ended (ABORTED, resumable) when its client is too slow: it took longer than
# STALLED_S to take an event (HTTP/2 flow control held the send: the client is not reading)
# while more than MAX_LAG changes wait for it. A burst of changes to a client that keeps
# reading is not slowness, however large.
MAX_LAG = 10_000
STALLED_S = 0.5


@dataclass(frozen=True, slots=True)
class WatchEvent:
    """What a watch tells its client: a change as its filter sees it (toys.domain.ToyChange
    through WatchFilter.view), or SYNCED."""

    kind: ChangeKind
    toy: Toy | None  # None for SYNCED
    sequence: int  # resuming from it gets what follows this event


@dataclass(frozen=True, slots=True)
class WatchStart:
    filter: WatchFilter
    resume_after: int | None = None  # a sequence from a resume token
    send_initial: bool = False


class Watches:
    def __init__(self, store: ToyStore, feed: ChangeFeed, *, max_lag: int = MAX_LAG) -> None:
        self._store = store
        self._feed = feed
        self._max_lag = max_lag
        self.open = 0  # watches whose events are being read
        self._none_open = asyncio.Event()
        self._none_open.set()

    async def events(self, start: WatchStart) -> AsyncIterator[WatchEvent]:
        self.open += 1
        self._none_open.clear()
        try:
            async for event in self._events(start):
                yield event
        finally:
            self.open -= 1
            if not self.open:
                self._none_open.set()

    async def none_open(self) -> None:
        """Return once no watch is open."""
        await self._none_open.wait()

    async def _events(self, start: WatchStart) -> AsyncIterator[WatchEvent]:
        await self._feed.start()
        if start.resume_after is not None:
            position = await self._checked(start.resume_after)
        elif start.send_initial:
            async with self._store.snapshot(start.filter) as snapshot:
                position = snapshot.sequence
                size = FIRST_SNAPSHOT_PAGE
                while page := await snapshot.next_toys(size):
                    size = SNAPSHOT_PAGE
                    for toy in page:
                        yield WatchEvent(ChangeKind.ADDED, toy, position)
            yield WatchEvent(ChangeKind.SYNCED, None, position)
        else:
            _, position = await self._store.change_history()
        while True:
            changes = await self._feed.changes_after(position, CHANGES_BATCH)
            if not changes:
                try:
                    await self._feed.wait_beyond(position)
                except FeedClosed:
                    raise WatchEnded(
                        "the server is shutting down: resume with the last resume_token, "
                        "on another server"
                    ) from None
                continue
            if not self._feed.remembers(position):
                # Read from the store: pruning may have passed `position` since it was checked.
                await self._checked(position)
            for change in changes:
                position = change.sequence
                kind = start.filter.view(change)
                if kind is None:
                    continue
                offered = time.monotonic()
                yield WatchEvent(kind, change.toy, position)
                behind = self._feed.head - position
                if time.monotonic() - offered > STALLED_S and behind > self._max_lag:
                    raise WatchFellBehind(
                        f"this watch's client reads too slowly: {behind} changes wait for it "
                        f"(the limit is {self._max_lag}); resume with the last resume_token"
                    )

    async def _checked(self, sequence: int) -> int:
        """`sequence` when every change after it is still kept; ResumeTooOld otherwise."""
        floor, head = await self._store.change_history()
        if sequence > head:
            raise ResumeTooOld(f"resume_token is ahead of this store's changes ({head})")
        if sequence < floor:
            raise ResumeTooOld(
                f"resume_token is older than the {head - floor} changes this store keeps: "
                "list again (send_initial) and watch from there"
            )
        return sequence
