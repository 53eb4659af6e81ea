"""Hypothesis strategies for domain values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import strategies as st

from toys.domain import (
    INT32_MAX,
    MAX_FAILURES,
    ManufactureStatus,
    Toy,
    WorkflowFailure,
    WorkflowRun,
)

offsets = st.builds(
    timezone, st.integers(-14 * 60, 14 * 60).map(lambda minutes: timedelta(minutes=minutes))
)
aware_times = st.builds(
    lambda naive, tz: naive.replace(tzinfo=UTC).astimezone(tz),
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1)),
    offsets,
)
# Printable text without control characters, as the domain accepts it.
texts = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=40)
statuses = st.sampled_from(list(ManufactureStatus))

failures = st.builds(
    WorkflowFailure,
    display_name=texts,
    message=texts,
    template_name=texts,
    phase=texts,
    pod_name=texts,
    finished_at=st.none() | aware_times,
)


@st.composite
def runs(draw: st.DrawFn, status: ManufactureStatus | None = None) -> WorkflowRun:
    chosen = draw(statuses) if status is None else status
    finished = draw(aware_times) if chosen.is_terminal else draw(st.none() | aware_times)
    started = draw(
        st.none() | st.just(finished - timedelta(minutes=3)) if finished else aware_times
    )
    return WorkflowRun(
        uid=draw(st.uuids().map(str)),
        creation_time=draw(aware_times),
        status=chosen,
        name=draw(texts),
        namespace=draw(texts),
        started_at=started,
        finished_at=finished,
        message=draw(texts),
        failures=tuple(draw(st.lists(failures, max_size=min(3, MAX_FAILURES)))),
        units_produced=draw(st.integers(0, INT32_MAX)),
    )


@st.composite
def toys(draw: st.DrawFn) -> Toy:
    run = draw(st.none() | runs())
    return Toy(
        id=draw(st.uuids().map(str)),
        name=draw(texts.filter(lambda s: s.strip() == s and bool(s))),
        designer=draw(texts),
        manufacturor=draw(texts),
        design_time=draw(aware_times),
        create_time=draw(aware_times),
        update_time=draw(aware_times),
        status=run.status if run else ManufactureStatus.PENDING,
        number_manufactured=draw(st.integers(0, INT32_MAX)),
        manufacture_time=draw(st.none() | aware_times),
        last_run=run,
        applied_callbacks=(
            (
                *draw(st.lists(st.tuples(st.uuids().map(str), statuses), max_size=4)),
                (run.uid, run.status),
            )
            if run
            else ()
        ),
    )
