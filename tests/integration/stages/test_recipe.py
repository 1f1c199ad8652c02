"""The data recipe: originals and manipulated twins, each manipulation and its params recorded."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np

from framewise.datasets.manipulate import build_set
from framewise.pipeline.stages.video_io import iter_frames
from framewise.sources.probe import probe


def test_build_set_records_each_manipulation(tmp_path: Path, video_set: Path) -> None:
    labels = build_set(video_set / "videos", tmp_path, seconds=0.8, segments=1, max_side=96, seed=1)
    rows = list(csv.DictReader(labels.read_text().splitlines()))
    assert [r["label"] for r in rows] == ["real", "fake"] * 3  # broken.mp4 is no source
    fakes = {r["manipulation"]: r for r in rows if r["label"] == "fake"}
    assert set(fakes) == {"paste", "reencode", "frame_rate"}
    for row in rows:
        twin = next(r for r in rows if r["group"] == row["group"] and r is not row)
        assert twin["label"] != row["label"]
    original = {r["group"]: tmp_path / r["path"] for r in rows if r["label"] == "real"}
    rate = fakes["frame_rate"]
    assert probe(tmp_path / rate["path"]).avg_fps == json.loads(rate["params"])["to_fps"]
    recoded = fakes["reencode"]
    assert (tmp_path / recoded["path"]).stat().st_size < original[recoded["group"]].stat().st_size
    pasted = fakes["paste"]
    x, y, w, h = json.loads(pasted["params"])["box"]
    fake_frame = next(iter_frames(tmp_path / pasted["path"]))[1].astype(int)
    real_frame = next(iter_frames(original[pasted["group"]]))[1].astype(int)
    inside = np.abs(fake_frame[y : y + h, x : x + w] - real_frame[y : y + h, x : x + w]).mean()
    assert inside > 10  # the pasted region shows the other clip
    assert json.loads((tmp_path / "recipe.json").read_text())["clips"] == rows
