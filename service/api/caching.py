"""Strong ETags and conditional GETs, for responses that are a function of their request."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from starlette.requests import Request
from starlette.responses import Response

__all__ = ["cacheable", "etag_of"]


def etag_of(body: bytes) -> str:
    """A strong entity tag: the same bytes give the same tag, on every instance and version."""
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def cacheable(
    request: Request,
    body: bytes,
    media_type: str,
    *,
    max_age: int,
    vary: str,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """``body`` with its ETag and Cache-Control, or 304 when If-None-Match names that ETag."""
    tag = etag_of(body)
    all_headers = {
        "ETag": tag,
        "Cache-Control": f"public, max-age={max_age}",
        "Vary": vary,
        **(headers or {}),
    }
    if _matches(request.headers.get("if-none-match"), tag):
        return Response(status_code=304, headers=all_headers)
    return Response(body, media_type=media_type, headers=all_headers)


def _matches(if_none_match: str | None, tag: str) -> bool:
    # RFC 9110 13.1.2: If-None-Match compares weakly, so W/"x" matches "x"; "*" matches any.
    if not if_none_match:
        return False
    candidates = [c.strip() for c in if_none_match.split(",")]
    return "*" in candidates or tag in (c.removeprefix("W/") for c in candidates)
