"""The typed client against the app (through httpx's ASGI transport) and a scripted transport."""

from __future__ import annotations

import dataclasses
import io
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import numpy as np
import orjson
import pytest
from fastapi import FastAPI

from service import client as api_client
from service.client import (
    AsyncClient,
    BodyTooLarge,
    Client,
    Formula,
    FormulaParameter,
    InvalidFormula,
    InvalidInput,
    InvalidParameter,
    LimitExceeded,
    NotMeasurable,
    RetryPolicy,
    ServerError,
    ServiceUnavailable,
    UnknownActivation,
    formulas,
    operations,
    results,
    training,
)
from service.config import Settings
from service.main import create_app
from service.openapi import schema_bytes

FAST = RetryPolicy(retries=2, backoff=0.001, max_backoff=0.002, max_retry_after=0.05)


def test_importing_the_client_loads_neither_server_nor_numeric_core() -> None:
    probe = (
        "import sys, service.client;"
        "loaded = {'fastapi', 'starlette', 'pydantic', 'numba', 'scipy', 'uvicorn',"
        " 'service.numerics', 'service.api', 'orjson'} & set(sys.modules);"
        "print(sorted(loaded))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.fixture
async def make_client() -> AsyncIterator[Callable[..., AsyncClient]]:
    made: list[AsyncClient] = []
    apps: list[FastAPI] = []

    def make(json_max_elements: int = 256, **settings: object) -> AsyncClient:
        apps.append(create_app(Settings.model_construct(compile_at_startup=False, **settings)))
        transport = httpx.ASGITransport(app=apps[-1])
        made.append(
            AsyncClient("http://test", transport=transport, json_max_elements=json_max_elements)
        )
        return made[-1]

    yield make
    for each in made:
        await each.aclose()
    for app in apps:  # the transport runs no lifespan: the drawing processes stop here
        app.state.workloads.close()


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("sent", "dtype"),
    [
        (np.float32, np.float32),
        (np.float64, np.float64),
        # x's own float type in either byte order, float16 computed in float32
        (">f4", np.float32),
        (">f8", np.float64),
        (np.float16, np.float32),
    ],
)
async def test_json_and_binary_give_the_same_numbers(
    make_client: Callable[..., AsyncClient], sent: str | type, dtype: type
) -> None:
    x = (np.random.default_rng(1).normal(size=(20, 7)) * 5).astype(sent)
    grad_output = np.random.default_rng(2).normal(size=(20, 7)).astype(dtype)
    answers = []
    for threshold in (10**6, 0):  # everything in JSON, then everything in binary
        client = make_client(json_max_elements=threshold)
        answers.append(await client.evaluate("elu", x, ["value", "gradient"], alpha=0.5))
        answers.append(
            await client.evaluate("elu", x, ["gradient"], grad_output=grad_output, alpha=0.5)
        )
        one = await client.evaluate("softmax", x, ["gradient"], grad_output=grad_output, axis=0)
        answers.append(one)
    for json_answer, binary_answer in zip(answers[:3], answers[3:], strict=True):
        assert list(json_answer) == list(binary_answer)
        for name in json_answer:
            assert json_answer[name].dtype == dtype
            assert json_answer[name].tobytes() == binary_answer[name].tobytes()
    expected = np.where(x > 0, 1, 0.5 * np.exp(np.minimum(x.astype(np.float64), 0)))
    # The service's own exp (compiled) is within an ULP of numpy's, not always equal to it.
    np.testing.assert_allclose(
        answers[0]["gradient"], expected.astype(dtype), rtol=4 * np.finfo(dtype).eps, atol=0
    )


@pytest.mark.anyio
async def test_what_json_cannot_say_goes_in_binary(make_client: Callable[..., AsyncClient]) -> None:
    """A (0, 3) x went as [] and came back (0,); a long double was "not JSON" to the client's
    encoder; a complex x is named by the service; a masked array would lose its mask."""
    client = make_client(json_max_elements=10**6)
    for shape in [(0, 3), (2, 0, 3), (3, 0)]:
        answer = await client.evaluate("gelu", np.zeros(shape), ["value", "gradient"])
        assert [a.shape for a in answer.values()] == [shape, shape]
    x = np.linspace(-3, 3, 7)
    wide = await client.evaluate("gelu", x.astype(np.longdouble))
    assert wide["value"].tobytes() == (await client.evaluate("gelu", x))["value"].tobytes()
    with pytest.raises(InvalidInput, match="<c16"):
        await client.evaluate("gelu", x.astype(complex))
    with pytest.raises(TypeError, match="masked"):
        await client.evaluate("gelu", np.ma.array(x, mask=x > 0))


@pytest.mark.anyio
async def test_problems_are_raised_as_their_exceptions(
    make_client: Callable[..., AsyncClient],
) -> None:
    client = make_client(max_elements=100, max_body_bytes=2048, max_activations=1000)
    with pytest.raises(UnknownActivation) as unknown:
        await client.evaluate("gelo", [1.0])
    assert "gelu" in unknown.value.suggestions and unknown.value.status == 404
    with pytest.raises(InvalidParameter, match="approximate"):
        await client.evaluate("gelu", [1.0], approximate="cubic")
    with pytest.raises(InvalidInput, match="at most 100"):
        await client.evaluate("relu", np.zeros(101))
    with pytest.raises(LimitExceeded) as over:
        await client.simulate_gradient_flow("relu", depth=10, width=100, batch=10, seed=0)
    assert over.value.limit == "max_activations" and over.value.maximum == 1000
    with pytest.raises(BodyTooLarge) as large:
        await client.evaluate("relu", np.zeros(300))  # 2.5 KB of .npy
    assert large.value.limit == "max_body_bytes" and large.value.maximum == 2048
    with pytest.raises(InvalidInput) as bad:
        await client.evaluate("relu", [0.0, np.nan])
    assert bad.value.errors[0]["loc"] == ["body", 1]
    limits = await client.evaluate("softsign", [-np.inf, 0.0, np.inf])
    assert limits["value"].tolist() == [-1.0, 0.0, 1.0]  # infinities answer the limits
    with pytest.raises(NotMeasurable) as axis_wise:
        await client.plot_svg("softmax")
    assert axis_wise.value.reason == "axis-wise"


@pytest.mark.anyio
async def test_the_other_operations_give_typed_results(
    make_client: Callable[..., AsyncClient],
) -> None:
    client = make_client()
    assert await client.health()
    catalog = await client.list_activations()
    gelu = next(a for a in catalog if a.name == "gelu")
    assert gelu.parameters[0].name == "approximate" and gelu.parameters[0].type == "choice"
    description = await client.describe("elu", alpha=2.0)
    assert description.params == {"alpha": 2.0}
    assert description.properties is not None and description.properties["continuity"] == "C^0"
    assert (await client.describe("elu", lang="zh")).language == "zh"
    rows = await client.compare(["tanh", "relu"])
    assert [r.name for r in rows] == ["tanh", "relu"]
    assert (await client.plot_svg("relu", x_min=-2, x_max=2)).lstrip().startswith("<?xml")
    assert (await client.plot_png("relu"))[:4] == b"\x89PNG"
    flow = await client.simulate_gradient_flow(
        "tanh", depth=3, width=16, batch=8, seed=0, jacobian=True
    )
    assert [layer.layer for layer in flow.layers] == [1, 2, 3]
    assert flow.summary.verdict in ("vanishing", "stable", "exploding")
    assert flow.theory.xi_q == float("inf") or flow.theory.xi_q > 0
    assert flow.jacobian is not None and len(flow.jacobian.singular_values) == 16
    line = await client.critical_line("tanh", [0.0, 0.5])
    assert [p.sigma_b2 for p in line.points] == [0.0, 0.5]
    assert line.points[0].sigma_w2 == pytest.approx(1.0, abs=1e-6)


@pytest.mark.anyio
async def test_a_formula_goes_wherever_a_name_goes(make_client: Callable[..., AsyncClient]) -> None:
    client = make_client()
    relu, silu = Formula("max(x, 0)"), Formula("x / (1 + exp(-x))")
    scaled = Formula("beta * tanh(x)", {"beta": FormulaParameter(1.0, min=0.0)})
    analysis = await client.formula(scaled, accuracy=False, beta=2.0)
    assert analysis.expression == "beta * tanh(x)" and analysis.params == {"beta": 2.0}
    assert analysis.accuracy is None and analysis.parameters[0].name == "beta"
    assert analysis.derivative_formula.startswith("f'(x) =")
    flows = [
        # At one sigma_w: relu's initial gain is sqrt 2, a formula's 1.
        await client.simulate_gradient_flow(
            a, depth=3, width=16, batch=8, seed=0, init={"sigma_w": 1.5}
        )
        for a in (relu, "relu")
    ]
    assert flows[0].activation == "max(x, 0)"
    assert [layer.grad_preact_rms for layer in flows[0].layers] == pytest.approx(
        [layer.grad_preact_rms for layer in flows[1].layers], rel=1e-9
    )
    gelu = Formula("x * (1 + erf(x / sqrt(2))) / 2")
    lines = [await client.critical_line(a, [0.5]) for a in (gelu, "gelu")]
    assert lines[0].points[0].sigma_w2 is not None
    assert lines[0].points[0].sigma_w2 == pytest.approx(lines[1].points[0].sigma_w2, rel=1e-7)
    line = await client.critical_line(scaled, [0.5], params={"beta": 1.0})
    assert line.params == {"beta": 1.0}
    rows = await client.compare(["silu", silu, scaled])
    assert [r.name for r in rows] == ["silu", "x / (1 + exp(-x))", "beta * tanh(x)"]
    assert rows[0].properties["range"] == rows[1].properties["range"]
    described = await client.describe_formula("x / (1 + exp(-x))")
    assert described.properties is not None and described.properties["continuity"] == "C^∞"
    picture = await client.plot_formula_svg(scaled, x_min=-2, x_max=2, beta=3.0)
    assert picture.lstrip().startswith("<?xml")
    values = await client.evaluate_formula("beta * x", [1.0, 2.0], parameters={"beta": 2}, beta=3)
    assert values["value"].tolist() == [3.0, 6.0]
    with pytest.raises(TypeError, match="declares its parameters"):
        await client.formula(scaled, {"beta": 1.0})


@pytest.mark.anyio
async def test_training_runs_and_comparisons_take_formulas_and_give_typed_results(
    make_client: Callable[..., AsyncClient],
) -> None:
    client = make_client()
    silu = Formula("x / (1 + exp(-x))")
    common: dict[str, Any] = {
        "depth": 2,
        "width": 8,
        "task": {"name": "nonlinear_teacher", "size": 100, "activation": silu},
        "training": {"steps": 10, "optimizer": "adam", "learning_rate": 0.01},
        "seed": 0,
        "trials": 2,
        "dtype": "float64",
    }
    mine = await client.train(silu, **common)
    theirs = await client.train("silu", **common)
    assert mine.run.activation == "x / (1 + exp(-x))"
    assert mine.task["activation"]["expression"] == silu.expression
    assert mine.run.curves.train_loss.mean == pytest.approx(
        theirs.run.curves.train_loss.mean, rel=1e-9
    )
    assert mine.run.final.test_accuracy is None and mine.run.layers.final.grad_rms.mean
    assert mine.cost.multiply_adds > 0 and mine.run.curves.steps[-1] == 10
    compared = await client.compare_training(
        [{}, {"activation": Formula("max(x, 0)"), "label": "relu, typed"}],
        activation="tanh",
        **common,
    )
    assert [run.label for run in compared.entrants] == ["entrant 1", "relu, typed"]
    assert compared.ranking.metric == "test_loss"
    assert sorted(s.rank for s in compared.ranking.standings) == [1, 2]
    assert isinstance(compared.ranking.standings[0].estimate.mean, float)


@pytest.mark.anyio
async def test_formula_refusals_are_raised_as_their_exceptions(
    make_client: Callable[..., AsyncClient],
) -> None:
    client = make_client()
    with pytest.raises(InvalidFormula) as grammar:
        await client.simulate_gradient_flow(Formula("exp(x"), depth=2, width=4, batch=4, seed=0)
    assert grammar.value.status == 422 and grammar.value.column is not None
    with pytest.raises(InvalidParameter, match="beta"):
        await client.evaluate_formula("x", [1.0], beta=1.0)
    with pytest.raises(UnknownActivation) as unknown:
        await client.compare([Formula("x"), "tanhh"])
    assert unknown.value.suggestions[0] == "tanh"


def test_the_results_mirror_the_services_schemas() -> None:
    components = orjson.loads(schema_bytes())["components"]["schemas"]
    mirrored = {
        results.Parameter: "ParameterSpec",
        results.ActivationSummary: "ActivationSummary",
        results.Description: "ActivationDetail",
        results.ComparisonRow: "ComparisonRow",
        results.Layer: "LayerResult",
        results.Summary: "SummaryResult",
        results.Theory: "TheoryResult",
        results.Jacobian: "JacobianResult",
        results.TrainingStep: "TrainingStepResult",
        results.GradientFlow: "GradientFlowResponse",
        results.CriticalPoint: "CriticalPointResult",
        results.CriticalLine: "CriticalLineResponse",
        formulas.FormulaAnalysis: "FormulaAnalysis",
        formulas.Accuracy: "AccuracyOut",
        formulas.OutputAccuracy: "OutputAccuracyOut",
        formulas.Region: "RegionOut",
        formulas.Rewrite: "RewriteOut",
        formulas.FormulaParameter: "FormulaParameter",
        formulas.Formula: "Formula",
        training.Distribution: "DistributionResult",
        training.Estimate: "EstimateResult",
        training.Curves: "CurvesResult",
        training.TrainingLayer: "TrainingLayerResult",
        training.Layers: "LayersResult",
        training.Final: "FinalResult",
        training.RunInit: "InitResult",
        training.Run: "RunResult",
        training.Cost: "CostResult",
        training.TrainingRun: "TrainingRunResponse",
        training.Standing: "StandingResult",
        training.Ranking: "RankingResult",
        training.TrainingComparison: "TrainingComparisonResponse",
    }
    for dataclass, schema in mirrored.items():
        declared = {f.name for f in dataclasses.fields(dataclass)}
        properties = set(components[schema]["properties"])
        assert declared <= properties, (dataclass.__name__, declared - properties)
        assert set(components[schema].get("required", [])) - {"halves_axis", "reference"} <= (
            declared | {"halves_axis", "reference"}
        ), (dataclass.__name__, set(components[schema]["required"]) - declared)


def scripted(*answers: httpx.Response) -> tuple[httpx.MockTransport, list[httpx.Request]]:
    """A transport that answers each request with the next of ``answers``."""
    sent: list[httpx.Request] = []
    pending = iter(answers)

    def handle(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return next(pending)

    return httpx.MockTransport(handle), sent


def healthy() -> httpx.Response:
    return httpx.Response(200, json={"status": "ok"})


BUSY = {"type": "urn:activation-service:problem:overloaded", "title": "x", "status": 503}


def test_503_and_429_are_retried_after_the_wait_asked_for() -> None:
    transport, sent = scripted(
        httpx.Response(503, json=BUSY, headers={"retry-after": "0"}),
        httpx.Response(429, json=BUSY),
        healthy(),
    )
    with Client("http://test", transport=transport, retry=FAST) as client:
        assert client.health()
    assert len(sent) == 3


def test_retries_end_in_service_unavailable() -> None:
    transport, sent = scripted(*[httpx.Response(503, json=BUSY, headers={"retry-after": "0"})] * 3)
    with (
        Client("http://test", transport=transport, retry=FAST) as client,
        pytest.raises(ServiceUnavailable) as raised,
    ):
        client.health()
    assert len(sent) == 3 and raised.value.retry_after == 0


def test_a_retry_after_longer_than_allowed_is_not_waited_for() -> None:
    transport, sent = scripted(httpx.Response(503, json=BUSY, headers={"retry-after": "3600"}))
    with (
        Client("http://test", transport=transport, retry=FAST) as client,
        pytest.raises(ServiceUnavailable) as raised,
    ):
        client.health()
    assert len(sent) == 1 and raised.value.retry_after == 3600


def test_other_errors_are_not_retried() -> None:
    transport, sent = scripted(httpx.Response(500, text="<html>proxy</html>"))
    with (
        Client("http://test", transport=transport, retry=FAST) as client,
        pytest.raises(ServerError, match="proxy"),
    ):
        client.health()
    assert len(sent) == 1


def test_a_refused_connection_is_retried() -> None:
    calls = 0

    def handle(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls < 3:
            raise httpx.ConnectError("refused", request=request)
        return healthy()

    with Client("http://test", transport=httpx.MockTransport(handle), retry=FAST) as client:
        assert client.health()
    assert calls == 3


def test_retry_after_may_be_an_http_date() -> None:
    response = httpx.Response(503, headers={"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"})
    assert api_client.retry.retry_after(response) == 0.0


@pytest.mark.parametrize(("value", "wait"), [(" 7 ", 7.0), ("\u00b2", None), ("soon", None)])
def test_retry_after_seconds_are_ascii_digits(value: str, wait: float | None) -> None:
    """str.isdigit() holds for a superscript two, which float() refuses: the client raised."""
    response = httpx.Response(503, headers={"retry-after": value.encode("latin-1")})
    assert api_client.retry.retry_after(response) == wait


@pytest.mark.parametrize("compressed", [False, True])
def test_npz_answers_are_read_as_views_of_the_body_where_stored(compressed: bool) -> None:
    value = np.random.default_rng(3).normal(size=(300, 7)).astype(np.float32)
    gradient = np.asfortranarray(np.random.default_rng(4).normal(size=(7, 300)))
    buffer = io.BytesIO()
    (np.savez_compressed if compressed else np.savez)(buffer, value=value, gradient=gradient)
    body = bytearray(buffer.getvalue())
    arrays = operations.npz_arrays(body, ["gradient", "value"])
    assert list(arrays) == ["gradient", "value"]
    for name, expected in (("value", value), ("gradient", gradient)):
        got = arrays[name]
        assert got.dtype == expected.dtype and got.shape == expected.shape
        assert got.tobytes(order="A") == expected.tobytes(order="A")
        assert got.flags.writeable
        assert np.shares_memory(got, np.frombuffer(body, np.uint8)) is not compressed
    from_bytes = operations.npz_arrays(bytes(body), ["value"])["value"]
    assert from_bytes.flags.writeable and np.array_equal(from_bytes, value)
