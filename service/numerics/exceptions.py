"""What the core raises when it is asked for something it cannot do; the API maps these to HTTP."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "ActivationError",
    "InvalidInput",
    "InvalidParameter",
    "LimitExceeded",
    "UnknownActivation",
]


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


class LimitExceeded(InvalidInput):
    """A request whose cost is over one of the limits; ``limit`` names the setting."""

    def __init__(
        self, loc: Sequence[str | int], *, limit: str, maximum: int, value: int, what: str
    ) -> None:
        super().__init__(loc, f"{what} = {value:,} is over the limit {limit} = {maximum:,}")
        self.limit = limit
        self.maximum = maximum
        self.value = value
