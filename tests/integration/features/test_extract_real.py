"""Feature extraction with the real MediaPipe models on real videos with (and without) people."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from framewise.core.errors import ConfigError, InputError
from framewise.datasets.task_extract import ExtractSettings, extract_folder, extract_video
from framewise.datasets.task_labels import TaskLabels
from framewise.datasets.task_table import read_feature_table, table_params

pytest.importorskip("mediapipe")
pytest.importorskip("pyarrow")
SIGNER = "intel-sample-videos/asl_gestures_walk.mkv"
NOBODY = "pyscenedetect/counter.mp4"
LABELS = Path(__file__).resolve().parents[3] / "docs" / "task-labels"


def test_signer_features_with_labels_by_time(real_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "asl.parquet"
    labels = TaskLabels.read(LABELS / "asl_gestures_walk.csv")
    settings = ExtractSettings(detector="pose", sample_fps=5.0)
    result = extract_video(real_data / SIGNER, out, settings, labels)
    assert result.frames == 16 and result.with_person == 16 and result.labelled == 16
    table = read_feature_table(out)
    rows = table.to_pylist()
    assert [r["t"] for r in rows][:3] == pytest.approx([0.0, 0.2, 0.4])
    assert rows[0]["label"] == "idle" and rows[5]["label"] == "work" and rows[-1]["label"] == "idle"
    assert len(rows[0]["pose_landmarks"]) == 33 and set(rows[0]["pose_landmarks"][0]) == {
        "x",
        "y",
        "z",
        "visibility",
    }
    assert rows[0]["right_hand_speed"] is None and rows[1]["right_hand_speed"] is not None
    assert all(0 <= r["right_elbow_angle"] <= 180 for r in rows)
    assert rows[0]["wall_time"].tzinfo is not None
    assert table_params(out)["sample_fps"] == 5.0
    assert not list(tmp_path.glob(".*partial"))


def test_hands_detector_fills_hand_landmarks(real_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "hands.parquet"
    extract_video(real_data / SIGNER, out, ExtractSettings(detector="hands", sample_rate=6))
    rows = read_feature_table(out).to_pylist()
    assert [r["frame_index"] for r in rows] == list(range(0, 90, 6))[: len(rows)]
    found = [r for r in rows if r["left_hand_present"] or r["right_hand_present"]]
    assert found, "the signer's hands are in view"
    hand = found[0]["left_hand_landmarks"] or found[0]["right_hand_landmarks"]
    assert len(hand) == 21 and not any(r["pose_present"] for r in rows)


def test_a_video_with_nobody_is_a_clear_error_and_writes_nothing(
    real_data: Path, tmp_path: Path
) -> None:
    out = tmp_path / "nobody.parquet"
    with pytest.raises(
        InputError, match=r"no person or hand found in any of its \d+ sampled frames"
    ):
        extract_video(real_data / NOBODY, out, ExtractSettings(detector="pose", sample_fps=5.0))
    assert not out.exists() and not list(tmp_path.iterdir())


def test_yolo_without_a_model_says_what_to_give(real_data: Path, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="needs an object model"):
        extract_video(real_data / SIGNER, tmp_path / "x.parquet", ExtractSettings(detector="yolo"))


def test_fusion_runs_pose_and_hands_side_by_side(real_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "both.parquet"
    extract_video(real_data / SIGNER, out, ExtractSettings(detector="fusion", sample_fps=5.0))
    rows = read_feature_table(out).to_pylist()
    assert all(r["pose_present"] for r in rows)
    assert any(r["left_hand_present"] or r["right_hand_present"] for r in rows)
    # The same frames through pose alone give the same pose landmarks (the threads overlap
    # the graphs, they do not change them).
    alone = tmp_path / "pose.parquet"
    extract_video(real_data / SIGNER, alone, ExtractSettings(detector="pose", sample_fps=5.0))
    pose_only = read_feature_table(alone).to_pylist()
    assert [r["pose_landmarks"] for r in rows] == [r["pose_landmarks"] for r in pose_only]


def test_folder_run_resumes_per_video_and_goes_past_a_failure(
    real_data: Path, tmp_path: Path
) -> None:
    videos = tmp_path / "videos"
    videos.mkdir()
    shutil.copy(real_data / SIGNER, videos / "asl_gestures_walk.mkv")
    shutil.copy(real_data / NOBODY, videos / "counter.mp4")
    out = tmp_path / "features"
    settings = ExtractSettings(detector="pose", sample_fps=2.0)
    first = extract_folder(videos, out, settings, LABELS)
    assert [(r.video.name, r.error is None) for r in first] == [
        ("asl_gestures_walk.mkv", True),
        ("counter.mp4", False),
    ]
    written = (out / "asl_gestures_walk.parquet").stat().st_mtime_ns
    again = extract_folder(videos, out, settings, LABELS)
    assert again[0].skipped and (out / "asl_gestures_walk.parquet").stat().st_mtime_ns == written
    with pytest.raises(ConfigError, match="extracted with other settings"):
        extract_video(
            videos / "asl_gestures_walk.mkv",
            out / "asl_gestures_walk.parquet",
            ExtractSettings(detector="pose", sample_fps=3.0),
        )


class StopExtractError(Exception):
    """Stands in for a failure in the run's own work, mid-video."""


def test_a_failure_mid_video_stops_the_stage_threads_and_writes_nothing(
    real_data: Path, tmp_path: Path
) -> None:
    import threading

    before = threading.active_count()
    out = tmp_path / "cut.parquet"

    def fail(seconds: float) -> None:
        if seconds > 1.0:
            raise StopExtractError

    settings = ExtractSettings(detector="fusion", sample_fps=10.0, batch_size=4)
    with pytest.raises(StopExtractError):
        extract_video(real_data / SIGNER, out, settings, on_frame=fail)
    assert not out.exists() and not list(tmp_path.iterdir())
    assert threading.active_count() == before
    # The folder can be used again at once: the same settings give the table.
    assert extract_video(real_data / SIGNER, out, settings).frames > 20
