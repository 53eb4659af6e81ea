"""The HTTP port's ASGI application: which path goes where.

- /toys.v1.ToyService/<Method>: Connect (unary in JSON or binary, GET for the methods that
  only read, WatchToys as a Connect stream) and gRPC-Web, by connect-python;
- /argo/v1/callbacks: Argo's `http` exit handler (toys.http_api.argo_callbacks);
- /healthz, /readyz: the probes; /metrics: Prometheus' text format;
- /, /toys/<id>, /ui/<file>: the dashboard (toys.http_api.dashboard).
Every API call runs through toys.http_api.calls (auth, drain, limits, logs, audit, metrics).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from grpclib.const import Status

from toys.http_api import argo_callbacks
from toys.http_api.calls import App, HttpCalls
from toys.http_api.dashboard import Dashboard
from toys.http_api.probes import Probes
from toys.http_api.responses import send_body, send_error

SERVICE = "/toys.v1.ToyService/"
# Methods that only read, which Connect may send as GET (NO_SIDE_EFFECTS in the proto).
READ_ONLY = frozenset(
    f"{SERVICE}{name}" for name in ("GetToy", "ListToys", "HealthCheck", "GetToyHistory")
)

Scrape = Callable[[], Awaitable[tuple[bytes, bytes]]]  # -> (content type, body)


class HttpApi:
    def __init__(
        self,
        *,
        calls: HttpCalls,
        connect: App,
        argo: App,
        probes: Probes,
        metrics: Scrape | None = None,
        dashboard: Dashboard | None = None,
    ) -> None:
        self._calls = calls
        self._connect = connect
        self._argo = argo
        self._probes = probes
        self._metrics = metrics
        self._dashboard = dashboard

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return  # no lifespan or websockets here (uvicorn is told so)
        path, verb = scope["path"], scope["method"]
        if path.startswith(SERVICE):
            if verb == "POST" or (verb == "GET" and path in READ_ONLY):
                await self._calls(path, self._connect, scope, receive, send)
            else:
                await _not_allowed(send, "POST, GET" if path in READ_ONLY else "POST")
        elif path == argo_callbacks.PATH:
            if verb == "POST":
                await self._calls(argo_callbacks.METHOD, self._argo, scope, receive, send)
            else:
                await _not_allowed(send, "POST")
        elif verb not in ("GET", "HEAD"):
            await _not_allowed(send, "GET")
        elif path == "/healthz":
            await self._probes.healthz(send)
        elif path == "/readyz":
            await self._probes.readyz(send)
        elif path == "/metrics" and self._metrics is not None:
            content_type, body = await self._metrics()
            await send_body(send, 200, body, content_type)
        elif self._dashboard is not None and self._dashboard.handles(path):
            if not await self._dashboard(scope, send):
                await send_error(send, Status.NOT_FOUND, f"no such path: {path[:200]}")
        else:
            await send_error(send, Status.NOT_FOUND, f"no such path: {path[:200]}")


async def _not_allowed(send: Any, allowed: str) -> None:
    await send_body(
        send,
        405,
        b'{"code":"unimplemented","message":"method not allowed"}',
        b"application/json",
        [(b"allow", allowed.encode())],
    )
