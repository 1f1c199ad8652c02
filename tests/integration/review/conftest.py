"""Review tests: a real H.264 MKV clip, a log of events over it with thumbnails, a live server.

Videos converted for the browser go into a fresh cache folder for each test (never the
user's own ``~/.cache``), so each test that serves the clip sees it remuxed, as a first review.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import av
import cv2
import pytest

from framewise.core.events import Event, EventLog, LogMetadata
from framewise.events.log import write_event_log
from framewise.review import ReviewServer, open_review
from framewise.review.cache import CACHE_ENV
from framewise.testing.clips import make_clip

CLIP_SECONDS = 20.0
CLIP_FPS = 30.0
START = datetime(2026, 1, 15, 18, 0, 0, tzinfo=UTC)

# (type, offset s, confidence, data): kills with weapons, a false positive, raid bounds.
EVENTS: tuple[tuple[str, float, float, dict[str, Any]], ...] = (
    ("raid_start", 1.0, 0.95, {"map_name": "customs", "character_type": "pmc", "game_mode": "pve"}),
    ("kill", 3.0, 0.91, {"enemy_type": "scav", "weapon": "AK-74M", "headshot": False}),
    ("kill", 5.5, 0.62, {"enemy_type": "pmc", "weapon": "AK-47", "headshot": True}),
    ("kill", 8.0, 0.41, {"enemy_type": "scav", "weapon": "MP5", "headshot": False}),
    ("state_transition", 10.0, 0.88, {"from_state": "raid", "to_state": "survived"}),
    ("kill", 12.5, 0.75, {"enemy_type": "raider", "weapon": "M4A1", "headshot": False}),
    ("kill", 15.0, 0.97, {"enemy_type": "scav", "weapon": "SVDS", "headshot": True}),
    ("raid_end", 18.0, 0.93, {"outcome": "survived", "extract_location": "ZB-1011"}),
)


@dataclass(frozen=True)
class ReviewFiles:
    """One test's log folder: the log, its thumbnails, and the recording it names."""

    log: Path
    video: Path

    def read(self) -> dict[str, Any]:
        """The log as it is on disk now."""
        data: dict[str, Any] = json.loads(self.log.read_text(encoding="utf-8"))
        return data

    def event(self, event_id: str) -> dict[str, Any] | None:
        """One event from the log on disk, or ``None`` when it is not there."""
        return next((e for e in self.read()["events"] if e["event_id"] == event_id), None)


@pytest.fixture(autouse=True)
def video_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This test's video cache folder (named in the environment, as a user would)."""
    folder = tmp_path_factory.mktemp("video-cache")
    monkeypatch.setenv(CACHE_ENV, str(folder))
    return folder


@pytest.fixture(scope="session")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 20 s H.264 MKV (what OBS records), shared by every review test."""
    folder = tmp_path_factory.mktemp("review-clip")
    info = make_clip(
        folder / "stream.mkv", seconds=CLIP_SECONDS, width=320, height=180, fps=CLIP_FPS
    )
    return info.path


@pytest.fixture(scope="session")
def pictures(clip: Path) -> dict[float, bytes]:
    """JPEG thumbnails of the clip's frames at the events' times, decoded with PyAV."""
    wanted = sorted({offset for _, offset, _, _ in EVENTS})
    found: dict[float, bytes] = {}
    with av.open(str(clip)) as container:
        for frame in container.decode(video=0):
            for offset in wanted:
                if offset not in found and frame.time is not None and frame.time >= offset:
                    image = cv2.resize(frame.to_ndarray(format="bgr24"), (160, 90))
                    ok, jpeg = cv2.imencode(".jpg", image)
                    assert ok
                    found[offset] = jpeg.tobytes()
    assert len(found) == len(wanted)
    return found


def write_log(folder: Path, video: Path, pictures: dict[float, bytes]) -> Path:
    """Write the sample log (and its thumbnails) into ``folder``; returns the log's path."""
    events = []
    (folder / "thumbnails").mkdir(parents=True, exist_ok=True)
    for number, (kind, offset, confidence, data) in enumerate(EVENTS, start=1):
        event_id = f"evt_{number:05d}"
        (folder / "thumbnails" / f"{event_id}.jpg").write_bytes(pictures[offset])
        events.append(
            Event(
                event_id=event_id,
                type=kind,
                timestamp=START + timedelta(seconds=offset),
                video_offset_seconds=offset,
                frame_number=round(offset * CLIP_FPS),
                confidence=confidence,
                data=data,
                thumbnail=f"thumbnails/{event_id}.jpg",
            )
        )
    metadata = LogMetadata(
        video_path=str(video),
        session_start_time=START,
        video_duration_seconds=CLIP_SECONDS,
        total_frames=round(CLIP_SECONDS * CLIP_FPS),
        detection_fps=10,
        model_version="test",
        processed_at=START + timedelta(hours=1),
    )
    log_path = folder / "events.json"
    write_event_log(log_path, EventLog(schema_version=1, metadata=metadata, events=events))
    return log_path


@pytest.fixture
def files(tmp_path: Path, clip: Path, pictures: dict[float, bytes]) -> ReviewFiles:
    """A fresh log folder naming the shared clip."""
    folder = tmp_path / "run"
    folder.mkdir()
    return ReviewFiles(log=write_log(folder, clip, pictures), video=clip)


@pytest.fixture
def server(files: ReviewFiles) -> Iterator[ReviewServer]:
    """The review app for ``files`` on 127.0.0.1 (its MKV remuxed into the video cache)."""
    session, settings = open_review(files.log)
    with ReviewServer(session, settings, port=0) as running:
        yield running
