"""Server settings: flags over TOYS_* environment over defaults, and clear errors."""

from __future__ import annotations

import pytest

from toys import package_version
from toys.config.defaults import DEFAULT_PORT
from toys.config.settings import DEFAULT_DB, Settings, load_settings


def test_defaults_apply_without_flags_or_environment() -> None:
    """With nothing set, the server listens on 50051 with ./toys.db."""
    settings = load_settings([], {})
    assert settings == Settings()
    assert (settings.port, settings.db) == (DEFAULT_PORT, DEFAULT_DB)


def test_environment_overrides_defaults_and_flags_override_environment() -> None:
    """TOYS_* variables set values; an explicit flag wins over its variable."""
    env = {"TOYS_HOST": "127.0.0.1", "TOYS_PORT": "6000", "TOYS_DB": "/data/toys.db"}
    from_env = load_settings([], env)
    assert (from_env.host, from_env.port, from_env.db) == ("127.0.0.1", 6000, "/data/toys.db")
    from_flags = load_settings(["--port", "7000", "--db", ":memory:"], env)
    assert (from_flags.host, from_flags.port, from_flags.db) == ("127.0.0.1", 7000, ":memory:")


@pytest.mark.parametrize(
    ("argv", "env", "message"),
    [
        (["--port", "70000"], {}, "70000 is not between 0 and 65535"),
        (["--port", "http"], {}, "'http' is not a port number"),
        ([], {"TOYS_PORT": "abc"}, "TOYS_PORT: 'abc' is not a port number"),
        ([], {"TOYS_LOG_LEVEL": "chatty"}, "TOYS_LOG_LEVEL: 'chatty' is not one of"),
        (["--shutdown-grace", "-1"], {}, "-1.0 is not between 0 and 3600 seconds"),
    ],
)
def test_bad_values_exit_2_with_a_message(
    argv: list[str], env: dict[str, str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """An invalid flag or variable stops the server with status 2 and says which and why."""
    with pytest.raises(SystemExit) as caught:
        load_settings(argv, env)
    assert caught.value.code == 2
    assert message in capsys.readouterr().err


def test_help_works_whatever_the_environment_holds(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A broken TOYS_PORT must not stop `toys-server --help` from explaining the flags."""
    with pytest.raises(SystemExit) as caught:
        load_settings(["--help"], {"TOYS_PORT": "abc", "TOYS_LOG_LEVEL": "chatty"})
    assert caught.value.code == 0
    assert "--port PORT" in capsys.readouterr().out


def test_the_help_names_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        load_settings(["--help"], {})
    shown = capsys.readouterr().out
    for command in ("migrate", "copy", "backup", "token new"):
        assert f"toys-server {command}" in shown


def test_version_says_the_release(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        load_settings(["--version"], {})
    assert caught.value.code == 0
    assert capsys.readouterr().out.strip() == f"toys-server {package_version()}"
