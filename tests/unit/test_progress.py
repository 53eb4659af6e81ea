"""Long admin work shows a bar on a terminal and plain lines elsewhere."""

from __future__ import annotations

import io

from toys.process.admin.progress import progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_a_bar_with_the_count() -> None:
    screen = Terminal()
    with progress("copying", 100, "toys", out=screen) as tally:
        tally.advance(60)
        tally.advance(40)
    assert "copying" in screen.getvalue()
    assert "100/100" in screen.getvalue()


def test_a_pipe_gets_a_last_line_with_the_count_and_rate() -> None:
    log = io.StringIO()
    with progress("copying", 3, "toys", out=log) as tally:
        tally.advance(3)
    [line] = log.getvalue().splitlines()
    assert line.startswith("copying: 3/3 toys (")
    assert "/s" in line
