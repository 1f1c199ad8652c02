"""The review page in a real browser: Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from framewise.review import ReviewServer
from tests.integration.review import browser as browser_helpers
from tests.integration.review.browser import Reviewer, launch, open_page
from tests.integration.review.conftest import ReviewFiles

if TYPE_CHECKING:
    from playwright.sync_api import Browser

SCREENSHOT = Path(__file__).resolve().parents[3] / "docs" / "review.png"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Chromium (the system package), shared by this module's tests."""
    yield from launch()


@pytest.fixture
def reviewer(browser: Browser, server: ReviewServer) -> Iterator[Reviewer]:
    """The review page of a fresh log, loaded, with the video's metadata read."""
    with open_page(browser, server) as person:
        yield person


def test_clicking_an_event_seeks_the_player(reviewer: Reviewer) -> None:
    page = reviewer.page
    assert page.locator(".event").count() == 8
    assert page.get_attribute("#markers", "data-events") == "8"
    assert page.locator(".event.low").count() == 3  # 0.62, 0.41 and 0.75 < 0.8
    page.click(".event[data-id=evt_00004]")
    assert reviewer.wait_time(8.0) == pytest.approx(8.0, abs=0.02)
    assert reviewer.current() == "evt_00004"
    box = page.locator("#markers").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] * 12.5 / 20 + 2, box["y"] + 5)  # the marker at 12.5 s
    assert reviewer.wait_time(12.5) == pytest.approx(12.5, abs=0.02)
    assert reviewer.current() == "evt_00006"


def test_keys_navigate_step_and_play(reviewer: Reviewer, files: ReviewFiles) -> None:
    page = reviewer.page
    assert reviewer.current() == "evt_00001"
    reviewer.press("j", "j")
    assert reviewer.current() == "evt_00003"
    assert reviewer.wait_time(5.5) == pytest.approx(5.5, abs=0.02)
    reviewer.press("k")
    assert reviewer.current() == "evt_00002"
    reviewer.wait_time(3.0)
    reviewer.press("ArrowRight")
    assert reviewer.wait_time(3.0 + 1 / 30) == pytest.approx(3.0 + 1 / 30, abs=0.005)
    reviewer.press("Shift+ArrowRight")
    reviewer.wait_time(4.0 + 1 / 30)
    reviewer.press("Shift+ArrowLeft", "ArrowLeft")
    reviewer.wait_time(3.0)
    # t moves the current event to the player's time.
    reviewer.press("Shift+ArrowRight", "t")
    page.wait_for_function("window.review.saves >= 1 && window.review.pending === 0")
    moved = files.event("evt_00002")
    assert moved is not None and moved["video_offset_seconds"] == pytest.approx(4.0, abs=1e-3)
    assert moved["original"]["video_offset_seconds"] == 3.0
    assert moved["timestamp"] == "2026-01-15T18:00:04Z"
    reviewer.press(" ")
    page.wait_for_function("!document.getElementById('player').paused")
    reviewer.press(" ")
    page.wait_for_function("document.getElementById('player').paused")
    reviewer.press("?")
    assert page.is_visible("#help")
    assert "one frame" in page.inner_text("#help")
    reviewer.press("Escape")
    assert not page.is_visible("#help")
    # The "needs review" order puts the least confident event first.
    page.select_option("#sort", "uncertainty")
    assert page.get_attribute(".event >> nth=0", "data-id") == "evt_00004"
    page.select_option("#filter", "review")
    assert page.locator(".event").count() == 3


def test_keyboard_corrections_land_on_disk(
    reviewer: Reviewer, files: ReviewFiles, record_property: Any, tmp_path: Path
) -> None:
    page = reviewer.page
    # 1. Edit a weapon: evt_00003 read "AK-47", the gun was an AKM.
    reviewer.press("j", "j")
    assert reviewer.current() == "evt_00003"
    reviewer.count()
    reviewer.press("e", "Tab")
    reviewer.type("AKM")
    reviewer.press("Enter")
    edit_keys = reviewer.count()
    reviewer.saved(1)
    edited = files.event("evt_00003")
    assert edited is not None
    assert edited["data"]["weapon"] == "AKM"
    assert edited["data"]["headshot"] is True  # untouched fields keep their JSON type
    assert edited["original"]["data"]["weapon"] == "AK-47"
    assert edited["manually_reviewed"] is True
    assert files.read()["metadata"]["manually_reviewed"] is True

    # 2. Delete a false positive: evt_00004.
    reviewer.press("j")
    assert reviewer.current() == "evt_00004"
    reviewer.count()
    reviewer.press("d")
    delete_keys = reviewer.count()
    reviewer.saved(2)
    assert files.event("evt_00004") is None
    assert [e["event_id"] for e in files.read()["deleted_events"]] == ["evt_00004"]
    assert reviewer.current() == "evt_00005"

    # 3. Add a missed kill 1.1 s after evt_00005 (at 10 s): step there, then n.
    reviewer.wait_time(10.0)
    reviewer.press("Shift+ArrowRight", "ArrowRight", "ArrowRight", "ArrowRight")
    at = reviewer.wait_time(11.1)
    reviewer.count()
    reviewer.press("n")
    page.wait_for_selector(".event.new input[name=type]:focus")
    reviewer.type("kill")
    reviewer.press("Tab")
    reviewer.type("scav")
    reviewer.press("Tab")
    reviewer.type("M4A1")
    reviewer.press("Enter")
    add_keys = reviewer.count()
    reviewer.saved(3)
    added = files.event("rev_00001")
    assert added is not None
    assert added["type"] == "kill"
    assert added["data"] == {"enemy_type": "scav", "weapon": "M4A1"}
    assert added["video_offset_seconds"] == pytest.approx(at, abs=1e-3)
    assert added["added_by_reviewer"] is True

    # 4. Approve the next event, then undo it, then approve it again.
    page.click(".event[data-id=evt_00006]")
    reviewer.count()
    reviewer.press("a")
    reviewer.saved(4)
    approved = files.event("evt_00006")
    assert approved is not None and approved["approved"] is True
    assert reviewer.current() == "evt_00007"  # moved on
    reviewer.press("u")
    reviewer.saved(5)
    undone = files.event("evt_00006")
    assert undone is not None and undone["approved"] is False

    # 5. Bulk: approve the range 14–19 s, typed into the range fields.
    page.fill("#range-start", "0:00:14")
    page.fill("#range-end", "0:00:19")
    page.press("#range-end", "Tab")
    page.click("button[data-bulk=approve][data-target=range]")
    reviewer.saved(6)
    on_disk = {e["event_id"]: e for e in files.read()["events"]}
    assert on_disk["evt_00007"]["approved"] and on_disk["evt_00008"]["approved"]
    assert not on_disk["evt_00006"]["approved"], {
        k: (e["approved"], e["video_offset_seconds"]) for k, e in on_disk.items()
    }

    # The cost of each correction in keys (README figure), navigation excluded.
    record_property("keys_edit_weapon", edit_keys)
    record_property("keys_delete", delete_keys)
    record_property("keys_add_kill", add_keys)
    assert (edit_keys, delete_keys) == (6, 1)  # e Tab A K M Enter / d
    assert add_keys == 1 + 4 + 1 + 4 + 1 + 4 + 1  # n kill Tab scav Tab M4A1 Enter

    page.click(".event[data-id=evt_00003]")
    reviewer.wait_time(5.5)
    shot = tmp_path / "review.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000
    # The docs' picture (checked in) is rewritten only when asked, so runs leave the tree clean.
    if os.environ.get("FRAMEWISE_UPDATE_SCREENSHOTS") == "1":
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, SCREENSHOT)


def test_bulk_selection_and_timeline_range(reviewer: Reviewer, files: ReviewFiles) -> None:
    page = reviewer.page
    # Select two events with x, delete both with D, then undo.
    reviewer.press("j", "x", "j", "j", "x")
    assert page.inner_text("#selected-count") == "2"
    reviewer.press("D")
    reviewer.saved(1)
    assert files.event("evt_00002") is None and files.event("evt_00004") is None
    reviewer.press("u")
    reviewer.saved(2)
    assert files.event("evt_00002") is not None and files.event("evt_00004") is not None
    # Drag on the timeline from 4 s to 9 s chooses the range; approve it.
    box = page.locator("#timeline").bounding_box()
    assert box is not None
    y = box["y"] + box["height"] - 5
    page.mouse.move(box["x"] + box["width"] * 4 / 20, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 6 / 20, y, steps=4)
    page.mouse.move(box["x"] + box["width"] * 9 / 20, y, steps=4)
    page.mouse.up()
    assert page.input_value("#range-start").startswith("0:00:04")
    assert page.input_value("#range-end").startswith("0:00:0")
    page.click("button[data-bulk=approve][data-target=range]")
    reviewer.saved(3)
    approved = sorted(e["event_id"] for e in files.read()["events"] if e["approved"])
    assert approved == ["evt_00003", "evt_00004"]


def test_missing_chromium_fails_under_ci(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(browser_helpers, "CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI must have it"):
        next(launch())
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception):
        next(launch())
