"""One router per resource."""

from service.api.routes import (
    activations,
    compare,
    evaluate,
    health,
    inference,
    plots,
    simulations,
)

__all__ = ["activations", "compare", "evaluate", "health", "inference", "plots", "simulations"]
