"""YOLO, CVAT and COCO: each writes a label set that reads back the same, and bad input is named."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest
import yaml

from framewise.core.errors import ConfigError, InputError, InputNotFoundError
from framewise.datasets.formats import FORMATS, detect_format
from framewise.datasets.formats.files import image_size
from framewise.datasets.formats.yolo_format import read_yolo
from framewise.datasets.labels import Box, LabelledImage, LabelSet
from tests.unit.datasets.labels_kit import (
    HEIGHT,
    NAMES,
    WIDTH,
    assert_same_boxes,
    by_name,
    label_set,
    picture,
)


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_write_then_read_keeps_every_box_split_and_class(name: str, tmp_path: Path) -> None:
    labels = label_set(tmp_path / "frames")
    out = tmp_path / name
    FORMATS[name].write(labels, out, False)
    assert detect_format(out) == name
    back = FORMATS[name].read(out)
    assert back.names == NAMES  # same order: same class ids
    assert len(back.images) == len(labels.images)
    got = by_name(back)
    for image in labels.images:
        read = got[image.name]
        assert (read.width, read.height, read.split) == (WIDTH, HEIGHT, image.split)
        assert read.image.is_file()
        assert read.image.read_bytes() == image.image.read_bytes()  # never re-encoded
        assert_same_boxes(read.boxes, image.boxes)
        if name != "cvat":  # CVAT has no place for where a frame came from
            assert (read.session, read.seconds, read.origin) == ("s1", image.seconds, image.origin)
            assert [b.score for b in read.boxes] == [b.score for b in image.boxes]
    assert not got["s1_0002.jpg"].boxes  # the negative stays a negative
    assert back.box_count() == labels.box_count() == 13


def test_yolo_layout_is_what_ultralytics_reads(tmp_path: Path) -> None:
    labels = label_set(tmp_path / "frames")
    data_yaml = FORMATS["yolo"].write(labels, tmp_path / "ds", False)
    data = yaml.safe_load(data_yaml.read_text())
    assert data == {
        "path": str((tmp_path / "ds").resolve()),
        "train": "images/train",
        "val": "images/val",
        "names": {0: "kill_feed", 1: "health_bar", 2: "minimap"},
    }
    rows = (tmp_path / "ds/labels/train/s1_0001.txt").read_text().splitlines()
    assert rows[0] == "0 0.253125 0.209961 0.435937 0.206380"
    assert rows[2].startswith("2 ")
    assert (tmp_path / "ds/labels/train/s1_0002.txt").read_text() == ""
    assert sorted(p.name for p in (tmp_path / "ds/images/val").iterdir()) == [
        "s1_0004.jpg",
        "s1_0005.jpg",
    ]
    # Same file system: a hard link, not a second copy of the bytes.
    assert (tmp_path / "ds/images/train/s1_0000.jpg").stat().st_ino == (
        labels.images[0].image.stat().st_ino
    )
    manifest = json.loads((tmp_path / "ds/manifest.json").read_text())
    assert manifest["images"] == {"train": 4, "val": 2}
    assert manifest["image_info"]["s1_0003.jpg"]["seconds"] == 1.5


def test_cvat_file_is_cvat_for_images(tmp_path: Path) -> None:
    xml_file = FORMATS["cvat"].write(label_set(tmp_path / "frames"), tmp_path / "c", False)
    text = xml_file.read_text()
    assert text.startswith("<?xml")
    assert "<version>1.1</version>" in text
    assert '<image id="2" name="s1_0002.jpg" subset="train" width="320" height="192" />' in text
    assert (
        '<box label="kill_feed" source="auto" occluded="0" xtl="10.25" ytl="20.50" '
        'xbr="150.75" ybr="60.12" z_order="0" />'
    ) in text
    assert '<box label="health_bar" source="manual"' in text
    assert (tmp_path / "c/images/s1_0005.jpg").is_file()


def test_coco_file_is_coco_detection(tmp_path: Path) -> None:
    folder = FORMATS["coco"].write(label_set(tmp_path / "frames"), tmp_path / "k", False)
    train = json.loads((folder / "instances_train.json").read_text())
    assert {"info", "licenses", "images", "annotations", "categories"} <= train.keys()
    assert [c["id"] for c in train["categories"]] == [1, 2, 3]
    assert [i["id"] for i in train["images"]] == [1, 2, 3, 4]
    first = train["annotations"][0]
    assert first["bbox"] == [10.25, 20.5, 140.5, 39.62]  # 60.125 rounds to even
    assert first["area"] == pytest.approx(140.5 * 39.62, abs=0.01)
    assert (first["iscrowd"], first["category_id"], first["image_id"]) == (0, 1, 1)
    assert (tmp_path / "k/images/val/s1_0004.jpg").is_file()


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_boxes_are_clipped_to_the_image(
    name: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = picture(tmp_path / "a.png", seed=1)
    outside = Box("a", 400.0, 10.0, 500.0, 50.0)
    labels = LabelSet(
        ["a"], [LabelledImage(path, WIDTH, HEIGHT, [Box("a", -5, -5, 30, 40), outside])]
    )
    with caplog.at_level(logging.WARNING):
        FORMATS[name].write(labels, tmp_path / "out", False)
    assert "dropped 1 box" in caplog.text
    (image,) = FORMATS[name].read(tmp_path / "out").images
    assert_same_boxes(image.boxes, [Box("a", 0, 0, 30, 40)])


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_a_folder_holding_a_dataset_is_replaced_only_on_request(name: str, tmp_path: Path) -> None:
    labels = label_set(tmp_path / "frames")
    out = tmp_path / "out"
    FORMATS[name].write(labels, out, False)
    with pytest.raises(ConfigError, match="already holds"):
        FORMATS[name].write(labels, out, False)
    fewer = LabelSet(labels.names, labels.images[:2])
    FORMATS[name].write(fewer, out, True)
    assert len(FORMATS[name].read(out).images) == 2
    assert len(list(out.rglob("*.jpg"))) == 2  # no stale image left behind
    with pytest.raises(ConfigError, match="read from"):
        FORMATS[name].write(FORMATS[name].read(out), out, True)


def test_writers_refuse_bad_sets(tmp_path: Path) -> None:
    a, b = picture(tmp_path / "x/a.jpg", 1), picture(tmp_path / "y/a.jpg", 2)
    twins = LabelSet([], [LabelledImage(a, WIDTH, HEIGHT), LabelledImage(b, WIDTH, HEIGHT)])
    with pytest.raises(ConfigError, match="share the file name"):
        FORMATS["yolo"].write(twins, tmp_path / "o1", False)
    odd = LabelSet([], [LabelledImage(a, WIDTH, HEIGHT, split="holdout")])
    with pytest.raises(ConfigError, match="unknown split 'holdout'"):
        FORMATS["coco"].write(odd, tmp_path / "o2", False)
    wrong = LabelSet([], [LabelledImage(a, 640, 384)])
    with pytest.raises(InputError, match="320x192 but its labels say 640x384"):
        FORMATS["cvat"].write(wrong, tmp_path / "o3", False)
    gone = LabelSet([], [LabelledImage(tmp_path / "gone.jpg", WIDTH, HEIGHT)])
    with pytest.raises(InputError, match=r"gone\.jpg"):
        FORMATS["yolo"].write(gone, tmp_path / "o4", False)
    assert not (tmp_path / "o3").exists()  # refused before anything was written


def test_image_size_reads_headers_and_falls_back_to_decoding(tmp_path: Path) -> None:
    for suffix in (".jpg", ".png", ".bmp"):
        path = picture(tmp_path / f"p{suffix}", seed=3, width=123, height=45)
        assert image_size(path) == (123, 45)
    progressive = tmp_path / "prog.jpg"
    image = np.zeros((50, 70, 3), np.uint8)
    cv2.imwrite(str(progressive), image, [cv2.IMWRITE_JPEG_PROGRESSIVE, 1])
    assert image_size(progressive) == (70, 50)
    (tmp_path / "not.jpg").write_bytes(b"hello")
    with pytest.raises(InputError, match="not an image"):
        image_size(tmp_path / "not.jpg")


CVAT_TASK = """<?xml version="1.0" encoding="utf-8"?>
<annotations>
  <version>1.1</version>
  <meta><task><id>7</id><name>corrections</name>
    <labels><label><name>kill_feed</name><attributes/></label>
      <label><name>minimap</name><attributes/></label></labels>
  </task></meta>
  <image id="0" name="frames/a.jpg" width="320" height="192">
    <box label="kill_feed" occluded="0" source="manual" xtl="10" ytl="20" xbr="110.5" ybr="60"
         z_order="0"></box>
    <polygon label="minimap" points="1,1;5,5;1,9" occluded="0"></polygon>
    <points label="minimap" points="3,3" occluded="0"></points>
    <box label="loot" xtl="100" ytl="100" xbr="140" ybr="120" rotation="90"></box>
  </image>
  <image id="1" name="b.jpg" width="320" height="192" subset="Validation"></image>
</annotations>
"""


def test_cvat_task_and_job_exports_are_read(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    picture(tmp_path / "export/images/a.jpg", seed=1)  # named frames/a.jpg: found by base name
    xml_file = tmp_path / "export/annotations.xml"
    xml_file.write_text(CVAT_TASK)
    with caplog.at_level(logging.WARNING):
        labels = FORMATS["cvat"].read(xml_file)
    assert "1 points, 1 polygon" in caplog.text
    assert labels.names == ["kill_feed", "minimap", "loot"]
    a, b = labels.images
    assert a.image == tmp_path / "export/images/a.jpg"
    assert (a.split, b.split, b.boxes) == ("train", "val", [])
    assert_same_boxes(
        a.boxes, [Box("kill_feed", 10, 20, 110.5, 60), Box("loot", 110, 90, 130, 130)]
    )
    assert not b.image.exists()  # labels without an image are kept: merge matches by name
    job = CVAT_TASK.replace("<task>", "<job>").replace("</task>", "</job>")
    xml_file.write_text(job)
    assert FORMATS["cvat"].read(tmp_path / "export").names == ["kill_feed", "minimap", "loot"]


def test_bad_cvat_files_are_named(tmp_path: Path) -> None:
    broken = tmp_path / "broken.xml"
    broken.write_text("<annotations><image id='0' name='a.jpg'></annotations>")
    with pytest.raises(InputError, match=r"broken\.xml: malformed XML"):
        FORMATS["cvat"].read(broken)
    bomb = tmp_path / "bomb.xml"
    bomb.write_text(
        '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY b "bbbb"><!ENTITY c "&b;&b;&b;">]>'
        "<annotations>&c;</annotations>"
    )
    with pytest.raises(InputError, match=r"bomb\.xml: refused unsafe XML"):
        FORMATS["cvat"].read(bomb)
    other = tmp_path / "other.xml"
    other.write_text("<svg></svg>")
    with pytest.raises(InputError, match="root element is <svg>"):
        FORMATS["cvat"].read(other)
    video = tmp_path / "video.xml"
    video.write_text('<annotations><track id="0" label="a"></track></annotations>')
    with pytest.raises(InputError, match="CVAT for video"):
        FORMATS["cvat"].read(video)
    with pytest.raises(InputNotFoundError):
        FORMATS["cvat"].read(tmp_path / "nowhere")


def test_yolo_folders_of_other_tools_are_read(tmp_path: Path) -> None:
    root = tmp_path / "ds"
    for split in ("train", "test"):
        picture(
            root / f"images/{split}/f.png" if split == "test" else root / "images/train/f.jpg", 5
        )
    (root / "labels/train").mkdir(parents=True)
    # A segment line becomes its bounding box; images without a label file are negatives.
    (root / "labels/train/f.txt").write_text("1 0.5 0.5 0.25 0.5\n\n0 0.1 0.1 0.3 0.1 0.2 0.4\n")
    (root / "data.yaml").write_text(
        "path: /somewhere/else\ntrain: images/train\ntest: [images/test]\nnames: [a, b]\n"
    )
    labels = read_yolo(root / "data.yaml")
    assert labels.names == ["a", "b"]
    train, test = labels.images
    assert (train.split, test.split, test.boxes) == ("train", "test", [])
    assert_same_boxes(train.boxes, [Box("b", 120, 48, 200, 144), Box("a", 32, 19.2, 96, 76.8)])
    (root / "labels/train/f.txt").write_text("5 0.5 0.5 0.1 0.1\n")
    with pytest.raises(InputError, match=r"f\.txt:1: class id 5"):
        read_yolo(root)
    (root / "labels/train/f.txt").write_text("0 0.5 0.5\n")
    with pytest.raises(InputError, match=r"f\.txt:1: a label line needs"):
        read_yolo(root)
    (root / "data.yaml").unlink()
    (root / "labels/train/f.txt").write_text("3 0.5 0.5 0.1 0.1\n")
    loose = read_yolo(root)  # no data.yaml: ids are the names
    assert loose.names == ["0", "1", "2", "3"]
    assert {i.split for i in loose.images} == {"train", "test"}


def test_detect_format_tells_layouts_apart(tmp_path: Path) -> None:
    labels = label_set(tmp_path / "frames", count=2)
    for name in FORMATS:
        FORMATS[name].write(labels, tmp_path / name, False)
    assert detect_format(tmp_path / "yolo/data.yaml") == "yolo"
    assert detect_format(tmp_path / "cvat/annotations.xml") == "cvat"
    assert detect_format(tmp_path / "coco/annotations/instances_train.json") == "coco"
    (tmp_path / "yolo/data.yaml").unlink()
    assert detect_format(tmp_path / "yolo") == "yolo"  # images/ + labels/
    single = FORMATS["coco"].read(tmp_path / "coco/annotations/instances_train.json")
    assert single.images[0].image == tmp_path / "coco/images/train/s1_0000.jpg"
    (tmp_path / "other.json").write_text('{"events": []}')
    with pytest.raises(ConfigError, match="cannot tell the dataset format"):
        detect_format(tmp_path / "other.json")
    with pytest.raises(ConfigError, match="--format"):
        detect_format(tmp_path / "frames")
    with pytest.raises(InputNotFoundError):
        detect_format(tmp_path / "missing")


def test_coco_of_other_tools_is_read(tmp_path: Path) -> None:
    picture(tmp_path / "images/a.jpg", 1)
    document = {
        "images": [{"id": 9, "file_name": "a.jpg", "width": 320, "height": 192}],
        "annotations": [
            {"id": 1, "image_id": 9, "category_id": 4, "bbox": [1, 2, 3, 4], "iscrowd": 0},
            {"id": 2, "image_id": 9, "category_id": 4, "bbox": [0, 0, 9, 9], "iscrowd": 1},
        ],
        "categories": [{"id": 4, "name": "minimap"}, {"id": 2, "name": "kill_feed"}],
    }
    (tmp_path / "annotations").mkdir()
    path = tmp_path / "annotations/instances_val2017.json"
    path.write_text(json.dumps(document))
    labels = FORMATS["coco"].read(tmp_path)
    assert labels.names == ["kill_feed", "minimap"]
    (image,) = labels.images
    assert (image.image, image.split) == (tmp_path / "images/a.jpg", "val")
    assert image.boxes == [Box("minimap", 1, 2, 4, 6)]  # the crowd region is skipped
    document["annotations"][0]["category_id"] = 77
    path.write_text(json.dumps(document))
    with pytest.raises(InputError, match=r"instances_val2017\.json: not COCO detection"):
        FORMATS["coco"].read(path)
    path.write_text("{")
    with pytest.raises(InputError, match="not valid JSON"):
        FORMATS["coco"].read(path)
    shutil.rmtree(tmp_path / "annotations")
    with pytest.raises(InputNotFoundError):
        FORMATS["coco"].read(tmp_path)
