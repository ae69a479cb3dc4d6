"""/formulas: a formula's derivatives and accuracy, its evaluation and its description.

A formula is an activation given by its expression (schemas.formulas.Formula); once parsed it
is an entry like the catalog's, and these operations hand it to the same code the catalog's
operations use: evaluate's ``answer_for``, ``describe``, the analyse workload. The
simulations take a formula where they take a name (routes/simulations.py).
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter, Depends, Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.responses import Response

from service import numerics
from service.api import codecs, media_types
from service.api.dependencies import LanguageDep, SettingsDep, WorkloadsDep, single_keyed
from service.api.routes.evaluate import RESPONSES, answer_for
from service.api.routes.plots import check_range, render
from service.api.routing import JSONBodyRoute
from service.api.schemas import ActivationDetail
from service.api.schemas.formulas import (
    Formula,
    FormulaAnalysis,
    FormulaDescribeRequest,
    FormulaPlotRequest,
    FormulaRequest,
)
from service.drawing import PLOT_MEDIA_TYPES
from service.errors import RequestProblem
from service.numerics import formula
from service.numerics.describe import describe

__all__ = ["FORMULA_HEADER", "router"]

router = APIRouter(route_class=JSONBodyRoute, prefix="/formulas", tags=["formulas"])

FORMULA_HEADER = "X-Activation-Formula"
_JSON = "application/json"
_BINARY = {"type": "string", "format": "binary"}
_EVALUATE_EXTRA: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            codecs.JSON_MEDIA_TYPE: {
                "schema": {"$ref": "#/components/schemas/FormulaEvaluateRequest"}
            },
            codecs.NPY_MEDIA_TYPE: {
                "schema": _BINARY,
                "description": f"x as a .npy array; the formula as JSON in {FORMULA_HEADER},"
                " options and parameter values in the query.",
            },
            codecs.NPZ_MEDIA_TYPE: {
                "schema": _BINARY,
                "description": f"A .npz archive with x (and grad_output); the formula in"
                f" {FORMULA_HEADER}.",
            },
        },
    },
    "parameters": [
        {
            "name": FORMULA_HEADER,
            "in": "header",
            "required": False,
            "schema": {"type": "string"},
            "description": "Binary bodies only: the formula object as JSON, e.g."
            ' {"expression": "x * sigmoid(x)"}.',
        }
    ],
}


@router.post(
    "",
    operation_id="analyse_formula",
    summary="A formula's derivatives in LaTeX, its stable forms and its measured accuracy",
    response_model=FormulaAnalysis,
    dependencies=[Depends(single_keyed)],
)
async def analyse_formula(
    body: FormulaRequest, settings: SettingsDep, workloads: WorkloadsDep
) -> Response:
    """Parses the formula, differentiates it exactly twice and, with `accuracy`, measures f
    and f' in float64 against the formula in mpmath over the whole float range: the worst
    error in ULP with the condition number there, and the regions where the formula
    overflows or cancels, as served and as written."""
    made = body.activation.build(settings, loc=("body", "activation"))
    params = made.activation.resolve(body.params)
    report = None
    if body.accuracy:
        report = await workloads["analyse"].run(
            lambda deadline: formula.accuracy(made, params, deadline=deadline)
        )
    return Response(FormulaAnalysis.of(made, params, report).model_dump_json(), media_type=_JSON)


@router.post(
    "/evaluate",
    operation_id="evaluate_formula",
    summary="Evaluate a formula or its derivatives on an array",
    openapi_extra=_EVALUATE_EXTRA,
    responses=RESPONSES,
)
async def evaluate_formula(request: Request, settings: SettingsDep) -> Response:
    """POST /activations/{name}/evaluate for a formula: the same bodies, options, limits and
    answers, the formula in the body's `activation` (or, for .npy and .npz bodies, in the
    X-Activation-Formula header)."""
    spec, rest, loc = _formula_and_rest(request, await request.body())
    made = spec.build(settings, loc=loc)
    return await answer_for(request, made.activation, rest)


@router.post(
    "/describe",
    operation_id="describe_formula",
    summary="Everything about a formula: measured properties, facts, critical sigma_w^2",
    response_model=ActivationDetail,
    dependencies=[Depends(single_keyed)],
)
async def describe_formula(
    body: FormulaDescribeRequest,
    language: LanguageDep,
    settings: SettingsDep,
    workloads: WorkloadsDep,
) -> Response:
    """GET /activations/{name} for a formula: its properties measured for `params`, its
    continuity, range and kinks measured too, the edge of chaos; no texts."""
    entry = body.activation.build(settings, loc=("body", "activation")).activation
    params = entry.resolve(body.params)
    detail = await workloads["analyse"].run(
        lambda deadline: ActivationDetail.describe(describe(entry, params, language), language)
    )
    return Response(detail.model_dump_json(), media_type=_JSON)


@router.post(
    "/plot.svg",
    operation_id="plot_formula_svg",
    summary="Plot a formula's f and f' as SVG",
    response_class=Response,
    responses={
        200: {
            "description": "The plot; the same request always gives the same bytes.",
            "content": {PLOT_MEDIA_TYPES["svg"]: {"schema": {"type": "string"}}},
        }
    },
    dependencies=[Depends(single_keyed)],
)
async def plot_formula_svg(
    body: FormulaPlotRequest, settings: SettingsDep, workloads: WorkloadsDep
) -> Response:
    """GET /activations/{name}/plot.svg for a formula: f and f' on [x_min, x_max] (|x| up to
    `plot_max_abs_x`), jumps left open, kinks marked."""
    entry = body.activation.build(settings, loc=("body", "activation")).activation
    params = entry.resolve(body.params)
    check_range(body.x_min, body.x_max, settings.plot_max_abs_x)
    picture = await workloads.picture(lambda: render(entry, params, body.x_min, body.x_max), "svg")
    return Response(picture, media_type=PLOT_MEDIA_TYPES["svg"])


def _formula_and_rest(request: Request, body: bytes) -> tuple[Formula, bytes, tuple[str, ...]]:
    """The formula of an evaluation, the body that evaluate reads (without it), and where the
    formula was found."""
    if media_types.media_type(request.headers.get("content-type", _JSON)) != _JSON:
        header = request.headers.get(FORMULA_HEADER)
        if header is None:
            raise numerics.InvalidInput(
                ["header", FORMULA_HEADER], "is required with a binary body: the formula as JSON"
            )
        loc = ["header", FORMULA_HEADER]
        try:
            raw = orjson.loads(header)
        except orjson.JSONDecodeError as error:
            raise numerics.InvalidInput(loc, f"is not valid JSON: {error}") from None
        twice = codecs.duplicated_key(header.encode("latin-1"), parsed=raw)
        if twice is not None:
            raise numerics.InvalidInput([*loc, *twice], "is given twice; give each key once")
        # The header is a string to the schema: what it must hold is an invalid input, not a
        # schema violation.
        try:
            return Formula.model_validate(raw), body, tuple(loc)
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(map(str, first["loc"])) or "the formula"
            raise numerics.InvalidInput(loc, f"{where}: {first['msg']}") from None
    document = _loaded(body)
    if not isinstance(document, dict):
        raise numerics.InvalidInput(["body"], "must be a JSON object with 'activation' and 'x'")
    twice = codecs.duplicated_key(body)
    if twice is not None:
        raise numerics.InvalidInput(["body", *twice], "is given twice; give each key once")
    if "activation" not in document:
        raise numerics.InvalidInput(["body", "activation"], "is required: the formula")
    spec = _validated(document.pop("activation"), ["body", "activation"])
    return spec, orjson.dumps(document), ("body", "activation")


def _loaded(body: bytes) -> Any:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise RequestProblem(
            400, "malformed-json", f"The body is not valid JSON: {error}"
        ) from None


def _validated(raw: Any, loc: list[str]) -> Formula:
    try:
        return Formula.model_validate(raw)
    except ValidationError as error:
        raise RequestValidationError(
            [{**e, "loc": (*loc, *e["loc"])} for e in error.errors()]
        ) from None
