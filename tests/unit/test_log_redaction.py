"""No secret in a log line: bearer tokens, passwords in URLs and in key=value text."""

from __future__ import annotations

import io
import logging

import pytest

from toys.auth.credentials import new_token
from toys.process.logs import JsonFormatter, TextFormatter, configure_logging, redact

TOKEN = new_token()


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        (f"Decoded (b'authorization', b'Bearer {TOKEN}')", TOKEN),
        (f"authorization: bearer {TOKEN}", TOKEN),
        ("cannot connect to postgresql://toys:s3cr3t@db:5432/toys", "s3cr3t"),
        ("dsn host=db password=hunter2 user=toys", "hunter2"),
    ],
    ids=["hpack's header line", "a header", "a URL", "key=value"],
)
def test_a_secret_is_masked(line: str, secret: str) -> None:
    masked = redact(line)
    assert secret not in masked
    assert "***" in masked


def test_a_line_without_secrets_is_left_alone() -> None:
    line = "method=/toys.v1.ToyService/GetToy status=OK url=http://example.com/a:b"
    assert redact(line) == line


@pytest.mark.parametrize("formatter", [TextFormatter(), JsonFormatter()])
def test_a_token_in_an_exceptions_text_is_masked(formatter: logging.Formatter) -> None:
    try:
        raise ValueError(f"header was Bearer {TOKEN}")
    except ValueError as exc:
        record = logging.LogRecord(
            "x", logging.ERROR, "f", 1, "failed", None, (type(exc), exc, None)
        )
    assert TOKEN not in formatter.format(record)


def test_the_http2_libraries_never_log_below_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stderr", io.StringIO())
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    try:
        configure_logging("DEBUG")
        assert not logging.getLogger("hpack").isEnabledFor(logging.DEBUG)
        assert not logging.getLogger("h2").isEnabledFor(logging.INFO)
    finally:
        root.handlers[:], _ = saved
        root.setLevel(saved[1])
        logging.getLogger("hpack").setLevel(logging.NOTSET)
        logging.getLogger("h2").setLevel(logging.NOTSET)
