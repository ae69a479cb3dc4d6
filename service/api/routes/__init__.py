"""One router per resource."""

from service.api.routes import activations, evaluation, health

__all__ = ["activations", "evaluation", "health"]
