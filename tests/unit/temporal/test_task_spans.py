"""Task segments from tagged frames: spans, the open span closed at the last frame, order."""

from __future__ import annotations

import pytest

from framewise.config.pipeline import PipelineConfig
from framewise.core.results import FrameOutput
from framewise.temporal.engine import EventEngine
from framewise.temporal.tasks import TaskSpans


def tagged(label: str, confidence: float, *, new: bool, window: float = 2.0) -> FrameOutput:
    """A frame as the task_classifier stage tags it."""
    features = {"task_new": float(new), "task_window_sec": window, "task_confidence": confidence}
    return FrameOutput.empty().with_tags((f"task:{label}", confidence)).with_features(features)


# (seconds, label, confidence, a prediction made on this frame)
FRAMES = [
    (0.0, None, 0.0, False),
    (1.0, None, 0.0, False),
    (2.0, "idle", 0.8, True),
    (2.5, "idle", 0.8, False),
    (3.0, "idle", 0.6, True),
    (3.5, "work", 0.9, True),
    (4.0, "work", 0.7, True),
    (4.5, "work", 0.7, False),
]


def outputs() -> list[tuple[float, FrameOutput]]:
    return [
        (t, FrameOutput.empty() if label is None else tagged(label, c, new=new))
        for t, label, c, new in FRAMES
    ]


def test_spans_close_on_a_new_label_and_at_the_last_frame() -> None:
    spans = TaskSpans()
    records = [r for t, out in outputs() for r in spans.update(t, out)]
    assert [(r.data["label"], r.data["start"], r.data["end"]) for r in records] == [
        ("idle", 0.0, 3.5)
    ]
    assert spans.pending_since() == 3.5 and spans.wanted_seconds() == {3.5}
    first = records[0]
    # the first span starts where its first window started; its thumbnail is its first
    # prediction's frame; the confidence is the mean over its predictions
    assert first.best_seconds == 2.0 and first.data["predictions"] == 2
    assert first.confidence == pytest.approx(0.7) and first.data["mean_confidence"] == 0.7
    last = spans.flush()
    assert [(r.data["label"], r.data["start"], r.data["end"]) for r in last] == [("work", 3.5, 4.5)]
    assert last[0].data["duration_seconds"] == 1.0 and last[0].track_id == 2
    assert spans.pending_since() is None and spans.flush() == []


def test_frames_without_a_prediction_make_nothing() -> None:
    spans = TaskSpans()
    assert spans.update(0.0, FrameOutput.empty()) == []
    assert spans.update(0.5, tagged("idle", 0.9, new=False)) == []
    assert spans.flush() == []


def test_the_engine_runs_the_rule_of_a_task_classifier_stage_in_time_order() -> None:
    config = PipelineConfig.model_validate(
        {
            "detectors": [{"kind": "pose"}, {"kind": "task_classifier", "model": "run"}],
            "filters": [{"kind": "episode", "classes": ["nothing"]}],
        }
    )
    engine = EventEngine.from_config(config)
    assert [type(rule) for rule in engine.frame_rules] == [TaskSpans]
    released = []
    for t, out in outputs():
        released += engine.update(t, out.detections, out)
        # the open span holds nothing back that it could precede, and no more
        assert all(r.seconds <= t for r in released)
    released += engine.flush()
    assert [(r.type, r.seconds) for r in released] == [
        ("task_segment", 0.0),
        ("task_segment", 3.5),
    ]
    # without the whole result (a caller that passes boxes only) the rule sees nothing
    bare = EventEngine.from_config(config)
    assert [r for t, out in outputs() for r in bare.update(t, out.detections)] == []
    assert bare.flush() == []
    without = PipelineConfig.model_validate({"detectors": [{"kind": "pose"}]})
    assert EventEngine.from_config(without).frame_rules == ()
