"""Changes to toys as watchers see them: the events the change log keeps, and what a watch
with a filter makes of each (a toy entering a filtered status is ADDED to that view)."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from toys.domain.model import ManufactureStatus, Toy


class ChangeKind(enum.StrEnum):
    """What happened to a toy, as the change log keeps it and a watch tells it; SYNCED is a
    watch's alone (its initial toys end there) and never in the log."""

    ADDED = "ADDED"
    MODIFIED = "MODIFIED"
    DELETED = "DELETED"
    SYNCED = "SYNCED"


@dataclass(frozen=True, slots=True)
class ToyChange:
    """One committed change to one toy."""

    # Store-wide and increasing in commit order, whichever server committed it; not dense.
    sequence: int
    kind: ChangeKind
    # The toy after the change; its last state when DELETED.
    toy: Toy
    # Its status before the change; None when ADDED.
    previous_status: ManufactureStatus | None


@dataclass(frozen=True, slots=True)
class WatchFilter:
    """Which toys a watch follows: every toy, one toy, and/or the toys in one status."""

    status: ManufactureStatus | None = None
    toy_id: str = ""

    def selects(self, toy: Toy) -> bool:
        return (not self.toy_id or toy.id == self.toy_id) and (
            self.status is None or toy.status is self.status
        )

    def view(self, change: ToyChange) -> ChangeKind | None:
        """What a watch with this filter is told of a change, or None when it is not told."""
        if self.toy_id and change.toy.id != self.toy_id:
            return None
        if self.status is None:
            return change.kind
        was_in = change.previous_status is self.status
        is_in = change.kind is not ChangeKind.DELETED and change.toy.status is self.status
        if was_in and is_in:
            return ChangeKind.MODIFIED
        if is_in:
            return ChangeKind.ADDED
        if was_in:
            return ChangeKind.DELETED
        return None
