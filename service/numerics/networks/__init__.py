"""Deep random networks: initialisation, forward and backward passes, mean-field theory beside
them, and training them on real tasks with real optimizers, many seeds at once.

``simulate`` runs one gradient-flow experiment; ``meanfield`` predicts what it measures (the
length map, chi_1, the edge of chaos); ``initialisation`` holds PyTorch's schemes.
``compare`` trains entrants (an activation, widths, init and training each) on one task from
the same seeds and ranks them; ``optimizers``, ``schedules``, ``tasks`` (with ``datasets``),
``runs`` and ``trials`` are its parts.
"""

from service.numerics.networks.comparison import (
    Comparison,
    Cost,
    Metric,
    Ranking,
    Standing,
    compare,
    cost,
    default_metric,
)
from service.numerics.networks.datasets import PlaneName
from service.numerics.networks.initialisation import Init, Mode, ResolvedInit, SchemeName
from service.numerics.networks.meanfield import CriticalPoint, Phase, critical_line
from service.numerics.networks.optimizers import OPTIMIZERS, Optimizer, OptimizerName, optimizer
from service.numerics.networks.runs import Entrant, History, Study
from service.numerics.networks.schedules import SCHEDULES, Schedule, ScheduleName
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
from service.numerics.networks.tasks import LinearTeacher, NonlinearTeacher, Plane, Task
from service.numerics.networks.trials import Distribution, Estimate, distribution, estimate

__all__ = [
    "OPTIMIZERS",
    "SCHEDULES",
    "Comparison",
    "Cost",
    "CriticalPoint",
    "Distribution",
    "Entrant",
    "Estimate",
    "Experiment",
    "GradientFlow",
    "History",
    "Init",
    "Limits",
    "LinearTeacher",
    "Loss",
    "Metric",
    "Mode",
    "NonlinearTeacher",
    "Optimizer",
    "OptimizerName",
    "Phase",
    "Plane",
    "PlaneName",
    "Ranking",
    "ResolvedInit",
    "Schedule",
    "ScheduleName",
    "SchemeName",
    "Standing",
    "Study",
    "Task",
    "Training",
    "Verdict",
    "compare",
    "cost",
    "critical_line",
    "default_metric",
    "distribution",
    "estimate",
    "layer_widths",
    "optimizer",
    "simulate",
]
