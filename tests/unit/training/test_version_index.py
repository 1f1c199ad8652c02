"""The typed version index writes the JSON it always wrote and keeps keys it does not know."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from framewise.core.errors import ConfigError
from framewise.training.versions import (
    INDEX,
    ModelVersion,
    next_version_dir,
    read_index,
    read_versions,
    record_version,
)


def test_entries_are_typed_and_the_file_keeps_its_layout(tmp_path: Path) -> None:
    run = tmp_path / "v1"
    run.mkdir()
    entry = record_version(run, parent="a.pt", data=Path("d.yaml"), command="c", metrics={"m": 0.5})
    assert isinstance(entry, ModelVersion) and entry.number == 1
    on_disk = json.loads((tmp_path / INDEX).read_text())
    assert list(on_disk) == ["versions"]
    assert list(on_disk["versions"][0]) == [
        "version", "created", "parent", "data", "command", "model", "metrics"
    ]  # fmt: skip
    assert on_disk["versions"][0]["model"] == str(run / "model.onnx")
    assert read_index(tmp_path) == on_disk["versions"]
    assert read_versions(tmp_path).versions == [entry]


def test_keys_of_a_later_version_survive_a_rewrite(tmp_path: Path) -> None:
    (tmp_path / INDEX).write_text(
        json.dumps({"versions": [{"version": "v4", "metrics": {}, "notes": "kept"}], "x": 1})
    )
    assert next_version_dir(tmp_path) == tmp_path / "v5"
    (tmp_path / "v5").mkdir()
    record_version(tmp_path / "v5", parent="p", data=Path("d"), command="c", metrics={})
    on_disk = json.loads((tmp_path / INDEX).read_text())
    assert on_disk["x"] == 1 and on_disk["versions"][0]["notes"] == "kept"
    assert [v["version"] for v in on_disk["versions"]] == ["v4", "v5"]


def test_an_index_of_the_wrong_shape_names_the_file(tmp_path: Path) -> None:
    (tmp_path / INDEX).write_text(json.dumps({"versions": [{"metrics": {}}]}))
    with pytest.raises(ConfigError, match="not a valid version index") as raised:
        read_versions(tmp_path)
    assert raised.value.subject == str(tmp_path / INDEX)
