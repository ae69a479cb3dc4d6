"""Deep random networks: initialisation, forward and backward passes, mean-field theory beside
them, and a few steps of training.

``simulate`` runs one gradient-flow experiment; ``meanfield`` predicts what it measures (the
length map, chi_1, the edge of chaos); ``initialisation`` holds PyTorch's schemes.
"""

from service.numerics.networks.initialisation import Init, Mode, SchemeName
from service.numerics.networks.meanfield import CriticalPoint, Phase, critical_line
from service.numerics.networks.simulation import (
    Experiment,
    GradientFlow,
    Limits,
    Loss,
    Training,
    Verdict,
    layer_widths,
    simulate,
)

__all__ = [
    "CriticalPoint",
    "Experiment",
    "GradientFlow",
    "Init",
    "Limits",
    "Loss",
    "Mode",
    "Phase",
    "SchemeName",
    "Training",
    "Verdict",
    "critical_line",
    "layer_widths",
    "simulate",
]
