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
_SIMULATION_BODIES = ("GradientFlowRequest", "CriticalLineRequest")


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
