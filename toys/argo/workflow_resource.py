"""A Workflow resource, as `kubectl get workflow NAME -o yaml` or `argo get NAME -o yaml`
print it: the run's phase, times and outputs from `status`, its failures from the pod nodes
that failed."""

from __future__ import annotations

from toys.argo.reader import Reader
from toys.argo.runs import Reported, RunBuilder, read_failure

WORKFLOW_API_VERSION = "argoproj.io/v1alpha1"
_FAILED_PHASES = ("Failed", "Error")


def read_workflow_resource(document: Reader) -> Reported:
    if document.raw("apiVersion") != WORKFLOW_API_VERSION:
        raise document.fail(
            "apiVersion", f"expected {WORKFLOW_API_VERSION}, got {document.raw('apiVersion')!r}"
        )
    meta = document.child("metadata", required=True)
    state = document.child("status", required=True)
    run = RunBuilder(document.source)
    status = state.status("phase")
    run.set("status", status, state.at("phase"))
    run.set("creation_time", meta.required_time("creationTimestamp"), meta.at("creationTimestamp"))
    run.set("started_at", state.time("startedAt"), state.at("startedAt"))
    run.set(
        "finished_at",
        state.time("finishedAt", required=status.is_terminal),
        state.at("finishedAt"),
    )
    for field, key in (("uid", "uid"), ("name", "name"), ("namespace", "namespace")):
        run.set(field, meta.text(key, required=field == "uid"), meta.at(key))
    run.set("message", state.text("message"), state.at("message"))
    parameters = document.child("spec").child("arguments").parameters("parameters")
    run.units(state.child("outputs").parameters("parameters"), parameters)
    nodes = state.child("nodes")
    run.failures_at(nodes.path)
    for node_id, node in nodes.children():
        if node.raw("type") == "Pod" and node.raw("phase") in _FAILED_PHASES:
            run.add_failure(read_failure(node, pod=node_id), node.path)
    return Reported(run.build(), parameters)
