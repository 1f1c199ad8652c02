"""The labelled walking video (W2): its windowed pose dataset and the RF trained on it.

Several suites use the same model and the same predictions, so ``tests/integration/conftest.py``
builds them once per session; they are read, never changed.
"""

from __future__ import annotations

from pathlib import Path

from framewise.datasets.spec import read_dataset_spec
from framewise.datasets.task_extract import ExtractSettings, extract_video
from framewise.datasets.task_labels import TaskLabels
from framewise.datasets.windows import WindowSpec, build_dataset
from framewise.training.tabular import TabularTrainer, TaskTrainSettings

VIDEO = "intel-sample-videos/one-by-one-person-detection.mp4"
"""A person walks in, works at a table and leaves, three times (labels in docs/task-labels)."""
LABELS = Path(__file__).resolve().parents[2] / "docs" / "task-labels"
FPS = 2.0
"""The rate the features are extracted and the model predicts at."""


def walk_dataset(real_data: Path, folder: Path) -> Path:
    """The windowed dataset of the labelled real video's 2 fps pose features (no objects)."""
    table = folder / "one.parquet"
    labels = TaskLabels.read(LABELS / "one-by-one-person-detection.csv")
    extract_video(real_data / VIDEO, table, ExtractSettings(sample_fps=FPS), labels)
    spec = WindowSpec(window_sec=2.0, step_sec=0.5, group_sec=20.0, balance="upsample")
    build_dataset([table], folder / "d", spec)
    return folder / "d"


def train_walk_model(dataset: Path, folder: Path) -> Path:
    """An RF (50 trees) trained in ``folder`` on ``dataset``; its run folder."""
    settings = TaskTrainSettings(model="rf", n_estimators=50)
    TabularTrainer(settings).fit(read_dataset_spec(dataset), folder / "run")
    return folder / "run"
