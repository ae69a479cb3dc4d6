"""The declarative shape of one activation: its functions, kernels, parameters and formulas.

Each entry module of the catalog ends with one ``ACTIVATION = Activation(...)``: the numpy
functions (the definition), the compiled kernels (the fast path, tested against it), and
what describes them, side by side.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from service.numerics.catalog.facts import Facts
from service.numerics.compiled import AxisKernel, Kernel
from service.numerics.exceptions import InvalidParameter
from service.numerics.types import Array, ParamValue, number_from_text

ElementwiseFn = Callable[..., Array]
VjpFn = Callable[..., Array]
ParamKind = Literal["float", "int", "bool", "choice"]
Library = Literal["torch", "keras", "jax"]

_TRUE_WORDS = frozenset({"true", "1", "yes", "on"})
_FALSE_WORDS = frozenset({"false", "0", "no", "off"})


@dataclass(frozen=True, slots=True)
class Parameter:
    """A named, bounded argument of an activation, with its default.

    Bounds are inclusive unless ``exclusive_minimum``/``exclusive_maximum`` is set.
    The kind (float, int, bool or choice) follows from the default and ``choices``. A float
    whose default is infinite (relu's max_value: no cap) is ``nullable``: JSON has no
    infinities, so null stands for that default, in requests and in answers alike.
    """

    name: str
    default: ParamValue
    description: str
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    exclusive_maximum: bool = False
    choices: tuple[str, ...] = ()

    @property
    def nullable(self) -> bool:
        return isinstance(self.default, float) and math.isinf(self.default)

    @property
    def kind(self) -> ParamKind:
        if self.choices:
            return "choice"
        if isinstance(self.default, bool):
            return "bool"
        if isinstance(self.default, int):
            return "int"
        return "float"

    def validate(self, value: object) -> ParamValue:
        """Return ``value`` as this parameter's type, or raise InvalidParameter saying why."""
        if value is None and self.nullable:
            return self.default
        kind = self.kind
        if kind == "choice":
            if not isinstance(value, str) or value not in self.choices:
                raise InvalidParameter(
                    self.name, f"must be one of {list(self.choices)}, got {value!r}"
                )
            return value
        if kind == "bool":
            if not isinstance(value, bool):
                raise InvalidParameter(self.name, f"must be true or false, got {value!r}")
            return value
        if isinstance(value, bool) or not isinstance(value, int | float):
            null = " or null" if self.nullable else ""
            raise InvalidParameter(self.name, f"must be a number{null}, got {value!r}")
        if kind == "int":
            if isinstance(value, float) and not value.is_integer():
                raise InvalidParameter(self.name, f"must be an integer, got {value!r}")
            value = int(value)
        elif not math.isfinite(value) and not (self.nullable and value == self.default):
            raise InvalidParameter(self.name, f"must be finite, got {value!r}")
        else:
            value = float(value)
        self._check_bounds(value)
        return value

    def parse_text(self, text: str) -> ParamValue:
        """Parse a query-string value, then validate it like a JSON one."""
        if self.nullable and text.strip().lower() == "null":
            return self.default
        kind = self.kind
        if kind == "choice":
            return self.validate(text)
        if kind == "bool":
            lowered = text.strip().lower()
            if lowered in _TRUE_WORDS:
                return True
            if lowered in _FALSE_WORDS:
                return False
            raise InvalidParameter(self.name, f"must be true or false, got {text!r}")
        try:
            number = number_from_text(text)
        except ValueError:
            raise InvalidParameter(
                self.name, f"must be {'an integer' if kind == 'int' else 'a number'}, got {text!r}"
            ) from None
        return self.validate(number)

    def _check_bounds(self, value: float) -> None:
        low, high = self.minimum, self.maximum
        if low is not None and (value < low or (self.exclusive_minimum and value == low)):
            relation = ">" if self.exclusive_minimum else ">="
            raise InvalidParameter(self.name, f"must be {relation} {low}, got {value!r}")
        if high is not None and (value > high or (self.exclusive_maximum and value == high)):
            relation = "<" if self.exclusive_maximum else "<="
            raise InvalidParameter(self.name, f"must be {relation} {high}, got {value!r}")


AXIS = Parameter(
    "axis",
    -1,
    "The axis the function works along (negative counts from the last).",
    minimum=-64,
    maximum=63,
)
"""The first parameter of every axis-wise entry."""


@dataclass(frozen=True, slots=True)
class GaussianMoments:
    """Closed forms of E[f(sqrt(q) z)^2] and E[f'(sqrt(q) z)^2], z ~ N(0, 1), for q >= 0.

    These two integrals are what mean-field theory asks of an activation; where they have a
    closed form it replaces quadrature. Both take an array ``q`` and the activation's parameters.
    """

    value: ElementwiseFn
    slope: ElementwiseFn


@dataclass(frozen=True, slots=True)
class Equivalent:
    """The same function in another library: the exact call, and how it differs from ours."""

    library: Library
    call: str
    differs: str = ""


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Activation:
    """One activation function: forward and derivatives side by side, with what describes them.

    An element-wise activation has ``forward(x, **params)``, ``derivative`` and
    ``second_derivative`` of the same shape, vectorised over an array of any shape. An
    axis-wise one (softmax, glu, ...) has ``forward(x, axis, **params)`` and, instead of
    derivatives, ``vjp(x, grad_output, axis, **params)``: its Jacobian is not diagonal, so only
    the vector-Jacobian product with an upstream gradient is a useful array. ``halves_axis``
    marks functions whose output is half as long as x along that axis. ``blockwise`` is false
    for an element-wise function that must see the whole array at once (rrelu draws one slope
    per element of it).

    ``kernels`` are the same functions compiled (service.numerics.compiled), one per variant
    of the non-numeric parameters: ``Kernel`` for an element-wise entry, ``AxisKernel`` for an
    axis-wise one. Parameters without a kernel's variant take the numpy path.

    ``kink`` states the value chosen for a derivative where the function is not
    differentiable ("" for a smooth function). ``equivalents`` are the same function in PyTorch,
    Keras 3 and jax.nn; ``follows`` names whose defaults and conventions ours takes; ``aliases``
    are other libraries' names for it. ``facts`` are what is declared of it (continuity, range,
    kinks, cost, initialisation with PyTorch's gain, identities, references), each verified by
    the tests. ``variants`` are parameter sets the tests check besides the defaults, each
    exercising another branch or scale.

    ``ordered`` names pairs (low, high) of parameters whose values must keep low <= high
    (hardtanh's bounds): ``resolve`` refuses the others, as PyTorch refuses them.

    ``gaussian_moments`` holds closed forms for mean-field theory. Only element-wise entries can
    be put in a layer of independent units.

    ``family`` is the catalog folder the entry was found in; the registry sets it. Entries
    compare by identity: the registry holds one of each.
    """

    name: str
    forward: ElementwiseFn
    formula: str
    derivative_formula: str
    follows: str
    facts: Facts
    derivative: ElementwiseFn | None = None
    second_derivative: ElementwiseFn | None = None
    second_derivative_formula: str = ""
    vjp: VjpFn | None = None
    halves_axis: bool = False
    blockwise: bool = True
    parameters: tuple[Parameter, ...] = ()
    ordered: tuple[tuple[str, str], ...] = ()
    kink: str = ""
    equivalents: tuple[Equivalent, ...] = ()
    aliases: tuple[str, ...] = ()
    gaussian_moments: GaussianMoments | None = None
    kernels: tuple[Kernel, ...] | tuple[AxisKernel, ...] = ()
    variants: tuple[Mapping[str, ParamValue], ...] = ()
    family: str = ""
    # Each element-wise kernel with the names of the parameters it takes, found once: looking
    # them up for every request cost a 10-element one 3% of its time.
    _bound: tuple[tuple[Kernel, tuple[str, ...]], ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        bound = tuple(
            (kernel, self.kernel_parameters(kernel))
            for kernel in self.kernels
            if isinstance(kernel, Kernel)
        )
        object.__setattr__(self, "_bound", bound)

    @property
    def axiswise(self) -> bool:
        return self.vjp is not None

    def parameter(self, name: str) -> Parameter:
        for parameter in self.parameters:
            if parameter.name == name:
                return parameter
        known = ", ".join(p.name for p in self.parameters) or "none"
        raise InvalidParameter(name, f"is not a parameter of {self.name} (its parameters: {known})")

    def resolve(self, given: Mapping[str, object]) -> dict[str, ParamValue]:
        """Every parameter with its validated value, defaults filled in; unknown names raise."""
        for name in given:
            self.parameter(name)
        return self._in_order(
            {
                p.name: p.validate(given[p.name]) if p.name in given else p.default
                for p in self.parameters
            }
        )

    def resolve_text(self, given: Mapping[str, str]) -> dict[str, ParamValue]:
        """Like ``resolve``, for values that arrive as text (a query string)."""
        parsed = {name: self.parameter(name).parse_text(text) for name, text in given.items()}
        return self._in_order({p.name: parsed.get(p.name, p.default) for p in self.parameters})

    def _in_order(self, params: dict[str, ParamValue]) -> dict[str, ParamValue]:
        for low, high in self.ordered:
            if params[high] < params[low]:  # type: ignore[operator]  # ordered names numbers
                raise InvalidParameter(
                    high, f"must be at least {low} ({params[low]!r}), got {params[high]!r}"
                )
        return params

    def kernel(self, params: Mapping[str, ParamValue]) -> tuple[Kernel, tuple[float, ...]] | None:
        """The element-wise kernel for these (resolved) parameters, and the numbers it takes."""
        for kernel, names in self._bound:
            if kernel.applies(params):
                return kernel, tuple([float(params[name]) for name in names])
        return None

    def kernel_parameters(self, kernel: Kernel) -> tuple[str, ...]:
        """What ``kernel`` takes as p: the parameters it does not fix, in their declared order."""
        fixed = (*kernel.variant, *kernel.unused)
        return tuple(p.name for p in self.parameters if p.name not in fixed)

    def axis_kernel(self, params: Mapping[str, ParamValue]) -> AxisKernel | None:
        """The axis-wise kernel for these (resolved) parameters, if it has one."""
        for kernel in self.kernels:
            if isinstance(kernel, AxisKernel) and kernel.applies(params):
                return kernel
        return None
