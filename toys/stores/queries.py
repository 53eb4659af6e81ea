"""The one query that selects toys, for either database: by status, by id, after a page
cursor, oldest first (by create_time, then id). Both stores' list and their watch snapshots
read toys through it, so a filter means the same thing everywhere."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from toys.core.store import PageCursor
from toys.domain import ManufactureStatus, Toy
from toys.stores.records import field_types, to_us

COLUMNS = ", ".join(field_types(Toy))
# Since when the longest-running toy has run: its last change (the RUNNING callback), by index.
RUNNING_SINCE_SQL = "SELECT min(update_time) FROM toys WHERE status = 'Running'"
INSERT_SQLITE = f"INSERT INTO toys ({COLUMNS}) VALUES ({', '.join('?' * len(field_types(Toy)))})"


@dataclass(frozen=True, slots=True)
class Dialect:
    """How a database spells the n-th parameter, and the form it takes a time in."""

    placeholder: Callable[[int], str]
    time: Callable[[datetime], object]


SQLITE = Dialect(placeholder=lambda _: "?", time=to_us)
POSTGRES = Dialect(placeholder=lambda n: f"${n}", time=lambda value: value)


def select_toys(
    dialect: Dialect,
    *,
    status: ManufactureStatus | None = None,
    toy_id: str = "",
    after: PageCursor | None = None,
    limit: int | None = None,
    columns: str = COLUMNS,
) -> tuple[str, list[object]]:
    """The SQL and its parameters for the toys that match, oldest first (every column, or
    those named)."""
    clauses: list[str] = []
    params: list[object] = []

    def param(value: object) -> str:
        params.append(value)
        return dialect.placeholder(len(params))

    if status is not None:
        clauses.append(f"status = {param(status.value)}")
    if toy_id:
        clauses.append(f"id = {param(toy_id)}")
    if after is not None:
        at, toy = param(dialect.time(after.create_time)), param(after.toy_id)
        clauses.append(f"(create_time, id) > ({at}, {toy})")
    where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
    sql = f"SELECT {columns} FROM toys{where} ORDER BY create_time, id"
    if limit is not None:
        sql += f" LIMIT {param(limit)}"
    return sql, params
