"""Group commit: new toys that arrive while the writer is busy are written together, in one
transaction, with one durable commit.

With synchronous=FULL every commit waits for the disk; sixteen CreateToy calls in flight would
otherwise wait for sixteen flushes in a row. Each caller still returns only once the commit
that holds its toy is on disk, with what the insert answered for it (the toy, or the toy an
earlier request of the same request_id made, or a ToyError for that toy alone). A batch whose
transaction fails is retried toy by toy, so that one bad toy fails alone.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Awaitable, Callable, Sequence

from toys.domain import RequestKey, Toy, ToyError
from toys.stores.sqlite_threads import guarded, write_transaction

type NewToys = Sequence[tuple[Toy, RequestKey | None]]
type Answer = Toy | ToyError
type _Waiting = tuple[Toy, RequestKey | None, asyncio.Future[Toy]]


class GroupCommit:
    def __init__(
        self,
        write: Callable[[Callable[[], None]], Awaitable[None]],
        insert: Callable[[sqlite3.Connection, NewToys], list[Answer]],
        connection: Callable[[], sqlite3.Connection],
    ) -> None:
        self._write = write
        self._insert = insert
        self._connection = connection
        self._pending: list[_Waiting] = []
        self._lock = threading.Lock()

    async def add(self, toy: Toy, request: RequestKey | None) -> Toy:
        future: asyncio.Future[Toy] = asyncio.get_running_loop().create_future()
        with self._lock:
            self._pending.append((toy, request, future))
            first = len(self._pending) == 1
        if first:  # one flush per batch; later arrivals join the batch until it starts
            flush = asyncio.ensure_future(self._write(self._flush))
            flush.add_done_callback(self._flush_ended)
        return await future

    def _flush_ended(self, flush: asyncio.Future[None]) -> None:
        """A flush that could not even run (the store closed): its waiting toys fail with it."""
        error = flush.exception()
        if error is None:
            return
        with self._lock:
            batch, self._pending = self._pending, []
        _settle([future for *_, future in batch], [error] * len(batch))

    def _flush(self) -> None:
        """On the writer thread: every toy waiting now, in one transaction."""
        with self._lock:
            batch, self._pending = self._pending, []
        if not batch:
            return
        loop = batch[0][2].get_loop()
        outcomes: list[Answer | BaseException]
        try:
            outcomes = list(self._commit([(toy, request) for toy, request, _ in batch]))
        except Exception:
            outcomes = []
            for toy, request, _ in batch:  # one by one: only a bad toy fails
                try:
                    outcomes += self._commit([(toy, request)])
                except Exception as exc:  # handed to that toy's caller
                    outcomes.append(exc)
        loop.call_soon_threadsafe(_settle, [future for *_, future in batch], outcomes)

    def _commit(self, toys: NewToys) -> list[Answer]:
        def work() -> list[Answer]:
            with write_transaction(self._connection()) as db:
                return self._insert(db, toys)

        return guarded(work)  # SQLite's errors as StoreUnavailable, like every other store call


def _settle(futures: list[asyncio.Future[Toy]], outcomes: list[Answer | BaseException]) -> None:
    for future, outcome in zip(futures, outcomes, strict=True):
        if future.cancelled():
            continue
        if isinstance(outcome, BaseException):
            future.set_exception(outcome)
        else:
            future.set_result(outcome)
