"""The explorer page and its assets over HTTP: caching, versions, types, no other host named.

What the page does in a browser is tested in tests/browser.
"""

from __future__ import annotations

import fnmatch
import re
import tomllib
from pathlib import Path, PurePosixPath
from urllib.parse import urljoin

import httpx
import pytest

from service.api.routes.explorer import ASSETS_PATH, CONTENT_SECURITY_POLICY
from tests.api.conftest import problem

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parents[3]
WEB = ROOT / "service" / "web"
IDENTITY = {"accept-encoding": "identity"}
# Where the page's files name other files: HTML attributes, ES imports, CSS url().
_REFERENCES = {
    ".html": re.compile(r"""(?:src|href)="([^"]+)\""""),
    ".js": re.compile(r"""(?m)^(?:import|export)\s[^;]*?\sfrom\s+"([^"]+)";"""),
    ".css": re.compile(r"""url\(\s*['"]?([^'")]+)"""),
}
_OWN = ("index.html", "explorer.css", "favicon.svg", "js/")


def _references(text: str, suffix: str) -> list[str]:
    pattern = _REFERENCES.get(suffix)
    return pattern.findall(text) if pattern else []


async def _page(client: httpx.AsyncClient) -> tuple[httpx.Response, str]:
    response = await client.get("/explore", headers=IDENTITY)
    assert response.status_code == 200
    (base,) = set(re.findall(rf"{ASSETS_PATH}/[0-9a-f]+", response.text))
    return response, base


async def test_the_page_is_served_at_root_and_explore_and_revalidated(
    client: httpx.AsyncClient,
) -> None:
    root = await client.get("/", headers=IDENTITY)
    explore = await client.get("/explore", headers=IDENTITY)
    assert root.status_code == explore.status_code == 200
    assert root.content == explore.content
    assert root.headers["content-type"] == "text/html; charset=utf-8"
    assert root.headers["cache-control"] == "public, max-age=0"
    assert root.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "{{assets}}" not in root.text
    again = await client.get("/", headers={**IDENTITY, "if-none-match": root.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""


async def test_every_file_the_page_names_is_served_immutable_with_its_type(
    client: httpx.AsyncClient,
) -> None:
    page, base = await _page(client)
    types = {
        ".js": "text/javascript; charset=utf-8",
        ".css": "text/css; charset=utf-8",
        ".svg": "image/svg+xml",
        ".woff2": "font/woff2",
    }
    pending = [urljoin("http://test/explore", ref) for ref in _references(page.text, ".html")]
    seen: set[str] = set()
    while pending:
        url = pending.pop()
        path = httpx.URL(url).path
        if path in seen or not path.startswith(ASSETS_PATH):
            continue
        if path.endswith((".woff", ".ttf")):
            # A fallback after woff2 in an @font-face src list, which a browser never fetches
            # when it reads woff2: the vendored stylesheet's, whose woff2 files are served.
            pending.append(url.rsplit(".", 1)[0] + ".woff2")
            continue
        seen.add(path)
        response = await client.get(path, headers=IDENTITY)
        assert response.status_code == 200, path
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert response.headers["content-type"] == types[PurePosixPath(path).suffix], path
        if path.endswith((".js", ".css")):
            suffix = PurePosixPath(path).suffix
            pending += [urljoin(url, ref) for ref in _references(response.text, suffix)]
    assert {f"{base}/js/main.js", f"{base}/js/views/flow.js", f"{base}/explorer.css"} <= seen
    assert f"{base}/vendor/katex/fonts/KaTeX_Main-Regular.woff2" in seen


def test_the_pages_own_files_name_no_other_host() -> None:
    for path in WEB.rglob("*"):
        relative = path.relative_to(WEB).as_posix()
        if not relative.startswith(_OWN) or path.is_dir():
            continue
        for reference in _references(path.read_text(), path.suffix):
            assert "//" not in reference, f"{relative} names {reference}"


async def test_another_version_or_an_unknown_file_is_404(client: httpx.AsyncClient) -> None:
    _, base = await _page(client)
    assert (await client.get(f"{base}/js/main.js")).status_code == 200
    for path in (
        f"{ASSETS_PATH}/0000000000000000/js/main.js",
        f"{base}/js/nothing.js",
        f"{base}/__init__.py",
        f"{base}/index.html",
        f"{base}/%2e%2e/explorer.css",
        f"{base}/js/%2e%2e/%2e%2e/%2e%2e/%2e%2e/service/config.py",
    ):
        body = problem(await client.get(path), 404)
        assert str(body["type"]).endswith("asset-not-found")


async def test_text_is_gzipped_for_clients_that_accept_it(client: httpx.AsyncClient) -> None:
    _, base = await _page(client)
    plain = await client.get(f"{base}/js/chart.js", headers=IDENTITY)
    zipped = await client.get(f"{base}/js/chart.js", headers={"accept-encoding": "gzip"})
    refused = await client.get(f"{base}/js/chart.js", headers={"accept-encoding": "gzip;q=0"})
    assert "content-encoding" not in plain.headers
    assert "content-encoding" not in refused.headers
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.content == plain.content  # httpx decodes it
    assert int(zipped.headers["content-length"]) < int(plain.headers["content-length"]) / 2
    assert zipped.headers["etag"] != plain.headers["etag"]
    assert plain.headers["vary"] == zipped.headers["vary"] == "Accept-Encoding"
    font = await client.get(
        f"{base}/vendor/katex/fonts/KaTeX_Main-Regular.woff2", headers={"accept-encoding": "gzip"}
    )
    assert "content-encoding" not in font.headers  # woff2 is compressed already


@pytest.mark.parametrize(
    ("accept_encoding", "gzipped"),
    [
        ("gzip", True),
        ("GZIP;Q=0.5", True),
        ("*", True),
        ("*;q=1, gzip;q=0", False),  # gzip by name refused: "*" had been read first
        ("gzip;q=0, *", False),
        ("br, *;q=0.1", True),
        ("identity", False),
        ("gzip;q=2", False),  # no qvalue: passed over
    ],
)
async def test_gzip_is_sent_as_accept_encoding_weighs_it(
    client: httpx.AsyncClient, accept_encoding: str, gzipped: bool
) -> None:
    _, base = await _page(client)
    answer = await client.get(f"{base}/js/chart.js", headers={"accept-encoding": accept_encoding})
    assert (answer.headers.get("content-encoding") == "gzip") == gzipped


async def test_the_page_is_not_an_api_operation(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    assert not [p for p in paths if p == "/" or p.startswith("/explore")]


def test_every_file_of_the_page_is_package_data() -> None:
    """The wheel and the image carry what pyproject.toml declares, and nothing else."""
    with (ROOT / "pyproject.toml").open("rb") as file:
        patterns = tomllib.load(file)["tool"]["setuptools"]["package-data"]["service.web"]
    files = [
        p.relative_to(WEB).as_posix()
        for p in WEB.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".py"
    ]
    assert files
    missing = [f for f in files if not any(fnmatch.fnmatch(f, pattern) for pattern in patterns)]
    assert not missing


@pytest.mark.parametrize("path", ["/", f"{ASSETS_PATH}/x/js/main.js"])
async def test_a_head_request_gets_the_headers(client: httpx.AsyncClient, path: str) -> None:
    if "/x/" in path:
        _, base = await _page(client)
        path = f"{base}/js/main.js"
    response = await client.head(path, headers=IDENTITY)
    assert response.status_code == 200
    assert int(response.headers["content-length"]) > 0
