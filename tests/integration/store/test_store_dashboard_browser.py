"""The store's dashboard in a real browser (Debian's Chromium through Playwright).

The charts are compared by value, never by pixel: what Chart.js was given to draw
(``Chart.getChart``), the table of numbers under each chart and its data attributes, for a
store filled from the known logs of ``known_logs``. The page redraws by itself when a log is
imported while it is open, and an empty store shows what to do instead of empty charts.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.integration.review.browser import launch
from tests.integration.store import known_logs
from tests.integration.store.store_live import LiveServer

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

SCREENSHOT = Path(__file__).resolve().parents[3] / "docs" / "dashboard.png"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Chromium (the system package), shared by this module's tests."""
    yield from launch()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh page; fails the test on a JavaScript error or a console error."""
    # UTC: the date filter reads local days, and the known logs are placed in UTC days.
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, timezone_id="UTC")
    errors: list[str] = []
    try:
        opened = context.new_page()
        opened.on("pageerror", lambda error: errors.append(str(error)))
        opened.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        yield opened
    finally:
        context.close()
    assert errors == []


def chart(page: Page, name: str) -> dict[str, Any]:
    """The labels and each dataset's values Chart.js draws in figure ``chart-<name>``."""
    script = """(name) => {
        const drawn = Chart.getChart(document.querySelector(`#chart-${name} canvas`));
        return {labels: drawn.data.labels, data: drawn.data.datasets.map((d) => d.data)};
    }"""
    result: dict[str, Any] = page.evaluate(script, name)
    return result


def rows(page: Page, name: str) -> list[list[str]]:
    """The table of numbers under a chart."""
    script = """(name) => [...document.querySelectorAll(`#chart-${name} tbody tr`)]
        .map((tr) => [...tr.cells].map((td) => td.textContent))"""
    found: list[list[str]] = page.evaluate(script, name)
    return found


def renders(page: Page) -> int:
    return int(page.get_attribute("body", "data-renders") or 0)


def test_charts_show_the_known_figures_follow_filters_and_new_raids(
    page: Page, tmp_path: Path
) -> None:
    with LiveServer(tmp_path / "store") as server:
        known_logs.import_logs(
            server.url, tmp_path / "logs", [known_logs.session_a(), known_logs.session_b()]
        )
        page.goto(server.url)
        page.wait_for_selector("body[data-ready=true]", state="attached")

        sessions = chart(page, "sessions")
        assert sessions["data"][0] == [6.0, 6.0]  # K/D
        assert sessions["data"][1] == pytest.approx([50.0, 200 / 3])  # survival %
        assert [r[2:] for r in rows(page, "sessions")] == [
            ["4", "2", "12", "2", "6.00", "50%"],
            ["3", "2", "6", "1", "6.00", "66.7%"],
        ]
        maps = chart(page, "maps")
        assert maps["labels"] == [m[0] for m in known_logs.EXPECTED_MAPS]
        assert maps["data"][0] == [m[1] for m in known_logs.EXPECTED_MAPS]  # raids
        assert maps["data"][1] == [100.0, 100.0, 0.0, 0.0]  # survival %
        weapons = chart(page, "weapons")
        assert weapons["labels"] == [w[0] for w in known_logs.EXPECTED_WEAPONS]
        assert weapons["data"] == [[3, 3, 1], [6, 3, 2]]  # headshots, other kills
        assert chart(page, "enemies")["labels"] == ["scav", "pmc"]
        share = float(page.get_attribute("#chart-weapons", "data-headshot-share") or "nan")
        assert share == pytest.approx(7 / 18)
        assert "headshots 38.9% (7 of 18 kills)" in page.inner_text("#chart-weapons [data-note]")
        assert page.get_attribute("#chart-durations", "data-count") == "7"
        assert sum(chart(page, "durations")["data"][0]) == 7
        assert [c for c in chart(page, "gaps")["data"][0] if c] == [3, 2]
        assert page.get_attribute("#chart-timeline", "data-session") == "2"
        assert page.get_attribute("#chart-timeline", "data-kills") == "6"
        timeline = chart(page, "timeline")
        assert len(timeline["data"][4]) == 6  # the kill markers
        assert len(rows(page, "timeline")) == known_logs.EXPECTED_TIMELINE_SPANS

        shot = tmp_path / "dashboard.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 50_000
        # The docs' picture (checked in) is rewritten only when asked, so runs leave the tree clean.
        if os.environ.get("FRAMEWISE_UPDATE_SCREENSHOTS") == "1":
            shutil.copyfile(shot, SCREENSHOT)

        before = renders(page)
        page.select_option("#filters select[name=game_mode]", "pvp")
        page.wait_for_function(f"Number(document.body.dataset.renders) > {before}")
        assert chart(page, "sessions")["data"][0] == known_logs.EXPECTED_PVP_KD
        before = renders(page)
        page.fill("#filters input[name=until]", "2026-02-07")  # session A's day, included
        page.wait_for_function(f"Number(document.body.dataset.renders) > {before}")
        assert chart(page, "sessions")["data"][0] == known_logs.EXPECTED_PVP_KD[:1]
        before = renders(page)
        page.fill("#filters input[name=until]", "")
        page.wait_for_function(f"Number(document.body.dataset.renders) > {before}")

        # A log imported while the page is open: it redraws by itself (filters kept), and
        # the cards rendered on the server are swapped in too.
        version = page.get_attribute("body", "data-version")
        known_logs.import_logs(server.url, tmp_path / "more", [known_logs.session_c()])
        page.wait_for_function(
            f"document.body.dataset.version !== '{version}'"
            " && window.dashboard.charts.sessions.data.labels.length === 3",
            timeout=20_000,
        )
        assert page.input_value("#filters select[name=game_mode]") == "pvp"
        assert len(chart(page, "sessions")["data"][0]) == 3
        all_time = page.locator(".card", has_text="All time").first.locator("dd").first
        assert all_time.inner_text() == "9"


def test_an_empty_store_says_what_to_do(page: Page, tmp_path: Path) -> None:
    with LiveServer(tmp_path / "store") as server:
        page.goto(server.url)
        page.wait_for_selector("body[data-ready=true]", state="attached")
        assert page.is_visible("#empty") and not page.is_visible("#chart-grid")
        text = page.inner_text("#empty")
        assert "No raids yet" in text
        assert f"framewise import events/ --api {server.url}" in text
