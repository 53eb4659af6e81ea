"""Every dataclass field of the domain is generated, translated and stored: adding a field
to Toy, WorkflowRun or WorkflowFailure fails here until each mapping knows it."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from tests import strategies
from toys._generated.toys import v1 as pb
from toys.domain import ManufactureStatus, NewToy, Toy, WorkflowFailure, WorkflowRun
from toys.messages import translate


def names(cls: Any) -> set[str]:
    return {field.name for field in dataclasses.fields(cls)}


def test_every_field_has_a_strategy() -> None:
    assert set(strategies.toy_fields(None)) == names(Toy)
    assert set(strategies.run_fields(ManufactureStatus.RUNNING)) == names(WorkflowRun)
    assert set(strategies.FAILURE_FIELDS) == names(WorkflowFailure)


@pytest.mark.parametrize(
    ("domain", "message", "table", "kept_off_the_wire", "not_the_values"),
    [
        (Toy, pb.Toy, translate.TOY_FIELDS, translate.TOY_FIELDS_NOT_SENT, set()),
        (WorkflowRun, pb.WorkflowRun, (*translate.RUN_FIELDS, translate.RUN_STATUS), set(), set()),
        (WorkflowFailure, pb.WorkflowFailure, translate.FAILURE_FIELDS, set(), set()),
        (
            NewToy,
            pb.CreateToyRequest,
            translate.NEW_TOY_FIELDS,
            set(),
            translate.CREATE_REQUEST_ONLY,
        ),
    ],
)
def test_every_field_has_one_translation(
    domain: Any,
    message: Any,
    table: tuple[translate.FieldMap, ...],
    kept_off_the_wire: set[str],
    not_the_values: set[str],
) -> None:
    """Each domain field and each proto field appears in the value's table exactly once
    (but the request's own fields, which are not the value's)."""
    domain_names = [f.domain for f in table]
    proto_names = [f.proto for f in table]
    assert len(domain_names) == len(set(domain_names))
    assert set(domain_names) | kept_off_the_wire == names(domain)
    assert sorted([*proto_names, *not_the_values]) == sorted(names(message))


def test_the_every_field_example_leaves_no_default() -> None:
    """every_field_set() really sets every field, so round trips of it cover them all."""
    toy = strategies.every_field_set()
    assert toy.last_run is not None
    for value, cls in [
        (toy, Toy),
        (toy.last_run, WorkflowRun),
        (toy.last_run.failures[0], WorkflowFailure),
    ]:
        for field in dataclasses.fields(cls):
            assert getattr(value, field.name) != field.default, f"{cls.__name__}.{field.name}"
