"""What routes ask for: the settings, the activation named in the path, the workload classes,
the language of the answer and the activation's parameters from the query string.

They are ``async`` although they never wait: FastAPI runs plain ``def`` dependencies in its
threadpool, a hop that costs more than the lookups themselves.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable, Collection
from typing import Annotated, Any

from fastapi import Depends, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel
from starlette.datastructures import QueryParams

from service import numerics
from service.api.media_types import weighed
from service.api.routing import JSONBodyRequest
from service.api.workloads import Workloads
from service.config import Settings
from service.numerics.describe import DEFAULT_LANGUAGE, LANGUAGES, Language

__all__ = [
    "NAME_LENGTH",
    "PARAMS_IN_QUERY",
    "ActivationDep",
    "ActivationName",
    "LanguageDep",
    "SettingsDep",
    "WorkloadsDep",
    "params_in_query",
    "query_parameters",
    "repeated_query",
    "single_keyed",
    "single_valued",
]

PARAMS_IN_QUERY: dict[str, Any] = {
    "name": "params",
    "in": "query",
    "style": "form",
    "explode": True,
    "required": False,
    "schema": {"type": "object", "additionalProperties": {"type": "string"}},
    "description": "The activation's parameters as name=value pairs, e.g. ?alpha=2; those left"
    " out take their defaults.",
}


def query_parameters(model: type[BaseModel], *, note: str) -> list[dict[str, Any]]:
    """OpenAPI query parameters for the fields of ``model``, read from its JSON schema (a list
    is a repeated parameter, as ?outputs=value&outputs=gradient); ``note`` prefixes each."""
    parameters = []
    for name, field in model.model_json_schema()["properties"].items():
        # An optional field is its type or null; a query string has no null to send.
        kinds = [kind for kind in field.get("anyOf", [field]) if kind.get("type") != "null"]
        schema = {k: v for k, v in kinds[0].items() if k not in ("title", "description")}
        parameters.append(
            {
                "name": name,
                "in": "query",
                "required": False,
                "schema": schema,
                "description": f"{note}: {field['description']}",
                **({"style": "form", "explode": True} if schema.get("type") == "array" else {}),
            }
        )
    return parameters


def repeated_query(query: QueryParams, *, repeatable: Collection[str] = ()) -> None:
    """Refuse a query parameter given twice (?x_min=1&x_min=2) unless it is a list: a framework
    would keep one of the two without a word."""
    counts = Counter(key for key, _ in query.multi_items())
    twice = sorted(key for key, count in counts.items() if count > 1 and key not in repeatable)
    if twice:
        raise RequestValidationError(
            [{"loc": ("query", key), "msg": "is given more than once"} for key in twice]
        )


def single_valued(*repeatable: str) -> Callable[[Request], Awaitable[None]]:
    """A dependency refusing repeated query parameters but ``repeatable`` (list parameters)."""

    async def check(request: Request) -> None:
        repeated_query(request.query_params, repeatable=repeatable)

    return check


async def single_keyed(request: Request) -> None:
    """A dependency refusing a JSON body that gives a key twice: the body as the route read it
    (a ``JSONBodyRoute``'s; it had been checked under ``application/json`` alone, and a
    ``+json`` type, which FastAPI reads as JSON too, was taken with its second value)."""
    if not isinstance(request, JSONBodyRequest):
        raise TypeError("single_keyed is a dependency of a JSONBodyRoute's routes")
    if request.keys_twice is not None:
        raise numerics.InvalidInput(
            ["body", *request.keys_twice], "is given twice; give each key once"
        )


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


NAME_LENGTH = 64
"""The longest activation name a path may hold."""

ActivationName = Annotated[
    str,
    Path(
        max_length=NAME_LENGTH,
        description="Activation name or alias, as listed by GET /api/v1/activations.",
        examples=["gelu"],
    ),
]


async def get_activation(name: ActivationName) -> numerics.Activation:
    return numerics.get(name)


async def get_workloads(request: Request) -> Workloads:
    workloads: Workloads = request.app.state.workloads
    return workloads


async def get_language(
    request: Request,
    lang: Annotated[
        Language | None,
        Query(description="Language of the text fields; without it, Accept-Language decides."),
    ] = None,
) -> Language:
    return lang or negotiate_language(request.headers.get("accept-language", ""))


def negotiate_language(accept_language: str) -> Language:
    """The supported language the Accept-Language header weighs highest ("zh-CN;q=0.9" counts
    as zh; the first named on a tie), the default where it weighs none above 0."""
    for tag, quality in sorted(weighed(accept_language), key=lambda item: -item[1]):
        primary = tag.split("-")[0]
        if quality > 0 and primary in LANGUAGES:
            return primary
    return DEFAULT_LANGUAGE


def params_in_query(request: Request, *, reserved: Collection[str]) -> dict[str, str]:
    """The query string less the route's own options: what is left names parameters."""
    return {k: v for k, v in request.query_params.items() if k not in reserved}


SettingsDep = Annotated[Settings, Depends(get_settings)]
LanguageDep = Annotated[Language, Depends(get_language)]
ActivationDep = Annotated[numerics.Activation, Depends(get_activation)]
WorkloadsDep = Annotated[Workloads, Depends(get_workloads)]
