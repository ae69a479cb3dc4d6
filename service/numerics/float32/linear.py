"""Float32 kernels of the linear family (service.numerics.families.linear)."""

from __future__ import annotations

from collections.abc import Mapping

from service.numerics.float32.kernel import Kernel
from service.numerics.float32.vmath import inline

__all__ = ["KERNELS"]


@inline
def identity(x, _):
    return x


@inline
def identity_derivative(x, _):
    return 1.0


KERNELS: Mapping[str, tuple[Kernel, ...]] = {
    "identity": (Kernel(identity, identity_derivative),),
}
