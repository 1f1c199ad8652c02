"""The review queue (``framewise select`` → ``framewise review --queue``): API and browser."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest
import typer
from typer.testing import CliRunner

from framewise.cli.review_commands import register
from framewise.core.errors import ConfigError, InputNotFoundError
from framewise.datasets.select import SelectOptions, select_frames, write_queue
from framewise.events.journal import JournalEntry, JournalWriter
from framewise.events.sinks import JOURNAL_NAME
from framewise.review import ReviewServer, open_review
from tests.integration.review.browser import launch, open_page
from tests.integration.review.conftest import CLIP_SECONDS, ReviewFiles
from tests.unit.datasets.journal_kit import detections, steady, write_session

if TYPE_CHECKING:
    from playwright.sync_api import Browser

UNCERTAIN_AT, RARE_AT = 6.0, 14.0
"""Where the journal beside the sample log holds an uncertain frame and a flickering rare class."""


def _journal_beside(log: Path) -> None:
    writer = JournalWriter(log.parent / JOURNAL_NAME)
    for i in range(round(CLIP_SECONDS * 10)):
        seconds = i / 10
        found = [("hud", 0.6 if seconds == UNCERTAIN_AT else 0.95)]
        if seconds == RARE_AT:
            found.append(("boss", 0.93))
        writer.write(JournalEntry(i * 3, seconds, detections(*found)))
    writer.close()


def _queue(files: ReviewFiles, folder: Path) -> Path:
    """A queue picked by ``select`` from the sample log's journal and one other session."""
    _journal_beside(files.log)
    other = write_session(folder / "other_session", steady("menu", 0.6, 3))
    queue = folder / "queue.json"
    write_queue(queue, select_frames([files.log, other], SelectOptions(budget=10)))
    return queue


@pytest.fixture
def queue_file(files: ReviewFiles, tmp_path: Path) -> Path:
    return _queue(files, tmp_path / "picked")


@pytest.fixture
def queued(files: ReviewFiles, queue_file: Path) -> Iterator[ReviewServer]:
    """The review app for the sample log, with ``--queue``."""
    session, settings = open_review(files.log, queue=queue_file)
    with ReviewServer(session, settings, port=0) as running:
        yield running


def test_api_serves_the_queue_of_the_log_under_review(
    queued: ReviewServer, queue_file: Path
) -> None:
    with httpx.Client(base_url=queued.url, timeout=10) as http:
        meta = http.get("/api/meta").json()
        body = http.get("/api/queue").json()
        # The file comes from the command line only: query parameters change nothing.
        same = http.get("/api/queue", params={"path": "/etc/passwd", "queue": "x.json"}).json()
        foreign = http.get("/api/queue", headers={"Host": "attacker.example"})
        spec = http.get("/api/openapi.json").json()
        write = http.post("/api/queue", json={})
        script = http.get("/static/queue.js")
    assert meta["queue_url"] == "/api/queue"
    in_file = json.loads(queue_file.read_text(encoding="utf-8"))
    assert body["total"] == len(in_file["items"]) == 3  # two of this log, one of the other
    assert body["queue_name"] == "queue.json"
    assert body["options"]["budget"] == 10
    assert [item["seconds"] for item in body["items"]] == [UNCERTAIN_AT, RARE_AT]
    first, second = body["items"]
    assert first["main_reason"] == "uncertainty"
    assert first["classes"] == ["hud"]
    assert first["frame_index"] == 180
    assert second["main_reason"] == "disagreement"
    assert second["classes"] == ["boss", "hud"]
    assert second["reasons"]["rarity"] > 0.9
    mine = [i for i in in_file["items"] if i["session"] == "run"]
    assert [i["score"] for i in body["items"]] == [i["score"] for i in mine]
    assert same == body
    assert foreign.status_code == 400
    assert "/api/queue" in spec["paths"]
    assert write.status_code == 405  # read-only
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")


def test_no_queue_and_broken_queues(
    server: ReviewServer, files: ReviewFiles, tmp_path: Path
) -> None:
    with httpx.Client(base_url=server.url, timeout=10) as http:
        assert http.get("/api/meta").json()["queue_url"] is None
        assert http.get("/api/queue").status_code == 404
    with pytest.raises(InputNotFoundError, match="no such review queue"):
        open_review(files.log, queue=tmp_path / "missing.json")
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid JSON"):
        open_review(files.log, queue=broken)
    with pytest.raises(ConfigError, match="not a valid review queue"):
        open_review(files.log, queue=files.log)  # an event log is not a queue


def test_queue_is_read_again_and_relative_logs_resolve(
    queued: ReviewServer, queue_file: Path, files: ReviewFiles
) -> None:
    payload = json.loads(queue_file.read_text(encoding="utf-8"))
    relative = Path("..") / files.log.parent.name / files.log.name
    assert (queue_file.parent / relative).resolve() == files.log.resolve()
    mine = [item for item in payload["items"] if item["log"] == str(files.log.resolve())]
    payload["items"] = [dict(mine[0], log=str(relative))]
    queue_file.write_text(json.dumps(payload), encoding="utf-8")
    with httpx.Client(base_url=queued.url, timeout=10) as http:
        rewritten = http.get("/api/queue").json()
        queue_file.write_text('{"kind": "something else"}', encoding="utf-8")
        broken = http.get("/api/queue")
    assert [item["seconds"] for item in rewritten["items"]] == [UNCERTAIN_AT]
    assert broken.status_code == 422
    assert "not a valid review queue" in broken.json()["detail"]


def test_review_command_takes_queue_option(files: ReviewFiles, tmp_path: Path) -> None:
    app = typer.Typer()

    @app.callback()
    def _root() -> None:
        pass

    register(app)
    result = CliRunner().invoke(
        app, ["review", str(files.log), "--queue", str(tmp_path / "nope.json"), "--no-browser"]
    )
    assert isinstance(result.exception, InputNotFoundError)
    assert "nope.json" in str(result.exception)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Chromium (the system package), shared by this module's tests."""
    yield from launch()


def test_clicking_a_queue_item_seeks_and_q_walks_the_queue(
    browser: Browser, queued: ReviewServer
) -> None:
    with open_page(browser, queued) as reviewer:
        page = reviewer.page
        assert page.is_visible("#queue-pane")
        items = page.locator(".queue-item")
        assert items.count() == 2
        assert page.get_attribute("#markers", "data-queue") == "2"  # ticks on the timeline
        assert "disagreement" in items.nth(1).inner_text()
        items.nth(1).click()
        assert reviewer.wait_time(RARE_AT) == pytest.approx(RARE_AT, abs=0.02)
        assert page.get_attribute(".queue-item.current", "data-key") == f"420@{RARE_AT}"
        # q: this frame is done; the next one not done (wrapping around) comes up.
        reviewer.press("q")
        assert reviewer.wait_time(UNCERTAIN_AT) == pytest.approx(UNCERTAIN_AT, abs=0.02)
        assert page.locator(".queue-item.done").count() == 1
        assert page.inner_text("#queue-count") == "1/2 done"
        reviewer.press("q")
        page.wait_for_function("document.getElementById('queue-count').textContent === '2/2 done'")
        assert "queue done" in page.inner_text("#status")
        page.locator(".queue-item .queue-done").nth(0).click()  # unmark one
        assert page.inner_text("#queue-count") == "1/2 done"
        # Marks are kept in the browser, per queue and log: they survive a reload.
        page.reload()
        page.wait_for_selector("body[data-ready=true]", state="attached")
        page.wait_for_function("document.getElementById('queue-count').textContent === '1/2 done'")
        page.keyboard.press("?")
        assert "review queue" in page.inner_text("#help")
