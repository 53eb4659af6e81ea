"""toys.process.log_lines: lines logged during one turn of the loop go out in one write, in
the order they were logged, whoever logs them."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Iterator

import pytest

from toys.process.log_lines import MAX_WAITING_LINES, LoopBatchedStreamHandler


class Stream:
    """Records each write."""

    def __init__(self) -> None:
        self.writes: list[str] = []

    def write(self, text: str) -> int:
        self.writes.append(text)
        return len(text)

    def flush(self) -> None:
        pass


@pytest.fixture
def logged() -> Iterator[tuple[logging.Logger, Stream]]:
    stream = Stream()
    handler = LoopBatchedStreamHandler(stream)  # type: ignore[arg-type]  # a TextIO enough here
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger = logging.getLogger(f"tests.log_lines.{id(stream)}")
    logger.propagate = False
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield logger, stream
    logger.removeHandler(handler)


def lines(stream: Stream) -> list[str]:
    return "".join(stream.writes).splitlines()


async def test_lines_of_one_turn_go_out_in_one_write(
    logged: tuple[logging.Logger, Stream],
) -> None:
    logger, stream = logged
    for number in range(3):
        logger.info("line %d", number)
    assert stream.writes == []
    await asyncio.sleep(0)  # the turn ends
    assert stream.writes == ["line 0\nline 1\nline 2\n"]


async def test_a_line_from_another_thread_follows_the_waiting_ones(
    logged: tuple[logging.Logger, Stream],
) -> None:
    logger, stream = logged
    logger.info("on the loop")
    thread = threading.Thread(target=logger.info, args=("from a thread",))
    thread.start()
    thread.join()
    assert lines(stream) == ["on the loop", "from a thread"]


async def test_many_lines_in_one_turn_are_written_before_it_ends(
    logged: tuple[logging.Logger, Stream],
) -> None:
    logger, stream = logged
    for number in range(MAX_WAITING_LINES):
        logger.info("%d", number)
    assert len(lines(stream)) == MAX_WAITING_LINES


def test_a_line_off_any_loop_is_written_at_once(logged: tuple[logging.Logger, Stream]) -> None:
    logger, stream = logged
    logger.info("no loop")
    assert lines(stream) == ["no loop"]


def test_lines_waiting_when_a_loop_closes_are_written_by_the_next(
    logged: tuple[logging.Logger, Stream],
) -> None:
    logger, stream = logged

    async def log_and_leave(text: str) -> None:
        logger.info(text)

    first = asyncio.new_event_loop()
    first.run_until_complete(log_and_leave("first loop"))
    first.close()  # its turn may never have written the line
    asyncio.run(log_and_leave("second loop"))
    assert lines(stream) == ["first loop", "second loop"]


async def test_flush_writes_what_waits(logged: tuple[logging.Logger, Stream]) -> None:
    logger, stream = logged
    logger.info("waiting")
    logger.handlers[0].flush()
    assert lines(stream) == ["waiting"]
