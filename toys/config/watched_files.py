"""A value loaded from files, loaded again when they change (inode, modification time, size).

Rotated certificates and edited access files take effect without a restart. What happens when
a change leaves the files unusable is the caller's choice:
- by default the old value is kept and a warning logged, and the next check tries again: a
  certificate half written, or a key that does not match its new certificate yet;
- with `degrade`, which may answer (a new value, what it means), the value becomes that, with
  one ERROR line, until the files load again: the access file applies removals only, so that
  a revocation never waits for a typo to be fixed, and a client CA that cannot be read stops
  new TLS connections (both fail closed).
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable

log = logging.getLogger("toys.server")

type Signature = list[tuple[int, int, int]] | None  # None: a file is missing


def signature(paths: list[str]) -> Signature:
    found = []
    for path in paths:
        try:
            stat = os.stat(path)
        except OSError:
            return None
        found.append((stat.st_ino, stat.st_mtime_ns, stat.st_size))
    return found


class WatchedFiles[T]:
    """`value` is `load()` of the files as they were at the last successful load (or what
    `degrade` made of it since)."""

    def __init__(
        self,
        paths: list[str],
        load: Callable[[], T],
        *,
        what: str,
        errors: tuple[type[Exception], ...] = (OSError, ValueError),
        degrade: Callable[[T, Exception], tuple[T, str] | None] | None = None,
    ) -> None:
        self._paths = paths
        self._load = load
        self._what = what
        self._errors = errors
        self._degrade = degrade
        self._signature = signature(paths)
        self.value = load()  # errors here stop the server: there is nothing to fall back on
        self.reloads = 0
        self.degraded = False

    def reload_if_changed(self) -> bool:
        """Load again if any file changed since the last look; True when the value changed."""
        current = signature(self._paths)
        if current == self._signature:
            return False
        try:
            if current is None:
                raise FileNotFoundError(f"{self._what}: a file is missing")
            value = self._load()
        except self._errors as exc:
            degraded = self._degrade(self.value, exc) if self._degrade is not None else None
            if degraded is None:
                log.warning(
                    "%s changed but cannot be loaded yet (%s); keeping the old", self._what, exc
                )
                return False
            (self.value, meaning), self._signature = degraded, current
            self.degraded = True
            log.error("%s cannot be loaded (%s); until it can, %s", self._what, exc, meaning)
            return True
        self.value, self._signature = value, current
        self.reloads += 1
        self.degraded = False
        log.info("%s reloaded", self._what)
        return True

    async def watch(self, interval_s: float) -> None:
        """Check every `interval_s`, forever (cancel to stop)."""
        while True:
            await asyncio.sleep(interval_s)
            self.reload_if_changed()
