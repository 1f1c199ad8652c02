"""One small synthetic rig for the recording tests: two pitches at 720p60, a board sequence."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from framewise.synth.stereo_render import StereoSettings, render_stereo


@pytest.fixture(scope="session")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A rendered rig folder (left/right.mp4, calibration_*.mp4, truth.json, rec.yaml)."""
    folder = tmp_path_factory.mktemp("rig")
    render_stereo(folder, StereoSettings(seed=5, pitches=2, calibration_poses=10))
    return folder


@pytest.fixture(scope="session")
def truth(rig: Path) -> dict[str, Any]:
    """The rig's truth.json."""
    data: dict[str, Any] = json.loads((rig / "truth.json").read_text())
    return data
