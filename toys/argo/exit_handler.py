"""The exit-handler payload: what an `onExit` template renders from Argo's variables.

Under a top-level `workflow` key, keys mirror `{{workflow.*}}`: name, namespace, uid, status,
creationTimestamp, duration, parameters, outputs.parameters, failures (a list, Argo's
JSON-encoded string, or "null"). Exit handlers get no start or finish time: the run started
at its creation (within a second) and finished `duration` seconds later.
"""

from __future__ import annotations

import math
from datetime import timedelta

from toys.argo.reader import Reader, kind_of
from toys.argo.runs import Reported, RunBuilder, read_failure
from toys.domain.limits import MAX_RUN_DURATION


def _add_failures(workflow: Reader, run: RunBuilder) -> None:
    """Failures as a YAML list, as Argo's JSON text, or as that text quoted once more: Argo
    gives {{workflow.failures}} as Go's strconv.Quote of the JSON, so a template that puts it
    in a block scalar hands toyctl `"[{\"displayName\": ...}]"` (and `"null"` for a clean
    run), quotes included."""
    value = workflow.raw("failures")
    if isinstance(value, str):
        value = None if value.strip() in ("", "null") else workflow.json_text("failures")
    if isinstance(value, str):  # the JSON text, quoted: read the text inside
        value = None if value.strip() in ("", "null") else workflow.json_in("failures", value)
    run.failures_at(workflow.at("failures"))
    if value is None:
        return
    if not isinstance(value, list):
        raise workflow.fail("failures", f"expected a list of failures, got {kind_of(value)}")
    for index, item in enumerate(value):
        path = f"{workflow.at('failures')}[{index}]"
        node = Reader(workflow.source, item, path)
        run.add_failure(read_failure(node), path)


def read_exit_handler(document: Reader) -> Reported:
    workflow = document.child("workflow", required=True)
    run = RunBuilder(document.source)
    status = workflow.status("status")
    run.set("status", status, workflow.at("status"))
    created = workflow.required_time("creationTimestamp")
    run.set("creation_time", created, workflow.at("creationTimestamp"))
    run.set("started_at", created, workflow.at("creationTimestamp"))
    if status.is_terminal:
        raw = workflow.text("duration", required=True)
        try:
            seconds = float(raw)
        except ValueError:
            raise workflow.fail("duration", f"{raw!r} is not a number of seconds") from None
        if not math.isfinite(seconds) or seconds < 0:
            raise workflow.fail("duration", f"must be zero or more seconds, got {raw[:40]}")
        if seconds > MAX_RUN_DURATION.total_seconds():
            raise workflow.fail(
                "duration", f"{seconds:.0f} seconds is more than any run lasts (a year at most)"
            )
        try:
            finished = created + timedelta(seconds=seconds)
        except OverflowError:
            raise workflow.fail("duration", "puts the run's end past the year 9999") from None
        run.set("finished_at", finished, workflow.at("duration"))
    for field, key in (("uid", "uid"), ("name", "name"), ("namespace", "namespace")):
        run.set(field, workflow.text(key, required=field == "uid"), workflow.at(key))
    run.set("message", workflow.text("message"), workflow.at("message"))
    parameters = workflow.parameters("parameters")
    run.units(workflow.child("outputs").parameters("parameters"), parameters)
    _add_failures(workflow, run)
    return Reported(run.build(), parameters)
