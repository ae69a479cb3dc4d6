"""The numeric core: activations, their derivatives and what is measured of them.

Pure numpy and scipy; it knows nothing of HTTP, so it can be used from a notebook as is.
"""

from service.numerics.activation import Activation, Array, Parameter, ParamValue
from service.numerics.evaluation import DTYPES, OUTPUTS, Output, evaluate
from service.numerics.exceptions import (
    ActivationError,
    InvalidInput,
    InvalidParameter,
    LimitExceeded,
    NotMeasurable,
    UnknownActivation,
)
from service.numerics.registry import ACTIVATIONS, ALIASES, aliases_of, get

__all__ = [
    "ACTIVATIONS",
    "ALIASES",
    "DTYPES",
    "OUTPUTS",
    "Activation",
    "ActivationError",
    "Array",
    "InvalidInput",
    "InvalidParameter",
    "LimitExceeded",
    "NotMeasurable",
    "Output",
    "ParamValue",
    "Parameter",
    "UnknownActivation",
    "aliases_of",
    "evaluate",
    "get",
]
