"""Real-browser fixtures: Debian's Chromium driven by Playwright against Django's live server.

Tests skip (loudly) when no Chromium is installed; they never download a browser.
"""

from __future__ import annotations

import base64
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from civharm.accounts.models import User
from civharm.accounts.roles import requires_two_factor
from tests.browser.watch import ConsoleWatch
from tests.web.conftest import PASSWORD, make_user

CHROMIUM = os.environ.get("CIVHARM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
TIMEOUT_MS = 10_000
NO_CHROMIUM = (
    f"!!! BROWSER TESTS SKIPPED: no Chromium at {CHROMIUM}. "
    "Run `bash .ci/browser.sh` (as root it installs Debian's chromium) or set CIVHARM_CHROMIUM."
)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives a real Chromium (tests/browser)")


@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    if not (shutil.which(CHROMIUM) or os.access(CHROMIUM, os.X_OK)):
        pytest.skip(NO_CHROMIUM)
    # The sync API runs an event loop in this thread; Django's ORM refuses to run next to a
    # running loop unless told it is safe (it is: tests and loop never share a connection).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as driver:
            yield driver
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """One Chromium for the package; Playwright gives it a fresh temporary profile."""
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture
def console() -> ConsoleWatch:
    return ConsoleWatch()


@pytest.fixture
def context(browser: Browser, console: ConsoleWatch) -> Iterator[BrowserContext]:
    """A new browser context per test (no shared cookies), in French like a user in Mali."""
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    context.on("page", console.attach)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture
def screenshot() -> Callable[[Page, str], Path]:
    """screenshot(page, "overview") saves test-artifacts/screenshots/overview.png (full page)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page: Page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        # caret="initial": hiding the caret leaves style="" on inputs, which htmx then copies
        # into swapped content, a CSP violation caused by the test rather than the app.
        page.screenshot(path=str(path), full_page=True, caret="initial")
        return path

    return take


def current_code(device: TOTPDevice) -> str:
    """The code an authenticator app would show now for this device."""
    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{code:0{device.digits}d}"


def code_from_secret(secret: str) -> str:
    """The current code for a base32 secret as shown on the set-up page (digits, step 30)."""
    padded = secret + "=" * (-len(secret) % 8)
    return f"{totp(base64.b32decode(padded)):06d}"


def fill_login_form(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("main form button").click()
    page.wait_for_load_state()


@pytest.fixture
def log_in(live_server: object) -> Callable[[Page, str], User]:
    """log_in(page, role): a new user of that role logs in through the form (and, where the role
    needs it, types the current code of a confirmed authenticator)."""
    base_url = live_server.url  # type: ignore[attr-defined]

    def go(page: Page, role: str) -> User:
        user = make_user(role)
        device = None
        if requires_two_factor(role):
            device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
        fill_login_form(page, base_url, user.username)
        if device is not None:
            assert "/accounts/verify/" in page.url, page.url
            page.fill("#id_code", current_code(device))
            page.locator("main form button").click()
            page.wait_for_load_state()
        return user

    return go
