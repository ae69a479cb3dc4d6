"""No input makes the evaluate operation answer 500: random bodies get 200 or a 4xx problem.

Derandomized, so that CI replays the same 600 requests every run; to explore further, drop
derandomize and raise max_examples by hand (8,000 random ones passed when last tried).
"""

from __future__ import annotations

import asyncio
import io
import json

import httpx
import numpy as np
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from service.config import Settings
from service.main import create_app
from tests.api.conftest import JSON_SCALARS as _SCALARS
from tests.api.conftest import any_json

_APP = create_app(Settings.model_construct(max_elements=1000, max_body_bytes=65_536))
_NAMES = st.sampled_from(["relu", "gelu", "softplus", "elu", "sigmoid", "nope", "a" * 80, "%00"])
_JSON = any_json(max_leaves=30)
_DOCUMENTS = st.fixed_dictionaries(
    {},
    optional={
        "x": _JSON,
        "grad_output": _JSON,
        "params": st.dictionaries(
            st.sampled_from(["alpha", "beta", "threshold", "approximate", "z"]),
            _SCALARS,
            max_size=3,
        ),
        "dtype": st.sampled_from(["float32", "float64", "float16", 3]),
        "outputs": st.lists(st.sampled_from(["value", "gradient", "hessian"]), max_size=3),
        "extra": _SCALARS,
    },
)


def _post(name: str, content: bytes, content_type: str, query: str = "") -> httpx.Response:
    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(app=_APP)
        async with httpx.AsyncClient(transport=transport, base_url="http://fuzz") as client:
            return await client.post(
                f"/api/v1/activations/{name}/evaluate{query}",
                content=content,
                headers={"content-type": content_type},
            )

    return asyncio.run(send())


def _check(response: httpx.Response) -> None:
    assert response.status_code == 200 or 400 <= response.status_code < 500, response.text
    if response.status_code != 200:
        assert response.headers["content-type"] == "application/problem+json"


@settings(
    max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(name=_NAMES, document=_DOCUMENTS | _JSON)
def test_random_json_documents(name: str, document: object) -> None:
    _check(_post(name, json.dumps(document).encode(), "application/json"))


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    name=_NAMES,
    prefix=st.integers(0, 200),
    noise=st.binary(max_size=64),
    query=st.sampled_from(
        [
            "",
            "?alpha=2",
            "?dtype=float32&outputs=gradient",
            "?beta=x",
            "?outputs=value&outputs=gradient",
        ]
    ),
)
# A header whose dict is cut short and padded with NULs: numpy's tokenizer then fails.
@example(name="relu", prefix=118, noise=b"\x00" * 9 + b"(", query="")
def test_damaged_npy_bodies(name: str, prefix: int, noise: bytes, query: str) -> None:
    buffer = io.BytesIO()
    np.save(buffer, np.arange(12, dtype=np.float32).reshape(3, 4))
    content = buffer.getvalue()[:prefix] + noise
    _check(_post(name, content, "application/x-npy", query))
    _check(_post(name, content, "application/x-npz", query))
