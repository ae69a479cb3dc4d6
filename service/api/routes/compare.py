"""GET /compare: several activations' properties side by side, as JSON or CSV."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from service import numerics
from service.api.caching import Memo, cacheable
from service.api.dependencies import SettingsDep, WorkloadsDep, single_valued
from service.api.schemas import Comparison, ComparisonRow, comparison_csv
from service.errors import RequestProblem
from service.numerics.describe import DEFAULT_LANGUAGE, describe

router = APIRouter(tags=["activations"], dependencies=[Depends(single_valued("names"))])

CSV_MEDIA_TYPE = "text/csv"
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
    canonical = tuple(numerics.get(name).name for name in listed)
    twice = sorted({n for n in canonical if canonical.count(n) > 1})
    if twice:
        raise RequestProblem(
            422,
            "names-repeated",
            f"names: {', '.join(twice)} listed more than once (aliases count as their activation)",
            errors=[{"loc": ["query", "names"], "msg": f"lists {', '.join(twice)} twice"}],
        )
    fmt: Literal["csv", "json"] = (
        "csv" if CSV_MEDIA_TYPE in request.headers.get("accept", "") else "json"
    )
    media_type = f"{CSV_MEDIA_TYPE}; charset=utf-8" if fmt == "csv" else "application/json"
    memo: Memo[tuple[object, ...], bytes] = request.app.state.memos["compare"]
    body = await memo.get(
        (canonical, fmt),
        lambda: workloads["analyse"].run(lambda deadline: _comparison(canonical, fmt)),
    )
    return cacheable(request, body, media_type, max_age=settings.cache_max_age, vary="Accept")


def _comparison(names: tuple[str, ...], fmt: Literal["csv", "json"]) -> bytes:
    rows = []
    for name in names:
        activation = numerics.get(name)
        description = describe(activation, activation.resolve({}), DEFAULT_LANGUAGE, measured=True)
        rows.append(ComparisonRow.of(description))
    comparison = Comparison(activations=rows)
    if fmt == "csv":
        return comparison_csv(comparison).encode()
    return comparison.model_dump_json().encode()
