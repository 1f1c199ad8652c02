"""Boxes drawn on events a reviewer added: the API, the page's draw mode, and the export.

An added event is a false negative of the model; the boxes drawn on its frame (video pixels)
are what ``framewise export`` turns into labels for the next model.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import onnx
import pytest

from framewise.datasets.collect import ExportSettings, collect
from framewise.profiles import profile_dir
from framewise.review import ReviewServer, open_review
from tests.integration.review.browser import Reviewer, launch, open_page
from tests.integration.review.conftest import CLIP_FPS, CLIP_SECONDS, ReviewFiles
from tests.unit.datasets.journal_kit import write_journal

if TYPE_CHECKING:
    from playwright.sync_api import Browser

WIDTH, HEIGHT = 320, 180
"""The shared clip's frame size (conftest's ``make_clip``)."""

HUD = (8.0, 150.0, 120.0, 175.0)
"""Where the model journaled a ``hud`` box on every sampled frame."""

BOSS_AT = 14.0
"""The one journaled frame that also shows a ``boss``."""


def _journal_beside(log: Path) -> None:
    """The run's detection journal: a hud at 10 fps, and a boss on one frame."""
    frames: list[tuple[float, list[Any]]] = []
    for i in range(round(CLIP_SECONDS * 10)):
        seconds = i / 10
        found: list[Any] = [("hud", 0.9, HUD)]
        if seconds == BOSS_AT:
            found.append(("boss", 0.71, (200.0, 40.0, 260.0, 120.0)))
        frames.append((seconds, found))
    write_journal(log.parent, frames, fps=CLIP_FPS)


@pytest.fixture
def boxed(files: ReviewFiles) -> Iterator[ReviewServer]:
    """The review app for the sample log, with a journal beside it."""
    _journal_beside(files.log)
    session, settings = open_review(files.log)
    with ReviewServer(session, settings, port=0) as running:
        yield running


def _client(server: ReviewServer) -> httpx.Client:
    return httpx.Client(base_url=server.url, timeout=10)


def _boxes(files: ReviewFiles, event_id: str) -> Any:
    event = files.event(event_id)
    assert event is not None
    return event.get("boxes")


# ---- API ----------------------------------------------------------------------------------


def test_boxes_of_an_added_event_land_on_disk_and_undo(
    boxed: ReviewServer, files: ReviewFiles
) -> None:
    drawn = [{"label": "boss", "xyxy": [12.5, 20, 96.25, 88.125]}]
    with _client(boxed) as http:
        added = http.post(
            "/api/events", json={"type": "kill", "video_offset_seconds": 11.1, "boxes": drawn}
        )
        assert added.status_code == 201
        assert added.json()["changed"] == ["rev_00001"]
        assert _boxes(files, "rev_00001") == [
            {"label": "boss", "xyxy": [12.5, 20.0, 96.25, 88.12]}  # a hundredth of a pixel
        ]
        # Replace the set (a patch of an added event), then remove it.
        two = [{"label": " hud ", "xyxy": [0, 0, 320, 180]}, drawn[0]]
        replaced = http.patch("/api/events/rev_00001", json={"boxes": two, "type": "kill"})
        assert replaced.status_code == 200
        on_disk = files.event("rev_00001")
        assert on_disk is not None
        assert [b["label"] for b in on_disk["boxes"]] == ["hud", "boss"]
        assert on_disk["original"] is None  # an added event has no model values to keep
        assert http.patch("/api/events/rev_00001", json={"boxes": []}).status_code == 200
        assert "boxes" not in (files.event("rev_00001") or {"boxes": 1})
        # Undo takes back one change at a time: the removal, the replacement, the addition.
        assert http.post("/api/undo").json()["undo_depth"] == 2
        assert [b["label"] for b in _boxes(files, "rev_00001")] == ["hud", "boss"]
        http.post("/api/undo")
        assert [b["label"] for b in _boxes(files, "rev_00001")] == ["boss"]
        http.post("/api/undo")
        assert files.event("rev_00001") is None
        # Other patches of an added event keep its boxes.
        http.post("/api/events", json={"type": "kill", "video_offset_seconds": 2, "boxes": drawn})
        http.patch("/api/events/rev_00001", json={"data": {"weapon": "M4A1"}})
    assert _boxes(files, "rev_00001") == [{"label": "boss", "xyxy": [12.5, 20.0, 96.25, 88.12]}]


@pytest.mark.parametrize(
    ("boxes", "says"),
    [
        ([{"label": "boss", "xyxy": [50, 10, 40, 20]}], "x2 must be greater than x1"),
        ([{"label": "boss", "xyxy": [10, 30, 40, 30]}], "y2 greater than y1"),
        ([{"label": "", "xyxy": [1, 2, 3, 4]}], "at least 1 character"),
        ([{"label": "   ", "xyxy": [1, 2, 3, 4]}], "needs a class name"),
        ([{"label": "boss", "xyxy": [1, 2, 3]}], "at least 4 items"),
        ([{"label": "boss", "xyxy": [1, 2, 3, 4, 5]}], "at most 4 items"),
        ([{"label": "boss", "xyxy": [1, 2, "x", 4]}], "valid number"),
        ([{"label": "boss", "xyxy": [1, 2, 3, 4], "score": 1}], "Extra inputs"),
        ([{"label": "boss", "xyxy": [10, 10, 400, 100]}], "outside the 320×180 video"),
        ([{"label": "boss", "xyxy": [-5, 10, 40, 100]}], "outside the 320×180 video"),
    ],
)
def test_bad_boxes_are_refused(
    boxed: ReviewServer, files: ReviewFiles, boxes: list[dict[str, Any]], says: str
) -> None:
    before = files.log.read_bytes()
    body = {"type": "kill", "video_offset_seconds": 4.0, "boxes": boxes}
    with _client(boxed) as http:
        refused = http.post("/api/events", json=body)
    assert refused.status_code == 422
    assert says in json.dumps(refused.json()["detail"], ensure_ascii=False)
    assert files.log.read_bytes() == before


def test_non_finite_corners_and_model_events_are_refused(
    boxed: ReviewServer, files: ReviewFiles
) -> None:
    before = files.log.read_bytes()
    good = [{"label": "boss", "xyxy": [1, 2, 30, 40]}]
    with _client(boxed) as http:
        # Python's JSON reader takes NaN and Infinity: they must not reach the log.
        raw = '{"type": "kill", "video_offset_seconds": 4, "boxes": '
        nan = http.post(
            "/api/events",
            content=raw + '[{"label": "boss", "xyxy": [1, 2, NaN, 40]}]}',
            headers={"Content-Type": "application/json"},
        )
        infinite = http.post(
            "/api/events",
            content=raw + '[{"label": "boss", "xyxy": [1, 2, 30, Infinity]}]}',
            headers={"Content-Type": "application/json"},
        )
        # A model event's frame is labelled with the model's own boxes: drawing is refused.
        model = http.patch("/api/events/evt_00002", json={"boxes": good})
    assert nan.status_code == infinite.status_code == 422
    assert "finite" in json.dumps(nan.json()["detail"])
    assert model.status_code == 422
    assert "only on events a reviewer added" in model.json()["detail"]
    assert files.log.read_bytes() == before


def test_meta_lists_the_model_classes_and_journaled_boxes(
    boxed: ReviewServer, files: ReviewFiles, tmp_path: Path
) -> None:
    with _client(boxed) as http:
        meta = http.get("/api/meta").json()
        near_boss = http.get("/api/journal-boxes", params={"seconds": BOSS_AT + 0.04}).json()
        past_end = http.get("/api/journal-boxes", params={"seconds": 500}).json()
        negative = http.get("/api/journal-boxes", params={"seconds": -1})
    assert meta["box_labels"] == ["boss", "hud"]  # the journal's classes
    assert (meta["video_width"], meta["video_height"]) == (WIDTH, HEIGHT)
    assert near_boss["seconds"] == BOSS_AT
    assert [(b["label"], b["xyxy"]) for b in near_boss["boxes"]] == [
        ("hud", list(HUD)),
        ("boss", [200.0, 40.0, 260.0, 120.0]),
    ]
    assert near_boss["boxes"][1]["confidence"] == pytest.approx(0.71, abs=1e-3)
    assert past_end == {"seconds": None, "boxes": []}
    assert negative.status_code == 422

    # A log written by the tarkov profile's pipeline offers its model's classes first, in the
    # model's order (read here from the ONNX file's own metadata).
    data = files.read()
    data["metadata"]["pipeline"] = "tarkov"
    data["events"][0]["boxes"] = []  # a model event's stray field is ignored
    folder = tmp_path / "tarkov-run"
    folder.mkdir()
    log = folder / "events.json"
    log.write_text(json.dumps(data), encoding="utf-8")
    _journal_beside(log)
    model = onnx.load(str(profile_dir("tarkov") / "model" / "yolo11n_tarkov.onnx"))
    names = ast.literal_eval({p.key: p.value for p in model.metadata_props}["names"])
    expected = [names[i] for i in sorted(names)]
    session, settings = open_review(log, video=files.video)
    with ReviewServer(session, settings, port=0) as running, _client(running) as http:
        labels = http.get("/api/meta").json()["box_labels"]
        again = http.get("/api/meta").json()["box_labels"]
    assert labels[: len(expected)] == expected
    assert labels[len(expected) :] == ["boss", "hud"]  # journal classes the model lacks
    assert again == labels


# ---- browser ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Chromium (the system package), shared by this module's tests."""
    yield from launch()


def _picture(reviewer: Reviewer) -> tuple[float, float, float, float]:
    """Screen rectangle (left, top, width, height) of the picture inside the player element,
    computed here independently of the page's code: object-fit contain letterboxes it."""
    box = reviewer.page.locator("#player").bounding_box()
    assert box is not None
    vw, vh = reviewer.player("videoWidth"), reviewer.player("videoHeight")
    scale = min(box["width"] / vw, box["height"] / vh)
    width, height = vw * scale, vh * scale
    return (
        box["x"] + (box["width"] - width) / 2,
        box["y"] + (box["height"] - height) / 2,
        width,
        height,
    )


def _drag(reviewer: Reviewer, xyxy: tuple[float, float, float, float]) -> None:
    """Drag over the video from one video-pixel corner to the other."""
    left, top, width, height = _picture(reviewer)
    x1, y1, x2, y2 = (
        left + xyxy[0] / WIDTH * width,
        top + xyxy[1] / HEIGHT * height,
        left + xyxy[2] / WIDTH * width,
        top + xyxy[3] / HEIGHT * height,
    )
    mouse = reviewer.page.mouse
    mouse.move(x1, y1)
    mouse.down()
    mouse.move((x1 + x2) / 2, (y1 + y2) / 2, steps=3)
    mouse.move(x2, y2, steps=3)
    mouse.up()


def _close(found: list[float], wanted: tuple[float, ...], pixels: float = 3.0) -> bool:
    return all(abs(a - b) <= pixels for a, b in zip(found, wanted, strict=True))


def test_drawn_boxes_reach_the_log_and_the_export(
    browser: Browser, boxed: ReviewServer, files: ReviewFiles, tmp_path: Path
) -> None:
    first, second = (40.0, 30.0, 200.0, 150.0), (250.0, 20.0, 310.0, 170.0)
    with open_page(browser, boxed) as reviewer:
        page = reviewer.page
        # Add a missed kill at 11 s: the model's event at 10 s, one second on, n.
        page.click(".event[data-id=evt_00005]")
        reviewer.wait_time(10.0)
        reviewer.press("Shift+ArrowRight")
        at = reviewer.wait_time(11.0)
        reviewer.press("n")
        page.wait_for_selector(".event.new input[name=type]:focus")
        reviewer.type("kill")
        reviewer.press("Tab", "Enter")  # Tab shows a kill's fields; Enter adds it
        reviewer.saved(1)
        assert reviewer.current() == "rev_00001"
        # b: draw mode on it; the model's boxes of that frame are shown dashed.
        reviewer.press("b")
        page.wait_for_selector("#box-bar:not([hidden])")
        page.wait_for_selector(".dbox.model[data-label=hud]")
        _drag(reviewer, first)
        page.wait_for_selector(".dbox.drawn.chosen")
        page.select_option("#box-label", "boss")  # the class of the box just drawn
        reviewer.press("Enter")
        reviewer.saved(2)
        (box,) = _boxes(files, "rev_00001")
        assert box["label"] == "boss"
        assert _close(box["xyxy"], first), box
        assert page.is_hidden("#box-bar")
        assert "1 box" in page.inner_text(".event[data-id=rev_00001] .flags")

        # A short, wide window letterboxes the picture: saved boxes are drawn where they were
        # drawn, new drags map back to video pixels, × deletes a box, Esc/Enter as in help.
        page.set_viewport_size({"width": 1440, "height": 420})
        reviewer.press("b")
        page.wait_for_selector(".box-layer.drawing .dbox.drawn")
        left, top, width, height = _picture(reviewer)
        assert width < page.locator("#player").bounding_box()["width"] - 50  # type: ignore[index]
        shown = page.locator(".dbox.drawn").bounding_box()
        assert shown is not None
        on_screen = (
            (shown["x"] - left) / width * WIDTH,
            (shown["y"] - top) / height * HEIGHT,
            (shown["x"] + shown["width"] - left) / width * WIDTH,
            (shown["y"] + shown["height"] - top) / height * HEIGHT,
        )
        assert _close(list(on_screen), first, pixels=4.0), on_screen
        _drag(reviewer, second)
        assert page.locator(".dbox.drawn").count() == 2
        assert page.input_value("#box-label") == "boss"  # the last class used comes first
        page.select_option("#box-label", "hud")
        _drag(reviewer, (100.0, 100.0, 140.0, 140.0))
        assert page.locator(".dbox.drawn").count() == 3
        page.click(".dbox.drawn[data-index='2'] .dbox-del")
        assert page.locator(".dbox.drawn").count() == 2
        reviewer.press("Enter")
        reviewer.saved(3)
        # Esc leaves draw mode without saving.
        reviewer.press("b")
        page.wait_for_selector("#box-bar:not([hidden])")
        _drag(reviewer, (5.0, 5.0, 50.0, 50.0))
        reviewer.press("Escape")
        assert page.is_hidden("#box-bar")
        page.keyboard.press("?")
        assert "draw boxes" in page.inner_text("#help")
    saved = _boxes(files, "rev_00001")
    assert [b["label"] for b in saved] == ["boss", "hud"]
    assert _close(saved[0]["xyxy"], first) and _close(saved[1]["xyxy"], second), saved

    # The real export labels the added event's frame with the drawn boxes (plus the model's
    # boxes that none of them replaces).
    images = tmp_path / "images"
    settings = ExportSettings(negative_share=0.0, val_share=0.0, context_seconds=0.0)
    collected = collect([files.log], images, settings)
    (labelled,) = [i for i in collected.labels.images if i.origin == "reviewer"]
    assert labelled.seconds == pytest.approx(at, abs=1e-3)
    assert (labelled.width, labelled.height) == (WIDTH, HEIGHT)
    assert labelled.image.is_file() and labelled.image.stat().st_size > 1000
    exported = {b.label: (b.x1, b.y1, b.x2, b.y2) for b in labelled.boxes}
    assert set(exported) == {"boss", "hud"}
    assert exported["boss"] == tuple(saved[0]["xyxy"])
    assert {"boss", "hud"} <= set(collected.labels.names)
    assert not [t for t in collected.tasks if t.event_id == "rev_00001"]  # nothing left to label


def test_boxes_drawn_while_adding_are_saved_with_the_event(
    browser: Browser, boxed: ReviewServer, files: ReviewFiles
) -> None:
    with open_page(browser, boxed) as reviewer:
        page = reviewer.page
        page.click(".event[data-id=evt_00007]")
        at = reviewer.wait_time(15.0)
        reviewer.press("b")  # a model event: its frame keeps the model's boxes
        assert "boxes are drawn on events you added" in page.inner_text("#status")
        assert page.is_hidden("#box-bar")
        reviewer.press("n")
        page.wait_for_selector(".event.new input[name=type]:focus")
        reviewer.type("kill")
        page.click(".event.new button.draw-boxes")
        page.wait_for_selector("#box-bar:not([hidden])")
        _drag(reviewer, (60.0, 50.0, 160.0, 130.0))
        page.select_option("#box-label", "boss")
        reviewer.press("Enter")  # the boxes go back to the form: nothing saved yet
        page.wait_for_selector(".event.new button.draw-boxes:text('Draw box (1)')")
        assert files.event("rev_00001") is None
        page.click(".event.new button[type=submit]")
        reviewer.saved(1)
    added = files.event("rev_00001")
    assert added is not None and added["type"] == "kill"
    assert added["video_offset_seconds"] == pytest.approx(at, abs=1e-3)
    (box,) = added["boxes"]
    assert box["label"] == "boss" and _close(box["xyxy"], (60.0, 50.0, 160.0, 130.0)), box
