"""The review API against a real server on 127.0.0.1: every change lands on disk at once."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import cv2
import httpx
import numpy as np
import pytest

from framewise.core.errors import ConfigError, InputNotFoundError
from framewise.core.frames import Image
from framewise.events.log import read_event_log
from framewise.review import ReviewServer, open_review
from framewise.testing.clips import Stamp, read_stamp
from tests.integration.review.conftest import START, ReviewFiles


def _client(server: ReviewServer) -> httpx.Client:
    return httpx.Client(base_url=server.url, timeout=10)


def _no_temp_files(folder: Path) -> None:
    assert not [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]


def test_get_log_and_meta(server: ReviewServer, files: ReviewFiles) -> None:
    with _client(server) as http:
        log = http.get("/api/log").json()
        meta = http.get("/api/meta").json()
        spec = http.get("/api/openapi.json").json()
        swagger = http.get("/api/docs")
    assert log == files.read()
    assert meta["threshold"] == 0.8
    assert meta["video_url"] == "/video"
    assert meta["video_name"] == "stream.mkv"
    assert meta["fps"] == pytest.approx(30.0)
    # Built-in vocabulary plus values present in the log.
    assert {"M4A1", "AK-47"} <= set(meta["suggestions"]["weapon"])
    assert "customs" in meta["suggestions"]["map_name"]
    assert meta["fields_by_type"]["kill"][:2] == ["enemy_type", "weapon"]
    assert server.bound_addresses == ["127.0.0.1"]
    assert {"/api/log", "/api/events/{event_id}", "/api/bulk", "/api/undo"} <= set(spec["paths"])
    assert swagger.status_code == 404  # Swagger UI would load its assets from a CDN


def test_edit_keeps_first_original_values(server: ReviewServer, files: ReviewFiles) -> None:
    with _client(server) as http:
        first = http.patch("/api/events/evt_00003", json={"data": {"weapon": "AKM"}})
        second = http.patch(
            "/api/events/evt_00003", json={"type": "kill_assist", "data": {"headshot": None}}
        )
    assert first.status_code == second.status_code == 200
    assert second.json()["changed"] == ["evt_00003"]
    on_disk = files.read()
    event = files.event("evt_00003")
    assert event is not None
    assert on_disk["metadata"]["manually_reviewed"] is True
    assert event["type"] == "kill_assist"
    assert event["data"] == {"enemy_type": "pmc", "weapon": "AKM"}
    assert event["manually_reviewed"] is True
    assert event["approved"] is False
    assert event["original"]["type"] == "kill"
    assert event["original"]["data"]["weapon"] == "AK-47"
    assert event["original"]["data"]["headshot"] is True
    untouched = files.event("evt_00002")
    assert untouched is not None and untouched["manually_reviewed"] is False
    read_event_log(files.log)  # still a valid log
    _no_temp_files(files.log.parent)


def test_delete_moves_event_to_deleted_events(server: ReviewServer, files: ReviewFiles) -> None:
    with _client(server) as http:
        gone = http.delete("/api/events/evt_00004")
        missing = http.delete("/api/events/evt_99999")
    assert gone.status_code == 200
    assert missing.status_code == 404
    assert "evt_99999" in missing.json()["detail"]
    on_disk = files.read()
    assert files.event("evt_00004") is None
    assert len(on_disk["events"]) == 7
    [deleted] = on_disk["deleted_events"]
    assert deleted["event_id"] == "evt_00004"
    assert deleted["manually_reviewed"] is True
    assert deleted["original"]["data"]["weapon"] == "MP5"


def test_add_event_at_a_time(server: ReviewServer, files: ReviewFiles) -> None:
    body = {"type": "kill", "video_offset_seconds": 6.5, "data": {"weapon": "SKS"}}
    with _client(server) as http:
        added = http.post("/api/events", json=body)
        outside = http.post("/api/events", json={**body, "video_offset_seconds": 500.0})
        empty = http.post("/api/events", json={**body, "type": ""})
    assert added.status_code == 201
    assert outside.status_code == 422
    assert "outside the video" in outside.json()["detail"]
    assert empty.status_code == 422
    [new_id] = added.json()["changed"]
    assert new_id == "rev_00001"
    events = files.read()["events"]
    ids = [e["event_id"] for e in events]
    assert ids.index("rev_00001") == ids.index("evt_00003") + 1  # kept in time order
    event = files.event(new_id)
    assert event is not None
    assert event["timestamp"] == "2026-01-15T18:00:06.500Z"
    assert event["frame_number"] == 195
    assert event["added_by_reviewer"] is True
    assert event["approved"] is True
    assert event["original"] is None
    assert read_event_log(files.log).metadata.session_start_time == START
    # Its thumbnail is the frame shown at 6.5 s (frame 195), read back from its stamp.
    assert event["thumbnail"] == "thumbnails/rev_00001.jpg"
    picture = cv2.imread(str(files.log.parent / event["thumbnail"]))
    assert picture is not None
    image: Image = np.asarray(picture, dtype=np.uint8)
    assert read_stamp(image) == Stamp(index=195, millis=6500)


def test_approve_and_bulk(server: ReviewServer, files: ReviewFiles) -> None:
    with _client(server) as http:
        one = http.post("/api/approve", json={"ids": ["evt_00001"]})
        by_ids = http.post("/api/bulk", json={"action": "approve", "ids": ["evt_00002"]})
        by_range = http.post("/api/bulk", json={"action": "delete", "start": 11.0, "end": 16.0})
        both = http.post("/api/bulk", json={"action": "delete", "ids": [], "start": 1, "end": 2})
        backwards = http.post("/api/bulk", json={"action": "approve", "start": 5, "end": 2})
    assert [r.status_code for r in (one, by_ids, by_range)] == [200, 200, 200]
    assert by_range.json()["changed"] == ["evt_00006", "evt_00007"]
    assert both.status_code == backwards.status_code == 422
    approved = {e["event_id"] for e in files.read()["events"] if e["approved"]}
    assert approved == {"evt_00001", "evt_00002"}
    assert files.event("evt_00006") is None and files.event("evt_00007") is None


def test_undo_restores_each_step(server: ReviewServer, files: ReviewFiles) -> None:
    states: list[list[dict[str, Any]]] = [files.read()["events"]]
    with _client(server) as http:
        for method, url, body in (
            ("PATCH", "/api/events/evt_00002", {"data": {"weapon": "AKM"}}),
            ("DELETE", "/api/events/evt_00005", None),
            ("POST", "/api/events", {"type": "kill", "video_offset_seconds": 2.0}),
            ("POST", "/api/bulk", {"action": "approve", "start": 0, "end": 20}),
        ):
            assert http.request(method, url, json=body).status_code in (200, 201)
            states.append(files.read()["events"])
        for expected in reversed(states[:-1]):
            response = http.post("/api/undo")
            assert response.status_code == 200
            assert files.read()["events"] == expected
        assert http.post("/api/undo").status_code == 409
    assert "deleted_events" not in files.read()


def test_changes_from_other_sites_are_refused(server: ReviewServer, files: ReviewFiles) -> None:
    before = files.log.read_bytes()
    with _client(server) as http:
        cross = http.post(
            "/api/approve", json={"ids": ["evt_00001"]}, headers={"Origin": "http://evil.test"}
        )
        rebound = http.get("/api/log", headers={"Host": "evil.test"})
        same = http.post(
            "/api/approve", json={"ids": ["evt_00001"]}, headers={"Origin": server.url.rstrip("/")}
        )
    assert cross.status_code == 403
    assert rebound.status_code == 400
    assert same.status_code == 200
    assert files.log.read_bytes() != before


def test_bad_input_gives_one_line_errors(tmp_path: Path, files: ReviewFiles) -> None:
    with pytest.raises(InputNotFoundError, match="no such event log"):
        open_review(tmp_path / "missing.json")
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid JSON"):
        open_review(broken)
    with pytest.raises(ConfigError, match="threshold"):
        open_review(files.log, threshold=1.5)
    with pytest.raises(InputNotFoundError, match="no such video"):
        open_review(files.log, video=tmp_path / "nope.mkv")


def test_port_in_use_is_a_config_error(server: ReviewServer, files: ReviewFiles) -> None:
    session, settings = open_review(files.log)
    with pytest.raises(ConfigError, match="already in use"):
        ReviewServer(session, settings, port=server.port).start()


def test_log_without_its_video_still_serves(tmp_path: Path, files: ReviewFiles) -> None:
    moved = tmp_path / "moved"
    moved.mkdir()
    log = moved / "events.json"
    text = files.log.read_text(encoding="utf-8").replace(str(files.video), "/nowhere/x.mkv")
    log.write_text(text, encoding="utf-8")
    session, settings = open_review(log)
    assert settings.video is None
    with ReviewServer(session, settings) as server, _client(server) as http:
        assert http.get("/api/meta").json()["video_url"] is None
        assert http.get("/video").status_code == 404
        assert http.get("/").status_code == 200


def test_a_log_rewritten_by_another_program_is_not_overwritten(
    server: ReviewServer, files: ReviewFiles
) -> None:
    with _client(server) as http:
        assert http.post("/api/approve", json={"ids": ["evt_00001"]}).status_code == 200
        theirs = files.read()
        theirs["events"] = theirs["events"][:2]
        files.log.write_text(json.dumps(theirs, indent=1), encoding="utf-8")
        refused = http.post("/api/approve", json={"ids": ["evt_00002"]})
        undo = http.post("/api/undo")
    assert refused.status_code == undo.status_code == 409
    assert "changed on disk" in refused.json()["detail"]
    assert files.read() == theirs
