"""What the core raises when it is asked for something it cannot do; the API maps these to HTTP."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

__all__ = [
    "ActivationError",
    "DeadlineExceeded",
    "InvalidInput",
    "InvalidParameter",
    "LimitExceeded",
    "NotMeasurable",
    "UnknownActivation",
    "Unmeasurable",
]

Unmeasurable = Literal["axis-wise", "random", "undefined"]
"""Why an activation has no scalar f(x) to measure or plot: it works along an axis, or it
draws random numbers with the parameters given, or it is not a real number everywhere (a
formula with a log or a square root of a negative number)."""

_WHY: dict[Unmeasurable, str] = {
    "axis-wise": "is axis-wise: each output depends on the whole vector along the axis, so it"
    " has no scalar f(x) whose properties could be measured or plotted",
    "random": "draws random numbers with these parameters, so it is no one function of x whose"
    " properties could be measured or plotted",
    "undefined": "is not a finite real number at every x (NaN where a log or a square root"
    " meets a negative number, or at 0/0; infinite at a pole such as 1/x at 0), so its"
    " properties over the real line cannot be measured or plotted",
}


class ActivationError(Exception):
    """Base class of the core's domain errors."""


class UnknownActivation(ActivationError, LookupError):
    def __init__(self, name: str, suggestions: list[str]) -> None:
        hint = f"; did you mean {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"unknown activation {name!r}{hint}")
        self.name = name
        self.suggestions = suggestions


class InvalidParameter(ActivationError, ValueError):
    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"parameter {name!r} {reason}")
        self.name = name
        self.reason = reason


class InvalidInput(ActivationError, ValueError):
    """An input that cannot be evaluated; ``loc`` is the path to the field (and element) at fault."""

    def __init__(self, loc: Sequence[str | int], reason: str) -> None:
        where = "".join(
            f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc
        ).lstrip(".")
        super().__init__(f"{where}: {reason}")
        self.loc = tuple(loc)
        self.reason = reason


class NotMeasurable(ActivationError, ValueError):
    """Properties or a plot asked of an activation that has no scalar f(x); ``loc`` is what to
    change: the name (an axis-wise entry) or the parameters (one that draws random numbers)."""

    def __init__(self, name: str, reason: Unmeasurable) -> None:
        super().__init__(f"{name} {_WHY[reason]}")
        self.name = name
        self.reason = reason
        self.loc: tuple[str, ...] = {"axis-wise": ("name",), "undefined": ("activation",)}.get(
            reason, ("params",)
        )


class LimitExceeded(InvalidInput):
    """A request whose cost is over one of the limits; ``limit`` names the setting."""

    def __init__(
        self, loc: Sequence[str | int], *, limit: str, maximum: int, value: int, what: str
    ) -> None:
        super().__init__(loc, f"{what} = {value:,} is over the limit {limit} = {maximum:,}")
        self.limit = limit
        self.maximum = maximum
        self.value = value


class DeadlineExceeded(ActivationError):
    """Work stopped at a step boundary because it ran past its deadline of ``seconds``."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"the computation ran past its deadline of {seconds:g} s and was stopped")
        self.seconds = seconds
