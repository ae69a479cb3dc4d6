"""Formulas over HTTP: derivatives and accuracy, evaluation on both body kinds, description,
the simulations, and refusals that name the column; hostile input gets 4xx quickly."""

from __future__ import annotations

import math
import time
from typing import Any

import httpx
import numpy as np
import orjson
import pytest

from tests.api.conftest import ClientFactory, npy, problem

pytestmark = pytest.mark.anyio

FORMULAS = "/api/v1/formulas"
SILU = {
    "expression": "x / (1 + exp(-beta * x))",
    "parameters": {"beta": {"default": 1.0, "min": 0}},
}


async def test_analysis_gives_derivatives_stable_forms_and_accuracy(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        FORMULAS, json={"activation": {"expression": "x * tanh(log(1 + exp(x)))"}}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["expression"] == "x * tanh(log(1 + exp(x)))"
    assert body["served"] == "x * tanh(softplus(x))"
    assert body["rewrites"][0]["stable"] == "softplus(x)"
    assert body["gradient"].startswith("tanh(softplus(x)) + x")
    assert body["formula"].startswith("f(x) = x")
    accuracy = body["accuracy"]
    assert accuracy["value"]["within_bound"]
    overflow = [r for r in accuracy["written_gradient"]["regions"] if r["failure"] == "non-finite"]
    assert 709 < overflow[0]["low"] <= 711


async def test_analysis_without_accuracy_is_quick(client: httpx.AsyncClient) -> None:
    response = await client.post(FORMULAS, json={"activation": SILU, "accuracy": False})
    assert response.status_code == 200, response.text
    assert response.json()["accuracy"] is None
    assert response.json()["parameters"][0]["name"] == "beta"


async def test_a_formula_evaluates_as_its_catalog_entry_does(client: httpx.AsyncClient) -> None:
    x = [-30.0, -2.0, -0.5, 0.0, 0.5, 2.0, 30.0]
    outputs = ["value", "gradient", "second_derivative"]
    for dtype in ("float64", "float32"):
        mine = await client.post(
            f"{FORMULAS}/evaluate",
            json={
                "activation": SILU,
                "x": x,
                "params": {"beta": 1.5},
                "outputs": outputs,
                "dtype": dtype,
            },
        )
        theirs = await client.post(
            "/api/v1/activations/silu/evaluate",
            json={"x": x, "params": {"beta": 1.5}, "outputs": outputs, "dtype": dtype},
        )
        assert mine.status_code == 200, mine.text
        assert mine.json()["activation"] == "x / (1 + exp(-beta * x))"
        for output in outputs:
            np.testing.assert_allclose(
                mine.json()[output],
                theirs.json()[output],
                rtol=1e-6 if dtype == "float32" else 1e-12,
            )


async def test_a_formula_evaluates_npy_bodies_with_the_formula_in_a_header(
    client: httpx.AsyncClient,
) -> None:
    x = np.linspace(-4, 4, 9)
    response = await client.post(
        f"{FORMULAS}/evaluate?outputs=gradient&beta=2",
        content=npy(x),
        headers={
            "content-type": "application/x-npy",
            "x-activation-formula": '{"expression": "x * sigmoid(beta * x)", "parameters": {"beta": {"default": 1}}}',
        },
    )
    assert response.status_code == 200, response.text
    got = np.load(__import__("io").BytesIO(response.content))
    s = 1 / (1 + np.exp(-2 * x))
    np.testing.assert_allclose(got, s + 2 * x * s * (1 - s), rtol=1e-12)


async def test_describe_measures_a_formula_like_the_catalog_entry(
    client: httpx.AsyncClient,
) -> None:
    mine = await client.post(
        f"{FORMULAS}/describe", json={"activation": {"expression": "max(x, 0)"}}
    )
    theirs = await client.get("/api/v1/activations/relu")
    assert mine.status_code == 200, mine.text
    got, want = mine.json(), theirs.json()
    assert got["family"] == "formula" and got["description"] is None
    for key in (
        "gaussian_mean",
        "gaussian_variance",
        "range",
        "monotonic",
        "saturates_above",
        "dead_zones",
    ):
        assert (
            got["properties"][key] == pytest.approx(want["properties"][key])
            if isinstance(want["properties"][key], float)
            else got["properties"][key] == want["properties"][key]
        ), key


async def test_simulations_take_a_formula_where_they_take_a_name(client: httpx.AsyncClient) -> None:
    common = {"depth": 6, "width": 32, "batch": 16, "seed": 3, "init": {"sigma_w": math.sqrt(2)}}
    mine = await client.post(
        "/api/v1/simulations/gradient-flow",
        json={**common, "activation": {"expression": "max(x, 0)"}},
    )
    theirs = await client.post(
        "/api/v1/simulations/gradient-flow", json={**common, "activation": "relu"}
    )
    assert mine.status_code == 200, mine.text
    assert mine.json()["activation"] == "max(x, 0)"
    for a, b in zip(mine.json()["layers"], theirs.json()["layers"], strict=True):
        assert a["grad_preact_rms"] == pytest.approx(b["grad_preact_rms"], rel=1e-9)
    line = await client.post(
        "/api/v1/simulations/critical-line",
        json={"activation": {"expression": "x * (1 + erf(x / sqrt(2))) / 2"}, "sigma_b2": [0.5]},
    )
    catalog = await client.post(
        "/api/v1/simulations/critical-line", json={"activation": "gelu", "sigma_b2": [0.5]}
    )
    assert line.status_code == 200, line.text
    assert line.json()["points"][0]["sigma_w2"] == pytest.approx(
        catalog.json()["points"][0]["sigma_w2"], rel=1e-7
    )


@pytest.mark.parametrize(
    ("activation", "kind", "loc"),
    [
        ({"expression": "x ^ 2"}, "invalid-formula", ["body", "activation", "expression"]),
        ({"expression": "x * y"}, "invalid-formula", ["body", "activation", "expression"]),
        (
            {"expression": "x", "parameters": {"x": {"default": 1}}},
            "invalid-input",
            ["body", "activation", "parameters", "x"],
        ),
        (
            {"expression": "tanh(" * 80 + "x" + ")" * 80},
            "limit-exceeded",
            ["body", "activation", "expression", 325],
        ),
    ],
)
async def test_refusals_name_what_and_where(
    client: httpx.AsyncClient, activation: dict[str, Any], kind: str, loc: list[Any]
) -> None:
    body = problem(await client.post(FORMULAS, json={"activation": activation}), 422)
    assert body["type"].endswith(kind)
    assert body["errors"][0]["loc"] == loc
    if kind == "invalid-formula":
        assert body["column"] == (3 if "^" in activation["expression"] else 5)


async def test_an_undefined_formula_is_evaluated_but_not_measured(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        f"{FORMULAS}/evaluate", json={"activation": {"expression": "log(x)"}, "x": [1.0, -1.0]}
    )
    assert response.json()["value"] == [0.0, "NaN"]
    described = await client.post(
        f"{FORMULAS}/describe", json={"activation": {"expression": "log(x)"}}
    )
    assert described.status_code == 200 and described.json()["properties"] is None
    assert "not a finite real number" in described.json()["properties_note"]


async def test_a_tower_of_exponentials_is_measured_not_a_500(client: httpx.AsyncClient) -> None:
    """Its truth in mpmath once asked for more memory than the machine has (exp of a number
    with 5e15 binary digits before the point): now infinite there, as its floats are."""
    response = await client.post(FORMULAS, json={"activation": {"expression": "exp(exp(x))"}})
    assert response.status_code == 200, response.text
    assert response.json()["accuracy"]["value"]["within_bound"]


@pytest.mark.parametrize(
    ("expression", "centred"),
    [
        ("x * 1e300", True),
        ("sin(x) * 1e300", True),
        ("1e300 / (1 + x * x)", False),
        ("tanh(x) * 1e308", True),  # its span passes the float range: drawn in units of 1e308
    ],
)
async def test_a_function_whose_square_overflows_is_described_and_plotted(
    client: httpx.AsyncClient, expression: str, centred: bool
) -> None:
    """Its Gaussian mean squared overflowed a float's ** (a 500 for describe and plot), and
    matplotlib's axes a span past the float range (a 500 for the plot). Its variance is inf as
    a float, written as the schema says, and whether it is zero-centred is decided on f scaled
    down (an infinite variance had made every such f zero-centred)."""
    formula = {"activation": {"expression": expression}}
    described = await client.post(f"{FORMULAS}/describe", json=formula)
    assert described.status_code == 200, described.text
    properties = described.json()["properties"]
    assert properties["gaussian_variance"] == "Infinity"
    assert properties["zero_centred"] is centred
    plotted = await client.post(f"{FORMULAS}/plot.svg", json=formula)
    assert plotted.status_code == 200, plotted.text


HOSTILE = [
    "x" * 10_000_000,
    "(" * 100_000 + "x" + ")" * 100_000,
    "-" * 1_000_000 + "x",
    "__import__('os').system('true')",
    "().__class__.__bases__[0].__subclasses__()",
    "x.__class__",
    "ｘ + 1",
    "x\u202e",
    "exp(" * 5000 + "x" + ")" * 5000,
    "9" * 100_000,
    "max(" + "x," * 3000 + "x)",
    "where(x > 0, lambda: 1, 0)",
]


@pytest.mark.parametrize("expression", HOSTILE, ids=range(len(HOSTILE)))
async def test_hostile_formulas_get_4xx_quickly(
    make_client: ClientFactory, expression: str
) -> None:
    client = make_client(max_body_bytes=16 * 1024 * 1024)
    start = time.perf_counter()
    activation = {"expression": expression}
    training = {"depth": 2, "width": 2, "task": "moons", "training": {"steps": 1}, "seed": 0}
    bodies = {
        FORMULAS: {"activation": activation},
        f"{FORMULAS}/evaluate": {"activation": activation, "x": [1.0]},
        "/api/v1/simulations/gradient-flow": {
            "activation": activation,
            "depth": 2,
            "width": 2,
            "batch": 2,
            "seed": 0,
        },
        "/api/v1/simulations/training": {**training, "activation": activation},
        "/api/v1/simulations/training-comparison": {
            **training,
            "entrants": [{"activation": "relu"}, {"activation": activation}],
        },
    }
    for path, body in bodies.items():
        response = await client.post(path, json=body)
        assert 400 <= response.status_code < 500, response.text[:300]
    assert time.perf_counter() - start < 10.0


async def test_a_formula_is_plotted_like_its_catalog_entry(client: httpx.AsyncClient) -> None:
    mine = await client.post(
        f"{FORMULAS}/plot.svg", json={"activation": {"expression": "max(x, 0)"}, "x_max": 3.0}
    )
    assert mine.status_code == 200, mine.text
    assert mine.headers["content-type"].startswith("image/svg+xml")
    assert mine.content.lstrip().startswith(b"<?xml") and b"max(x, 0)" in mine.content
    body = problem(
        await client.post(
            f"{FORMULAS}/plot.svg",
            json={"activation": {"expression": "x"}, "x_min": 2.0, "x_max": 1.0},
        ),
        422,
    )
    assert body["type"].endswith("invalid-plot-range")


async def test_formulas_are_compared_beside_catalog_entries(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/compare",
        json={"activations": ["relu", {"expression": "x / (1 + exp(-x))"}, "silu"]},
    )
    assert response.status_code == 200, response.text
    rows = response.json()["activations"]
    assert [row["name"] for row in rows] == ["relu", "x / (1 + exp(-x))", "silu"]
    assert rows[1]["properties"]["gaussian_mean"] == pytest.approx(
        rows[2]["properties"]["gaussian_mean"], rel=1e-12
    )
    csv = await client.post(
        "/api/v1/compare",
        json={"activations": [{"expression": "max(x, 0)"}, "tanh"]},
        headers={"accept": "text/csv"},
    )
    assert csv.status_code == 200 and csv.text.splitlines()[1].startswith('"max(x, 0)",formula')
    repeated = await client.post("/api/v1/compare", json={"activations": ["swish", "silu"]})
    assert problem(repeated, 422)["type"].endswith("names-repeated")


async def test_a_json_body_in_capitals_carries_its_formula(client: httpx.AsyncClient) -> None:
    """``Application/JSON`` had been taken for a binary body, its formula looked for in a
    header."""
    body = orjson.dumps({"activation": SILU, "x": [1.0]})
    response = await client.post(
        f"{FORMULAS}/evaluate", content=body, headers={"content-type": "Application/JSON"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["value"] == pytest.approx([1.0 / (1.0 + math.exp(-1.0))])


@pytest.mark.parametrize(
    ("accept", "csv"),
    [("text/csv", True), ("TEXT/CSV", True), ("text/csv;q=0, application/json", False),
     ("application/json;q=0.5, text/*", True), ("text/html,*/*;q=0.8", False)],
)  # fmt: skip
async def test_compare_answers_csv_where_accept_prefers_it(
    client: httpx.AsyncClient, accept: str, csv: bool
) -> None:
    """A CSV named with q=0 had been answered in CSV, and one named in capitals in JSON."""
    response = await client.post(
        "/api/v1/compare", json={"activations": ["relu", "tanh"]}, headers={"accept": accept}
    )
    assert response.headers["content-type"].startswith("text/csv" if csv else "application/json")


@pytest.mark.parametrize(
    "header", ["[1, 2]", '{"expression": 3}', "not json", '{"expression": "x ^ 2"}']
)
async def test_a_bad_formula_header_is_an_invalid_input(
    client: httpx.AsyncClient, header: str
) -> None:
    response = await client.post(
        f"{FORMULAS}/evaluate",
        content=npy(np.zeros(3)),
        headers={"content-type": "application/x-npy", "x-activation-formula": header},
    )
    body = problem(response, 422)
    assert body["type"].rsplit(":", 1)[1] in ("invalid-input", "invalid-formula")
    assert body["errors"][0]["loc"][:2] == ["header", "X-Activation-Formula"]
