"""Headless Chromium against a real uvicorn process on 127.0.0.1, driven by Playwright.

Chromium is Debian's package (.ci/run installs it); Playwright drives it by its path, so no
browser is downloaded. Where it is missing the browser tests are skipped, saying why, except
in CI (CI set), where they fail. Each test's screenshots go to build/browser-screenshots/<test name>/,
and every request the page made is checked to have gone to the service and nowhere else.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.server import running_service

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "browser-screenshots"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
_WRITTEN: list[Path] = []


def _missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium, or set CHROMIUM)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[dev]')"
    return None


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _WRITTEN:
        folders = sorted({path.parent for path in _WRITTEN})
        terminalreporter.section("browser screenshots")
        for folder in folders:
            terminalreporter.write_line(f"{folder} ({len(list(folder.glob('*.png')))} files)")


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    # The page asks for float64 curves; the float32 kernels would only compete for the CPU.
    with running_service({"ACTIVATION_SERVICE_COMPILE_AT_STARTUP": "false"}) as url:
        yield url


@pytest.fixture(scope="module")
def api(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=30) as client:
        yield client


# Module-scoped: Playwright's synchronous API runs an event loop on this thread while it is
# open, and the async tests of the modules after this one need it closed.
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    reason = _missing()
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests cannot run in CI: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    try:
        with sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                profile,
                executable_path=CHROMIUM,
                headless=True,
                args=CHROMIUM_FLAGS,
                viewport={"width": 1280, "height": 900},
            )
            try:
                yield context
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


class Tab:
    """A page of the browser, the requests it made, and its screenshots."""

    def __init__(self, page: Any, folder: Path, taken: list[Path]) -> None:
        self.page = page
        self.folder = folder
        self.taken = taken  # shared by the tabs of one test, which number their shots in turn
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.failures: list[str] = []
        self.expected_failures: list[str] = []
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on(
            "response",
            lambda response: (
                self.failures.append(f"{response.status} {response.url}")
                if response.status >= 400
                else None
            ),
        )
        page.on("console", self._console)

    def _console(self, message: Any) -> None:
        # The browser logs each 4xx and 5xx answer too: those are checked as responses.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.errors.append(message.text)

    def expect_failure(self, url_part: str) -> None:
        """Answers >= 400 from URLs containing ``url_part`` are what the test asked for."""
        self.expected_failures.append(url_part)

    def shot(self, name: str) -> None:
        """A screenshot of the whole page, numbered in the order the test takes them."""
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{len(self.taken) + 1:02d}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        self.taken.append(path)
        _WRITTEN.append(path)


@pytest.fixture
def open_tab(
    browser: Any, base_url: str, request: pytest.FixtureRequest
) -> Iterator[Callable[..., Tab]]:
    """Opens pages at a path of the service, at a width; checks where their requests went."""
    folder = SCREENSHOTS / re.sub(r"[^\w.-]+", "_", request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    tabs: list[Tab] = []
    taken: list[Path] = []

    def open_(path: str, *, width: int = 1280, height: int = 900) -> Tab:
        page = browser.new_page()
        page.set_viewport_size({"width": width, "height": height})
        tab = Tab(page, folder, taken)
        tabs.append(tab)
        page.goto(base_url + path)
        page.wait_for_selector("body[data-ready]")
        return tab

    yield open_
    service = urlsplit(base_url).netloc
    try:
        for tab in tabs:
            elsewhere = [url for url in tab.requests if urlsplit(url).netloc != service]
            assert tab.requests, "the page made no request at all"
            assert not elsewhere, f"requests to other hosts: {elsewhere}"
            assert not tab.errors, f"errors in the page: {tab.errors}"
            unexpected = [
                f for f in tab.failures if not any(part in f for part in tab.expected_failures)
            ]
            assert not unexpected, f"failed requests: {unexpected}"
    finally:
        for tab in tabs:
            tab.page.close()
