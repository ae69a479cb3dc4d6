"""The types the core and the API share, declared once: arrays, parameter values, output and
dtype names, and intervals of the real line."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

import numpy as np
import numpy.typing as npt

__all__ = [
    "DTYPES",
    "MAX_SEED",
    "NON_NEGATIVE",
    "OUTPUTS",
    "REAL_LINE",
    "Array",
    "DtypeName",
    "Interval",
    "OutputName",
    "ParamJSON",
    "ParamValue",
    "number_from_text",
]

Array = npt.NDArray[np.floating[Any]]
ParamValue = float | int | bool | str
"""The value of an activation's parameter: a number, a flag or a choice."""
ParamJSON = ParamValue | None
"""A parameter's value as JSON spells it: null for an infinite default (relu's max_value)."""

_DECIMAL: Final = re.compile(
    r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[+-]?(?:inf|infinity|nan)",
    re.ASCII | re.IGNORECASE,
)


def number_from_text(text: str) -> float:
    """A number as a query string writes it: ASCII digits, a sign, a point, an exponent, or inf
    and nan for the checks that follow to refuse by name. Not Python's wider float(), which
    reads "0_5" as 5, "\u0663" as 3 and " 1" as 1. ValueError for anything else."""
    if not _DECIMAL.fullmatch(text):
        raise ValueError(f"not a number: {text!r}")
    return float(text)


OutputName = Literal["value", "gradient", "second_derivative"]
OUTPUTS: Final[tuple[OutputName, ...]] = ("value", "gradient", "second_derivative")

DtypeName = Literal["float32", "float64"]
DTYPES: Final[Mapping[DtypeName, type[np.floating[Any]]]] = {
    "float32": np.float32,
    "float64": np.float64,
}


@dataclass(frozen=True, slots=True)
class Interval:
    """From ``low`` to ``high`` (either may be infinite; an infinite end is always open)."""

    low: float
    high: float
    low_closed: bool
    high_closed: bool

    @classmethod
    def point(cls, x: float) -> Interval:
        return cls(x, x, True, True)

    def notation(self) -> str:
        """E.g. "(-1, ∞)" or "[0, 6]"."""
        left, right = "[" if self.low_closed else "(", "]" if self.high_closed else ")"
        return f"{left}{_show(self.low)}, {_show(self.high)}{right}"

    def contains(self, x: float) -> bool:
        above = x > self.low or (self.low_closed and x == self.low)
        below = x < self.high or (self.high_closed and x == self.high)
        return above and below


MAX_SEED: Final = 2**53 - 1
"""The largest seed: the largest integer that every JSON parser keeps exactly (a float64 has
53 bits), so that a seed echoed or validated as a float is still the seed."""

REAL_LINE: Final = Interval(-math.inf, math.inf, False, False)
NON_NEGATIVE: Final = Interval(0.0, math.inf, True, False)


def _show(value: float) -> str:
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    return f"{value:.15g}"
