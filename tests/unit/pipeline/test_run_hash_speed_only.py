"""Batch size and device change a run's speed, not its results: they stay out of its hash."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from framewise.config.pipeline import PipelineConfig
from framewise.core.errors import ConfigError
from framewise.pipeline.rundir import RunDir, RunState, config_hash


def config(batch: int = 4, device: str = "cpu", fps: float = 5.0) -> PipelineConfig:
    raw: dict[str, Any] = {
        "source": {"detection_fps": fps, "batch_size": batch},
        "detectors": [
            {"kind": "gate", "threshold": 1.0, "device": device},
            {"kind": "segmenter", "model": "sam", "device": device, "batch_size": batch},
        ],
    }
    return PipelineConfig.model_validate(raw)


def test_speed_settings_leave_the_hash_alone_and_results_settings_change_it() -> None:
    base = config_hash(config(), {})
    assert config_hash(config(batch=8, device="auto"), {}) == base
    assert config_hash(config(fps=2.0), {}) != base
    # How folders written before were hashed: speed settings included.
    legacy = config_hash(config(), {}, speed_settings=True)
    assert legacy != base
    assert config_hash(config(batch=8), {}, speed_settings=True) != legacy


def test_a_folder_resumes_at_another_batch_size_but_not_at_another_rate(tmp_path: Path) -> None:
    first = RunDir(tmp_path)
    assert first.prepare(config(batch=4), {}) is RunState.NEW
    assert RunDir(tmp_path).prepare(config(batch=16, device="auto"), {}) is RunState.RESUME
    with pytest.raises(ConfigError) as caught:
        RunDir(tmp_path).prepare(config(batch=8, fps=2.0), {})
    line = caught.value.one_line()
    assert "source.detection_fps (5.0 → 2.0)" in line
    assert "batch_size" not in line  # only what changes results is named


def test_a_folder_hashed_with_its_speed_settings_still_resumes(tmp_path: Path) -> None:
    RunDir(tmp_path).prepare(config(), {})
    manifest_file = tmp_path / "manifest.json"
    manifest = json.loads(manifest_file.read_text())
    manifest["config_hash"] = config_hash(config(), {}, speed_settings=True)
    manifest_file.write_text(json.dumps(manifest))
    assert RunDir(tmp_path).prepare(config(), {}) is RunState.RESUME
    rewritten = json.loads(manifest_file.read_text())["config_hash"]
    assert rewritten == config_hash(config(), {})
