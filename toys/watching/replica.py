"""Reads from memory on a shared store: every toy, kept current by the change feed, with
read-your-writes across replicas.

Each server on PostgreSQL already follows the change log (toys.watching.feed). This store
wrapper loads every toy once (one consistent snapshot and its sequence), then applies each
change the feed reads, so that GetToy and ListToys are answered from memory. A read is never
older than the database was when it arrived: it first reads the newest committed sequence
(one small indexed query, shared by every read waiting at that moment), then waits until the
feed has applied it, reading the log at once instead of waiting for NOTIFY. So a toy written
through one replica is seen by the next read on any other, as the Kubernetes API server's
consistent reads from its watch cache do.

Until the snapshot is in memory, when the table holds more toys than allowed, or once the
feed has closed (a drain), reads go to the store as before.
"""

from __future__ import annotations

import asyncio
import bisect
import logging
from collections.abc import Sequence
from datetime import datetime

from toys.core.latest import Latest
from toys.core.store import DelegatingStore, PageCursor, StoreUnavailable, ToyStore
from toys.domain import ChangeKind, ManufactureStatus, Toy, ToyChange, ToyNotFound, WatchFilter
from toys.watching.feed import ChangeFeed, FeedClosed

log = logging.getLogger("toys.replica")

# About 0.9 KiB a toy in memory (half of them with a run): 50,000 toys take ~45 MiB.
DEFAULT_MAX_TOYS = 50_000
SNAPSHOT_BATCH = 2000
LOAD_RETRY_S = 10.0

type Key = tuple[datetime, str]  # the list order: create_time, then id


def _key(toy: Toy) -> Key:
    return (toy.create_time, toy.id)


class FeedReplica(DelegatingStore):
    """A ToyStore whose get and list are served from memory once `load` has run."""

    def __init__(self, inner: ToyStore, *, max_toys: int = DEFAULT_MAX_TOYS) -> None:
        super().__init__(inner)
        self._max_toys = max_toys
        self._feed: ChangeFeed | None = None
        self._latest = Latest(self.inner.change_history)
        self._toys: dict[str, Toy] = {}
        self._order: list[Key] = []
        self._by_status: dict[ManufactureStatus, list[Key]] = {s: [] for s in ManufactureStatus}
        self._applied = 0
        self.serving = False  # reads come from memory
        self._listening = False
        self._reloading: asyncio.Task[None] | None = None
        self.loaded = asyncio.Event()  # set once load has ended, serving or not

    async def load(self, feed: ChangeFeed) -> None:
        """Read every toy, then follow `feed`; reads come from memory from then on."""
        try:
            await self._load(feed)
        finally:
            self.loaded.set()

    async def _load(self, feed: ChangeFeed) -> None:
        self._forget()
        self._feed = feed
        await feed.start()
        async with self.inner.snapshot(WatchFilter()) as snapshot:
            while batch := await snapshot.next_toys(SNAPSHOT_BATCH):
                if len(self._toys) + len(batch) > self._max_toys:
                    self._give_up()
                    return
                for toy in batch:
                    self._toys[toy.id] = toy
            self._applied = snapshot.sequence
        self._order = sorted(_key(toy) for toy in self._toys.values())
        for key in self._order:
            self._by_status[self._toys[key[1]].status].append(key)
        # Catch up with what the feed has read meanwhile, then take every batch it reads; no
        # await between the last check and listen(), so no batch falls in between.
        while feed.head > self._applied:
            self.apply(await feed.changes_after(self._applied, SNAPSHOT_BATCH))
        if not self._listening:
            feed.listen(self.apply)
            self._listening = True
        self.serving = self._feed is not None
        log.info("serving reads from memory: %d toys, at change %d", len(self._toys), self._applied)

    def _give_up(self) -> None:
        log.warning(
            "more than %d toys (--read-cache-max-toys): reads go to the database",
            self._max_toys,
        )
        self._forget()

    def _forget(self) -> None:
        self.serving, self._feed, self._applied = False, None, 0
        self._toys.clear()
        self._order.clear()
        for keys in self._by_status.values():
            keys.clear()

    def apply(self, changes: Sequence[ToyChange]) -> None:
        """Bring memory up to these changes (those it has already are skipped)."""
        if self._feed is None:
            return
        for change in changes:
            if change.sequence <= self._applied:
                continue
            toy = change.toy
            old = self._toys.pop(toy.id, None)
            if old is not None:
                self._unindex(old)
            if change.kind is not ChangeKind.DELETED:
                self._toys[toy.id] = toy
                bisect.insort(self._order, _key(toy))
                bisect.insort(self._by_status[toy.status], _key(toy))
            self._applied = change.sequence
        if len(self._toys) > self._max_toys:
            self._give_up()

    def _unindex(self, toy: Toy) -> None:
        for keys in (self._order, self._by_status[toy.status]):
            at = bisect.bisect_left(keys, _key(toy))
            del keys[at]

    async def _current(self) -> bool:
        """Whether memory holds every change committed before this call (having waited
        for it); False when reads must go to the store."""
        feed = self._feed
        if not self.serving or feed is None:
            return False
        floor, newest = await self._latest()
        if floor > self._applied and self.serving:
            # The log has let go of changes that memory never applied (it fell further behind
            # than the log keeps): what memory holds may miss them, so it is read again.
            log.warning("the change log moved past memory (at %d): loading again", self._applied)
            self._forget()
            self._reloading = asyncio.create_task(load_in_background(self, feed))
            return False
        try:
            await feed.reach(newest)
        except FeedClosed:
            return False
        return self.serving

    async def get(self, toy_id: str) -> Toy:
        if not await self._current():
            return await self.inner.get(toy_id)
        toy = self._toys.get(toy_id)
        if toy is None:
            raise ToyNotFound(toy_id)
        return toy

    async def list(
        self, *, status: ManufactureStatus | None, after: PageCursor | None, limit: int
    ) -> list[Toy]:
        if not await self._current():
            return await self.inner.list(status=status, after=after, limit=limit)
        keys = self._order if status is None else self._by_status[status]
        start = 0 if after is None else bisect.bisect_right(keys, (after.create_time, after.toy_id))
        return [self._toys[toy_id] for _, toy_id in keys[start : start + limit]]

    async def close(self) -> None:
        self.serving = False
        if self._reloading is not None:
            self._reloading.cancel()
        await super().close()


async def load_in_background(
    replica: FeedReplica, feed: ChangeFeed, retry_s: float = LOAD_RETRY_S
) -> None:
    """replica.load(feed), again every `retry_s` while the store fails (reads stay on the
    store meanwhile), until it is loaded or the feed closes."""
    while not feed.closed:
        try:
            await replica.load(feed)
        except FeedClosed:
            return
        except StoreUnavailable as exc:
            log.warning(
                "could not load the toys into memory (reads go to the database; again in %gs): %s",
                retry_s,
                exc,
            )
            await asyncio.sleep(retry_s)
            continue
        return
