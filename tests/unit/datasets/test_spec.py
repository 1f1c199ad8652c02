"""``DatasetSpec``: the one parser of ``data.yaml``, shared by datasets/ and training/."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
import yaml

from framewise.core.errors import ConfigError, InputError, InputNotFoundError
from framewise.datasets.formats.yolo_format import read_yolo
from framewise.datasets.spec import DatasetSpec, read_data_yaml, read_dataset_spec
from framewise.training.yolo import TrainSettings, train_yolo


def _dataset(root: Path, data: object) -> Path:
    for split in ("train", "val"):
        (root / "images" / split).mkdir(parents=True)
        (root / "labels" / split).mkdir(parents=True)
        image = np.zeros((32, 48, 3), np.uint8)
        cv2.imwrite(str(root / "images" / split / f"{split}_0.jpg"), image)
        (root / "labels" / split / f"{split}_0.txt").write_text("1 0.5 0.5 0.25 0.5\n")
    (root / "notes.txt").write_text("not an image")
    path = root / "data.yaml"
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data), encoding="utf-8")
    return path


def test_a_data_yaml_reads_as_a_typed_spec(tmp_path: Path) -> None:
    path = _dataset(
        tmp_path / "ds",
        {
            "path": "/somewhere/it/was/written",  # moved since: the file's folder holds it
            "train": "images/train",
            "val": ["images/val"],
            "names": {0: "kill", 1: "death"},
            "recipe": {"fps": 2},
        },
    )
    for given in (path, path.parent):
        spec = read_dataset_spec(given)
        assert (spec.kind, spec.task, spec.names) == ("yolo", "detect", ("kill", "death"))
        assert spec.root == path.parent and spec.source == path
        assert spec.splits == {"train": ("images/train",), "val": ("images/val",)}
        assert [p.name for p in spec.images("val")] == ["val_0.jpg"]
        assert spec.raw["recipe"] == {"fps": 2}
    assert read_yolo(path).names == ["kill", "death"]  # the format reader parses through it


def test_names_as_a_list_and_a_recorded_root(tmp_path: Path) -> None:
    root = tmp_path / "real"
    _dataset(root, {"train": "images/train", "val": "images/val", "names": ["a", "b"]})
    elsewhere = tmp_path / "other" / "data.yaml"
    elsewhere.parent.mkdir()
    elsewhere.write_text(yaml.safe_dump({"path": str(root), "val": "images/val", "names": ["a"]}))
    spec = read_data_yaml(elsewhere)
    assert spec.root == root and spec.names == ("a",)
    assert [p.name for p in spec.images("val")] == ["val_0.jpg"]
    assert read_data_yaml(root).names == ("a", "b")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("train: images/train\nval: images/val\n", "has no class names"),
        ("names: [a\n", r"not valid YAML \(line 2"),
        ("- a\n- b\n", "not a mapping"),
        ("names: {0: a, 2: b}\n", "must be 0, 1, 2"),
        ("names: [a, a]\ntrain: images/train\n", "distinct"),
    ],
)
def test_bad_data_yaml_is_one_input_error_naming_the_file(
    tmp_path: Path, text: str, message: str
) -> None:
    path = _dataset(tmp_path / "ds", text)
    with pytest.raises(InputError, match=message) as raised:
        read_dataset_spec(path)
    assert raised.value.subject == str(path)
    # The format reader and the trainer meet the same file through the same parser.
    with pytest.raises(InputError, match=message):
        read_yolo(path)
    with pytest.raises(InputError, match=message):
        train_yolo(TrainSettings(data=path, out=tmp_path / "run"))


def test_a_missing_file_or_split_is_named(tmp_path: Path) -> None:
    with pytest.raises(InputNotFoundError, match="no dataset YAML"):
        read_dataset_spec(tmp_path / "none.yaml")
    with pytest.raises(InputNotFoundError, match="no dataset YAML"):
        read_dataset_spec(tmp_path)  # a folder with neither dataset.json nor data.yaml
    path = _dataset(tmp_path / "ds", {"train": "images/train", "names": ["a"]})
    with pytest.raises(InputError, match="no 'val' split") as raised:
        read_dataset_spec(path).require("train", "val")
    assert raised.value.subject == str(path)
    with pytest.raises(InputError, match="no 'val' split"):
        train_yolo(TrainSettings(data=path, out=tmp_path / "run"))


def test_written_specs_read_back(tmp_path: Path) -> None:
    yolo = DatasetSpec(
        kind="yolo", root=tmp_path, splits={"train": ("images/train",)}, names=("x", "y")
    )
    written = yolo.write_data_yaml()
    assert yaml.safe_load(written.read_text()) == {
        "path": str(tmp_path.resolve()),
        "train": "images/train",
        "names": {0: "x", 1: "y"},
    }
    assert read_dataset_spec(written).model_dump() == yolo.model_dump() | {"source": written}
    table = DatasetSpec(
        kind="tabular",
        root=tmp_path / "features",
        splits={"train": ("train.csv",), "val": ("val.csv",)},
        names=("rest", "wave"),
        task="classify",
    )
    table.save()
    again = read_dataset_spec(tmp_path / "features")  # a folder's dataset.json comes first
    assert again.model_dump(exclude={"source"}) == table.model_dump(exclude={"source"})
    assert again.source == tmp_path / "features" / "dataset.json"
    (tmp_path / "features" / "dataset.json").write_text('{"kind": "video"}')
    with pytest.raises(InputError, match="not a dataset spec"):
        read_dataset_spec(tmp_path / "features")


def test_a_spec_refuses_nonsense(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="distinct"):
        DatasetSpec(kind="yolo", root=tmp_path, splits={}, names=("a", ""))
    with pytest.raises(ValueError, match="split 'val'"):
        DatasetSpec(kind="yolo", root=tmp_path, splits={"val": ()}, names=())
    assert not issubclass(ConfigError, InputError)  # the spec's errors are input errors
