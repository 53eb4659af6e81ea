"""A value loaded from files, loaded again when they change (inode, modification time, size).

Rotated certificates and edited access files take effect without a restart. A change that
leaves the files unusable for a moment (half written, a key that does not match its new
certificate yet) is logged and the old value kept; the next check tries again.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable

log = logging.getLogger("toys.server")


def signature(paths: list[str]) -> list[tuple[int, int, int]]:
    """Raises OSError when a file is missing (mid-rotation, say)."""
    found = []
    for path in paths:
        stat = os.stat(path)
        found.append((stat.st_ino, stat.st_mtime_ns, stat.st_size))
    return found


class WatchedFiles[T]:
    """`value` is `load()` of the files as they were at the last successful load."""

    def __init__(
        self,
        paths: list[str],
        load: Callable[[], T],
        *,
        what: str,
        errors: tuple[type[Exception], ...] = (OSError, ValueError),
    ) -> None:
        self._paths = paths
        self._load = load
        self._what = what
        self._errors = errors
        self._signature = signature(paths)
        self.value = load()  # errors here stop the server: there is nothing to fall back on
        self.reloads = 0

    def reload_if_changed(self) -> bool:
        """Load again if any file changed since the last load; True when the value changed."""
        try:
            current = signature(self._paths)
            if current == self._signature:
                return False
            value = self._load()
        except self._errors as exc:
            log.warning(
                "%s changed but cannot be loaded yet (%s); keeping the old", self._what, exc
            )
            return False
        self.value, self._signature = value, current
        self.reloads += 1
        log.info("%s reloaded", self._what)
        return True

    async def watch(self, interval_s: float) -> None:
        """Check every `interval_s`, forever (cancel to stop)."""
        while True:
            await asyncio.sleep(interval_s)
            self.reload_if_changed()
