"""Tables on a terminal never cut an id, and -o wide never drops a column, at any width."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from tests.support import timestamp
from toyctl import render
from toyctl.options import Output
from toys._generated.pb2.toys.v1 import toys_pb2 as pb2

NOW = datetime.now(UTC)
LONG = "A name far longer than any terminal column would hold, and then some more"


def toy(name: str = LONG) -> pb2.Toy:
    return pb2.Toy(
        id=str(uuid.uuid4()),
        name=name,
        designer="Grace Brewster Murray Hopper",
        manufacturor="Acme Toy Manufacturing Company of Springfield",
        status="MANUFACTURE_STATUS_SUCCEEDED",
        number_manufactured=25,
        create_time=timestamp(NOW - timedelta(hours=3)),
        update_time=timestamp(NOW - timedelta(minutes=4)),
        design_time=timestamp(NOW - timedelta(days=2)),
        last_run=pb2.WorkflowRun(uid=str(uuid.uuid4()), name="make-toy-7xk2p", namespace="toys"),
    )


def on_terminal(
    toys: list[pb2.Toy],
    output: Output,
    columns: int,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> str:
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("COLUMNS", str(columns))
    render.print_toys(toys, output)
    return re.sub(r"\x1b\[[0-9;]*m", "", capsys.readouterr().out)  # the layout, not the styles


@pytest.mark.parametrize("columns", [60, 80, 100, 200])
def test_an_id_is_never_shortened(
    columns: int, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    toys = [toy(), toy("Kite")]
    shown = on_terminal(toys, Output.TABLE, columns, monkeypatch, capsys)
    for made in toys:
        assert made.id in shown


@pytest.mark.parametrize("columns", [80, 100])
def test_wide_keeps_every_column(
    columns: int, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    made = toy()
    shown = on_terminal([made], Output.WIDE, columns, monkeypatch, capsys)
    header = shown.splitlines()[0].split()
    for name in [
        "ID",
        "NAME",
        "STATUS",
        "MADE",
        "DESIGNER",
        "MANUFACTURER",
        "UPDATED",
        "DESIGNED",
        "MANUFACTURED",
        "CREATED",
        "RUN",
    ]:
        assert name in header, name
    assert made.id in shown
    assert made.last_run is not None
    assert made.last_run.uid in shown


def test_names_give_way_first_on_a_narrow_terminal(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    made = toy()
    shown = on_terminal([made], Output.TABLE, 100, monkeypatch, capsys)
    assert "…" in shown
    assert LONG not in shown
    assert all(len(line) <= 100 for line in shown.splitlines())


def test_a_roomy_terminal_shows_names_whole(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shown = on_terminal([toy()], Output.TABLE, 300, monkeypatch, capsys)
    assert LONG in shown
