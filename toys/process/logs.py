"""Log set-up for toys-server: text lines, or one JSON object per line, with no secret in
either at any level.

A bearer token, a password in a URL or in `password=...` is masked in every line the server
writes, whoever logged it: our own records, asyncpg's, an exception's text. The HTTP/2
libraries log every header they encode or decode at DEBUG (`authorization` included), so their
loggers are held at WARNING whatever --log-level says.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any

from toys.process.log_lines import LoopBatchedStreamHandler

LOG_FORMATS = ("text", "json")
# They log raw header blocks and frames at DEBUG; nothing else of theirs is worth a line.
QUIET_LOGGERS = ("hpack", "h2")

_SECRETS = re.compile(
    r"(?P<bearer>\bbearer\s+)[^\s'\",;)]+"
    r"|(?P<userinfo>\b[a-z][a-z0-9+.-]*://[^\s:/@]*:)[^\s@/]+(?=@)"
    r"|(?P<keyword>\bpassword\s*=\s*)[^\s'\",;)&]+",
    re.IGNORECASE,
)
_HINTS = ("earer", "EARER", "://", "assword", "ASSWORD")


def redact(text: str) -> str:
    """`text` with bearer tokens and passwords replaced by ***."""
    if not any(hint in text for hint in _HINTS):  # the usual line, at the cost of a scan
        return text
    return _SECRETS.sub(
        lambda m: f"{m.group('bearer') or m.group('userinfo') or m.group('keyword')}***", text
    )


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message and the record's `fields`
    (the access log puts method, status, duration_ms, peer, toy_id and trace_id there)."""

    def format(self, record: logging.LogRecord) -> str:
        document: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            document.update(fields)
        if record.exc_info:
            document["exception"] = self.formatException(record.exc_info)
        return redact(json.dumps(document, ensure_ascii=False, default=str))


def configure_logging(level: str, log_format: str = "text") -> None:
    """Root logging to stderr, at `level`, as text or JSON lines."""
    handler = LoopBatchedStreamHandler(sys.stderr)
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(
            TextFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s", datefmt="%Y-%m-%dT%H:%M:%S%z"
            )
        )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.WARNING, logging.getLevelName(level)))
    _skip_unused_record_fields()


def _skip_unused_record_fields() -> None:
    """No line shows the thread, process, task or source line a record came from; gathering
    them costs ~3 µs a record (the logging docs list these switches under optimisation), and
    the access log writes one record per call."""
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    logging.logAsyncioTasks = False  # type: ignore[attr-defined]  # new in 3.12; typeshed lags
    logging._srcfile = None  # no caller lookup: the documented switch is this module global
