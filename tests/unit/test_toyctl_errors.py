"""How toyctl reports a bug in itself: one line by default, the traceback when asked."""

from __future__ import annotations

import pytest

from toyctl import client
from toyctl.app import main
from toyctl.errors import ExitCode
from toyctl.options import Target


def _explode(target: Target, toy_id: str) -> object:
    raise ZeroDivisionError("a bug in toyctl")


@pytest.fixture(autouse=True)
def buggy_get(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(client, "get_toy", _explode)
    monkeypatch.delenv("TOYCTL_DEBUG", raising=False)


def test_an_unexpected_error_is_one_line_and_a_hint(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["get", "t-1"]) == ExitCode.ERROR
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "toyctl: unexpected error: ZeroDivisionError: a bug in toyctl",
        "toyctl: run again with --traceback (or TOYCTL_DEBUG=1) for details",
    ]


def test_traceback_flag_shows_the_whole_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--traceback", "get", "t-1"]) == ExitCode.ERROR
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):")
    assert "in _explode" in err


def test_toyctl_debug_shows_the_whole_traceback(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TOYCTL_DEBUG", "1")
    assert main(["get", "t-1"]) == ExitCode.ERROR
    assert capsys.readouterr().err.startswith("Traceback (most recent call last):")
