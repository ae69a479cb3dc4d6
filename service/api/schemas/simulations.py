"""Request and response models of the simulations: the gradient-flow experiment, the critical line.

The definitions of every statistic live in service.numerics.networks.propagation and .simulation;
the descriptions here repeat them for the API's readers. Limits that bound a single field
are published on that field (``maximum``/``maxItems`` and ``x-limit``, the setting's name)
by ``declare_limits``; the limits on products are under ``info.x-limits``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from service.api.schemas.common import Integer, Params, PositiveInts, Result, spelled
from service.api.schemas.formulas import ActivationRef
from service.api.schemas.networks import Optimization
from service.numerics import MAX_SEED, DtypeName, ParamJSON
from service.numerics.networks import (
    CriticalPoint,
    GradientFlow,
    Loss,
    Mode,
    Phase,
    SchemeName,
    Verdict,
)

__all__ = [
    "CriticalLineRequest",
    "CriticalLineResponse",
    "GradientFlowRequest",
    "GradientFlowResponse",
    "InitSpec",
    "InputSpec",
    "TrainingSpec",
    "declare_limits",
]

DEFAULT_SIGMA_B2 = (0.0, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0)

# Model -> field -> (setting, the JSON-schema keyword it bounds).
LIMITED_FIELDS: Mapping[str, Mapping[str, tuple[str, str]]] = {
    "GradientFlowRequest": {
        "depth": ("max_depth", "maximum"),
        "width": ("max_width", "maximum"),
        "batch": ("max_batch", "maximum"),
    },
    "TrainingSpec": {"steps": ("max_training_steps", "maximum")},
    "CriticalLineRequest": {"sigma_b2": ("max_critical_points", "maxItems")},
    # Training runs and comparisons (service.api.schemas.training).
    "TrainingRunRequest": {
        "depth": ("max_depth", "maximum"),
        "width": ("max_width", "maximum"),
        "batch": ("max_batch", "maximum"),
        "trials": ("max_trials", "maximum"),
    },
    "TrainingComparisonRequest": {
        "depth": ("max_depth", "maximum"),
        "width": ("max_width", "maximum"),
        "batch": ("max_batch", "maximum"),
        "trials": ("max_trials", "maximum"),
        "entrants": ("max_entrants", "maxItems"),
    },
    "EntrantSpec": {"depth": ("max_depth", "maximum"), "width": ("max_width", "maximum")},
    "RunTrainingSpec": {"steps": ("max_run_steps", "maximum")},
    "LinearTeacherTask": {
        "inputs": ("max_width", "maximum"),
        "outputs": ("max_width", "maximum"),
        "size": ("max_examples", "maximum"),
    },
    "NonlinearTeacherTask": {
        "inputs": ("max_width", "maximum"),
        "outputs": ("max_width", "maximum"),
        "size": ("max_examples", "maximum"),
        "depth": ("max_depth", "maximum"),
        "width": ("max_width", "maximum"),
    },
    "PlaneTask": {"size": ("max_examples", "maximum"), "features": ("max_width", "maximum")},
}


class _Closed(BaseModel):
    """A JSON request: no unknown fields, and no coercion (0 is no boolean, false no number)."""

    model_config = ConfigDict(extra="forbid", strict=True)


class _Result(Result):
    """Overflowing networks give inf and nan: written "Infinity", "-Infinity", "NaN", as in
    /evaluate, and declared so."""


class InitSpec(_Closed):
    """A named scheme (gain and mode optional), or explicit sigma_w; sigma_b for the bias."""

    scheme: SchemeName | None = Field(
        None,
        description="PyTorch's nn.init schemes; torch_default is nn.Linear's U(+-1/sqrt(fan_in))"
        " for weights and bias. Default xavier_normal, unless sigma_w is given.",
    )
    mode: Mode | None = Field(
        None, description="he_normal and he_uniform only: the fan the variance divides by (fan_in)."
    )
    gain: float | None = Field(
        None,
        gt=0,
        le=1e3,
        description="Multiplies the scheme's std. Default: PyTorch's calculate_gain for the"
        " activation (5/3 tanh, sqrt 2 relu, ...), 1 where it defines none; 1 for lecun_normal.",
    )
    sigma_w: float | None = Field(
        None, ge=0, le=1e3, description="Instead of a scheme: W_ij ~ N(0, sigma_w^2 / fan_in)."
    )
    sigma_b: float | None = Field(
        None, ge=0, le=1e3, description="Bias std, b_i ~ N(0, sigma_b^2). Default 0."
    )


class InputSpec(_Closed):
    distribution: Literal["normal", "uniform"] = Field(
        "normal", description="x_i ~ N(0, scale^2) or U(-scale, scale), independent."
    )
    scale: float = Field(1.0, gt=0, le=1e6)


class TrainingSpec(Optimization):
    """Steps on a synthetic regression task (MSE to the targets of a random linear teacher):
    plain SGD unless an optimizer is named."""

    steps: Integer = Field(ge=1, description="Updates of every W and b, each on a fresh batch.")


class GradientFlowRequest(_Closed):
    activation: ActivationRef = Field(
        description="An element-wise activation or alias, or a formula object."
    )
    params: Params = Field(
        default_factory=dict, description="The activation's parameters; defaults fill the rest."
    )
    depth: Integer = Field(ge=1, description="Number of layers.")
    width: PositiveInts = Field(
        description="Units per layer: one number, or one per layer. The input has as many"
        " features as the first layer has units."
    )
    batch: Integer = Field(ge=1, description="Examples in the batch.")
    init: InitSpec = Field(default_factory=InitSpec)
    input: InputSpec = Field(default_factory=InputSpec)
    seed: Integer = Field(
        ge=0,
        le=MAX_SEED,
        description="Seeds the one generator that draws the input, the network and the targets:"
        " the same request gives the same response (byte for byte in float64) from the same"
        " deployment; another BLAS build or thread count may round sums differently.",
    )
    dtype: DtypeName = Field("float32", description="Precision of the network and its passes.")
    loss: Loss = Field(
        "random_projection",
        description="How the backward pass is seeded, per example: random_projection l = r.y"
        " with a random readout r ~ N(0, I) (independent of the forward pass, as mean-field"
        " theory assumes); sum l = sum_i y_i; mse l = |y - t|^2 / 2 to targets t ~ N(0, I).",
    )
    jacobian: bool = Field(
        False, description="Also the singular values of dy/dx at the batch's first example."
    )
    training: TrainingSpec | None = None

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"activation": "tanh", "depth": 20, "width": 256, "batch": 128, "seed": 0},
                {
                    "activation": "relu",
                    "depth": 10,
                    "width": 128,
                    "batch": 64,
                    "seed": 1,
                    "init": {"scheme": "he_normal"},
                    "training": {"steps": 5, "learning_rate": 0.1},
                },
            ]
        },
    )


class LayerResult(_Result):
    layer: int = Field(description="1 for the layer that reads the input.")
    width: int
    sigma_w2: float = Field(description="fan_in Var(W) of this layer's initialisation.")
    sigma_b2: float = Field(description="Var(b) of this layer's initialisation.")
    preact_mean: float = Field(description="Mean of h = a W + b over batch and units.")
    preact_std: float
    preact_second_moment: float = Field(description="Mean of h^2: what theory calls q^l.")
    act_mean: float = Field(description="Mean of phi(h).")
    act_std: float
    saturated_fraction: float = Field(
        description="Share of h with |phi'(h)| below 1% of the largest |phi'| (summary.max_slope)."
    )
    inactive_fraction: float = Field(description="Share of h with phi'(h) = 0 exactly.")
    dead_fraction: float = Field(
        description="Share of units whose gradient dl/dh is zero for every example."
    )
    grad_preact_rms: float = Field(description="RMS of the per-example gradient dl/dh.")
    grad_weight_rms: float = Field(description="RMS of dL/dW, L the batch's mean loss.")
    grad_weight_to_weight_norm: float = Field(description="||dL/dW||_F / ||W||_F.")
    sign_coherence: float = Field(
        description="Per unit, the share of its nonzero incoming weight gradients with the majority"
        " sign, averaged over units (1: all inputs share a sign; ~1/2 at random). NaN if none."
    )
    theory_preact_second_moment: float = Field(description="q^l predicted by the length map.")
    theory_grad_preact_rms: float = Field(description="Predicted RMS of dl/dh at infinite width.")
    theory_chi: float = Field(
        description="sigma_w^2 E[phi'(sqrt(q^l) z)^2]: this layer's factor in the growth of"
        " E[(dl/dh)^2] towards the input (times the width ratio when widths differ)."
    )


class SummaryResult(_Result):
    gradient_ratio: float = Field(
        description="grad_preact_rms of layer 1 / that of layer L; NaN when both are 0 (every"
        " unit of the last layer dead)."
    )
    theory_gradient_ratio: float
    verdict: Verdict = Field(
        description="vanishing if gradient_ratio < 0.1, exploding if > 10 or if the signal or a"
        " gradient overflowed, else stable; no gradient at all is vanishing."
    )
    scheme: str = Field(description="The init scheme used, 'gaussian' for explicit sigma_w.")
    gain: float | None
    sigma_w2: float = Field(description="sigma_w^2 of the hidden layers (mean if they differ).")
    sigma_b2: float
    max_slope: float = Field(description="Largest |phi'| on a dense grid; saturation is below 1%.")


class TheoryResult(_Result):
    """Mean-field theory at the summary's sigma_w^2, sigma_b^2 (Poole et al. 2016; Schoenholz et al. 2017)."""

    q_star: float = Field(description="Fixed point of the length map reached from q^1.")
    chi_1: float = Field(description="sigma_w^2 E[phi'(sqrt(q*) z)^2]: gradient growth per layer.")
    phase: Phase | None = Field(
        description="chi_1 < 1, = 1 (within 1e-6), > 1; null where the theory is undefined"
        " (E[phi^2] is not a number: phi not real on the whole line, as log or sqrt; q* NaN)."
    )
    xi_q: float = Field(description="Depth scale of the length map (Infinity when critical).")
    xi_c: float | None = Field(
        description="Depth scale of correlations; null when q* is infinite or undefined, or 0"
        " in the chaotic phase (inputs all zero, no correlation between them)."
    )


class JacobianResult(_Result):
    singular_values: list[float] = Field(description="Largest first.")
    mean_squared: float = Field(description="Mean of the squared singular values.")
    theory_mean_squared: float = Field(description="Its mean-field prediction.")


class TrainingStepResult(_Result):
    step: int = Field(description="Updates made before this pass (0: the initial network).")
    loss: float = Field(description="Mean over the batch of |y - t|^2 / 2.")
    dead_fraction: list[float] = Field(description="One value per layer, as in layers[].")
    inactive_fraction: list[float]
    saturated_fraction: list[float]
    preact_std: list[float]
    grad_preact_rms: list[float]
    grad_weight_to_weight_norm: list[float]


class GradientFlowResponse(_Result):
    activation: str
    params: dict[str, ParamJSON]
    dtype: DtypeName
    seed: int
    loss: Loss
    widths: list[int]
    batch: int
    layers: list[LayerResult]
    summary: SummaryResult
    theory: TheoryResult
    jacobian: JacobianResult | None
    training: list[TrainingStepResult] | None

    @classmethod
    def of(
        cls,
        request: GradientFlowRequest,
        *,
        activation: str,
        params: dict[str, Any],
        result: GradientFlow,
    ) -> GradientFlowResponse:
        return cls(
            activation=activation,
            params=spelled(params),
            dtype=request.dtype,
            seed=request.seed,
            loss=request.loss,
            widths=[layer.width for layer in result.layers],
            batch=request.batch,
            layers=[
                LayerResult(
                    **{k: v for k, v in asdict(layer).items() if k != "measured"},
                    **asdict(layer.measured),
                )
                for layer in result.layers
            ],
            summary=SummaryResult(**asdict(result.summary)),
            theory=TheoryResult(**asdict(result.theory)),
            jacobian=JacobianResult(**asdict(result.jacobian)) if result.jacobian else None,
            training=[TrainingStepResult(**asdict(step)) for step in result.training]
            if result.training is not None
            else None,
        )


class CriticalLineRequest(_Closed):
    activation: ActivationRef = Field(
        examples=["tanh"], description="An element-wise activation or alias, or a formula object."
    )
    params: Params = Field(default_factory=dict)
    sigma_b2: list[Annotated[float, Field(ge=0, le=1e6)]] = Field(
        default_factory=lambda: list(DEFAULT_SIGMA_B2), min_length=1
    )
    q_start: float = Field(
        1.0,
        gt=0,
        le=1e6,
        description="q^1 of the input; the fixed point is the one reached from it.",
    )


class CriticalPointResult(_Result):
    sigma_b2: float
    sigma_w2: float | None = Field(
        description="sigma_w^2 with chi_1 = 1; null where chi_1 jumps over 1 or stays below"
        " it, or is undefined (a moment of phi or phi' that is no number: not real below 0)."
    )
    q_star: float | None = Field(
        description="The fixed point there (Infinity if q diverges); null with sigma_w2."
    )


class CriticalLineResponse(_Result):
    activation: str
    params: dict[str, ParamJSON]
    q_start: float
    points: list[CriticalPointResult]

    @classmethod
    def of(
        cls,
        activation: str,
        params: dict[str, Any],
        q_start: float,
        points: list[CriticalPoint],
    ) -> CriticalLineResponse:
        return cls(
            activation=activation,
            params=spelled(params),
            q_start=q_start,
            points=[CriticalPointResult(**asdict(point)) for point in points],
        )


def declare_limits(components: dict[str, Any], limits: Mapping[str, int | float]) -> None:
    """Puts each field's limit into the generated schemas, with ``x-limit`` naming the setting."""
    for model, fields in LIMITED_FIELDS.items():
        for field, (setting, keyword) in fields.items():
            schema = components[model]["properties"][field]
            schema["x-limit"] = setting
            kind = "integer" if keyword == "maximum" else "array"
            for node in _subschemas(schema):
                if node.get("type") == kind:
                    node[keyword] = limits[setting]


def _subschemas(schema: dict[str, Any]) -> list[dict[str, Any]]:
    nodes = [schema]
    for key in ("anyOf", "items"):
        value = schema.get(key)
        for child in value if isinstance(value, list) else [value] if value else []:
            nodes += _subschemas(child)
    return nodes
