"""``framewise record`` on the synthetic rig: episodes, files, verify-session and eval figures."""

from __future__ import annotations

import itertools
import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from framewise.cli.main import main
from framewise.record.evaluate import evaluate
from framewise.record.verify import verify_session
from framewise.record.video import H264Writer
from framewise.sources.file import FileSource

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def calibration(rig: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cal") / "calibration"
    args = ["calibrate", "--camera", f"left={rig / 'calibration_left.mp4'}"]
    args += ["--camera", f"right={rig / 'calibration_right.mp4'}", "--out", str(out)]
    assert main([*args, "--baseline-m", "0.8"]) == 0
    geometry = json.loads((out / "stereo_geometry.json").read_text())
    assert geometry["baseline_error_pct"] < 0.5
    return out


@pytest.fixture(scope="module")
def session(rig: Path, calibration: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("rec") / "session-test_001"
    code = main(
        [
            "record",
            "--camera", f"left={rig / 'left.mp4'}",
            "--camera", f"right={rig / 'right.mp4'}",
            "--config", str(rig / "rec.yaml"),
            "--calibration", str(calibration),
            "--session", str(folder),
        ]
    )  # fmt: skip
    assert code == 0
    return folder


def test_each_pitch_is_one_episode_with_the_seed_files(
    session: Path, truth: dict[str, Any]
) -> None:
    episodes = sorted(p for p in session.iterdir() if p.is_dir() and p.name != "calibration")
    assert [p.name for p in episodes] == [
        "session-test_001-pitch-001",
        "session-test_001-pitch-002",
    ]
    first = episodes[0]
    for name in ("left.mp4", "right.mp4", "manifest.json"):
        assert (first / name).is_file()
    manifest = json.loads((first / "manifest.json").read_text())
    quality = manifest["performance_metrics"]["detection_quality"]
    timing = manifest["performance_metrics"]["timing_accuracy"]
    # 500 ms of pre-roll at 60 fps, from the ring buffer.
    assert timing["pre_roll_frames_captured"] == 30
    assert manifest["cameras"]["left"]["pre_roll_frames"] == 30
    assert quality["left_camera_detections"] >= 25
    assert quality["stereo_observations"] >= 25
    assert manifest["closed_by"] == "gap"
    # The video spans pre-roll + flight + post-roll (about 0.5 + 0.5 + 0.5 s at 60 fps).
    with FileSource(first / "left.mp4") as video:
        frames = list(video.read())
    assert len(frames) == manifest["cameras"]["left"]["frames"]
    assert 80 <= len(frames) <= 100
    # PTS kept: frame times step by exactly one frame interval.
    steps = {round(b.seconds - a.seconds, 4) for a, b in itertools.pairwise(frames)}
    assert steps == {round(1 / 60, 4)}
    detections = json.loads((first / "detections" / "left_detections.json").read_text())
    assert detections["detection_count"] == len(detections["detections"])
    assert {"frame_index", "timestamp_ns", "u_px", "v_px", "radius_px", "confidence"} <= set(
        detections["detections"][0]
    )
    names = {p.stem for p in (first / "frames" / "left").glob("*.png")}
    assert {"pre_roll_00001", "post_roll_last"} <= names
    assert any(n.endswith("_first") for n in names) and any(n.endswith("_last") for n in names)
    assert "uniform_00005" in names
    calibration_files = {p.name for p in (session / "calibration").glob("*.json")}
    assert calibration_files == {
        "stereo_geometry.json",
        "intrinsics_left.json",
        "intrinsics_right.json",
        "roi_annotations.json",
    }
    summary = json.loads((session / "session.json").read_text())
    assert summary["cameras"]["left"]["frame_retention_pct"] == 100.0
    assert summary["cameras"]["left"]["frames_received"] == truth["frame_count"]


def test_the_session_scores_against_the_truth(session: Path, rig: Path) -> None:
    score = evaluate(session, rig / "truth.json")
    assert score.matched == score.pitches == score.episodes == 2
    assert score.rmse_m is not None and score.rmse_m < 0.10
    assert min(score.recall.values()) >= 0.95
    assert min(score.precision.values()) >= 0.95
    # Episode bounds within two frames of the true release and catch.
    assert max(abs(e) for e in score.start_error_ms + score.end_error_ms) < 2 * 1000 / 60


def test_verify_session_accepts_it_and_names_what_goes_missing(
    session: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert verify_session(session).ok
    assert main(["verify-session", str(session)]) == 0
    assert "session OK: 2 episodes" in capsys.readouterr().out
    broken = tmp_path / "broken"
    shutil.copytree(session, broken)
    episode = next(p for p in sorted(broken.iterdir()) if p.name.endswith("pitch-001"))
    (episode / "detections" / "right_detections.json").unlink()
    assert main(["verify-session", str(broken)]) == 3
    err = capsys.readouterr().err
    assert "right_detections.json: missing" in err


def test_a_camera_that_ends_mid_episode_closes_it_and_keeps_the_finished_one(
    rig: Path, calibration: Path, truth: dict[str, Any], tmp_path: Path
) -> None:
    second = truth["episodes"][1]
    cut = second["start_seconds"] + 0.2  # the right camera dies 0.2 s into the second pitch
    short = tmp_path / "right_short.mp4"
    with FileSource(rig / "right.mp4") as source, H264Writer(short, 1280, 720) as out:
        for frame in source.read():
            if frame.seconds > cut:
                break
            out.write(frame.image, frame.seconds)
    folder = tmp_path / "session-cut_001"
    code = main(
        [
            "record",
            "--camera", f"left={rig / 'left.mp4'}",
            "--camera", f"right={short}",
            "--config", str(rig / "rec.yaml"),
            "--calibration", str(calibration),
            "--session", str(folder),
        ]
    )  # fmt: skip
    assert code == 0
    manifests = [
        json.loads((p / "manifest.json").read_text())
        for p in sorted(folder.iterdir())
        if (p / "manifest.json").is_file()
    ]
    # The rest of the second flight, seen by the left camera alone, is an episode of its own:
    # the session went on with the camera it still had.
    assert [m["closed_by"] for m in manifests] == ["gap", "camera_ended", "gap"]
    assert manifests[0]["cameras_lost"] == []
    assert set(manifests[0]["cameras"]) == {"left", "right"}
    assert manifests[1]["cameras_lost"] == ["right"]
    assert manifests[1]["end_seconds"] <= cut + 0.02
    assert manifests[2]["start_seconds"] > cut
    # The right camera appears there only in the pre-roll (frames from before it ended).
    right = manifests[2]["cameras"].get("right", {"frames": 0, "pre_roll_frames": 0})
    assert right["frames"] == right["pre_roll_frames"]
    assert manifests[2]["cameras"]["left"]["frames"] > right["frames"]
    assert verify_session(folder).ok
    summary = json.loads((folder / "session.json").read_text())
    lost = {c["camera"]: c["reason"] for c in summary["cameras_lost"]}
    assert lost["right"] == "the stream ended"


def test_sessions_export_to_yolo_and_parquet(session: Path, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    out = tmp_path / "balls"
    assert main(["export-session", str(session), "--out", str(out), "--val-every", "2"]) == 0
    images = sorted((out / "images").rglob("*.png"))
    labels = sorted((out / "labels").rglob("*.txt"))
    assert len(images) == len(labels) > 20
    # One episode each side: a flight never lands in both.
    assert {
        p.name.split("_left")[0].split("_right")[0] for p in (out / "images" / "val").iterdir()
    } == {"session-test_001-pitch-002"}
    first = next(p for p in labels if p.stem.endswith("_first"))
    rows = first.read_text().splitlines()
    assert len(rows) == 1
    cls, u, v, w, h = rows[0].split()
    assert cls == "0" and 0 < float(u) < 1 and 0 < float(v) < 1
    assert float(w) > 0 and float(h) > 0
    pre_roll = next(p for p in labels if p.stem.endswith("pre_roll_00001"))
    assert pre_roll.read_text() == ""  # nothing in flight yet
    assert "names:\n  0: ball" in (out / "data.yaml").read_text()
    assert main(["export-session", str(session), "--out", str(out)]) == 2  # no --overwrite
    table_path = tmp_path / "trajectories.parquet"
    assert (
        main(["export-session", str(session), "--out", str(table_path), "--format", "parquet"]) == 0
    )
    table = pq.read_table(table_path)
    summary = json.loads((session / "session.json").read_text())
    assert table.num_rows == summary["stereo_observations"]
    assert set(table.column("episode").to_pylist()) == {
        "session-test_001-pitch-001",
        "session-test_001-pitch-002",
    }
    assert min(table.column("Z_m").to_pylist()) > 1.0


def test_framewise_export_takes_session_folders_as_export_session_does(
    session: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import pyarrow.parquet as pq

    by_export, by_session = tmp_path / "export", tmp_path / "export_session"
    assert main(["export", str(session), "--out", str(by_export), "--val-share", "0.5"]) == 0
    assert "2 episodes: train" in capsys.readouterr().out
    assert main(["export-session", str(session), "--out", str(by_session), "--val-every", "2"]) == 0
    for part in ("images", "labels"):
        files = sorted(p.relative_to(by_export) for p in (by_export / part).rglob("*.*"))
        assert files == sorted(p.relative_to(by_session) for p in (by_session / part).rglob("*.*"))
    label = next((by_export / "labels" / "val").glob("*_first.txt"))
    assert label.read_text() == (by_session / label.relative_to(by_export)).read_text() != ""
    table = tmp_path / "trajectories.parquet"
    assert main(["export", str(session), "--out", str(table), "--format", "parquet"]) == 0
    summary = json.loads((session / "session.json").read_text())
    assert pq.read_table(table).num_rows == summary["stereo_observations"] > 0
    # A format sessions do not export to, or a session mixed with other folders: one line, 2.
    assert main(["export", str(session), "--out", str(tmp_path / "c"), "--format", "coco"]) == 2
    assert "for recorded sessions" in capsys.readouterr().err
    assert main(["export", str(session), str(tmp_path), "--out", str(tmp_path / "d")]) == 2
    assert "cannot be exported together" in capsys.readouterr().err


def test_ctrl_c_closes_the_open_episode_and_writes_the_session(
    rig: Path, calibration: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "session-stop_001"
    command = [sys.executable, "-m", "framewise", "record"]
    command += ["--camera", f"left={rig / 'left.mp4'}", "--camera", f"right={rig / 'right.mp4'}"]
    command += ["--config", str(rig / "rec.yaml"), "--calibration", str(calibration)]
    command += ["--session", str(folder)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        # Wait until an episode is being written (its video has begun), then Ctrl+C.
        while not list(folder.glob(".*.partial/.left.mp4.*.partial")):
            assert time.monotonic() < deadline
            assert process.poll() is None, process.communicate()
            time.sleep(0.01)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, err.decode()
    assert not list(folder.glob(".*.partial"))
    manifests = [json.loads(p.read_text()) for p in sorted(folder.glob("*/manifest.json"))]
    assert manifests and manifests[-1]["closed_by"] == "stopped"
    assert (folder / "session.json").is_file()
    check = verify_session(folder)
    assert check.ok, check.failures
