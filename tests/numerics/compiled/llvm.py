"""A compiled loop over an array for a scalar function, and what its LLVM IR says: whether it
calls the math library, whether it is SIMD."""

from __future__ import annotations

import re
from typing import Any

import numba

from service.numerics.compiled import vmath

# A math-library function in a loop: LLVM's intrinsic for it (scalarised into library calls
# at code generation, there being no vector math library) or a call to the library itself.
LIBRARY_CALL = re.compile(
    r"@llvm\.(exp|exp2|log|log2|log10|sin|cos|tan|pow)\.|call [^@]*@(exp|log|sin|cos|tan|atan|erf)"
)


VECTOR = re.compile(r"<\d+ x (double|float)>")


def calls_the_math_library(dispatcher: Any) -> bool:
    return any(LIBRARY_CALL.search(ir) for ir in dispatcher.inspect_llvm().values())


def vectorised(dispatcher: Any) -> bool:
    """Whether LLVM turned the loop into SIMD operations (at whatever width the CPU has)."""
    return any(VECTOR.search(ir) for ir in dispatcher.inspect_llvm().values())


def loop_of(function: Any) -> Any:
    """``function`` at each element of x into out, compiled as the kernels' loops are."""

    @numba.njit(fastmath=vmath.FASTMATH, error_model="numpy")
    def apply(x, out):  # type: ignore[no-untyped-def]
        for i in range(x.size):
            out[i] = function(x[i])

    return apply
