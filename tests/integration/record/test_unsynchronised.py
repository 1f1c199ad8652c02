"""Cameras that do not take their frames at the same instant: paired, interpolated, measured."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from framewise.config.loader import load_config
from framewise.record.config import RecordConfig, StereoSettings
from framewise.record.evaluate import evaluate
from framewise.record.pairing import Camera
from framewise.record.session import Recorder
from framewise.sources.file import FileSource
from framewise.synth.stereo import calibration_of
from framewise.synth.stereo_render import StereoSettings as RigSettings
from framewise.synth.stereo_render import render_stereo

pytestmark = pytest.mark.slow

OFFSET_MS = 12.0
"""The right camera fires 12 ms after the left (a third of a 30 fps frame interval)."""


def _record(rig: Path, folder: Path, interpolate: bool) -> Path:
    config = load_config(rig / "rec.yaml", RecordConfig)
    config = config.model_copy(update={"stereo": StereoSettings(interpolate=interpolate)})
    truth = json.loads((rig / "truth.json").read_text())
    cameras = [
        Camera(name, FileSource(rig / f"{name}.mp4"), config.camera(name).time_offset_ms / 1000)
        for name in ("left", "right")
    ]
    Recorder(config, cameras, calibration_of(truth["rig"]), folder).run()
    return folder


def test_an_offset_camera_is_paired_and_its_ball_moved_to_the_reference_time(
    tmp_path: Path,
) -> None:
    rig = tmp_path / "rig"
    settings = RigSettings(
        seed=4, pitches=2, fps=30, width=640, height=360, calibration_poses=4,
        right_offset_ms=OFFSET_MS,
    )  # fmt: skip
    render_stereo(rig, settings)
    assert load_config(rig / "rec.yaml", RecordConfig).camera("right").time_offset_ms == 12.0
    moved = _record(rig, tmp_path / "session-moved_001", interpolate=True)
    raw = _record(rig, tmp_path / "session-raw_001", interpolate=False)
    summary = json.loads((moved / "session.json").read_text())
    assert summary["pairing_skew_ms"]["max"] == pytest.approx(OFFSET_MS, abs=0.5)
    episode = next(p for p in sorted(moved.iterdir()) if p.name.endswith("pitch-001"))
    observations = json.loads((episode / "observations" / "stereo_observations.json").read_text())
    first = observations["observations"][len(observations["observations"]) // 2]
    assert first["pairing_skew_ms"] == pytest.approx(OFFSET_MS, abs=0.5)
    assert first["interpolated"] is True
    good = evaluate(moved, rig / "truth.json")
    bad = evaluate(raw, rig / "truth.json")
    assert good.matched == 2 and bad.matched == 2
    assert good.rmse_m is not None and bad.rmse_m is not None
    # Taking the other view 12 ms late puts the ball ~40 cm further along its path; moving
    # it back along its image path recovers most of that.
    assert good.rmse_m < 0.5 * bad.rmse_m
    assert good.rmse_m < 0.25
