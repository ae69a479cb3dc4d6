"""Training runs and comparisons over HTTP: curves and rankings, reproducible bytes, limits and
bad input named, plots, and the rest of the service answering while a run goes on."""

from __future__ import annotations

import threading
import xml.etree.ElementTree as ElementTree
from typing import Any

import anyio
import httpx
import pytest

from service.api.routes import simulations as route
from service.numerics import Deadline, networks
from tests.api.conftest import ClientFactory, problem

pytestmark = pytest.mark.anyio

RUN = "/api/v1/simulations/training"
COMPARE = "/api/v1/simulations/training-comparison"
FLOW = "/api/v1/simulations/gradient-flow"
SMALL: dict[str, Any] = {
    "activation": "relu",
    "depth": 2,
    "width": 8,
    "task": {"name": "moons", "noise": 0.1, "size": 200},
    "training": {"steps": 30, "optimizer": "adam", "learning_rate": 0.01},
    "trials": 3,
    "seed": 0,
    "record_every": 10,
}
COMPARISON: dict[str, Any] = {
    **{k: v for k, v in SMALL.items() if k != "activation"},
    "entrants": [{"activation": "relu"}, {"activation": "tanh"}, {"activation": "sigmoid"}],
}


async def test_a_training_run_reports_curves_across_trials(client: httpx.AsyncClient) -> None:
    response = await client.post(RUN, json=SMALL)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["train_examples"] == 100 and body["test_examples"] == 100
    assert body["task"] == {
        "name": "moons",
        "noise": 0.1,
        "size": 200,
        "test_fraction": 0.5,
        "features": None,
        "bandwidth": 1.0,
    }
    run = body["run"]
    assert run["widths"] == [2, 8, 8, 2] and run["batch"] == 32
    assert run["optimizer"] == {
        "name": "adam",
        "betas": [0.9, 0.999],
        "eps": 1e-8,
        "weight_decay": 0.0,
        "amsgrad": False,
    }
    curves = run["curves"]
    assert curves["steps"] == [0, 10, 20, 30]
    assert curves["learning_rate"] == [0.01, 0.01, 0.01, None]
    loss = curves["train_loss"]
    assert len(loss["mean"]) == 4 and loss["min"][0] <= loss["median"][0] <= loss["max"][0]
    assert loss["mean"][-1] < loss["mean"][0]
    assert len(run["layers"]["initial"]["dead_fraction"]["mean"]) == 2
    assert len(run["layers"]["final"]["grad_rms"]["mean"]) == 3  # the readout too
    final = run["final"]["test_accuracy"]
    assert final["trials"] == 3 and final["low"] <= final["mean"] <= final["high"]
    assert run["init"]["gain"] == pytest.approx(2**0.5) and run["init"]["bias_mean"] == 0
    assert all(body["cost"][unit] > 0 for unit in ("multiply_adds", "element_ops", "layer_steps"))


async def test_a_comparison_ranks_the_entrants(client: httpx.AsyncClient) -> None:
    response = await client.post(COMPARE, json=COMPARISON)
    assert response.status_code == 200, response.text
    body = response.json()
    assert [e["label"] for e in body["entrants"]] == ["relu", "tanh", "sigmoid"]
    ranking = body["ranking"]
    assert ranking["metric"] == "test_accuracy" and ranking["step"] == 30
    assert sorted(s["label"] for s in ranking["standings"]) == ["relu", "sigmoid", "tanh"]
    assert [s["rank"] for s in ranking["standings"]] == [1, 2, 3]
    best, *rest = ranking["standings"]
    assert best["versus_best"] is None and all(s["versus_best"] for s in rest)
    # Each activation starts at its own gain: sqrt 2 for relu, 5/3 for tanh, 1 for sigmoid.
    gains = [e["init"]["gain"] for e in body["entrants"]]
    assert gains == pytest.approx([2**0.5, 5 / 3, 1.0])


async def test_entrants_change_what_they_name(client: httpx.AsyncClient) -> None:
    request = {
        **COMPARISON,
        "activation": "relu",
        "entrants": [
            {},
            {"optimizer": {"name": "sgd", "momentum": 0.5}, "learning_rate": 0.1},
            {"width": [4, 6], "label": "narrow"},
            {"activation": "leaky_relu", "params": {"negative_slope": 0.2}},
            {"init": {"scheme": "he_normal", "bias_mean": -1}},
        ],
        "rank_by": "train_loss",
    }
    body = (await client.post(COMPARE, json=request)).json()
    entrants = body["entrants"]
    assert [e["label"] for e in entrants] == [
        "entrant 1",
        "sgd(momentum=0.5), learning_rate=0.1",
        "narrow",
        "leaky_relu(negative_slope=0.2)",
        "init(scheme=he_normal, bias_mean=-1.0)",
    ]
    assert entrants[1]["optimizer"]["momentum"] == 0.5 and entrants[1]["learning_rate"] == 0.1
    assert entrants[2]["widths"] == [2, 4, 6, 2]
    assert entrants[3]["params"]["negative_slope"] == 0.2
    assert entrants[4]["init"]["bias_mean"] == -1 and entrants[4]["init"]["scheme"] == "he_normal"
    assert body["ranking"]["metric"] == "train_loss"


async def test_same_request_same_bytes(client: httpx.AsyncClient) -> None:
    for dtype in ("float32", "float64"):
        request = {**COMPARISON, "dtype": dtype}
        first = await client.post(COMPARE, json=request)
        again = await client.post(COMPARE, json=request)
        assert first.status_code == 200 and first.content == again.content
    other = await client.post(COMPARE, json={**COMPARISON, "seed": 1})
    assert other.content != first.content


async def test_the_gradient_flow_probe_takes_any_optimizer(client: httpx.AsyncClient) -> None:
    request = {"activation": "relu", "depth": 3, "width": 16, "batch": 16, "seed": 0}
    sgd = await client.post(FLOW, json={**request, "training": {"steps": 3, "learning_rate": 0.1}})
    named = {"steps": 3, "learning_rate": 0.1, "optimizer": "sgd"}
    assert (await client.post(FLOW, json={**request, "training": named})).content == sgd.content
    for optimizer in ("adagrad", {"name": "adam", "amsgrad": True}):
        training = {"steps": 3, "optimizer": optimizer, "schedule": "cosine", "clip_norm": 1.0}
        response = await client.post(FLOW, json={**request, "training": training})
        assert response.status_code == 200, response.text
        assert response.content != sgd.content


@pytest.mark.parametrize(
    ("path", "change", "loc"),
    [
        (RUN, {"training": {"steps": 5, "optimizer": "adagrd"}}, ["body", "training", "optimizer"]),
        (RUN, {"training": {"steps": 5, "optimizer": {"name": "sgd", "betas": [0.9, 0.9]}}}, None),
        (RUN, {"task": "spirals"}, ["body", "task"]),
        (RUN, {"task": {"name": "spiral", "inputs": 3}}, None),
        (
            RUN,
            {"training": {"steps": 5, "schedule": {"name": "constant", "warmup_steps": 6}}},
            ["training", "schedule", "warmup_steps"],
        ),
        (
            RUN,
            {"training": {"steps": 5, "schedule": {"name": "step", "step_size": 5}}},
            ["training", "schedule", "step_size"],
        ),
        (
            RUN,
            {
                "training": {
                    "steps": 5,
                    "learning_rate": 0.1,
                    "schedule": {"name": "cosine", "min_learning_rate": 1},
                }
            },
            ["training", "schedule", "min_learning_rate"],
        ),
        (RUN, {"training": {"steps": 5, "schedule": "step"}}, ["body", "training", "schedule"]),
        (RUN, {"trials": 0}, ["body", "trials"]),
        (
            RUN,
            {"task": {"name": "moons", "size": 10, "test_fraction": 0.01}},
            ["task", "test_fraction"],
        ),
        (RUN, {"init": {"scheme": "he_normal", "sigma_w": 1}}, ["init", "scheme"]),
        (RUN, {"activation": "softmax"}, ["activation"]),
        (COMPARE, {"entrants": [{"activation": "relu"}]}, ["body", "entrants"]),
        (COMPARE, {"entrants": [{"activation": "relu"}, {}]}, ["entrants", 1, "activation"]),
        (
            COMPARE,
            {"entrants": [{"label": "a"}, {"label": "a"}], "activation": "tanh"},
            ["entrants"],
        ),
        (COMPARE, {"rank_by": "accuracy"}, ["body", "rank_by"]),
        (COMPARE, {"params": {"negative_slope": 0.1}}, ["params"]),
        (RUN, {"trials": True}, ["body", "trials"]),
        (RUN, {"training": {"steps": "5"}}, ["body", "training", "steps"]),
        (RUN, {"training": {"steps": 5, "clip_norm": False}}, ["body", "training", "clip_norm"]),
        (RUN, {"seed": 2**53}, ["body", "seed"]),
        (
            COMPARE,
            {"rank_by": "test_accuracy", "task": "linear_teacher"},
            ["rank_by"],
        ),
    ],
)
async def test_bad_requests_say_where(
    client: httpx.AsyncClient, path: str, change: dict[str, Any], loc: list[Any] | None
) -> None:
    base = SMALL if path == RUN else COMPARISON
    body = problem(await client.post(path, json={**base, **change}), 422)
    locs = [error["loc"][: len(loc)] for error in body["errors"]] if loc else []  # type: ignore[union-attr]
    assert loc is None or loc in locs, body["errors"]


async def test_integral_numbers_are_integers_and_pairs_are_lists(client: httpx.AsyncClient) -> None:
    # As JSON Schema has it: 3.0 is the integer 3; betas arrive as a JSON array.
    training = {"steps": 3.0, "optimizer": {"name": "adam", "betas": [0.8, 0.9]}}
    response = await client.post(RUN, json={**SMALL, "trials": 2.0, "training": training})
    assert response.status_code == 200, response.text
    run = response.json()
    assert (
        run["trials"] == 2 and run["steps"] == 3 and run["run"]["optimizer"]["betas"] == [0.8, 0.9]
    )


async def test_unknown_activations_get_404(client: httpx.AsyncClient) -> None:
    problem(await client.post(RUN, json={**SMALL, "activation": "relu7"}), 404)
    request = {**COMPARISON, "entrants": [{"activation": "relu"}, {"activation": "tanhh"}]}
    body = problem(await client.post(COMPARE, json=request), 404)
    assert body["suggestions"][0] == "tanh"


async def test_a_bias_shift_is_refused_beside_mean_field_theory(client: httpx.AsyncClient) -> None:
    # The theory assumes zero-mean biases: the gradient flow's init has no bias_mean, and
    # the schema says so.
    request = {"activation": "relu", "depth": 2, "width": 4, "batch": 4, "seed": 0}
    body = problem(await client.post(FLOW, json={**request, "init": {"bias_mean": -1}}), 422)
    assert body["errors"][0]["loc"] == ["body", "init", "bias_mean"]  # type: ignore[index]
    components = (await client.get("/openapi.json")).json()["components"]["schemas"]
    assert "bias_mean" not in components["InitSpec"]["properties"]
    assert "bias_mean" in components["TrainingInitSpec"]["properties"]


@pytest.mark.parametrize(
    ("overrides", "change", "limit", "loc"),
    [
        ({"max_trials": 2}, {}, "max_trials", ["trials"]),
        ({"max_run_steps": 20}, {}, "max_run_steps", ["training", "steps"]),
        ({"max_entrants": 2}, {}, "max_entrants", ["entrants"]),
        ({"max_examples": 100}, {}, "max_examples", ["task", "size"]),
        ({"max_records": 3}, {}, "max_records", ["record_every"]),
        (
            {"max_training_multiply_adds": 10**5},
            {},
            "max_training_multiply_adds",
            ["training", "steps"],
        ),
        ({"max_element_ops": 10**5}, {}, "max_element_ops", ["training", "steps"]),
        ({"max_layer_steps": 50}, {}, "max_layer_steps", ["training", "steps"]),
        ({"max_training_floats": 10**4}, {}, "max_training_floats", ["trials"]),
        ({"max_width": 4}, {}, "max_width", ["entrants", 0, "width"]),
    ],
)
async def test_over_limit_requests_name_the_limit(
    make_client: ClientFactory,
    overrides: dict[str, int],
    change: dict[str, Any],
    limit: str,
    loc: list[Any],
) -> None:
    client = make_client(**overrides)
    body = problem(await client.post(COMPARE, json={**COMPARISON, **change}), 422)
    assert body["type"].endswith(":limit-exceeded")  # type: ignore[union-attr]
    assert body["limit"] == limit and body["errors"][0]["loc"] == loc  # type: ignore[index]


async def test_the_schema_declares_the_limits(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()
    components, limits = schema["components"]["schemas"], schema["info"]["x-limits"]
    for setting in ("max_trials", "max_entrants", "max_run_steps", "max_element_ops"):
        assert setting in limits
    assert components["TrainingRunRequest"]["properties"]["trials"]["maximum"] == 64
    assert components["TrainingComparisonRequest"]["properties"]["entrants"]["maxItems"] == 8
    assert components["RunTrainingSpec"]["properties"]["steps"]["x-limit"] == "max_run_steps"
    assert components["PlaneTask"]["properties"]["size"]["maximum"] == limits["max_examples"]


async def test_the_curves_are_drawn_the_same_every_time(client: httpx.AsyncClient) -> None:
    first = await client.post(COMPARE + "/plot.svg", json=COMPARISON)
    assert first.status_code == 200, first.text
    assert first.headers["content-type"].startswith("image/svg+xml")
    assert first.content == (await client.post(COMPARE + "/plot.svg", json=COMPARISON)).content
    ids = {element.get("id") for element in ElementTree.fromstring(first.content).iter()}
    for label in ("relu", "tanh", "sigmoid"):
        assert {f"{label}/train-loss", f"{label}/test-accuracy", f"{label}/dead"} <= ids
    regression = {**SMALL, "task": "linear_teacher"}
    drawn = await client.post(RUN + "/plot.svg", json=regression)
    ids = {element.get("id") for element in ElementTree.fromstring(drawn.content).iter()}
    assert "relu/test-loss" in ids and "relu/test-accuracy" not in ids
    problem(await client.post(RUN + "/plot.svg", json={**SMALL, "trials": 10**6}), 422)


async def test_a_run_past_its_deadline_answers_503(make_client: ClientFactory) -> None:
    client = make_client(simulate_deadline=1e-9)
    body = problem(await client.post(COMPARE, json=COMPARISON), 503)
    assert body["type"].endswith("deadline-exceeded")  # type: ignore[union-attr]


async def test_evaluations_are_answered_in_the_middle_of_a_run(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The run stops mid-way (at its hundredth deadline check, some steps in) until an
    # evaluation has been answered: were the run on the event loop, it never would be.
    reached, answered = threading.Event(), threading.Event()
    checks = 0
    real = Deadline.check

    def check(self: Deadline) -> None:
        nonlocal checks
        checks += 1
        if checks == 100:
            reached.set()
            assert answered.wait(10), "no evaluation was answered while the run waited"
        real(self)

    monkeypatch.setattr(Deadline, "check", check)
    results: list[httpx.Response] = []

    async def train() -> None:
        results.append(await client.post(COMPARE, json=COMPARISON))

    async with anyio.create_task_group() as group:
        group.start_soon(train)
        await anyio.to_thread.run_sync(reached.wait, 10)
        cheap = await client.post("/api/v1/activations/relu/evaluate", json={"x": [-1.0, 2.0]})
        assert cheap.status_code == 200 and cheap.json()["value"] == [0.0, 2.0]
        answered.set()
    assert results[0].status_code == 200


async def test_evaluations_keep_coming_while_a_real_run_trains(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No hold this time: a run of a second or two, and evaluations sent one after the other
    # meanwhile. Some must come back before the run ends.
    inside = threading.Event()
    real = networks.compare

    def compare(*args: Any, **kwargs: Any) -> networks.Comparison:
        inside.set()
        try:
            return real(*args, **kwargs)
        finally:
            inside.clear()

    monkeypatch.setattr(route.networks, "compare", compare)
    long = {**COMPARISON, "training": {"steps": 1500, "optimizer": "adam"}, "trials": 8}
    during = []

    async def train() -> None:
        response = await client.post(COMPARE, json=long)
        assert response.status_code == 200

    async with anyio.create_task_group() as group:
        group.start_soon(train)
        await anyio.to_thread.run_sync(inside.wait, 10)
        while inside.is_set():
            response = await client.post("/api/v1/activations/tanh/evaluate", json={"x": [0.5]})
            assert response.status_code == 200
            during.append(inside.is_set())
    assert sum(during) >= 3, during


SILU_FORMULA = {"expression": "x / (1 + exp(-x))"}
TEACHER = {"name": "nonlinear_teacher", "size": 200, "activation": SILU_FORMULA}


async def test_a_formula_trains_as_its_catalog_entry_does(client: httpx.AsyncClient) -> None:
    request = {**SMALL, "dtype": "float64", "task": TEACHER}
    mine = await client.post(RUN, json={**request, "activation": SILU_FORMULA})
    theirs = await client.post(RUN, json={**request, "activation": "silu"})
    assert mine.status_code == 200, mine.text
    run, catalog = mine.json()["run"], theirs.json()["run"]
    assert run["label"] == run["activation"] == "x / (1 + exp(-x))"
    assert mine.json()["task"]["activation"]["expression"] == "x / (1 + exp(-x))"
    for curve in ("train_loss", "test_loss", "grad_norm"):
        assert run["curves"][curve]["mean"] == pytest.approx(
            catalog["curves"][curve]["mean"], rel=1e-9
        ), curve
    # The teacher's formula draws the data silu would have drawn.
    teacher = {**TEACHER, "activation": "silu"}
    named = await client.post(RUN, json={**request, "activation": "silu", "task": teacher})
    assert named.json()["run"]["curves"]["test_loss"]["mean"] == pytest.approx(
        catalog["curves"]["test_loss"]["mean"], rel=1e-9
    )


async def test_entrants_take_formulas_and_are_named_by_them(client: httpx.AsyncClient) -> None:
    scaled = {"expression": "beta * tanh(x)", "parameters": {"beta": {"default": 1, "min": 0}}}
    request = {
        **COMPARISON,
        "activation": scaled,
        "params": {"beta": 2},
        "entrants": [
            {},
            {"activation": {"expression": "max(x, 0)"}},
            {"activation": scaled, "params": {"beta": 3}},
            {"activation": "silu"},
            {"activation": SILU_FORMULA},
        ],
    }
    response = await client.post(COMPARE, json=request)
    assert response.status_code == 200, response.text
    entrants = response.json()["entrants"]
    assert [e["label"] for e in entrants] == [
        "entrant 1",
        "max(x, 0)",
        "beta * tanh(x) (beta=3)",
        "silu",
        "x / (1 + exp(-x))",
    ]
    assert [e["params"] for e in entrants[:3]] == [{"beta": 2.0}, {}, {"beta": 3.0}]
    # The same function, not the same bits: the catalog's float32 silu rounds a shorter
    # exponential (vmath.exp_for_float32) than the formula's kernel (vmath.exp).
    silu, formula = entrants[3]["final"], entrants[4]["final"]
    assert silu.keys() == formula.keys()
    for metric, summary in silu.items():
        assert formula[metric] == pytest.approx(summary, rel=1e-6), metric


@pytest.mark.parametrize(
    ("path", "change", "loc"),
    [
        (RUN, {"activation": {"expression": "x ^ 2"}}, ["body", "activation", "expression"]),
        (
            COMPARE,
            {"entrants": [{"activation": "relu"}, {"activation": {"expression": "x * y"}}]},
            ["body", "entrants", 1, "activation", "expression"],
        ),
        (
            COMPARE,
            {"activation": {"expression": "exp(x"}, "entrants": [{}, {"label": "b"}]},
            ["body", "activation", "expression"],
        ),
        (
            RUN,
            {"task": {"name": "nonlinear_teacher", "activation": {"expression": "1 +"}}},
            ["body", "task", "activation", "expression"],
        ),
    ],
)
async def test_refused_formulas_say_where(
    client: httpx.AsyncClient, path: str, change: dict[str, Any], loc: list[Any]
) -> None:
    base = SMALL if path == RUN else COMPARISON
    body = problem(await client.post(path, json={**base, **change}), 422)
    assert body["type"].endswith("invalid-formula")
    assert body["errors"][0]["loc"] == loc  # type: ignore[index]
    assert isinstance(body["column"], int)


async def test_a_formula_refuses_parameters_it_does_not_declare(client: httpx.AsyncClient) -> None:
    request = {**SMALL, "activation": {"expression": "max(x, 0)"}, "params": {"alpha": 1}}
    body = problem(await client.post(RUN, json=request), 422)
    assert body["type"].endswith("invalid-parameter")
    teacher = {"name": "nonlinear_teacher", "activation": "tanhh"}
    body = problem(await client.post(RUN, json={**SMALL, "task": teacher}), 404)
    assert body["suggestions"][0] == "tanh"


async def test_a_formula_that_overflows_diverges_and_is_still_plotted(
    client: httpx.AsyncClient,
) -> None:
    request = {**SMALL, "activation": {"expression": "exp(exp(x))"}}
    response = await client.post(RUN, json=request)
    assert response.status_code == 200, response.text
    assert response.json()["run"]["diverged_fraction"] == 1.0
    plot = await client.post(f"{RUN}/plot.svg", json=request)
    assert plot.status_code == 200 and plot.content.startswith(b"<?xml")
