"""Browser tests: headless Chromium from the OS packages, driven by Playwright for Python.

Playwright is pointed at the system browser (``executable_path``); it never downloads one. Without
a browser the tests skip locally with the reason, and fail under CI (``CI=true``), where ``.ci/run``
installs it. Each scenario saves a screenshot under ``test-output/browser/`` (ignored by git).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import ClaudeService, Service, _start_service, _stop, start_claude_service
from tests.conftest import ROOT

SCREENSHOTS = ROOT / "test-output" / "browser"
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome")


def _unavailable(reason: str) -> None:
    message = f"{reason} (install: apt-get install -y chromium; pip install -r requirements-dev.txt)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser tests cannot run in CI: {message}")
    pytest.skip(f"no browser for the browser tests: {message}")


def chromium_path() -> str | None:
    explicit = os.environ.get("VPR_CHROMIUM")
    if explicit:
        return explicit if Path(explicit).is_file() else None
    return next((found for name in BROWSER_NAMES if (found := shutil.which(name))), None)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed")
    executable = chromium_path()
    if executable is None:
        _unavailable("no Chromium executable on PATH (or VPR_CHROMIUM)")
    with sync_playwright() as playwright:
        # --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start;
        # --disable-dev-shm-usage: containers often have a tiny /dev/shm.
        browser = playwright.chromium.launch(
            executable_path=executable, args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def web_service() -> Iterator[Service]:
    """The service as ``make run`` starts it; Retry-After of 1 s keeps the page's polling short."""
    process, service = _start_service({"VPR_RETRY_AFTER_SECONDS": "1"})
    yield service
    _stop(process)


@pytest.fixture(scope="session")
def web_claude_service() -> Iterator[ClaudeService]:
    """The service writing with Claude (the fake Messages API of ``tests.api.conftest``), no identity."""
    yield from start_claude_service({})


@pytest.fixture
def web_writer(web_claude_service: ClaudeService) -> Iterator[ClaudeService]:
    """``web_claude_service`` for one test: its routing and recorded calls start afresh."""
    web_claude_service.fake.route = None
    web_claude_service.fake.reset()
    yield web_claude_service
    web_claude_service.fake.route = None


@pytest.fixture(scope="session")
def paced_web_service() -> Iterator[Service]:
    """As ``web_service``, with the offline writer paced like a model (each section takes its share of
    20 s: the keywords ~0.3 s, the longest ~5.3 s), so the page shows sections before the report."""
    process, service = _start_service({"VPR_RETRY_AFTER_SECONDS": "1", "VPR_OFFLINE_DELAY_SECONDS": "20"})
    yield service
    _stop(process)


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh browser context; any uncaught script error or CSP violation fails the test."""
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"uncaught: {error}"))
    page.on(
        "console",
        lambda msg: (
            problems.append(f"console: {msg.text}")
            if msg.type == "error" and not msg.text.startswith("Failed to load resource")
            else None
        ),
    )
    yield page
    context.close()
    assert not problems, problems


@pytest.fixture
def screenshot(page: Any, request: pytest.FixtureRequest) -> Any:
    """``screenshot()`` saves the page as test-output/browser/<test name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(suffix: str = "") -> Path:
        path = SCREENSHOTS / f"{request.node.name}{suffix}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
