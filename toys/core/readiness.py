"""Readiness: the one answer to "should this server take calls?".

Every adapter's health answer (ToyService/HealthCheck, grpc.health.v1 through
toys.grpc_api.health) and the drain gate read the same Readiness. It is NOT_SERVING while
draining, or while the store's last probe failed. A probe's result is reused for
`interval_s`; concurrent askers share one probe, and a probe that takes longer than
`timeout_s` counts as a failure, so a health call never waits longer than that for the store.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from toys.domain import ToyError

log = logging.getLogger("toys.health")


class Readiness:
    """Draining or not, and the store's health as last probed."""

    def __init__(
        self, probe: Callable[[], Awaitable[None]], *, interval_s: float, timeout_s: float = 2.0
    ) -> None:
        self._probe = probe
        self.interval_s = interval_s
        self._timeout_s = timeout_s
        self.draining = False
        self.store_ok = True
        self.store_detail = ""
        self._checked_at: float | None = None
        self._probing: asyncio.Task[None] | None = None
        self._watchers: set[asyncio.Event] = set()

    @property
    def serving(self) -> bool:
        return self.store_ok and not self.draining

    def begin_drain(self) -> None:
        """NOT_SERVING from now on; ToyService calls are refused from now on."""
        self.draining = True
        self._notify()

    async def refresh(self) -> bool:
        """Probe the store unless the last probe is recent enough; return `serving`."""
        fresh = self._checked_at is not None and (
            time.monotonic() - self._checked_at < self.interval_s
        )
        if not fresh:
            if self._probing is None or self._probing.done():
                self._probing = asyncio.create_task(self._probe_store())
            await asyncio.shield(self._probing)
        return self.serving

    async def _probe_store(self) -> None:
        try:
            await asyncio.wait_for(self._probe(), self._timeout_s)
        except ToyError as exc:
            self._record(ok=False, detail=exc.message)
        except TimeoutError:
            self._record(ok=False, detail=f"no answer from the store within {self._timeout_s:g}s")
        else:
            self._record(ok=True, detail="")

    def _record(self, *, ok: bool, detail: str) -> None:
        self._checked_at = time.monotonic()
        changed = ok != self.store_ok
        self.store_ok, self.store_detail = ok, detail
        if changed:
            if ok:
                log.info("store healthy again")
            else:
                log.warning("store health probe failed: %s", detail)
            self._notify()

    def subscribe(self) -> asyncio.Event:
        """An event set whenever `serving` may have changed."""
        event = asyncio.Event()
        self._watchers.add(event)
        return event

    def unsubscribe(self, event: asyncio.Event) -> None:
        self._watchers.discard(event)

    def _notify(self) -> None:
        for event in self._watchers:
            event.set()
