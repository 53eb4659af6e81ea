"""The manufacturing rules of toys.domain, without any I/O."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.support import T0, run_at
from toys.domain import (
    CallbackOutcome,
    InvalidArgument,
    ManufactureStatus,
    NewToy,
    Toy,
    TransitionRejected,
    WorkflowFailure,
    WorkflowRun,
    apply_run,
    check_toy_id,
    create_toy,
    reset_toy,
    validate_new_toy,
    validate_run,
)
from toys.domain.limits import DEFAULT_CLOCK_SKEW, INT32_MAX, MAX_REMEMBERED_CALLBACKS

S = ManufactureStatus
NOW = T0 + timedelta(days=1)
SKEW = DEFAULT_CLOCK_SKEW
LATER = NOW + timedelta(minutes=5)


def fresh_toy() -> Toy:
    return create_toy(NewToy(name="Car", designer="Ann"), "toy-1", T0)


def toy_after(*runs: tuple[str, ManufactureStatus]) -> Toy:
    """A toy that has applied the given (uid, status) callbacks in order."""
    toy = fresh_toy()
    for uid, status in runs:
        result = apply_run(toy, run_at(uid, status), NOW)
        assert result.outcome is CallbackOutcome.APPLIED
        toy = result.toy
    return toy


# --- creation and validation ----------------------------------------------------------------


def test_create_toy_starts_pending_with_design_time_defaulting_to_now() -> None:
    """A new toy is PENDING, has no run and is designed 'now' unless told otherwise."""
    toy = create_toy(NewToy(name="  Car  "), "id-1", T0)
    assert (toy.status, toy.last_run, toy.number_manufactured) == (S.PENDING, None, 0)
    assert toy.name == "Car"
    assert toy.design_time == toy.create_time == toy.update_time == T0
    assert toy.manufacture_time is None


@pytest.mark.parametrize(
    ("new", "field"),
    [
        (NewToy(name=""), "name"),
        (NewToy(name="   "), "name"),
        (NewToy(name="x" * 201), "name"),
        (NewToy(name="ok", designer="d" * 201), "designer"),
        (NewToy(name="ok", manufacturer="m" * 201), "manufacturer"),
        (NewToy(name="bad\x00name"), "name"),
        (NewToy(name="ok", design_time=datetime(2026, 1, 1)), "design_time"),
    ],
)
def test_invalid_new_toys_name_the_field(new: NewToy, field: str) -> None:
    """Each invalid CreateToy input is rejected with the offending field named."""
    with pytest.raises(InvalidArgument) as caught:
        validate_new_toy(new)
    assert caught.value.field == field
    assert caught.value.message.startswith(f"{field}: ")


@pytest.mark.parametrize("toy_id", ["", " x", "x" * 65, "a\nb"])
def test_malformed_ids_are_invalid_arguments(toy_id: str) -> None:
    """Blank, padded, oversize or unprintable ids are INVALID_ARGUMENT, not NOT_FOUND."""
    with pytest.raises(InvalidArgument):
        check_toy_id(toy_id)


@pytest.mark.parametrize(
    ("run", "field"),
    [
        (replace(run_at("u", S.RUNNING), uid=""), "run.uid"),
        (replace(run_at("u", S.RUNNING), creation_time=datetime(2026, 1, 1)), "run.creation_time"),
        (replace(run_at("u", S.SUCCEEDED), finished_at=None), "run.finished_at"),
        (
            replace(run_at("u", S.FAILED), finished_at=T0 - timedelta(seconds=1)),
            "run.finished_at",
        ),
        (replace(run_at("u", S.SUCCEEDED), units_produced=-1), "run.units_produced"),
        (replace(run_at("u", S.SUCCEEDED), units_produced=INT32_MAX + 1), "run.units_produced"),
        (replace(run_at("u", S.RUNNING), name="n" * 254), "run.name"),
        (replace(run_at("u", S.RUNNING), namespace="n" * 64), "run.namespace"),
        (replace(run_at("u", S.RUNNING), message="m" * 4097), "run.message"),
        (
            replace(run_at("u", S.FAILED), failures=(WorkflowFailure(message="m" * 5000),)),
            "run.failures[0].message",
        ),
        (
            replace(run_at("u", S.FAILED), failures=(WorkflowFailure(),) * 101),
            "run.failures",
        ),
    ],
)
def test_invalid_runs_name_the_field(run: WorkflowRun, field: str) -> None:
    """Each malformed run is rejected naming the field, before any rule runs."""
    with pytest.raises(InvalidArgument) as caught:
        validate_run(run, now=NOW, skew=SKEW)
    assert caught.value.field == field


FUTURE = NOW + SKEW + timedelta(seconds=1)


@pytest.mark.parametrize(
    ("run", "field", "problem"),
    [
        (
            run_at("u", S.RUNNING, created=datetime(9999, 1, 1, tzinfo=UTC)),
            "run.creation_time",
            "in the future",
        ),
        (run_at("u", S.RUNNING, created=FUTURE), "run.creation_time", "in the future"),
        (replace(run_at("u", S.RUNNING), started_at=FUTURE), "run.started_at", "in the future"),
        (run_at("u", S.SUCCEEDED, finished=FUTURE), "run.finished_at", "in the future"),
        (
            replace(run_at("u", S.SUCCEEDED), started_at=None, finished_at=T0 - timedelta(hours=1)),
            "run.finished_at",
            "before the run was created",
        ),
        (
            run_at("u", S.SUCCEEDED, created=T0 - timedelta(days=400), finished=T0),
            "run.finished_at",
            "would have lasted 400 days",
        ),
        (
            replace(run_at("u", S.FAILED), failures=(WorkflowFailure(finished_at=FUTURE),)),
            "run.failures[0].finished_at",
            "in the future",
        ),
    ],
)
def test_implausible_runs_are_refused(run: WorkflowRun, field: str, problem: str) -> None:
    """A run from the future, finished before it began, or lasting years is never stored."""
    with pytest.raises(InvalidArgument) as caught:
        validate_run(run, now=NOW, skew=SKEW)
    assert caught.value.field == field
    assert problem in caught.value.problem


def test_times_within_the_clock_skew_are_accepted() -> None:
    """Clocks disagree a little: a run stamped up to the allowance ahead of now is fine."""
    run = run_at("u", S.SUCCEEDED, created=NOW, finished=NOW + SKEW)
    assert validate_run(run, now=NOW, skew=SKEW) == run


def test_a_reset_toy_is_pending_and_takes_a_new_run() -> None:
    """Reset is the way out of a run that never ended: the next run starts from PENDING,
    the units stay counted and the forgotten run's callbacks are still recognised."""
    made = apply_run(fresh_toy(), run_at("r1", S.SUCCEEDED, units=4), NOW).toy
    stuck = apply_run(made, run_at("r2", S.RUNNING, created=T0 + timedelta(hours=2)), NOW).toy
    reset = reset_toy(stuck, LATER)
    assert (reset.status, reset.last_run, reset.number_manufactured) == (S.PENDING, None, 4)
    assert (
        apply_run(reset, run_at("r2", S.RUNNING, created=T0 + timedelta(hours=2)), LATER).outcome
        is CallbackOutcome.REPLAY
    )
    assert (
        apply_run(reset, run_at("r3", S.RUNNING, created=T0 + timedelta(hours=3)), LATER).outcome
        is CallbackOutcome.APPLIED
    )


# --- transitions ----------------------------------------------------------------------------

SAME_RUN_ALLOWED = [
    ([], S.PENDING),
    ([], S.RUNNING),
    ([], S.SUCCEEDED),
    ([], S.FAILED),
    ([], S.ERROR),
    ([S.PENDING], S.RUNNING),
    ([S.PENDING], S.SUCCEEDED),
    ([S.PENDING], S.FAILED),
    ([S.PENDING], S.ERROR),
    ([S.RUNNING], S.SUCCEEDED),
    ([S.RUNNING], S.FAILED),
    ([S.RUNNING], S.ERROR),
    ([S.FAILED], S.RUNNING),  # argo retry
    ([S.FAILED], S.SUCCEEDED),
    ([S.ERROR], S.RUNNING),
    ([S.ERROR], S.SUCCEEDED),
    ([S.FAILED, S.RUNNING], S.FAILED),  # a retry that fails again
]


@pytest.mark.parametrize(("history", "status"), SAME_RUN_ALLOWED)
def test_allowed_steps_within_one_run_apply(
    history: list[ManufactureStatus], status: ManufactureStatus
) -> None:
    """Every step the rules allow within one workflow uid is applied and sets the status."""
    toy = toy_after(*[("run-1", s) for s in history])
    result = apply_run(toy, run_at("run-1", status), LATER)
    assert result.outcome is CallbackOutcome.APPLIED
    assert result.toy.status is status
    assert result.toy.update_time == LATER
    assert result.toy.last_run is not None
    assert result.toy.last_run.uid == "run-1"


SAME_RUN_REJECTED = [
    ([S.RUNNING], S.PENDING),
    ([S.SUCCEEDED], S.FAILED),
    ([S.SUCCEEDED], S.ERROR),
    ([S.SUCCEEDED], S.PENDING),
    ([S.FAILED], S.ERROR),
    ([S.ERROR], S.FAILED),
    ([S.FAILED], S.PENDING),
]


@pytest.mark.parametrize(("history", "status"), SAME_RUN_REJECTED)
def test_other_steps_within_one_run_are_rejected_with_a_reason(
    history: list[ManufactureStatus], status: ManufactureStatus
) -> None:
    """A step the rules do not allow is FAILED_PRECONDITION naming both statuses."""
    toy = toy_after(*[("run-1", s) for s in history])
    with pytest.raises(TransitionRejected) as caught:
        apply_run(toy, run_at("run-1", status), LATER)
    assert history[-1].name in caught.value.message
    assert status.name in caught.value.message
    assert "run-1" in caught.value.message


@pytest.mark.parametrize("status", list(ManufactureStatus))
def test_repeating_the_current_callback_is_a_replay(status: ManufactureStatus) -> None:
    """The same uid and status as the last applied callback changes nothing."""
    toy = toy_after(("run-1", status))
    result = apply_run(toy, run_at("run-1", status), LATER)
    assert result.outcome is CallbackOutcome.REPLAY
    assert result.toy is toy


def test_a_late_duplicate_of_an_earlier_step_is_a_replay() -> None:
    """A RUNNING callback retried after the run SUCCEEDED is acknowledged, not rejected."""
    toy = toy_after(("run-1", S.RUNNING), ("run-1", S.SUCCEEDED))
    result = apply_run(toy, run_at("run-1", S.RUNNING), LATER)
    assert result.outcome is CallbackOutcome.REPLAY
    assert result.toy.status is S.SUCCEEDED


@pytest.mark.parametrize("terminal", [S.SUCCEEDED, S.FAILED, S.ERROR])
@pytest.mark.parametrize("status", list(ManufactureStatus))
def test_a_new_run_may_start_from_any_terminal_status(
    terminal: ManufactureStatus, status: ManufactureStatus
) -> None:
    """A new workflow uid after a finished run is applied whatever it reports."""
    toy = toy_after(("run-1", terminal))
    newer = run_at("run-2", status, created=T0 + timedelta(hours=2))
    result = apply_run(toy, newer, LATER)
    assert result.outcome is CallbackOutcome.APPLIED
    assert result.toy.status is status
    assert result.toy.last_run == newer
    assert result.toy.applied_callbacks[-1] == ("run-2", status)


@pytest.mark.parametrize("current", [S.PENDING, S.RUNNING])
def test_a_new_run_while_one_is_unfinished_is_rejected(current: ManufactureStatus) -> None:
    """A second workflow cannot take over a toy whose run has not ended."""
    toy = toy_after(("run-1", current))
    with pytest.raises(TransitionRejected) as caught:
        apply_run(toy, run_at("run-2", S.RUNNING, created=T0 + timedelta(hours=1)), LATER)
    assert "run-1" in caught.value.message
    assert "run-2" in caught.value.message


@pytest.mark.parametrize("current", list(ManufactureStatus))
@pytest.mark.parametrize("status", list(ManufactureStatus))
def test_a_callback_from_an_older_run_is_stale(
    current: ManufactureStatus, status: ManufactureStatus
) -> None:
    """A run created before the current one is acknowledged and not applied."""
    toy = toy_after(("run-new", current))
    older = run_at("run-old", status, created=T0 - timedelta(minutes=1))
    result = apply_run(toy, older, LATER)
    assert result.outcome is CallbackOutcome.STALE
    assert result.toy is toy


def test_success_adds_units_once_and_sets_manufacture_time() -> None:
    """A succeeded run adds its units and stamps its finish time; a replay adds nothing."""
    toy = fresh_toy()
    run = run_at("run-1", S.SUCCEEDED, units=7, finished=T0 + timedelta(minutes=42))
    applied = apply_run(toy, run, NOW).toy
    assert applied.number_manufactured == 7
    assert applied.manufacture_time == T0 + timedelta(minutes=42)
    assert apply_run(applied, run, LATER).toy.number_manufactured == 7
    second = run_at("run-2", S.SUCCEEDED, units=5, created=T0 + timedelta(hours=3))
    assert apply_run(applied, second, LATER).toy.number_manufactured == 12


def test_failed_runs_add_no_units_and_keep_manufacture_time() -> None:
    """Units of a failed or errored run are recorded on the run but not counted."""
    made = apply_run(fresh_toy(), run_at("run-1", S.SUCCEEDED, units=3), NOW).toy
    failed_run = run_at("run-2", S.FAILED, units=9, created=T0 + timedelta(hours=2))
    failed = apply_run(made, failed_run, LATER).toy
    assert failed.number_manufactured == 3
    assert failed.manufacture_time == made.manufacture_time
    assert failed.last_run is not None
    assert failed.last_run.units_produced == 9


def test_a_retried_run_that_succeeds_counts_its_units() -> None:
    """`argo retry` (same uid) turning FAILED into SUCCEEDED adds the run's units."""
    toy = toy_after(("run-1", S.FAILED))
    result = apply_run(toy, run_at("run-1", S.SUCCEEDED, units=4), LATER)
    assert result.toy.number_manufactured == 4


def test_units_that_would_overflow_int32_are_rejected() -> None:
    """The counter never wraps: the callback is refused and the toy is unchanged."""
    toy = replace(fresh_toy(), number_manufactured=INT32_MAX - 1)
    with pytest.raises(TransitionRejected, match="int32"):
        apply_run(toy, run_at("run-1", S.SUCCEEDED, units=2), NOW)


@given(statuses=st.lists(st.sampled_from(list(ManufactureStatus)), min_size=1, max_size=8))
def test_replaying_any_applied_callback_changes_nothing(statuses: list[ManufactureStatus]) -> None:
    """Whatever sequence was applied, re-sending the last applied callback is a replay."""
    toy = fresh_toy()
    applied = []
    for index, status in enumerate(statuses):
        run = run_at("run-1", status, units=index)
        try:
            result = apply_run(toy, run, NOW)
        except TransitionRejected:
            continue
        if result.outcome is CallbackOutcome.APPLIED:
            applied.append(run)
        toy = result.toy
    if not applied:
        return
    again = apply_run(toy, applied[-1], LATER)
    assert again.outcome is CallbackOutcome.REPLAY
    assert again.toy == toy


def test_a_superseded_run_is_stale_even_with_the_same_creation_time() -> None:
    """Once run-2 replaced run-1, run-1's callbacks change nothing, whatever their times say."""
    toy = toy_after(("run-1", S.SUCCEEDED), ("run-2", S.SUCCEEDED))
    assert toy.number_manufactured == 0  # run_at gives 0 units unless told
    repeat = apply_run(toy, run_at("run-1", S.SUCCEEDED), LATER)
    assert repeat.outcome is CallbackOutcome.REPLAY
    assert repeat.toy is toy
    other = apply_run(toy, run_at("run-1", S.FAILED), LATER)
    assert other.outcome is CallbackOutcome.STALE
    assert other.toy is toy


def test_only_the_latest_callbacks_are_remembered() -> None:
    """The memory of applied callbacks is bounded, oldest forgotten first."""
    toy = fresh_toy()
    for index in range(MAX_REMEMBERED_CALLBACKS + 5):
        toy = apply_run(toy, run_at(f"run-{index}", S.SUCCEEDED), NOW).toy
    assert len(toy.applied_callbacks) == MAX_REMEMBERED_CALLBACKS
    assert toy.applied_callbacks[0] == ("run-5", S.SUCCEEDED)
