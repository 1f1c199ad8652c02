"""The tasks profile: registered, its pipeline, its frame messages and its tally."""

from __future__ import annotations

from datetime import UTC, datetime

from framewise.config.pipeline import load_pipeline
from framewise.core.events import Event
from framewise.core.results import FrameOutput
from framewise.profiles import hooks_for, load_profile
from framewise.profiles.base import FrameMessages
from framewise.profiles.tasks.hooks import TaskHooks

WALL = datetime(2026, 1, 15, 18, 0, tzinfo=UTC)


def frame(label: str, confidence: float, *, new: bool) -> FrameOutput:
    features = {"task_new": float(new), "task_window_sec": 2.0, "task_confidence": confidence}
    return FrameOutput.empty().with_tags((f"task:{label}", confidence)).with_features(features)


def test_the_profile_is_registered_with_its_pipeline() -> None:
    profile = load_profile("tasks")
    assert isinstance(profile.hooks, TaskHooks) and hooks_for("tasks") is profile.hooks
    assert isinstance(profile.hooks, FrameMessages)
    assert not isinstance(hooks_for("tarkov"), FrameMessages)
    assert profile.pipeline is not None
    config = load_pipeline(profile.pipeline)
    assert config.profile == "tasks"
    assert [d.kind for d in config.detectors] == ["pose", "hands", "task_classifier"]
    assert "task_segment" in profile.hooks.event_fields


def test_frame_messages_and_the_tally() -> None:
    hooks = TaskHooks()
    assert hooks.frame_messages(1.0, WALL, FrameOutput.empty()) == []
    made = hooks.frame_messages(2.0, WALL, frame("work", 0.875, new=True))
    assert [m["type"] for m in made] == ["task_prediction", "task_confidence"]
    assert made[0] == {
        "type": "task_prediction",
        "label": "work",
        "confidence": 0.875,
        "t": 2.0,
        "timestamp": WALL.timestamp(),
    }
    held = hooks.frame_messages(2.1, WALL, frame("work", 0.875, new=False))
    assert [m["type"] for m in held] == ["task_confidence"]
    tally = hooks.new_tally()
    for message in made + held:
        tally.add(message)
    segment = Event(
        event_id="evt_00001",
        type="task_segment",
        timestamp=WALL,
        video_offset_seconds=0.0,
        frame_number=0,
        confidence=0.8,
        data={"label": "idle", "start": 0.0, "end": 2.0},
    )
    sent = hooks.message(segment, "task:idle")
    assert sent is not None and sent["type"] == "task_segment"
    assert sent["data"]["label"] == "idle"
    tally.add(sent)
    assert tally.as_dict() == {
        "task": "work",
        "confidence": 0.875,
        "predictions": 1,
        "segments": {"idle": 1},
    }
