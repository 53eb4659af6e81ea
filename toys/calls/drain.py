"""The drain gate: counts ToyService calls in flight, refuses new ones once draining starts.

Health (the standard service and ToyService/HealthCheck) and reflection are not gated: they
keep answering, so that probes see NOT_SERVING while calls finish.
"""

from __future__ import annotations

import asyncio
from typing import Protocol, cast

from grpclib.const import Status
from grpclib.events import RecvRequest, listen
from grpclib.exceptions import GRPCError
from grpclib.server import Server, Stream

GATED_SERVICE_PREFIX = "/toys.v1.ToyService/"
NOT_GATED = frozenset({"/toys.v1.ToyService/HealthCheck"})


class DrainState(Protocol):
    @property
    def draining(self) -> bool: ...


async def _refuse(stream: Stream[object, object]) -> None:
    raise GRPCError(Status.UNAVAILABLE, "server is shutting down; retry another replica")


class DrainGate:
    """Tracks gated calls; once `state.draining`, answers new ones UNAVAILABLE."""

    def __init__(self, state: DrainState) -> None:
        self._state = state
        self._tasks: set[asyncio.Task[object]] = set()
        self._idle = asyncio.Event()
        self._idle.set()

    def install(self, server: Server) -> None:
        listen(server, RecvRequest, self._on_request)

    @property
    def in_flight(self) -> int:
        return len(self._tasks)

    @property
    def draining(self) -> bool:
        return self._state.draining

    @staticmethod
    def gated(method: str) -> bool:
        """Whether `method` is refused while draining (and waited for)."""
        return method.startswith(GATED_SERVICE_PREFIX) and method not in NOT_GATED

    def track(self, task: asyncio.Task[object]) -> None:
        """Count `task` in flight until it ends (the HTTP port's calls)."""
        if task not in self._tasks:
            self._tasks.add(task)
            self._idle.clear()
            task.add_done_callback(self._finished)

    async def wait_idle(self) -> None:
        """Return once no gated call is in flight."""
        await self._idle.wait()

    async def cancel_in_flight(self) -> None:
        """Cancel the calls still running (each answers UNAVAILABLE) and wait for them."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _on_request(self, event: RecvRequest) -> None:
        if not self.gated(event.method_name):
            return
        if self._state.draining:
            # Replace the handler rather than raise: every other listener still sees the call.
            event.method_func = _refuse
            return
        handler = event.method_func

        async def counted(stream: Stream[object, object]) -> None:
            # grpclib runs every call in a task of its own, so there always is one. The call
            # counts until that task ends: after the handler, grpclib still sends the trailers.
            self.track(cast("asyncio.Task[object]", asyncio.current_task()))
            try:
                await handler(stream)
            except asyncio.CancelledError:
                if not self._state.draining:
                    raise  # the client went away or its deadline passed: grpclib handles it
                # The drain's grace period ran out: tell the client, instead of leaving it
                # waiting on a stream nobody will answer. Callbacks are idempotent, so a retry
                # elsewhere is safe even if the store committed the change.
                raise GRPCError(
                    Status.UNAVAILABLE, "server shut down before the call finished; retry"
                ) from None

        event.method_func = counted

    def _finished(self, task: asyncio.Task[object]) -> None:
        self._tasks.discard(task)
        if not self._tasks:
            self._idle.set()
