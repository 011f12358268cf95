"""Headless Chromium (Debian's package) driven by Playwright's Python package.

Nothing downloads a browser: the launch names /usr/bin/chromium. Tests that need it
skip without it, or fail when REQUIRE_SERVICES=1.
"""

import os

import pytest

from tests.conftest import CHROMIUM, chromium_available, skip_or_fail
from tests.programs.conftest import (  # noqa: F401  (shared program fixtures, for the to-do journeys)
    coach_user,
    cohort,
    enrollment,
    lnd,
    program,
    scenario,
    template,
)

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not chromium_available():
        skip_or_fail(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in the test thread; Django
    # refuses ORM calls from such a thread unless told this is deliberate.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def page(browser, live_server, tmp_path):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems = []
    # A CSP violation or a script error shows up as a console error: fail on any.
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    yield page
    artifacts = os.environ.get("E2E_ARTIFACTS")
    if artifacts:
        os.makedirs(artifacts, exist_ok=True)
        page.screenshot(path=os.path.join(artifacts, "last-page.png"), full_page=True)
    context.close()
    assert not problems, f"browser console errors: {problems}"


@pytest.fixture
def sign_in(page):
    def _sign_in(email, password):
        page.goto("/login/")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/")

    return _sign_in
