"""Windowed datasets from feature tables: time windows, grouped splits, train-only scaling."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest

from framewise.core.errors import ConfigError, InputError
from framewise.datasets.spec import read_dataset_spec
from framewise.datasets.task_table import read_feature_table, row, write_feature_table
from framewise.datasets.window_files import read_dataset
from framewise.datasets.windows import FEATURES, WindowSpec, build_dataset
from framewise.features.task import NUMERIC_FEATURES, FrameFeatures

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
START = datetime(2026, 1, 1, tzinfo=UTC)


def table(
    path: Path, video: str, times: list[float], labels: Sequence[str | None], level: float = 0.0
) -> Path:
    """A feature table whose ``left_elbow_angle`` is ``level`` + 100 on 'work' frames."""
    rows = []
    for i, (t, label) in enumerate(zip(times, labels, strict=True)):
        values: dict[str, float | None] = dict.fromkeys(NUMERIC_FEATURES)
        values["left_elbow_angle"] = level + (100.0 if label == "work" else 0.0) + i % 3
        presence = {"pose_present": True, "left_hand_present": False, "right_hand_present": False}
        features = FrameFeatures(t, values, presence)
        rows.append(row(video, i, START, features, label))
    write_feature_table(path, rows, {"detector": "pose"})
    return path


def half_and_half(tmp_path: Path, video: str, seconds: float = 10.0, fps: float = 10.0) -> Path:
    times = [round(k / fps, 6) for k in range(int(seconds * fps))]
    labels: list[str | None] = ["idle" if t < seconds / 2 else "work" for t in times]
    return table(tmp_path / f"{video}.parquet", video, times, labels)


def test_tables_round_trip_with_nulls_not_zeros(tmp_path: Path) -> None:
    path = half_and_half(tmp_path, "v0", seconds=1.0)
    read = read_feature_table(path)
    assert read.column("right_hand_speed").null_count == read.num_rows
    assert read.column("pose_landmarks").null_count == read.num_rows
    assert read.schema.field("objects").type == pa.list_(
        read.schema.field("objects").type.value_type
    )
    assert str(read.schema.field("wall_time").type) == "timestamp[us, tz=UTC]"


def test_another_schema_version_is_refused_by_name(tmp_path: Path) -> None:
    path = tmp_path / "old.parquet"
    pq.write_table(pa.table({"video_id": ["v"], "t": [0.0]}), path)
    with pytest.raises(InputError, match="has schema 'none'"):
        read_feature_table(path)


def test_windows_are_cut_by_time_and_splits_never_share_a_video(tmp_path: Path) -> None:
    inputs = [half_and_half(tmp_path, f"v{k}") for k in range(6)]
    spec = WindowSpec(window_sec=2.0, step_sec=0.5, balance="none")
    meta = build_dataset(inputs, tmp_path / "d", spec)
    assert meta["steps"] == 20  # 2 s at the tables' 10 fps
    data = read_dataset(tmp_path / "d")
    assert data.x["train"].shape[1:] == (20, len(FEATURES))
    splits = meta["splits"]
    assert all(splits[s] for s in ("train", "val", "test"))
    assert not set(splits["train"]) & set(splits["val"]) and not set(splits["val"]) & set(
        splits["test"]
    )
    windows = pq.read_table(tmp_path / "d" / "windows.parquet").to_pylist()
    # 10 s of frames, 2 s windows every 0.5 s: starts 0 … 7.5 (16), those over 5 s are mixed.
    per_video = [w for w in windows if w["video"] == "v0"]
    assert [w["t_start"] for w in per_video][:3] == [0.0, 0.5, 1.0]
    assert all(w["t_end"] - w["t_start"] == pytest.approx(2.0) for w in windows)
    assert meta["counts"]["mixed"] == 6 * 3  # starts 3.5, 4.0, 4.5 mix idle and work
    assert {w["split"] for w in windows if w["video"] == "v3"} in ({"train"}, {"val"}, {"test"})
    spec_file = read_dataset_spec(tmp_path / "d")
    assert spec_file.kind == "sequence" and spec_file.names == ("idle", "work")
    trace = data.index("test")
    assert {windows[i]["split"] for i in trace} == {"test"}


def test_scaler_is_fitted_on_the_training_split_only(tmp_path: Path) -> None:
    inputs = [half_and_half(tmp_path, f"v{k}") for k in range(4)]
    # A fifth video far off in level: wherever it lands, only train windows set the scaler.
    times = [k / 10 for k in range(100)]
    inputs.append(table(tmp_path / "far.parquet", "far", times, ["idle"] * 50 + ["work"] * 50, 1e4))
    meta = build_dataset(
        inputs, tmp_path / "d", WindowSpec(train_ratio=0.6, val_ratio=0.2, test_ratio=0.2)
    )
    data = read_dataset(tmp_path / "d")
    column = FEATURES.index("left_elbow_angle")
    train = data.x["train"][:, :, column]
    assert train.mean() == pytest.approx(0.0, abs=1e-4)
    far_in_train = "far" in meta["splits"]["train"]
    assert (meta["scaler"]["mean"][column] > 1000) == far_in_train


def test_balancing_touches_the_training_split_only(tmp_path: Path) -> None:
    inputs = []
    for k in range(5):
        times = [i / 10 for i in range(100)]
        labels: list[str | None] = ["idle" if t < 6 else "work" for t in times]
        inputs.append(table(tmp_path / f"u{k}.parquet", f"u{k}", times, labels))
    spec = WindowSpec(balance="downsample", train_ratio=0.6, val_ratio=0.2, test_ratio=0.2)
    meta = build_dataset(inputs, tmp_path / "d", spec)
    train = meta["counts"]["by_split"]["train"]
    assert train["idle"] == train["work"]
    test = meta["counts"]["by_split"]["test"]
    assert test["idle"] > test["work"]  # the test split keeps the footage's own mix
    saved = json.loads((tmp_path / "d" / "metadata.json").read_text())
    assert saved["window"]["balance"] == "downsample" and len(saved["inputs"]) == 5
    assert all(len(entry["sha256"]) == 64 for entry in saved["inputs"])


def test_one_class_is_a_clear_error_and_writes_nothing(tmp_path: Path) -> None:
    times = [k / 10 for k in range(50)]
    inputs = [table(tmp_path / f"w{k}.parquet", f"w{k}", times, ["walk"] * 50) for k in range(3)]
    with pytest.raises(InputError, match=r"the windows have 1 class \(walk\)"):
        build_dataset(inputs, tmp_path / "d", WindowSpec())
    assert not (tmp_path / "d").exists()


def test_too_few_videos_for_the_splits_and_bad_ratios(tmp_path: Path) -> None:
    inputs = [half_and_half(tmp_path, f"v{k}") for k in range(2)]
    with pytest.raises(InputError, match="cannot fill 3 splits"):
        build_dataset(inputs, tmp_path / "d", WindowSpec())
    # Cut into 2-second groups, two videos are enough (windows across a border are dropped).
    meta = build_dataset(inputs, tmp_path / "d", WindowSpec(group_sec=2.5))
    assert meta["counts"]["cross_group"] > 0
    with pytest.raises(ConfigError, match="add up to 1"):
        WindowSpec(train_ratio=0.9)


def test_folds_group_by_video(tmp_path: Path) -> None:
    pytest.importorskip("sklearn")
    inputs = [half_and_half(tmp_path, f"v{k}") for k in range(6)]
    build_dataset(inputs, tmp_path / "d", WindowSpec(folds=3))
    windows = pq.read_table(tmp_path / "d" / "windows.parquet").to_pylist()
    folds_of: dict[str, set[int]] = {}
    for w in windows:
        folds_of.setdefault(w["video"], set()).add(w["fold"])
    assert all(len(f) == 1 for f in folds_of.values())
    assert {f for fs in folds_of.values() for f in fs} == {0, 1, 2}
