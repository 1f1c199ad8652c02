"""``framewise synth --degrade``: the picture degrades, the ground truth's events do not."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import av
import numpy as np
import pytest

from framewise.core.errors import ConfigError
from framewise.synth import GroundTruth, RenderSettings, render_session
from framewise.synth.degrade import parse_degradation

SECONDS = 12.0


def render(path: Path, degrade: str, seed: int = 3) -> GroundTruth:
    settings = RenderSettings(
        seconds=SECONDS,
        seed=41,
        width=640,
        height=360,
        fps=10,
        start_in_raid=True,
        degrade=parse_degradation(degrade),
        degrade_seed=seed,
    )
    return render_session(path, settings)


def middle_frame(path: Path) -> np.ndarray:
    with av.open(str(path)) as container:
        frames = [f.to_ndarray(format="bgr24") for f in container.decode(video=0)]
    return frames[len(frames) // 2].astype(np.int16)


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, GroundTruth]:
    path = tmp_path_factory.mktemp("clean") / "clean.mkv"
    return path, render(path, "clean")


def test_every_degradation_keeps_the_events_and_scales_the_boxes(
    clean: tuple[Path, GroundTruth], tmp_path: Path
) -> None:
    spec = "grain,downscale=180,bitrate=300k,blur,gamma,colour,overlay=webcam,overlay=chat"
    path = tmp_path / "worst.mkv"
    truth = render(path, spec)
    clean_truth = clean[1]
    assert truth.events == clean_truth.events
    assert (truth.metadata.width, truth.metadata.height) == (320, 180)
    assert truth.metadata.bitrate == 300_000
    assert truth.metadata.degrade == parse_degradation(spec).label()
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        assert (stream.codec_context.width, stream.codec_context.height) == (320, 180)
    # Boxes are the clean render's, halved (to a pixel of rounding).
    for got, want in zip(truth.elements, clean_truth.elements, strict=True):
        assert got.cls == want.cls and got.fields == want.fields
        for span, whole in zip(got.spans, want.spans, strict=True):
            assert np.abs(np.array(span.box) * 2 - np.array(whole.box)).max() <= 2
    # The picture did change (grain, colour, overlays), and a second seed changes it again.
    again = tmp_path / "again.mkv"
    render(again, spec, seed=4)
    first, second = middle_frame(path), middle_frame(again)
    assert np.abs(first - second).mean() > 2.0


def test_ui_scale_draws_bigger_boxes(clean: tuple[Path, GroundTruth], tmp_path: Path) -> None:
    truth = render(tmp_path / "big.mkv", "ui-scale=1.2")
    assert truth.events == clean[1].events

    def hud_width(t: GroundTruth) -> int:
        box = next(e for e in t.elements if e.cls == "gameplay_hud").spans[0].box
        return box[2] - box[0]

    assert hud_width(truth) == pytest.approx(hud_width(clean[1]) * 1.2, rel=0.08)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("grain=abc", "grain=abc: expected a number"),
        (r"downscale", r"downscale=\?: expected a number from 90"),
        ("bitrate=fast", "bitrate=fast: expected a rate like 2M"),
        ("overlay=logo", "overlay=logo: unknown overlay"),
        ("sepia", "unknown item 'sepia'"),
        ("ui-scale=3", "ui-scale=3: expected a number from 0.8 to 1.25"),
    ],
)
def test_bad_items_are_one_clear_line(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_degradation(text)


def test_cli_refuses_a_bad_degradation_with_exit_2(tmp_path: Path) -> None:
    out = tmp_path / "s.mkv"
    run = subprocess.run(
        [sys.executable, "-m", "framewise", "synth", "--minutes", "0.1", "--out", str(out),
         "--degrade", "grain,downscale=720,wobble"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert run.returncode == 2
    assert "unknown item 'wobble'" in run.stderr and "Traceback" not in run.stderr
    assert not out.exists()
