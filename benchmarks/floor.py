"""A factory floor of toys for the dashboard: names, designers and makers, every status,
runs that finished over the last day (more of them lately), some with failures. Written
straight into a store (BulkStore.add_many), so 10,000 toys take a second or two."""

from __future__ import annotations

import asyncio
import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from toys.core.store import BulkStore
from toys.domain import ManufactureStatus, NewToy, Toy, WorkflowFailure, WorkflowRun, create_toy
from toys.stores.opening import open_store

S = ManufactureStatus
KINDS = ["Kite", "Robot", "Yo-yo", "Train", "Plane", "Puzzle", "Drum", "Boat", "Rocket", "Bear"]
COLOURS = ["Red", "Blue", "Green", "Amber", "Violet", "Silver", "Teal", "Coral"]
DESIGNERS = ["Ada", "Grace", "Linus", "Margaret", "Ken", "Barbara", "Edsger", "Radia"]
MAKERS = ["Acme Toys", "Northwind Works", "Globex Line 2", "Initech Floor B"]
STATUSES = [(S.PENDING, 15), (S.RUNNING, 10), (S.SUCCEEDED, 55), (S.FAILED, 12), (S.ERROR, 8)]


def toy(index: int, now: datetime, rng: random.Random) -> Toy:
    created = now - timedelta(hours=30) + timedelta(seconds=index * 5)
    made = create_toy(
        NewToy(
            name=f"{rng.choice(COLOURS)} {rng.choice(KINDS)} {index:05d}",
            designer=rng.choice(DESIGNERS),
            manufacturer=rng.choice(MAKERS),
        ),
        f"toy-{index:05d}-{rng.getrandbits(32):08x}",
        created,
    )
    status = rng.choices([s for s, _ in STATUSES], [w for _, w in STATUSES])[0]
    if status is S.PENDING:
        return made
    # Finished within the last day, more of them lately.
    finished = now - timedelta(hours=24 * rng.random() ** 2)
    started = finished - timedelta(minutes=rng.randint(2, 40))
    failures: tuple[WorkflowFailure, ...] = ()
    if status in (S.FAILED, S.ERROR):
        failures = (
            WorkflowFailure(
                display_name="assemble",
                message=f"exit code {rng.randint(1, 9)}",
                template_name="assemble",
                phase="Failed" if status is S.FAILED else "Error",
                finished_at=finished,
            ),
        )
    units = rng.randint(1, 40) if status is S.SUCCEEDED else 0
    run = WorkflowRun(
        uid=f"run-{index:05d}",
        creation_time=started,
        status=status,
        name=f"make-toy-{index:05d}",
        namespace="toy-factory",
        started_at=started,
        finished_at=None if status is S.RUNNING else finished,
        failures=failures,
        units_produced=units,
    )
    return replace(
        made,
        status=status,
        last_run=run,
        number_manufactured=units,
        manufacture_time=finished if status is S.SUCCEEDED else None,
        update_time=started if status is S.RUNNING else finished,
        applied_callbacks=((run.uid, status),),
    )


async def fill_floor(db: str, count: int, seed: int = 7) -> None:
    rng = random.Random(seed)  # noqa: S311  # made-up toys, the same every run: no secret
    now = datetime.now(UTC)
    store: BulkStore = await open_store(db)
    try:
        batch = [toy(index, now, rng) for index in range(count)]
        for start in range(0, count, 1000):
            await store.add_many(batch[start : start + 1000])
    finally:
        await store.close()


def fill_floor_sync(db: str, count: int) -> None:
    asyncio.run(fill_floor(db, count))
