"""The log handler of toys-server: lines logged on the event loop are written together, once
per turn of the loop, rather than one write and one flush each.

The access log writes a line for every call and the audit trail one more for every write; at
a few thousand calls a second, a system call per line was a measurable part of a call's cost.
A line logged off the loop (a worker thread, before the loop runs, at exit) is written at
once, after any lines still waiting, so that lines keep the order they were logged in. What
is waiting is written when the loop next turns, when 256 lines wait, and at flush (logging
flushes every handler at exit); only a SIGKILL can take the lines of one turn with it.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TextIO

MAX_WAITING_LINES = 256


class LoopBatchedStreamHandler(logging.StreamHandler[TextIO]):
    def __init__(self, stream: TextIO) -> None:
        super().__init__(stream)
        self._waiting: list[str] = []
        # The loop whose next turn writes what waits (a closed loop's turn never comes: a
        # line logged on another loop schedules its own).
        self._scheduled_on: asyncio.AbstractEventLoop | None = None

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record) + self.terminator
        except Exception:  # logging's contract: a bad record is reported, never raised
            self.handleError(record)
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        self._waiting.append(line)
        if loop is None or len(self._waiting) >= MAX_WAITING_LINES:
            self._write_waiting()
        elif self._scheduled_on is not loop:
            self._scheduled_on = loop
            loop.call_soon(self._turn_ended)

    def _turn_ended(self) -> None:
        with self.lock:  # type: ignore[union-attr]  # created by Handler.__init__
            self._scheduled_on = None
            self._write_waiting()

    def _write_waiting(self) -> None:
        """Write the waiting lines (the caller holds the handler's lock)."""
        if not self._waiting:
            return
        text = "".join(self._waiting)
        self._waiting.clear()
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # stderr closed or gone: nothing left to tell
            pass

    def flush(self) -> None:
        with self.lock:  # type: ignore[union-attr]
            self._write_waiting()
        super().flush()
