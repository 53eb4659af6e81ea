"""Progress of long admin work: a rich bar on a terminal (count, rate, time left), a plain
line every few seconds elsewhere (a Kubernetes Job's log), and a last line either way."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

LINE_EVERY_S = 5.0


class Tally:
    """What a piece of work has done so far (from any thread); `sink` hears of each change."""

    def __init__(self, total: int, sink: Callable[[Tally], None]) -> None:
        self.total = total
        self.done = 0
        self._sink = sink
        self._lock = threading.Lock()

    def advance(self, n: int = 1) -> None:
        with self._lock:
            self.done += n
            self._sink(self)

    def set_total(self, total: int) -> None:
        with self._lock:
            self.total = total
            self._sink(self)


@contextmanager
def progress(what: str, total: int, unit: str, out: TextIO | None = None) -> Iterator[Tally]:
    stream = out if out is not None else sys.stderr
    if stream.isatty():
        with _bar(what, total, unit, stream) as tally:
            yield tally
        return
    lines = _Lines(what, unit, stream)
    tally = Tally(total, lines.maybe)
    yield tally
    lines.write(tally)


@contextmanager
def _bar(what: str, total: int, unit: str, stream: TextIO) -> Iterator[Tally]:
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        Task,
        TextColumn,
        TimeRemainingColumn,
    )
    from rich.text import Text

    class Rate(ProgressColumn):
        def render(self, task: Task) -> Text:
            return Text(f"{task.speed:>9,.0f}/s" if task.speed is not None else "")

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(unit),
        Rate(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(file=stream)) as bar:
        task = bar.add_task(what, total=total)
        yield Tally(total, lambda t: bar.update(task, completed=t.done, total=t.total))


class _Lines:
    def __init__(self, what: str, unit: str, stream: TextIO) -> None:
        self._what, self._unit, self._stream = what, unit, stream
        self._started = self._last = time.monotonic()

    def maybe(self, tally: Tally) -> None:
        now = time.monotonic()
        if now - self._last >= LINE_EVERY_S:
            self._last = now
            self.write(tally)

    def write(self, tally: Tally) -> None:
        elapsed = max(time.monotonic() - self._started, 1e-6)
        rate = tally.done / elapsed
        left = (tally.total - tally.done) / rate if rate and tally.done < tally.total else 0
        self._stream.write(
            f"{self._what}: {tally.done:,}/{tally.total:,} {self._unit} "
            f"({rate:,.0f}/s, {elapsed:.1f}s so far, about {left:.0f}s left)\n"
        )
        self._stream.flush()
