"""Calibration on the rendered checkerboard recovers the rig, and the CLI checks the baseline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from framewise.cli.main import main
from framewise.record.calibration import Board, calibrate, read_calibration, write_calibration
from framewise.synth.stereo import StereoRig
from framewise.synth.stereo_board import render_calibration

pytestmark = pytest.mark.slow

BASELINE_TOLERANCE_PCT = 0.5
"""Stated accuracy on the rendered board (0.04-0.06 % measured on seeds 0, 3 and 5)."""


def test_calibration_recovers_baseline_intrinsics_and_distortion(
    rig: Path, truth: dict[str, Any], tmp_path: Path
) -> None:
    result = calibrate(
        rig / "calibration_left.mp4",
        rig / "calibration_right.mp4",
        Board(),
        measured_baseline_m=0.8,
    )
    assert result.views == 10
    assert result.baseline_error_pct is not None
    assert result.baseline_error_pct < BASELINE_TOLERANCE_PCT
    assert result.rms_px < 0.3
    assert max(result.left.rms_px, result.right.rms_px) < 0.3
    cameras = {c["name"]: c for c in truth["rig"]["cameras"]}
    for found in (result.left, result.right):
        true = cameras[found.name]
        true_matrix = np.asarray(true["camera_matrix"])
        assert abs(found.matrix[0, 0] - true_matrix[0, 0]) / true_matrix[0, 0] < 0.01
        assert abs(found.matrix[0, 2] - true_matrix[0, 2]) < 5.0
        assert abs(found.distortion[0] - true["distortion"][0]) < 0.02
        assert len(found.distortion) == 5
    true_angle = 1.2
    assert abs(result.convergence_angle_deg - true_angle) < 0.3
    written = write_calibration(tmp_path / "calibration", result)
    assert [p.name for p in written] == [
        "stereo_geometry.json",
        "intrinsics_left.json",
        "intrinsics_right.json",
    ]
    intrinsics = json.loads((tmp_path / "calibration" / "intrinsics_left.json").read_text())
    assert {"fx", "fy", "cx", "cy", "distortion_k1", "distortion_k2"} <= set(intrinsics)
    again = read_calibration(tmp_path / "calibration")
    assert again.baseline_m == pytest.approx(result.baseline_m)
    np.testing.assert_allclose(again.left.distortion, result.left.distortion)


def test_the_cli_refuses_a_calibration_far_from_the_measured_baseline(
    rig: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "calibration"
    args = [
        "calibrate",
        "--camera", f"left={rig / 'calibration_left.mp4'}",
        "--camera", f"right={rig / 'calibration_right.mp4'}",
        "--out", str(out),
    ]  # fmt: skip
    # (test_record's calibration fixture runs the accepted case, --baseline-m 0.8.)
    assert main([*args, "--baseline-m", "0.9"]) == 3
    assert "% off the measured 0.9 m" in capsys.readouterr().err
    assert not out.exists()


def test_a_video_without_the_board_is_one_clear_error(rig: Path, tmp_path: Path) -> None:
    code = main(
        [
            "calibrate",
            "--camera", f"left={rig / 'left.mp4'}",
            "--camera", f"right={rig / 'right.mp4'}",
            "--out", str(tmp_path / "c"),
        ]
    )  # fmt: skip
    assert code == 3


def test_a_charuco_recording_calibrates_through_the_cli(tmp_path: Path) -> None:
    rig = tmp_path / "rig"
    rig.mkdir()
    meta = render_calibration(rig, StereoRig.default(), seed=6, poses=8, charuco=True)
    assert meta["board"] == {"kind": "charuco", "columns": 9, "rows": 6, "square_m": 0.08}
    out = tmp_path / "calibration"
    code = main(
        [
            "calibrate", "--charuco", "--marker-m", "0.06",
            "--camera", f"left={rig / 'calibration_left.mp4'}",
            "--camera", f"right={rig / 'calibration_right.mp4'}",
            "--baseline-m", "0.8", "--out", str(out),
        ]
    )  # fmt: skip
    assert code == 0
    geometry = json.loads((out / "stereo_geometry.json").read_text())
    assert geometry["views_used"] == 8
    assert geometry["baseline_error_pct"] < BASELINE_TOLERANCE_PCT
    assert geometry["rms_reprojection_error_px"] < 0.5
