"""Toys already read, by (id, revision): a row whose revision a store has seen before is not
parsed again.

Sound because every write to a toy gives it a new revision (the stores set it), so (id,
revision) names exactly one state of a toy, on any replica; a deleted toy is never looked up,
since the row is read first, and ids are never reused (the server assigns uuid4s; `copy`
writes the same toys again). A store still forgets a toy it deletes, so that not even a toy
added again under an old id with other content (only tests do that) can meet a stale entry.
Bounded (least recently used go first) and safe across threads.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from toys.domain import Toy

DEFAULT_CAPACITY = 10_000


class ToyCache:
    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self._capacity = capacity
        self._toys: OrderedDict[tuple[str, int], Toy] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_parse(
        self, toy_id: str, revision: int, row: Any, parse: Callable[[Any], Toy]
    ) -> Toy:
        key = (toy_id, revision)
        with self._lock:
            found = self._toys.get(key)
            if found is not None:
                self._toys.move_to_end(key)
                return found
        toy = parse(row)
        with self._lock:
            self._toys[key] = toy
            if len(self._toys) > self._capacity:
                self._toys.popitem(last=False)
        return toy

    def forget(self, toy_id: str) -> None:
        with self._lock:
            for key in [k for k in self._toys if k[0] == toy_id]:
                del self._toys[key]

    def clear(self) -> None:
        with self._lock:
            self._toys.clear()

    def __len__(self) -> int:
        return len(self._toys)
