"""deploy/kubernetes/: valid for the Kubernetes version we name, and consistent with the service."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from service.config import Settings
from service.main import create_app

kubernetes_validate = pytest.importorskip("kubernetes_validate")

KUBERNETES_VERSION = "1.35.0"
DEPLOY = Path(__file__).resolve().parents[1] / "deploy" / "kubernetes"
MANIFESTS = sorted(p for p in DEPLOY.glob("*.yaml") if p.name != "kustomization.yaml")


def _resources() -> dict[str, dict[str, Any]]:
    found = {}
    for path in MANIFESTS:
        for document in yaml.safe_load_all(path.read_text()):
            found[document["kind"]] = document
    return found


@pytest.mark.parametrize("path", MANIFESTS, ids=lambda p: p.name)
def test_each_manifest_is_valid_for_the_named_kubernetes_version(path: Path) -> None:
    for document in yaml.safe_load_all(path.read_text()):
        kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)


def test_kustomization_lists_every_manifest() -> None:
    kustomization = yaml.safe_load((DEPLOY / "kustomization.yaml").read_text())
    assert sorted(kustomization["resources"]) == [p.name for p in MANIFESTS]


def test_the_pod_runs_locked_down() -> None:
    pod = _resources()["Deployment"]["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] != 0
    assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
    assert pod["automountServiceAccountToken"] is False
    (container,) = pod["containers"]
    context = container["securityContext"]
    assert context["readOnlyRootFilesystem"] is True
    assert context["allowPrivilegeEscalation"] is False
    assert context["capabilities"]["drop"] == ["ALL"]
    assert "limits" in container["resources"] and "requests" in container["resources"]


def test_probes_and_shutdown_match_the_service() -> None:
    deployment = _resources()["Deployment"]
    pod = deployment["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    paths = set(create_app(Settings.model_construct(compile_at_startup=False)).openapi()["paths"])
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["startupProbe"]["httpGet"]["path"] == "/healthz"
    assert {"/readyz", "/healthz", "/metrics"} <= paths
    env = {item["name"]: item["value"] for item in container["env"]}
    settings = Settings.model_validate(
        {name.removeprefix("ACTIVATION_SERVICE_").lower(): value for name, value in env.items()}
    )
    # The kubelet's SIGKILL must come after the drain and the requests' time to end.
    drain = settings.shutdown_delay + settings.shutdown_timeout
    assert settings.shutdown_delay >= 2 * container["readinessProbe"]["periodSeconds"]
    assert pod["terminationGracePeriodSeconds"] >= drain + 5
    annotations = deployment["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/path"] == "/metrics"


def test_the_service_hpa_and_pdb_find_the_pods() -> None:
    resources = _resources()
    labels = resources["Deployment"]["spec"]["template"]["metadata"]["labels"]
    for kind in ("Service", "PodDisruptionBudget"):
        spec = resources[kind]["spec"]
        selector = spec["selector"].get("matchLabels", spec["selector"])
        assert selector.items() <= labels.items(), kind
    target = resources["HorizontalPodAutoscaler"]["spec"]["scaleTargetRef"]
    assert (target["kind"], target["name"]) == (
        "Deployment",
        resources["Deployment"]["metadata"]["name"],
    )
    assert (
        resources["PodDisruptionBudget"]["spec"]["minAvailable"]
        < resources["HorizontalPodAutoscaler"]["spec"]["minReplicas"]
    )
