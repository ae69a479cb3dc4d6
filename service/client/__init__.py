"""A typed Python client of the Activation Service, needing httpx and numpy only.

    from service.client import Client

    with Client("http://127.0.0.1:8000") as client:
        results = client.evaluate("gelu", x, ["value", "gradient"], approximate="tanh")

``Client`` blocks, ``AsyncClient`` is awaited; both keep their connections open between
calls, try again on 503 and 429 after the wait the service asks for, and raise the service's
problem documents as exceptions (``UnknownActivation`` with its ``suggestions``,
``InvalidParameter``, ``LimitExceeded`` naming the limit, ``InvalidFormula`` with the column,
...). Wherever the service takes an activation's name in a body, the client takes a
``Formula`` too; ``formula``, ``evaluate_formula``, ``describe_formula`` and
``plot_formula_svg`` mirror /api/v1/formulas; ``train`` and ``compare_training`` run the
training lab. Importing it loads neither the server nor the
numeric core.
"""

from service.client.clients import AsyncClient, Client
from service.client.errors import (
    BodyTooLarge,
    InvalidFormula,
    InvalidInput,
    InvalidParameter,
    LimitExceeded,
    NotMeasurable,
    RequestError,
    ServerError,
    ServiceError,
    ServiceUnavailable,
    UnknownActivation,
)
from service.client.formulas import (
    Accuracy,
    Formula,
    FormulaAnalysis,
    FormulaParameter,
    OutputAccuracy,
    Region,
    Rewrite,
)
from service.client.results import (
    ActivationSummary,
    ComparisonRow,
    CriticalLine,
    CriticalPoint,
    Description,
    GradientFlow,
    Jacobian,
    Layer,
    Parameter,
    Summary,
    Theory,
    TrainingStep,
)
from service.client.retry import RetryPolicy
from service.client.training import TrainingComparison, TrainingRun

__all__ = [
    "Accuracy",
    "ActivationSummary",
    "AsyncClient",
    "BodyTooLarge",
    "Client",
    "ComparisonRow",
    "CriticalLine",
    "CriticalPoint",
    "Description",
    "Formula",
    "FormulaAnalysis",
    "FormulaParameter",
    "GradientFlow",
    "InvalidFormula",
    "InvalidInput",
    "InvalidParameter",
    "Jacobian",
    "Layer",
    "LimitExceeded",
    "NotMeasurable",
    "OutputAccuracy",
    "Parameter",
    "Region",
    "RequestError",
    "RetryPolicy",
    "Rewrite",
    "ServerError",
    "ServiceError",
    "ServiceUnavailable",
    "Summary",
    "Theory",
    "TrainingComparison",
    "TrainingRun",
    "TrainingStep",
    "UnknownActivation",
]
