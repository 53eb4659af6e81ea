"""Render deploy/kubernetes's overlays and check them offline (part of `poe lint`).

Every rendered resource must validate strictly (no unknown field) against the schemas of the
oldest and newest Kubernetes releases we claim (kubernetes-validate carries them), and the
manifests must keep the promises the README makes: gRPC probes on the health port, a grace
period that covers preStop and the drain, non-root with a read-only root filesystem and no
capabilities, requests and limits, the Argo namespace admitted, and per overlay the replica
count, strategy and store.

    python -m scripts.check_kubernetes
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import kubernetes_validate
import yaml

from scripts.render_kubernetes import CLUSTER_SCOPED, render

ROOT = Path(__file__).resolve().parent.parent
OVERLAYS = ROOT / "deploy" / "kubernetes" / "overlays"
ARGO_TEMPLATE = ROOT / "argo_samples" / "workflows" / "manufacture-toy.workflowtemplate.yaml"
ARGO_HTTP_TEMPLATE = ARGO_TEMPLATE.with_name("manufacture-toy-http.workflowtemplate.yaml")
PROMETHEUS_CONFIG = ROOT / "deploy" / "prometheus" / "prometheus.yml"
KUBERNETES_VERSIONS = ("1.30.0", "1.34.0")
PRESTOP_S = 5
DRAIN_S = 10


def _find(documents: list[dict[str, Any]], kind: str, name: str = "") -> dict[str, Any]:
    [found] = [
        d for d in documents if d["kind"] == kind and (not name or d["metadata"]["name"] == name)
    ]
    return found


def _env(container: dict[str, Any]) -> dict[str, Any]:
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container.get("env", [])}


NAMESPACE = "toy-factory"
ARGO_KUSTOMIZATION = ROOT / "argo_samples" / "workflows"


def namespace_problems(documents: list[dict[str, Any]]) -> list[str]:
    """Every namespaced object in toy-factory: one without would land in whatever namespace
    the kubectl context has (a PVC its pod never finds, a PDB that protects nothing)."""
    return [
        f"{d['kind']}/{d['metadata']['name']} is in namespace "
        f"{d['metadata'].get('namespace', "(none: the context's)")}, not {NAMESPACE}"
        for d in documents
        if d["kind"] not in CLUSTER_SCOPED and d["metadata"].get("namespace") != NAMESPACE
    ]


def validation_problems(documents: list[dict[str, Any]]) -> list[str]:
    """Strict schema validation, as the API server of each release we claim would do."""
    found = []
    for document in documents:
        for version in KUBERNETES_VERSIONS:
            try:
                kubernetes_validate.validate(document, version, strict=True)
            except kubernetes_validate.ValidationError as exc:
                name = f"{document['kind']}/{document['metadata']['name']}"
                found.append(f"{name} (Kubernetes {version}): {exc.message}")
    return found


_CREDENTIAL = re.compile(r"://[^/\s:@]*:[^@\s]+@|password=|\btft_[A-Za-z0-9_-]{20,}")


def secret_problems(pod: dict[str, Any]) -> list[str]:
    """No secret where `ps`, `kubectl describe` or an audit log shows it: none written into a
    command, an argument or an env value, and no Secret-backed variable expanded into a
    command or argument with $(NAME)."""
    found = []
    for container in [*pod.get("initContainers", []), *pod.get("containers", [])]:
        name = container["name"]
        from_secrets = {
            e["name"] for e in container.get("env", []) if "secretKeyRef" in str(e.get("valueFrom"))
        }
        words = [*container.get("command", []), *container.get("args", [])]
        found += [
            f"{name}: a Secret-backed variable is expanded into its command line: {word}"
            for word in words
            for variable in from_secrets
            if f"$({variable})" in word
        ]
        literals = words + [str(e.get("value", "")) for e in container.get("env", [])]
        found += [
            f"{name}: a credential is written into its command line or env"
            for literal in literals
            if _CREDENTIAL.search(literal)
        ]
    return found


def http_problems(
    documents: list[dict[str, Any]], server: dict[str, Any], env: dict[str, Any]
) -> list[str]:
    """The HTTP port: served, named `http` on the container and both Services (the headless
    one for Prometheus listing pods that are not ready), reachable by Prometheus, scraped at
    the name deploy/prometheus/prometheus.yml resolves."""
    found = []
    http_port = int(env.get("TOYS_HTTP_PORT") or 0)
    ports = {p["name"]: p["containerPort"] for p in server.get("ports", [])}
    if not http_port or ports.get("http") != http_port:
        found.append("TOYS_HTTP_PORT must be set and be the container port named http")
    for name in ("toys-server", "toys-server-metrics"):
        service = _find(documents, "Service", name)
        if not any(p.get("targetPort") == "http" for p in service["spec"]["ports"]):
            found.append(f"Service {name} must serve the http port")
    metrics = _find(documents, "Service", "toys-server-metrics")
    if metrics["spec"].get("clusterIP") != "None" or not metrics["spec"].get(
        "publishNotReadyAddresses"
    ):
        found.append("toys-server-metrics must be headless and list pods that are not ready")
    scrape = yaml.safe_load(PROMETHEUS_CONFIG.read_text())["scrape_configs"][0]
    expected = f"toys-server-metrics.{metrics['metadata']['namespace']}.svc.cluster.local"
    if scrape["dns_sd_configs"][0]["names"] != [expected]:
        found.append(f"{PROMETHEUS_CONFIG.name} must scrape {expected}")
    policy = _find(documents, "NetworkPolicy")
    monitoring = [
        rule
        for rule in policy["spec"]["ingress"]
        for peer in rule.get("from", [])
        if peer.get("namespaceSelector", {}).get("matchLabels", {})
        == {"kubernetes.io/metadata.name": "monitoring"}
    ]
    if not any(p["port"] == http_port for rule in monitoring for p in rule["ports"]):
        found.append("the NetworkPolicy must let the monitoring namespace scrape the http port")
    return found


def problems_of(overlay: str, documents: list[dict[str, Any]]) -> list[str]:
    found: list[str] = namespace_problems(documents)
    found += validation_problems(documents)
    deployment = _find(documents, "Deployment")
    pod = deployment["spec"]["template"]["spec"]
    found += secret_problems(pod)
    [server] = pod["containers"]
    env = _env(server)
    if env.get("TOYS_HOST") != "0.0.0.0":  # noqa: S104  # what is being checked
        found.append("the server must listen on 0.0.0.0 explicitly (TOYS_HOST)")
    found += [
        f"{probe} must be a gRPC probe on the health port"
        for probe in ("startupProbe", "readinessProbe", "livenessProbe")
        if server.get(probe, {}).get("grpc", {}).get("port") != int(env["TOYS_HEALTH_PORT"])
    ]
    if server["livenessProbe"]["grpc"].get("service") != "liveness":
        found.append("liveness must not depend on the store: service `liveness`")
    if int(env["TOYS_SHUTDOWN_GRACE"]) != DRAIN_S:
        found.append(f"TOYS_SHUTDOWN_GRACE should be {DRAIN_S}")
    if pod["terminationGracePeriodSeconds"] <= PRESTOP_S + DRAIN_S:
        found.append("terminationGracePeriodSeconds must outlast preStop and the drain")
    for container in [*pod.get("initContainers", []), server]:
        context = container.get("securityContext", {})
        if context.get("readOnlyRootFilesystem") is not True:
            found.append(f"{container['name']}: the root filesystem must be read-only")
        if context.get("capabilities", {}).get("drop") != ["ALL"]:
            found.append(f"{container['name']}: every capability must be dropped")
        if not {"requests", "limits"} <= set(container.get("resources", {})):
            found.append(f"{container['name']}: resource requests and limits are required")
    if pod["securityContext"].get("runAsNonRoot") is not True:
        found.append("the pod must run as non-root")
    policy = _find(documents, "NetworkPolicy")
    admitted = [
        peer.get("namespaceSelector", {}).get("matchLabels", {})
        for rule in policy["spec"]["ingress"]
        for peer in rule.get("from", [])
    ]
    if {"kubernetes.io/metadata.name": "argo"} not in admitted:
        found.append("the NetworkPolicy must admit the argo namespace")
    found += http_problems(documents, server, env)
    replicas, strategy = deployment["spec"]["replicas"], deployment["spec"]["strategy"]["type"]
    if overlay == "sqlite" and (replicas, strategy, env.get("TOYS_DB")) != (
        1,
        "Recreate",
        "/data/toys.db",
    ):
        found.append("sqlite: one replica, Recreate, TOYS_DB on the volume")
    if overlay == "postgres":
        if (replicas, strategy) != (3, "RollingUpdate") or "TOYS_DB_FILE" not in env:
            found.append("postgres: three replicas, rolling updates, the DSN from a Secret file")
        if _find(documents, "PodDisruptionBudget")["spec"].get("minAvailable") != 2:
            found.append("postgres: a PodDisruptionBudget keeping two available")
        if not pod.get("topologySpreadConstraints"):
            found.append("postgres: replicas spread over nodes and zones")
        if [c["command"][:2] for c in pod.get("initContainers", [])] != [
            ["toys-server", "migrate"]
        ]:
            found.append("postgres: an init container that migrates")
    return found


def _default(template: Path, parameter: str) -> object:
    spec = yaml.safe_load(template.read_text())["spec"]
    [found] = [p for p in spec["arguments"]["parameters"] if p["name"] == parameter]
    return found.get("value")


def argo_problems(documents: list[dict[str, Any]]) -> list[str]:
    """The WorkflowTemplates' callbacks must address the Service by its DNS name: gRPC for
    toyctl, HTTPS for the http template."""
    service = _find(documents, "Service", "toys-server")
    meta = service["metadata"]
    host = f"{meta['name']}.{meta['namespace']}.svc.cluster.local"
    ports = {p["name"]: p["port"] for p in service["spec"]["ports"]}
    found = []
    grpc_address = f"{host}:{ports['grpc']}"
    if _default(ARGO_TEMPLATE, "toys-server") != grpc_address:
        found.append(f"{ARGO_TEMPLATE.name}: toys-server should default to {grpc_address}")
    http_url = f"https://{host}:{ports['http']}"
    if _default(ARGO_HTTP_TEMPLATE, "toys-http") != http_url:
        found.append(f"{ARGO_HTTP_TEMPLATE.name}: toys-http should default to {http_url}")
    return found


def main() -> int:
    failed = False
    for overlay in sorted(p.name for p in OVERLAYS.iterdir() if p.is_dir()):
        documents = render(OVERLAYS / overlay)
        problems = problems_of(overlay, documents)
        for problem in problems:
            print(f"deploy/kubernetes/overlays/{overlay}: {problem}", file=sys.stderr)
        failed = failed or bool(problems)
        if not problems:
            print(f"{overlay}: {len(documents)} resources ok")
    for problem in argo_problems(render(OVERLAYS / "postgres")):
        print(f"argo_samples/workflows/{problem}", file=sys.stderr)
        failed = True
    argo = [d for d in render(ARGO_KUSTOMIZATION) if not d["kind"].startswith("Workflow")]
    for problem in namespace_problems(render(ARGO_KUSTOMIZATION)) + validation_problems(argo):
        print(f"argo_samples/workflows: {problem}", file=sys.stderr)
        failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
