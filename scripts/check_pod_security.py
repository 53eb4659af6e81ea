"""Every pod the project defines, checked against the restricted Pod Security Standard, as the
toy-factory namespace's admission would (part of `poe lint`).

The pods: each overlay's Deployment (init containers included), and each pod Argo would make
from the WorkflowTemplate (a container template's pod, exit handler and hook included): its
container, Argo's `init` and `wait` containers with the security context the workflow
controller gives them (deploy/argo/workflow-controller-configmap.yaml), the template's pod
security context, service account and volumes.

The checks: checkov's, for the rules it knows (RESTRICTED_CHECKS; its Kubernetes framework for
the pods, its Argo Workflows framework for the manifests), and our own for the restricted
rules checkov does not check (`uncovered_problems`): volume types, AppArmor, SELinux, /proc
mount, sysctls, Windows host processes and a container that sets user 0.

    python -m scripts.check_pod_security
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from scripts.render_kubernetes import render

ROOT = Path(__file__).resolve().parent.parent
OVERLAYS = ROOT / "deploy" / "kubernetes" / "overlays"
WORKFLOWS = ROOT / "argo_samples" / "workflows"
EXECUTOR_PATCH = ROOT / "deploy" / "argo" / "workflow-controller-configmap.yaml"
ARGO_EXECUTOR_IMAGE = "quay.io/argoproj/argoexec:v3.6.2"

# checkov's checks for the restricted profile's rules (and the baseline's it includes).
RESTRICTED_CHECKS = {
    "CKV_K8S_16": "no privileged container",
    "CKV_K8S_17": "no host PID namespace",
    "CKV_K8S_18": "no host IPC namespace",
    "CKV_K8S_19": "no host network",
    "CKV_K8S_20": "allowPrivilegeEscalation: false",
    "CKV_K8S_23": "runAsNonRoot",
    "CKV_K8S_25": "no added capability",
    "CKV_K8S_26": "no host port",
    "CKV_K8S_27": "no docker socket",
    "CKV_K8S_28": "no NET_RAW",
    "CKV_K8S_31": "seccomp RuntimeDefault or Localhost",
    "CKV_K8S_37": "capabilities dropped: ALL",
    "CKV_K8S_39": "no SYS_ADMIN",
}
ARGO_CHECKS = {"CKV_ARGO_1": "not the default service account", "CKV_ARGO_2": "runAsNonRoot"}
ALLOWED_VOLUMES = {
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "persistentVolumeClaim",
    "projected",
    "secret",
}
SAFE_SYSCTLS = {
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
}
SELINUX_TYPES = {"", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"}


def _pod(
    name: str, spec: dict[str, Any], annotations: dict[str, str] | None = None
) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "toy-factory", "annotations": annotations or {}},
        "spec": spec,
    }


def deployment_pods() -> Iterator[dict[str, Any]]:
    for overlay in sorted(p for p in OVERLAYS.iterdir() if p.is_dir()):
        for document in render(overlay):
            if document["kind"] == "Deployment":
                template = document["spec"]["template"]
                name = f"{overlay.name}-{document['metadata']['name']}"
                annotations = template.get("metadata", {}).get("annotations")
                yield _pod(name, template["spec"], annotations)


def executor_security_context() -> dict[str, Any]:
    patch = yaml.safe_load(EXECUTOR_PATCH.read_text())
    context: dict[str, Any] = yaml.safe_load(patch["data"]["executor"])["securityContext"]
    return context


def workflow_pods(template: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The pods Argo makes from a WorkflowTemplate: one per container or script template."""
    spec = template["spec"]
    executor = executor_security_context()
    for step in spec["templates"]:
        main = step.get("container") or step.get("script")
        if main is None:
            continue  # steps and DAGs run no pod of their own
        argo = {"image": ARGO_EXECUTOR_IMAGE, "securityContext": executor}
        yield _pod(
            f"{template['metadata']['name']}-{step['name']}",
            {
                "serviceAccountName": spec.get("serviceAccountName", "default"),
                "securityContext": spec.get("securityContext", {}),
                "volumes": spec.get("volumes", []),
                "initContainers": [{"name": "init", **argo}],
                "containers": [{"name": "wait", **argo}, {"name": "main", **main}],
            },
        )


def argo_templates() -> list[dict[str, Any]]:
    return [
        document
        for path in sorted(WORKFLOWS.glob("*.yaml"))
        for document in yaml.safe_load_all(path.read_text())
        if document and document.get("kind") == "WorkflowTemplate"
    ]


def uncovered_problems(pod: dict[str, Any]) -> list[str]:
    """The restricted rules checkov does not check."""
    name, spec = pod["metadata"]["name"], pod["spec"]
    found = [
        f"{name}: volume {volume['name']} is of a type restricted pods may not use"
        for volume in spec.get("volumes", [])
        if not set(volume) - {"name"} <= ALLOWED_VOLUMES
    ]
    found += [
        f"{name}: sysctl {sysctl['name']} is not one restricted pods may set"
        for sysctl in spec.get("securityContext", {}).get("sysctls", [])
        if sysctl["name"] not in SAFE_SYSCTLS
    ]
    found += [
        f"{name}: AppArmor may only be RuntimeDefault or Localhost"
        for key, value in pod["metadata"].get("annotations", {}).items()
        if key.startswith("container.apparmor.security.beta.kubernetes.io/")
        and value != "runtime/default"
        and not value.startswith("localhost/")
    ]
    contexts = [("pod", spec.get("securityContext", {}))] + [
        (container["name"], container.get("securityContext", {}))
        for container in [*spec.get("initContainers", []), *spec.get("containers", [])]
    ]
    for owner, context in contexts:
        where = f"{name} ({owner})"
        if context.get("appArmorProfile", {}).get("type", "RuntimeDefault") not in (
            "RuntimeDefault",
            "Localhost",
        ):
            found.append(f"{where}: AppArmor may only be RuntimeDefault or Localhost")
        selinux = context.get("seLinuxOptions", {})
        if selinux.get("type", "") not in SELINUX_TYPES or {"user", "role"} & set(selinux):
            found.append(f"{where}: SELinux options restricted pods may not set")
        if context.get("procMount", "Default") != "Default":
            found.append(f"{where}: /proc must be mounted Default")
        if context.get("windowsOptions", {}).get("hostProcess"):
            found.append(f"{where}: no Windows host process")
        if context.get("runAsUser") == 0:
            found.append(f"{where}: runs as user 0")
    return found


def checkov_problems(directory: Path, framework: str, checks: dict[str, str]) -> list[str]:
    """What checkov finds in the manifests under `directory`, for `checks` only."""
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "checkov"),
            "--directory",
            str(directory),
            "--framework",
            framework,
            "--check",
            ",".join(checks),
            "--output",
            "json",
            "--quiet",
            "--compact",
            "--skip-download",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode not in (0, 1) or not result.stdout.strip():
        return [f"checkov did not run ({result.returncode}): {result.stderr.strip()[-500:]}"]
    reports = json.loads(result.stdout)
    return [
        f"{failed['resource']}: {checks.get(failed['check_id'], failed['check_id'])} "
        f"({failed['check_id']})"
        for report in (reports if isinstance(reports, list) else [reports])
        if isinstance(report, dict)
        for failed in report.get("results", {}).get("failed_checks", [])
    ]


def pod_problems(pods: list[dict[str, Any]]) -> list[str]:
    """What the restricted profile refuses in `pods`, by checkov and by our own rules."""
    with tempfile.TemporaryDirectory() as tmp:
        for index, pod in enumerate(pods):
            (Path(tmp) / f"pod-{index}.yaml").write_text(yaml.safe_dump(pod))
        found = checkov_problems(Path(tmp), "kubernetes", RESTRICTED_CHECKS)
    return found + [problem for pod in pods for problem in uncovered_problems(pod)]


def main() -> int:
    pods = list(deployment_pods())
    for template in argo_templates():
        pods += workflow_pods(template)
    problems = pod_problems(pods)
    problems += checkov_problems(WORKFLOWS, "argo_workflows", ARGO_CHECKS)
    for problem in problems:
        print(f"restricted Pod Security: {problem}", file=sys.stderr)
    if not problems:
        print(f"{len(pods)} pods meet the restricted Pod Security Standard")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
