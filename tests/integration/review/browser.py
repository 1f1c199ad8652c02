"""Driving the review page in a real browser: Debian's Chromium through Playwright.

``make tools`` installs Chromium on a fresh machine; ``playwright install`` cannot download
here, so the system browser is launched by path. Without it the tests skip on a developer's
machine and fail under CI.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from framewise.review import ReviewServer

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = Path("/usr/bin/chromium")
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


def _missing(what: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{what} is missing; CI must have it (run `make tools`)")
    pytest.skip(f"{what} is missing (run `make tools`)")


def launch() -> Iterator[Browser]:
    """Headless Chromium (the system package); skips, or fails under CI, when it is missing."""
    if not CHROMIUM.exists():
        _missing(str(CHROMIUM))
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the playwright Python package (pip install -e '.[dev]')")
        raise
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class Reviewer:
    """The page, plus a count of the keys pressed (the cost of each correction)."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.keys = 0
        self.errors: list[str] = []
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def press(self, *keys: str) -> None:
        for key in keys:
            self.page.keyboard.press(key)
            self.keys += 1

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)
        self.keys += len(text)

    def count(self) -> int:
        """Keys pressed since the last count."""
        used, self.keys = self.keys, 0
        return used

    def saved(self, saves: int) -> None:
        """Wait until the page has had ``saves`` changes answered by the server."""
        self.page.wait_for_function(
            f"window.review.saves >= {saves} && window.review.pending === 0", timeout=10_000
        )

    def current(self) -> str:
        return str(self.page.get_attribute(".event.current", "data-id"))

    def player(self, prop: str) -> Any:
        return self.page.evaluate(f"document.getElementById('player').{prop}")

    def wait_time(self, seconds: float) -> float:
        """Wait until the player has seeked to ``seconds``; returns its ``currentTime``."""
        self.page.wait_for_function(
            "([t]) => { const p = document.getElementById('player');"
            " return !p.seeking && Math.abs(p.currentTime - t) < 0.02; }",
            arg=[seconds],
            timeout=10_000,
        )
        return float(self.player("currentTime"))


@contextlib.contextmanager
def open_page(browser: Browser, server: ReviewServer, *, video: bool = True) -> Iterator[Reviewer]:
    """The review page of ``server``, loaded (and the video's metadata read); on a clean exit,
    fails if the page raised a JavaScript error."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    try:
        page = context.new_page()
        page.goto(server.url)
        page.wait_for_selector("body[data-ready=true]", state="attached")
        if video:
            page.wait_for_function("document.getElementById('player').readyState >= 1")
        person = Reviewer(page)
        yield person
    finally:
        context.close()
    assert person.errors == []
