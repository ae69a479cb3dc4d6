"""GET /activations/{name}/plot.svg and .png: f and f' over a range, kinks marked."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from service import numerics
from service.api.caching import Memo, Tagged, cacheable, tagged
from service.api.dependencies import (
    PARAMS_IN_QUERY,
    ActivationDep,
    SettingsDep,
    WorkloadsDep,
    params_in_query,
    single_valued,
)
from service.api.schemas.common import QUERY_NUMBER
from service.drawing import PLOT_MEDIA_TYPES, FunctionPicture, PlotFormat
from service.errors import RequestProblem
from service.numerics.analysis import measure
from service.plotting import function_picture

__all__ = ["check_range", "declare_range", "render", "router"]

router = APIRouter(prefix="/activations", tags=["plots"], dependencies=[Depends(single_valued())])

XMin = Annotated[
    float, Query(description="Left end of the plotted range.", allow_inf_nan=False), QUERY_NUMBER
]
XMax = Annotated[
    float, Query(description="Right end of the plotted range.", allow_inf_nan=False), QUERY_NUMBER
]


def _responses(fmt: PlotFormat) -> dict[int | str, dict[str, Any]]:
    schema = {"type": "string"} if fmt == "svg" else {"type": "string", "format": "binary"}
    return {
        200: {
            "description": "The plot; the same request always gives the same bytes.",
            "content": {PLOT_MEDIA_TYPES[fmt]: {"schema": schema}},
        },
        304: {"description": "Not modified: If-None-Match named the current ETag."},
    }


def _declare(fmt: PlotFormat) -> None:
    """GET /activations/{name}/plot.<fmt>: the same operation for each picture format."""

    @router.get(
        f"/{{name}}/plot.{fmt}",
        operation_id=f"plot_activation_{fmt}",
        summary=f"Plot f and f' as {fmt.upper()}",
        response_class=Response,
        responses=_responses(fmt),
        openapi_extra={"parameters": [PARAMS_IN_QUERY]},
    )
    async def plot_route(
        request: Request,
        activation: ActivationDep,
        settings: SettingsDep,
        workloads: WorkloadsDep,
        x_min: XMin = -6.0,
        x_max: XMax = 6.0,
    ) -> Response:
        """f and f' on [x_min, x_max] (|x| up to `plot_max_abs_x`), jumps left open, kinks marked.

        An axis-wise activation (softmax, glu, ...) has no scalar f(x) to plot: 422 not-measurable.
        A formula is plotted by POST /formulas/plot.svg.
        """
        check_range(x_min, x_max, settings.plot_max_abs_x)
        params = activation.resolve_text(params_in_query(request, reserved=("x_min", "x_max")))
        memo: Memo[tuple[object, ...], Tagged] = request.app.state.memos["plot"]

        async def draw() -> Tagged:
            return tagged(
                await workloads.picture(lambda: render(activation, params, x_min, x_max), fmt)
            )

        plot = await memo.get((activation.name, tuple(params.items()), x_min, x_max, fmt), draw)
        return cacheable(
            request, plot, PLOT_MEDIA_TYPES[fmt], max_age=settings.cache_max_age, vary="Accept"
        )


for _format in PLOT_MEDIA_TYPES:
    _declare(_format)


def declare_range(schema: dict[str, Any], limit: float) -> None:
    """States the range a plot may ask for (``plot_max_abs_x``) on x_min and x_max of every
    plot operation in the OpenAPI ``schema``; the query's declared type cannot, being read
    from settings at run time."""
    for path, operations in schema["paths"].items():
        if "/plot." not in path or not path.startswith("/api/"):
            continue
        for parameter in operations.get("get", {}).get("parameters", []):
            if parameter["name"] in ("x_min", "x_max"):
                parameter["schema"].update(
                    minimum=-limit, maximum=limit, **{"x-limit": "plot_max_abs_x"}
                )


def check_range(low: float, high: float, limit: float) -> None:
    """Refuse a plotted range beyond ``limit`` or empty, naming the query parameter."""
    errors = [
        {"loc": ["query", name], "msg": f"must be within [-{limit:g}, {limit:g}], got {value!r}"}
        for name, value in (("x_min", low), ("x_max", high))
        if abs(value) > limit
    ]
    if not errors and not low < high:
        errors = [{"loc": ["query", "x_max"], "msg": f"must exceed x_min = {low!r}, got {high!r}"}]
    if errors:
        detail = "; ".join(f"{e['loc'][1]} {e['msg']}" for e in errors)
        raise RequestProblem(422, "invalid-plot-range", detail, errors=errors)


def render(
    activation: numerics.Activation,
    params: dict[str, numerics.ParamValue],
    low: float,
    high: float,
) -> FunctionPicture:
    """What a plot of the activation on [low, high] shows, its kinks and jumps measured."""
    found = measure(activation, params).discontinuities
    return function_picture(activation, params, low=low, high=high, discontinuities=found)
