"""What the service needs from storage: the ToyStore port."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from toys.domain import ManufactureStatus, Toy


@dataclass(frozen=True, slots=True)
class PageCursor:
    """Where the previous page ended: toys are listed by (create_time, id)."""

    create_time: datetime
    toy_id: str


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

    async def update[R](self, toy_id: str, change: Callable[[Toy], tuple[Toy | None, R]]) -> R:
        """Apply `change` to the toy atomically and return its second value.

        `change` gets the toy as stored and returns (the toy to store, or None to leave it
        unchanged; a result for the caller). No other change to that toy can interleave, so
        concurrent updates never lose one another. Errors raised by `change` abort the update.
        Raises ToyNotFound.
        """

    async def delete(self, toy_id: str) -> None:
        """Remove the toy; raises ToyNotFound."""

    async def ping(self) -> None:
        """Return when storage answers a query; raise StoreUnavailable otherwise."""

    async def close(self) -> None:
        """Release connections and threads. Idempotent."""
