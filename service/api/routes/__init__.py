"""One router per resource."""

from service.api.routes import activations, evaluation, health, simulations

__all__ = ["activations", "evaluation", "health", "simulations"]
