"""Fixtures several integration suites share: built once per session, only read by tests."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from framewise.datasets.task_predict import PredictRun


@pytest.fixture(scope="session")
def walk_dataset_dir(real_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The walking video's windowed 2 fps pose dataset (MediaPipe over 140 s of video)."""
    pytest.importorskip("mediapipe")
    from tests.integration.walk import walk_dataset

    return walk_dataset(real_data, tmp_path_factory.mktemp("walk-dataset"))


@pytest.fixture(scope="session")
def walk_model(walk_dataset_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The RF task model trained on :func:`walk_dataset_dir`; its run folder."""
    pytest.importorskip("sklearn")
    from tests.integration.walk import train_walk_model

    return train_walk_model(walk_dataset_dir, tmp_path_factory.mktemp("walk-model"))


@pytest.fixture(scope="session")
def walk_predictions(real_data: Path, walk_model: Path) -> PredictRun:
    """``features predict``'s run of :func:`walk_model` over the walking video at 2 fps."""
    from framewise.datasets.task_extract import ExtractSettings
    from framewise.datasets.task_predict import predict_video
    from tests.integration.walk import FPS, VIDEO

    return predict_video(real_data / VIDEO, walk_model, ExtractSettings(sample_fps=FPS))
