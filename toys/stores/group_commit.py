"""Group commit: new toys that arrive while the writer is busy are written together, in one
transaction, with one durable commit.

With synchronous=FULL every commit waits for the disk; sixteen CreateToy calls in flight would
otherwise wait for sixteen flushes in a row. Each caller still returns only once the commit
that holds its toy is on disk, and a batch that fails is retried toy by toy, so that one bad
toy fails alone.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Awaitable, Callable

from toys.domain import Toy
from toys.stores.sqlite_threads import guarded, write_transaction

type _Waiting = tuple[Toy, asyncio.Future[None]]


class GroupCommit:
    def __init__(
        self,
        write: Callable[[Callable[[], None]], Awaitable[None]],
        insert: Callable[[sqlite3.Connection, list[Toy]], object],
        connection: Callable[[], sqlite3.Connection],
    ) -> None:
        self._write = write
        self._insert = insert
        self._connection = connection
        self._pending: list[_Waiting] = []
        self._lock = threading.Lock()

    async def add(self, toy: Toy) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        with self._lock:
            self._pending.append((toy, future))
            first = len(self._pending) == 1
        if first:  # one flush per batch; later arrivals join the batch until it starts
            flush = asyncio.ensure_future(self._write(self._flush))
            flush.add_done_callback(self._flush_ended)
        await future

    def _flush_ended(self, flush: asyncio.Future[None]) -> None:
        """A flush that could not even run (the store closed): its waiting toys fail with it."""
        error = flush.exception()
        if error is None:
            return
        with self._lock:
            batch, self._pending = self._pending, []
        _settle([future for _, future in batch], [error] * len(batch))

    def _flush(self) -> None:
        """On the writer thread: every toy waiting now, in one transaction."""
        with self._lock:
            batch, self._pending = self._pending, []
        if not batch:
            return
        loop = batch[0][1].get_loop()
        try:
            self._commit([toy for toy, _ in batch])
            outcomes: list[BaseException | None] = [None] * len(batch)
        except Exception:
            outcomes = []
            for toy, _ in batch:  # one by one: only a bad toy fails
                try:
                    self._commit([toy])
                    outcomes.append(None)
                except Exception as exc:  # handed to that toy's caller
                    outcomes.append(exc)
        loop.call_soon_threadsafe(_settle, [future for _, future in batch], outcomes)

    def _commit(self, toys: list[Toy]) -> None:
        def work() -> None:
            with write_transaction(self._connection()) as db:
                self._insert(db, toys)

        guarded(work)  # SQLite's errors as StoreUnavailable, like every other store call


def _settle(futures: list[asyncio.Future[None]], outcomes: list[BaseException | None]) -> None:
    for future, error in zip(futures, outcomes, strict=True):
        if future.cancelled():
            continue
        if error is None:
            future.set_result(None)
        else:
            future.set_exception(error)
