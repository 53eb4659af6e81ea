"""deploy/kubernetes: our renderer agrees with kustomize, and the checks catch what they say."""

from __future__ import annotations

import copy
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from scripts.check_kubernetes import OVERLAYS, argo_problems, problems_of
from scripts.render_kubernetes import render

OVERLAY_NAMES = sorted(p.name for p in OVERLAYS.iterdir() if p.is_dir())


def _keyed(documents: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(d["kind"], d["metadata"]["name"]): d for d in documents}


@pytest.mark.parametrize("overlay", OVERLAY_NAMES)
def test_every_overlay_passes_its_checks(overlay: str) -> None:
    assert problems_of(overlay, render(OVERLAYS / overlay)) == []


def test_the_argo_template_calls_the_service() -> None:
    assert argo_problems(render(OVERLAYS / "postgres")) == []


@pytest.mark.parametrize("overlay", OVERLAY_NAMES)
def test_our_rendering_is_kubectl_kustomizes(overlay: str) -> None:
    """Where kubectl is installed, `kubectl kustomize` renders the same resources."""
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl is not installed (it is not required: the renderer is ours)")
    theirs = subprocess.run(
        [kubectl, "kustomize", str(OVERLAYS / overlay)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    assert _keyed(render(OVERLAYS / overlay)) == _keyed(
        [d for d in yaml.safe_load_all(theirs) if d]
    )


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
    ],
)
def test_a_broken_deployment_is_caught(breaks: Any, complaint: str, tmp_path: Path) -> None:
    documents = copy.deepcopy(render(OVERLAYS / "postgres"))
    [deployment] = [d for d in documents if d["kind"] == "Deployment"]
    breaks(deployment["spec"]["template"]["spec"])
    assert any(complaint in problem for problem in problems_of("postgres", documents))
