"""toyctl's output formats: each parses back, tables say what kubectl users expect."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import yaml
from google.protobuf.json_format import ParseDict
from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len

from tests.strategies import toys
from tests.support import timestamp
from toyctl import render
from toyctl.options import Output
from toyctl.plain_table import plain_table
from toys._generated.pb2.toys.v1 import toys_pb2 as pb2
from toys.domain import Toy
from toys.messages.encoded import toy_bytes

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def sample(name: str = "Car", status: str = "MANUFACTURE_STATUS_SUCCEEDED") -> pb2.Toy:
    return pb2.Toy(
        id=f"id-{name}",
        name=name,
        designer="Ada",
        manufacturor="",
        status=status,
        number_manufactured=25,
        create_time=timestamp(NOW - timedelta(hours=3)),
        update_time=timestamp(NOW - timedelta(minutes=4)),
        design_time=timestamp(NOW - timedelta(days=2)),
    )


@given(toys())
def test_json_and_yaml_parse_back_to_the_same_toy(toy: Toy) -> None:
    """-o json and -o yaml of any toy load back into an identical message."""
    message = pb2.Toy.FromString(toy_bytes(toy))
    for output, load in ((Output.JSON, json.loads), (Output.YAML, yaml.safe_load)):
        text = render.toys_text([message], output, single=True)
        assert text is not None
        assert ParseDict(load(text), pb2.Toy()) == message
        listed = render.toys_text([message, message], output)
        assert listed is not None
        assert [ParseDict(t, pb2.Toy()) for t in load(listed)["toys"]] == [message, message]


def test_machine_output_keeps_the_proto_field_order() -> None:
    text = render.toys_text([sample()], Output.JSON, single=True)
    assert text is not None
    assert list(json.loads(text)) == [f.json_name for f in pb2.Toy.DESCRIPTOR.fields]


def test_machine_output_has_every_field_even_when_unset() -> None:
    """Every key is present: unset text is "", unset numbers 0 (proto3's defaults), unset
    times and the last run null."""
    text = render.toys_text([pb2.Toy(id="x", name="y")], Output.JSON, single=True)
    assert text is not None
    document = json.loads(text)
    camel = {
        f.name.split("_")[0] + "".join(p.title() for p in f.name.split("_")[1:])
        for f in pb2.Toy.DESCRIPTOR.fields
    }
    assert set(document) == camel
    assert document["designer"] == ""
    assert document["designTime"] is None
    assert document["numberManufactured"] == 0
    assert document["manufactureTime"] is None
    assert document["lastRun"] is None
    assert document["manufacturor"] == ""


def test_name_output_is_one_id_per_line() -> None:
    """-o name prints only ids, ready for xargs."""
    assert render.toys_text([sample("a"), sample("b")], Output.NAME) == "id-a\nid-b"


@pytest.mark.parametrize(
    ("seconds", "shown"), [(5, "5s"), (125, "2m"), (3 * 3600 + 5, "3h"), (4 * 86400, "4d")]
)
def test_ages_read_like_kubectl(seconds: int, shown: str) -> None:
    """UPDATED shows the age in the largest whole unit."""
    assert render.age(NOW - timedelta(seconds=seconds), NOW) == shown


def test_table_and_wide_columns(capsys: pytest.CaptureFixture[str]) -> None:
    """The table has the documented columns; wide adds times and the last run."""
    render.print_toys([sample()], Output.TABLE)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == [
        "ID",
        "NAME",
        "STATUS",
        "MADE",
        "DESIGNER",
        "MANUFACTURER",
        "UPDATED",
    ]
    assert lines[1].split()[:6] == ["id-Car", "Car", "SUCCEEDED", "25", "Ada", "<none>"]
    assert all(line == line.rstrip() for line in lines)
    render.print_toys([sample()], Output.WIDE)
    wide = capsys.readouterr().out.splitlines()
    assert wide[0].split()[7:] == [
        "DESIGNED",
        "MANUFACTURED",
        "CREATED",
        "LAST",
        "RUN",
        "RUN",
        "UID",
    ]
    assert "2026-11-24T12:00:00Z" in wide[1]


def test_status_colours_follow_the_state_and_no_color(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a colour terminal SUCCEEDED is green and FAILED red; NO_COLOR turns colour off."""
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.delenv("NO_COLOR", raising=False)
    render.print_toys([sample(), sample("b", "MANUFACTURE_STATUS_FAILED")], Output.TABLE)
    coloured = capsys.readouterr().out
    assert "\x1b[32mSUCCEEDED" in coloured
    assert "\x1b[31mFAILED" in coloured
    monkeypatch.setenv("NO_COLOR", "1")
    render.print_toys([sample()], Output.TABLE)
    assert "\x1b[32m" not in capsys.readouterr().out


def _rich_layout(headers: list[str], rows: list[list[str]]) -> str:
    """How rich lays out the same borderless table, never wrapping (the oracle)."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(box=None, show_edge=False, pad_edge=False, expand=False)
    for header in headers:
        table.add_column(header, no_wrap=True)
    for row in rows:
        table.add_row(*(Text(cell) for cell in row))
    console = Console(width=100_000, no_color=True, force_terminal=False)
    with console.capture() as captured:
        console.print(table)
    return "".join(line.rstrip() + "\n" for line in captured.get().splitlines())


_CELLS = st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), max_size=12)


# Headers are words (rich drops a column whose every cell is zero cells wide).
_HEADERS = _CELLS.filter(lambda text: cell_len(text) > 0)


@given(
    st.integers(min_value=1, max_value=5).flatmap(
        lambda columns: st.tuples(
            st.lists(_HEADERS, min_size=columns, max_size=columns),
            st.lists(st.lists(_CELLS, min_size=columns, max_size=columns), max_size=5),
        )
    )
)
def test_plain_table_lays_out_cells_as_rich_does(table: tuple[list[str], list[list[str]]]) -> None:
    headers, rows = table
    assert plain_table(headers, rows) == _rich_layout(headers, rows)


def test_a_name_that_looks_like_markup_is_shown_as_written_on_a_terminal(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")
    render.print_toys([sample("[bold]Car[/bold]")], Output.TABLE)
    assert "[bold]Car[/bold]" in capsys.readouterr().out
