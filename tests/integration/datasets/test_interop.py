"""Our exports read by the tools people use: pycocotools, datumaro (CVAT's library), Ultralytics.

Also the round trip through the command line: export → edit in "CVAT" → ``framewise
import-labels`` → the dataset holds every box, the corrected one included.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from framewise.datasets.formats import FORMATS
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

# datumaro asserts that the bboxes it reads are float32: compare to a hundredth of a pixel.
FLOAT32_PX = 0.02

# Runs the framewise CLI entry point (its one-line errors and exit codes) with
# import-labels registered, whether or not cli/main.py registers it yet.
CLI = """
import sys
from framewise.cli import label_commands
from framewise.cli.main import app, main
if "import-labels" not in {c.name for c in app.registered_commands}:
    label_commands.register(app)
sys.exit(main(sys.argv[1:]))
"""


def framewise(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", CLI, *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def labels(tmp_path_factory: pytest.TempPathFactory) -> LabelSet:
    return label_set(tmp_path_factory.mktemp("frames"))


def test_coco_export_loads_in_pycocotools(labels: LabelSet, tmp_path: Path) -> None:
    from pycocotools.coco import COCO  # type: ignore[import-untyped]

    folder = FORMATS["coco"].write(labels, tmp_path / "coco", False)
    for split in ("train", "val"):
        ours = labels.in_split(split)
        coco = COCO(str(folder / f"instances_{split}.json"))
        assert len(coco.getImgIds()) == len(ours)
        assert len(coco.getAnnIds()) == sum(len(i.boxes) for i in ours)
        assert [c["name"] for c in coco.loadCats(coco.getCatIds())] == NAMES
        for image_id in coco.getImgIds():
            (info,) = coco.loadImgs(image_id)
            image = by_name(labels)[info["file_name"]]
            assert (info["width"], info["height"]) == (WIDTH, HEIGHT)
            assert (tmp_path / "coco/images" / split / info["file_name"]).is_file()
            anns = coco.loadAnns(coco.getAnnIds(imgIds=image_id))
            names = {c["id"]: c["name"] for c in coco.loadCats(coco.getCatIds())}
            got = [Box(names[a["category_id"]], *_corners(a["bbox"])) for a in anns]
            assert_same_boxes(got, image.boxes)


def _order(box: Box) -> tuple[str, float]:
    return box.label, box.x1


def _corners(bbox: list[float]) -> tuple[float, float, float, float]:
    x, y, w, h = bbox
    return x, y, x + w, y + h


@pytest.mark.parametrize(
    ("ours", "theirs"), [("cvat", "cvat"), ("yolo", "yolo"), ("coco", "coco_instances")]
)
def test_exports_load_in_datumaro(ours: str, theirs: str, labels: LabelSet, tmp_path: Path) -> None:
    from datumaro.components.annotation import AnnotationType  # type: ignore[import-untyped]
    from datumaro.components.dataset import Dataset  # type: ignore[import-untyped]

    FORMATS[ours].write(labels, tmp_path / ours, False)
    dataset: Any = Dataset.import_from(str(tmp_path / ours), theirs)
    label_names = [c.name for c in dataset.categories()[AnnotationType.label]]
    assert label_names == NAMES
    items = list(dataset)
    assert len(items) == len(labels.images)
    assert sorted(dataset.subsets()) == ["train", "val"]
    for item in items:
        image = by_name(labels)[f"{item.id}.jpg"]
        assert item.subset == image.split
        assert item.media.size == (HEIGHT, WIDTH)
        boxes = [a for a in item.annotations if a.type == AnnotationType.bbox]
        got = [Box(label_names[a.label], *_corners(a.get_bbox())) for a in boxes]
        # datumaro's COCO reader orders an image's boxes its own way.
        assert_same_boxes(sorted(got, key=_order), sorted(image.boxes, key=_order), FLOAT32_PX)


@pytest.mark.usefixtures("ultralytics_installed")
def test_yolo_export_passes_ultralytics_checks_and_label_cache(
    labels: LabelSet, tmp_path: Path
) -> None:
    from framewise.training.ultralytics_env import configure_ultralytics, ultralytics_module

    data_yaml = FORMATS["yolo"].write(labels, tmp_path / "yolo", False)
    configure_ultralytics(tmp_path / "ultralytics")
    data = ultralytics_module("ultralytics.data.utils").check_det_dataset(str(data_yaml))
    assert (data["nc"], list(data["names"].values())) == (3, NAMES)
    dataset_class = ultralytics_module("ultralytics.data.dataset").YOLODataset
    for split in ("train", "val"):
        ours = {i.name: i for i in labels.in_split(split)}
        read = dataset_class(img_path=data[split], data=data, task="detect", augment=False)
        assert len(read.labels) == len(ours)
        for label in read.labels:  # the verified cache: normalised cx cy w h per box
            image = ours[Path(label["im_file"]).name]
            got = [
                Box(
                    NAMES[int(c)],
                    (cx - w / 2) * WIDTH,
                    (cy - h / 2) * HEIGHT,
                    (cx + w / 2) * WIDTH,
                    (cy + h / 2) * HEIGHT,
                )
                for c, (cx, cy, w, h) in zip(
                    label["cls"].ravel(), label["bboxes"].tolist(), strict=True
                )
            ]
            assert_same_boxes(got, image.boxes, FLOAT32_PX)
    assert (tmp_path / "yolo/labels/train.cache").is_file()


def test_export_edit_in_cvat_import_labels_keeps_every_box(
    labels: LabelSet, tmp_path: Path
) -> None:
    dataset = tmp_path / "dataset"
    FORMATS["yolo"].write(labels, dataset, False)
    export = tmp_path / "to_cvat"
    FORMATS["cvat"].write(read_yolo(dataset), export, False)
    # The reviewer moves one box in CVAT and draws a box of a new class.
    xml_file = export / "annotations.xml"
    text = xml_file.read_text()
    old = 'xtl="13.25" ytl="20.50" xbr="150.75" ybr="60.12"'
    assert text.count(old) == 1
    text = text.replace(old, 'xtl="40.00" ytl="30.00" xbr="160.00" ybr="70.00"')
    text = text.replace(
        '<image id="2" name="s1_0002.jpg" subset="train" width="320" height="192" />',
        '<image id="2" name="s1_0002.jpg" subset="train" width="320" height="192">'
        '<box label="loot" source="manual" occluded="0" xtl="5" ytl="6" xbr="70" ybr="80" '
        'z_order="0"></box></image>',
    )
    xml_file.write_text(text)
    done = framewise("import-labels", export, "--into", dataset)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "6 images (cvat) merged into" in done.stdout
    assert "0 added, 2 updated, 4 unchanged" in done.stdout
    assert "boxes 13 → 14; new classes: loot" in done.stdout
    after = by_name(read_yolo(dataset))
    want = {image.name: list(image.boxes) for image in labels.images}
    want["s1_0003.jpg"][0] = Box("kill_feed", 40, 30, 160, 70)
    want["s1_0002.jpg"] = [Box("loot", 5, 6, 70, 80)]
    assert after.keys() == want.keys()
    for name, image in after.items():
        assert_same_boxes(image.boxes, want[name])
        assert image.split == by_name(labels)[name].split
    again = framewise("import-labels", xml_file, "--into", dataset, "--format", "cvat")
    assert "0 added, 0 updated, 6 unchanged" in again.stdout, again.stdout + again.stderr


def test_import_labels_errors_are_one_line(tmp_path: Path) -> None:
    broken = tmp_path / "annotations.xml"
    broken.write_text("<annotations><image></annotations>")
    done = framewise("import-labels", broken, "--into", tmp_path / "ds")
    assert done.returncode == 3
    assert done.stderr.count("\n") == 1
    assert f"{broken}: malformed XML" in done.stderr
    assert not (tmp_path / "ds").exists()
    unknown = framewise("import-labels", tmp_path, "--into", tmp_path / "ds", "--format", "voc")
    assert unknown.returncode == 2
    assert "--format 'voc' is unknown" in unknown.stderr
    (tmp_path / "notes.txt").write_text("hello")
    guess = framewise("import-labels", tmp_path / "notes.txt", "--into", tmp_path / "ds")
    assert guess.returncode == 2
    assert "pass --format" in guess.stderr
    helped = framewise("import-labels", "--help")
    assert helped.returncode == 0
    assert "--into" in helped.stdout


def test_a_cvat_zip_without_images_finds_them_with_images_option(
    labels: LabelSet, tmp_path: Path
) -> None:
    dataset = tmp_path / "dataset"
    FORMATS["yolo"].write(labels, dataset, False)
    # Frames to label, written as a CVAT task; CVAT's export of it holds only the XML.
    task = tmp_path / "to_label"
    new = LabelSet(
        ["kill_feed"],
        [
            LabelledImage(
                picture(tmp_path / f"frames/new_{n}.jpg", seed=100 + n),
                WIDTH,
                HEIGHT,
                [Box("kill_feed", 1 + n, 2, 30, 40, score=0.4)],
            )
            for n in range(2)
        ],
    )
    FORMATS["cvat"].write(new, task, False)
    archive = tmp_path / "task_export.zip"
    with zipfile.ZipFile(archive, "w") as packed:
        packed.write(task / "annotations.xml", "annotations.xml")
    missing = framewise("import-labels", archive, "--into", dataset)
    assert "0 added, 0 updated, 0 unchanged; 2 skipped (no image file)" in missing.stdout
    done = framewise(
        "import-labels", archive, "--into", dataset, "--images", task, "--split", "val"
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 added" in done.stdout
    after = by_name(read_yolo(dataset))
    assert len(after) == len(labels.images) + 2
    for image in new.images:
        got = after[image.name]
        assert got.split == "val"
        assert got.image.read_bytes() == image.image.read_bytes()
        assert_same_boxes(got.boxes, image.boxes)
    assert not list(tmp_path.glob(".import-*"))  # the unpacked archive is gone
