"""Messages <-> domain translation, and what it refuses."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given

from tests.strategies import runs, toys
from tests.support import run_at
from toys._generated.toys import v1 as pb
from toys.domain import InvalidArgument, ManufactureStatus, Toy, WorkflowRun
from toys.messages import translate


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
    """Every field of a toy but the server's bookkeeping reaches the message and comes back."""
    message = pb.Toy.parse(bytes(translate.toy_to_pb(toy)))
    assert translate.toy_from_pb(message) == replace(toy, applied_callbacks=(), revision=1)


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
    with pytest.raises(InvalidArgument) as caught:
        translate.run_from_pb(request)
    assert translate.proto_path(caught.value.field) == "run.phase"


@pytest.mark.parametrize(
    ("domain_path", "proto_path"),
    [
        ("run.finished_at", "run.finished_time"),
        ("run.failures[3].finished_at", "run.failures[3].finished_time"),
        ("run.started_at", "run.started_time"),
        ("manufacturer", "manufacturor"),
        ("page_token", "page_token"),
        ("toy_id", "toy_id"),
    ],
)
def test_domain_paths_become_proto_paths(domain_path: str, proto_path: str) -> None:
    """Errors name fields as the domain does; the wire sees the proto's names."""
    assert translate.proto_path(domain_path) == proto_path
