"""The simulations: a deep random network's forward and backward pass, the edge of chaos, and
training runs and comparisons."""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import Field
from starlette.responses import Response

from service import numerics
from service.api.dependencies import (
    PARAMS_IN_QUERY,
    SettingsDep,
    WorkloadsDep,
    single_keyed,
    single_valued,
)
from service.api.routing import JSONBodyRoute
from service.api.schemas.common import QUERY_NUMBER
from service.api.schemas.formulas import resolve_activation
from service.api.schemas.simulations import (
    DEFAULT_SIGMA_B2,
    CriticalLineRequest,
    CriticalLineResponse,
    GradientFlowRequest,
    GradientFlowResponse,
)
from service.api.schemas.training import (
    TrainingComparisonRequest,
    TrainingRequest,
    TrainingRunRequest,
)
from service.api.schemas.training_results import (
    TrainingComparisonResponse,
    TrainingRunResponse,
)
from service.api.telemetry import note
from service.api.workloads import Workloads
from service.config import Settings
from service.drawing import PLOT_MEDIA_TYPES
from service.numerics import networks
from service.plotting import depth_picture, training_picture

router = APIRouter(
    route_class=JSONBodyRoute,
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
    request: Request, body: GradientFlowRequest, settings: SettingsDep, workloads: WorkloadsDep
) -> Response:
    """Draws a network from `seed`, runs one forward and backward pass (and optional SGD steps),
    and returns per-layer statistics beside the infinite-width predictions.

    Costs are bounded by the limits under `info.x-limits` (max_depth, max_width, max_batch,
    max_activations, max_weights, max_multiply_adds, max_jacobian_width, max_training_steps);
    a request over one gets 422 with `limit` naming it.
    """
    experiment, result = await _simulate(request, body, settings, workloads)
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
    request: Request, body: GradientFlowRequest, settings: SettingsDep, workloads: WorkloadsDep
) -> Response:
    """Runs the same simulation as POST /simulations/gradient-flow (same body, same limits) and
    draws it: the RMS of dL/dh and the pre-activation second moment per layer, each beside
    its mean-field prediction, on logarithmic axes."""
    experiment, result = await _simulate(request, body, settings, workloads)
    picture = await workloads.picture(
        lambda: depth_picture(result, title=_title(experiment)), "svg"
    )
    return Response(picture, media_type=PLOT_MEDIA_TYPES["svg"])


async def _simulate(
    request: Request, body: GradientFlowRequest, settings: Settings, workloads: Workloads
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
        training=body.training.core() if body.training else None,
    )
    result = await workloads.simulation(experiment.multiply_adds).run(
        lambda deadline: networks.simulate(experiment, bounds, deadline=deadline)
    )
    note(request.scope, activation=activation.name, multiply_adds=experiment.multiply_adds)
    return experiment, result


_TRAINING_LIMITS = (
    "Costs are bounded by the limits under `info.x-limits` (max_trials, max_entrants,"
    " max_run_steps, max_records, max_examples, max_depth, max_width, max_batch,"
    " max_training_multiply_adds, max_element_ops, max_layer_steps, max_training_floats); a"
    " request over one gets 422 with `limit` naming it, before any work starts. The answer's"
    " `cost` says what it used."
)
_CURVES_PLOT = {
    200: {
        "description": "Loss, test accuracy (classification) and the share of dead units"
        " against step, median and 25-75% band over trials per entrant; the same request"
        " always gives the same bytes.",
        "content": {PLOT_MEDIA_TYPES["svg"]: {"schema": {"type": "string"}}},
    }
}


@router.post(
    "/training",
    operation_id="train_networks",
    summary="Train networks of one activation from several seeds on a task, and follow them",
    response_model=TrainingRunResponse,
    description="Trains `trials` networks (hidden layers of the activation, a linear readout)"
    " on the task's training split with the optimizer, and returns loss, accuracy, dead units"
    " and gradient norms per recorded step as distributions over the trials, per-layer"
    " statistics at the first and last step, final values with confidence intervals, and"
    " the shares of networks born dead, dying and diverging.\n\n" + _TRAINING_LIMITS,
)
async def train_networks(
    body: TrainingRunRequest, settings: SettingsDep, workloads: WorkloadsDep
) -> Response:
    entrants, result = await _train(body, settings, workloads)
    response = TrainingRunResponse.of(body, entrants[0], result)
    return Response(response.model_dump_json(), media_type=_JSON)


@router.post(
    "/training/plot.svg",
    operation_id="plot_training_svg",
    summary="Plot a training run's curves against step (SVG)",
    response_class=Response,
    responses=_CURVES_PLOT,  # type: ignore[arg-type]
)
async def plot_training_svg(
    body: TrainingRunRequest, settings: SettingsDep, workloads: WorkloadsDep
) -> Response:
    """Runs the same training as POST /simulations/training (same body, same limits) and draws
    its curves."""
    return await _plot(body, settings, workloads)


@router.post(
    "/training-comparison",
    operation_id="compare_training",
    summary="Train several activations (or optimizers, inits, widths) side by side and rank them",
    response_model=TrainingComparisonResponse,
    description="Trains every entrant on the same data from the same seeds, each activation"
    " at its own initial gain unless the init says otherwise, and ranks them by `rank_by` at"
    " the last step, with confidence intervals over the trials and, against the best, the"
    " paired difference trial by trial.\n\n" + _TRAINING_LIMITS,
)
async def compare_training(
    body: TrainingComparisonRequest, settings: SettingsDep, workloads: WorkloadsDep
) -> Response:
    entrants, result = await _train(body, settings, workloads)
    response = TrainingComparisonResponse.of(body, entrants, result)
    return Response(response.model_dump_json(), media_type=_JSON)


@router.post(
    "/training-comparison/plot.svg",
    operation_id="plot_training_comparison_svg",
    summary="Plot a training comparison's curves against step, one colour per entrant (SVG)",
    response_class=Response,
    responses=_CURVES_PLOT,  # type: ignore[arg-type]
)
async def plot_training_comparison_svg(
    body: TrainingComparisonRequest, settings: SettingsDep, workloads: WorkloadsDep
) -> Response:
    """Runs the same comparison as POST /simulations/training-comparison and draws it."""
    return await _plot(body, settings, workloads)


async def _train(
    body: TrainingRequest, settings: Settings, workloads: Workloads
) -> tuple[list[networks.Entrant], networks.Comparison]:
    bounds = limits(settings)
    entrants = (
        body.entrants_of(settings, bounds)
        if isinstance(body, TrainingComparisonRequest)
        else [body.entrant(settings, bounds)]  # type: ignore[attr-defined]
    )
    study, rank_by = body.study(settings), getattr(body, "rank_by", None)
    cost = networks.cost(entrants, study, bounds)
    result = await workloads.simulation(cost.multiply_adds).run(
        lambda deadline: networks.compare(
            entrants,
            study,
            bounds,
            metric=rank_by,
            confidence=body.confidence,
            deadline=deadline,
        )
    )
    return entrants, result


async def _plot(body: TrainingRequest, settings: Settings, workloads: Workloads) -> Response:
    entrants, result = await _train(body, settings, workloads)
    task = body.task_spec().name
    title = f"{task}, {body.trials} trial{'s' if body.trials > 1 else ''}"
    labels = [entrant.label for entrant in entrants]
    picture = await workloads.picture(
        lambda: training_picture(result.histories, labels, title=title), "svg"
    )
    return Response(picture, media_type=PLOT_MEDIA_TYPES["svg"])


def _title(experiment: networks.Experiment) -> str:
    shown = ", ".join(f"{k}={v}" for k, v in experiment.params.items())
    name = f"{experiment.activation.name}({shown})" if shown else experiment.activation.name
    return f"{name}, {len(experiment.widths)} layers, {experiment.init.scheme or 'sigma_w'} init"


@router.get(
    "/critical-line",
    operation_id="get_critical_line",
    summary="The edge of chaos: sigma_w^2 with chi_1 = 1 for each sigma_b^2",
    response_model=CriticalLineResponse,
    openapi_extra={"parameters": [PARAMS_IN_QUERY]},
)
async def get_critical_line(
    request: Request,
    settings: SettingsDep,
    workloads: WorkloadsDep,
    activation: Annotated[str, Query(max_length=64, examples=["tanh"])],
    sigma_b2: Annotated[
        list[Annotated[float, Field(ge=0, le=1e6), QUERY_NUMBER]] | None,
        Query(description="Repeat for several values (default 0 to 2, nine values)."),
    ] = None,
    q_start: Annotated[float, Query(gt=0, le=1e6), QUERY_NUMBER] = 1.0,
) -> Response:
    """Like the POST form, for a name; the activation's parameters go in the query as name=value
    pairs. A formula goes in the POST form's body."""
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
    q_start (by brentq); null where chi_1 jumps over 1 instead of crossing it, or where the
    theory is undefined."""
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
