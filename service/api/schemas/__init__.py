"""What the API accepts and returns: pydantic models with their bounds, descriptions and
examples, from which the OpenAPI document is generated. One module per resource."""

from service.api.schemas.activations import (
    ActivationKind,
    ActivationList,
    ActivationSummary,
    EquivalentSpec,
    ParameterSpec,
)
from service.api.schemas.common import Health, Problem, Readiness
from service.api.schemas.comparison import Comparison, ComparisonRow, comparison_csv
from service.api.schemas.description import ActivationDetail, PropertiesOut
from service.api.schemas.evaluation import (
    BinaryOptions,
    EvaluateOptions,
    EvaluateRequest,
    EvaluateResponse,
)
from service.api.schemas.simulations import (
    CriticalLineRequest,
    CriticalLineResponse,
    GradientFlowRequest,
    GradientFlowResponse,
    declare_limits,
)

__all__ = [
    "ActivationDetail",
    "ActivationKind",
    "ActivationList",
    "ActivationSummary",
    "BinaryOptions",
    "Comparison",
    "ComparisonRow",
    "CriticalLineRequest",
    "CriticalLineResponse",
    "EquivalentSpec",
    "EvaluateOptions",
    "EvaluateRequest",
    "EvaluateResponse",
    "GradientFlowRequest",
    "GradientFlowResponse",
    "Health",
    "ParameterSpec",
    "Problem",
    "PropertiesOut",
    "Readiness",
    "comparison_csv",
    "declare_limits",
]
