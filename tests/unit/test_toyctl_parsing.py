"""toyctl's command line without a server: help, flags, usage errors, exit codes."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from toyctl.app import app, main
from toyctl.channel import parse_address
from toyctl.errors import ExitCode, ToyctlError
from toyctl.options import StatusFilter, parse_status

runner = CliRunner()
COMMANDS = ["manufacture", "list", "get", "delete", "health", "update-status"]
# Port 1 on loopback refuses at once: a command that reaches the network fails with 3.
DOWN = ["--server", "127.0.0.1:1"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command: str) -> None:
    """`toyctl COMMAND --help` exits 0 and explains the command and its options."""
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0
    assert f"Usage: toyctl {command}" in result.output
    summary = result.output.split("\n\n")[1].strip()
    assert len(summary) > 10


def test_top_level_help_lists_commands_and_exit_codes() -> None:
    """`toyctl --help` names every command and the exit codes."""
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in COMMANDS:
        assert command in result.output
    assert "8 bad payload" in result.output


def test_version() -> None:
    """--version prints the package version."""
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.startswith("toyctl ")


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--timeout", "soon", "list"], "--timeout"),
        (["--timeout", "0", "list"], "--timeout"),
        (["list", "-o", "xml"], "--output"),
        (["list", "--limit", "0"], "--limit"),
        (["list", "--status", "BROKEN"], "--status"),
        (["manufacture"], "--name"),
        (["manufacture", "--name", "Car", "--design-time", "2026-01-01T00:00:00"], "no UTC offset"),
        (["manufacture", "--name", "Car", "--design-time", "tuesday"], "not an RFC 3339 time"),
        (["get"], "TOY_ID"),
        (["update-status"], "--toy-id"),
        (["explode"], "No such command"),
    ],
)
def test_bad_flags_are_usage_errors_in_one_line(
    args: list[str], fragment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Bad flag values exit 2 with one line naming the flag, from the real entry point."""
    assert main([*DOWN, *args]) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("toyctl: error: ")
    assert fragment in err
    # A validation library's own wording never leaks through.
    assert "Value error" not in err
    assert "Input should" not in err


@pytest.mark.parametrize(
    ("args", "allowed"),
    [
        (["--timeout", "soon", "list"], "from 0.1 to 3600"),
        (["list", "-o", "xml"], "table, wide, json, yaml, name"),
        (["list", "--limit", "0"], "1 or more"),
        (["list", "--status", "BROKEN"], "PENDING, RUNNING, SUCCEEDED, FAILED, ERROR"),
        (["--show-completion", "sh"], "bash, zsh, fish"),
    ],
)
def test_a_bad_value_says_what_is_allowed(
    args: list[str], allowed: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*DOWN, *args]) == ExitCode.USAGE
    assert allowed in capsys.readouterr().err


@pytest.mark.parametrize(
    "given",
    ["FAILED", "failed", "Failed", "MANUFACTURE_STATUS_FAILED", "manufacture_status_failed"],
)
def test_status_filters_take_any_case_and_the_proto_names(given: str) -> None:
    assert parse_status(given) is StatusFilter.FAILED


@pytest.mark.parametrize(
    "args",
    [
        ["list"],
        ["get", "x"],
        ["health"],
        ["manufacture", "--name", "Car"],
        ["delete", "x", "--yes"],
    ],
)
def test_a_server_that_is_down_is_exit_3(args: list[str]) -> None:
    """Every command that calls the server says it cannot reach it, exit 3, no traceback."""
    result = runner.invoke(app, [*DOWN, *args])
    assert result.exit_code == ExitCode.UNAVAILABLE
    assert "toyctl: error: cannot reach the server at 127.0.0.1:1" in result.output
    assert "Traceback" not in result.output


def test_a_bad_payload_is_exit_8_before_any_call(tmp_path: object) -> None:
    """An invalid payload stops toyctl with 8; the server (down here) is never called."""
    result = runner.invoke(
        app, [*DOWN, "update-status", "--toy-id", "t", "--payload", "-"], input="workflow: 3\n"
    )
    assert result.exit_code == ExitCode.PAYLOAD
    assert "payload -: workflow: expected a mapping, got text" in result.output


def test_delete_without_a_terminal_needs_yes() -> None:
    """Without a terminal to ask on, delete refuses unless --yes is given."""
    result = runner.invoke(app, [*DOWN, "delete", "some-id"])
    assert result.exit_code == ExitCode.USAGE
    assert "pass --yes" in result.output


@pytest.mark.parametrize(
    ("server", "address"),
    [
        ("localhost:50051", ("localhost", 50051)),
        ("toys.example:9000", ("toys.example", 9000)),
        ("toys", ("toys", 50051)),
        ("[::1]:7000", ("::1", 7000)),
        ("[::1]", ("::1", 50051)),
    ],
)
def test_server_addresses(server: str, address: tuple[str, int]) -> None:
    """--server takes host, host:port and [v6]:port."""
    assert parse_address(server) == address


@pytest.mark.parametrize("server", ["", ":80", "host:http", "host:70000", "[::1", "[::1]x"])
def test_bad_server_addresses_are_usage_errors(server: str) -> None:
    """A malformed --server is a usage error naming the value."""
    with pytest.raises(ToyctlError) as caught:
        parse_address(server)
    assert caught.value.code is ExitCode.USAGE


def test_the_token_never_shows_in_a_target() -> None:
    from toyctl.options import Security, Target

    target = Target("h:1", 5.0, Security(tls=True, token="s3cret-token"))
    assert "s3cret-token" not in f"{target!r} {target!s} {target.security!r}"
