"""The restricted Pod Security check: every pod the project defines passes it, and it refuses
what the namespace's admission would (checkov for the rules it knows, ours for the rest)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from scripts.check_pod_security import (
    argo_templates,
    deployment_pods,
    pod_problems,
    uncovered_problems,
    workflow_pods,
)


def _argo_pods() -> list[dict[str, Any]]:
    return [pod for template in argo_templates() for pod in workflow_pods(template)]


def test_the_project_defines_the_pods_it_should() -> None:
    names = {pod["metadata"]["name"] for pod in [*deployment_pods(), *_argo_pods()]}
    assert {
        "postgres-toys-server",
        "sqlite-toys-server",
        "manufacture-toy-assemble",
        "manufacture-toy-report",
        "manufacture-toy-report-running",
    } <= names


@pytest.mark.slow
def test_every_pod_meets_the_restricted_standard_and_bad_ones_do_not() -> None:
    """One checkov run over the real pods and two broken copies: only the copies fail."""
    pods = [*deployment_pods(), *_argo_pods()]
    privileged = copy.deepcopy(pods[0])
    privileged["metadata"]["name"] = "broken-privileged"
    privileged["spec"]["containers"][0]["securityContext"]["privileged"] = True
    report = copy.deepcopy(next(p for p in pods if p["metadata"]["name"].endswith("-report")))
    report["metadata"]["name"] = "broken-exit-handler"
    main = next(c for c in report["spec"]["containers"] if c["name"] == "main")
    del main["securityContext"]  # as the WorkflowTemplate was
    problems = pod_problems([*pods, privileged, report])
    assert any("broken-privileged" in p and "CKV_K8S_16" in p for p in problems)
    assert any("broken-exit-handler" in p and "CKV_K8S_20" in p for p in problems)
    assert [p for p in problems if "broken-" not in p] == []


@pytest.mark.parametrize(
    ("breaks", "complaint"),
    [
        (lambda s: s["volumes"].append({"name": "h", "hostPath": {"path": "/"}}), "volume h"),
        (lambda s: s["securityContext"].update(runAsUser=0), "runs as user 0"),
        (
            lambda s: s["containers"][0]["securityContext"].update(procMount="Unmasked"),
            "/proc must be mounted Default",
        ),
        (
            lambda s: s["securityContext"].update(seLinuxOptions={"user": "system_u"}),
            "SELinux",
        ),
        (
            lambda s: s["securityContext"].update(appArmorProfile={"type": "Unconfined"}),
            "AppArmor",
        ),
        (
            lambda s: s["securityContext"].update(
                sysctls=[{"name": "kernel.msgmax", "value": "1"}]
            ),
            "sysctl kernel.msgmax",
        ),
    ],
)
def test_what_checkov_does_not_check_is_refused_by_our_rules(breaks: Any, complaint: str) -> None:
    pod = copy.deepcopy(next(iter(deployment_pods())))
    assert uncovered_problems(pod) == []
    breaks(pod["spec"])
    assert any(complaint in problem for problem in uncovered_problems(pod))
