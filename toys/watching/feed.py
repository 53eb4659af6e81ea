"""The change feed: one reader of the store's change log per server, shared by every watch.

It follows the log in sequence order and keeps the newest changes in memory, so that watches
that keep up (nearly all) read them from there: one change is read from the store once, however
many watch it. A watch further behind than the memory reads the store itself. The feed wakes
when the store says something was committed (this server's writes at once; another server's
through the store: PostgreSQL's NOTIFY, or SQLite at the next poll), and polls in any case.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import logging
from collections.abc import Callable, Sequence

from toys.core.store import StoreUnavailable, ToyStore
from toys.domain import ToyChange

log = logging.getLogger("toys.watch")

POLL_INTERVAL_S = 1.0
KEPT_IN_MEMORY = 4096  # at least; up to twice as many between trims
READ_BATCH = 500


class FeedClosed(Exception):
    """The server is shutting down: the feed serves no more changes."""


class ChangeFeed:
    def __init__(
        self,
        store: ToyStore,
        *,
        poll_interval_s: float = POLL_INTERVAL_S,
        kept_in_memory: int = KEPT_IN_MEMORY,
    ) -> None:
        self._store = store
        self._poll_interval_s = poll_interval_s
        self._kept_in_memory = kept_in_memory
        self._kept: list[ToyChange] = []
        self._sequences: list[int] = []
        # What is in memory covers every change after `_floor`, up to `head`.
        self._floor = 0
        self.head = 0
        self._advanced = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._started = asyncio.Lock()
        # One reader of the log at a time: the follower, or a read that must see a sequence.
        self._reading = asyncio.Lock()
        self._listeners: list[Callable[[Sequence[ToyChange]], None]] = []
        self.closed = False

    async def start(self) -> None:
        """Begin following the log (once; later calls return at once)."""
        async with self._started:
            if self._task is not None or self.closed:
                return
            _, self.head = await self._store.change_history()
            self._floor = self.head
            self._task = asyncio.create_task(self._follow(), name="toys-change-feed")

    def close(self) -> None:
        """Stop: every watch waiting for changes gets FeedClosed, now and from now on."""
        self.closed = True
        self._wake_waiters()
        if self._task is not None:
            self._task.cancel()

    async def stopped(self) -> None:
        """Return once a closed feed has stopped reading the store."""
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _follow(self) -> None:
        failing = False
        while True:
            try:
                await self._store.wait_for_changes(self._poll_interval_s)
                async with self._reading:
                    await self._read_new()
            except StoreUnavailable as exc:  # the next round retries; watches just wait
                # Once per outage at WARNING, not once a second.
                log.log(
                    logging.DEBUG if failing else logging.WARNING,
                    "cannot read the change log (watches wait): %s",
                    exc.message,
                )
                failing = True
                await asyncio.sleep(self._poll_interval_s)
                continue
            if failing:
                log.info("reading the change log again")
                failing = False

    async def _read_new(self) -> None:
        while True:
            changes = await self._store.changes_after(self.head, READ_BATCH)
            if not changes:
                return
            for listener in self._listeners:  # before `head` moves: a reader of it sees them
                listener(changes)
            self._kept += changes
            self._sequences += [change.sequence for change in changes]
            self.head = changes[-1].sequence
            if len(self._kept) > 2 * self._kept_in_memory:  # trimmed now and then, not per change
                drop = len(self._kept) - self._kept_in_memory
                self._floor = self._sequences[drop - 1]
                del self._kept[:drop], self._sequences[:drop]
            self._wake_waiters()
            if len(changes) < READ_BATCH:
                return

    def _wake_waiters(self) -> None:
        self._advanced.set()
        self._advanced = asyncio.Event()

    def listen(self, listener: Callable[[Sequence[ToyChange]], None]) -> None:
        """Call `listener` with every batch of changes read from now on, in sequence order,
        before `head` moves past them."""
        self._listeners.append(listener)

    async def reach(self, sequence: int) -> None:
        """Return once the feed has read every change up to `sequence` (committed already):
        read the log now rather than wait for the store's next notice. FeedClosed on shutdown.
        """
        while self.head < sequence:
            if self.closed:
                raise FeedClosed
            async with self._reading:  # waiting here, a read under way may get there first
                before = self.head
                if before < sequence:
                    await self._read_new()
            if self.head == before < sequence:  # not readable yet: the store's notice, or a poll
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.wait_beyond(before), self._poll_interval_s)

    def remembers(self, sequence: int) -> bool:
        """Whether the changes after `sequence` are read from memory (not from the store)."""
        return sequence >= self._floor

    async def changes_after(self, sequence: int, limit: int) -> list[ToyChange]:
        """Up to `limit` changes after `sequence`, oldest first (from memory when it has them)."""
        if not self.remembers(sequence):
            return list(await self._store.changes_after(sequence, limit))
        start = bisect.bisect_right(self._sequences, sequence)
        return self._kept[start : start + limit]

    async def wait_beyond(self, sequence: int) -> None:
        """Return once the feed has read a change after `sequence`; FeedClosed on shutdown."""
        while self.head <= sequence:
            if self.closed:
                raise FeedClosed
            await self._advanced.wait()
        if self.closed:
            raise FeedClosed
