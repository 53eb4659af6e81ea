"""deploy/kubernetes: our renderer agrees with kustomize, and the checks catch what they say."""

from __future__ import annotations

import copy
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from scripts.check_kubernetes import (
    ARGO_KUSTOMIZATION,
    OVERLAYS,
    argo_problems,
    namespace_problems,
    problems_of,
)
from scripts.render_kubernetes import render
from tests.support import ROOT, require_tool
from toys.calls.faults import SERVER_FAULT_STATUSES

OVERLAY_NAMES = sorted(p.name for p in OVERLAYS.iterdir() if p.is_dir())
PROMETHEUS = ROOT / "deploy" / "prometheus"


def _keyed(documents: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(d["kind"], d["metadata"]["name"]): d for d in documents}


@pytest.mark.parametrize("overlay", OVERLAY_NAMES)
def test_every_overlay_passes_its_checks(overlay: str) -> None:
    assert problems_of(overlay, render(OVERLAYS / overlay)) == []


def test_the_argo_template_calls_the_service() -> None:
    assert argo_problems(render(OVERLAYS / "postgres")) == []


KUSTOMIZATIONS = [OVERLAYS / name for name in OVERLAY_NAMES] + [ARGO_KUSTOMIZATION]


def _kubectl_kustomize(directory: Path) -> list[dict[str, Any]]:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl is not installed (it is not required: the renderer is ours)")
    theirs = subprocess.run(
        [kubectl, "kustomize", str(directory)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    return [d for d in yaml.safe_load_all(theirs) if d]


@pytest.mark.parametrize("directory", KUSTOMIZATIONS, ids=lambda p: p.name)
def test_our_rendering_is_kubectl_kustomizes(directory: Path) -> None:
    """Where kubectl is installed, `kubectl kustomize` renders the same resources."""
    assert _keyed(render(directory)) == _keyed(_kubectl_kustomize(directory))


@pytest.mark.parametrize("directory", KUSTOMIZATIONS, ids=lambda p: p.name)
def test_a_pushed_image_reaches_every_container(directory: Path, tmp_path: Path) -> None:
    """`kustomize edit set image toy-factory=REGISTRY/toy-factory:TAG` (the README's step)
    points every container, the WorkflowTemplate's too, at the pushed image."""
    tree = tmp_path / "repo"
    for part in ("deploy", "argo_samples"):
        shutil.copytree(ROOT / part, tree / part)
    copied = tree / directory.relative_to(ROOT)
    data = yaml.safe_load((copied / "kustomization.yaml").read_text())
    data["images"] = [
        {"name": "toy-factory", "newName": "registry.example/toys/toy-factory", "newTag": "9.9"}
    ]
    (copied / "kustomization.yaml").write_text(yaml.safe_dump(data))
    for rendered in (render(copied), _kubectl_kustomize(copied)):
        assert _images(rendered) == {"registry.example/toys/toy-factory:9.9"}


def _images(node: Any) -> set[str]:
    if isinstance(node, list):
        return set().union(*(_images(item) for item in node)) if node else set()
    if isinstance(node, dict):
        found = {node["image"]} if isinstance(node.get("image"), str) else set()
        return found.union(*(_images(value) for value in node.values()))
    return set()


@pytest.mark.parametrize("overlay", OVERLAY_NAMES)
def test_every_namespaced_object_of_an_overlay_is_in_toy_factory(overlay: str) -> None:
    documents = render(OVERLAYS / overlay)
    assert namespace_problems(documents) == []
    documents[-1]["metadata"].pop("namespace")  # as an overlay's own object was, before
    assert namespace_problems(documents)


@pytest.mark.parametrize(
    ("breaks", "complaint"),
    [
        (lambda pod: pod["containers"][0].pop("readinessProbe"), "readinessProbe must be"),
        (lambda pod: pod.update(terminationGracePeriodSeconds=10), "must outlast preStop"),
        (
            lambda pod: pod["containers"][0]["securityContext"].update(
                readOnlyRootFilesystem=False
            ),
            "read-only",
        ),
        (lambda pod: pod["containers"][0].update(bogus=1), "Additional properties"),
        (
            # The init container as it was: the DSN expanded into its arguments.
            lambda pod: pod["initContainers"][0].update(
                command=["toys-server", "migrate", "--db", "$(TOYS_DB)"],
                env=[
                    {
                        "name": "TOYS_DB",
                        "valueFrom": {"secretKeyRef": {"name": "toys-postgres", "key": "dsn"}},
                    }
                ],
            ),
            "Secret-backed variable is expanded",
        ),
        (
            lambda pod: pod["containers"][0]["env"].append(
                {"name": "TOYS_DB", "value": "postgresql://toys:hunter2@db:5432/toys"}
            ),
            "credential is written",
        ),
    ],
)
def test_a_broken_deployment_is_caught(breaks: Any, complaint: str, tmp_path: Path) -> None:
    documents = copy.deepcopy(render(OVERLAYS / "postgres"))
    [deployment] = [d for d in documents if d["kind"] == "Deployment"]
    breaks(deployment["spec"]["template"]["spec"])
    assert any(complaint in problem for problem in problems_of("postgres", documents))


def _promtool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [require_tool("promtool"), *args], capture_output=True, text=True, check=False
    )


def test_the_alert_rules_fire_as_their_cases_say() -> None:
    """promtool runs the rules' own cases: each alert fires when it should, and not before."""
    done = _promtool("test", "rules", str(PROMETHEUS / "toy-factory.rules.test.yaml"))
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_scrape_configuration_is_valid() -> None:
    done = _promtool("check", "config", str(PROMETHEUS / "prometheus.yml"))
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_prometheus_alert_counts_the_access_logs_server_faults() -> None:
    """ToyFactoryHighErrorRate's codes are the statuses the access log writes as WARNING."""
    rules = yaml.safe_load((PROMETHEUS / "toy-factory.rules.yaml").read_text())
    [rule] = [r for r in rules["groups"][0]["rules"] if r["alert"] == "ToyFactoryHighErrorRate"]
    codes = rule["expr"].split('code=~"')[1].split('"')[0].split("|")
    assert set(codes) == {status.name for status in SERVER_FAULT_STATUSES}


def test_the_http_port_is_checked() -> None:
    broken = render(OVERLAYS / "sqlite")
    for doc in broken:
        if doc["kind"] == "Service" and doc["metadata"]["name"] == "toys-server-metrics":
            doc["spec"]["publishNotReadyAddresses"] = False
    assert "toys-server-metrics must be headless and list pods that are not ready" in (
        problems_of("sqlite", broken)
    )
