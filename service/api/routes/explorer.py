"""GET / and /explore: the explorer page; GET /explore/assets/{version}/{path}: its files.

The assets (``service/web``) are served from a directory named by a digest of them all, so that
a browser may keep them for a year without asking again, while the page, which names that
directory, is revalidated on every load (``max-age=0`` and a strong ETag, a 304 most of the
time). A new deployment is then seen at once, and a page never mixes old modules with new
ones: the ES modules import each other by relative URL, which stays inside the directory.
A version other than the current one gets 404 rather than today's files under yesterday's name.

Text assets are compressed once, when first served, and sent gzipped to clients that accept it.
The routes are coroutines: the bundle is read and compressed once (about 30 ms, on the first
request), and after that a request costs a dictionary lookup, less than a worker thread's
hand-over.
"""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import PurePosixPath

from fastapi import APIRouter, Request
from starlette.responses import Response

from service.api.caching import Tagged, cacheable, tagged
from service.api.media_types import weighed
from service.errors import RequestProblem

__all__ = ["ASSETS_PATH", "CONTENT_SECURITY_POLICY", "router"]

router = APIRouter(include_in_schema=False)

ASSETS_PATH = "/explore/assets"
# The page talks to its own origin only; KaTeX writes inline style attributes.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self';"
    " font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none';"
    " frame-ancestors 'none'"
)
_PAGE = "index.html"
_ASSET_BASE = b"{{assets}}"
_YEAR = 365 * 24 * 3600
_MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".woff2": "font/woff2",
    ".md": "text/markdown; charset=utf-8",
    "": "text/plain; charset=utf-8",  # LICENSE
}
_COMPRESSIBLE = (".html", ".css", ".js", ".svg", ".md", "")
_SKIPPED = (".py", ".pyc")


@dataclass(frozen=True, slots=True)
class _Asset:
    body: Tagged
    gzipped: Tagged | None
    media_type: str


@dataclass(frozen=True, slots=True)
class _Bundle:
    version: str
    page: _Asset
    assets: dict[str, _Asset]


@router.api_route("/", methods=["GET", "HEAD"], summary="The explorer page")
@router.api_route("/explore", methods=["GET", "HEAD"], summary="The explorer page")
async def explorer_page(request: Request) -> Response:
    page = _bundle().page
    return _send(
        request, page, max_age=0, headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY}
    )


@router.api_route(
    ASSETS_PATH + "/{version}/{path:path}", methods=["GET", "HEAD"], summary="A file of the page"
)
async def explorer_asset(request: Request, version: str, path: str) -> Response:
    bundle = _bundle()
    asset = bundle.assets.get(path) if version == bundle.version else None
    if asset is None:
        raise RequestProblem(
            404,
            "asset-not-found",
            f"No explorer asset {path!r} in version {version!r} (the current version is"
            f" {bundle.version!r}; reload the page)",
        )
    return _send(
        request,
        asset,
        max_age=_YEAR,
        headers={"Cache-Control": f"public, max-age={_YEAR}, immutable"},
    )


def _send(request: Request, asset: _Asset, *, max_age: int, headers: dict[str, str]) -> Response:
    if asset.gzipped is not None and _accepts_gzip(request.headers.get("accept-encoding", "")):
        content, headers = asset.gzipped, {**headers, "Content-Encoding": "gzip"}
    else:
        content = asset.body
    # Each encoding has its own bytes, hence its own ETag, as RFC 9110 8.8.3 asks.
    return cacheable(
        request,
        content,
        asset.media_type,
        max_age=max_age,
        vary="Accept-Encoding",
        headers=headers,
    )


def _accepts_gzip(accept_encoding: str) -> bool:
    """Whether Accept-Encoding weighs gzip above 0: by its name, else by "*" (RFC 9110
    12.5.3)."""
    codings = dict(weighed(accept_encoding))
    return codings.get("gzip", codings.get("*", 0.0)) > 0


@lru_cache(maxsize=1)
def _bundle() -> _Bundle:
    """The page and its assets, read once from the package."""
    root = files("service.web")
    found = dict(_walk(root, ""))
    page_template = found.pop(_PAGE)
    digest = hashlib.blake2b(digest_size=8)
    for name in sorted(found):
        digest.update(name.encode() + b"\0" + hashlib.blake2b(found[name]).digest())
    version = digest.hexdigest()
    page = page_template.replace(_ASSET_BASE, f"{ASSETS_PATH}/{version}".encode())
    return _Bundle(
        version=version,
        page=_asset(_PAGE, page),
        assets={name: _asset(name, body) for name, body in found.items()},
    )


def _walk(folder: Traversable, prefix: str) -> list[tuple[str, bytes]]:
    found: list[tuple[str, bytes]] = []
    for entry in folder.iterdir():
        if entry.name.startswith((".", "__")) or entry.name.endswith(_SKIPPED):
            continue
        if entry.is_dir():
            found += _walk(entry, f"{prefix}{entry.name}/")
        else:
            found.append((prefix + entry.name, entry.read_bytes()))
    return found


def _asset(name: str, body: bytes) -> _Asset:
    suffix = PurePosixPath(name).suffix
    return _Asset(
        body=tagged(body),
        gzipped=tagged(gzip.compress(body, mtime=0)) if suffix in _COMPRESSIBLE else None,
        media_type=_MEDIA_TYPES.get(suffix, "application/octet-stream"),
    )
