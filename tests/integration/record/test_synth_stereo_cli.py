"""``framewise synth stereo`` renders the W1 rig; ``synth-stereo`` is the same command."""

from __future__ import annotations

from pathlib import Path

import pytest

from framewise.cli.main import main

RIG = ["--pitches", "1", "--size", "320x180", "--fps", "30", "--poses", "4", "--seed", "2"]


def test_synth_stereo_is_synth_stereos_subcommand(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["synth", "stereo", "--out", str(tmp_path / "a"), *RIG]) == 0
    assert main(["synth-stereo", "--out", str(tmp_path / "b"), *RIG]) == 0
    for name in ("truth.json", "rec.yaml"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    for name in ("left.mp4", "right.mp4", "calibration_left.mp4"):
        assert (tmp_path / "a" / name).stat().st_size > 0
    capsys.readouterr()
    # synth's own options before the subcommand would be dropped: refused in one line, exit 2.
    assert main(["synth", "--minutes", "3", "stereo", "--out", str(tmp_path / "c")]) == 2
    assert "--minutes belong to `framewise synth` itself" in capsys.readouterr().err
    assert not (tmp_path / "c").exists()
