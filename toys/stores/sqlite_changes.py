"""The SQLite change log: a row per committed change, written in the write's transaction.

Sequences come from the table's AUTOINCREMENT key: SQLite has one writer at a time, so they
grow in commit order, and AUTOINCREMENT never hands one out twice, even after pruning. A
snapshot for a new watch is read on a connection of its own inside one read transaction, so
the toys it lists and the sequence it names are one state of the database.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any, cast

from toys.domain import ChangeKind, ManufactureStatus, Toy, ToyChange
from toys.stores.records import field_types, from_columns, from_document, toy_document

_RECORD = "INSERT INTO toy_changes (toy_id, kind, previous_status, toy) VALUES (?, ?, ?, ?)"
_AFTER = (
    "SELECT sequence, kind, previous_status, toy FROM toy_changes "
    "WHERE sequence > ? ORDER BY sequence LIMIT ?"
)
_HEAD = "SELECT seq FROM sqlite_sequence WHERE name = 'toy_changes'"


def record(
    db: sqlite3.Connection,
    kind: ChangeKind,
    toys: Sequence[Toy],
    previous: ManufactureStatus | None = None,
) -> None:
    """Log `kind` for each toy, inside the caller's write transaction."""
    db.executemany(
        _RECORD,
        [
            (toy.id, kind.value, previous.value if previous else None, toy_document(toy))
            for toy in toys
        ],
    )


def prune(db: sqlite3.Connection, keep: int) -> None:
    """Forget all but the newest `keep` changes (inside the caller's write transaction)."""
    db.execute(
        "DELETE FROM toy_changes WHERE sequence <= "
        "(SELECT coalesce(max(sequence), 0) FROM toy_changes) - ?",
        (keep,),
    )


def _changes(rows: Iterable[Any]) -> list[ToyChange]:
    return [
        ToyChange(
            sequence=row[0],
            kind=ChangeKind(row[1]),
            toy=cast("Toy", from_document(Toy, row[3])),
            previous_status=ManufactureStatus(row[2]) if row[2] is not None else None,
        )
        for row in rows
    ]


def changes_after(conn: sqlite3.Connection, sequence: int, limit: int) -> list[ToyChange]:
    return _changes(conn.execute(_AFTER, (sequence, limit)))


_OF_TOY = (
    "SELECT sequence, kind, previous_status, toy FROM toy_changes "
    "WHERE toy_id = ? ORDER BY sequence DESC LIMIT ?"
)


def changes_of(conn: sqlite3.Connection, toy_id: str, limit: int) -> list[ToyChange]:
    """The newest `limit` changes of one toy, oldest first."""
    return list(reversed(_changes(conn.execute(_OF_TOY, (toy_id, limit)))))


def history(conn: sqlite3.Connection) -> tuple[int, int]:
    """(floor, head): every change after `floor` is kept; `head` is the latest sequence."""
    row = conn.execute(_HEAD).fetchone()
    head = int(row[0]) if row is not None else 0
    oldest = conn.execute("SELECT min(sequence) FROM toy_changes").fetchone()[0]
    return (head if oldest is None else int(oldest) - 1), head


def parse_toys(rows: Sequence[sqlite3.Row]) -> list[Toy]:
    names = list(field_types(Toy))
    return [cast("Toy", from_columns(Toy, dict(zip(names, row, strict=True)))) for row in rows]
