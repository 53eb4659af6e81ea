"""What the service needs from storage: the ToyStore port, its error, and a delegating base.

Implementations live in toys.stores; wrappers (tracing) and test doubles derive from
DelegatingStore and override only what they change.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from toys.domain import ManufactureStatus, RequestKey, Toy, ToyChange, ToyError, WatchFilter

# How many of the newest changes a store's change log keeps by default: a watch can resume
# from a token at most this many changes old.
KEEP_CHANGES = 50_000


class StoreUnavailable(ToyError):
    """The store could not do its work (I/O error, corrupt or locked database, no connection)."""


@dataclass(frozen=True, slots=True)
class StatusSummary:
    """How many toys are in each status, and since when the longest-running toy has been
    RUNNING (its last change; None when none runs): what /metrics reports of the store."""

    counts: Mapping[ManufactureStatus, int]
    running_since: datetime | None


@dataclass(frozen=True, slots=True)
class PageCursor:
    """Where the previous page ended: toys are listed by (create_time, id)."""

    create_time: datetime
    toy_id: str


type Change[R] = Callable[[Toy], tuple[Toy | None, R]]


def check_next_revision(current: Toy, new: Toy) -> None:
    """Every write is the next revision (the rules count it): what makes (id, revision) name
    one state. A change that forgot to is a bug, and stores refuse to write it."""
    if new.revision != current.revision + 1:
        raise AssertionError(f"a change to {current.id} kept revision {new.revision}")


class Snapshot(Protocol):
    """The toys a watch selects as they stood at one point of the change log."""

    sequence: int  # the last change this state includes

    async def next_toys(self, limit: int) -> list[Toy]:
        """The next at most `limit` toys, oldest first; [] once all were read."""


class ToyStore(Protocol):
    """Durable toys. Every method raises StoreUnavailable when storage fails."""

    async def add(self, toy: Toy, request: RequestKey | None = None) -> Toy:
        """Store a new toy and return it; with `request`, atomically with the request's key,
        unless a request of that id was stored before: then store nothing and return the toy
        that request made (RequestIdReused when it asked for something else)."""

    async def get(self, toy_id: str) -> Toy:
        """The toy with this id; raises ToyNotFound."""

    async def list(
        self, *, status: ManufactureStatus | None, after: PageCursor | None, limit: int
    ) -> list[Toy]:
        """Up to `limit` toys ordered by (create_time, id), strictly after `after`."""

    async def update[R](self, toy_id: str, change: Change[R]) -> R:
        """Apply `change` to the toy atomically and return its second value.

        `change` gets the toy as stored and returns (the toy to store, or None to leave it
        unchanged; a result for the caller). No other change to that toy can interleave, so
        concurrent updates never lose one another. Errors raised by `change` abort the update.
        Raises ToyNotFound.
        """

    async def delete(self, toy_id: str) -> None:
        """Remove the toy; raises ToyNotFound."""

    async def ping(self) -> None:
        """Return when storage can read and write; raise StoreUnavailable otherwise."""

    # The change log: every add, update and delete is recorded in its own transaction.

    async def changes_after(self, sequence: int, limit: int) -> Sequence[ToyChange]:
        """Up to `limit` changes with a larger sequence, in sequence (= commit) order."""

    async def change_history(self) -> tuple[int, int]:
        """(floor, head): every change after `floor` is still kept; `head` is the latest
        sequence (0 before the first change)."""

    def snapshot(self, watch: WatchFilter) -> AbstractAsyncContextManager[Snapshot]:
        """The toys `watch` selects and the sequence of the last change they include, read
        as one state of the store, for as long as the context is open."""

    async def wait_for_changes(self, timeout_s: float) -> None:
        """Return soon after a change is committed (by this server or, on a shared store, by
        any), or after `timeout_s`. For one waiter: the server's change feed."""

    async def deployment_key(self) -> bytes:
        """A random secret made once per database, the same for every server on it (the key
        that makes page tokens tamper-evident)."""

    async def changes_of(self, toy_id: str, limit: int) -> Sequence[ToyChange]:
        """The newest `limit` changes of one toy that the change log keeps, oldest first
        (deleted toys' too)."""

    async def status_summary(self) -> StatusSummary:
        """The toys by status (a read of the whole table's status index: for a scrape every
        few seconds, not for every call)."""

    async def close(self) -> None:
        """Release connections and threads. Idempotent."""


class DelegatingStore:
    """A ToyStore that passes every call to `inner`; subclasses override what they change."""

    def __init__(self, inner: ToyStore) -> None:
        self.inner = inner

    async def add(self, toy: Toy, request: RequestKey | None = None) -> Toy:
        return await self.inner.add(toy, request)

    async def get(self, toy_id: str) -> Toy:
        return await self.inner.get(toy_id)

    async def list(
        self, *, status: ManufactureStatus | None, after: PageCursor | None, limit: int
    ) -> list[Toy]:
        return await self.inner.list(status=status, after=after, limit=limit)

    async def update[R](self, toy_id: str, change: Change[R]) -> R:
        return await self.inner.update(toy_id, change)

    async def delete(self, toy_id: str) -> None:
        await self.inner.delete(toy_id)

    async def ping(self) -> None:
        await self.inner.ping()

    async def changes_after(self, sequence: int, limit: int) -> Sequence[ToyChange]:
        return await self.inner.changes_after(sequence, limit)

    async def change_history(self) -> tuple[int, int]:
        return await self.inner.change_history()

    def snapshot(self, watch: WatchFilter) -> AbstractAsyncContextManager[Snapshot]:
        return self.inner.snapshot(watch)

    async def wait_for_changes(self, timeout_s: float) -> None:
        await self.inner.wait_for_changes(timeout_s)

    async def deployment_key(self) -> bytes:
        return await self.inner.deployment_key()

    async def status_summary(self) -> StatusSummary:
        return await self.inner.status_summary()

    async def changes_of(self, toy_id: str, limit: int) -> Sequence[ToyChange]:
        return await self.inner.changes_of(toy_id, limit)

    async def close(self) -> None:
        await self.inner.close()


class BulkStore(ToyStore, Protocol):
    """What `toys-server copy` needs beyond the port: many toys at once, how many, none."""

    async def add_many(self, toys: Sequence[Toy]) -> None:
        """Store many new toys in one transaction."""

    async def count(self) -> int:
        """How many toys there are."""

    async def max_revision(self) -> int:
        """The highest revision of any toy (0 without toys)."""

    async def load(self, batches: AsyncIterator[Sequence[list[object]]], *, replace: bool) -> int:
        """Every toy of `batches` (first removing every toy there is, if `replace`), in one
        transaction: on any failure the store is left as it was. Returns how many. A toy is
        its columns in field order, times in microseconds, documents as JSON text (what
        toys.stores.records.to_columns gives)."""

    async def clear(self) -> None:
        """Remove every toy."""
