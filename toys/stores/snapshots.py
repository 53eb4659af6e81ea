"""Snapshots a store hands a new watch: the toys as of one change sequence, page by page."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from toys.domain import Toy


class ListedSnapshot:
    """A snapshot already read whole (a store small enough, or with one connection)."""

    def __init__(self, sequence: int, toys: list[Toy]) -> None:
        self.sequence = sequence
        self._toys = toys

    async def next_toys(self, limit: int) -> list[Toy]:
        page, self._toys = self._toys[:limit], self._toys[limit:]
        return page


class PagedSnapshot:
    """A snapshot read from an open read transaction, `limit` toys at a time."""

    def __init__(self, sequence: int, fetch: Callable[[int], Awaitable[list[Toy]]]) -> None:
        self.sequence = sequence
        self._fetch = fetch

    async def next_toys(self, limit: int) -> list[Toy]:
        return await self._fetch(limit)
