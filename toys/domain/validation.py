"""Checks on what callers send. Each raises InvalidArgument naming the domain path."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from toys.domain.errors import InvalidArgument
from toys.domain.limits import (
    INT32_MAX,
    MAX_FAILURES,
    MAX_ID_LENGTH,
    MAX_MESSAGE,
    MAX_NAMESPACE,
    MAX_RUN_DURATION,
    MAX_RUN_NAME,
    MAX_TOY_TEXT,
    MAX_UID,
)
from toys.domain.model import NewToy, WorkflowRun
from toys.text import first_hidden


def _check_text(field_name: str, value: str, limit: int, *, multiline: bool = False) -> None:
    if len(value) > limit:
        raise InvalidArgument(field_name, f"must be at most {limit} characters, got {len(value)}")
    hidden = first_hidden(value, multiline=multiline)
    if hidden is not None:
        allowed = " (line breaks and tabs are)" if multiline else ""
        raise InvalidArgument(
            field_name,
            f"must be plain text: U+{ord(hidden):04X} is a control or invisible formatting "
            f"character, which no text field takes{allowed}",
        )


def _check_time(field_name: str, value: datetime | None) -> None:
    if value is not None and value.utcoffset() is None:
        raise InvalidArgument(field_name, "timestamp must carry a UTC offset")


def check_toy_id(toy_id: str, field_name: str = "id") -> str:
    """Return the id when it is well formed; raise InvalidArgument naming the field otherwise."""
    if not toy_id:
        raise InvalidArgument(field_name, "is required")
    if len(toy_id) > MAX_ID_LENGTH or not toy_id.isprintable() or toy_id.strip() != toy_id:
        raise InvalidArgument(field_name, f"{toy_id[:MAX_ID_LENGTH]!r} is not a valid toy id")
    return toy_id


def validate_new_toy(new: NewToy) -> NewToy:
    """Return the toy as it will be stored (name trimmed), or raise InvalidArgument."""
    name = new.name.strip()
    if not name:
        raise InvalidArgument("name", "is required and must not be blank")
    _check_text("name", name, MAX_TOY_TEXT)
    _check_text("designer", new.designer, MAX_TOY_TEXT)
    _check_text("manufacturer", new.manufacturer, MAX_TOY_TEXT)
    _check_time("design_time", new.design_time)
    return replace(new, name=name)


_FAILURE_TEXTS = ("display_name", "template_name", "phase", "pod_name")


def _check_not_future(
    field_name: str, value: datetime | None, now: datetime, skew: timedelta
) -> None:
    if value is not None and value > now + skew:
        raise InvalidArgument(
            field_name,
            f"{value.isoformat()} is in the future: more than {skew} after now "
            f"({now.isoformat(timespec='seconds')})",
        )


def validate_run(
    run: WorkflowRun, *, now: datetime, skew: timedelta, prefix: str = "run"
) -> WorkflowRun:
    """Check a reported run, as of `now` give or take `skew` between clocks; raise
    InvalidArgument naming the first bad field.

    Besides each field's form, the run must be plausible: not created, started or finished in
    the future, not finished before it was created or started, and not longer than
    MAX_RUN_DURATION. A run that breaks these is refused rather than stored, because a run
    dated in year 9999 would make every later, real run of the toy look older, so STALE.
    """
    if not run.uid.strip():
        raise InvalidArgument(f"{prefix}.uid", "is required: it identifies the workflow run")
    _check_text(f"{prefix}.uid", run.uid, MAX_UID)
    _check_text(f"{prefix}.name", run.name, MAX_RUN_NAME)
    _check_text(f"{prefix}.namespace", run.namespace, MAX_NAMESPACE)
    _check_text(f"{prefix}.message", run.message, MAX_MESSAGE, multiline=True)
    _check_time(f"{prefix}.creation_time", run.creation_time)
    _check_time(f"{prefix}.started_at", run.started_at)
    _check_time(f"{prefix}.finished_at", run.finished_at)
    if run.status.is_terminal and run.finished_at is None:
        raise InvalidArgument(
            f"{prefix}.finished_at", f"is required when the status is {run.status.name}"
        )
    if run.started_at and run.finished_at and run.finished_at < run.started_at:
        raise InvalidArgument(f"{prefix}.finished_at", "is before the run started")
    _check_not_future(f"{prefix}.creation_time", run.creation_time, now, skew)
    _check_not_future(f"{prefix}.started_at", run.started_at, now, skew)
    _check_not_future(f"{prefix}.finished_at", run.finished_at, now, skew)
    if run.finished_at is not None:
        if run.finished_at < run.creation_time - skew:
            raise InvalidArgument(f"{prefix}.finished_at", "is before the run was created")
        if run.finished_at - run.creation_time > MAX_RUN_DURATION:
            raise InvalidArgument(
                f"{prefix}.finished_at",
                f"the run would have lasted {(run.finished_at - run.creation_time).days} days; "
                f"at most {MAX_RUN_DURATION.days} are believed",
            )
    if not 0 <= run.units_produced <= INT32_MAX:
        raise InvalidArgument(
            f"{prefix}.units_produced",
            f"must be between 0 and {INT32_MAX}, got {run.units_produced}",
        )
    if len(run.failures) > MAX_FAILURES:
        raise InvalidArgument(f"{prefix}.failures", f"at most {MAX_FAILURES} entries are kept")
    for index, failure in enumerate(run.failures):
        where = f"{prefix}.failures[{index}]"
        _check_text(f"{where}.message", failure.message, MAX_MESSAGE, multiline=True)
        for name in _FAILURE_TEXTS:
            _check_text(f"{where}.{name}", getattr(failure, name), MAX_RUN_NAME)
        _check_time(f"{where}.finished_at", failure.finished_at)
        _check_not_future(f"{where}.finished_at", failure.finished_at, now, skew)
    return run
