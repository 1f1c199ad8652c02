"""Task label files: both CSV forms, and one-line errors with line numbers for bad ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from framewise.core.errors import InputError, InputNotFoundError
from framewise.datasets.task_labels import TaskLabels


def labels(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "labels.csv"
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def test_frame_form_is_the_seeds_and_joins_by_index(tmp_path: Path) -> None:
    read = TaskLabels.read(labels(tmp_path, "frame_index,label\n0,idle\n1,idle\n5,work\n"))
    assert read.frames == {0: "idle", 1: "idle", 5: "work"}
    assert read.at(frame_index=5, seconds=99.0) == "work"
    assert read.at(frame_index=2, seconds=0.0) is None
    read.check_video(frame_count=6, duration=None)


def test_span_form_joins_by_time_start_inclusive_end_exclusive(tmp_path: Path) -> None:
    read = TaskLabels.read(labels(tmp_path, "start,end,label\n2.5,6,work\n0,2.5,idle\n"))
    assert [s.label for s in read.spans] == ["idle", "work"]
    assert read.at(frame_index=0, seconds=0.0) == "idle"
    assert read.at(frame_index=0, seconds=2.5) == "work"
    assert read.at(frame_index=0, seconds=6.0) is None
    read.check_video(frame_count=None, duration=6.5)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "labels.csv:1: the label file is empty"),
        ("start,end,label\n", "labels.csv:1: the label file has no rows"),
        ("when,label\n1,a\n", "labels.csv:1: unknown header 'when,label'"),
        ("frame_index,label\n0,a\n1,b\n0,c\n", "labels.csv:4: frame 0 is labelled again (line 2)"),
        (
            "start,end,label\n0,2,a\n1.5,3,b\n",
            "labels.csv:3: span 1.5-3.0 overlaps line 2's 0.0-2.0",
        ),
        ("start,end,label\n0,2,a\n3,2.5,b\n", "labels.csv:3: span ends (2.5) before it starts"),
        ("frame_index,label\n0,a\nx,b\n", "labels.csv:3: frame_index 'x' is not a number >= 0"),
        ("frame_index,label\n0,a\n1\n", "labels.csv:3: expected 2 fields with a label"),
        (b"start,end,label\n0,1,idle\n1,2,caf\xe9\n", "labels.csv:3: not UTF-8 text"),
    ],
)
def test_bad_label_files_say_which_line(tmp_path: Path, text: str | bytes, message: str) -> None:
    with pytest.raises(InputError) as caught:
        TaskLabels.read(labels(tmp_path, text))
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_labels_for_frames_or_times_the_video_lacks(tmp_path: Path) -> None:
    frames = TaskLabels.read(labels(tmp_path, "frame_index,label\n0,a\n90,b\n"))
    with pytest.raises(
        InputError, match=r"labels.csv:3: frame 90 is past the video's last frame \(89\)"
    ):
        frames.check_video(frame_count=90, duration=3.0)
    spans = TaskLabels.read(labels(tmp_path, "start,end,label\n0,1,a\n4,5,b\n"))
    with pytest.raises(
        InputError, match=r"labels.csv:3: span starts at 4.0 s, after the video ends"
    ):
        spans.check_video(frame_count=None, duration=3.0)


def test_a_missing_label_file(tmp_path: Path) -> None:
    with pytest.raises(InputNotFoundError, match="does not exist"):
        TaskLabels.read(tmp_path / "nope.csv")


def test_the_committed_label_files_parse() -> None:
    folder = Path(__file__).resolve().parents[3] / "docs" / "task-labels"
    files = sorted(folder.glob("*.csv"))
    assert len(files) == 4
    for path in files:
        read = TaskLabels.read(path)
        assert read.spans and {s.label for s in read.spans} <= {"absent", "walk", "work", "idle"}
