"""What the catalog adds to the OpenAPI document: which names an operation takes, and which
parameters each activation takes, with their types and bounds.

The pydantic models say "a string" and "an object" for an activation and its parameters; the
catalog knows exactly which: a client (and a fuzzer) can then tell a valid request from one
that will be refused without asking the service. ``declare_catalog`` writes that into the
generated document, from the same declarations that validate requests.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from service.numerics import Activation, Parameter

__all__ = ["declare_catalog", "parameter_schema"]

# Request bodies that name an element-wise activation and give its parameters.
_SIMULATION_BODIES = ("GradientFlowRequest", "CriticalLineRequest", "TrainingRunRequest")
# Bodies whose activation may be left out, and what their params are then: the default
# activation's (a nonlinear teacher's tanh), none (a comparison without a shared activation has
# no parameters to share), or the enclosing request's, which a schema cannot pair with them.
_DEFAULT = "default"
_NONE: dict[str, Any] = {"type": "object", "maxProperties": 0}
_ENCLOSING: dict[str, Any] = {}
_OPTIONAL_BODIES: Mapping[str, dict[str, Any] | str] = {
    "NonlinearTeacherTask": _DEFAULT,
    "TrainingComparisonRequest": _NONE,
    "EntrantSpec": _ENCLOSING,
}


def parameter_schema(parameter: Parameter) -> dict[str, Any]:
    """The JSON schema of one parameter's values."""
    if parameter.kind == "choice":
        return {"type": "string", "enum": list(parameter.choices)}
    if parameter.kind == "bool":
        return {"type": "boolean"}
    schema: dict[str, Any] = {"type": "integer" if parameter.kind == "int" else "number"}
    for bound, exclusive, keyword in (
        (parameter.minimum, parameter.exclusive_minimum, "minimum"),
        (parameter.maximum, parameter.exclusive_maximum, "maximum"),
    ):
        if bound is not None:
            schema["exclusiveM" + keyword[1:] if exclusive else keyword] = bound
    if parameter.nullable:
        return {"anyOf": [schema, {"type": "null"}]}
    return schema


def _names(entries: Iterable[Activation]) -> list[str]:
    return sorted(name for entry in entries for name in (entry.name, *entry.aliases))


def _params_schema(entry: Activation) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {p.name: parameter_schema(p) for p in entry.parameters},
        "additionalProperties": False,
    }


def declare_catalog(
    schema: dict[str, Any], activations: Mapping[str, Activation], *, most_compared: int
) -> None:
    """Name the activations each operation takes, and each one's parameters, in ``schema``;
    a comparison lists 2 to ``most_compared`` element-wise names."""
    every = list(activations.values())
    elementwise = [entry for entry in every if not entry.axiswise]
    components = schema["components"]["schemas"]
    for model in _SIMULATION_BODIES:
        activation = components[model]["properties"]["activation"]
        # A name or a formula: the name's branch lists the names, the formula's is its object.
        for branch in activation.get("anyOf", [activation]):
            if branch.get("type") == "string":
                branch["enum"] = _names(elementwise)
        components[model]["anyOf"] = [
            {
                "properties": {
                    "activation": {"enum": _names([entry])},
                    "params": _params_schema(entry),
                }
            }
            for entry in elementwise
        ] + [{"properties": {"activation": {"type": "object"}}}]
    for model, otherwise in _OPTIONAL_BODIES.items():
        _pair_optional(components[model], elementwise, activations, otherwise)
    for path, item in schema["paths"].items():
        for operation in item.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path" and parameter["name"] == "name":
                    measured = path.endswith((".svg", ".png"))
                    parameter["schema"]["enum"] = _names(elementwise if measured else every)
                if parameter["in"] == "query" and parameter["name"] == "names":
                    one = "(?:" + "|".join(map(re.escape, _names(elementwise))) + ")"
                    more = f"{{1,{most_compared - 1}}}"
                    parameter["schema"]["pattern"] = f"^{one}(?:,{one}){more}$"


def _pair_optional(
    body: dict[str, Any],
    elementwise: list[Activation],
    activations: Mapping[str, Activation],
    otherwise: dict[str, Any] | str,
) -> None:
    """Pair an activation that may be left out (or null) with its params (which may be null:
    the default, then), and say what the params are without it; a formula takes any."""
    properties = body["properties"]
    field = properties["activation"]
    named = next((s for s in field.get("anyOf", [field]) if s.get("type") == "string"), field)
    named["enum"] = _names(elementwise)
    nullable = "anyOf" in properties["params"]

    def params(schema: dict[str, Any]) -> dict[str, Any]:
        return {"anyOf": [schema, {"type": "null"}]} if nullable and schema else schema

    if otherwise == _DEFAULT:
        otherwise = _params_schema(activations[field["default"]])
    assert isinstance(otherwise, dict)
    body["anyOf"] = [
        {
            "required": ["activation"],
            "properties": {
                "activation": {"enum": _names([entry])},
                "params": params(_params_schema(entry)),
            },
        }
        for entry in elementwise
    ] + [
        # A formula declares its own parameters, which the schema cannot pair with them.
        {"required": ["activation"], "properties": {"activation": {"type": "object"}}},
        {"properties": {"activation": {"type": "null"}, "params": params(otherwise)}},
    ]
