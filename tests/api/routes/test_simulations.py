"""The simulation endpoints: results beside theory, reproducible bytes, limits named, bad input refused."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.api.conftest import ClientFactory

pytestmark = pytest.mark.anyio

FLOW = "/api/v1/simulations/gradient-flow"
LINE = "/api/v1/simulations/critical-line"
SMALL = {"activation": "tanh", "depth": 6, "width": 32, "batch": 16, "seed": 3}


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


async def test_gradient_flow_reports_every_layer_beside_theory(client: httpx.AsyncClient) -> None:
    response = await client.post(
        FLOW, json={**SMALL, "jacobian": True, "training": {"steps": 2, "learning_rate": 0.05}}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["widths"] == [32] * 6 and body["dtype"] == "float32"
    assert [layer["layer"] for layer in body["layers"]] == [1, 2, 3, 4, 5, 6]
    first = body["layers"][0]
    assert first["sigma_w2"] == pytest.approx(25 / 9)  # xavier_normal with tanh's gain 5/3
    assert first["theory_preact_second_moment"] == pytest.approx(25 / 9)
    assert 0 <= first["saturated_fraction"] <= 1 and first["dead_fraction"] == 0
    assert body["summary"]["verdict"] in {"vanishing", "stable", "exploding"}
    assert body["summary"]["gain"] == pytest.approx(5 / 3)
    assert body["theory"]["phase"] == "chaotic" and body["theory"]["chi_1"] > 1
    assert len(body["jacobian"]["singular_values"]) == 32
    assert [step["step"] for step in body["training"]] == [0, 1, 2]
    assert len(body["training"][0]["dead_fraction"]) == 6


async def test_same_request_same_bytes(client: httpx.AsyncClient) -> None:
    request = {**SMALL, "dtype": "float64", "loss": "mse", "init": {"scheme": "orthogonal"}}
    first = await client.post(FLOW, json=request)
    again = await client.post(FLOW, json=request)
    assert first.status_code == 200
    assert first.content == again.content
    other = await client.post(FLOW, json={**request, "seed": 4})
    assert other.content != first.content


async def test_widths_per_layer_and_explicit_sigmas(client: httpx.AsyncClient) -> None:
    response = await client.post(
        FLOW,
        json={
            **SMALL,
            "activation": "relu",
            "depth": 3,
            "width": [16, 32, 8],
            "init": {"sigma_w": 1.5, "sigma_b": 0.1},
            "input": {"distribution": "uniform", "scale": 3.0},
        },
    )
    body = response.json()
    assert body["widths"] == [16, 32, 8]
    assert body["summary"]["scheme"] == "gaussian" and body["summary"]["sigma_w2"] == 2.25
    # Layer 1 sees E[x^2] = scale^2 / 3 = 3.
    assert body["layers"][0]["theory_preact_second_moment"] == pytest.approx(2.25 * 3 + 0.01)


async def test_a_network_without_weights_has_a_theory_without_nan(
    client: httpx.AsyncClient,
) -> None:
    """sigma_w = 0: every layer's pre-activations are its biases, q = sigma_b^2, and no gradient
    passes a layer, however large the exponential's moments at q = 10^6 (infinite as floats;
    0 times them had made NaN, and numpy's warning a 500 here)."""
    response = await client.post(
        FLOW,
        json={
            **SMALL,
            "activation": "exponential",
            "depth": 3,
            "init": {"sigma_w": 0.0, "sigma_b": 1000.0},
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["theory"] == {
        "q_star": 1e6, "chi_1": 0.0, "phase": "ordered", "xi_q": 0.0, "xi_c": 0.0
    }  # fmt: skip
    layers = body["layers"]
    assert [layer["theory_preact_second_moment"] for layer in layers] == [1e6] * 3
    assert [layer["theory_chi"] for layer in layers] == [0.0] * 3
    assert [layer["theory_grad_preact_rms"] for layer in layers[:-1]] == [0.0] * 2


@pytest.mark.parametrize(
    ("activation", "init", "jacobian"),
    [
        ("exponential", {"sigma_w": 100.0}, True),  # J overflows: no SVD takes it
        ({"expression": "x**3"}, {"sigma_w": 50.0}, True),
        ({"expression": "1/x"}, {}, True),  # a pole: inf * 0 in the correlation's integral
        ({"expression": "log(x)"}, {}, False),  # not real below 0: E[phi^2] is no number
        ({"expression": "sqrt(x)"}, {}, True),
        ({"expression": "1e-320/x"}, {}, True),  # chi 0 in one layer, inf in another
    ],
)
async def test_networks_that_overflow_or_leave_the_reals_are_answered(
    client: httpx.AsyncClient, activation: object, init: dict[str, float], jacobian: bool
) -> None:
    """Each had answered 500: the SVD of a Jacobian with infinite entries, and numpy's warnings
    in the theory's integrals (an empty quadrature panel's zero weight times an infinity)."""
    request = {**SMALL, "activation": activation, "depth": 4, "width": 8, "batch": 4}
    response = await client.post(FLOW, json={**request, "init": init, "jacobian": jacobian})
    assert response.status_code == 200, response.text
    body = response.json()
    if activation == "exponential":
        assert set(body["jacobian"]["singular_values"]) == {"NaN"}
    if activation == {"expression": "log(x)"}:
        assert body["theory"] == {
            "q_star": "NaN", "chi_1": "NaN", "phase": None, "xi_q": "NaN", "xi_c": None
        }  # fmt: skip


async def test_a_moment_that_diverges_has_no_critical_point(client: httpx.AsyncClient) -> None:
    """E[exp(u^2)^2] is infinite from q = 1/4 on: no sigma_w^2 at the edge of chaos, and the
    formula's description says none, where the quadrature's empty panels had made it NaN."""
    formula = {"expression": "exp(x**2)"}
    response = await client.post(LINE, json={"activation": formula, "sigma_b2": [0.0, 1.0]})
    assert response.status_code == 200, response.text
    assert [point["sigma_w2"] for point in response.json()["points"]] == [None, None]
    described = await client.post("/api/v1/formulas/describe", json={"activation": formula})
    assert described.status_code == 200, described.text
    assert described.json()["initialisation"]["critical_sigma_w2"] is None


@pytest.mark.parametrize("expression", ["sqrt(x)", "log1p(x)", "x**(1/3)", "cosh(x) - sinh(x)"])
async def test_an_undefined_moment_has_no_critical_point(
    client: httpx.AsyncClient, expression: str
) -> None:
    """NaN where phi or phi' is not real (below 0, or inf - inf past 710): brentq refused the
    NaN, a 500."""
    activation = {"expression": expression}
    response = await client.post(LINE, json={"activation": activation, "sigma_b2": [0.0, 0.5]})
    assert response.status_code == 200, response.text
    assert [(p["sigma_w2"], p["q_star"]) for p in response.json()["points"]] == [(None, None)] * 2


async def test_overflow_is_written_as_strings(client: httpx.AsyncClient) -> None:
    response = await client.post(
        FLOW, json={**SMALL, "activation": "relu", "depth": 40, "init": {"sigma_w": 1000}}
    )
    body = response.json()
    assert body["summary"]["verdict"] == "exploding"
    assert body["layers"][-1]["preact_second_moment"] in ("Infinity", "NaN")  # inf - inf
    assert body["theory"]["q_star"] == "Infinity" and body["theory"]["xi_c"] is None


@pytest.mark.parametrize(
    ("overrides", "request_fields", "limit"),
    [
        ({"max_depth": 4}, {}, "max_depth"),
        ({"max_width": 16}, {}, "max_width"),
        ({"max_batch": 8}, {}, "max_batch"),
        ({"max_activations": 1000}, {}, "max_activations"),
        ({"max_weights": 1000}, {}, "max_weights"),
        ({"max_multiply_adds": 50_000}, {}, "max_multiply_adds"),
        ({"max_jacobian_width": 8}, {"jacobian": True}, "max_jacobian_width"),
        (
            {"max_training_steps": 3},
            {"training": {"steps": 4, "learning_rate": 0.1}},
            "max_training_steps",
        ),
    ],
)
async def test_over_limit_requests_name_the_limit(
    make_client: ClientFactory,
    overrides: dict[str, int],
    request_fields: dict[str, object],
    limit: str,
) -> None:
    client = make_client(**overrides)
    body = problem(await client.post(FLOW, json={**SMALL, **request_fields}), 422)
    assert body["type"].endswith(":limit-exceeded")
    assert body["limit"] == limit and body["maximum"] == overrides[limit]
    assert limit in body["detail"]


async def test_critical_line_points_are_limited(make_client: ClientFactory) -> None:
    client = make_client(max_critical_points=2)
    body = problem(await client.post(LINE, json={"activation": "tanh", "sigma_b2": [0, 1, 2]}), 422)
    assert body["limit"] == "max_critical_points"


@pytest.mark.parametrize(
    ("request_fields", "status", "loc"),
    [
        ({"activation": "tanhh"}, 404, None),
        ({"params": {"alpha": 1}}, 422, ["params", "alpha"]),
        ({"width": [8, 8]}, 422, ["width"]),
        ({"batch": 0}, 422, ["body", "batch"]),
        ({"seed": -1}, 422, ["body", "seed"]),
        ({"loss": "hinge"}, 422, ["body", "loss"]),
        ({"init": {"scheme": "he_normal", "sigma_w": 1.0}}, 422, ["init", "scheme"]),
        ({"init": {"scheme": "xavier_normal", "mode": "fan_out"}}, 422, ["init", "mode"]),
        ({"init": {"scheme": "glorot"}}, 422, ["body", "init", "scheme"]),
        ({"width": 0}, 422, None),
        ({"depth": 0}, 422, ["body", "depth"]),
        ({"colour": "red"}, 422, ["body", "colour"]),
    ],
)
async def test_bad_requests_say_where(
    client: httpx.AsyncClient, request_fields: dict[str, object], status: int, loc: list[Any] | None
) -> None:
    body = problem(await client.post(FLOW, json={**SMALL, **request_fields}), status)
    if loc is not None:
        assert loc in [error["loc"] for error in body["errors"]]


async def test_seed_is_required(client: httpx.AsyncClient) -> None:
    request = {k: v for k, v in SMALL.items() if k != "seed"}
    body = problem(await client.post(FLOW, json=request), 422)
    assert ["body", "seed"] in [error["loc"] for error in body["errors"]]


async def test_critical_line_by_get_and_post(client: httpx.AsyncClient) -> None:
    got = await client.get(LINE, params={"activation": "tanh", "sigma_b2": [0, 0.05]})
    posted = await client.post(LINE, json={"activation": "tanh", "sigma_b2": [0, 0.05]})
    assert got.status_code == posted.status_code == 200
    assert got.content == posted.content
    points = got.json()["points"]
    assert points[0]["sigma_w2"] == pytest.approx(1.0, abs=1e-6)
    assert points[1]["sigma_w2"] > 1.5
    relu = (await client.get(LINE, params={"activation": "relu", "sigma_b2": 0.1})).json()
    assert relu["points"] == [{"sigma_b2": 0.1, "sigma_w2": 2.0, "q_star": "Infinity"}]


async def test_critical_line_takes_parameters_in_the_query(client: httpx.AsyncClient) -> None:
    response = await client.get(LINE, params={"activation": "elu", "alpha": "0.5", "sigma_b2": 0.1})
    assert response.json()["params"] == {"alpha": 0.5}
    body = problem(await client.get(LINE, params={"activation": "elu", "beta": "2"}), 422)
    assert body["errors"][0]["loc"] == ["params", "beta"]
    problem(await client.get(LINE, params={"activation": "tanh", "sigma_b2": -1}), 422)


async def test_gradient_flow_plot_is_deterministic_svg_with_theory(
    client: httpx.AsyncClient,
) -> None:
    import xml.etree.ElementTree as ElementTree

    request = {**SMALL, "activation": "sigmoid", "dtype": "float64"}
    first = await client.post(FLOW + "/plot.svg", json=request)
    assert first.status_code == 200, first.text
    assert first.headers["content-type"].startswith("image/svg+xml")
    assert first.content == (await client.post(FLOW + "/plot.svg", json=request)).content
    ids = {element.get("id") for element in ElementTree.fromstring(first.content).iter()}
    assert {"gradient-measured", "gradient-theory", "signal-measured", "signal-theory"} <= ids
    problem(await client.post(FLOW + "/plot.svg", json={**request, "depth": 10**6}), 422)
    problem(await client.post(FLOW + "/plot.svg", json={**request, "activation": "softmax"}), 422)
