"""Every number of a configuration is finite: NaN and ±Infinity are refused with their key."""

from __future__ import annotations

import math
import types
from pathlib import Path
from typing import Annotated, Any, Union, get_args, get_origin

import pytest
from pydantic import ValidationError

import framewise.config  # noqa: F401 - registers every configuration model
from framewise.config import PipelineConfig, SourceConfig, load_pipeline
from framewise.config.base import StrictModel
from framewise.config.pipeline import ConfirmSettings
from framewise.core.errors import ConfigError

NON_FINITE = [math.nan, math.inf, -math.inf]


def _all_models(base: type[StrictModel]) -> list[type[StrictModel]]:
    found: list[type[StrictModel]] = []
    for model in base.__subclasses__():
        found += [model, *_all_models(model)]
    return found


def _holds_float(annotation: Any) -> bool:
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    if get_origin(annotation) in (Union, types.UnionType):
        return any(_holds_float(arg) for arg in get_args(annotation))
    return annotation is float


FLOAT_FIELDS = sorted(
    {
        (model.__qualname__, name, model)
        for model in _all_models(StrictModel)
        for name, field in model.model_fields.items()
        if _holds_float(field.annotation)
    },
    key=lambda row: (row[0], row[1]),
)


def test_the_walk_finds_the_float_fields() -> None:
    names = {(model, field) for model, field, _ in FLOAT_FIELDS}
    assert ("SourceConfig", "detection_fps") in names
    assert ("ConfirmSettings", "period_seconds") in names
    assert ("EpisodeFilterConfig", "hold_seconds") in names
    assert len(names) >= 15


@pytest.mark.parametrize(("field", "model"), [(f"{m}.{f}", model) for m, f, model in FLOAT_FIELDS])
@pytest.mark.parametrize("value", NON_FINITE, ids=["nan", "inf", "-inf"])
def test_every_float_field_refuses_non_finite(
    field: str, model: type[StrictModel], value: float
) -> None:
    name = field.rsplit(".", 1)[1]
    with pytest.raises(ValidationError) as caught:
        model.model_validate({name: value})
    refused = [e for e in caught.value.errors() if e["loc"][:1] == (name,)]
    assert refused, caught.value.errors()
    assert all(e["type"] in {"finite_number", "greater_than", "less_than_equal"} for e in refused)
    assert any(e["type"] == "finite_number" for e in refused)


@pytest.mark.parametrize("value", NON_FINITE, ids=["nan", "inf", "-inf"])
def test_detection_fps_must_be_finite(value: float) -> None:
    with pytest.raises(ValidationError, match="finite number"):
        SourceConfig.model_validate({"detection_fps": value})


@pytest.mark.parametrize(
    ("key", "yaml_value"),
    [("hold_seconds", ".inf"), ("min_duration_seconds", ".nan"), ("hold_seconds", "1e999")],
)
def test_yaml_infinity_is_refused_with_its_line(tmp_path: Path, key: str, yaml_value: str) -> None:
    path = tmp_path / "pipeline.yaml"
    path.write_text(
        "detectors:\n  - {kind: ocr, classes: [k]}\nfilters:\n  - kind: episode\n"
        f"    {key}: {yaml_value}\n"
    )
    with pytest.raises(
        ConfigError, match=rf"pipeline.yaml:5: filters\[0\]\.{key}: .*finite number"
    ):
        load_pipeline(path)


def test_json_config_nan_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "pipeline.json"
    path.write_text(
        '{"detectors": [{"kind": "ocr", "classes": ["k"]}], "source": {"detection_fps": NaN}}'
    )
    with pytest.raises(ConfigError, match="NaN is not a finite number"):
        load_pipeline(path)


def test_a_confirmation_period_below_a_millisecond_is_refused() -> None:
    assert ConfirmSettings(period_seconds=0.001).period_seconds == 0.001
    for tiny in (1e-300, 1e-4, 0.0):
        with pytest.raises(ValidationError, match="period_seconds"):
            ConfirmSettings(period_seconds=tiny)
    cfg = PipelineConfig.model_validate({"detectors": [{"kind": "ocr", "classes": ["k"]}]})
    assert cfg.source.sample_period_seconds >= 0.001
