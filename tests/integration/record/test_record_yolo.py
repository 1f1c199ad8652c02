"""``framewise record`` with a ``yolo_onnx`` ball model instead of the classical detector.

The model is the tests' colour model with its class 0 renamed ``ball``: it scores a frame's
mean red level at one fixed box, so it "sees" a ball at a known place in every frame. That
proves the wiring (config → the pipeline's ``yolo_onnx`` stage → ball observations →
episode files that ``verify-session`` accepts), not accuracy.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from framewise.cli.main import main
from framewise.config.detectors import YoloOnnxConfig
from framewise.record.balls import YoloFinder
from framewise.record.calibration import write_calibration
from framewise.sources.file import FileSource
from framewise.synth.stereo import calibration_of

pytestmark = pytest.mark.slow

# The box in model-input pixels (cx, cy, w, h). A 1280×720 frame letterboxed to 320×320 is
# scaled by 1/4 and padded by 70 rows on top, so in the frame it is centred at (640, 360),
# 160 wide and 96 high: a ball of radius 48.
BOX = (160.0, 160.0, 40.0, 24.0)
CENTRE, RADIUS = (640.0, 360.0), 48.0


def _ball_model(path: Path) -> Path:
    onnx = pytest.importorskip("onnx")
    from framewise.testing.models import colour_model

    colour_model(path, boxes=(BOX, (240, 200, 80, 40)))
    model = onnx.load(str(path))
    for entry in model.metadata_props:
        if entry.key == "names":
            entry.value = str({0: "ball", 1: "green"})
    onnx.save(model, str(path))
    return path


def test_a_yolo_ball_model_records_a_session_verify_session_accepts(
    rig: Path, truth: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _ball_model(tmp_path / "ball.onnx")
    calibration = tmp_path / "calibration"
    write_calibration(calibration, calibration_of(truth["rig"]))
    config = {
        "recording": {
            "pre_roll_ms": 100, "post_roll_ms": 100, "session_min_active_frames": 3,
            "save_training_frames": True, "frame_save_interval": 0,
        },
        # Relative to the config file; ``confidence: 0`` keeps the box whatever the frame.
        "detector": {"kind": "yolo_onnx", "model": "ball.onnx", "classes": ["ball"],
                     "confidence": 0.0},
    }  # fmt: skip
    (tmp_path / "rec.yaml").write_text(yaml.safe_dump(config))
    folder = tmp_path / "session-yolo_001"
    code = main(
        [
            "record",
            "--camera", f"left={rig / 'left.mp4'}",
            "--camera", f"right={rig / 'right.mp4'}",
            "--config", str(tmp_path / "rec.yaml"),
            "--calibration", str(calibration),
            "--session", str(folder),
        ]
    )  # fmt: skip
    assert code == 0
    # A ball in every frame: one episode from the third frame set to the files' end.
    episodes = [p for p in sorted(folder.iterdir()) if (p / "manifest.json").is_file()]
    assert [p.name for p in episodes] == ["session-yolo_001-pitch-001"]
    manifest = json.loads((episodes[0] / "manifest.json").read_text())
    assert manifest["closed_by"] == "camera_ended"  # the files end together
    frames = manifest["cameras"]["left"]["frames"]
    assert frames >= truth["frame_count"] - 3
    detections = json.loads((episodes[0] / "detections" / "left_detections.json").read_text())
    assert detections["detection_count"] == frames
    first = detections["detections"][0]
    assert (first["u_px"], first["v_px"]) == pytest.approx(CENTRE, abs=0.5)
    assert first["radius_px"] == pytest.approx(RADIUS, abs=0.5)
    assert 0 < first["confidence"] <= 1
    summary = json.loads((folder / "session.json").read_text())
    assert summary["config"]["detector"]["kind"] == "yolo_onnx"
    capsys.readouterr()
    assert main(["verify-session", str(folder)]) == 0
    assert "session OK: 1 episodes" in capsys.readouterr().out


def test_a_yolo_ball_outside_the_lane_gate_is_dropped(rig: Path, tmp_path: Path) -> None:
    config = YoloOnnxConfig(
        kind="yolo_onnx", model=_ball_model(tmp_path / "ball.onnx"), classes=["ball"],
        confidence=0.0,
    )  # fmt: skip
    with FileSource(rig / "left.mp4") as video:
        frame = next(iter(video.read()))
    around = [(600.0, 320.0), (680.0, 320.0), (680.0, 400.0), (600.0, 400.0)]
    elsewhere = [(0.0, 0.0), (200.0, 0.0), (200.0, 200.0)]
    for gates, expected in (([around], 1), ([elsewhere], 0), ([], 1)):
        finder = YoloFinder(config, gates)
        try:
            assert len(finder.find(frame)) == expected, gates
        finally:
            finder.close()
