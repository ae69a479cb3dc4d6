"""The contract, fuzzed: Schemathesis generates requests from the published OpenAPI document,
valid and invalid, for every operation, and runs every check it has on the answers.

Every failure is a defect of the service or of its schema, and is fixed there. The one
exception is a rule the schema cannot state, because it relates two parts of a request in a
way JSON Schema has no words for; those are listed below with the reason, and a request that
breaks one must get exactly the problem that names it.

The app runs with small limits (published in the document it serves, so the generator knows
them) so that every generated simulation is cheap.

Deterministic, so that CI replays the same cases every run; to explore further, set
deterministic and derandomize to False and raise max_examples by hand (a run of 600 random
cases an operation found the inference protocol refusing repeated outputs its schema allowed).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.openapi.checks import RejectedPositiveData

from service.config import Settings
from service.main import create_app

load_all_checks()


@schemathesis.serializer("application/x-npy", "application/x-npz")
def _binary(ctx: Any, value: Any) -> bytes:
    """A binary body is generated as bytes (the schema says format: binary): sent as it is."""
    return value if isinstance(value, bytes) else str(value).encode()


SMALL = {
    "compile_at_startup": False,
    "max_elements": 10_000,
    "max_body_bytes": 1 << 20,
    "max_depth": 8,
    "max_width": 32,
    "max_batch": 32,
    "max_activations": 4096,
    "max_weights": 4096,
    "max_multiply_adds": 1 << 20,
    "max_training_steps": 5,
    "max_critical_points": 16,
    "max_run_steps": 20,
    "max_trials": 3,
    "max_entrants": 3,
    "max_examples": 200,
    "max_records": 11,
    "max_training_multiply_adds": 1 << 22,
    "max_element_ops": 1 << 22,
    "max_layer_steps": 2000,
    "max_training_floats": 1 << 18,
    "plot_max_abs_x": 100.0,
}
schema = schemathesis.openapi.from_asgi(
    "/openapi.json", create_app(Settings.model_construct(**SMALL))
)
schema.config.generation.update(
    modes=list(schemathesis.GenerationMode), max_examples=200, deterministic=True
)
CHECKS_ALL = CHECKS.get_all()
CASES: list[str] = []  # every case sent, counted by the last test

# Problems a valid request may still get, each for a rule that relates two parts of the
# request, which the schema cannot state (by the problem type that names the rule).
UNSTATABLE: dict[str, str] = {
    "limit-exceeded": "a cost limit bounds a product of fields (batch x the widths, weights x"
    " passes), or an array's size, which arrives as nested lists",
    "invalid-parameter": "which parameters an activation takes depends on the name in the path"
    " (evaluate, describe, plot); the body's activation field is paired with its parameters,"
    " but an entrant of a training comparison that names none takes the request's; and two"
    " parameters may be ordered (hardtanh's max_val at least its min_val)",
    "invalid-input": "x must be a rectangular nested list, and grad_output shaped like the value"
    " of the activation the path names; a binary body must be an array in numpy's .npy or .npz"
    " format, which a schema of bytes does not describe",
    "invalid-plot-range": "x_min must be below x_max",
    "names-repeated": "an alias and its activation are the same name in a comparison",
    "not-measurable": "rrelu with training=true draws random numbers: no scalar f to measure",
    "query-with-json-body": "the query string carries options for binary bodies only",
    "invalid-formula": "a formula's expression follows the formula language's grammar, which"
    " no JSON Schema pattern states",
}


# The inference protocol's errors carry a message and no type: the rules, by what they say.
UNSTATABLE_IN_PROTOCOL: dict[str, str] = {
    "is not a valid JSON object": "Inference-Header-Content-Length must be the byte length of"
    " the JSON that starts the body",
    "the JSON object at the head of the body": "Inference-Header-Content-Length is at most the"
    " body's length",
    "is not a parameter of": "which parameters an activation takes depends on the model named",
    "must be at least min_val": "hardtanh's max_val is at least its min_val",
    "must be at least lower": "rrelu's upper is at least its lower",
    "numbers shaped": "a tensor's data must hold as many elements as its shape says",
    "expected a list of length": "a tensor's data nests rectangular lists",
    "expected a number, got a list": "a tensor's data nests rectangular lists",
    "(ragged array)": "a tensor's data nests rectangular lists",
    "works along an axis": "an axis-wise activation, named by the path, takes no scalar",
    "has shape": "grad_output is shaped like the value of the activation the path names",
    "are allowed": "a tensor's size is a product of its shape",
    "bytes of binary data are left": "binary_data_size counts bytes that follow the JSON",
    "data of shape": "binary_data_size is the byte length of the shape in the datatype",
    "outside the float32 range": "an FP32 tensor's numbers must round to a finite float32: the"
    " datatype bounds the data",
    "is required for the gradient of": "an axis-wise model, named by the path, needs grad_output"
    " for the gradient",
    "Input should be a valid dictionary or instance of InferenceRequest": "a binary body starts"
    " with the request's JSON object (a bare number such as 7 is JSON, but no object)",
    "send both in one datatype": "grad_output's datatype is x's: a rule between two items of"
    " inputs (an anyOf over every item's datatype states it, but the generator then fails to"
    " make inputs at all)",
    "has both data and a binary_data_size parameter": "an input's data is in the JSON or after"
    " it, not both: binary_data_size sits in the protocol's open parameters, which the schema"
    " cannot set against data",
}


def _allowed(failure: Failure, body: dict[str, Any] | None) -> bool:
    """A positive case refused for a rule the schema cannot state (and for nothing else)."""
    if not isinstance(failure, RejectedPositiveData) or body is None:
        return False
    if "error" in body:  # the inference protocol's shape
        return any(phrase in str(body["error"]) for phrase in UNSTATABLE_IN_PROTOCOL)
    kind = str(body.get("type", "")).rsplit(":", 1)[-1]
    return kind in UNSTATABLE


@schema.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_the_published_contract_holds(case: schemathesis.Case) -> None:
    CASES.append(f"{case.method} {case.path}")
    response = case.call()
    try:
        case.validate_response(response, checks=CHECKS_ALL)
    except FailureGroup as group:
        left = [f for f in group.exceptions if not _allowed(f, _problem(response))]
        if left:
            raise FailureGroup(left, group.message) from None
    except Failure as failure:
        if not _allowed(failure, _problem(response)):
            raise


def _problem(response: Any) -> dict[str, Any] | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def test_thousands_of_cases_were_sent() -> None:
    """Over the whole API: at least 2,000 generated requests, every operation among them."""
    assert len(CASES) >= 2000, len(CASES)
    assert {case.split(" ", 1)[1] for case in CASES} == set(schema.raw_schema["paths"])


def test_the_unstatable_rules_name_their_problems() -> None:
    """Each listed rule is one a real problem type names: the list cannot go stale silently."""
    import service.api.routes as routes
    import service.errors as errors

    sources = "".join(
        Path(str(module.__file__)).read_text()
        for module in (errors, routes.compare, routes.plots, routes.evaluate)
    )
    for kind in UNSTATABLE:
        assert f'"{kind}"' in sources or kind in ("not-measurable",), kind


pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
