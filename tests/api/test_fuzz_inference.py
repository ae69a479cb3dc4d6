"""No request makes the inference protocol's infer operation answer 500: random headers, tensors
and binary tails get 200 or a 4xx in the protocol's error shape.

Derandomized, so that CI replays the same requests every run.
"""

from __future__ import annotations

import asyncio
import json

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.config import Settings
from service.main import create_app
from tests.api.conftest import JSON_SCALARS as _SCALARS
from tests.api.conftest import any_json

_APP = create_app(Settings.model_construct(max_elements=1000, max_body_bytes=65_536))
_NAMES = st.sampled_from(["relu", "gelu", "softmax", "swiglu", "nope", "a" * 80])
_JSON = any_json(max_leaves=20)
_TENSORS = st.fixed_dictionaries(
    {
        "name": st.sampled_from(["x", "grad_output", "y"]),
        "shape": st.lists(st.integers(-1, 5), max_size=4),
        "datatype": st.sampled_from(["FP32", "FP64", "INT8", 3]),
    },
    optional={
        "data": _JSON,
        "parameters": st.fixed_dictionaries(
            {}, optional={"binary_data_size": st.integers(-4, 200) | _SCALARS}
        ),
    },
)
_REQUESTS = st.fixed_dictionaries(
    {"inputs": st.lists(_TENSORS, max_size=3)},
    optional={
        "id": _SCALARS,
        "parameters": st.dictionaries(
            st.sampled_from(["approximate", "axis", "outputs", "binary_data_output", "z"]),
            _SCALARS,
            max_size=3,
        ),
        "outputs": st.lists(
            st.fixed_dictionaries(
                {"name": st.sampled_from(["value", "gradient", "second_derivative", "nope"])},
                optional={
                    "parameters": st.dictionaries(st.sampled_from(["binary_data", "q"]), _SCALARS)
                },
            ),
            max_size=3,
        ),
    },
)


def _post(name: str, content: bytes, headers: dict[str, str]) -> httpx.Response:
    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(app=_APP)
        async with httpx.AsyncClient(transport=transport, base_url="http://fuzz") as client:
            return await client.post(f"/v2/models/{name}/infer", content=content, headers=headers)

    return asyncio.run(send())


def _check(response: httpx.Response) -> None:
    assert response.status_code == 200 or 400 <= response.status_code < 500, response.text
    if response.status_code != 200:
        assert list(response.json()) == ["error"]


@settings(
    max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(
    name=_NAMES,
    document=_REQUESTS | _JSON,
    tail=st.binary(max_size=64),
    header=st.sampled_from([None, "json", "0", "-1", "x", "99999"]),
)
def test_random_requests(name: str, document: object, tail: bytes, header: str | None) -> None:
    head = json.dumps(document).encode()  # orjson refuses integers past 64 bits
    headers = {}
    if header is not None:
        headers["Inference-Header-Content-Length"] = str(len(head)) if header == "json" else header
    _check(_post(name, head + (tail if header is not None else b""), headers))
