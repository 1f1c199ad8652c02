"""The W2 commands' bad inputs from the command line: a video with no people, an empty label
file, a feature table of another schema version, a dataset with one class — each one line
naming the file, exit 3, and nothing written or lost."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from framewise.datasets.task_table import SCHEMA_KEY, row, write_feature_table
from framewise.features.task import NUMERIC_FEATURES, SCHEMA_VERSION, FrameFeatures
from tests.integration.cli.cli_run import framewise
from tests.integration.walk import VIDEO

NOBODY = "pyscenedetect/counter.mp4"


def error_line(done: subprocess.CompletedProcess[str]) -> str:
    """Our one error line (MediaPipe's native log lines may come before it)."""
    ours = [line for line in done.stderr.splitlines() if line.startswith("framewise:")]
    assert len(ours) == 1, done.stderr
    assert ours[0] == done.stderr.strip().splitlines()[-1]
    return ours[0]


def table(path: Path, labels: list[str]) -> Path:
    """A feature table of 10 fps frames with the given labels."""
    rows = []
    for i, label in enumerate(labels):
        values: dict[str, float | None] = dict.fromkeys(NUMERIC_FEATURES, 0.5)
        presence = {"pose_present": True, "left_hand_present": True, "right_hand_present": True}
        features = FrameFeatures(i / 10, values, presence)
        rows.append(row(path.stem, i, datetime(2026, 1, 1, tzinfo=UTC), features, label))
    write_feature_table(path, rows, {"detector": "pose"})
    return path


@pytest.mark.slow
def test_a_video_with_no_people_keeps_the_table_it_would_replace(
    real_data: Path, tmp_path: Path
) -> None:
    pytest.importorskip("mediapipe")
    out = tmp_path / "counter.parquet"
    out.write_bytes(b"an earlier table")
    done = framewise("features", "extract", "--video", real_data / NOBODY, "--output", out,
                     "--sample-fps", "2", "--force")  # fmt: skip
    assert done.returncode == 3
    line = error_line(done)
    assert str(real_data / NOBODY) in line and "no person or hand found" in line
    assert out.read_bytes() == b"an earlier table"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["counter.parquet"]


def test_an_empty_label_file_names_its_line_and_writes_nothing(
    real_data: Path, tmp_path: Path
) -> None:
    empty = tmp_path / "labels.csv"
    empty.write_bytes(b"")
    out = tmp_path / "one.parquet"
    done = framewise("features", "extract", "--video", real_data / VIDEO, "--output", out,
                     "--labels", empty)  # fmt: skip
    assert done.returncode == 3
    assert error_line(done) == (
        f"framewise: error: {empty}:1: the label file is empty — write a header and label rows"
    )
    assert not out.exists()
    # A header and no rows is as empty.
    empty.write_text("start,end,label\n")
    done = framewise("features", "extract", "--video", real_data / VIDEO, "--output", out,
                     "--labels", empty)  # fmt: skip
    assert done.returncode == 3 and str(empty) in error_line(done) and not out.exists()


def test_a_table_of_another_schema_version_is_refused_by_name(tmp_path: Path) -> None:
    good = table(tmp_path / "good.parquet", ["idle"] * 30 + ["work"] * 30)
    old = tmp_path / "old.parquet"
    arrow = pq.read_table(good)
    metadata = {**(arrow.schema.metadata or {}), SCHEMA_KEY: b"framewise.task_features/0"}
    pq.write_table(arrow.replace_schema_metadata(metadata), old)
    done = framewise("features", "dataset", "--features", good, old,
                     "--output", tmp_path / "d")  # fmt: skip
    assert done.returncode == 3
    line = error_line(done)
    assert str(old) in line and "framewise.task_features/0" in line and SCHEMA_VERSION in line
    assert "extract" in line  # what to do: extract it again
    assert not (tmp_path / "d").exists()


def test_a_dataset_with_one_class_is_refused_and_writes_nothing(tmp_path: Path) -> None:
    inputs = [table(tmp_path / f"w{k}.parquet", ["walk"] * 50) for k in range(3)]
    done = framewise("features", "dataset", "--features", *inputs,
                     "--output", tmp_path / "d")  # fmt: skip
    assert done.returncode == 3
    line = error_line(done)
    assert "1 class (walk)" in line
    assert not (tmp_path / "d").exists()
