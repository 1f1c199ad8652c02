"""Task predictions over time: hysteresis, segments, and batch equal to a live-paced replay."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from framewise.datasets.task_extract import ExtractSettings
from framewise.datasets.task_predict import PredictRun, predict_video, write_segments
from framewise.features.task_live import TaskPrediction, TaskPredictor, TaskSegments
from framewise.features.task_model import OnnxTaskModel
from tests.integration.walk import VIDEO

pytest.importorskip("mediapipe")
pytest.importorskip("sklearn")
SIGNER = "intel-sample-videos/asl_gestures_walk.mkv"


@pytest.fixture
def model(walk_model: Path) -> Path:
    """An RF trained on the labelled real video (2 fps pose features, 20 s groups)."""
    return walk_model


def prediction(p: TaskPredictor, seconds: float, probabilities: list[float]) -> TaskPrediction:
    return p._decide(seconds, seconds - 2.0, np.array(probabilities, np.float32))


def test_hysteresis_needs_the_new_label_to_lead_twice(model: Path) -> None:
    predictor = TaskPredictor(OnnxTaskModel.load(model), "ema", alpha=1.0, hold=2)
    classes = predictor.model.card.classes
    first = prediction(predictor, 2.0, [0.9 if c == "work" else 0.05 for c in classes])
    blip = prediction(predictor, 2.5, [0.9 if c == "absent" else 0.05 for c in classes])
    assert first.label == "work" and blip.label == "work" and blip.raw_label == "absent"
    held = prediction(predictor, 3.0, [0.9 if c == "absent" else 0.05 for c in classes])
    assert held.label == "absent"
    segments = TaskSegments()
    closed = [s for p in (first, blip, held) for s in segments.update(p)]
    closed += segments.flush(4.0)
    assert [(s.label, s.start, s.end, s.predictions) for s in closed] == [
        ("work", 0.0, 3.0, 2),
        ("absent", 3.0, 4.0, 1),
    ]


def test_segments_follow_the_labels_and_replay_equals_batch(
    real_data: Path, model: Path, walk_predictions: PredictRun, tmp_path: Path
) -> None:
    settings = ExtractSettings(sample_fps=2.0)
    batch = walk_predictions
    labels = {s.label for s in batch.segments}
    assert {"absent", "work"} <= labels
    work = [s for s in batch.segments if s.label == "work"]
    # The first person works at the table from about 7 s to 18 s (docs/task-labels).
    assert any(s.start < 12 < s.end for s in work)
    assert all(b.start == a.end for a, b in zip(batch.segments, batch.segments[1:], strict=False))
    out = write_segments(tmp_path / "segments.json", batch, real_data / VIDEO)
    assert '"type": "task_segment"' in out.read_text()
    # A live-paced replay of a short clip gives the same predictions as batch.
    short_batch = predict_video(real_data / SIGNER, model, settings)
    replayed = predict_video(real_data / SIGNER, model, settings, replay=True)
    assert short_batch.predictions and replayed.predictions == short_batch.predictions
    assert replayed.segments == short_batch.segments


def test_the_pipeline_stage_tags_frames_as_predict_does(
    real_data: Path, model: Path, walk_predictions: PredictRun
) -> None:
    from framewise.config.base import FileSourceConfig
    from framewise.config.detectors import PoseConfig, TaskClassifierConfig
    from framewise.detectors.task_classifier import task_label
    from framewise.pipeline.chain import build_chain
    from framewise.sources.registry import open_source

    config = TaskClassifierConfig(kind="task_classifier", model=model, hold=2)
    chain = build_chain([PoseConfig(kind="pose"), config])
    source = open_source(FileSourceConfig(detection_fps=2.0), real_data / VIDEO)
    tags: list[tuple[float, str]] = []
    try:
        for batch in source.read_batches(8):
            for frame, out in zip(batch, chain.run(batch), strict=True):
                found = task_label(out)
                if found is not None:
                    tags.append((frame.seconds, found[0]))
                    assert out.feature("task_confidence") == pytest.approx(found[1])
    finally:
        source.close()
        chain.close()
    batch_run = walk_predictions
    # Each prediction's frame carries the label predict_video gave it.
    by_time = dict(tags)
    assert [by_time[p.seconds] for p in batch_run.predictions] == [
        p.label for p in batch_run.predictions
    ]
    assert tags[0][0] == pytest.approx(batch_run.predictions[0].seconds)


def test_the_stage_starts_afresh_on_the_next_video(real_data: Path, model: Path) -> None:
    from framewise.config.base import FileSourceConfig
    from framewise.config.detectors import PoseConfig, TaskClassifierConfig
    from framewise.detectors.task_classifier import task_label
    from framewise.pipeline.chain import build_chain
    from framewise.sources.registry import open_source

    config = TaskClassifierConfig(kind="task_classifier", model=model, hold=2)
    chain = build_chain([PoseConfig(kind="pose"), config])
    passes: list[list[tuple[float, tuple[str, float] | None]]] = []
    try:
        for _ in range(2):  # a pipeline serves many videos in turn: the same one twice here
            source = open_source(FileSourceConfig(detection_fps=4.0), real_data / SIGNER)
            try:
                passes.append(
                    [
                        (frame.seconds, task_label(out))
                        for batch in source.read_batches(4)
                        for frame, out in zip(batch, chain.run(batch), strict=True)
                    ]
                )
            finally:
                source.close()
    finally:
        chain.close()
    first, second = passes
    # No prediction before a whole 2 s window, on either pass; then the same ones.
    assert first[0][1] is None and any(label is not None for _, label in first)
    assert [(t, label is None) for t, label in second] == [(t, label is None) for t, label in first]
    assert [label[0] for _, label in second if label] == [label[0] for _, label in first if label]
