"""A profile run on footage it was not made for says so; on its own footage it stays quiet.

The Tarkov model scores the game's screens high in nearly every sampled frame of a rendered
session (92 % of frames ≥ 0.7 on a 2-minute one) and finds only low-scored "kill
notifications" in pedestrian footage (0 %), a counter clip or a 1×1 video.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from framewise.config.pipeline import FootageCheckConfig
from framewise.events.log import read_event_log
from framewise.pipeline.check import FootageCheck
from framewise.synth import RenderSettings, render_session

REAL = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "real"


def _process(video: Path, out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "framewise", "process", "--video", str(video),
         "--profile", "tarkov", "--output", str(out)],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip


def _check(out: Path, video: Path) -> dict[str, object]:
    meta = read_event_log(out / video.stem / "events.json").metadata
    figures = getattr(meta, "footage_check", None)
    assert isinstance(figures, dict)
    return figures


@pytest.mark.parametrize(
    "video", ["masa-oa-mot15/TUD-Campus.mp4", "pyscenedetect/counter.mp4"], ids=lambda v: v
)
def test_other_footage_is_called_out(video: str, tmp_path: Path) -> None:
    path = REAL / video
    done = _process(path, tmp_path)
    assert done.returncode == 0, done.stderr  # the run finishes; its events are kept
    assert "does not look like what pipeline 'tarkov' was made for" in done.stderr
    figures = _check(tmp_path, path)
    assert figures["ok"] is False
    assert isinstance(figures["coverage"], float) and figures["coverage"] < 0.5


def test_a_one_pixel_video_is_called_out(tmp_path: Path, ffmpeg: str) -> None:
    video = tmp_path / "dot.mkv"
    subprocess.run(
        [ffmpeg, "-v", "error", "-f", "lavfi", "-i", "color=c=red:s=2x2:r=10:d=3",
         "-vf", "scale=1:1", "-c:v", "ffv1", str(video)],
        check=True, timeout=60,
    )  # fmt: skip
    done = _process(video, tmp_path / "out")
    assert done.returncode == 0, done.stderr
    assert "does not look like" in done.stderr


def test_the_games_own_footage_passes(tmp_path: Path) -> None:
    video = tmp_path / "session.mkv"
    render_session(video, RenderSettings(seconds=30.0, seed=931))
    done = _process(video, tmp_path / "out")
    assert done.returncode == 0, done.stderr
    assert "does not look like" not in done.stderr
    figures = _check(tmp_path / "out", video)
    assert figures["ok"] is True
    assert isinstance(figures["coverage"], float) and figures["coverage"] > 0.8


def test_the_verdict() -> None:
    expect = FootageCheckConfig()
    quiet = FootageCheck.judge(expect, frames=5, covered=0, counts={})
    assert quiet.ok  # too short to judge
    low = FootageCheck.judge(expect, frames=100, covered=10, counts={})
    assert not low.ok and "10% of 100" in low.message
    refused = FootageCheck.judge(
        expect, frames=100, covered=90, counts={"anomaly": 5, "state_transition": 5}
    )
    assert not refused.ok and "refused 5 of 10" in refused.message
    assert refused.as_dict()["anomaly_share"] == 0.5
    fine = FootageCheck.judge(
        expect, frames=100, covered=90, counts={"anomaly": 1, "state_transition": 9}
    )
    assert fine.ok and fine.message == ""
