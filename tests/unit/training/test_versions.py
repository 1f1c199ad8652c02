"""Model versions: numbered runs, an index that records parent, data and metrics."""

from __future__ import annotations

from pathlib import Path

import pytest

from framewise.core.errors import ConfigError
from framewise.eval.compare import model_labels
from framewise.training.versions import INDEX, next_version_dir, read_index, record_version
from framewise.training.yolo import ARCHITECTURE, TrainSettings


def test_versions_count_up_and_the_index_keeps_the_older_ones(tmp_path: Path) -> None:
    models = tmp_path / "models"
    first = next_version_dir(models)
    assert first == models / "v1"
    first.mkdir(parents=True)
    record_version(first, parent="tarkov.pt", data=Path("d1.yaml"), command="c1",
                   metrics={"mAP50": 0.4})  # fmt: skip
    second = next_version_dir(models)
    assert second == models / "v2"
    second.mkdir()
    record_version(second, parent=str(first / "model.pt"), data=Path("d2.yaml"), command="c2",
                   metrics={"mAP50": 0.6})  # fmt: skip
    index = read_index(models)
    assert [(v["version"], v["metrics"]["mAP50"]) for v in index] == [("v1", 0.4), ("v2", 0.6)]
    assert index[1]["parent"].endswith("v1/model.pt")
    record_version(second, parent="x", data=Path("d3.yaml"), command="c3", metrics={})
    assert [v["version"] for v in read_index(models)] == ["v1", "v2"]  # re-recorded, not doubled


def test_a_version_folder_without_an_index_entry_is_not_reused(tmp_path: Path) -> None:
    (tmp_path / "v7").mkdir()
    (tmp_path / "v7x").mkdir()
    assert next_version_dir(tmp_path) == tmp_path / "v8"


def test_a_broken_index_names_itself(tmp_path: Path) -> None:
    (tmp_path / INDEX).write_text("{")
    with pytest.raises(ConfigError, match=INDEX):
        read_index(tmp_path)


def test_small_fine_tunes_step_every_batch_with_sgd_and_no_warm_up() -> None:
    scratch = TrainSettings(Path("d.yaml"), Path("out"))
    assert scratch.start == ARCHITECTURE
    assert scratch.fine_tune_args(40) == {} and scratch.warmup(40) == 3.0
    tune = TrainSettings(Path("d.yaml"), Path("out"), start="v1/model.pt", batch=8)
    assert tune.fine_tune_args(40) == {"nbs": 8, "optimizer": "SGD", "lr0": 0.002}
    assert tune.warmup(40) == 0.0
    assert tune.fine_tune_args(636) == {} and tune.warmup(636) == 3.0  # Ultralytics' defaults
    assert TrainSettings(Path("d"), Path("o"), start="m.pt", warmup_epochs=1.0).warmup(40) == 1.0


def test_compared_models_get_short_distinct_labels() -> None:
    assert model_labels([Path("models/v1/model.onnx"), Path("models/v2/model.onnx")]) == [
        "v1",
        "v2",
    ]
    assert model_labels([Path("a/tarkov.onnx"), Path("weak/model.onnx")]) == ["tarkov", "weak"]
    assert model_labels([Path("a/m.onnx"), Path("b/m.onnx")]) == ["1-m", "2-m"]
