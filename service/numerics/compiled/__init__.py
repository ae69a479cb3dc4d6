"""The kernel runtime: activations compiled into one fused loop per output, for float32 arrays.

The numpy path evaluates an activation as a chain of array passes in float64, which costs a
float32 request its widening, every temporary and its rounding. A catalog entry therefore
also writes its value and slope once more as scalar functions (numba), on the float64
elementary functions of ``vmath``, which vectorise; ``kernel`` runs them as one loop that reads
float32 and writes float32, the same float64 arithmetic rounded once, within an ULP of the
exact value. Axis-wise entries write one row at a time, and ``rows`` lays an array out as rows.
The numpy entries stay the definition: they serve float64, the second derivative, variants
without a kernel, and any point a kernel declines (returns NaN for).
"""

from service.numerics.compiled import cores, vmath, vmath64
from service.numerics.compiled.cores import SPLIT_ABOVE
from service.numerics.compiled.kernel import (
    Kernel,
    Limit,
    ScalarFunction,
    loops_of,
    own_loops,
    read_only,
    run,
    with_limits,
)
from service.numerics.compiled.rows import (
    WORK_ROWS,
    AxisKernel,
    RowFunction,
    along_axis,
    along_halves,
)
from service.numerics.compiled.vmath import FASTMATH, inline

__all__ = [
    "FASTMATH",
    "SPLIT_ABOVE",
    "WORK_ROWS",
    "AxisKernel",
    "Kernel",
    "Limit",
    "RowFunction",
    "ScalarFunction",
    "along_axis",
    "along_halves",
    "cores",
    "inline",
    "loops_of",
    "own_loops",
    "read_only",
    "run",
    "vmath",
    "vmath64",
    "with_limits",
]
