"""The OBS overlay in a real browser (Debian's Chromium through Playwright): transparent,
and its numbers follow the WebSocket while a clip is replayed; a page opened later starts
from the session's totals."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from framewise.live.service import LiveService

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Chromium; skipped on a developer's machine without it, failed under CI."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing; CI must have it (run `make tools`)")
        pytest.skip(f"{CHROMIUM} is missing (run `make tools`)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


def shown(page: Page) -> dict[str, str]:
    return {key: page.inner_text(f"#{key}") for key in ("state", "map", "raid-kills", "kd", "link")}


def test_overlay_follows_the_event_stream(browser: Browser, replay_service: LiveService) -> None:
    context = browser.new_context()
    errors: list[str] = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{replay_service.url}/overlay")
        page.wait_for_function("document.getElementById('link').textContent === 'live'")
        assert shown(page) == {
            "state": "–",
            "map": "–",
            "raid-kills": "0",
            "kd": "0 (0/0)",
            "link": "live",
        }
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == "rgba(0, 0, 0, 0)"  # transparent for OBS

        replay_service.start_pipeline()
        page.wait_for_function(
            "document.getElementById('state').textContent === 'killed'", timeout=20_000
        )
        assert shown(page)["kd"] == "1.00 (1/1)"  # one kill, one death so far
        assert replay_service.runner.join(20)
        page.wait_for_function(
            "document.getElementById('kd').textContent === '2.00 (2/1)'", timeout=10_000
        )
        assert shown(page) == {
            "state": "raid",
            "map": "customs",
            "raid-kills": "1",
            "kd": "2.00 (2/1)",
            "link": "live",
        }
        later = context.new_page()  # e.g. OBS reloading the source mid-session
        later.goto(f"{replay_service.url}/overlay")
        later.wait_for_function("document.getElementById('link').textContent === 'live'")
        assert shown(later) == shown(page)
    finally:
        context.close()
    assert errors == []
