"""One router per resource."""

from service.api.routes import (
    activations,
    compare,
    evaluate,
    explorer,
    health,
    inference,
    plots,
    simulations,
)

__all__ = [
    "activations",
    "compare",
    "evaluate",
    "explorer",
    "health",
    "inference",
    "plots",
    "simulations",
]
