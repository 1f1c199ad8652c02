"""Episode rules, stereo geometry on an exact rig, and the recording config's checks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from framewise.config.loader import parse_config
from framewise.core.errors import ConfigError
from framewise.record.calibration import Intrinsics, StereoCalibration
from framewise.record.config import RecordConfig
from framewise.record.episodes import Closed, EpisodeTracker, Opened
from framewise.record.stereo import StereoGeometry
from framewise.synth.stereo import PitchSpec, StereoRig, fly_pitch


def test_an_episode_opens_after_min_active_and_closes_after_the_gap() -> None:
    tracker = EpisodeTracker(min_active=3, end_gap=2)
    pattern = [False, True, True, False, True, False, False, True, False, False]
    events = [tracker.update(float(t), a) for t, a in enumerate(pattern)]
    # Opened at the third active frame, dated from the first; closed at the last active one
    # (4) once two inactive frames followed; the lone frame 7 never opens an episode.
    assert events[4] == Opened(1.0)
    assert events[6] == Closed(1.0, 4.0)
    assert [e for e in events if e is not None] == [Opened(1.0), Closed(1.0, 4.0)]
    assert tracker.close() is None


def test_a_run_too_short_is_forgotten_after_the_gap() -> None:
    tracker = EpisodeTracker(min_active=2, end_gap=2)
    seq = [(0.0, True), (0.1, False), (0.2, False), (0.3, True), (0.4, True)]
    events = [tracker.update(t, a) for t, a in seq]
    assert events[-1] == Opened(0.3)  # not 0.0: the first hit was discarded by the gap
    assert tracker.close() == Closed(0.3, 0.4)


def _exact(rig: StereoRig) -> StereoCalibration:
    left, right = rig.cameras
    intr = [Intrinsics(c.name, c.matrix, c.distortion, c.width, c.height) for c in (left, right)]
    return StereoCalibration(intr[0], intr[1], right.rotation, right.translation)


def test_triangulation_recovers_the_true_path_through_distortion() -> None:
    rig = StereoRig.default()
    geometry = StereoGeometry(_exact(rig))
    flight = fly_pitch(PitchSpec(speed_mps=33.0, x_m=0.4, y_m=-0.8, target_y_m=0.2))
    points = flight.points[::50]
    left, right = rig.left.project(points), rig.right.project(points)
    for truth, pl, pr in zip(points, left, right, strict=True):
        found = geometry.triangulate((pl[0], pl[1]), (pr[0], pr[1]))
        assert np.linalg.norm(np.array(found.xyz_m) - truth) < 1e-4
        assert found.epipolar_px < 0.01
        assert found.quality > 0.99
    assert abs(geometry.calibration.baseline_m - 0.8) < 1e-9


def test_a_wrong_match_fails_the_epipolar_check() -> None:
    rig = StereoRig.default()
    geometry = StereoGeometry(_exact(rig))
    point = np.array([[0.4, -0.5, 12.0]])
    pl, pr = rig.left.project(point)[0], rig.right.project(point)[0]
    assert geometry.epipolar_px((pl[0], pl[1]), (pr[0], pr[1] + 25.0)) > 20.0
    # The same left ray at another depth lands on the epipolar line: it passes the check
    # (only triangulation tells the depths apart).
    far = rig.right.project(point * (16.0 / 12.0))[0]
    assert geometry.epipolar_px((pl[0], pl[1]), (far[0], far[1])) < 0.01
    assert abs(geometry.triangulate((pl[0], pl[1]), (far[0], far[1])).xyz_m[2] - 16.0) < 1e-3


def test_drag_slows_the_ball_and_gravity_drops_it() -> None:
    flight = fly_pitch(PitchSpec(speed_mps=35.0, x_m=0.4, y_m=-0.8, target_y_m=0.2))
    speeds = np.linalg.norm(np.diff(flight.points, axis=0), axis=1) / np.diff(flight.times)
    assert speeds[-1] < speeds[0] - 1.0  # ~5 % slower after 16 m of air
    assert flight.points[-1, 1] > 0.2  # drag makes it drop below the drag-free aim


def test_recording_config_reads_the_seed_keys(tmp_path: Path) -> None:
    text = (
        "recording:\n  pre_roll_ms: 250\n  post_roll_ms: 400\n  output_dir: out\n"
        "  session_min_active_frames: 4\n  session_end_gap_frames: 8\n"
        "  save_detections: true\n  save_observations: false\n"
        "  save_training_frames: true\n  frame_save_interval: 3\n"
        "cameras:\n  left:\n    roi:\n      lane_gate_polygon: [[0, 0], [10, 0], [10, 10]]\n"
    )
    config = parse_config(text, RecordConfig, source="rec.yaml")
    assert config.recording.pre_roll_ms == 250
    assert config.recording.frame_save_interval == 3
    assert config.camera("left").roi.lane_gate_polygon == [(0, 0), (10, 0), (10, 10)]
    assert config.camera("right").time_offset_ms == 0.0


def test_a_misspelt_recording_key_names_its_line() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config("recording:\n  pre_rol_ms: 250\n", RecordConfig, source="rec.yaml")
    assert "rec.yaml:2" in str(caught.value)
    assert "pre_roll_ms" in str(caught.value)
