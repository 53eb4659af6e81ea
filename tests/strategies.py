"""Hypothesis strategies for domain values: one strategy per dataclass field.

Each value is built from a mapping of field name -> strategy; tests/unit/test_field_coverage.py
fails when a dataclass gains a field that these mappings (or the translation, or a store
round trip) leave out.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hypothesis import strategies as st

from toys.domain import ManufactureStatus, Toy, WorkflowFailure, WorkflowRun
from toys.domain.limits import INT32_MAX, MAX_RUN_DURATION
from toys.text import HIDDEN_CATEGORIES

offsets = st.builds(
    timezone, st.integers(-14 * 60, 14 * 60).map(lambda minutes: timedelta(minutes=minutes))
)
# Before 2025: a run created then and lasting the longest believable time (a year) is still
# in the past for every test clock (tests.support.T0 is 2026-01-01).
aware_times = st.builds(
    lambda naive, tz: naive.replace(tzinfo=UTC).astimezone(tz),
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2024, 12, 1)),
    offsets,
)


# Plain text as the domain accepts it (toys.text); messages may break lines too.
def _plain(line_breaks: str = "") -> st.SearchStrategy[str]:
    return st.characters(
        exclude_categories=("Cc", "Cf", "Zl", "Zp", "Cs"), include_characters=line_breaks
    )


assert {"Cc", "Cf", "Zl", "Zp", "Cs"} == HIDDEN_CATEGORIES  # the same as _plain's
texts = st.text(_plain(), max_size=40)
messages = st.text(_plain("\n\r\t"), max_size=80)
statuses = st.sampled_from(list(ManufactureStatus))

FAILURE_FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "display_name": texts,
    "message": messages,
    "template_name": texts,
    "phase": texts,
    "pod_name": texts,
    "finished_at": st.none() | aware_times,
}
failures = st.builds(WorkflowFailure, **FAILURE_FIELDS)


def run_fields(status: ManufactureStatus) -> dict[str, st.SearchStrategy[Any]]:
    """A run reporting `status`: finished when it is terminal, started before it finished."""
    return {
        "uid": st.uuids().map(str),
        "creation_time": aware_times,
        "status": st.just(status),
        "name": texts,
        "namespace": texts,
        "started_at": st.none() | aware_times,
        "finished_at": aware_times if status.is_terminal else st.none() | aware_times,
        "message": messages,
        "failures": st.lists(failures, max_size=3).map(tuple),
        "units_produced": st.integers(0, INT32_MAX),
    }


def _plausible(run: WorkflowRun) -> WorkflowRun:
    """Times moved into the order the domain believes: created, then started, then finished
    within MAX_RUN_DURATION of the creation."""
    created = run.creation_time

    def after_creation(when: datetime | None, within: timedelta) -> datetime | None:
        return None if when is None else created + abs(when - created) % within

    finished = after_creation(run.finished_at, MAX_RUN_DURATION)
    span = MAX_RUN_DURATION if finished is None else finished - created + timedelta(microseconds=1)
    return replace(run, started_at=after_creation(run.started_at, span), finished_at=finished)


@st.composite
def runs(draw: st.DrawFn, status: ManufactureStatus | None = None) -> WorkflowRun:
    chosen = draw(statuses) if status is None else status
    return _plausible(draw(st.builds(WorkflowRun, **run_fields(chosen))))


def toy_fields(run: WorkflowRun | None) -> dict[str, st.SearchStrategy[Any]]:
    """A toy whose status and remembered callbacks agree with its last run."""
    remembered = st.lists(st.tuples(st.uuids().map(str), statuses), max_size=4).map(tuple)
    return {
        "id": st.uuids().map(str),
        "name": texts.filter(lambda s: s.strip() == s and bool(s)),
        "designer": texts,
        "manufacturer": texts,
        "design_time": aware_times,
        "create_time": aware_times,
        "update_time": aware_times,
        "status": st.just(run.status if run else ManufactureStatus.PENDING),
        "number_manufactured": st.integers(0, INT32_MAX),
        "manufacture_time": st.none() | aware_times,
        "last_run": st.just(run),
        "applied_callbacks": (
            remembered.map(lambda pairs: (*pairs, (run.uid, run.status))) if run else st.just(())
        ),
        "revision": st.integers(1, 2**40),
    }


@st.composite
def toys(draw: st.DrawFn) -> Toy:
    run = draw(st.none() | runs())
    return draw(st.builds(Toy, **toy_fields(run)))


def every_field_set() -> Toy:
    """A toy in which no field of the toy, its run or its failures keeps its default value."""
    failure = WorkflowFailure(
        display_name="main",
        message="exit code 3",
        template_name="assemble",
        phase="Failed",
        pod_name="make-1-main-42",
        finished_at=datetime(2026, 5, 1, 10, 30, tzinfo=UTC),
    )
    run = WorkflowRun(
        uid="4a1f",
        creation_time=datetime(2026, 5, 1, 10, 0, tzinfo=UTC),
        status=ManufactureStatus.FAILED,
        name="make-1",
        namespace="factory",
        started_at=datetime(2026, 5, 1, 10, 0, 1, tzinfo=UTC),
        finished_at=datetime(2026, 5, 1, 10, 31, tzinfo=UTC),
        message="main: exit code 3",
        failures=(failure,),
        units_produced=2,
    )
    return Toy(
        id="every-field",
        name="Car",
        designer="Ada",
        manufacturer="Acme",
        design_time=datetime(2026, 4, 1, tzinfo=UTC),
        create_time=datetime(2026, 4, 2, tzinfo=UTC),
        update_time=datetime(2026, 5, 1, 10, 31, 5, tzinfo=UTC),
        status=ManufactureStatus.FAILED,
        number_manufactured=5,
        manufacture_time=datetime(2026, 4, 20, tzinfo=UTC),
        last_run=run,
        applied_callbacks=(
            ("9c2e", ManufactureStatus.SUCCEEDED),
            ("4a1f", ManufactureStatus.FAILED),
        ),
        revision=3,
    )
