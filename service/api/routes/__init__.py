"""One router per resource."""

from service.api.routes import activations, compare, evaluation, health, plots

__all__ = ["activations", "compare", "evaluation", "health", "plots"]
