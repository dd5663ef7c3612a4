"""Fixtures for the browser tests: a real Streamlit server on a free port and headless Debian Chromium.

The server fixture polls ``/_stcore/health`` until the app answers; tests then wait on the app's own state
(``[data-testid=stApp][data-test-script-state=notRunning]``), never on fixed sleeps. The helpers live in
``harness.py`` so ``bench/ui_latency.py`` drives the app the same way.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .harness import (  # noqa: F401 - re-exported for the test modules
    CHROMIUM,
    CHROMIUM_FLAGS,
    IDLE,
    READOUT_OBSERVER,
    ROOT,
    STATE_OBSERVER,
    free_port,
    is_base_path_probe,
    running_server,
    start_server,
    stop_server,
    wait_healthy,
    wait_idle,
)


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in item.nodeid:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> Iterator[str]:
    """A fresh Streamlit server for the session; yields its base URL."""
    with running_server(tmp_path_factory.mktemp("server")) as url:
        yield url


@pytest.fixture
def cold_server(tmp_path) -> Iterator[str]:
    """A second server started for one test, so its very first request is the test's own."""
    with running_server(tmp_path) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}; `make test` installs Debian's chromium package")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield b
        b.close()


def _new_page(browser, **context_args):
    context = browser.new_context(accept_downloads=True, color_scheme="light", **context_args)
    context.set_default_timeout(60_000)
    pg = context.new_page()
    pg.add_init_script(STATE_OBSERVER)
    pg.add_init_script(READOUT_OBSERVER)
    pg.console_errors = []
    pg.ignored_console_errors = []

    def on_console(msg):
        if msg.type != "error":
            return
        known = is_base_path_probe(msg.text, msg.location.get("url", ""))
        (pg.ignored_console_errors if known else pg.console_errors).append(msg.text)

    pg.on("console", on_console)
    pg.on("pageerror", lambda exc: pg.console_errors.append(str(exc)))
    return context, pg


@pytest.fixture
def page(browser):
    """A new 1280x900 page (light theme) that records console errors in ``page.console_errors`` and counts
    script runs (``harness.runs``). Streamlit's own 404s when it looks for its server under a deep-linked page's
    path go to ``page.ignored_console_errors`` instead (see ``harness.BASE_PATH_PROBE``)."""
    context, pg = _new_page(browser, viewport={"width": 1280, "height": 900})
    yield pg
    context.close()


@pytest.fixture
def phone_page(browser):
    """Like ``page``, on a 390x844 touch phone viewport."""
    context, pg = _new_page(browser, viewport={"width": 390, "height": 844}, device_scale_factor=2,
                            is_mobile=True, has_touch=True)
    yield pg
    context.close()
