"""The committed OpenAPI schema is the one the app generates: regenerate with scripts/export-openapi."""

from __future__ import annotations

from pathlib import Path

from service.config import Settings
from service.openapi import schema_bytes

COMMITTED = Path(__file__).parent.parent / "openapi" / "openapi.json"


def test_committed_schema_is_current() -> None:
    assert COMMITTED.read_bytes() == schema_bytes(), (
        "openapi/openapi.json is stale: run scripts/export-openapi > openapi/openapi.json"
    )


def test_limits_and_operations_are_in_the_schema() -> None:
    import orjson

    schema = orjson.loads(schema_bytes())
    defaults = Settings.model_construct()
    assert schema["info"]["x-limits"]["max_elements"] == defaults.max_elements == 10_000_000
    assert schema["info"]["x-limits"]["max_body_bytes"] == defaults.max_body_bytes
    operations = {op["operationId"] for path in schema["paths"].values() for op in path.values()}
    assert {"evaluate_activation", "list_activations", "health"} <= operations
    evaluate = schema["paths"]["/api/v1/activations/{name}/evaluate"]["post"]
    assert set(evaluate["requestBody"]["content"]) == {
        "application/json",
        "application/x-npy",
        "application/x-npz",
    }
    assert {"413", "422", "404"} <= set(evaluate["responses"])


def test_simulation_limits_are_declared_on_their_fields() -> None:
    import orjson

    schema = orjson.loads(schema_bytes())
    defaults = Settings.model_construct()
    limits = schema["info"]["x-limits"]
    for name in ("max_depth", "max_activations", "max_multiply_adds", "max_training_steps"):
        assert limits[name] == getattr(defaults, name)
    request = schema["components"]["schemas"]["GradientFlowRequest"]["properties"]
    assert request["depth"]["maximum"] == defaults.max_depth
    assert request["depth"]["x-limit"] == "max_depth"
    width_maxima = {
        branch.get("maximum") or branch["items"]["maximum"] for branch in request["width"]["anyOf"]
    }
    assert width_maxima == {defaults.max_width}
    points = schema["components"]["schemas"]["CriticalLineRequest"]["properties"]["sigma_b2"]
    assert points["maxItems"] == defaults.max_critical_points
    operations = {op["operationId"] for path in schema["paths"].values() for op in path.values()}
    assert {"simulate_gradient_flow", "get_critical_line", "compute_critical_line"} <= operations


def test_the_inference_protocol_is_documented_under_its_own_tag() -> None:
    import orjson

    schema = orjson.loads(schema_bytes())
    v2 = {
        (path, method): operation
        for path, operations in schema["paths"].items()
        if path.startswith("/v2")
        for method, operation in operations.items()
    }
    assert {op["operationId"] for op in v2.values()} == {
        "v2_server_metadata",
        "v2_server_live",
        "v2_server_ready",
        "v2_model_metadata",
        "v2_model_version_metadata",
        "v2_model_ready",
        "v2_model_version_ready",
        "v2_model_infer",
        "v2_model_version_infer",
    }
    for operation in v2.values():
        assert operation["tags"] == ["open-inference-protocol"]
        for code, response in operation["responses"].items():
            assert "application/problem+json" not in response.get("content", {})
            if code == "200":
                continue
            error = {"$ref": "#/components/schemas/InferenceError"}
            answer = response["content"]["application/json"]["schema"]
            if operation["operationId"] == "v2_server_ready":
                assert answer == {"$ref": "#/components/schemas/Ready"}, "not ready: 400"
            elif operation["operationId"].endswith("_ready") and code == "400":
                assert error in answer["anyOf"], "not ready, or an invalid name"
            else:
                assert answer == error
    infer = v2[("/v2/models/{name}/infer", "post")]
    assert set(infer["requestBody"]["content"]) == {"application/json", "application/octet-stream"}
    assert "InferenceRequest" in schema["components"]["schemas"]
    assert {"400", "404", "413"} <= set(infer["responses"])
