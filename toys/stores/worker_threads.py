"""Threads that run blocking calls for an event loop, each result handed straight to an asyncio
future. The same job as run_in_executor, without its concurrent.futures.Future and the chaining
between the two futures: for a point read that takes microseconds, the hop was most of the
cost."""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
from collections.abc import Callable
from typing import Any

type _Job = tuple[Callable[[], Any], asyncio.Future[Any], asyncio.AbstractEventLoop]


def _settle(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if future.cancelled():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


class WorkerThreads:
    def __init__(self, count: int, name: str) -> None:
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._threads = [
            threading.Thread(target=self._run, name=f"{name}-{index}", daemon=True)
            for index in range(count)
        ]
        self.closed = False
        for thread in self._threads:
            thread.start()

    def submit[T](self, work: Callable[[], T]) -> asyncio.Future[T]:
        """Run `work` on one of the threads; raises RuntimeError once shut down."""
        if self.closed:
            raise RuntimeError("the worker threads are shut down")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._jobs.put((work, future, loop))
        return future

    def _run(self) -> None:
        while (job := self._jobs.get()) is not None:
            work, future, loop = job
            result: Any = None
            error: BaseException | None = None
            try:
                result = work()
            except BaseException as exc:  # handed to the awaiting coroutine, whatever it is
                error = exc
            # A closed loop (RuntimeError) has nobody waiting any more.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(_settle, future, result, error)

    def shutdown(self) -> None:
        """Let the threads finish the jobs queued so far, then end."""
        self.closed = True
        for _ in self._threads:
            self._jobs.put(None)
