"""Values made from one state of a toy, kept by (id, revision): a row whose revision was seen
before is not parsed again (the stores), a toy is not encoded again (the gRPC adapter).

Sound because every write to a toy gives it a new revision (the rules count it; the stores
insist), so (id, revision) names exactly one state of a toy, on any replica; a deleted toy is
never looked up, since the row is read first, and ids are never reused (the server assigns
uuid4s; `copy` writes the same toys again). A store still forgets a toy it deletes, so that not
even a toy added again under an old id with other content (only tests do that) can meet a stale
entry. Bounded (least recently used go first) and safe across threads.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

DEFAULT_CAPACITY = 10_000


class ByRevision[T]:
    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self._capacity = capacity
        self._values: OrderedDict[tuple[str, int], T] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_make[S](self, toy_id: str, revision: int, make: Callable[[S], T], source: S) -> T:
        """The value kept for this state of the toy, else `make(source)`, kept from now on."""
        found = self.peek(toy_id, revision)
        if found is not None:
            return found
        made = make(source)
        with self._lock:
            self._values[(toy_id, revision)] = made
            if len(self._values) > self._capacity:
                self._values.popitem(last=False)
        return made

    def peek(self, toy_id: str, revision: int) -> T | None:
        """The value kept for this state of the toy, if any."""
        key = (toy_id, revision)
        with self._lock:
            found = self._values.get(key)
            if found is not None:
                self._values.move_to_end(key)
            return found

    def forget(self, toy_id: str) -> None:
        with self._lock:
            for key in [k for k in self._values if k[0] == toy_id]:
                del self._values[key]

    def clear(self) -> None:
        with self._lock:
            self._values.clear()

    def __len__(self) -> int:
        return len(self._values)
