"""framewise export: reviewed logs + journals + videos → labelled frames, tasks, formats."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import cv2
import numpy as np
import pytest
import yaml

from framewise.core.errors import ConfigError, InputNotFoundError
from framewise.core.events import Event
from framewise.datasets.collect import ExportSettings, collect
from framewise.datasets.formats import FORMATS
from framewise.datasets.labels import LabelledImage
from framewise.events.journal import read_journal
from framewise.events.log import read_event_log, write_event_log
from framewise.events.sinks import JOURNAL_NAME
from framewise.profiles import profile_weights
from framewise.review.session import ReviewSession
from framewise.testing.clips import make_clip
from tests.unit.datasets.journal_kit import write_session

HUD = (20.0, 20.0, 120.0, 60.0)
KILL = (200.0, 30.0, 300.0, 50.0)
DRAWN = [20.0, 100.0, 90.0, 150.0]


def _session(root: Path, name: str) -> Path:
    """A 14 s clip, its journal (HUD 0–2.5 s, a kill at 1 s and at 8 s), a reviewed log."""
    video = root / f"{name}.mkv"
    make_clip(video, seconds=14, fps=10, width=320, height=180)
    frames = []
    for tick in range(140):
        seconds = round(tick / 10, 3)
        found: list[tuple[str, float, tuple[float, float, float, float]]] = []
        if seconds < 2.5:
            found.append(("gameplay_hud", 0.9, HUD))
        if seconds == 1.0:
            found.append(("kill_notification", 0.6, KILL))
        if seconds == 8.0:
            found.append(("kill_notification", 0.55, KILL))
        frames.append((seconds, found))
    log = write_session(root / name, frames, video=str(video))
    event_log = read_event_log(log)
    start = event_log.metadata.session_start_time
    event_log.events = [  # what the model found
        Event(event_id=f"evt_{n}", type="kill", timestamp=start + timedelta(seconds=t),
              video_offset_seconds=t, frame_number=round(t * 10), confidence=0.6)
        for n, t in enumerate((1.0, 8.0), start=1)
    ]  # fmt: skip
    write_event_log(log, event_log)
    session = ReviewSession.open(log)
    session.approve(["evt_1"])
    session.add("kill", 4.0, {}, boxes=[{"label": "kill_notification", "xyxy": DRAWN}])
    session.add("raid_end", 6.0, {})  # missed, but no box drawn: a frame to label
    session.delete(["evt_2"])  # a false positive
    return log


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    root = tmp_path_factory.mktemp("export")
    return [_session(root, "s1"), _session(root, "s2")]


def _by_time(images: list[LabelledImage], session: str) -> dict[float, LabelledImage]:
    return {i.seconds or 0.0: i for i in images if i.session == session}


def test_kept_events_are_labelled_with_every_journaled_box(
    logs: list[Path], tmp_path: Path
) -> None:
    settings = ExportSettings(negative_share=0.3, val_share=0.5, context_seconds=0.0)
    found = collect(logs, tmp_path, settings)
    s1 = _by_time(found.labels.images, "s1")
    event = s1[1.0]
    assert event.origin == "event"
    assert sorted(b.label for b in event.boxes) == ["gameplay_hud", "kill_notification"]
    hud = next(b for b in event.boxes if b.label == "gameplay_hud")
    assert (hud.x1, hud.y1, hud.x2, hud.y2) == HUD
    picture = cv2.imread(str(event.image))
    assert picture is not None and picture.shape == (180, 320, 3)
    assert (event.width, event.height) == (320, 180)


def test_drawn_boxes_label_the_frame_of_a_missed_event(logs: list[Path], tmp_path: Path) -> None:
    found = collect(logs, tmp_path, ExportSettings(context_seconds=0.0, val_share=0.0))
    drawn = _by_time(found.labels.images, "s1")[4.0]
    assert drawn.origin == "reviewer"
    assert [(b.label, [b.x1, b.y1, b.x2, b.y2]) for b in drawn.boxes] == [
        ("kill_notification", DRAWN)
    ]


def test_frames_nobody_labelled_become_tasks_not_training_data(
    logs: list[Path], tmp_path: Path
) -> None:
    found = collect(logs, tmp_path, ExportSettings(val_share=0.0))
    reasons = {(t.session, t.seconds): t.reason for t in found.tasks}
    assert reasons == {
        ("s1", 6.0): "missed",
        ("s1", 8.0): "false_positive",
        ("s2", 6.0): "missed",
        ("s2", 8.0): "false_positive",
    }
    labelled = {(i.session, i.seconds) for i in found.labels.images}
    assert not labelled & set(reasons)
    to_label = _by_time(found.to_label.images, "s1")
    assert [b.label for b in to_label[8.0].boxes] == ["kill_notification"]  # pre-annotation


def test_negatives_are_empty_frames_far_from_anything(logs: list[Path], tmp_path: Path) -> None:
    found = collect(logs, tmp_path, ExportSettings(negative_share=0.5, val_share=0.0))
    negatives = [i for i in found.labels.images if i.origin == "negative"]
    positives = [i for i in found.labels.images if i.boxes]
    assert negatives and len(negatives) <= len(positives)
    busy = [1.0, 4.0, 6.0, 8.0, 2.4]  # events, and the last frame with a detection
    for image in negatives:
        assert image.boxes == []
        assert all(abs((image.seconds or 0.0) - t) >= 2.0 for t in busy)


def test_context_adds_neighbours_showing_the_same_classes(tmp_path: Path) -> None:
    video = tmp_path / "hud.mkv"
    make_clip(video, seconds=4, fps=10, width=320, height=180)
    frames = [(round(t / 10, 3), [("gameplay_hud", 0.9, HUD)]) for t in range(30)]
    frames += [(round(t / 10, 3), [("gameplay_hud", 0.9, HUD), ("kill_notification", 0.7, KILL)])
               for t in range(30, 40)]  # fmt: skip
    log = write_session(tmp_path / "hud", frames, video=str(video))
    event_log = read_event_log(log)
    start = event_log.metadata.session_start_time
    event_log.events = [
        Event(event_id="evt_1", type="raid_start", timestamp=start + timedelta(seconds=1.5),
              video_offset_seconds=1.5, frame_number=15, confidence=0.9)
    ]  # fmt: skip
    write_event_log(log, event_log)
    settings = ExportSettings(context_seconds=1.0, context_step=0.5, val_share=0.0)
    found = collect([log], tmp_path / "img", settings)
    labelled = sorted(i.seconds or 0.0 for i in found.labels.images if i.boxes)
    assert labelled == [0.5, 1.0, 1.5, 2.0, 2.5]  # not 3.0+: the kill feed shows there
    bare = collect([log], tmp_path / "bare", ExportSettings(context_seconds=0.0, val_share=0.0))
    assert [i.seconds for i in bare.labels.images if i.boxes] == [1.5]


def test_sessions_never_share_a_split(logs: list[Path], tmp_path: Path) -> None:
    found = collect(logs, tmp_path, ExportSettings(val_share=0.5))
    splits: dict[str, set[str]] = {i.session: set() for i in found.labels.images}
    for image in found.labels.images:
        splits[image.session].add(image.split)
    assert sorted(map(tuple, splits.values())) == [("train",), ("val",)]


def test_a_log_without_its_journal_is_refused(logs: list[Path], tmp_path: Path) -> None:
    folder = tmp_path / "nojournal"
    folder.mkdir()
    (folder / "events.json").write_bytes(logs[0].read_bytes())
    with pytest.raises(InputNotFoundError, match=JOURNAL_NAME):
        collect([folder / "events.json"], tmp_path / "img", ExportSettings())
    with pytest.raises(ConfigError, match="--video"):
        collect(logs, tmp_path, ExportSettings(), video=tmp_path / "x.mkv")


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_the_command_writes_each_format_and_the_task_file(
    logs: list[Path], tmp_path: Path, fmt: str
) -> None:
    out = tmp_path / fmt
    done = subprocess.run(
        [
            *(sys.executable, "-m", "framewise", "export", str(logs[0].parent.parent)),
            *("--out", str(out), "--format", fmt, "--val-share", "0.5", "--classes", "tarkov"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "frames to label" in done.stdout
    back = FORMATS[fmt].read(out)
    assert back.box_count() > 0
    assert back.names[:2] == ["main_menu", "stash_screen"]  # the tarkov model's class order
    tasks = json.loads((out / "tasks.json").read_text())["tasks"]
    assert {t["reason"] for t in tasks} == {"missed", "false_positive"}
    to_label = FORMATS["cvat"].read(out / "to_label")
    assert len(to_label.images) == len(tasks)
    assert not (out.parent / f".{out.name}.frames").exists()  # staging cleaned up


def test_the_command_refuses_an_unknown_format_in_one_line(
    logs: list[Path], tmp_path: Path
) -> None:
    done = subprocess.run(
        [
            *(sys.executable, "-m", "framewise", "export", str(logs[0])),
            *("--out", str(tmp_path), "--format", "voc"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "voc" in done.stderr


def test_yolo_export_keeps_class_ids_of_the_model_it_retrains(
    logs: list[Path], tmp_path: Path
) -> None:
    out = tmp_path / "yolo"
    subprocess.run(
        [
            *(sys.executable, "-m", "framewise", "export", str(logs[0])),
            *("--out", str(out), "--classes", "tarkov"),
        ],
        check=True,
        capture_output=True,
    )
    names = yaml.safe_load((out / "data.yaml").read_text())["names"]
    assert profile_weights("tarkov").suffix == ".pt"
    assert names[17] == "kill_notification" and names[9] == "gameplay_hud"
    journal = read_journal(logs[0].parent / JOURNAL_NAME)
    assert np.isclose(journal[10].seconds, 1.0)
