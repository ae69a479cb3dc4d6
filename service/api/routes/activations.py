"""GET /activations and GET /activations/{name}: the catalog, and everything about one entry."""

from __future__ import annotations

import functools
from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from service import numerics
from service.api.caching import Memo, Tagged, cacheable, tagged
from service.api.dependencies import (
    PARAMS_IN_QUERY,
    ActivationDep,
    LanguageDep,
    SettingsDep,
    WorkloadsDep,
    params_in_query,
    single_valued,
)
from service.api.schemas import ActivationDetail, ActivationList, ActivationSummary
from service.numerics.describe import Language, describe

router = APIRouter(
    prefix="/activations", tags=["activations"], dependencies=[Depends(single_valued())]
)

JSON_MEDIA_TYPE = "application/json"
NOT_MODIFIED: dict[int | str, dict[str, Any]] = {
    304: {"description": "Not modified: If-None-Match named the current ETag."}
}


@router.get(
    "",
    operation_id="list_activations",
    summary="List the activations and their parameters",
    response_model=ActivationList,
    responses=NOT_MODIFIED,
)
async def list_activations(request: Request, settings: SettingsDep) -> Response:
    """The same for every request to a running service. Responses carry a strong ETag;
    If-None-Match with it gives 304."""
    listing = _listing(tuple(numerics.ACTIVATIONS))
    return cacheable(request, listing, JSON_MEDIA_TYPE, max_age=settings.cache_max_age)


@functools.lru_cache(maxsize=1)
def _listing(names: tuple[str, ...]) -> Tagged:
    """The listing of the catalog that holds ``names``, made once (1.5 ms of pydantic) rather
    than per request."""
    summaries = [ActivationSummary.of(numerics.get(name)) for name in names]
    return tagged(ActivationList(activations=summaries).model_dump_json().encode())


@router.get(
    "/{name}",
    operation_id="describe_activation",
    summary="Everything about one activation: measured properties, facts, pros and cons",
    response_model=ActivationDetail,
    responses=NOT_MODIFIED,
    openapi_extra={"parameters": [PARAMS_IN_QUERY]},
)
async def describe_activation(
    request: Request,
    activation: ActivationDep,
    language: LanguageDep,
    settings: SettingsDep,
    workloads: WorkloadsDep,
) -> Response:
    """Properties are measured for the parameters in the query string (defaults otherwise);
    text fields are in the language of `lang` or Accept-Language (English by default).
    Responses carry a strong ETag; If-None-Match with it gives 304. A formula is described by
    POST /formulas/describe.
    """
    params = activation.resolve_text(params_in_query(request, reserved=("lang",)))
    memo: Memo[tuple[object, ...], Tagged] = request.app.state.memos["describe"]
    detail = await memo.get(
        (activation.name, tuple(params.items()), language),
        lambda: workloads["analyse"].run(
            lambda deadline: tagged(_detail(activation, params, language))
        ),
    )
    return cacheable(
        request,
        detail,
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
