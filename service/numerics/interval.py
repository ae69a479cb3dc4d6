"""An interval of the real line whose ends may be infinite, open or closed."""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["Interval"]


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


def _show(value: float) -> str:
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    return f"{value:.15g}"
