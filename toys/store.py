"""What the service needs from storage: the ToyStore port, its error, and a delegating base.

Implementations live in toys.stores; wrappers (tracing) and test doubles derive from
DelegatingStore and override only what they change.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from toys.domain import ManufactureStatus, Toy, ToyError


class StoreUnavailable(ToyError):
    """The store could not do its work (I/O error, corrupt or locked database, no connection)."""


@dataclass(frozen=True, slots=True)
class PageCursor:
    """Where the previous page ended: toys are listed by (create_time, id)."""

    create_time: datetime
    toy_id: str


type Change[R] = Callable[[Toy], tuple[Toy | None, R]]


class ToyStore(Protocol):
    """Durable toys. Every method raises StoreUnavailable when storage fails."""

    async def add(self, toy: Toy) -> None:
        """Store a new toy."""

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

    async def deployment_key(self) -> bytes:
        """A random secret made once per database, the same for every server on it (the key
        that makes page tokens tamper-evident)."""

    async def close(self) -> None:
        """Release connections and threads. Idempotent."""


class DelegatingStore:
    """A ToyStore that passes every call to `inner`; subclasses override what they change."""

    def __init__(self, inner: ToyStore) -> None:
        self.inner = inner

    async def add(self, toy: Toy) -> None:
        await self.inner.add(toy)

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

    async def deployment_key(self) -> bytes:
        return await self.inner.deployment_key()

    async def close(self) -> None:
        await self.inner.close()


class BulkStore(ToyStore, Protocol):
    """What `toys-server copy` needs beyond the port: many toys at once, how many, none."""

    async def add_many(self, toys: Sequence[Toy]) -> None:
        """Store many new toys in one transaction."""

    async def count(self) -> int:
        """How many toys there are."""

    async def clear(self) -> None:
        """Remove every toy."""
