"""GET and POST /compare: several activations' properties side by side, as JSON or CSV; the
POST form takes formulas too."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from service import numerics
from service.api.caching import Memo, Tagged, cacheable, tagged
from service.api.dependencies import SettingsDep, WorkloadsDep, single_keyed, single_valued
from service.api.media_types import preferred
from service.api.routing import JSONBodyRoute
from service.api.schemas import Comparison, ComparisonRow, comparison_csv
from service.api.schemas.common import repeated
from service.api.schemas.comparison import CompareRequest
from service.api.schemas.formulas import resolve_activation
from service.errors import RequestProblem
from service.numerics.describe import DEFAULT_LANGUAGE, describe

router = APIRouter(
    route_class=JSONBodyRoute, tags=["activations"], dependencies=[Depends(single_valued("names"))]
)

CSV_MEDIA_TYPE = "text/csv"
_JSON = "application/json"
_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "JSON by default; CSV (one row per activation) with Accept: text/csv.",
        "content": {CSV_MEDIA_TYPE: {"schema": {"type": "string"}}},
    },
    304: {"description": "Not modified: If-None-Match named the current ETag."},
}

Names = Annotated[
    str,
    Query(
        description="2 to `compare_max_names` activation names or aliases, comma-separated"
        " (or the parameter repeated). Each is compared with its default parameters; an"
        " axis-wise activation, which has no scalar f(x) to measure, gets 422 not-measurable.",
        max_length=4096,
        examples=["sigmoid,tanh,relu,leaky_relu"],
    ),
]


@router.get(
    "/compare",
    operation_id="compare_activations",
    summary="Compare the properties of several activations",
    response_model=Comparison,
    responses=_RESPONSES,
)
async def compare_activations(
    request: Request, names: Names, settings: SettingsDep, workloads: WorkloadsDep
) -> Response:
    listed = [n.strip() for part in request.query_params.getlist("names") for n in part.split(",")]
    listed = [n for n in listed if n]
    most = settings.compare_max_names
    if not 2 <= len(listed) <= most:
        raise RequestProblem(
            422,
            "names-count",
            f"names: list 2 to {most} activations, got {len(listed)}",
            errors=[{"loc": ["query", "names"], "msg": f"must list 2 to {most} names"}],
        )
    entries = tuple(numerics.get(name) for name in listed)
    canonical = tuple(entry.name for entry in entries)
    _refuse_repeats(canonical, loc=["query", "names"])
    fmt = _format(request)
    media_type = f"{CSV_MEDIA_TYPE}; charset=utf-8" if fmt == "csv" else _JSON
    memo: Memo[tuple[object, ...], Tagged] = request.app.state.memos["compare"]
    comparison = await memo.get(
        (canonical, fmt),
        lambda: workloads["analyse"].run(lambda deadline: tagged(_comparison(entries, fmt))),
    )
    return cacheable(request, comparison, media_type, max_age=settings.cache_max_age, vary="Accept")


@router.post(
    "/compare",
    operation_id="compare_activations_and_formulas",
    summary="Compare the properties of several activations, formulas among them",
    response_model=Comparison,
    responses={200: _RESPONSES[200]},
    dependencies=[Depends(single_keyed)],
)
async def compare_posted(
    request: Request, body: CompareRequest, settings: SettingsDep, workloads: WorkloadsDep
) -> Response:
    """GET /compare for names and formulas alike: `activations` lists 2 to
    `compare_max_names` of them, each compared with its default parameters."""
    entries = tuple(
        resolve_activation(ref, settings, loc=("body", "activations", i))
        for i, ref in enumerate(body.activations)
    )
    _refuse_repeats(tuple(entry.name for entry in entries), loc=["body", "activations"])
    fmt = _format(request)
    media_type = f"{CSV_MEDIA_TYPE}; charset=utf-8" if fmt == "csv" else _JSON
    table = await workloads["analyse"].run(lambda deadline: _comparison(entries, fmt))
    return Response(table, media_type=media_type)


def _format(request: Request) -> Literal["csv", "json"]:
    """CSV where Accept prefers it to JSON."""
    chosen = preferred(request.headers.get("accept", ""), (_JSON, CSV_MEDIA_TYPE))
    return "csv" if chosen == CSV_MEDIA_TYPE else "json"


def _refuse_repeats(names: tuple[str, ...], *, loc: list[str]) -> None:
    twice = repeated(names)
    if twice:
        raise RequestProblem(
            422,
            "names-repeated",
            f"{loc[-1]}: {', '.join(twice)} listed more than once (aliases count as their"
            " activation)",
            errors=[{"loc": loc, "msg": f"lists {', '.join(twice)} twice"}],
        )


def _comparison(entries: tuple[numerics.Activation, ...], fmt: Literal["csv", "json"]) -> bytes:
    rows = []
    for activation in entries:
        description = describe(activation, activation.resolve({}), DEFAULT_LANGUAGE, measured=True)
        rows.append(ComparisonRow.of(description))
    comparison = Comparison(activations=rows)
    if fmt == "csv":
        return comparison_csv(comparison).encode()
    return comparison.model_dump_json().encode()
