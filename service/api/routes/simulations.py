"""The simulations: a deep random network's forward and backward pass, and the edge of chaos."""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import Field
from starlette.responses import Response

from service import numerics
from service.api.dependencies import SettingsDep, WorkloadsDep, single_keyed, single_valued
from service.api.schemas.formulas import resolve_activation
from service.api.schemas.simulations import (
    DEFAULT_SIGMA_B2,
    CriticalLineRequest,
    CriticalLineResponse,
    GradientFlowRequest,
    GradientFlowResponse,
)
from service.api.workloads import Workloads
from service.config import Settings
from service.numerics import networks
from service.plotting import PLOT_MEDIA_TYPES, plot_gradient_flow

router = APIRouter(
    prefix="/simulations",
    tags=["simulations"],
    dependencies=[Depends(single_keyed), Depends(single_valued("sigma_b2"))],
)

_JSON = "application/json"
_CRITICAL_QUERY = ("activation", "sigma_b2", "q_start")
_ACTIVATION = ("body", "activation")


def limits(settings: Settings) -> networks.Limits:
    return networks.Limits(
        **{name: getattr(settings, name) for name in networks.Limits.__dataclass_fields__}
    )


@router.post(
    "/gradient-flow",
    operation_id="simulate_gradient_flow",
    summary="Simulate signal and gradients through a deep random network, next to mean-field theory",
    response_model=GradientFlowResponse,
)
async def simulate_gradient_flow(
    body: GradientFlowRequest, settings: SettingsDep, workloads: WorkloadsDep
) -> Response:
    """Draws a network from `seed`, runs one forward and backward pass (and optional SGD steps),
    and returns per-layer statistics beside the infinite-width predictions.

    Costs are bounded by the limits under `info.x-limits` (max_depth, max_width, max_batch,
    max_activations, max_weights, max_multiply_adds, max_jacobian_width, max_training_steps);
    a request over one gets 422 with `limit` naming it.
    """
    experiment, result = await _simulate(body, settings, workloads)
    response = GradientFlowResponse.of(
        body, activation=experiment.activation.name, params=dict(experiment.params), result=result
    )
    return Response(response.model_dump_json(), media_type=_JSON)


@router.post(
    "/gradient-flow/plot.svg",
    operation_id="plot_gradient_flow_svg",
    summary="Plot a gradient-flow simulation against depth, theory overlaid (SVG)",
    response_class=Response,
    responses={
        200: {
            "description": "Per-layer gradient RMS and signal against depth, measured and"
            " predicted; the same request always gives the same bytes.",
            "content": {PLOT_MEDIA_TYPES["svg"]: {"schema": {"type": "string"}}},
        }
    },
)
async def plot_gradient_flow_svg(
    body: GradientFlowRequest, settings: SettingsDep, workloads: WorkloadsDep
) -> Response:
    """Runs the same simulation as POST /simulations/gradient-flow (same body, same limits) and
    draws it: the RMS of dL/dh and the pre-activation second moment per layer, each beside
    its mean-field prediction, on logarithmic axes."""
    experiment, result = await _simulate(body, settings, workloads)
    picture = await workloads["analyse"].run(
        lambda deadline: plot_gradient_flow(result, title=_title(experiment))
    )
    return Response(picture, media_type=PLOT_MEDIA_TYPES["svg"])


async def _simulate(
    body: GradientFlowRequest, settings: Settings, workloads: Workloads
) -> tuple[networks.Experiment, networks.GradientFlow]:
    activation = resolve_activation(body.activation, settings, loc=_ACTIVATION)
    bounds = limits(settings)
    experiment = networks.Experiment(
        activation,
        activation.resolve(body.params),
        networks.layer_widths(body.depth, body.width, bounds),
        body.batch,
        body.seed,
        init=networks.Init(**body.init.model_dump()),
        input_distribution=body.input.distribution,
        input_scale=body.input.scale,
        dtype=body.dtype,
        loss=body.loss,
        jacobian=body.jacobian,
        training=networks.Training(body.training.steps, body.training.learning_rate)
        if body.training
        else None,
    )
    result = await workloads["simulate"].run(
        lambda deadline: networks.simulate(experiment, bounds, deadline=deadline)
    )
    return experiment, result


def _title(experiment: networks.Experiment) -> str:
    shown = ", ".join(f"{k}={v}" for k, v in experiment.params.items())
    name = f"{experiment.activation.name}({shown})" if shown else experiment.activation.name
    return f"{name}, {len(experiment.widths)} layers, {experiment.init.scheme or 'sigma_w'} init"


@router.get(
    "/critical-line",
    operation_id="get_critical_line",
    summary="The edge of chaos: sigma_w^2 with chi_1 = 1 for each sigma_b^2",
    response_model=CriticalLineResponse,
)
async def get_critical_line(
    request: Request,
    settings: SettingsDep,
    workloads: WorkloadsDep,
    activation: Annotated[str, Query(max_length=64, examples=["tanh"])],
    sigma_b2: Annotated[
        list[Annotated[float, Field(ge=0, le=1e6)]] | None,
        Query(description="Repeat for several values (default 0 to 2, nine values)."),
    ] = None,
    q_start: Annotated[float, Query(gt=0, le=1e6)] = 1.0,
) -> Response:
    """Like the POST form; the activation's parameters go in the query as name=value pairs."""
    entry = numerics.get(activation)
    params = entry.resolve_text(
        {k: v for k, v in request.query_params.items() if k not in _CRITICAL_QUERY}
    )
    body = CriticalLineRequest.model_construct(
        activation=activation, sigma_b2=sigma_b2 or list(DEFAULT_SIGMA_B2), q_start=q_start
    )
    return await _critical_line(entry, params, body, settings, workloads)


@router.post(
    "/critical-line",
    operation_id="compute_critical_line",
    summary="The edge of chaos: sigma_w^2 with chi_1 = 1 for each sigma_b^2",
    response_model=CriticalLineResponse,
)
async def compute_critical_line(
    body: CriticalLineRequest, settings: SettingsDep, workloads: WorkloadsDep
) -> Response:
    """For each sigma_b^2, the sigma_w^2 at which chi_1 = 1 at the fixed point reached from
    q_start (by brentq); null where chi_1 jumps over 1 instead of crossing it."""
    entry = resolve_activation(body.activation, settings, loc=_ACTIVATION)
    return await _critical_line(entry, entry.resolve(body.params), body, settings, workloads)


async def _critical_line(
    entry: numerics.Activation,
    params: dict[str, numerics.ParamValue],
    body: CriticalLineRequest,
    settings: Settings,
    workloads: Workloads,
) -> Response:
    compute = partial(
        networks.critical_line,
        entry,
        params,
        body.sigma_b2,
        q_start=body.q_start,
        max_points=settings.max_critical_points,
    )
    points = await workloads["analyse"].run(lambda deadline: compute())
    response = CriticalLineResponse.of(entry.name, params, body.q_start, points)
    return Response(response.model_dump_json(), media_type=_JSON)
