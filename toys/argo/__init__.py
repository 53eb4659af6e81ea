"""Argo Workflows callback payloads -> the toy id and the workflow run they report.

Two forms are understood, YAML or JSON (JSON is read as YAML): the exit-handler payload
(exit_handler) and a Workflow resource (workflow_resource). The toy id comes from the `toy-id`
parameter or `--toy-id`; if both are given they must agree. Every problem raises PayloadError
naming the field by its path in the payload.

toyctl reads payloads with it before it sends anything; the server reads with it what Argo's
`http` exit handler posts. One reader, so that both ways store the same run.
"""

from __future__ import annotations

from dataclasses import dataclass

from toys.argo.document import load_document
from toys.argo.exit_handler import read_exit_handler
from toys.argo.reader import PayloadError, Reader
from toys.argo.workflow_resource import read_workflow_resource
from toys.domain import WorkflowRun

__all__ = ["Callback", "PayloadError", "parse_payload"]

TOY_ID_PARAMETER = "toy-id"


@dataclass(frozen=True, slots=True)
class Callback:
    """What a payload reports: a run of a toy."""

    toy_id: str
    run: WorkflowRun


def parse_payload(
    text: str, *, source: str, toy_id: str | None = None, replace_toy_id: bool = False
) -> Callback:
    """The callback a payload describes.

    `toy_id` is --toy-id: it must agree with the payload's toy-id parameter unless
    `replace_toy_id` (the bundled sample, whose toy id is an example) says to take it instead.
    """
    document = Reader(source, load_document(text, source))
    if document.has("kind"):
        if document.raw("kind") != "Workflow":
            raise document.fail("kind", f"expected Workflow, got {document.raw('kind')!r}")
        reported = read_workflow_resource(document)
    elif document.has("workflow"):
        reported = read_exit_handler(document)
    else:
        raise document.fail(
            "", "expected an exit-handler payload (a 'workflow' key) or a Workflow resource"
        )
    payload_toy_id = reported.parameters.get(TOY_ID_PARAMETER)
    id_field = reported.parameters.path(TOY_ID_PARAMETER)
    if toy_id and payload_toy_id and payload_toy_id != toy_id and not replace_toy_id:
        raise PayloadError(
            source, id_field, f"{payload_toy_id!r} disagrees with --toy-id {toy_id!r}"
        )
    chosen = toy_id or payload_toy_id
    if not chosen:
        raise PayloadError(source, id_field, "no toy id: pass --toy-id or set the toy-id parameter")
    return Callback(toy_id=chosen, run=reported.run)
