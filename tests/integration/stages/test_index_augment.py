"""Stage 0 (index, zips with passwords, unreadable flagged) and stage 1 (augment) on real clips."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from framewise.pipeline.stages import load_pipeline, read_rows, run_pipeline
from framewise.pipeline.stages.video_io import iter_frames
from tests.integration.stages.conftest import PASSWORD


def _pipeline(folder: Path, video_set: Path, extra: str = "") -> Path:
    path = folder / "w4.yaml"
    path.write_text(
        f"root: {folder / 'out'}\nseed: 3\nstages:\n"
        f"  - kind: index\n    videos: {video_set / 'videos'}\n"
        f"    labels: {video_set / 'labels.csv'}\n    password_env: W4_TEST_PASSWORD\n"
        "  - kind: augment\n    count: 3\n"
        "    kinds: [flip, noise, reverse, frame_drop]\n" + extra
    )
    return path


def test_index_probes_extracts_and_flags(
    tmp_path: Path, video_set: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("W4_TEST_PASSWORD", PASSWORD)
    spec = load_pipeline(_pipeline(tmp_path, video_set))
    summary = run_pipeline(spec, only_stage=0)[0]
    assert (summary.rows, summary.failed) == (5, 0)
    rows = {row["key"]: row for row in read_rows(tmp_path / "out" / "00_index")}
    assert set(rows) == {"broken.mp4", "fake_c.mp4", "pack.zip!d.mp4", "real/a.mp4", "real/b.mp4"}
    assert rows["broken.mp4"]["readable"] is False and rows["broken.mp4"]["problem"]
    zipped = rows["pack.zip!d.mp4"]
    assert zipped["readable"] and (zipped["width"], zipped["height"]) == (96, 64)
    assert (tmp_path / "out" / zipped["path"]).is_file()
    assert rows["real/a.mp4"]["fps"] == 10 and rows["real/a.mp4"]["codec"] == "h264"
    assert rows["fake_c.mp4"]["group"] == "a" and rows["fake_c.mp4"]["label"] == "fake"


def test_a_wrong_password_fails_only_that_row(
    tmp_path: Path, video_set: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("W4_TEST_PASSWORD", "wrong")
    summary = run_pipeline(load_pipeline(_pipeline(tmp_path, video_set)), only_stage=0)[0]
    assert (summary.rows, summary.failed) == (4, 1)
    assert "pack.zip!d.mp4" in summary.errors[0] and "password" in summary.errors[0]


def test_augment_writes_seeded_clips_with_their_params(
    tmp_path: Path, video_set: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("W4_TEST_PASSWORD", PASSWORD)
    summaries = run_pipeline(load_pipeline(_pipeline(tmp_path, video_set)))
    assert (summaries[1].rows, summaries[1].failed) == (16, 1)  # 4 videos × 4; broken fails
    rows = {row["key"]: row for row in read_rows(tmp_path / "out" / "01_augment")}
    assert rows["broken.mp4"]["error"].startswith("broken.mp4: not readable at index")
    copies = [r for r in rows.values() if not r["error"] and r["augmentation"] != "none"]
    assert {row["augmentation"] for row in copies} <= {"flip", "noise", "reverse", "frame_drop"}
    by_kind = {row["augmentation"]: row for row in copies if row["original"] == "real/a.mp4"}
    assert len(by_kind) == 3  # three copies of one video take three different kinds
    for kind, row in by_kind.items():
        assert row["group"] == "a" and row["label"] == "real"
        frames = list(iter_frames(tmp_path / "out" / row["path"]))
        params = json.loads(row["aug_params"])
        if kind == "frame_drop":
            assert len(frames) == 10 - 10 // params["every"]
        else:
            assert len(frames) == 10
    other = tmp_path / "again"
    other.mkdir()
    run_pipeline(load_pipeline(_pipeline(other, video_set)))
    again = {row["key"]: row for row in read_rows(other / "out" / "01_augment")}
    assert {k: r["aug_params"] for k, r in again.items()} == {
        k: r["aug_params"] for k, r in rows.items()
    }
