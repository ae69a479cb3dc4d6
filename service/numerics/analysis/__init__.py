"""What is measured of an activation: its properties, from the function itself.

``measure`` gives range, monotonicity, extrema, saturation, Gaussian moments and the rest for
one set of parameters; ``smoothness`` finds the jumps of f, f' and f''; ``quadrature`` holds
the Gaussian expectations of mean-field theory and of the measured moments; ``normal`` the
normal distribution to the last bit.
"""

from service.numerics.analysis.extrema import Attained
from service.numerics.analysis.properties import Monotonicity, Properties, measure, unmeasurable
from service.numerics.analysis.smoothness import Discontinuity

__all__ = ["Attained", "Discontinuity", "Monotonicity", "Properties", "measure", "unmeasurable"]
