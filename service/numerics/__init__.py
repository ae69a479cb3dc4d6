"""The numeric core: activations, their derivatives and what is measured of them.

Pure numpy, scipy and numba; it knows nothing of HTTP, so it can be used from a notebook as is.
The subpackages are ``catalog`` (the activations), ``compiled`` (their kernels' runtime),
``analysis`` (what is measured of a function), ``networks`` (deep random networks and mean-field
theory) and ``describe`` (everything said of an entry, in each language).
"""

from service.numerics.catalog import ACTIVATIONS, Activation, Parameter, get
from service.numerics.compiled.cache import use_directory as use_kernel_cache
from service.numerics.deadline import Deadline
from service.numerics.evaluation import compile_kernels, evaluate, output_shape
from service.numerics.exceptions import (
    ActivationError,
    DeadlineExceeded,
    InvalidInput,
    InvalidParameter,
    LimitExceeded,
    NotMeasurable,
    UnknownActivation,
    Unmeasurable,
)
from service.numerics.types import (
    DTYPES,
    MAX_SEED,
    OUTPUTS,
    Array,
    DtypeName,
    Interval,
    OutputName,
    ParamJSON,
    ParamValue,
    number_from_text,
)

__all__ = [
    "ACTIVATIONS",
    "DTYPES",
    "MAX_SEED",
    "OUTPUTS",
    "Activation",
    "ActivationError",
    "Array",
    "Deadline",
    "DeadlineExceeded",
    "DtypeName",
    "Interval",
    "InvalidInput",
    "InvalidParameter",
    "LimitExceeded",
    "NotMeasurable",
    "OutputName",
    "ParamJSON",
    "ParamValue",
    "Parameter",
    "UnknownActivation",
    "Unmeasurable",
    "compile_kernels",
    "evaluate",
    "get",
    "number_from_text",
    "output_shape",
    "use_kernel_cache",
]
