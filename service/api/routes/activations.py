"""GET /activations and GET /activations/{name}: the catalog, and everything about one entry."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from service import numerics
from service.api.caching import cacheable
from service.api.dependencies import (
    PARAMS_IN_QUERY,
    ActivationDep,
    LanguageDep,
    SettingsDep,
    params_in_query,
)
from service.api.schemas import ActivationDetail, ActivationList, ActivationSummary
from service.numerics.describe import Language, describe

router = APIRouter(prefix="/activations", tags=["activations"])

JSON_MEDIA_TYPE = "application/json"
NOT_MODIFIED: dict[int | str, dict[str, Any]] = {
    304: {"description": "Not modified: If-None-Match named the current ETag."}
}


@router.get(
    "", operation_id="list_activations", summary="List the activations and their parameters"
)
def list_activations() -> ActivationList:
    return ActivationList(
        activations=[ActivationSummary.of(entry) for entry in numerics.ACTIVATIONS.values()]
    )


@router.get(
    "/{name}",
    operation_id="describe_activation",
    summary="Everything about one activation: measured properties, facts, pros and cons",
    response_model=ActivationDetail,
    responses=NOT_MODIFIED,
    openapi_extra={"parameters": [PARAMS_IN_QUERY]},
)
def describe_activation(
    request: Request, activation: ActivationDep, language: LanguageDep, settings: SettingsDep
) -> Response:
    """Properties are measured for the parameters in the query string (defaults otherwise);
    text fields are in the language of `lang` or Accept-Language (English by default).
    Responses carry a strong ETag; If-None-Match with it gives 304.
    """
    given = params_in_query(request, reserved=("lang",))
    params = activation.resolve_text(given)
    if given:
        body = _detail(activation, params, language)
    else:
        body = _default_detail(activation.name, language)
    return cacheable(
        request,
        body,
        JSON_MEDIA_TYPE,
        max_age=settings.cache_max_age,
        vary="Accept-Language",
        headers={"Content-Language": language},
    )


def _detail(
    activation: numerics.Activation, params: dict[str, numerics.ParamValue], language: Language
) -> bytes:
    detail = ActivationDetail.describe(describe(activation, params, language), language)
    return detail.model_dump_json().encode()


@lru_cache(maxsize=256)
def _default_detail(name: str, language: Language) -> bytes:
    activation = numerics.get(name)
    return _detail(activation, activation.resolve({}), language)
