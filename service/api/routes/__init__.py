"""One router per resource."""

from service.api.routes import activations, compare, evaluation, health, plots, simulations

__all__ = ["activations", "compare", "evaluation", "health", "plots", "simulations"]
