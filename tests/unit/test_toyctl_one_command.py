"""toyctl builds only the command it runs: the command is found after any global option."""

from __future__ import annotations

import pytest
import typer

from toyctl.app import COMMANDS, VALUE_OPTIONS, app, app_for, command_named


def test_value_options_are_the_root_options_that_take_a_value() -> None:
    group = typer.main.get_command(app)
    taking_values = {
        name
        for param in group.params
        if isinstance(param, typer.core.TyperOption) and not param.is_flag
        for name in param.opts
    }
    assert taking_values == VALUE_OPTIONS


@pytest.mark.parametrize(
    ("args", "command"),
    [
        (["get", "x"], "get"),
        (["-s", "get", "list"], "list"),  # a server named "get"
        (["--server", "h:1", "--tls", "--timeout", "3", "update-status"], "update-status"),
        (["--server=h:1", "delete", "x"], "delete"),
        (["--version"], None),
        (["--traceback", "gte", "x"], None),  # a typo: the whole app says "No such command"
        ([], None),
    ],
)
def test_the_command_is_the_first_word_that_is_no_option_value(
    args: list[str], command: str | None
) -> None:
    assert command_named(args) == command


def test_the_app_for_a_command_holds_that_command_only() -> None:
    built = typer.main.get_group(app_for(["-s", "h:1", "get", "x"]))
    assert list(built.commands) == ["get"]


def test_the_app_for_no_command_holds_every_command() -> None:
    assert list(typer.main.get_group(app_for(["--help"])).commands) == list(COMMANDS)


def test_completion_gets_every_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("_TOYCTL_COMPLETE", "bash_complete")
    assert app_for(["get", "x"]) is app
