"""Merging labels into a YOLO dataset: corrections replace, duplicates are found, ids stay."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from framewise.core.errors import ConfigError
from framewise.datasets.formats import FORMATS
from framewise.datasets.formats.yolo_format import read_yolo
from framewise.datasets.labels import Box, LabelledImage, LabelSet
from framewise.datasets.merge import merge_labels
from tests.unit.datasets.labels_kit import (
    HEIGHT,
    WIDTH,
    assert_same_boxes,
    by_name,
    label_set,
    picture,
)


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    """A YOLO dataset of six frames written by our own writer."""
    FORMATS["yolo"].write(label_set(tmp_path / "frames"), tmp_path / "ds", False)
    return tmp_path / "ds"


def snapshot(folder: Path) -> dict[str, tuple[int, bytes]]:
    """Every file's modification time and bytes."""
    return {
        str(p.relative_to(folder)): (p.stat().st_mtime_ns, p.read_bytes())
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def cvat_corrections(dataset: Path, tmp_path: Path) -> Path:
    """The dataset as a CVAT export in which a reviewer moved one box and drew one more."""
    labels = read_yolo(dataset)
    frame = by_name(labels)["s1_0001.jpg"]
    frame.boxes[0] = Box("kill_feed", 30, 25, 170, 64)
    frame.boxes.append(Box("minimap", 5, 100, 60, 150))
    out = tmp_path / "cvat"
    FORMATS["cvat"].write(labels, out, False)
    return out


def test_a_corrected_box_replaces_the_old_one_and_twice_changes_nothing(
    dataset: Path, tmp_path: Path
) -> None:
    corrections = FORMATS["cvat"].read(cvat_corrections(dataset, tmp_path))
    before = read_yolo(dataset)
    (dataset / "labels/train.cache").write_bytes(b"stale Ultralytics cache")
    report = merge_labels(dataset, corrections)
    assert (report.added, report.updated, report.unchanged) == (0, 1, 5)
    assert (report.boxes_before, report.boxes_after) == (13, 14)
    assert not report.new_classes
    assert not (dataset / "labels/train.cache").exists()
    after = by_name(read_yolo(dataset))
    assert_same_boxes(
        after["s1_0001.jpg"].boxes,
        [
            Box("kill_feed", 30, 25, 170, 64),
            *by_name(before)["s1_0001.jpg"].boxes[1:],
            Box("minimap", 5, 100, 60, 150),
        ],
    )
    assert after["s1_0001.jpg"].split == "train"
    assert after["s1_0001.jpg"].session == "s1"  # the manifest keeps where it came from
    untouched = snapshot(dataset)
    again = merge_labels(dataset, corrections)
    assert (again.added, again.updated, again.unchanged, again.changed) == (0, 0, 6, False)
    assert snapshot(dataset) == untouched


def test_a_renamed_identical_image_is_a_duplicate(dataset: Path, tmp_path: Path) -> None:
    renamed = tmp_path / "incoming/renamed.jpg"
    renamed.parent.mkdir()
    shutil.copyfile(dataset / "images/val/s1_0004.jpg", renamed)
    fix = Box("minimap", 1, 2, 50, 60)
    incoming = LabelSet(["minimap"], [LabelledImage(renamed, WIDTH, HEIGHT, [fix])])
    report = merge_labels(dataset, incoming)
    assert (report.duplicates, report.added, report.updated) == (1, 0, 1)
    labels = read_yolo(dataset)
    assert len(labels.images) == 6
    assert not list(dataset.rglob("renamed*"))
    frame = by_name(labels)["s1_0004.jpg"]
    assert frame.split == "val"
    assert_same_boxes(frame.boxes, [fix])


def test_new_classes_are_appended_and_old_ids_keep_their_meaning(
    dataset: Path, tmp_path: Path
) -> None:
    old_label_text = (dataset / "labels/train/s1_0000.txt").read_text()
    new = picture(tmp_path / "incoming/new.png", seed=40)
    incoming = LabelSet(
        ["loot_box", "kill_feed"],
        [
            LabelledImage(
                new,
                WIDTH,
                HEIGHT,
                [Box("loot_box", 10, 10, 60, 40), Box("kill_feed", 5, 5, 80, 30)],
                split="val",
            )
        ],
    )
    report = merge_labels(dataset, incoming)
    assert (report.added, report.new_classes) == (1, ["loot_box"])
    data = yaml.safe_load((dataset / "data.yaml").read_text())
    assert data["names"] == {0: "kill_feed", 1: "health_bar", 2: "minimap", 3: "loot_box"}
    assert (dataset / "labels/train/s1_0000.txt").read_text() == old_label_text
    rows = (dataset / "labels/val/new.txt").read_text().splitlines()
    assert [row.split()[0] for row in rows] == ["3", "0"]
    assert (dataset / "images/val/new.png").read_bytes() == new.read_bytes()
    # The same image again, under its own name: already there, nothing added twice.
    again = merge_labels(dataset, incoming)
    assert (again.added, again.unchanged, again.new_classes) == (0, 1, [])


def test_new_images_go_to_their_split_or_the_one_asked_for(dataset: Path, tmp_path: Path) -> None:
    images = [
        LabelledImage(picture(tmp_path / f"in/n{k}.jpg", 50 + k), WIDTH, HEIGHT, split=split)
        for k, split in enumerate(("val", "test", "holdout"))
    ]
    images.append(LabelledImage(tmp_path / "in/absent.jpg", WIDTH, HEIGHT))
    report = merge_labels(dataset, LabelSet([], images))
    assert (report.added, report.missing) == (3, ["absent.jpg"])
    got = {i.name: i.split for i in read_yolo(dataset).images}
    assert (got["n0.jpg"], got["n1.jpg"], got["n2.jpg"]) == ("val", "test", "train")
    assert yaml.safe_load((dataset / "data.yaml").read_text())["test"] == "images/test"
    forced = LabelledImage(picture(tmp_path / "in/n9.jpg", 59), WIDTH, HEIGHT, split="train")
    merge_labels(dataset, LabelSet([], [forced]), split="val")
    assert (dataset / "images/val/n9.jpg").is_file()
    with pytest.raises(ConfigError, match="unknown split"):
        merge_labels(dataset, LabelSet([], [forced]), split="holdout")


def test_a_same_stem_image_gets_its_own_name(dataset: Path, tmp_path: Path) -> None:
    png = picture(tmp_path / "in/s1_0000.png", seed=77)  # s1_0000.jpg is in train
    report = merge_labels(dataset, LabelSet([], [LabelledImage(png, WIDTH, HEIGHT)]))
    assert report.added == 1
    added = [p for p in (dataset / "images/train").iterdir() if p.suffix == ".png"]
    assert len(added) == 1 and added[0].name.startswith("s1_0000_")
    assert (dataset / "labels/train" / f"{added[0].stem}.txt").read_text() == ""
    assert len(read_yolo(dataset).images) == 7


def test_boxes_of_another_size_are_scaled(dataset: Path, tmp_path: Path) -> None:
    frame = dataset / "images/train/s1_0000.jpg"
    doubled = LabelledImage(frame, 2 * WIDTH, 2 * HEIGHT, [Box("minimap", 20, 40, 200, 100)])
    merge_labels(dataset, LabelSet([], [doubled]))
    assert_same_boxes(
        by_name(read_yolo(dataset))["s1_0000.jpg"].boxes, [Box("minimap", 10, 20, 100, 50)]
    )


def test_a_new_dataset_is_made_and_a_foreign_folder_refused(tmp_path: Path) -> None:
    labels = label_set(tmp_path / "frames", count=3)
    report = merge_labels(tmp_path / "fresh", labels)
    assert (report.created, report.added, report.boxes_after) == (True, 3, labels.box_count())
    back = read_yolo(tmp_path / "fresh")
    assert back.names == labels.names
    for image in labels.images:
        assert_same_boxes(by_name(back)[image.name].boxes, image.boxes)
    (tmp_path / "odd/images").mkdir(parents=True)
    with pytest.raises(ConfigError, match=r"no data\.yaml"):
        merge_labels(tmp_path / "odd", labels)


def test_a_dataset_of_the_synthetic_exporter_is_merged(dataset: Path, tmp_path: Path) -> None:
    # Other tools write names as a list; synth/yolo_export.py writes a manifest of its own.
    data = yaml.safe_load((dataset / "data.yaml").read_text())
    data["names"] = list(data["names"].values())
    (dataset / "data.yaml").write_text(yaml.safe_dump(data))
    (dataset / "manifest.json").write_text('{"sessions": {"s1.mkv": "train"}, "fps": 2.0}')
    image = picture(tmp_path / "more/x.jpg", seed=90)
    extra = LabelSet(["extra"], [LabelledImage(image, WIDTH, HEIGHT, [Box("extra", 1, 1, 20, 20)])])
    assert merge_labels(dataset, extra).added == 1
    merged = yaml.safe_load((dataset / "data.yaml").read_text())
    assert merged["names"] == ["kill_feed", "health_bar", "minimap", "extra"]
    assert '"fps": 2.0' in (dataset / "manifest.json").read_text()
