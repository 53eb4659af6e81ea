"""GET /metrics: the registry in Prometheus' text format, with the store's summary and the
readiness read at most once per SUMMARY_TTL_S however often (and however many at once)
scrapers ask."""

from __future__ import annotations

import asyncio
import logging
import time

from prometheus_client import CONTENT_TYPE_PLAIN_0_0_4, generate_latest

from toys.core.readiness import Readiness
from toys.core.store import StatusSummary, ToyStore
from toys.domain import ToyError
from toys.metrics.server_metrics import ServerMetrics

log = logging.getLogger("toys.server")

SUMMARY_TTL_S = 5.0


class Scraper:
    def __init__(self, metrics: ServerMetrics, store: ToyStore, readiness: Readiness) -> None:
        self._metrics = metrics
        self._store = store
        self._readiness = readiness
        self._lock = asyncio.Lock()
        self._read_at = -SUMMARY_TTL_S
        self.summary: StatusSummary | None = None

    async def _refresh(self) -> None:
        async with self._lock:
            if time.monotonic() - self._read_at < SUMMARY_TTL_S:
                return
            self._read_at = time.monotonic()
            serving = await self._readiness.refresh()
            self._metrics.ready.set(1 if serving else 0)
            try:
                self.summary = await self._store.status_summary()
            except ToyError as exc:  # the store is down: readiness says so; keep the last
                log.debug("no store summary for /metrics: %s", exc.message)

    async def __call__(self) -> tuple[bytes, bytes]:
        """(content type, body) of one scrape."""
        await self._refresh()
        # 0.0.4: the text format every Prometheus since 2.0 reads.
        return CONTENT_TYPE_PLAIN_0_0_4.encode(), generate_latest(self._metrics.registry)
