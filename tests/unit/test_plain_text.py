"""Text fields hold plain text: what is refused, what a message may hold, how toyctl and the
access log show what is stored already."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from tests.support import run_at
from toyctl.plain_table import plain_table
from toys.calls.access_log import shown
from toys.domain import InvalidArgument, ManufactureStatus, NewToy, WorkflowFailure
from toys.domain.validation import validate_new_toy, validate_run
from toys.text import escaped

NOW = datetime(2026, 6, 1, tzinfo=UTC)
HIDDEN = {
    "a line break": "Car\n3f6d2a1c-8b7e-4c5d-9a0f-1e2d3c4b5a69  Robot  SUCCEEDED  999",
    "a carriage return": "Car\rRobot",
    "an escape sequence": "Car\x1b[2J",
    "a right-to-left override": "Car\u202egnp.exe",
    "a zero-width space": "Ca\u200br",
    "a line separator": "Car\u2028Robot",
    "a byte-order mark": "\ufeffCar",
}


@pytest.mark.parametrize("name", HIDDEN.values(), ids=list(HIDDEN))
def test_a_name_with_a_hidden_character_is_refused(name: str) -> None:
    with pytest.raises(InvalidArgument, match="must be plain text") as caught:
        validate_new_toy(NewToy(name=name))
    assert caught.value.field == "name"


@pytest.mark.parametrize(
    ("toy", "field"),
    [
        (NewToy(name="Car", designer="Ada\u202e"), "designer"),
        (NewToy(name="Car", manufacturer="Acme\n"), "manufacturer"),
    ],
)
def test_every_text_field_of_a_toy_is_plain_text(toy: NewToy, field: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        validate_new_toy(toy)
    assert caught.value.field == field


def test_names_in_any_script_are_plain_text() -> None:
    assert validate_new_toy(NewToy(name="Łódź 玩具 🚗", designer="Zoë")).name == "Łódź 玩具 🚗"


def test_a_failure_message_may_hold_line_breaks_and_tabs() -> None:
    failure = WorkflowFailure(message='step "cut" failed:\n\texit code 1 — “bad”\\n')
    run = run_at("u1", ManufactureStatus.FAILED, created=NOW - timedelta(hours=2))
    checked = validate_run(replace(run, failures=(failure,)), now=NOW, skew=timedelta(minutes=5))
    assert checked.failures == (failure,)


def test_a_failure_message_may_not_hold_other_hidden_characters() -> None:
    run = run_at("u1", ManufactureStatus.FAILED, created=NOW - timedelta(hours=2))
    bad = replace(run, failures=(WorkflowFailure(message="ok\u202e"),))
    with pytest.raises(InvalidArgument) as caught:
        validate_run(bad, now=NOW, skew=timedelta(minutes=5))
    assert caught.value.field == "run.failures[0].message"


def test_a_run_name_may_not_hold_a_line_break() -> None:
    run = replace(run_at("u1", ManufactureStatus.RUNNING, created=NOW), name="make\ntoy")
    with pytest.raises(InvalidArgument) as caught:
        validate_run(run, now=NOW, skew=timedelta(minutes=5))
    assert caught.value.field == "run.name"


def test_stored_hidden_characters_show_escaped_in_a_table() -> None:
    row = [escaped(HIDDEN["a line break"]), escaped(HIDDEN["a right-to-left override"])]
    table = plain_table(["NAME", "OTHER"], [row])
    assert table.count("\n") == 2  # the header and one row: nothing forged
    assert "\\u202e" in table
    assert "\u202e" not in table


def test_the_access_log_escapes_backslashes_too() -> None:
    assert shown("a\\nb\nc") == "a\\\\nb\\nc"
