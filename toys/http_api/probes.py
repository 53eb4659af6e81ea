"""/healthz and /readyz: what grpc.health.v1's two names mean on the gRPC port.

/healthz is liveness (the `liveness` service name): the process answers, 200. /readyz is
readiness (the "" name): 200 while the server takes calls, 503 while it drains or its store's
last probe failed, with the reason. Both are open, like gRPC health, and never cached.
"""

from __future__ import annotations

from typing import Any

from toys.core.readiness import Readiness
from toys.http_api.responses import send_json


class Probes:
    def __init__(self, readiness: Readiness, version: str) -> None:
        self._readiness = readiness
        self._version = version

    async def healthz(self, send: Any) -> None:
        await send_json(send, 200, {"status": "SERVING", "version": self._version})

    async def readyz(self, send: Any) -> None:
        serving = await self._readiness.refresh()
        body: dict[str, Any] = {
            "status": "SERVING" if serving else "NOT_SERVING",
            "version": self._version,
            "store_ok": self._readiness.store_ok,
        }
        if self._readiness.draining:
            body["detail"] = "draining: the server is shutting down"
        elif self._readiness.store_detail:
            body["detail"] = self._readiness.store_detail
        await send_json(send, 200 if serving else 503, body)
