"""Use cases: create, get, list, report a run, reset, delete, a toy's history. Plain values
in, domain out."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from toys import domain
from toys.core.page_tokens import PageTokens
from toys.core.store import PageCursor, ToyStore
from toys.domain import (
    CallbackOutcome,
    CallbackResult,
    ChangeKind,
    InvalidArgument,
    ManufactureStatus,
    NewToy,
    Toy,
    ToyChange,
    WorkflowRun,
)
from toys.domain.limits import DEFAULT_CLOCK_SKEW

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000
# The newest changes of one toy a history shows (a toy reported every minute for 16 hours).
MAX_HISTORY = 1000


def utc_now() -> datetime:
    return datetime.now(UTC)


def new_toy_id() -> str:
    return str(uuid.uuid4())


@dataclass(frozen=True, slots=True)
class ToyPage:
    toys: list[Toy]
    next_page_token: str


@dataclass(frozen=True, slots=True)
class ToyHistory:
    """A toy's changes, oldest first; `complete` when they go back to its creation (the change
    log keeps the newest changes of the store, and a history shows MAX_HISTORY at most)."""

    changes: Sequence[ToyChange]
    complete: bool


class ToyService:
    """The toy use cases over one ToyStore."""

    def __init__(
        self,
        store: ToyStore,
        page_tokens: PageTokens,
        *,
        clock: Callable[[], datetime] = utc_now,
        new_id: Callable[[], str] = new_toy_id,
        clock_skew: timedelta = DEFAULT_CLOCK_SKEW,
    ) -> None:
        self._store = store
        self._page_tokens = page_tokens
        self._clock = clock
        self._new_id = new_id
        self._clock_skew = clock_skew

    async def create(self, new: NewToy, request_id: str = "") -> Toy:
        """A new toy; with a request_id, the toy an earlier request of that id made, if any."""
        toy = domain.create_toy(new, self._new_id(), self._clock())
        return await self._store.add(toy, domain.request_key(request_id, new))

    async def get(self, toy_id: str) -> Toy:
        return await self._store.get(domain.check_toy_id(toy_id))

    async def list(
        self, *, page_size: int = 0, page_token: str = "", status: ManufactureStatus | None = None
    ) -> ToyPage:
        if page_size < 0:
            raise InvalidArgument("page_size", f"must not be negative, got {page_size}")
        size = min(page_size or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
        after = self._page_tokens.decode(page_token, status) if page_token else None
        # One extra row tells whether another page follows, so the last page has no token.
        toys = await self._store.list(status=status, after=after, limit=size + 1)
        if len(toys) <= size:
            return ToyPage(toys, "")
        page = toys[:size]
        last = page[-1]
        return ToyPage(
            page, self._page_tokens.encode(PageCursor(last.create_time, last.id), status)
        )

    async def report_run(self, toy_id: str, run: WorkflowRun) -> CallbackResult:
        domain.check_toy_id(toy_id, "toy_id")
        now = self._clock()
        domain.validate_run(run, now=now, skew=self._clock_skew)

        def change(toy: Toy) -> tuple[Toy | None, CallbackResult]:
            result = domain.apply_run(toy, run, now)
            return (result.toy if result.outcome is CallbackOutcome.APPLIED else None), result

        return await self._store.update(toy_id, change)

    async def history(self, toy_id: str) -> ToyHistory:
        changes = await self._store.changes_of(domain.check_toy_id(toy_id), MAX_HISTORY)
        if not changes:
            await self._store.get(toy_id)  # NOT_FOUND when there is no such toy
        complete = bool(changes) and changes[0].kind is ChangeKind.ADDED
        return ToyHistory(changes, complete)

    async def delete(self, toy_id: str) -> None:
        await self._store.delete(domain.check_toy_id(toy_id))

    async def reset(self, toy_id: str) -> Toy:
        now = self._clock()

        def change(toy: Toy) -> tuple[Toy | None, Toy]:
            reset = domain.reset_toy(toy, now)
            return reset, reset

        return await self._store.update(domain.check_toy_id(toy_id), change)
