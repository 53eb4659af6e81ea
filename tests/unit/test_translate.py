"""Messages <-> domain translation, and what it refuses."""

from __future__ import annotations

import pytest
from hypothesis import given

from tests.strategies import runs, toys
from tests.support import run_at
from toys import translate
from toys._generated.toys import v1 as pb
from toys.domain import InvalidArgument, ManufactureStatus, Toy, WorkflowRun


def _request(run: WorkflowRun) -> pb.UpdateManufactureStatusRequest:
    return pb.UpdateManufactureStatusRequest(
        toy_id="toy-1", status=translate.status_to_pb(run.status), run=translate.run_to_pb(run)
    )


@given(runs())
def test_a_run_survives_the_wire(run: WorkflowRun) -> None:
    """domain run -> request bytes -> domain run gives the same run back."""
    wire = bytes(_request(run))
    back = translate.run_from_pb(pb.UpdateManufactureStatusRequest.parse(wire))
    assert back == run


@given(toys())
def test_a_toy_survives_the_wire(toy: Toy) -> None:
    """Every field of a toy reaches the message, and the message survives encoding."""
    message = pb.Toy.parse(bytes(translate.toy_to_pb(toy)))
    assert (message.id, message.name, message.designer, message.manufacturor) == (
        toy.id,
        toy.name,
        toy.designer,
        toy.manufacturor,
    )
    assert message.design_time == toy.design_time
    assert message.create_time == toy.create_time
    assert message.update_time == toy.update_time
    assert message.manufacture_time == toy.manufacture_time
    assert message.number_manufactured == toy.number_manufactured
    assert translate.status_from_pb(message.status, "status") is toy.status
    if toy.last_run is None:
        assert message.last_run is None
    else:
        assert message.last_run is not None
        assert message.last_run.phase == toy.last_run.status.value
        request = pb.UpdateManufactureStatusRequest(
            toy_id=toy.id, status=message.status, run=message.last_run
        )
        assert translate.run_from_pb(request) == toy.last_run


def test_every_status_maps_both_ways() -> None:
    """Each domain status has a proto value and comes back as itself."""
    for status in ManufactureStatus:
        assert translate.status_from_pb(translate.status_to_pb(status), "status") is status
    assert translate.status_from_pb(pb.ManufactureStatus.UNSPECIFIED, "status") is None


def test_an_unknown_status_number_is_invalid() -> None:
    """A status number outside the enum is INVALID_ARGUMENT naming the field."""
    request = pb.ListToysRequest.parse(bytes([0x18, 99]))
    with pytest.raises(InvalidArgument, match=r"^status: unknown status 99"):
        translate.status_from_pb(request.status, "status")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"status": pb.ManufactureStatus.UNSPECIFIED}, "status"),
        ({"run": None}, "run"),
    ],
)
def test_required_callback_fields_are_named(change: dict[str, object], field: str) -> None:
    """A callback without a status or a run is refused naming that field."""
    request = _request(run_at("u", ManufactureStatus.RUNNING))
    for key, value in change.items():
        setattr(request, key, value)
    with pytest.raises(InvalidArgument) as caught:
        translate.run_from_pb(request)
    assert caught.value.field == field


def test_a_run_without_creation_time_is_invalid() -> None:
    """creation_time orders runs, so a callback must carry it."""
    request = _request(run_at("u", ManufactureStatus.RUNNING))
    assert request.run is not None
    request.run.creation_time = None
    with pytest.raises(InvalidArgument, match=r"^run\.creation_time"):
        translate.run_from_pb(request)


@pytest.mark.parametrize("phase", ["Succeeded", "succeeded", "SUCCEEDED", ""])
def test_a_phase_agreeing_with_the_status_is_accepted(phase: str) -> None:
    """Argo's phase spelling, any case, or no phase at all goes with status SUCCEEDED."""
    request = _request(run_at("u", ManufactureStatus.SUCCEEDED))
    assert request.run is not None
    request.run.phase = phase
    assert translate.run_from_pb(request).status is ManufactureStatus.SUCCEEDED


def test_a_phase_disagreeing_with_the_status_is_invalid() -> None:
    """status SUCCEEDED with phase Failed is a contradiction, refused naming run.phase."""
    request = _request(run_at("u", ManufactureStatus.SUCCEEDED))
    assert request.run is not None
    request.run.phase = "Failed"
    with pytest.raises(InvalidArgument, match=r"^run\.phase"):
        translate.run_from_pb(request)
