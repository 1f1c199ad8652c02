"""MediaPipe Pose and Hands give the landmarks recorded as golden values, on numpy 2.

mediapipe 0.10.21's metadata asks for numpy < 2; the project runs it on numpy 2 (installed
with --no-deps). This test pins what the models return on a real signer's video, decoded by
our own (PyAV) source, to values recorded once: any drift beyond 1e-5 fails.

Record again (after a deliberate model or decoder change) with
``.venv/bin/python tests/integration/features/test_landmark_parity.py``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

GOLDEN = Path(__file__).with_name("landmarks_golden.json")
VIDEO = "intel-sample-videos/asl_gestures_walk.mkv"
FPS = 5.0  # 15 frames of the 3-second clip: the signer with and without a hand found


def _landmarks(video: Path) -> list[dict[str, Any]]:
    from framewise.config.base import FileSourceConfig
    from framewise.config.detectors import HandsConfig, PoseConfig
    from framewise.core.results import FrameOutput
    from framewise.detectors.stages import hands_stage, pose_stage
    from framewise.sources.registry import open_source

    pose = pose_stage(PoseConfig(kind="pose"))
    hands = hands_stage(HandsConfig(kind="hands"))
    frames: list[dict[str, Any]] = []
    source = open_source(FileSourceConfig(detection_fps=FPS), video)
    try:
        for batch in source.read_batches(4):
            empty = [FrameOutput.empty() for _ in batch]
            for frame, out in zip(
                batch, hands.detect(batch, pose.detect(batch, empty)), strict=True
            ):
                d = out.detections
                rows = {"seconds": frame.seconds, "classes": list(d.class_name)}
                for key in ("pose_landmarks", "hand_landmarks"):
                    if key in d.data:
                        values = np.asarray(d.data[key], np.float64)
                        keep = ~np.isnan(values).all(axis=(1, 2))
                        rows[key] = np.round(values[keep], 7).tolist()
                frames.append(rows)
    finally:
        source.close()
        pose.close()
        hands.close()
    return frames


def test_pose_and_hands_landmarks_match_golden(real_data: Path) -> None:
    pytest.importorskip("mediapipe")
    import numpy

    assert int(numpy.__version__.split(".")[0]) >= 2  # the point: numpy 2 runs MediaPipe
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    got = _landmarks(real_data / VIDEO)
    assert [f["seconds"] for f in got] == pytest.approx([f["seconds"] for f in golden["frames"]])
    assert [f["classes"] for f in got] == [f["classes"] for f in golden["frames"]]
    assert any("hand_landmarks" in f for f in got) and all("pose_landmarks" in f for f in got)
    for ours, theirs in zip(got, golden["frames"], strict=True):
        for key in ("pose_landmarks", "hand_landmarks"):
            assert (key in ours) == (key in theirs)
            if key in ours:
                np.testing.assert_allclose(ours[key], theirs[key], rtol=0, atol=1e-5)


if __name__ == "__main__":
    REAL_DATA = Path(__file__).resolve().parents[4] / "shared" / "data" / "real"

    frames = _landmarks(REAL_DATA / VIDEO)
    GOLDEN.write_text(json.dumps({"video": VIDEO, "fps": FPS, "frames": frames}) + "\n")
    print(f"wrote {len(frames)} frames to {GOLDEN}")
